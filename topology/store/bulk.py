"""Whole-network writes and reads: one transaction, bulk inserts, one query per table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, select, update

from topology.model import NetworkModel, Node, Zone
from topology.store import convert, fastinsert, readers
from topology.store.errors import Conflict, NotFound
from topology.store.tables import (
    AllocationRow,
    Base,
    CommunityRow,
    DeviceRow,
    InterfaceRow,
    IpamStateRow,
    LinkRow,
    NodeRow,
    PoolRow,
    ZoneRow,
)


def lock_ipam(conn: Connection) -> int:
    """Take the address-management lock (row lock on PostgreSQL) and return the version.

    On SQLite the caller's ``BEGIN IMMEDIATE`` already holds the database write lock.
    """
    version = conn.scalar(
        select(IpamStateRow.version).where(IpamStateRow.id == 1).with_for_update()
    )
    if version is None:
        raise NotFound("the ipam_state row is missing: the schema was not made by the store")
    return version


def bump_ipam(conn: Connection) -> int:
    conn.execute(
        update(IpamStateRow).where(IpamStateRow.id == 1).values(version=IpamStateRow.version + 1)
    )
    return lock_ipam(conn)


def zones_parents_first(zones: Sequence[Zone]) -> list[tuple[int, Zone]]:
    """(original index, zone), each zone after its parent when the parent is in the list."""
    by_id = {z.id: (i, z) for i, z in enumerate(zones)}
    done: set[str] = set()
    out: list[tuple[int, Zone]] = []
    for i, z in enumerate(zones):
        chain: list[tuple[int, Zone]] = []
        cur: tuple[int, Zone] | None = (i, z)
        while cur is not None and cur[1].id not in done and cur not in chain:
            chain.append(cur)
            parent = cur[1].parent_id
            cur = by_id.get(parent) if parent is not None else None
        for item in reversed(chain):
            done.add(item[1].id)
            out.append(item)
    return out


def check_references(model: NetworkModel) -> None:
    """The references the schema enforces, checked first for a clear message."""
    zones = {z.id for z in model.zones}
    nodes = {n.id for n in model.nodes}
    for z in model.zones:
        if z.parent_id is not None and z.parent_id not in zones:
            raise Conflict(f"zone {z.id}: parent zone {z.parent_id!r} does not exist")
    for n in model.nodes:
        if n.zone_id not in zones:
            raise Conflict(f"node {n.id}: zone {n.zone_id!r} does not exist")
    slug = model.community.slug
    for lk in model.links:
        for end in (lk.a, lk.b):
            if convert.local_end(end, slug) and end not in nodes:
                raise Conflict(f"link {lk.id}: node {end!r} does not exist")
    for p in model.pools:
        if p.zone_id is not None and p.zone_id not in zones:
            raise Conflict(f"pool {p.prefix}: zone {p.zone_id!r} does not exist")


def save_model(conn: Connection, model: NetworkModel) -> None:
    """Replace everything in the store by ``model`` (the caller owns the transaction)."""
    check_references(model)
    slug = model.community.slug
    # Build every row first: a bad value fails before anything is written.
    tables: list[tuple[type[Base], list[convert.RowDict]]] = [
        (CommunityRow, [convert.community_row(model.community, model.address_plan)]),
        (ZoneRow, [convert.zone_row(z, i) for i, z in zones_parents_first(model.zones)]),
        (NodeRow, [convert.node_row(n, i) for i, n in enumerate(model.nodes)]),
        (DeviceRow, [d for n in model.nodes for d in convert.device_rows(n)]),
        (InterfaceRow, [f for n in model.nodes for f in convert.interface_rows(n)]),
        (LinkRow, [convert.link_row(lk, i, slug) for i, lk in enumerate(model.links)]),
        (PoolRow, [convert.pool_row(p) for p in model.pools]),
        (AllocationRow, [convert.allocation_row(a) for a in model.allocations]),
    ]
    lock_ipam(conn)
    with fastinsert.replacing(conn, [t for t, _ in tables]):
        for table, rows in tables:
            fastinsert.insert_many(conn, table, rows)
    bump_ipam(conn)


def load_model(conn: Connection) -> NetworkModel:
    row = conn.execute(select(CommunityRow)).one_or_none()
    if row is None:
        raise NotFound("no network is stored yet (import an inventory first)")
    return NetworkModel(
        community=readers.community_from(row),
        address_plan=readers.plan_from(row),
        zones=tuple(
            readers.zone_from(r) for r in conn.execute(select(ZoneRow).order_by(ZoneRow.seq)).all()
        ),
        nodes=tuple(load_nodes(conn)),
        links=tuple(
            readers.link_from(r)
            for r in conn.execute(
                select(*readers.LINK_COLUMNS).order_by(LinkRow.seq, LinkRow.id)
            ).all()
        ),
        pools=tuple(
            readers.pool_from(r) for r in conn.execute(select(PoolRow).order_by(PoolRow.id)).all()
        ),
        allocations=tuple(
            readers.allocation_from(r)
            for r in conn.execute(
                select(*readers.ALLOCATION_COLUMNS).order_by(AllocationRow.id)
            ).all()
        ),
    )


def load_nodes(
    conn: Connection,
    *,
    ids: Iterable[str] | None = None,
    zone: str | None = None,
    status: str | None = None,
) -> list[Node]:
    """Nodes in store order, with their devices and interfaces; optionally filtered."""
    node_q = select(*readers.NODE_COLUMNS).order_by(NodeRow.seq, NodeRow.id)
    if ids is not None:
        node_q = node_q.where(NodeRow.id.in_(list(ids)))
    if zone is not None:
        node_q = node_q.where(NodeRow.zone_id == zone)
    if status is not None:
        node_q = node_q.where(NodeRow.status == status)
    device_q = select(*readers.DEVICE_COLUMNS).order_by(DeviceRow.node_id, DeviceRow.idx)
    iface_q = select(*readers.INTERFACE_COLUMNS).order_by(
        InterfaceRow.node_id, InterfaceRow.device_id, InterfaceRow.idx
    )
    if ids is not None or zone is not None or status is not None:
        wanted = node_q.with_only_columns(NodeRow.id).order_by(None).scalar_subquery()
        device_q = device_q.where(DeviceRow.node_id.in_(wanted))
        iface_q = iface_q.where(InterfaceRow.node_id.in_(wanted))
    node_rows = conn.execute(node_q).all()
    if not node_rows:
        return []
    return readers.nodes_from(node_rows, conn.execute(device_q).all(), conn.execute(iface_q).all())
