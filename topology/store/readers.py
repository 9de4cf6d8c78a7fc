"""Table rows to domain objects: what the store hands out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Row

from topology.model import (
    AddressPlan,
    Allocation,
    BBox,
    Community,
    Contact,
    Device,
    DeviceType,
    HolderKind,
    Interface,
    InterfaceType,
    Link,
    LinkMetrics,
    LinkType,
    Node,
    Pool,
    Position,
    Purpose,
    Radio,
    RadioMode,
    Role,
    Status,
    Zone,
)
from topology.store.tables import AllocationRow, DeviceRow, InterfaceRow, LinkRow, NodeRow

AnyRow = Row[Any]  # a row read by column name
TupleRow = Sequence[Any]  # a row read by position (see *_COLUMNS)

# Enum lookups by value: a dict is several times faster than calling the enum class.
RADIO_MODES = {m.value: m for m in RadioMode}
INTERFACE_TYPES = {m.value: m for m in InterfaceType}
DEVICE_TYPES = {m.value: m for m in DeviceType}
STATUSES = {m.value: m for m in Status}
ROLES = {m.value: m for m in Role}
LINK_TYPES = {m.value: m for m in LinkType}
PURPOSES = {m.value: m for m in Purpose}
HOLDER_KINDS = {m.value: m for m in HolderKind}


def community_from(row: AnyRow) -> Community:
    return Community(slug=row.slug, name=row.name, url=row.url, licence=row.licence)


def plan_from(row: AnyRow) -> AddressPlan:
    return AddressPlan(
        ipv4_lan=row.ipv4_lan,
        ipv4_backbone=row.ipv4_backbone,
        ipv6_ula=row.ipv6_ula,
        lan_prefixlen=row.lan_prefixlen,
        p2p_prefixlen=row.p2p_prefixlen,
        zone_block_min_prefixlen=row.zone_block_min_prefixlen,
        zone_block_max_prefixlen=row.zone_block_max_prefixlen,
        ipv6_zone_prefixlen=row.ipv6_zone_prefixlen,
        ipv6_node_prefixlen=row.ipv6_node_prefixlen,
        holddown_s=row.holddown_s,
    )


def zone_from(row: AnyRow) -> Zone:
    box = None
    if row.min_lat is not None:
        box = BBox(row.min_lat, row.min_lon, row.max_lat, row.max_lon)
    return Zone(
        id=row.id,
        name=row.name,
        parent_id=row.parent_id,
        bbox=box,
        dns_servers=tuple(row.dns_servers),
        ntp_servers=tuple(row.ntp_servers),
    )


# The big tables are read by position (several times faster than by name): each reader
# selects exactly the columns of its *_COLUMNS tuple, in that order.

INTERFACE_COLUMNS = (
    InterfaceRow.node_id,
    InterfaceRow.device_id,
    InterfaceRow.name,
    InterfaceRow.type,
    InterfaceRow.mac,
    InterfaceRow.ipv4,
    InterfaceRow.ipv6,
    InterfaceRow.radio_mode,
    InterfaceRow.ssid,
    InterfaceRow.channel,
    InterfaceRow.frequency_mhz,
    InterfaceRow.protocol,
    InterfaceRow.antenna_gain_dbi,
    InterfaceRow.azimuth_deg,
)
DEVICE_COLUMNS = (
    DeviceRow.node_id,
    DeviceRow.id,
    DeviceRow.name,
    DeviceRow.type,
    DeviceRow.model,
    DeviceRow.firmware,
    DeviceRow.status,
)
NODE_COLUMNS = (
    NodeRow.id,
    NodeRow.name,
    NodeRow.zone_id,
    NodeRow.lat,
    NodeRow.lon,
    NodeRow.antenna_height_m,
    NodeRow.status,
    NodeRow.role,
    NodeRow.gateway,
    NodeRow.contact_name,
    NodeRow.contact_email,
    NodeRow.contact_phone,
    NodeRow.private_position,
    NodeRow.owner,
    NodeRow.created,
    NodeRow.updated,
)
LINK_COLUMNS = (
    LinkRow.id,
    LinkRow.a,
    LinkRow.b,
    LinkRow.type,
    LinkRow.status,
    LinkRow.cost,
    LinkRow.rx_cost,
    LinkRow.tx_cost,
    LinkRow.signal_dbm,
    LinkRow.rate_mbps,
    LinkRow.last_seen,
    LinkRow.a_interface,
    LinkRow.b_interface,
)
ALLOCATION_COLUMNS = (
    AllocationRow.prefix,
    AllocationRow.purpose,
    AllocationRow.holder_kind,
    AllocationRow.holder_id,
    AllocationRow.pool,
    AllocationRow.allocated_at,
    AllocationRow.released_at,
    AllocationRow.note,
)


def nodes_from(
    node_rows: Iterable[TupleRow],
    device_rows: Iterable[TupleRow],
    interface_rows: Iterable[TupleRow],
) -> list[Node]:
    """Assemble nodes from rows of NODE_/DEVICE_/INTERFACE_COLUMNS; device rows in
    (node, idx) order, interface rows in (node, device, idx) order."""
    interfaces: defaultdict[tuple[str, str], list[Interface]] = defaultdict(list)
    for node_id, device_id, name, type_, mac, ipv4, ipv6, mode, *radio in interface_rows:
        interfaces[(node_id, device_id)].append(
            Interface(
                name=name,
                type=INTERFACE_TYPES[type_],
                mac=mac,
                ipv4=ipv4,
                ipv6=ipv6,
                radio=None if mode is None else Radio(RADIO_MODES[mode], *radio),
            )
        )
    devices: defaultdict[str, list[Device]] = defaultdict(list)
    for node_id, id_, name, type_, model, firmware, status in device_rows:
        devices[node_id].append(
            Device(
                id=id_,
                name=name,
                type=DEVICE_TYPES[type_],
                model=model,
                firmware=firmware,
                status=STATUSES[status],
                interfaces=tuple(interfaces.get((node_id, id_), ())),
            )
        )
    return [node_from(r, devices.get(r[0], ())) for r in node_rows]


def node_from(row: TupleRow, devices: Sequence[Device]) -> Node:
    (id_, name, zone_id, lat, lon, height, status, role, gateway) = row[:9]
    (c_name, c_email, c_phone, private_position, owner, created, updated) = row[9:]
    return Node(
        id=id_,
        name=name,
        zone_id=zone_id,
        position=Position(lat, lon, height),
        status=STATUSES[status],
        role=ROLES[role],
        gateway=gateway,
        devices=tuple(devices),
        contact=None if c_name is None else Contact(c_name, c_email, c_phone),
        private_position=private_position,
        owner=owner,
        created=created,
        updated=updated,
    )


def link_from(row: TupleRow) -> Link:
    (id_, a, b, type_, status, cost, rx, tx, signal, rate, seen, a_iface, b_iface) = row
    return Link(
        id=id_,
        a=a,
        b=b,
        type=LINK_TYPES[type_],
        status=STATUSES[status],
        metrics=LinkMetrics(cost, rx, tx, signal, rate, seen),
        a_interface=a_iface,
        b_interface=b_iface,
    )


def pool_from(row: AnyRow) -> Pool:
    return Pool(prefix=row.prefix, purpose=PURPOSES[row.purpose], zone_id=row.zone_id)


def allocation_from(row: TupleRow) -> Allocation:
    (prefix, purpose, holder_kind, holder_id, pool, allocated_at, released_at, note) = row
    return Allocation(
        prefix=prefix,
        purpose=PURPOSES[purpose],
        holder_kind=HOLDER_KINDS[holder_kind],
        holder_id=holder_id,
        pool=pool,
        allocated_at=allocated_at,
        released_at=released_at,
        note=note,
    )
