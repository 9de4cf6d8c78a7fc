"""olsrd (OLSRv1): the jsoninfo plugin (old and new MID formats) and the txtinfo plugin.

Pure parsers: :func:`parse_jsoninfo` and :func:`parse_txtinfo`, both giving an
:class:`~node_agent.models.OlsrState`. jsoninfo prints costs as integers scaled by 1024
(``tcEdgeCost: 28334`` is an ETX of 27.67); txtinfo prints the ETX itself. A cost of
olsrd's broken-link value (4194304 scaled, or ``INFINITE``) is ``None``.

I/O: jsoninfo (default port 9090) and txtinfo (2006) answer ``GET /links/...`` on TCP
and close the connection.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from node_agent.collectors._io import fetch_tcp
from node_agent.collectors.base import Collector, Cycle, LinkDraft, Part
from node_agent.errors import ParseError
from node_agent.models import OlsrEdge, OlsrLink, OlsrState, ReportLink, Topology, TopologyLink

SCALE = 1024.0
BROKEN = 4194304  # olsrd's LINK_COST_BROKEN (1 << 22), scaled
JSON_PATHS = "/links/neighbors/topology/mid/config"


def _scaled_cost(value: Any) -> float | None:
    """jsoninfo cost (int scaled by 1024, or an ETX float from some builds) to an ETX."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if value >= BROKEN else round(value / SCALE, 4)
    if isinstance(value, float):
        return None if value >= BROKEN / SCALE else round(value, 4)
    raise ParseError(f"olsrd cost {value!r} is not a number")


def _etx(lq: float, nlq: float) -> float | None:
    return None if lq <= 0 or nlq <= 0 else round(1.0 / (lq * nlq), 4)


def _float(item: Mapping[str, Any], key: str) -> float:
    value = item.get(key, 0.0)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParseError(f"olsrd {key} {value!r} is not a number")
    return float(value)


def _address(item: Mapping[str, Any], *keys: str) -> str:
    for key in keys:
        value = item.get(key)
        if isinstance(value, str) and value:
            return value
    raise ParseError(f"olsrd entry without {' or '.join(keys)}: {str(dict(item))[:120]}")


def _mid(entries: Any) -> dict[str, list[str]]:
    mid: dict[str, list[str]] = {}
    for entry in entries or []:
        if not isinstance(entry, dict):
            raise ParseError("olsrd mid entry is not an object")
        main = entry.get("main")  # new format: {"main": {"ipAddress"}, "aliases": [...]}
        main_ip = _address(main if isinstance(main, dict) else entry, "ipAddress")
        aliases = [_address(a, "ipAddress") for a in entry.get("aliases") or []]
        mid.setdefault(main_ip, []).extend(aliases)
    return mid


def parse_jsoninfo(text: str | bytes) -> OlsrState:
    """Parse jsoninfo output (``/topology``, ``/links``, ``/mid``, ... or several at once)."""
    try:
        data = json.loads(text)
    except ValueError as err:
        raise ParseError(f"olsrd jsoninfo is not JSON: {err}") from None
    if not isinstance(data, dict) or not ({"topology", "links", "mid"} & data.keys()):
        raise ParseError("olsrd jsoninfo has none of 'topology', 'links', 'mid'")
    topology: list[OlsrEdge] = []
    for e in data.get("topology") or []:
        if not isinstance(e, dict):
            raise ParseError("olsrd topology entry is not an object")
        lq, nlq = _float(e, "linkQuality"), _float(e, "neighborLinkQuality")
        cost = _scaled_cost(e["tcEdgeCost"]) if "tcEdgeCost" in e else _etx(lq, nlq)
        topology.append(
            OlsrEdge(
                last_hop=_address(e, "lastHopIP", "lastHopIpAddress"),
                destination=_address(e, "destinationIP", "destinationIpAddress"),
                lq=lq,
                nlq=nlq,
                cost=cost,
            )
        )
    links: list[OlsrLink] = []
    for e in data.get("links") or []:
        if not isinstance(e, dict):
            raise ParseError("olsrd link entry is not an object")
        lq, nlq = _float(e, "linkQuality"), _float(e, "neighborLinkQuality")
        cost = _scaled_cost(e["linkCost"]) if "linkCost" in e else _etx(lq, nlq)
        links.append(
            OlsrLink(
                local_ip=_address(e, "localIP", "localIpAddress"),
                remote_ip=_address(e, "remoteIP", "remoteIpAddress"),
                lq=lq,
                nlq=nlq,
                cost=cost,
            )
        )
    neighbours = [
        _address(n, "ipAddress", "ipv4Address", "ipv6Address")
        for n in data.get("neighbors") or []
        if isinstance(n, dict)
    ]
    config = data.get("config") if isinstance(data.get("config"), dict) else {}
    main_ip = (config.get("mainIpAddress") or config.get("mainIp")) if config else None
    return OlsrState(
        format="jsoninfo",
        main_ip=main_ip if isinstance(main_ip, str) else None,
        links=links,
        neighbours=neighbours,
        topology=topology,
        mid=_mid(data.get("mid")),
    )


def _tables(text: str) -> dict[str, list[dict[str, str]]]:
    """txtinfo's ``Table: Name`` blocks as rows keyed by their header's column names."""
    tables: dict[str, list[dict[str, str]]] = {}
    name: str | None = None
    header: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("Table:"):
            name, header = line.partition(":")[2].strip(), None
            tables[name] = []
        elif name is None or not line.strip():
            continue
        elif header is None:
            header = [h.strip() for h in line.split("\t")]
        else:
            cells = [c.strip() for c in line.split("\t")]
            tables[name].append(dict(zip(header, cells, strict=False)))
    return tables


def _txt_number(row: Mapping[str, str], key: str) -> float:
    try:
        return float(row.get(key, "0"))
    except ValueError:
        raise ParseError(f"olsrd txtinfo {key} {row.get(key)!r} is not a number") from None


def _txt_cost(text: str | None) -> float | None:
    if text is None or text.upper().startswith("INF"):
        return None
    try:
        return float(text)
    except ValueError:
        raise ParseError(f"olsrd txtinfo cost {text!r} is not a number") from None


def parse_txtinfo(text: str) -> OlsrState:
    """Parse txtinfo output (``/all`` or any subset of its tables)."""
    tables = _tables(text)
    if not tables:
        raise ParseError("olsrd txtinfo has no 'Table:' block")
    try:
        links = [
            OlsrLink(
                local_ip=r["Local IP"],
                remote_ip=r["Remote IP"],
                lq=_txt_number(r, "LQ"),
                nlq=_txt_number(r, "NLQ"),
                cost=_txt_cost(r.get("Cost")),
            )
            for r in tables.get("Links", [])
        ]
        topology = [
            OlsrEdge(
                last_hop=r["Last hop IP"],
                destination=r["Dest. IP"],
                lq=_txt_number(r, "LQ"),
                nlq=_txt_number(r, "NLQ"),
                cost=_txt_cost(r.get("Cost")),
            )
            for r in tables.get("Topology", [])
        ]
        neighbours = [r["IP address"] for r in tables.get("Neighbors", [])]
        mid = {
            r["IP address"]: [a for a in r.get("Aliases", "").split(";") if a]
            for r in tables.get("MID", [])
        }
    except KeyError as e:
        raise ParseError(f"olsrd txtinfo table without column {e}") from None
    return OlsrState(
        format="txtinfo",
        main_ip=None,
        links=links,
        neighbours=neighbours,
        topology=topology,
        mid=mid,
    )


def _main_of(mid: Mapping[str, list[str]]) -> dict[str, str]:
    return {alias: main for main, aliases in mid.items() for alias in aliases}


def topology_of(state: OlsrState) -> Topology:
    """Unique nodes (MID aliases folded into their main address) and undirected links;
    when both directions are announced, the lower cost is kept."""
    main = _main_of(state["mid"])
    best: dict[tuple[str, str], float | None] = {}
    for e in state["topology"]:
        a, b = main.get(e["last_hop"], e["last_hop"]), main.get(e["destination"], e["destination"])
        if a == b:
            continue
        key = (a, b) if a < b else (b, a)
        old = best.get(key, e["cost"])
        costs = [c for c in (old, e["cost"]) if c is not None]
        best[key] = min(costs) if costs else None
    nodes = sorted({n for pair in best for n in pair})
    links = [TopologyLink(source=a, target=b, cost=c) for (a, b), c in sorted(best.items())]
    return Topology(nodes=nodes, links=links)


def local_links(state: OlsrState, own: set[str] | None = None) -> list[OlsrLink]:
    """This node's links: the Links table, or (jsoninfo without ``/links``) the topology
    edges this node announces (``last_hop`` is its main address or one of its aliases)."""
    if state["links"]:
        return state["links"]
    mine = set(own or ())
    if state["main_ip"]:
        mine.add(state["main_ip"])
    main = _main_of(state["mid"])
    for m in list(mine):
        root = main.get(m, m)
        mine |= {root, *state["mid"].get(root, [])}
    return [
        OlsrLink(
            local_ip=e["last_hop"],
            remote_ip=e["destination"],
            lq=e["lq"],
            nlq=e["nlq"],
            cost=e["cost"],
        )
        for e in state["topology"]
        if e["last_hop"] in mine
    ]


def links_of(state: OlsrState, own: set[str] | None = None) -> list[LinkDraft]:
    """Report links: per-direction costs as 256/LQ (256 = perfect), ``cost`` the ETX."""
    main = _main_of(state["mid"])
    out: list[LinkDraft] = []
    for lk in local_links(state, own):
        remote = lk["remote_ip"]
        link = ReportLink(address=remote)
        if lk["lq"] > 0:
            link["rx_cost"] = round(256 / lk["lq"], 2)
        if lk["nlq"] > 0:
            link["tx_cost"] = round(256 / lk["nlq"], 2)
        if lk["cost"] is not None:
            link["cost"] = max(lk["cost"], 1.0)
        root = main.get(remote, remote)
        keys = {remote, root, *state["mid"].get(root, [])}
        out.append(LinkDraft(link=link, keys=keys))
    return out


class OlsrdCollector(Collector[OlsrState]):
    """Settings: ``host`` (127.0.0.1), ``port`` (9090 jsoninfo / 2006 txtinfo),
    ``format`` (``jsoninfo`` or ``txtinfo``), ``addresses`` (this node's own addresses,
    used when the plugin gives no Links table), ``timeout`` (5 s)."""

    name: ClassVar[str] = "olsrd"

    def collect(self, cycle: Cycle) -> OlsrState:
        fmt = str(self.settings.get("format", "jsoninfo"))
        host = str(self.settings.get("host", "127.0.0.1"))
        timeout = float(self.settings.get("timeout", 5.0))
        if fmt == "txtinfo":
            port = int(self.settings.get("port", 2006))
            return parse_txtinfo(fetch_tcp(host, port, b"GET /all HTTP/1.0\r\n\r\n", timeout))
        port = int(self.settings.get("port", 9090))
        request = f"GET {JSON_PATHS} HTTP/1.0\r\n\r\n".encode()
        return parse_jsoninfo(fetch_tcp(host, port, request, timeout))

    def part(self, state: OlsrState) -> Part:
        own = {str(a) for a in self.settings.get("addresses", [])}
        return Part(links=links_of(state, own))
