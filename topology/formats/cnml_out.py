"""CNML 0.1 ``detail`` export, so Guifi.net tools can read our network.

Zones nest as in the model; each node sits in its zone with its devices, radios and
interfaces; a link is written at both ends, inside the interface that carries it
(``Link.a_interface``/``b_interface``, "device/interface").

What CNML has no place for: a link end with no known interface goes on one extra
device of its node, ``id="mc"`` (``title="meshcommons"``), which our importer reads back
and drops. Address management (plan, pools, allocations) is written whole, as an
``address_plan`` attribute and ``<pool>``/``<allocation>`` elements in ``<network>``.
Attributes CNML lacks (``role``, ``gateway``, ``private_position``, ``ipv6``,
``frequency``) are extra attributes; readers of the DTD ignore them. The root carries
the data licence (``licence``) and the community's name (``network_name``).
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from dataclasses import fields
from datetime import UTC, datetime
from xml.etree.ElementTree import Element, SubElement, indent, tostring

from topology.model import (
    AddressPlan,
    HolderKind,
    Interface,
    Link,
    NetworkModel,
    Node,
    Role,
    Zone,
    local_part,
)

SYNTHETIC_DEVICE = "mc"


def _num(x: float) -> str:
    return repr(float(x))


def _address_attrs(el: Element, cidr: str) -> None:
    iface = ipaddress.ip_interface(cidr)
    if iface.version == 4:
        el.set("ipv4", str(iface.ip))
        el.set("mask", str(iface.netmask))
    else:
        el.set("ipv6", str(iface))


class _Writer:
    def __init__(self, model: NetworkModel) -> None:
        self.model = model
        self.nodes = {n.id: n for n in model.nodes}
        # (node id, "device/iface") -> links carried there
        self.at: dict[tuple[str, str], list[tuple[Link, str]]] = defaultdict(list)
        self.loose: dict[str, list[Link]] = defaultdict(list)  # node -> links w/o interface
        for lk in model.links:
            for end, iface, other_iface in (
                (lk.a, lk.a_interface, lk.b_interface),
                (lk.b, lk.b_interface, lk.a_interface),
            ):
                if end not in self.nodes:
                    continue
                if iface:
                    self.at[(end, iface)].append((lk, other_iface))
                else:
                    self.loose[end].append(lk)

    def link_el(self, parent: Element, lk: Link, node: str, far_iface: str) -> None:
        other = lk.other(node)
        dev, _, iface = far_iface.partition("/")
        SubElement(
            parent,
            "link",
            id=local_part(lk.id),
            linked_device_id=dev or SYNTHETIC_DEVICE,
            # Another community's node keeps its global id: the link is a border link.
            linked_node_id=local_part(other) if other in self.nodes else other,
            linked_interface_id=iface or f"l-{local_part(lk.id)}",
            link_type=lk.type.value,
            link_status=lk.status.value,
        )

    def interface_el(self, parent: Element, node: Node, device: str, f: Interface) -> None:
        el = SubElement(parent, "interface", id=f.name, type=f.type.value)
        if f.mac:
            el.set("mac", f.mac)
        if f.ipv4:
            _address_attrs(el, f.ipv4)
        if f.ipv6:
            el.set("ipv6", f.ipv6)
        for lk, far in self.at.get((node.id, f"{device}/{f.name}"), []):
            self.link_el(el, lk, node.id, far)

    def node_el(self, parent: Element, node: Node) -> None:
        p = node.position
        el = SubElement(
            parent,
            "node",
            id=local_part(node.id),
            title=node.name,
            lat=_num(p.lat),
            lon=_num(p.lon),
            antenna_elevation=_num(p.antenna_height_m),
            status=node.status.value,
        )
        if node.role is not Role.CLIENT:
            el.set("role", node.role.value)
        if node.gateway:
            el.set("gateway", "yes")
        if node.private_position:
            el.set("private_position", "yes")
        for d in node.devices:
            dev = SubElement(
                el, "device", id=d.id, title=d.name, type=d.type.value, status=d.status.value
            )
            if d.firmware:
                dev.set("firmware", d.firmware)
            if d.model:
                dev.set("name", d.model)
            for i, f in enumerate(d.interfaces):
                if f.radio is None:
                    self.interface_el(dev, node, d.id, f)
                    continue
                r = f.radio
                radio = SubElement(dev, "radio", id=str(i), device_id=d.id, mode=r.mode.value)
                for key, value in (
                    ("ssid", r.ssid),
                    ("protocol", r.protocol),
                    ("channel", r.channel),
                    ("frequency", r.frequency_mhz),
                    ("antenna_gain", r.antenna_gain_dbi),
                    ("antenna_azimuth", r.azimuth_deg),
                ):
                    if value not in (None, ""):
                        radio.set(key, str(value))
                self.interface_el(radio, node, d.id, f)
        self.synthetic(el, node)

    def synthetic(self, parent: Element, node: Node) -> None:
        loose = self.loose.get(node.id, [])
        if not loose:
            return
        dev = SubElement(
            parent, "device", id=SYNTHETIC_DEVICE, title="meshcommons", type="generic",
            status=node.status.value,
        )
        for lk in loose:
            el = SubElement(dev, "interface", id=f"l-{local_part(lk.id)}", type="wds/p2p")
            self.link_el(el, lk, node.id, lk.b_interface if node.id == lk.a else lk.a_interface)

    def zone_el(self, parent: Element, zone: Zone, children: dict[str | None, list[Zone]],
                members: dict[str, list[Node]]) -> None:
        el = SubElement(parent, "zone", id=zone.id, title=zone.name)
        if zone.parent_id:
            el.set("parent_id", zone.parent_id)
        if zone.bbox is not None:
            b = zone.bbox
            el.set("box", ",".join(_num(x) for x in (b.min_lon, b.min_lat, b.max_lon, b.max_lat)))
        if zone.dns_servers:
            el.set("dns_servers", ",".join(zone.dns_servers))
        if zone.ntp_servers:
            el.set("ntp_servers", ",".join(zone.ntp_servers))
        el.set("zone_nodes", str(len(members.get(zone.id, []))))
        for child in children.get(zone.id, []):
            self.zone_el(el, child, children, members)
        for node in members.get(zone.id, []):
            self.node_el(el, node)


def to_cnml(model: NetworkModel, now: datetime | None = None) -> bytes:
    """The model as a CNML 0.1 ``detail`` document (UTF-8 bytes)."""
    now = now or datetime.now(UTC)
    w = _Writer(model)
    root = Element(
        "cnml",
        version="0.1",
        server_id=model.community.slug,
        server_url=model.community.url,
        generated=now.strftime("%Y%m%d %H%M"),
        licence=model.community.licence,
        network_name=model.community.name,
    )
    SubElement(root, "class", network_description="detail", mapping="y")
    devices = sum(len(n.devices) for n in model.nodes)
    network = SubElement(
        root, "network", nodes=str(len(model.nodes)), devices=str(devices),
        links=str(len(model.links)),
        address_plan=";".join(f"{f.name}={getattr(model.address_plan, f.name)}"
                              for f in fields(AddressPlan)),
    )
    zone_ids = {z.id for z in model.zones}
    children: dict[str | None, list[Zone]] = defaultdict(list)
    for z in model.zones:
        children[z.parent_id if z.parent_id in zone_ids else None].append(z)
    members: dict[str, list[Node]] = defaultdict(list)
    for n in model.nodes:
        members[n.zone_id].append(n)
    for z in children[None]:
        w.zone_el(network, z, children, members)
    _addresses(network, model)
    indent(root, "  ")
    body = tostring(root, encoding="unicode").encode()
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body + b"\n"




def _addresses(network: Element, model: NetworkModel) -> None:
    """Pools and allocations, so that nothing of address management is lost (CNML
    itself only has interface addresses; readers of the DTD skip these elements)."""
    for p in model.pools:
        el = SubElement(network, "pool", prefix=p.prefix, purpose=p.purpose.value)
        if p.zone_id:
            el.set("zone", p.zone_id)
    for a in model.allocations:
        if a.released_at is not None:
            continue  # a hold-down is the old service's business
        holder = local_part(a.holder_id) if a.holder_kind in (HolderKind.NODE, HolderKind.LINK) \
            else a.holder_id
        el = SubElement(network, "allocation", prefix=a.prefix, purpose=a.purpose.value,
                        holder_kind=a.holder_kind.value, holder=holder)
        for key, value in (("pool", a.pool), ("note", a.note)):
            if value:
                el.set(key, value)
        if a.allocated_at is not None:
            el.set("allocated_at", a.allocated_at.isoformat())
