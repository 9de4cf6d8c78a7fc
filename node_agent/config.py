"""The agent's YAML configuration: loading, validation (``file:line: field: why`` for
every error at once), and the typed result. See docs/agent.md for every key.

Example::

    service: https://mesh.example.org
    node: androscoggin:gorham-home-01
    token_file: /etc/node-agent/token
    interval: 60
    collectors:
      babeld: {port: 33123}
      snmp: {host: 192.168.88.1, community: public}
      probes: {gateway: 10.228.16.1}
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from node_agent.errors import ConfigError

Check = Callable[[Any], Any]


class _Invalid(Exception):
    pass


def _str(v: Any) -> str:
    if isinstance(v, bool) or not isinstance(v, str | int | float) or str(v) == "":
        raise _Invalid("must be a non-empty text")
    return str(v)


def _int(lo: int, hi: int) -> Check:
    def check(v: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, int):
            raise _Invalid("must be a whole number")
        if not lo <= v <= hi:
            raise _Invalid(f"{v} is outside {lo}..{hi}")
        return v

    return check


def _float(lo: float, hi: float) -> Check:
    def check(v: Any) -> float:
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise _Invalid("must be a number")
        if not lo <= v <= hi:
            raise _Invalid(f"{v} is outside {lo}..{hi}")
        return float(v)

    return check


def _bool(v: Any) -> bool:
    if not isinstance(v, bool):
        raise _Invalid("must be true or false")
    return v


def _enum(*choices: str) -> Check:
    def check(v: Any) -> str:
        text = str(v).lower() if isinstance(v, str | int) and not isinstance(v, bool) else None
        if text not in choices:
            raise _Invalid(f"{v!r} is not one of {', '.join(choices)}")
        return text

    return check


def _ip(v: Any) -> str:
    try:
        return str(ipaddress.ip_address(_str(v)))
    except ValueError:
        raise _Invalid(f"{v!r} is not an IP address") from None


def _list(item: Check) -> Check:
    def check(v: Any) -> list[Any]:
        if not isinstance(v, list):
            raise _Invalid("must be a list")
        return [item(x) for x in v]

    return check


def _record(schema: dict[str, Check], required: tuple[str, ...] = ()) -> Check:
    """A mapping whose keys are checked by ``schema`` (an item of a list setting)."""

    def check(v: Any) -> dict[str, Any]:
        if not isinstance(v, dict):
            raise _Invalid(f"each item must be a mapping with {', '.join(schema)}")
        out: dict[str, Any] = {}
        for key, value in v.items():
            if str(key) not in schema:
                raise _Invalid(f"unknown key {key!r} (known: {', '.join(schema)})")
            try:
                out[str(key)] = schema[str(key)](value)
            except _Invalid as e:
                raise _Invalid(f"{key}: {e}") from None
        missing = [k for k in required if k not in out]
        if missing:
            raise _Invalid(f"each item needs {' and '.join(missing)}")
        return out

    return check


def _url(v: Any) -> str:
    text = _str(v).rstrip("/")
    if not text.startswith(("http://", "https://")) or len(text.split("://", 1)[1]) == 0:
        raise _Invalid(f"{v!r} must be an http:// or https:// URL")
    return text


PORT = _int(1, 65535)
TIMEOUT = _float(0.05, 120)
COLLECTORS: dict[str, dict[str, Check]] = {
    "babeld": {"host": _str, "port": PORT, "socket": _str, "timeout": TIMEOUT},
    "olsrd": {
        "host": _str,
        "port": PORT,
        "format": _enum("jsoninfo", "txtinfo"),
        "addresses": _list(_ip),
        "timeout": TIMEOUT,
    },
    "batman": {
        "source": _enum("vis", "batctl"),
        "command": _str,
        "file": _str,
        "own": _list(_str),
        "timeout": TIMEOUT,
    },
    "bmx": {"file": _str, "command": _str, "name": _str, "timeout": TIMEOUT},
    "system": {"interfaces": _list(_str), "proc": _str, "sys_net": _str},
    "snmp": {
        "host": _str,
        "port": PORT,
        "version": _enum("2c", "3"),
        "community": _str,
        "user": _str,
        "auth_protocol": _enum("md5", "sha", "sha224", "sha256", "sha384", "sha512"),
        "auth_key": _str,
        "priv_protocol": _enum("des", "3des", "aes", "aes128", "aes192", "aes256"),
        "priv_key": _str,
        "context": _str,
        "vendor": _enum("auto", "mikrotik", "ubiquiti", "generic"),
        "timeout": TIMEOUT,
        "retries": _int(0, 10),
        "max_repetitions": _int(1, 200),
        "link_interface": _str,
        "static_every": _int(1, 10_000),
    },
    "simulated": {
        "links": _list(
            _record(
                {"neighbour": _str, "address": _ip, "interface": _str, "cost": _float(1, 1000)},
                required=("interface",),
            )
        ),
    },
    "probes": {
        "targets": _list(_ip),
        "gateway": _ip,
        "neighbours": _bool,
        "count": _int(1, 20),
        "timeout": _float(0.05, 10),
        "arp": _bool,
        "arp_every": _int(1, 10_000),
    },
}
#: top-level key: (check, default); ``...`` marks a required key.
TOP: dict[str, tuple[Check, Any]] = {
    "service": (_url, ...),
    "node": (_str, ...),
    "token_file": (_str, None),
    "token": (_str, None),
    "interval": (_int(1, 86_400), 60),
    "jitter": (_float(0, 0.5), 0.1),
    "state_dir": (_str, "/var/lib/node-agent"),
    "timeout": (TIMEOUT, 10.0),
    "routes": (_bool, True),
    "max_routes": (_int(0, 20_000), 20_000),
    "seq_block": (_int(1, 100_000), 64),
    "spool": (dict, {}),
    "backoff": (dict, {}),
    "neighbours": (dict, {}),
    "collectors": (dict, {}),
}
SPOOL = {"max_reports": _int(1, 1_000_000), "max_bytes": _int(1024, 1 << 34)}
BACKOFF = {"initial": _float(0.01, 3600), "max": _float(0.01, 86_400)}


@dataclass(frozen=True)
class CollectorConfig:
    kind: str  # a key of node_agent.collectors.REGISTRY
    name: str  # as reported (``snmp:10.0.0.2`` when there are several SNMP devices)
    settings: dict[str, Any]


@dataclass(frozen=True)
class Config:
    service: str
    node: str
    token_file: str | None = None
    token: str | None = None
    interval: int = 60
    jitter: float = 0.1
    state_dir: str = "/var/lib/node-agent"
    timeout: float = 10.0
    routes: bool = True
    max_routes: int = 20_000
    seq_block: int = 64
    spool_max_reports: int = 1440
    spool_max_bytes: int = 4 << 20
    backoff_initial: float = 2.0
    backoff_max: float = 300.0
    neighbours: dict[str, str] = field(default_factory=dict)
    collectors: tuple[CollectorConfig, ...] = ()
    source: str = "<config>"

    def read_token(self) -> str:
        """The agent token: ``token``, or the first line of ``token_file``."""
        if self.token:
            return self.token
        assert self.token_file is not None
        try:
            token = Path(self.token_file).read_text().strip().splitlines()
        except OSError as e:
            raise ConfigError(
                f"{self.source}: token_file: cannot read {self.token_file}: {e}"
            ) from None
        if not token or not token[0].strip():
            raise ConfigError(f"{self.source}: token_file: {self.token_file} is empty")
        return token[0].strip()


class _Lines:
    """Line numbers of the YAML nodes, by path."""

    def __init__(self, node: yaml.Node) -> None:
        self.lines: dict[tuple[Any, ...], int] = {}
        self._walk(node, ())

    def _walk(self, node: yaml.Node, path: tuple[Any, ...]) -> None:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                self.lines[(*path, key.value, "<key>")] = key.start_mark.line + 1
                self._walk(value, (*path, key.value))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._walk(item, (*path, i))

    def at(self, path: tuple[Any, ...]) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)


class _Errors:
    def __init__(self, source: str, lines: _Lines) -> None:
        self.source, self.lines, self.items = source, lines, list[str]()

    def add(self, path: tuple[Any, ...], message: str, key: bool = False) -> None:
        where = self.lines.at((*path, "<key>") if key else path)
        dotted = ".".join(str(p) for p in path) or "(top)"
        self.items.append(f"{self.source}:{where}: {dotted}: {message}")


def _section(
    data: Any, schema: dict[str, Check], path: tuple[Any, ...], errors: _Errors
) -> dict[str, Any]:
    if not isinstance(data, dict):
        errors.add(path, "must be a mapping of settings")
        return {}
    out: dict[str, Any] = {}
    for key, value in data.items():
        check = schema.get(str(key))
        if check is None:
            known = ", ".join(sorted(schema))
            errors.add((*path, key), f"unknown setting (known: {known})", key=True)
            continue
        try:
            out[str(key)] = check(value)
        except _Invalid as e:
            errors.add((*path, key), str(e))
    return out


def _collectors(data: Any, errors: _Errors) -> list[CollectorConfig]:
    out: list[CollectorConfig] = []
    if not isinstance(data, dict):
        errors.add(("collectors",), "must be a mapping of collector names to settings")
        return out
    if "system" not in data:
        out.append(CollectorConfig("system", "system", {}))
    for kind, settings in data.items():
        path = ("collectors", kind)
        if kind not in COLLECTORS:
            errors.add(path, f"unknown collector (known: {', '.join(COLLECTORS)})", key=True)
            continue
        if settings is False or settings is None:
            continue  # disabled
        devices = settings if kind == "snmp" and isinstance(settings, list) else [settings]
        for i, item in enumerate(devices):
            where = (*path, i) if len(devices) > 1 or isinstance(settings, list) else path
            values = _section({} if item is True else item, COLLECTORS[kind], where, errors)
            if kind == "snmp" and values.get("version") == "3" and "user" not in values:
                errors.add(where, "SNMPv3 needs 'user'")
            for k in ("auth_key", "priv_key"):
                if k in values and len(values[k]) < 8:
                    errors.add((*where, k), "SNMPv3 keys have at least 8 characters")
            if kind in ("batman", "bmx") and "file" in values and "command" in values:
                errors.add(where, "set 'file' or 'command', not both")
            many = isinstance(settings, list) and len(devices) > 1
            name = f"{kind}:{values.get('host', i)}" if many else kind
            out.append(CollectorConfig(kind, name, values))
    return out


def parse_config(text: str, source: str = "<config>") -> Config:
    """Validate a configuration document; :class:`ConfigError` lists every problem."""
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise ConfigError(f"{source}:{line}: not valid YAML: {getattr(e, 'problem', e)}") from None
    if node is None or not isinstance(data, dict):
        raise ConfigError(f"{source}:1: the configuration must be a mapping of settings")
    errors = _Errors(source, _Lines(node))
    values: dict[str, Any] = {}
    for key in data:
        if key not in TOP:
            errors.add((key,), f"unknown setting (known: {', '.join(TOP)})", key=True)
    for key, (check, default) in TOP.items():
        if key not in data:
            if default is ...:
                errors.add((), f"'{key}' is required")
            continue
        if check is dict:
            values[key] = data[key]
            continue
        try:
            values[key] = check(data[key])
        except _Invalid as e:
            errors.add((key,), str(e))
    if "token" not in data and "token_file" not in data:
        errors.add((), "'token_file' (or 'token') is required")
    spool = _section(data.get("spool", {}), SPOOL, ("spool",), errors)
    backoff = _section(data.get("backoff", {}), BACKOFF, ("backoff",), errors)
    raw_map = data.get("neighbours", {})
    keys = [str(k) for k in raw_map] if isinstance(raw_map, dict) else []
    neighbours = _section(raw_map, dict.fromkeys(keys, _str), ("neighbours",), errors)
    collectors = _collectors(data.get("collectors", {}), errors)
    if errors.items:
        raise ConfigError("\n".join(errors.items))
    sections = ("spool", "backoff", "neighbours", "collectors")
    return Config(
        **{k: v for k, v in values.items() if k not in sections},
        spool_max_reports=spool.get("max_reports", 1440),
        spool_max_bytes=spool.get("max_bytes", 4 << 20),
        backoff_initial=backoff.get("initial", 2.0),
        backoff_max=backoff.get("max", 300.0),
        neighbours=neighbours,
        collectors=tuple(collectors),
        source=source,
    )


def load_config(path: str | Path) -> Config:
    try:
        text = Path(path).read_text()
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror or e}") from None
    return parse_config(text, str(path))
