"""Guifi.net GML: an OGR FeatureCollection pair, ``Nodos<zone>.xml`` and ``Links<zone>.xml``.

Nodes: ``<dnodes>`` with NODE_ID, NODE_NAME, NODE_TYPE (Supernode, client...), STATUS and a
``gml:Point`` (lon,lat). Links: ``<dlinks>`` with NODE1_ID, NODE2_ID, KMS, LINK_TYPE, STATUS.
The pair is parsed together (:meth:`GmlParser.parse_pair`); either file alone is accepted
too (nodes only, or links with their ends as bare nodes).
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

from topology.formats.base import Parser, enum_value
from topology.formats.errors import FormatError
from topology.formats.parsed import ParsedLink, ParsedNetwork, ParsedNode
from topology.formats.source import load_xml, number, read_capped
from topology.model import LinkType, Role, Status

GML = "{http://www.opengis.net/gml}"
OGR = "{http://ogr.maptools.org/}"
_LINK_TYPES = {"wds": LinkType.WDS, "ap/client": LinkType.AP_CLIENT, "cable": LinkType.CABLE,
               "tunnel": LinkType.TUNNEL, "mesh": LinkType.MESH}


def _text(el: Element, tag: str) -> str:
    got = el.find(tag)
    return (got.text or "").strip() if got is not None else ""


def links_file_for(nodes_file: Path) -> Path | None:
    """``LinksZona8349.xml`` beside ``NodosZona8349.xml``, if it exists."""
    for old, new in (("Nodos", "Links"), ("nodos", "links"), ("Nodes", "Links")):
        if nodes_file.name.startswith(old):
            other = nodes_file.with_name(new + nodes_file.name[len(old):])
            if other.exists():
                return other
    return None


class GmlParser(Parser):
    name = "gml"
    description = "Guifi.net GML (OGR FeatureCollection): the Nodos/Links file pair"

    def parse(self, data: bytes, source: str = "<input>") -> ParsedNetwork:
        net = ParsedNetwork("gml", source)
        self.add(net, data, source)
        return net

    def parse_pair(
        self, nodes: bytes, links: bytes, source: str, links_source: str
    ) -> ParsedNetwork:
        net = self.parse(nodes, source)
        self.add(net, links, links_source)
        return net

    def parse_file(self, path: Path) -> ParsedNetwork:
        other = links_file_for(path)
        if other is None:
            return super().parse_file(path)
        return self.parse_pair(read_capped(path), read_capped(other), str(path), str(other))

    def add(self, net: ParsedNetwork, data: bytes, source: str) -> None:
        """Add a nodes or a links file to ``net``; ``counts`` tallies what each held
        (``nodes``, ``links``) and ``outside_nodes``: link ends no nodes file lists."""
        for key in ("nodes", "links", "outside_nodes"):
            net.counts.setdefault(key, 0)
        root = load_xml(data, source)
        if root.tag != f"{OGR}FeatureCollection":
            raise FormatError(source, f"root element is {root.tag}, not ogr:FeatureCollection")
        for i, member in enumerate(root.iter(f"{GML}featureMember"), 1):
            for feature in member:
                place = f"feature {i} ({feature.tag} fid {feature.get('fid')})"
                if feature.tag == "dnodes":
                    self._node(net, feature, source, place)
                elif feature.tag == "dlinks":
                    self._link(net, feature, source, place)

    def _node(self, net: ParsedNetwork, el: Element, source: str, place: str) -> None:
        nid = _text(el, "NODE_ID")
        if not nid:
            raise FormatError(source, "node without NODE_ID", place)
        coords = _text(el, f"{OGR}geometryProperty/{GML}Point/{GML}coordinates")
        lon = lat = None
        if coords:
            parts = coords.split(",")
            if len(parts) < 2:
                raise FormatError(source, f"coordinates {coords!r} are not lon,lat", place)
            lon = number(parts[0], "longitude", source, place)
            lat = number(parts[1], "latitude", source, place)
        ntype = _text(el, "NODE_TYPE").lower()
        if nid in net.nodes:
            net.warnings.append(f"{source}: {place}: node {nid} listed twice, later copy kept")
        else:
            net.counts["nodes"] += 1
        net.nodes[nid] = ParsedNode(
            id=nid,
            name=_text(el, "NODE_NAME") or nid,
            lat=lat,
            lon=lon,
            status=enum_value(Status, _text(el, "STATUS"), Status.PLANNED, net, place),
            role=Role.SUPERNODE if ntype == "supernode" else Role.CLIENT,
            properties={"type": ntype} if ntype else {},
        )

    def _link(self, net: ParsedNetwork, el: Element, source: str, place: str) -> None:
        a, b = _text(el, "NODE1_ID"), _text(el, "NODE2_ID")
        if not a or not b:
            raise FormatError(source, "link without NODE1_ID and NODE2_ID", place)
        kms = _text(el, "KMS")
        ltype = _text(el, "LINK_TYPE")
        ends = _text(el, f"{OGR}geometryProperty/{GML}LineString/{GML}coordinates").split()
        names = (_text(el, "NODE1_NAME"), _text(el, "NODE2_NAME"))
        for i, (end, name) in enumerate(zip((a, b), names, strict=True)):
            if end not in net.nodes:
                # A node of a neighbouring zone: the line's end gives its position.
                lon = lat = None
                if len(ends) == 2 and len(xy := ends[i].split(",")) >= 2:
                    lon = number(xy[0], "longitude", source, place)
                    lat = number(xy[1], "latitude", source, place)
                net.nodes[end] = ParsedNode(end, name or end, lat=lat, lon=lon)
                net.counts["outside_nodes"] += 1
        net.counts["links"] += 1
        if a == b:
            net.warnings.append(f"{source}: {place}: link from node {a} to itself not kept")
            return
        lt = _LINK_TYPES.get(ltype.lower())
        if lt is None:
            net.warnings.append(f"{source}: {place}: link type {ltype!r} read as wds")
        net.links.append(
            ParsedLink(
                a=a,
                b=b,
                id=el.get("fid") or "",
                type=lt or LinkType.WDS,
                status=enum_value(Status, _text(el, "STATUS"), Status.PLANNED, net, place),
                properties={"km": number(kms, "KMS", source, place)} if kms else {},
            )
        )
