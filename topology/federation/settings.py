"""Settings of federation: the ``federation`` section of the service config file::

    federation:
      registry: registry.yaml     # relative to the config file
      public_url: http://alpha.example.net:8470
      poll_interval_s: 60         # how often each peer's feed is fetched
      stale_after_s: 300          # a peer not reached for this long is stale
      expire_after_s: 604800      # ... and its data leaves the view after this long
      timeout_s: 10               # per request to a peer
      key_file: federation-key    # default: in the data directory (mode 600)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from topology.alerts.config import ConfigError

KEY_FILE = "federation-key"
_NUMBERS = ("poll_interval_s", "stale_after_s", "expire_after_s", "timeout_s")


@dataclass(frozen=True, slots=True)
class FederationSettings:
    registry: Path
    public_url: str = ""
    poll_interval_s: float = 60.0
    stale_after_s: float = 300.0
    expire_after_s: float = 7 * 86400.0
    timeout_s: float = 10.0
    key_file: Path | None = None  # None: <data dir>/federation-key, set by `meshctl serve`

    def __post_init__(self) -> None:
        for name in _NUMBERS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ConfigError(f"federation.{name} must be a positive number, not {value!r}")
        if self.expire_after_s < self.stale_after_s:
            raise ConfigError("federation.expire_after_s must not be shorter than stale_after_s")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], base: Path | None = None) -> FederationSettings:
        """From the config section; relative paths are taken from ``base`` (the config
        file's folder)."""
        if not isinstance(data, Mapping):
            raise ConfigError("federation: expected a mapping of settings")
        known = {"registry", "public_url", "key_file", *_NUMBERS}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"federation: unknown setting(s) {unknown} (known: {sorted(known)})")
        if not isinstance(data.get("registry"), str):
            raise ConfigError("federation.registry: the path of the registry file is required")

        def path(text: str) -> Path:
            p = Path(text).expanduser()
            return p if p.is_absolute() or base is None else base / p

        numbers = {k: data[k] for k in _NUMBERS if k in data}
        key = data.get("key_file")
        return cls(
            registry=path(data["registry"]),
            public_url=str(data.get("public_url") or ""),
            key_file=None if key is None else path(str(key)),
            **numbers,
        )
