"""Pure conversion of a model into plain data for a YAML inventory (the dumper's input).

Keys come in a fixed order and defaults are left out, so files stay short and diffs
stay small. Loading the result gives back an equal model.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from topology.model import (
    SLUG_RE,
    AddressPlan,
    Allocation,
    Device,
    HolderKind,
    Interface,
    Link,
    LinkMetrics,
    NetworkModel,
    Node,
    Pool,
    Radio,
    Role,
    Zone,
)

from .ids import derived_link_id, local_part
from .schema import FORMAT_VERSION

#: Decimal places kept of a private position in a public export: 0.001 degree is
#: about 111 m of latitude (and 80 m of longitude at 45 degrees north).
PUBLIC_POSITION_DECIMALS = 3

_DEFAULT_PLAN = AddressPlan()


class FlowMap(dict[str, Any]):
    """A mapping the dumper writes on one line: ``{lat: 44.38, lon: -71.17}``."""


def _put(out: dict[str, Any], key: str, value: Any, default: Any = "") -> None:
    if value != default:
        out[key] = value


def public_node(node: Node) -> Node:
    """A node as anyone may see it: no contact or owner, private positions rounded."""
    node = node.public()
    if node.private_position:
        p = node.position
        node = replace(
            node,
            position=replace(
                p,
                lat=round(p.lat, PUBLIC_POSITION_DECIMALS),
                lon=round(p.lon, PUBLIC_POSITION_DECIMALS),
            ),
        )
    return node


def _zone(z: Zone) -> dict[str, Any]:
    out: dict[str, Any] = {"id": z.id, "name": z.name}
    _put(out, "parent", z.parent_id, None)
    if z.bbox is not None:
        b = z.bbox
        out["bbox"] = FlowMap(
            min_lat=b.min_lat, min_lon=b.min_lon, max_lat=b.max_lat, max_lon=b.max_lon
        )
    _put(out, "dns_servers", list(z.dns_servers), [])
    _put(out, "ntp_servers", list(z.ntp_servers), [])
    return out


def _radio(r: Radio) -> dict[str, Any]:
    out: dict[str, Any] = {"mode": r.mode.value}
    _put(out, "ssid", r.ssid)
    _put(out, "channel", r.channel, None)
    _put(out, "frequency_mhz", r.frequency_mhz, None)
    _put(out, "protocol", r.protocol)
    _put(out, "antenna_gain_dbi", r.antenna_gain_dbi, None)
    _put(out, "azimuth_deg", r.azimuth_deg, None)
    return FlowMap(out)


def _interface(f: Interface) -> dict[str, Any]:
    out: dict[str, Any] = {"name": f.name, "type": f.type.value}
    _put(out, "mac", f.mac)
    _put(out, "ipv4", f.ipv4)
    _put(out, "ipv6", f.ipv6)
    if f.radio is not None:
        out["radio"] = _radio(f.radio)
    return out


def _device(d: Device) -> dict[str, Any]:
    out: dict[str, Any] = {"id": d.id}
    _put(out, "name", d.name, d.id)
    out["type"] = d.type.value
    _put(out, "model", d.model)
    _put(out, "firmware", d.firmware)
    out["status"] = d.status.value
    _put(out, "interfaces", [_interface(f) for f in d.interfaces], [])
    return out


def _node(slug: str, n: Node) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": local_part(slug, n.id),
        "name": n.name,
        "zone": n.zone_id,
        "status": n.status.value,
    }
    _put(out, "role", n.role.value, Role.CLIENT.value)
    _put(out, "gateway", n.gateway, False)
    p = n.position
    position = FlowMap(lat=p.lat, lon=p.lon)
    _put(position, "antenna_height_m", p.antenna_height_m, 0.0)
    out["position"] = position
    _put(out, "private_position", n.private_position, True)
    _put(out, "owner", n.owner)
    if n.contact is not None:
        contact = FlowMap()
        for key in ("name", "email", "phone"):
            _put(contact, key, getattr(n.contact, key))
        out["contact"] = contact
    _put(out, "created", n.created, None)
    _put(out, "updated", n.updated, None)
    _put(out, "devices", [_device(d) for d in n.devices], [])
    return out


def _link(slug: str, lk: Link) -> dict[str, Any]:
    out: dict[str, Any] = {}
    local = local_part(slug, lk.id)
    if local != derived_link_id(slug, lk.a, lk.b):
        out["id"] = local
    out["a"] = local_part(slug, lk.a)
    out["b"] = local_part(slug, lk.b)
    out["type"] = lk.type.value
    out["status"] = lk.status.value
    _put(out, "a_interface", lk.a_interface)
    _put(out, "b_interface", lk.b_interface)
    if lk.metrics != LinkMetrics():
        metrics = FlowMap()
        for f in fields(LinkMetrics):
            _put(metrics, f.name, getattr(lk.metrics, f.name), None)
        out["metrics"] = metrics
    return out


def _pool(p: Pool) -> dict[str, Any]:
    out: dict[str, Any] = {"prefix": p.prefix, "purpose": p.purpose.value}
    _put(out, "zone", p.zone_id, None)
    return FlowMap(out)


def _allocation(slug: str, a: Allocation) -> dict[str, Any]:
    holder = a.holder_id
    if a.holder_kind in (HolderKind.NODE, HolderKind.LINK):
        holder = local_part(slug, holder)
    out: dict[str, Any] = {
        "prefix": a.prefix,
        "purpose": a.purpose.value,
        "holder_kind": a.holder_kind.value,
        "holder": holder,
    }
    _put(out, "pool", a.pool)
    _put(out, "allocated_at", a.allocated_at, None)
    _put(out, "released_at", a.released_at, None)
    _put(out, "note", a.note)
    return out


def _head(model: NetworkModel) -> dict[str, Any]:
    c = model.community
    community: dict[str, Any] = {"slug": c.slug, "name": c.name}
    _put(community, "url", c.url)
    community["licence"] = c.licence
    out: dict[str, Any] = {"version": FORMAT_VERSION, "community": community}
    plan = {
        f.name: getattr(model.address_plan, f.name)
        for f in fields(AddressPlan)
        if getattr(model.address_plan, f.name) != getattr(_DEFAULT_PLAN, f.name)
    }
    _put(out, "address_plan", plan, {})
    return out


def _tail(model: NetworkModel) -> dict[str, Any]:
    out: dict[str, Any] = {}
    slug = model.community.slug
    _put(out, "pools", [_pool(p) for p in model.pools], [])
    _put(out, "allocations", [_allocation(slug, a) for a in model.allocations], [])
    return out


def _nodes(model: NetworkModel, nodes: list[Node] | tuple[Node, ...], public: bool) -> list[Any]:
    slug = model.community.slug
    return [_node(slug, public_node(n) if public else n) for n in nodes]


def model_to_dict(model: NetworkModel, *, public: bool = False) -> dict[str, Any]:
    """The whole inventory as one mapping (one YAML file)."""
    slug = model.community.slug
    out = _head(model)
    _put(out, "zones", [_zone(z) for z in model.zones], [])
    _put(out, "nodes", _nodes(model, model.nodes, public), [])
    _put(out, "links", [_link(slug, lk) for lk in model.links], [])
    out.update(_tail(model))
    return out


def model_to_files(model: NetworkModel, *, public: bool = False) -> dict[str, dict[str, Any]]:
    """The inventory split into files: ``community.yaml`` (community, address plan, zones,
    pools, allocations) and ``zones/<zone>.yaml`` with each zone's nodes and the links
    whose first end (in this community) lies in that zone.

    Loading the directory gives the same nodes and links, ordered by zone file.
    """
    slug = model.community.slug
    head = _head(model)
    _put(head, "zones", [_zone(z) for z in model.zones], [])
    zone_of: dict[str, str] = {}
    by_zone: dict[str, tuple[list[Node], list[Link]]] = {}
    stray: list[Link] = []
    for n in model.nodes:  # zone ids are slugs; guard the file name all the same
        zone = n.zone_id if SLUG_RE.match(n.zone_id) else "_unknown-zone"
        zone_of[n.id] = zone
        by_zone.setdefault(zone, ([], []))[0].append(n)
    for lk in model.links:
        home = zone_of.get(lk.a) or zone_of.get(lk.b)
        if home is None:
            stray.append(lk)
        else:
            by_zone[home][1].append(lk)
    _put(head, "links", [_link(slug, lk) for lk in stray], [])
    head.update(_tail(model))
    files = {"community.yaml": head}
    for zone in sorted(by_zone):
        nodes, links = by_zone[zone]
        doc: dict[str, Any] = {"nodes": _nodes(model, nodes, public)}
        _put(doc, "links", [_link(slug, lk) for lk in links], [])
        files[f"zones/{zone}.yaml"] = doc
    return files
