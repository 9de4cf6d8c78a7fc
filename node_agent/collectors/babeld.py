"""babeld: its local text interface (``babeld -G PORT``, or ``local-path``), command ``dump``.

The pure part is :func:`parse_dump`; the I/O part (:func:`fetch_dump`) connects to
``[::1]:PORT`` (or a TCP address, or a unix socket), reads the greeting up to ``ok``,
sends ``dump`` and reads until ``ok``. Lines (babeld 1.8 to 1.13)::

    add interface wlan0 up true ipv6 fe80::1 ipv4 10.0.0.1
    add neighbour 55f8 address fe80::2 if wlan0 reach ffff ureach 0000 rxcost 96 txcost 96 cost 96
    add route 5600 prefix 10.0.0.2/32 from 0.0.0.0/0 installed yes id 02:..:04 metric 96
        refmetric 0 via fe80::2 if wlan0
    add xroute 10.0.0.1/32-0.0.0.0/0 prefix 10.0.0.1/32 from 0.0.0.0/0 metric 0

Costs: 96 is a perfect wired hop, 256 a perfect wireless one, 65535 unreachable.
"""

from __future__ import annotations

import io
import ipaddress
import socket
from typing import Any, ClassVar

from node_agent.collectors.base import Collector, Cycle, LinkDraft, Part, finite
from node_agent.errors import ParseError, RetrievalError
from node_agent.models import (
    BabelInterface,
    BabelNeighbour,
    BabelRoute,
    BabelState,
    BabelXroute,
    ReportLink,
    ReportRoute,
)

INFINITY = 0xFFFF
DEFAULT_PORT = 33123
_HEADER_KEYS = {"BABEL", "version", "host", "my-id", "ok"}


def _pairs(tokens: list[str], line_no: int) -> dict[str, str]:
    if len(tokens) % 2:
        raise ParseError(f"babeld dump line {line_no}: odd key/value list {' '.join(tokens)!r}")
    return {tokens[i]: tokens[i + 1] for i in range(0, len(tokens), 2)}


def _int(fields: dict[str, str], key: str, line_no: int, base: int = 10) -> int:
    try:
        return int(fields[key], base)
    except KeyError:
        raise ParseError(f"babeld dump line {line_no}: no {key!r}") from None
    except ValueError:
        raise ParseError(
            f"babeld dump line {line_no}: {key} {fields[key]!r} is not a number"
        ) from None


def _neighbour(fields: dict[str, str], n: int) -> BabelNeighbour:
    rtt = fields.get("rtt")
    try:
        rtt_ms = None if rtt is None else float(rtt)
    except ValueError:
        raise ParseError(f"babeld dump line {n}: rtt {rtt!r} is not a number") from None
    if "address" not in fields or "if" not in fields:
        raise ParseError(f"babeld dump line {n}: a neighbour needs an address and an interface")
    return BabelNeighbour(
        address=fields["address"],
        interface=fields["if"],
        reach=_int(fields, "reach", n, 16),
        ureach=int(fields.get("ureach", "0"), 16),
        rxcost=_int(fields, "rxcost", n),
        txcost=_int(fields, "txcost", n),
        cost=_int(fields, "cost", n),
        rtt_ms=rtt_ms,
    )


def _route(fields: dict[str, str], n: int) -> BabelRoute:
    if "prefix" not in fields or "via" not in fields:
        raise ParseError(f"babeld dump line {n}: a route needs a prefix and a next hop")
    return BabelRoute(
        prefix=fields["prefix"],
        source_prefix=fields.get("from", ""),
        installed=fields.get("installed") == "yes",
        router_id=fields.get("id", ""),
        metric=_int(fields, "metric", n),
        refmetric=int(fields.get("refmetric", "0")),
        via=fields["via"],
        interface=fields.get("if", ""),
    )


def parse_dump(text: str) -> BabelState:
    """Parse the output of babeld's ``dump`` (with or without the greeting before it).

    ``change`` lines (from ``monitor``) count as ``add``; ``flush`` lines remove.
    Raises :class:`ParseError` on a malformed line or on text that is not a dump at all.
    """
    state = BabelState(
        router_id="", version="", interfaces=[], neighbours=[], routes=[], xroutes=[]
    )
    neighbours: dict[str, BabelNeighbour] = {}
    routes: dict[str, BabelRoute] = {}
    xroutes: dict[str, BabelXroute] = {}
    interfaces: dict[str, BabelInterface] = {}
    tables: dict[str, dict[str, Any]] = {
        "neighbour": neighbours,
        "route": routes,
        "xroute": xroutes,
        "interface": interfaces,
    }
    recognised = False
    for n, raw in enumerate(text.splitlines(), 1):
        tokens = raw.split()
        if not tokens:
            continue
        verb = tokens[0]
        if verb in _HEADER_KEYS:
            recognised = True
            if verb == "my-id" and len(tokens) > 1:
                state["router_id"] = tokens[1]
            elif verb == "version" and len(tokens) > 1:
                state["version"] = tokens[1]
            continue
        if verb not in ("add", "change", "flush") or len(tokens) < 3:
            raise ParseError(f"babeld dump line {n}: unexpected {raw.strip()[:80]!r}")
        recognised = True
        kind, key = tokens[1], tokens[2]
        fields = _pairs(tokens[3:], n)
        table = tables.get(kind)
        if table is None:
            continue  # a kind this agent does not use
        if verb == "flush":
            table.pop(key, None)
        elif kind == "neighbour":
            neighbours[key] = _neighbour(fields, n)
        elif kind == "route":
            routes[key] = _route(fields, n)
        elif kind == "xroute":
            xroutes[key] = BabelXroute(
                prefix=fields.get("prefix", key.split("-")[0]),
                source_prefix=fields.get("from", ""),
                metric=int(fields.get("metric", "0")),
            )
        else:
            interfaces[key] = BabelInterface(
                name=key,
                up=fields.get("up") == "true",
                ipv6=fields.get("ipv6"),
                ipv4=fields.get("ipv4"),
            )
    if not recognised:
        raise ParseError("not a babeld dump (no greeting and no add lines)")
    state["interfaces"] = list(interfaces.values())
    state["neighbours"] = list(neighbours.values())
    state["routes"] = list(routes.values())
    state["xroutes"] = list(xroutes.values())
    return state


def mac_from_link_local(address: str) -> str | None:
    """The MAC inside a modified EUI-64 IPv6 address (``fe80::c482:77ff:fe27:8570`` gives
    ``c6:82:77:27:85:70``), or ``None`` when the address is not EUI-64 based.

    >>> mac_from_link_local("fe80::c482:77ff:fe27:8570")
    'c6:82:77:27:85:70'
    >>> mac_from_link_local("fe80::1") is None
    True
    """
    try:
        packed = ipaddress.IPv6Address(address.split("%")[0]).packed
    except ValueError:
        return None
    iid = packed[8:]
    if iid[3:5] != b"\xff\xfe":
        return None
    mac = bytes([iid[0] ^ 0x02]) + iid[1:3] + iid[5:8]
    return ":".join(f"{b:02x}" for b in mac)


def _host_address(prefix: str) -> str | None:
    """``10.0.0.2`` for ``10.0.0.2/32`` (a node's own address), else ``None``."""
    try:
        net = ipaddress.ip_network(prefix, strict=False)
    except ValueError:
        return None
    if net.prefixlen != net.max_prefixlen:
        return None
    return str(net.network_address)


def links_of(state: BabelState) -> list[LinkDraft]:
    """One link per neighbour babeld can route through (cost below infinity).

    The reported ``address`` is the neighbour's own routed host address (a route via it
    with ``refmetric 0``), which the service can resolve; else its link-local address.
    """
    out: list[LinkDraft] = []
    for nb in state["neighbours"]:
        if nb["cost"] >= INFINITY:
            continue  # babeld cannot use it: not a live link
        own = [r for r in state["routes"] if r["via"] == nb["address"] and r["refmetric"] == 0]
        hosts = sorted(
            {h for r in own if (h := _host_address(r["prefix"])) is not None},
            key=lambda a: (":" in a, a),  # IPv4 first
        )
        link = ReportLink(
            address=hosts[0] if hosts else nb["address"],
            interface=nb["interface"],
            rx_cost=nb["rxcost"],
            tx_cost=nb["txcost"],
            cost=round(max(nb["cost"], 256) / 256, 4),
        )
        rtt = finite(nb["rtt_ms"])
        if rtt is not None and rtt > 0:
            link["rtt_ms"] = rtt
        keys = {nb["address"], *hosts, *(r["router_id"] for r in own if r["router_id"])}
        keys.update(r["prefix"] for r in own)
        mac = mac_from_link_local(nb["address"])
        if mac is not None:
            keys.add(mac)
        out.append(LinkDraft(link=link, keys=keys))
    return out


def routes_of(state: BabelState) -> list[ReportRoute]:
    """Installed routes; ``cost`` is babeld's metric / 256 (one perfect wireless hop = 1)."""
    return [
        ReportRoute(
            destination=r["prefix"],
            next=r["via"],
            cost=None if r["metric"] >= INFINITY else round(r["metric"] / 256, 4),
            device=r["interface"],
        )
        for r in state["routes"]
        if r["installed"]
    ]


def _address(settings: dict[str, object]) -> tuple[str, int]:
    host = str(settings.get("host", "::1"))
    port = int(str(settings.get("port", DEFAULT_PORT)))
    return host, port


def fetch_dump(
    host: str = "::1", port: int = DEFAULT_PORT, path: str | None = None, timeout: float = 5.0
) -> str:
    """The text of babeld's greeting and ``dump``, up to and including the final ``ok``."""
    try:
        if path:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(path)
        else:
            sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as e:
        where = path or f"[{host}]:{port}"
        raise RetrievalError(f"cannot connect to babeld at {where}: {e}") from None
    try:
        with sock, sock.makefile("rwb") as f:
            lines = _read_until_ok(f)
            f.write(b"dump\n")
            f.flush()
            lines += _read_until_ok(f)
            return "".join(lines)
    except TimeoutError:
        raise RetrievalError(f"babeld did not answer within {timeout} s") from None
    except OSError as e:
        raise RetrievalError(f"babeld connection failed: {e}") from None


def _read_until_ok(f: io.BufferedIOBase) -> list[str]:
    lines: list[str] = []
    while True:
        raw = f.readline(65536)
        if not raw:
            raise RetrievalError("babeld closed the connection before 'ok'")
        line = raw.decode("utf-8", "replace")
        lines.append(line)
        word = line.strip()
        if word == "ok":
            return lines
        if word == "no" or word.startswith("bad"):
            raise RetrievalError(f"babeld answered {word!r}")
        if len(lines) > 200_000:
            raise ParseError("babeld dump is unreasonably long")


class BabeldCollector(Collector[BabelState]):
    """Settings: ``host`` (default ``::1``), ``port`` (33123), or ``socket`` (a unix
    socket path); ``timeout`` seconds (5)."""

    name: ClassVar[str] = "babeld"

    def collect(self, cycle: Cycle) -> BabelState:
        host, port = _address(self.settings)
        path = self.settings.get("socket")
        timeout = float(self.settings.get("timeout", 5.0))
        return parse_dump(fetch_dump(host, port, str(path) if path else None, timeout))

    def part(self, state: BabelState) -> Part:
        return Part(links=links_of(state), routes=routes_of(state))
