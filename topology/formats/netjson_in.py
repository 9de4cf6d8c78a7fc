"""NetJSON ``NetworkGraph`` (and a ``NetworkCollection`` of them) as input.

Nodes: ``id`` (required), ``label``, ``properties``; a node a link names but the list
lacks is added bare. Links: ``source``, ``target``, ``cost`` (required by the schema),
``properties``. Graphs are undirected here (as in routing): both directions of a pair
are one link with the lower cost. Positions, when present, are read from the node
``properties`` (``location: {lat, lng}`` as netjsongraph.js draws them, or ``lat``/``lon``
as our own exports write them).
"""

from __future__ import annotations

from itertools import chain
from operator import itemgetter, methodcaller
from typing import Any

from topology.formats.base import Parser
from topology.formats.errors import FormatError
from topology.formats.parsed import ParsedLink, ParsedNetwork, ParsedNode
from topology.formats.source import load_json
from topology.model import LinkType, Status


def _position(props: dict[str, Any]) -> tuple[float | None, float | None]:
    loc = props.get("location")
    if isinstance(loc, dict):
        lat, lon = loc.get("lat"), loc.get("lng", loc.get("lon"))
    else:
        lat, lon = props.get("lat"), props.get("lon")
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        return float(lat), float(lon)
    return None, None


_SOURCE = itemgetter("source")
_TARGET = itemgetter("target")
_COST = itemgetter("cost")
_ID = itemgetter("id")
_PROPERTIES = methodcaller("get", "properties")
_NUMBERS = frozenset({int, float, type(None)})


def _fast_nodes(nodes: list[Any], out: dict[str, ParsedNode]) -> bool:
    """Bare nodes (nothing but an id) at C speed; False to take the loop."""
    try:
        if set(map(len, nodes)) != {1}:
            return False
        ids = list(map(_ID, nodes))
    except (KeyError, TypeError):  # no id, or not objects
        return False
    if set(map(type, ids)) != {str}:
        return False
    out.update(zip(ids, map(ParsedNode, ids, ids), strict=True))
    return True


def _fast_links(links: list[Any], nodes: dict[str, ParsedNode]) -> list[ParsedLink] | None:
    """The links of the common graph, decoded at C speed (map and sets, no Python loop
    per link): every link an object with string ends and a numeric cost, and each pair
    listed once. None when that does not hold; the careful loop then decides (and names
    the faulty link)."""
    try:
        sources = list(map(_SOURCE, links))
        targets = list(map(_TARGET, links))
        costs = list(map(_COST, links))
    except (KeyError, TypeError):  # a field missing, or a link that is not an object
        return None
    named = set(sources).union(targets)
    if named and set(map(type, named)) != {str}:
        return None
    unique = set(zip(sources, targets, strict=True))
    if len(unique) != len(links) or not unique.isdisjoint(zip(targets, sources, strict=True)):
        return None  # repeated pairs, both directions, or loops (a pair equal to itself)
    if not set(map(type, costs)) <= _NUMBERS:
        return None
    if named.difference(nodes):  # ends the node list lacks
        for end in chain(sources, targets):  # added in order: ids stay stable
            if end not in nodes:
                nodes[end] = ParsedNode(end, end)
    if set(map(len, links)) == {3}:  # source, target and cost only: no properties
        return list(map(ParsedLink, sources, targets, costs))
    props = list(map(_PROPERTIES, links))
    return [
        _link(a, b, c, p) if p else ParsedLink(a, b, c)
        for a, b, c, p in zip(sources, targets, costs, props, strict=True)
    ]


def _link(a: str, b: str, cost: float | None, props: Any) -> ParsedLink:
    if props.__class__ is not dict:
        return ParsedLink(a, b, cost)
    kind = props.get("type")
    return ParsedLink(
        a=a,
        b=b,
        cost=cost,
        id=str(props.get("link") or ""),
        type=LinkType(str(kind)) if kind in LinkType._value2member_map_ else None,
        properties=props,
    )


class NetJsonParser(Parser):
    name = "netjson"
    description = "NetJSON NetworkGraph (or a NetworkCollection of graphs)"

    def parse(self, data: bytes, source: str = "<input>") -> ParsedNetwork:
        doc = load_json(data, source)
        if not isinstance(doc, dict):
            raise FormatError(source, "not a NetJSON object")
        net = ParsedNetwork("netjson", source)
        if doc.get("type") == "NetworkCollection":
            graphs = doc.get("collection")
            if not isinstance(graphs, list):
                raise FormatError(source, "NetworkCollection without a 'collection' list")
            for i, g in enumerate(graphs):
                self._graph(net, g, source, f"collection[{i}] > ")
        else:
            self._graph(net, doc, source, "")
        return net

    def _graph(self, net: ParsedNetwork, doc: Any, source: str, path: str) -> None:
        if not isinstance(doc, dict) or doc.get("type") != "NetworkGraph":
            got = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
            raise FormatError(source, f"type is {got!r}, not 'NetworkGraph'", path + "type")
        net.label = net.label or str(doc.get("label") or doc.get("protocol") or "")
        net.metric = str(doc.get("metric") or "")
        nodes, links = doc.get("nodes"), doc.get("links")
        if not isinstance(nodes, list) or not isinstance(links, list):
            raise FormatError(source, "a NetworkGraph needs 'nodes' and 'links' lists", path)
        # Tight loops: a 20,000-node graph has ~90,000 links, and parsing them must stay
        # close to json.loads itself (see bench/formats.py).
        parsed_nodes = net.nodes
        if _fast_nodes(nodes, parsed_nodes):
            nodes = []
        for i, raw in enumerate(nodes):
            nid = raw.get("id") if raw.__class__ is dict else None
            if nid.__class__ is not str:
                raise FormatError(source, "node without a string id", f"{path}nodes[{i}]")
            props = raw.get("properties")
            if props.__class__ is not dict or not props:
                parsed_nodes[nid] = ParsedNode(nid, raw.get("label") or nid)
                continue
            lat, lon = _position(props)
            status = str(props.get("status"))
            parsed_nodes[nid] = ParsedNode(
                id=nid,
                name=str(raw.get("label") or nid),
                lat=lat,
                lon=lon,
                status=Status(status) if status in Status._value2member_map_ else Status.WORKING,
                gateway=bool(props.get("gateway", False)),
                properties=props,
            )
        fast = _fast_links(links, parsed_nodes)
        if fast is not None:
            net.links.extend(fast)
            return
        best: dict[tuple[str, str], ParsedLink] = {}
        for i, raw in enumerate(links):
            try:
                a, b, cost = raw["source"], raw["target"], raw.get("cost")
            except (KeyError, TypeError):
                raise FormatError(
                    source, "link without source and target", f"{path}links[{i}]"
                ) from None
            if a.__class__ is not str or b.__class__ is not str:
                raise FormatError(source, "link without source and target", f"{path}links[{i}]")
            if cost is not None and cost.__class__ is not float and cost.__class__ is not int:
                raise FormatError(source, f"cost {cost!r} is not a number", f"{path}links[{i}]")
            if a < b:
                key = (a, b)
            elif b < a:
                key = (b, a)
            else:
                continue  # a loop on one node
            old = best.get(key)
            if old is None:
                props = raw.get("properties")
                best[key] = _link(a, b, cost, props) if props else ParsedLink(a, b, cost)
                if a not in parsed_nodes:
                    parsed_nodes[a] = ParsedNode(a, a)
                if b not in parsed_nodes:
                    parsed_nodes[b] = ParsedNode(b, b)
            elif cost is not None and (old.cost is None or cost < old.cost):
                old.cost = cost
        net.links.extend(best.values())
