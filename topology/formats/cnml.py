"""CNML 0.1, Guifi.net's network description (``cnml.dtd``): every export class.

Classes: ``zones`` (the zone tree only), ``nodes`` and ``detail`` (zones with their
nodes, devices, radios, interfaces and links), and the single-node export
(``<class node_description="ID">`` with a ``<node>`` under the root).

A link is written once per end that the export contains (inside the interface that
carries it), so links are counted once by their ``id``. Its ends are the node that
holds the interface and the ``linked_node_id``. Links whose far end is outside the file,
or that join two devices of one node, are tallied but do not become model links (a
model link joins two known, distinct nodes). Addresses (``ipv4`` + ``mask`` of each
interface) are reported as :class:`ParsedAddress` for address management.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import datetime
from xml.etree.ElementTree import Element

from topology.formats.base import Parser, enum_value
from topology.formats.cnml_out import SYNTHETIC_DEVICE
from topology.formats.errors import FormatError
from topology.formats.parsed import ParsedAddress, ParsedLink, ParsedNetwork, ParsedNode
from topology.formats.source import load_xml, number
from topology.model import (
    AddressPlan,
    Allocation,
    BBox,
    Device,
    DeviceType,
    HolderKind,
    Interface,
    InterfaceType,
    LinkType,
    ModelError,
    Pool,
    Purpose,
    Radio,
    RadioMode,
    Role,
    Status,
    Zone,
)

_DEVICE_TYPES = {t.value: t for t in DeviceType} | {"ap": DeviceType.RADIO}
_RADIO_MODES = {m.value: m for m in RadioMode} | {
    "ad-hoc": RadioMode.MESH,
    "bridge": RadioMode.WDS,
}
_LINK_TYPES = {"wds": LinkType.WDS, "wds/p2p": LinkType.WDS, "ap/client": LinkType.AP_CLIENT,
               "cable": LinkType.CABLE, "tunnel": LinkType.TUNNEL, "mesh": LinkType.MESH}


def interface_type(text: str) -> InterfaceType:
    """CNML interface types are free-ish text (``Wan``, ``wLan/Lan``, ``wdsCanetRomani``)."""
    t = text.lower()
    if t.startswith("wds"):
        return InterfaceType.WDS
    if t.startswith("wlan"):
        return InterfaceType.WLAN
    for it in InterfaceType:
        if t == it.value:
            return it
    return InterfaceType.LAN


def mask_to_prefixlen(mask: str) -> int:
    return ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen


@dataclass(slots=True)
class _LinkSeen:
    type: str
    status: str
    ends: list[tuple[str, str]] = field(default_factory=list)  # (node id, "device/iface")
    far: tuple[str, str] = ("", "")


class CnmlParser(Parser):
    name = "cnml"
    description = "CNML 0.1 (Guifi.net): zones, nodes, detail and single-node exports"

    def parse(self, data: bytes, source: str = "<input>") -> ParsedNetwork:
        root = load_xml(data, source)
        if root.tag != "cnml":
            raise FormatError(source, f"root element is <{root.tag}>, not <cnml>", "line 1")
        net = ParsedNetwork("cnml", source)
        net.counts = dict.fromkeys(
            ("zones", "nodes", "devices", "radios", "interfaces", "links", "services"), 0
        )
        self._links: dict[str, _LinkSeen] = {}
        self._source = source
        kind = root.find("class")
        if kind is None:
            raise FormatError(source, "no <class> element: not a CNML export", "cnml")
        net.label = kind.get("network_description") or f"node {kind.get('node_description')}"
        network = root.find("network")
        if network is not None and network.get("address_plan"):
            net.plan = read_plan(network.get("address_plan", ""), source)
        if network is not None:
            for zone in network.findall("zone"):
                self._zone(net, zone, None, "")
        for node in root.findall("node"):
            self._node(net, node, None, "")
        if network is not None:
            self._addresses(net, network)
        first = net.zones[0].name if net.zones else next(iter(net.nodes.values()), None)
        net.label = first if isinstance(first, str) else (first.name if first else net.label)
        net.label = root.get("network_name") or net.label  # our own exports name it
        if not net.zones and not net.nodes:
            raise FormatError(source, "the export holds no zone and no node", "cnml")
        self._finish_links(net)
        return net

    # ------------------------------------------------------------------ elements

    def _zone(self, net: ParsedNetwork, el: Element, parent: str | None, path: str) -> None:
        zid = el.get("id", "")
        place = f"{path}zone {zid}"
        box = None
        if b := el.get("box"):
            try:
                minx, miny, maxx, maxy = (float(v) for v in b.split(","))
                box = BBox(min_lat=miny, min_lon=minx, max_lat=maxy, max_lon=maxx)
            except (ValueError, ModelError) as err:
                net.warnings.append(f"{place}: box {b!r} ignored ({err})")
        try:
            zone = Zone(
                id=zid,
                name=el.get("title") or zid,
                parent_id=parent,
                bbox=box,
                dns_servers=_csv(el.get("dns_servers")),
                ntp_servers=_csv(el.get("ntp_servers")),
            )
        except ModelError as err:
            raise FormatError(self._source, str(err), place) from None
        net.zones.append(zone)
        net.counts["zones"] += 1
        for child in el:
            if child.tag == "zone":
                self._zone(net, child, zid, place + " > ")
            elif child.tag == "node":
                self._node(net, child, zid, place + " > ")

    def _node(self, net: ParsedNetwork, el: Element, zone: str | None, path: str) -> None:
        nid = el.get("id", "")
        place = f"{path}node {nid}"
        if not nid:
            raise FormatError(self._source, "node without an id", path + "node")
        if nid in net.nodes:
            net.warnings.append(f"{place}: repeated node id, later copy ignored")
            return
        src = self._source
        lat = number(el.get("lat"), "latitude", src, place)
        lon = number(el.get("lon"), "longitude", src, place)
        height = number(el.get("antenna_elevation") or 0, "antenna_elevation", src, place)
        node = ParsedNode(
            id=nid,
            name=el.get("title") or nid,
            lat=lat,
            lon=lon,
            antenna_height_m=min(max(height, 0.0), 1000.0),
            status=enum_value(Status, el.get("status"), Status.PLANNED, net, place),
            role=Role.SUPERNODE if el.get("role") == "supernode" else Role.CLIENT,
            gateway=el.get("gateway") == "yes",
            private_position=el.get("private_position") == "yes",
            zone=zone,
        )
        devices: list[Device] = []
        for dev in el.findall("device"):
            got = self._device(net, dev, nid, f"{place} > ")
            if got.id == SYNTHETIC_DEVICE and dev.get("title") == "meshcommons":
                net.counts["devices"] -= 1  # our export's holder of links and addresses
                net.counts["interfaces"] -= len(got.interfaces)
                continue
            devices.append(got)
        net.counts["services"] += sum(len(d.findall("service")) for d in el.findall("device"))
        node.devices = tuple(devices)
        net.nodes[nid] = node
        net.counts["nodes"] += 1

    def _device(self, net: ParsedNetwork, el: Element, node: str, path: str) -> Device:
        did = el.get("id", "")
        place = f"{path}device {did}"
        interfaces: dict[str, Interface] = {}
        for child in el:  # in document order, so an export keeps the interface order
            if child.tag == "radio":
                radio = self._radio(net, child, place)
                net.counts["radios"] += 1
                for iface in child.findall("interface"):
                    got = self._interface(net, iface, node, did, radio, place)
                    interfaces.setdefault(got.name, got)
            elif child.tag == "interface":
                # Guifi repeats a radio's interface at device level: the first copy wins.
                got = self._interface(net, child, node, did, None, place)
                interfaces.setdefault(got.name, got)
        net.counts["devices"] += 1
        net.counts["interfaces"] += len(interfaces)
        return Device(
            id=did,
            name=el.get("title") or did,
            type=_DEVICE_TYPES.get((el.get("type") or "").lower(), DeviceType.GENERIC),
            model=el.get("name") or "",
            firmware=el.get("firmware") or "",
            status=enum_value(Status, el.get("status"), Status.PLANNED, net, place),
            interfaces=tuple(interfaces.values()),
        )

    def _radio(self, net: ParsedNetwork, el: Element, place: str) -> Radio:
        mode = (el.get("mode") or "").lower()
        if mode not in _RADIO_MODES:
            net.warnings.append(f"{place} > radio {el.get('id')}: mode {mode!r} read as ap")
        src = self._source
        where = f"{place} > radio {el.get('id')}"
        channel = el.get("channel")
        freq = el.get("frequency")
        gain = el.get("antenna_gain")
        angle = el.get("antenna_azimuth")
        return Radio(
            mode=_RADIO_MODES.get(mode, RadioMode.AP),
            ssid=el.get("ssid") or "",
            channel=int(number(channel, "channel", src, where)) if channel else None,
            frequency_mhz=int(number(freq, "frequency", src, where)) if freq else None,
            protocol=el.get("protocol") or "",
            antenna_gain_dbi=number(gain, "antenna_gain", src, where) if gain else None,
            azimuth_deg=number(angle, "antenna_azimuth", src, where) if angle else None,
        )

    def _interface(
        self, net: ParsedNetwork, el: Element, node: str, device: str, radio: Radio | None,
        place: str,
    ) -> Interface:
        iid = el.get("id", "")
        where = f"{place} > interface {iid}"
        ipv4 = el.get("ipv4") or ""
        cidr = ""
        for lk in el.findall("link"):
            self._link(lk, node, f"{device}/{iid}", where)
        if ipv4 and ipv4 != "0.0.0.0":
            try:
                plen = mask_to_prefixlen(el.get("mask") or "255.255.255.255")
                iface = ipaddress.IPv4Interface(f"{ipv4}/{plen}")
            except ValueError as err:
                net.warnings.append(f"{where}: address {ipv4}/{el.get('mask')} ignored ({err})")
            else:
                cidr = str(iface)
                net.addresses.append(
                    ParsedAddress(node, ipv4, str(iface.network), f"{device}/{iid}")
                )
        ipv6 = el.get("ipv6") or ""
        if ipv6:
            try:
                v6 = ipaddress.IPv6Interface(ipv6)
            except ValueError as err:
                net.warnings.append(f"{where}: address {ipv6} ignored ({err})")
                ipv6 = ""
            else:
                net.addresses.append(
                    ParsedAddress(node, str(v6.ip), str(v6.network), f"{device}/{iid}")
                )
        return Interface(
            name=iid,
            type=interface_type(el.get("type") or ""),
            mac=el.get("mac") or "",
            ipv4=cidr,
            ipv6=ipv6,
            radio=radio,
        )

    def _link(self, el: Element, node: str, end: str, place: str) -> None:
        lid = el.get("id", "")
        if not lid:
            raise FormatError(self._source, "link without an id", place + " > link")
        seen = self._links.get(lid)
        if seen is None:
            seen = self._links[lid] = _LinkSeen(
                el.get("link_type") or "", el.get("link_status") or ""
            )
            far_dev = el.get("linked_device_id", "")
            far_end = f"{far_dev}/{el.get('linked_interface_id', '')}"
            if far_dev == SYNTHETIC_DEVICE:
                far_end = ""
            seen.far = (el.get("linked_node_id") or "", far_end)
        if end.startswith(f"{SYNTHETIC_DEVICE}/"):
            end = ""
        seen.ends.append((node, end))

    def _addresses(self, net: ParsedNetwork, network: Element) -> None:
        """Our own exports' ``<pool>`` and ``<allocation>`` elements, if any."""
        src = self._source
        for i, el in enumerate(network.findall("pool")):
            try:
                net.pools.append(Pool(el.get("prefix", ""), Purpose(el.get("purpose", "")),
                                      el.get("zone") or None))
            except ValueError as err:
                raise FormatError(src, f"bad pool ({err})", f"network > pool {i}") from None
        found = network.findall("allocation")
        if not found:
            return
        net.allocations = []
        for i, el in enumerate(found):
            try:
                at = el.get("allocated_at")
                net.allocations.append(Allocation(
                    prefix=el.get("prefix", ""),
                    purpose=Purpose(el.get("purpose", "")),
                    holder_kind=HolderKind(el.get("holder_kind", "")),
                    holder_id=el.get("holder", ""),
                    pool=el.get("pool", ""),
                    allocated_at=datetime.fromisoformat(at) if at else None,
                    note=el.get("note", ""),
                ))
            except ValueError as err:
                raise FormatError(src, f"bad allocation ({err})", f"network > allocation {i}")\
                    from None

    def _finish_links(self, net: ParsedNetwork) -> None:
        net.counts["links"] = len(self._links)
        outside = internal = 0
        for lid, seen in self._links.items():
            a, a_end = seen.ends[0]
            b, b_end = seen.ends[1] if len(seen.ends) > 1 else seen.far
            place = f"link {lid}"
            kept = a != b and (b in net.nodes or ":" in b)  # ":": another community's node
            internal += a == b
            outside += a != b and not kept
            (net.links if kept else net.other_links).append(
                ParsedLink(
                    a=a,
                    b=b,
                    id=lid,
                    type=_link_type(seen.type, net, place),
                    status=enum_value(Status, seen.status, Status.PLANNED, net, place),
                    a_interface=a_end,
                    b_interface=b_end,
                )
            )
        net.counts["links_between_nodes"] = len(net.links)
        if outside:
            net.warnings.append(f"{outside} links lead to nodes outside this export: not kept")
        if internal:
            net.warnings.append(f"{internal} links join devices of one node: not kept")


def _link_type(text: str, net: ParsedNetwork, place: str) -> LinkType:
    got = _LINK_TYPES.get(text.lower())
    if got is None:
        net.warnings.append(f"{place}: link type {text!r} read as wds")
        return LinkType.WDS
    return got


def read_plan(text: str, source: str) -> AddressPlan:
    """``AddressPlan`` from our exports' ``address_plan="ipv4_lan=10.0.0.0/8;..."``."""
    values: dict[str, str | int] = {}
    for item in text.split(";"):
        key, _, value = item.partition("=")
        if key not in AddressPlan.__dataclass_fields__:
            raise FormatError(source, f"address_plan has an unknown field {key!r}", "network")
        values[key] = int(value) if value.isdigit() else value
    try:
        return AddressPlan(**values)  # type: ignore[arg-type]
    except (TypeError, ValueError) as err:
        raise FormatError(source, f"address_plan is not valid ({err})", "network") from None


def _csv(text: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (text or "").split(",") if p.strip())
