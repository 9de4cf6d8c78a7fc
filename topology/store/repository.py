"""The store: persistence of a community network in SQLite or PostgreSQL.

Every public method runs in its own transaction and has committed (durably: SQLite runs
with ``synchronous=FULL``) before it returns. Everything goes in and out as the domain
types of :mod:`topology.model`; no ORM object ever leaves this package. A :class:`Store`
may be shared by threads.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.engine import Engine

from topology.model import (
    AddressPlan,
    Community,
    Link,
    LinkMetrics,
    NetworkModel,
    Node,
    Status,
    Zone,
)
from topology.store import bulk, convert, readers
from topology.store.engine import shown, transaction
from topology.store.errors import Conflict, NotFound, StoreError
from topology.store.ipam import IpamTransaction
from topology.store.tables import (
    CommunityRow,
    DeviceRow,
    InterfaceRow,
    IpamStateRow,
    LinkRow,
    NodeRow,
    ZoneRow,
)


class Store:
    """A network's store. Open one with :func:`topology.store.open_store`."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # ------------------------------------------------------------------ plumbing

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._engine.dialect.name

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return shown(self._engine.url)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for diagnostics and tests; prefer the methods)."""
        return self._engine

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    def _tx(self, write: bool) -> AbstractContextManager[Connection]:
        return transaction(self._engine, write)

    # ------------------------------------------------------------------ whole network

    def save_model(self, model: NetworkModel) -> None:
        """Replace everything stored by ``model``, in one transaction (all or nothing).

        Pools and allocations are part of the model: the address-management version is
        bumped so that every cache reloads.
        """
        with self._tx(write=True) as conn:
            bulk.save_model(conn, model)

    def load_model(self) -> NetworkModel:
        """The whole network, equal to what :meth:`save_model` stored (plus later writes)."""
        with self._tx(write=False) as conn:
            return bulk.load_model(conn)

    def get_community(self) -> Community:
        return readers.community_from(self._community_row())

    def get_address_plan(self) -> AddressPlan:
        return readers.plan_from(self._community_row())

    def _community_row(self) -> Any:
        with self._tx(write=False) as conn:
            row = conn.execute(select(CommunityRow)).one_or_none()
        if row is None:
            raise NotFound("no community is stored yet (import an inventory first)")
        return row

    # ------------------------------------------------------------------ zones

    def upsert_zone(self, zone: Zone) -> None:
        """Add a zone, or replace the one with its id (keeping its place in the order)."""
        with self._tx(write=True) as conn:
            if zone.parent_id is not None and not _exists(conn, ZoneRow, zone.parent_id):
                raise NotFound(f"zone {zone.id}: parent zone {zone.parent_id!r} does not exist")
            seq = conn.scalar(select(ZoneRow.seq).where(ZoneRow.id == zone.id))
            if seq is None:
                conn.execute(insert(ZoneRow), [convert.zone_row(zone, _next_seq(conn, ZoneRow))])
            else:
                row = convert.zone_row(zone, seq)
                conn.execute(update(ZoneRow).where(ZoneRow.id == zone.id).values(**row))

    def get_zone(self, zone_id: str) -> Zone:
        with self._tx(write=False) as conn:
            row = conn.execute(select(ZoneRow).where(ZoneRow.id == zone_id)).one_or_none()
        if row is None:
            raise NotFound(f"zone {zone_id!r} does not exist")
        return readers.zone_from(row)

    def list_zones(self) -> list[Zone]:
        with self._tx(write=False) as conn:
            rows = conn.execute(select(ZoneRow).order_by(ZoneRow.seq, ZoneRow.id)).all()
        return [readers.zone_from(r) for r in rows]

    # ------------------------------------------------------------------ nodes

    def upsert_node(self, node: Node) -> None:
        """Add a node, or replace the one with its id, devices and interfaces included."""
        with self._tx(write=True) as conn:
            if not _exists(conn, ZoneRow, node.zone_id):
                raise NotFound(f"node {node.id}: zone {node.zone_id!r} does not exist")
            seq = conn.scalar(select(NodeRow.seq).where(NodeRow.id == node.id))
            if seq is None:
                conn.execute(insert(NodeRow), [convert.node_row(node, _next_seq(conn, NodeRow))])
            else:
                row = convert.node_row(node, seq)
                conn.execute(update(NodeRow).where(NodeRow.id == node.id).values(**row))
                conn.execute(delete(DeviceRow).where(DeviceRow.node_id == node.id))  # cascades
            devices = convert.device_rows(node)
            if devices:
                conn.execute(insert(DeviceRow), devices)
            interfaces = convert.interface_rows(node)
            if interfaces:
                conn.execute(insert(InterfaceRow), interfaces)

    def delete_node(self, node_id: str) -> None:
        """Delete a node with its devices. Refused (:class:`Conflict`) while links use it:
        delete those first, or retire the node with :meth:`set_node_status` instead."""
        with self._tx(write=True) as conn:
            if not _exists(conn, NodeRow, node_id):
                raise NotFound(f"node {node_id!r} does not exist")
            links = conn.scalars(
                select(LinkRow.id)
                .where(or_(LinkRow.a == node_id, LinkRow.b == node_id))
                .order_by(LinkRow.seq)
                .limit(6)
            ).all()
            if links:
                shown_ids = ", ".join(links[:5]) + (", ..." if len(links) > 5 else "")
                raise Conflict(
                    f"node {node_id} still has links ({shown_ids}): delete them first, or "
                    "retire the node by setting its status instead of deleting it"
                )
            conn.execute(delete(NodeRow).where(NodeRow.id == node_id))

    def set_node_status(self, node_id: str, status: Status) -> None:
        self._set(NodeRow, node_id, "node", status=Status(status).value)

    def get_node(self, node_id: str) -> Node:
        with self._tx(write=False) as conn:
            nodes = bulk.load_nodes(conn, ids=[node_id])
        if not nodes:
            raise NotFound(f"node {node_id!r} does not exist")
        return nodes[0]

    def list_nodes(self, zone: str | None = None, status: Status | None = None) -> list[Node]:
        """Nodes in store order; ``zone`` keeps those directly in that zone (not sub-zones)."""
        with self._tx(write=False) as conn:
            return bulk.load_nodes(
                conn, zone=zone, status=None if status is None else Status(status).value
            )

    # ------------------------------------------------------------------ links

    def upsert_link(self, link: Link) -> None:
        """Add a link, or replace the one with its id. Ends in this community's namespace
        (all ends, while no community is stored) must be stored nodes."""
        with self._tx(write=True) as conn:
            community = conn.scalar(select(CommunityRow.slug))
            for end in (link.a, link.b):
                if convert.local_end(end, community) and not _exists(conn, NodeRow, end):
                    raise NotFound(f"link {link.id}: node {end!r} does not exist")
            seq = conn.scalar(select(LinkRow.seq).where(LinkRow.id == link.id))
            if seq is None:
                row = convert.link_row(link, _next_seq(conn, LinkRow), community)
                conn.execute(insert(LinkRow), [row])
            else:
                row = convert.link_row(link, seq, community)
                conn.execute(update(LinkRow).where(LinkRow.id == link.id).values(**row))

    def update_link_metrics(self, link_id: str, metrics: LinkMetrics) -> None:
        self._set(LinkRow, link_id, "link", **convert.metrics_row(link_id, metrics))

    def update_links_metrics(self, metrics: Mapping[str, LinkMetrics]) -> None:
        """Many links' metrics in one transaction (one fsync): all or nothing, and
        :class:`NotFound` naming the unknown ids if any."""
        if not metrics:
            return
        rows = [{"link_id": i, **convert.metrics_row(i, m)} for i, m in metrics.items()]
        with self._tx(write=True) as conn:
            ids = list(metrics)
            known: set[str] = set()
            for start in range(0, len(ids), 10_000):  # SQLite limits bound parameters
                chunk = ids[start : start + 10_000]
                known.update(conn.scalars(select(LinkRow.id).where(LinkRow.id.in_(chunk))))
            missing = [i for i in metrics if i not in known]
            if missing:
                shown_ids = ", ".join(repr(i) for i in missing[:5])
                more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
                raise NotFound(f"links {shown_ids}{more} do not exist")
            conn.execute(update(LinkRow).where(LinkRow.id == bindparam("link_id")), rows)

    def set_link_status(self, link_id: str, status: Status) -> None:
        self._set(LinkRow, link_id, "link", status=Status(status).value)

    def delete_link(self, link_id: str) -> None:
        with self._tx(write=True) as conn:
            if conn.execute(delete(LinkRow).where(LinkRow.id == link_id)).rowcount == 0:
                raise NotFound(f"link {link_id!r} does not exist")

    def get_link(self, link_id: str) -> Link:
        with self._tx(write=False) as conn:
            row = conn.execute(
                select(*readers.LINK_COLUMNS).where(LinkRow.id == link_id)
            ).one_or_none()
        if row is None:
            raise NotFound(f"link {link_id!r} does not exist")
        return readers.link_from(row)

    def list_links(self, node: str | None = None, status: Status | None = None) -> list[Link]:
        """Links in store order; ``node`` keeps those with an end at that node."""
        q = select(*readers.LINK_COLUMNS).order_by(LinkRow.seq, LinkRow.id)
        if node is not None:
            q = q.where(or_(LinkRow.a == node, LinkRow.b == node))
        if status is not None:
            q = q.where(LinkRow.status == Status(status).value)
        with self._tx(write=False) as conn:
            rows = conn.execute(q).all()
        return [readers.link_from(r) for r in rows]

    # ------------------------------------------------------------------ addresses

    @contextmanager
    def ipam_transaction(self) -> Iterator[IpamTransaction]:
        """Open a transaction holding the address-management lock; see :mod:`.ipam`.

        Commits when the block ends normally, rolls back when it raises.
        """
        with self._tx(write=True) as conn:
            handle = IpamTransaction(conn, self._engine)
            try:
                yield handle
            finally:
                handle._close()

    def ipam_version(self) -> int:
        """The current address-management version, without taking the lock."""
        with self._tx(write=False) as conn:
            version = conn.scalar(select(IpamStateRow.version))
        if version is None:
            raise StoreError("the ipam_state row is missing")
        return int(version)

    # ------------------------------------------------------------------ helpers

    def _set(
        self, table: type[NodeRow] | type[LinkRow], id_: str, what: str, **values: Any
    ) -> None:
        with self._tx(write=True) as conn:
            result = conn.execute(update(table).where(table.id == id_).values(**values))
            if result.rowcount == 0:
                raise NotFound(f"{what} {id_!r} does not exist")


def _exists(conn: Connection, table: type[ZoneRow] | type[NodeRow], id_: str) -> bool:
    return conn.scalar(select(table.id).where(table.id == id_)) is not None


def _next_seq(conn: Connection, table: type[ZoneRow] | type[NodeRow] | type[LinkRow]) -> int:
    last = conn.scalar(select(func.max(table.seq)))
    return 0 if last is None else int(last) + 1
