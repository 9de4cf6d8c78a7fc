"""Alert thresholds and timing: a dataclass with documented defaults.

Load it from the service configuration's ``alerts`` section with
:meth:`AlertConfig.from_mapping`; keys are the field names, unknown keys and wrong
types are refused with a message naming the key::

    alerts:
      report_interval_s: 60
      node_down_missed_intervals: 3
      link_max_cost: 10
      link_max_loss: 0.2
      link_min_signal_dbm: -80
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from topology.alerts.model import AlertKind

ALL_RULES: tuple[str, ...] = tuple(k.value for k in AlertKind)


class ConfigError(ValueError):
    """A configuration value is unknown or of the wrong type or range."""


@dataclass(frozen=True, slots=True)
class AlertConfig:
    #: Seconds between an agent's reports (the agents' default ``interval_s``).
    report_interval_s: float = 60.0
    #: A node that has reported before is *down* after this many intervals of silence
    #: (default 3 x 60 s = 3 minutes).
    node_down_missed_intervals: int = 3
    #: A link is *degraded* when its measured cost (ETX-like, 1 = perfect) exceeds this ...
    link_max_cost: float = 10.0
    #: ... or its packet loss (a fraction: 0.2 = 20 %) exceeds this ...
    link_max_loss: float = 0.20
    #: ... or its signal is below this many dBm.
    link_min_signal_dbm: float = -80.0
    #: Which rules run (all by default); names are the alert kinds, e.g. "node.down".
    rules: tuple[str, ...] = ALL_RULES
    #: Changes arriving within this many seconds are evaluated together (the gateway
    #: check costs ~30 ms at 40k nodes, so it runs at most once per window).
    debounce_s: float = 1.0
    #: Every this many seconds everything is evaluated again (node down needs time to pass).
    sweep_interval_s: float = 15.0

    def __post_init__(self) -> None:
        positive = ("report_interval_s", "node_down_missed_intervals", "sweep_interval_s")
        for name in positive:
            if getattr(self, name) <= 0:
                raise ConfigError(f"alerts.{name} must be positive, not {getattr(self, name)}")
        if self.debounce_s < 0:
            raise ConfigError(f"alerts.debounce_s must not be negative, not {self.debounce_s}")
        if not 0.0 <= self.link_max_loss <= 1.0:
            raise ConfigError(
                f"alerts.link_max_loss is a fraction 0..1 (0.2 = 20 %), not {self.link_max_loss}"
            )
        for rule in self.rules:
            if rule not in ALL_RULES:
                raise ConfigError(f"alerts.rules: unknown rule {rule!r} (known: {ALL_RULES})")

    @property
    def node_down_after_s(self) -> float:
        return self.report_interval_s * self.node_down_missed_intervals

    def enabled(self, kind: str) -> bool:
        return kind in self.rules

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> AlertConfig:
        """The config from the ``alerts`` section of the service config (None: defaults)."""
        return cls(**checked_fields(cls, data or {}, "alerts"))


def checked_fields(cls: type[Any], data: Mapping[str, Any], section: str) -> dict[str, Any]:
    """``data`` checked against the fields of dataclass ``cls`` (types from the defaults)."""
    out: dict[str, Any] = {}
    by_name = {f.name: f for f in fields(cls)}
    for key, value in data.items():
        f = by_name.get(key)
        if f is None:
            raise ConfigError(f"{section}: unknown setting {key!r} (known: {sorted(by_name)})")
        default = f.default
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif isinstance(default, float):
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            value = float(value) if ok else value
        elif isinstance(default, tuple):
            ok = isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
            value = tuple(value) if ok else value
        else:
            ok = isinstance(value, str)
        if not ok:
            raise ConfigError(f"{section}.{key}: {value!r} is not a {type(default).__name__}")
        out[key] = value
    return out
