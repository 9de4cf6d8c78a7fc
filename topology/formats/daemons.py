"""Routing daemons' views of the mesh: OLSR (jsoninfo old and new, txtinfo), batman-adv
(vis JSON and text) and BMX6 (JSON).

The parsing itself is the node agent's (:mod:`node_agent.collectors`), tested on the
real captures; here its whole-mesh :class:`~node_agent.models.Topology` (unique nodes,
unique undirected links with the lower cost) becomes a :class:`ParsedNetwork`.
"""

from __future__ import annotations

import json
import re
from abc import abstractmethod
from collections.abc import Iterable
from operator import itemgetter
from typing import Any

from node_agent.collectors import batman, bmx, olsrd
from node_agent.collectors.olsrd import BROKEN, SCALE
from node_agent.errors import ParseError
from node_agent.models import Topology
from topology.formats.base import Parser
from topology.formats.errors import FormatError
from topology.formats.parsed import ParsedLink, ParsedNetwork, ParsedNode
from topology.formats.source import check_size, load_json
from topology.model import LinkType


def _text(data: bytes, source: str) -> str:
    try:
        return data.decode()
    except UnicodeDecodeError as err:
        raise FormatError(source, f"not UTF-8 text ({err.reason})", f"byte {err.start}") from None


_NUMBER = (int, float)
_MAC_RE = re.compile(r"^[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}$")  # as the agent checks them
_MISSING: Any = object()


def _keep_lower(best: dict[tuple[str, str], float | None], key: tuple[str, str],
                cost: float | None) -> None:
    """The lower known cost of a pair (None only while no cost is known)."""
    old = best.get(key, _MISSING)
    if old is _MISSING or old is None or (cost is not None and cost < old):
        best[key] = cost


class _DaemonParser(Parser):
    metric = "etx"
    link_type = LinkType.MESH

    def _network(
        self, source: str, nodes: list[str], best: dict[tuple[str, str], float | None]
    ) -> ParsedNetwork:
        net = ParsedNetwork(self.name, source, metric=self.metric)
        net.nodes = {n: ParsedNode(n, n) for n in dict.fromkeys(nodes)}
        net.links = [ParsedLink(a, b, c, "", self.link_type) for (a, b), c in best.items()]
        if not net.nodes:
            raise FormatError(source, "no node in this output")
        return net

    @abstractmethod
    def read(self, data: bytes) -> Topology:
        """The whole-mesh view through the agent's parser for this output."""

    def parse(self, data: bytes, source: str = "<input>") -> ParsedNetwork:
        check_size(data, source)
        try:
            topo = self.read(data)
        except ParseError as err:
            raise FormatError(source, str(err)) from None
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise FormatError(source, f"unexpected content ({type(err).__name__}: {err})") from None
        net = ParsedNetwork(self.name, source, metric=self.metric)
        net.nodes = {n: ParsedNode(n, n) for n in topo["nodes"]}
        net.links = [
            ParsedLink(a=lk["source"], b=lk["target"], cost=lk["cost"], type=self.link_type)
            for lk in topo["links"]
        ]
        if not net.nodes:
            raise FormatError(source, "no node in this output")
        return net


class OlsrJsonParser(_DaemonParser):
    """olsrd jsoninfo, on a fast path of its own.

    The agent's :func:`node_agent.collectors.olsrd.parse_jsoninfo` checks every field of
    every entry into typed records; a whole mesh of 20,000 nodes announces ~180,000
    topology entries, and that care costs more than the JSON decoding itself. This reads
    only what the mesh view needs, with the same meaning (tests compare both on every real
    capture): MID aliases folded into main addresses, costs scaled by 1024 (olsrd's
    broken-link value is no cost), the lower cost of the two directions kept.
    """

    name = "olsr"
    description = "olsrd jsoninfo (old and new formats)"

    def read(self, data: bytes) -> Topology:
        # The agent's careful reader: what the fast parse() below must agree with.
        return olsrd.topology_of(olsrd.parse_jsoninfo(data))

    def parse(self, data: bytes, source: str = "<input>") -> ParsedNetwork:
        doc = load_json(data, source)
        if doc.__class__ is not dict or "topology" not in doc:
            raise FormatError(source, "olsrd jsoninfo without a 'topology' list")
        main = _olsr_aliases(doc.get("mid"), source)
        fast = _olsr_fast(doc["topology"] or [], main)
        if fast is not None and fast[0]:
            net = ParsedNetwork(self.name, source, metric=self.metric)
            net.nodes = {n: ParsedNode(n, n) for n in sorted(fast[0])}
            net.links = fast[1]
            return net
        best: dict[tuple[str, str], float | None] = {}
        missing = _MISSING
        for i, e in enumerate(doc["topology"] or ()):
            try:
                a = e.get("lastHopIP") or e["lastHopIpAddress"]
                b = e.get("destinationIP") or e["destinationIpAddress"]
                if a.__class__ is not str or b.__class__ is not str:
                    raise TypeError(f"addresses {a!r}, {b!r} are not text")
                cost = e.get("tcEdgeCost", missing)
                if cost is missing:
                    lq, nlq = e.get("linkQuality", 0.0), e.get("neighborLinkQuality", 0.0)
                    cost = 1.0 / (lq * nlq) if lq > 0 and nlq > 0 else None
                elif cost.__class__ is int:
                    cost = cost / SCALE if cost < BROKEN else None
                elif cost.__class__ is float:
                    cost = cost if cost < BROKEN / SCALE else None
                else:
                    raise TypeError(f"tcEdgeCost {cost!r} is not a number")
            except (KeyError, TypeError, AttributeError) as err:
                raise FormatError(source, f"bad topology entry ({err})", f"topology[{i}]") \
                    from None
            a = main.get(a, a)
            b = main.get(b, b)
            if a < b:
                key = (a, b)
            elif b < a:
                key = (b, a)
            else:
                continue
            old = best.get(key, missing)
            if old is missing or old is None or (cost is not None and cost < old):
                best[key] = cost
        net = ParsedNetwork(self.name, source, metric=self.metric)
        nodes = net.nodes
        links = net.links
        for (a, b), cost in best.items():
            if a not in nodes:
                nodes[a] = ParsedNode(a, a)
            if b not in nodes:
                nodes[b] = ParsedNode(b, b)
            links.append(ParsedLink(a, b, None if cost is None else round(cost, 4), "",
                                    LinkType.MESH))
        if not nodes:
            raise FormatError(source, "no node in this output")
        return net


_OLSR_ROW = itemgetter("lastHopIP", "destinationIP", "tcEdgeCost")


def _olsr_fast(
    topology: list[Any], main: dict[str, str]
) -> tuple[set[str], list[ParsedLink]] | None:
    """The common jsoninfo (old field names, integer costs), with the field reads done at
    C speed and costs compared as olsrd's integers (scaled once per pair at the end).
    None when the input is anything else: the careful loop then reads it."""
    rows: Iterable[tuple[Any, Any, Any]] = map(_OLSR_ROW, topology)  # read lazily
    if main:
        rows = ((main.get(a, a), main.get(b, b), c) for a, b, c in rows)
    raw: dict[tuple[str, str], int] = {}
    try:
        for a, b, c in rows:
            if a < b:
                key = (a, b)
            elif b < a:
                key = (b, a)
            else:
                continue
            old = raw.get(key)
            if old is None or c < old:
                raw[key] = c
    except (KeyError, TypeError):  # other field names, or ids or costs of mixed kinds
        return None
    # Types are checked on what is left (unique pairs and costs), not on every entry.
    nodes = {x for k in raw for x in k}
    if raw and (set(map(type, raw.values())) != {int} or set(map(type, nodes)) != {str}):
        return None
    mesh = LinkType.MESH
    # Few distinct integer costs: scale each once, not once per link.
    scaled = {c: round(c / SCALE, 4) if c < BROKEN else None for c in set(raw.values())}
    links = [ParsedLink(a, b, scaled[c], "", mesh) for (a, b), c in raw.items()]
    return nodes, links


def _olsr_aliases(mid: Any, source: str) -> dict[str, str]:
    """alias -> main address, from the old (``ipAddress``) and new (``main``) MID forms."""
    main: dict[str, str] = {}
    for i, entry in enumerate(mid or ()):
        try:
            head = entry.get("main")
            main_ip = head["ipAddress"] if head else entry["ipAddress"]
            for alias in entry.get("aliases") or ():
                main[alias["ipAddress"]] = main_ip
        except (KeyError, TypeError, AttributeError) as err:
            raise FormatError(source, f"bad mid entry ({err})", f"mid[{i}]") from None
    return main


class OlsrTxtParser(_DaemonParser):
    name = "olsr-txt"
    description = "olsrd txtinfo"

    def read(self, data: bytes) -> Topology:
        return olsrd.topology_of(olsrd.parse_txtinfo(_text(data, "<txtinfo>")))


class BatmanJsonParser(_DaemonParser):
    """batadv-vis JSON (``{"vis": [...]}``), with the agent's meaning on a lean path: the
    agent also checks every client MAC, which a mesh view never uses. The line-per-object
    output of ``batadv-vis -f json`` goes through the agent's parser."""

    name = "batman"
    description = "batman-adv batadv-vis JSON"
    metric = "tq"

    def read(self, data: bytes) -> Topology:
        return batman.topology_of(batman.parse_vis_json(data))

    def parse(self, data: bytes, source: str = "<input>") -> ParsedNetwork:
        try:
            doc = json.loads(data)
        except ValueError:
            return super().parse(data, source)  # JSON lines, or an error with its reason
        entries = doc.get("vis") if doc.__class__ is dict else None
        if entries.__class__ is not list:
            raise FormatError(source, "batman vis JSON has no 'vis' list")
        primaries: dict[str, None] = {}
        primary_of: dict[str, str] = {}
        edges: list[tuple[str, str, str, Any]] = []  # (entry's primary, router, neighbour, metric)
        for i, entry in enumerate(entries):
            try:
                p = entry["primary"].lower()
                primaries[p] = None
                for sec in entry.get("secondary") or ():
                    primary_of.setdefault(sec.lower(), p)
                for n in entry.get("neighbors") or ():
                    edges.append((p, n["router"].lower(), n["neighbor"].lower(), n.get("metric")))
            except (KeyError, TypeError, AttributeError) as err:
                raise FormatError(source, f"bad vis entry ({err})", f"vis[{i}]") from None
        # MACs are checked once each, at the end: most appear many times.
        named = {*primaries, *primary_of, *(e[1] for e in edges), *(e[2] for e in edges)}
        for m in named:
            if not _MAC_RE.match(m):
                raise FormatError(source, f"{m!r} is not a MAC address", "vis")
        if len(primaries) < len(entries):  # duplicated entries: a neighbour counts once
            edges = list({(e[0], e[1], e[2]): e for e in reversed(edges)}.values())[::-1]
        best: dict[tuple[str, str], float | None] = {}
        for _, r, nb, metric in edges:
            a, b = primary_of.get(r, r), primary_of.get(nb, nb)
            if a == b:
                continue
            try:
                value = float(metric)
            except (TypeError, ValueError):
                raise FormatError(source, f"metric {metric!r} is not a number", "vis") from None
            _keep_lower(best, (a, b) if a < b else (b, a), value if value > 0 else None)
        return self._network(source, [*primaries, *(x for k in best for x in k)], best)


class BatmanTxtParser(_DaemonParser):
    name = "batman-txt"
    description = "batman-adv batadv-vis text (Table: Topology)"
    metric = "tq"

    def read(self, data: bytes) -> Topology:
        return batman.topology_of(batman.parse_vis_text(_text(data, "<vis text>")))


class BmxParser(_DaemonParser):
    """BMX6/BMX7 whole-mesh JSON (``[{name, links: [...]}]``) with the agent's meaning
    (:func:`node_agent.collectors.bmx.topology_of`) on a lean path; a single node's
    ``{"links": [...]}`` goes through the agent's parser."""

    name = "bmx6"
    description = "BMX6 JSON (links of every node)"

    def read(self, data: bytes) -> Topology:
        return bmx.topology_of(bmx.parse_bmx(data))

    def parse(self, data: bytes, source: str = "<input>") -> ParsedNetwork:
        doc = load_json(data, source)
        if doc.__class__ is not list:
            return super().parse(data, source)
        names: dict[str, None] = {}
        best: dict[tuple[str, str], float | None] = {}
        for node in doc:
            try:
                a = str(node["name"])
                names[a] = None
                for lk in node["links"]:
                    b = lk.get("name") or lk.get("globalId")
                    if b.__class__ is not str:
                        raise TypeError("a link without a name")
                    names[b] = None
                    if "rxRate" in lk:
                        rx, tx = lk["rxRate"], lk["txRate"]
                    else:  # bmx7: qualities in percent
                        rx, tx = lk["rq"], lk["tq"]
                    if rx.__class__ not in _NUMBER or tx.__class__ not in _NUMBER:
                        raise TypeError(f"rates {rx!r}, {tx!r} are not numbers")
                    # bmx.etx, inlined (a whole mesh has many links)
                    cost = None if rx <= 0 or tx <= 0 else round(
                        (100 / rx if rx < 100 else 1.0) * (100 / tx if tx < 100 else 1.0), 4)
                    key = (a, b) if a < b else (b, a)
                    old = best.get(key, _MISSING)
                    if old is _MISSING or old is None or (cost is not None and cost < old):
                        best[key] = cost
            except (KeyError, TypeError, AttributeError) as err:
                place = f"[{doc.index(node)}]"  # found only on error: this loop is hot
                raise FormatError(source, f"bad node entry ({err})", place) from None
        return self._network(source, list(names), best)


