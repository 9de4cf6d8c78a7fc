"""Freifunk meshviewer.json (the map's data): both variants in use.

Newer (``{"timestamp", "nodes": [...], "links": [...]}``) and older (``{"meta":
{"timestamp"}, "nodes": [...], "links": [...]}``) share node and link fields: a node has
``node_id``, ``hostname``, ``location`` {latitude, longitude} (may be empty),
``is_online``, ``is_gateway``, ``model``, ``firmware``; a link has ``source``,
``target`` (node ids), ``source_tq``/``target_tq`` (0..1) and ``type`` (wifi, vpn,
other). Two nodes may share several links (wifi and vpn): each is kept. The cost is an
ETX-like ``1 / (source_tq * target_tq)``.
"""

from __future__ import annotations

from typing import Any

from topology.formats.base import Parser
from topology.formats.errors import FormatError
from topology.formats.parsed import ParsedLink, ParsedNetwork, ParsedNode
from topology.formats.source import load_json, obj
from topology.model import LinkType, Status

LINK_TYPES = {"wifi": LinkType.MESH, "vpn": LinkType.TUNNEL, "other": LinkType.CABLE}


def tq_cost(a: Any, b: Any) -> float | None:
    if not isinstance(a, int | float) or not isinstance(b, int | float) or a <= 0 or b <= 0:
        return None
    return round(1.0 / (a * b), 4)


class MeshviewerParser(Parser):
    name = "meshviewer"
    description = "Freifunk meshviewer.json (with timestamp, or with meta.timestamp)"

    def parse(self, data: bytes, source: str = "<input>") -> ParsedNetwork:
        doc = load_json(data, source)
        if not isinstance(doc, dict) or not isinstance(doc.get("nodes"), list | dict):
            raise FormatError(source, "no 'nodes' list: not a meshviewer.json")
        net = ParsedNetwork("meshviewer", source, metric="tq")
        meta = obj(doc, "meta")
        net.label = str(doc.get("timestamp") or meta.get("timestamp") or "")
        nodes = doc["nodes"]
        for i, raw in enumerate(nodes.values() if isinstance(nodes, dict) else nodes):
            self._node(net, raw, source, f"nodes[{i}]")
        seen: dict[str, int] = {}
        links = doc.get("links") or []
        if not isinstance(links, list):
            raise FormatError(source, "'links' is not a list", "links")
        for i, raw in enumerate(links):
            place = f"links[{i}]"
            if not isinstance(raw, dict):
                raise FormatError(source, "link is not an object", place)
            a, b = raw.get("source"), raw.get("target")
            if not isinstance(a, str) or not isinstance(b, str) or not a or not b:
                raise FormatError(source, "link without source and target node ids", place)
            if a == b:
                net.warnings.append(f"{place}: link from {a} to itself ignored")
                continue
            kind = str(raw.get("type") or "other")
            lid = f"{a}-{b}-{kind}"
            n = seen[lid] = seen.get(lid, 0) + 1
            net.node(a)
            net.node(b)
            net.links.append(
                ParsedLink(
                    a=a,
                    b=b,
                    cost=tq_cost(raw.get("source_tq"), raw.get("target_tq")),
                    id=lid if n == 1 else f"{lid}-{n}",
                    type=LINK_TYPES.get(kind, LinkType.CABLE),
                    properties={
                        k: raw[k]
                        for k in ("source_tq", "target_tq", "source_addr", "target_addr", "type")
                        if k in raw
                    },
                )
            )
        return net

    @staticmethod
    def _node(net: ParsedNetwork, raw: Any, source: str, place: str) -> None:
        if not isinstance(raw, dict) or not isinstance(raw.get("node_id"), str):
            raise FormatError(source, "node without a node_id", place)
        nid = raw["node_id"]
        loc = obj(raw, "location")
        lat, lon = loc.get("latitude"), loc.get("longitude")
        if lat is not None and not isinstance(lat, int | float):
            raise FormatError(source, f"latitude {lat!r} is not a number", place)
        if lon is not None and not isinstance(lon, int | float):
            raise FormatError(source, f"longitude {lon!r} is not a number", place)
        fw = obj(raw, "firmware")
        net.nodes[nid] = ParsedNode(
            id=nid,
            name=str(raw.get("hostname") or nid),
            lat=float(lat) if lat is not None else None,
            lon=float(lon) if lon is not None else None,
            status=Status.WORKING if raw.get("is_online", True) else Status.INACTIVE,
            gateway=bool(raw.get("is_gateway")),
            properties={
                k: v
                for k, v in (
                    ("model", raw.get("model")),
                    ("firmware", fw.get("release")),
                    ("mac", raw.get("mac")),
                    ("clients", raw.get("clients")),
                    ("firstseen", raw.get("firstseen")),
                    ("lastseen", raw.get("lastseen")),
                )
                if v not in (None, "")
            },
        )
