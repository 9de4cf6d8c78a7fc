"""``CommunityNetwork``: the application service over the store, live graph and IPAM.

The pure core (model, graph, routing, ipam) decides; the store keeps. This module is
the one place that composes them, in a fixed order for every change:

1. write to the store and commit (a change is only "done" once it is durable);
2. then apply the same change to the in-memory state (live graph, address manager).

If the store refuses, memory is untouched. Address allocation runs under the store's
IPAM lock and reloads the in-memory :class:`AddressManager` only when another process
changed the stored address state meanwhile (its version moved).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from topology.events import EventBus, EventKind
from topology.graph import LiveGraph
from topology.ipam import AddressManager, AllocationResult, ImportReport, PoolUsage
from topology.model import (
    Allocation,
    Community,
    HolderKind,
    Link,
    LinkMetrics,
    LinkType,
    NetworkModel,
    Node,
    Purpose,
    Status,
    Zone,
)
from topology.routing import (
    GatewayAssignment,
    NetworkRoutes,
    PathExplanation,
    WhatIf,
    explain_path,
    nearest_gateways,
    routing_table,
    what_if_remove_link,
    what_if_remove_node,
)
from topology.store import IpamTransaction, NotFound, Store

Clock = Callable[[], datetime]

# Link types that get a point-to-point backbone prefix (Guifi: wds and cable between devices).
P2P_TYPES = frozenset({LinkType.WDS, LinkType.CABLE})


def utc_now() -> datetime:
    return datetime.now(UTC)


class NetworkError(Exception):
    """A request the network cannot carry out; the message says what and why."""


class ImportRejected(NetworkError):
    """An import was refused as a whole; nothing of it was stored."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        shown = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = f"\n  ... and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        super().__init__(f"import refused, nothing was stored:\n{shown}{more}")


@dataclass(frozen=True, slots=True)
class AddressAssignment:
    """What :meth:`CommunityNetwork.assign_missing_addresses` handed out."""

    node_prefixes: tuple[Allocation, ...]
    link_prefixes: tuple[Allocation, ...]


def node_event_data(node: Node) -> dict[str, object]:
    """What a live client learns of a node change: public fields only."""
    return {
        "name": node.name,
        "zone": node.zone_id,
        "status": node.status.value,
        "role": node.role.value,
        "gateway": node.gateway,
    }


def link_event_data(link: Link) -> dict[str, object]:
    m = link.metrics
    return {
        "a": link.a,
        "b": link.b,
        "type": link.type.value,
        "status": link.status.value,
        "cost": m.cost,
        "signal_dbm": m.signal_dbm,
        "rate_mbps": m.rate_mbps,
    }


class CommunityNetwork:
    """One community's network: durable store plus live graph plus address manager.

    Thread-safe: changes are serialised by a lock; reads of the live graph happen on the
    caller's thread (the graph is replaced field by field, never left half-changed by
    a failed write because the store is written first).
    """

    def __init__(
        self, store: Store, *, clock: Clock = utc_now, events: EventBus | None = None
    ) -> None:
        self._store = store
        self._clock = clock
        self.events = events or EventBus()
        self._lock = threading.RLock()
        model = store.load_model() if self._has_community() else None
        self._install(model)

    # ------------------------------------------------------------------ state

    def _has_community(self) -> bool:
        try:
            self._store.get_community()
        except NotFound:
            return False
        return True

    def _install(self, model: NetworkModel | None) -> None:
        self._model_loaded = model is not None
        self._community = model.community if model else None
        self._zones: dict[str, Zone] = {z.id: z for z in model.zones} if model else {}
        self.graph = LiveGraph.from_model(model) if model else LiveGraph()
        # Loaded lazily under the IPAM lock: reading it beside the model here could pair
        # a version with allocations from before another process's write.
        self._ipam: AddressManager | None = None
        self._ipam_version = -1

    @property
    def lock(self) -> threading.RLock:
        """Hold it to read the live graph consistently from another thread."""
        return self._lock

    @property
    def store(self) -> Store:
        return self._store

    @property
    def community(self) -> Community:
        if self._community is None:
            raise NetworkError("this service holds no network yet: import an inventory first")
        return self._community

    @property
    def zones(self) -> dict[str, Zone]:
        return dict(self._zones)

    def model(self) -> NetworkModel:
        """The whole network as stored (for export)."""
        return self._store.load_model()

    # ------------------------------------------------------------------ import

    def import_model(self, model: NetworkModel, *, replace_existing: bool = False) -> ImportReport:
        """Store a whole network (an inventory) in one transaction, or nothing.

        The model's own cross-references and its existing address allocations are
        checked first; any problem refuses the whole import with every problem listed.
        """
        with self._lock:
            if self._model_loaded and not replace_existing:
                raise NetworkError(
                    f"this service already holds the network {self.community.slug!r}; "
                    "import into an empty data directory, or replace it explicitly"
                )
            problems = model.validate()
            ipam = AddressManager(model.address_plan, model.zones, model.pools, ())
            report = ipam.import_allocations(model.allocations)
            problems.extend(f"address allocation {m}" for m in report.messages())
            if problems:
                raise ImportRejected(problems)
            self._store.save_model(model)
            self._install(self._store.load_model())
        self.events.publish(
            EventKind.NETWORK_IMPORTED,
            model.community.slug,
            self._clock(),
            {"nodes": len(model.nodes), "links": len(model.links)},
        )
        return report

    # ------------------------------------------------------------------ addresses

    @contextmanager
    def _ipam_session(self) -> Iterator[tuple[AddressManager, IpamTransaction]]:
        """The address manager, current with the store, inside the store's IPAM lock.

        The caller records its changes through the transaction; on any failure the
        in-memory manager is dropped so the next session reloads it from the store.
        """
        with self._lock, self._store.ipam_transaction() as tx:
            manager = self._current_manager(tx)
            try:
                yield manager, tx
                self._ipam_version = tx.bump_version()
            except BaseException:
                self._ipam = None
                self._ipam_version = -1
                raise

    def _current_manager(self, tx: IpamTransaction) -> AddressManager:
        if self._ipam is None or tx.version != self._ipam_version:
            plan = self._store.get_address_plan()
            self._ipam = AddressManager(
                plan, self._zones.values(), tx.load_pools(), tx.load_allocations()
            )
            self._ipam_version = tx.version
        return self._ipam

    def _ipam_reader(self) -> AddressManager:
        """The address manager for a read: no lock unless another process wrote."""
        with self._lock:
            if self._ipam is not None and self._store.ipam_version() == self._ipam_version:
                return self._ipam
            with self._store.ipam_transaction() as tx:
                return self._current_manager(tx)

    @staticmethod
    def _forget_reclaimed(tx: IpamTransaction, reclaimed: Sequence[Allocation]) -> None:
        for old in reclaimed:  # space free again: its hold-down record has served
            tx.delete_allocation(old.prefix, live=False)

    @staticmethod
    def _record(tx: IpamTransaction, result: AllocationResult) -> None:
        tx.add_pools(result.new_pools)
        tx.add_allocation(result.allocation)

    def allocate(
        self,
        purpose: Purpose,
        holder_kind: HolderKind,
        holder_id: str,
        *,
        zone_id: str | None = None,
        prefixlen: int | None = None,
        note: str = "",
    ) -> Allocation:
        """Allocate a prefix durably; raises :class:`topology.ipam.IpamError` when it can't."""
        now = self._clock()
        with self._ipam_session() as (ipam, tx):
            self._forget_reclaimed(tx, ipam.reclaim(now))
            result = ipam.allocate(purpose, zone_id, holder_kind, holder_id, now, prefixlen, note)
            self._record(tx, result)
        self._publish_allocation(EventKind.ADDRESS_ALLOCATED, result.allocation, now)
        return result.allocation

    def _publish_allocation(self, kind: EventKind, a: Allocation, now: datetime) -> None:
        data = {"prefix": a.prefix, "purpose": a.purpose.value, "holder": a.holder_id}
        self.events.publish(kind, a.prefix, now, data)

    def release(self, prefix: str) -> Allocation:
        """Release a prefix; it is held down (plan.holddown_s) before reuse."""
        now = self._clock()
        with self._ipam_session() as (ipam, tx):
            released = ipam.release(prefix, now)
            tx.mark_released(released.prefix, now)
        self._publish_allocation(EventKind.ADDRESS_RELEASED, released, now)
        return released

    def import_allocations(self, entries: Sequence[Allocation]) -> ImportReport:
        """Enter allocations that already exist elsewhere (a CNML export, a spreadsheet).

        Every entry that overlaps taken space, or lies outside every pool, is reported
        precisely and stored nowhere; the others are stored, all in one transaction.
        """
        now = self._clock()
        with self._ipam_session() as (ipam, tx):
            report = ipam.import_allocations(entries, now)
            for a in report.accepted:
                tx.add_allocation(a)
        for a in report.accepted:
            self._publish_allocation(EventKind.ADDRESS_ALLOCATED, a, now)
        return report

    def whois(self, address: str) -> Allocation | None:
        return self._ipam_reader().whois(address)

    def holdings(self, holder_id: str) -> list[Allocation]:
        return self._ipam_reader().holdings(holder_id)

    def allocations(self) -> list[Allocation]:
        return self._ipam_reader().allocations()

    def free_space(self) -> list[PoolUsage]:
        return self._ipam_reader().free_space()

    def assign_missing_addresses(self) -> AddressAssignment:
        """Give every node a LAN and an IPv6 prefix, and every wds/cable link a /30,
        where they have none yet; all in one locked transaction."""
        now = self._clock()
        nodes: list[Allocation] = []
        links: list[Allocation] = []
        with self._ipam_session() as (ipam, tx):
            self._forget_reclaimed(tx, ipam.reclaim(now))
            for node in self.graph.nodes.values():
                have = {a.purpose for a in ipam.holdings(node.id)}
                for purpose in (Purpose.LAN, Purpose.IPV6):
                    if purpose not in have:
                        r = ipam.allocate(purpose, node.zone_id, HolderKind.NODE, node.id, now)
                        self._record(tx, r)
                        nodes.append(r.allocation)
            for link in self.graph.links.values():
                if link.type not in P2P_TYPES or ipam.holdings(link.id):
                    continue
                zone = self._link_zone(link)
                r = ipam.allocate_link(zone, link.id, now)
                self._record(tx, r)
                links.append(r.allocation)
        for a in (*nodes, *links):
            self._publish_allocation(EventKind.ADDRESS_ALLOCATED, a, now)
        return AddressAssignment(tuple(nodes), tuple(links))

    def _link_zone(self, link: Link) -> str | None:
        """A link's /30 comes from the zone of its first end that we know."""
        for end in (link.a, link.b):
            if end in self.graph.nodes:
                return self.graph.node(end).zone_id
        return None

    def prefixes(self) -> dict[str, list[str]]:
        """Node id -> its prefixes (LAN and IPv6), for route tables."""
        out: dict[str, list[str]] = {}
        for a in self.allocations():
            if a.holder_kind is HolderKind.NODE:
                out.setdefault(a.holder_id, []).append(a.prefix)
        return out

    # ------------------------------------------------------------------ changes

    def put_zone(self, zone: Zone) -> None:
        with self._lock:
            self._store.upsert_zone(zone)
            self._zones[zone.id] = zone
            self._ipam = None  # zone tree changed: rebuild the manager's view of it
        self.events.publish(EventKind.ZONE_CHANGED, zone.id, self._clock(), {"name": zone.name})

    def put_node(self, node: Node) -> Node:
        """Add or replace a node (stamping created/updated)."""
        now = self._clock()
        with self._lock:
            if node.zone_id not in self._zones:
                raise NetworkError(f"node {node.id}: zone {node.zone_id!r} does not exist")
            old = self.graph.nodes.get(node.id)
            node = replace(node, created=old.created if old else (node.created or now), updated=now)
            self._store.upsert_node(node)
            self.graph.put_node(node)
        self.events.publish(EventKind.NODE_CHANGED, node.id, now, node_event_data(node))
        return node

    def set_node_status(self, node_id: str, status: Status) -> Node:
        with self._lock:
            node = self._known_node(node_id)
            return self.put_node(replace(node, status=status))

    def put_link(self, link: Link) -> None:
        with self._lock:
            for end in (link.a, link.b):
                if end.partition(":")[0] == self.community.slug:
                    self._known_node(end)
            self._store.upsert_link(link)
            self.graph.put_link(link)
        self.events.publish(EventKind.LINK_CHANGED, link.id, self._clock(), link_event_data(link))

    def set_link_status(self, link_id: str, status: Status) -> Link:
        with self._lock:
            link = replace(self._known_link(link_id), status=status)
            self._store.set_link_status(link_id, status)
            self.graph.put_link(link)
        self.events.publish(EventKind.LINK_CHANGED, link.id, self._clock(), link_event_data(link))
        return link

    def update_link_metrics(self, link_id: str, metrics: LinkMetrics) -> Link:
        with self._lock:
            self._known_link(link_id)
            self._store.update_link_metrics(link_id, metrics)
            link = self.graph.update_metrics(link_id, metrics)
        self.events.publish(EventKind.LINK_METRICS, link_id, self._clock(), link_event_data(link))
        return link

    def resolve_node(self, text: str) -> str:
        """A node id from what a person typed: a global id, or a local id of ours."""
        node_id = text if ":" in text else f"{self.community.slug}:{text}"
        self._known_node(node_id)
        return node_id

    def resolve_link(self, text: str) -> str:
        link_id = text if ":" in text else f"{self.community.slug}:{text}"
        self._known_link(link_id)
        return link_id

    def zone_of(self, holder_id: str) -> str | None:
        """The zone of a node, or of a link's first known end."""
        if holder_id in self.graph.nodes:
            return self.graph.node(holder_id).zone_id
        if holder_id in self.graph.links:
            return self._link_zone(self.graph.link(holder_id))
        return None

    def _known_node(self, node_id: str) -> Node:
        node = self.graph.nodes.get(node_id)
        if node is None:
            raise NetworkError(f"node {node_id!r} does not exist")
        return node

    def _known_link(self, link_id: str) -> Link:
        link = self.graph.links.get(link_id)
        if link is None:
            raise NetworkError(f"link {link_id!r} does not exist")
        return link

    # ------------------------------------------------------------------ routing

    def route(self, source: str, target: str) -> PathExplanation:
        return self.graph.memo(
            ("route", source, target), lambda: explain_path(self.graph, source, target)
        )

    def routing_table(self, node_id: str) -> NetworkRoutes:
        prefixes = self.prefixes()
        return routing_table(self.graph, node_id, prefixes=prefixes)

    def gateways(self) -> GatewayAssignment:
        return nearest_gateways(self.graph)

    def what_if(self, *, node: str | None = None, link: str | None = None) -> WhatIf:
        if (node is None) == (link is None):
            raise NetworkError("what-if removes exactly one node or one link")
        if node is not None:
            return what_if_remove_node(self.graph, node)
        assert link is not None
        return what_if_remove_link(self.graph, link)

    def close(self) -> None:
        self._store.close()
