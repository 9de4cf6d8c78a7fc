"""The address manager: hierarchical pools over buddy allocators, built from the store.

Pools nest. The community root pools come from the :class:`AddressPlan`; a zone's pool
is a block lent by an enclosing pool (its parent's, or the community's), and sits in
that pool's buddy tree as one used block. An allocation lives in the smallest pool
that contains it. When a zone's own pools cannot serve a request, the zone borrows a
new block from the nearest ancestor that has one (Guifi's rule): a /24 first, each
later block one size bigger than the biggest it has, capped at /20; IPv6 zones borrow
``ipv6_zone_prefixlen`` blocks. Borrowed blocks are returned in
:attr:`AllocationResult.new_pools` so the store can persist them.

Not thread-safe: the caller serialises changes. Time is always a parameter.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from topology.ipam.errors import (
    InvalidPrefix,
    IpamError,
    PoolExhausted,
    UnknownAllocation,
    UnknownZone,
)
from topology.ipam.ledger import Ledger, PoolEntry, family, who
from topology.ipam.ledger import check_family as _check_family
from topology.ipam.prefix import (
    BITS,
    PKey,
    first_host,
    format_prefix,
    link_ends,
    parse_address,
    parse_prefix,
    prefix_size,
)
from topology.ipam.results import (
    AllocationResult,
    ConflictKind,
    ImportConflict,
    ImportReport,
    PoolUsage,
)
from topology.model import (
    AddressPlan,
    Allocation,
    HolderKind,
    NetworkModel,
    Pool,
    Purpose,
    Zone,
    zone_ancestry,
)


class AddressManager(Ledger):
    """Allocates, releases, looks up and imports prefixes; pure and in memory.

    Built from what the store holds. Released allocations (``released_at`` set) are
    held down until ``released_at + plan.holddown_s``. :attr:`version` grows on
    every change, so a cache can tell it is stale. Zones are needed for walking up
    the tree; pools and allocations are what the store holds (the plan's root pools
    may be repeated among ``pools``).
    """

    def __init__(
        self,
        plan: AddressPlan,
        zones: Iterable[Zone] = (),
        pools: Iterable[Pool] = (),
        allocations: Iterable[Allocation] = (),
    ) -> None:
        super().__init__(plan, zones, pools, allocations)

    first_host = staticmethod(first_host)
    link_ends = staticmethod(link_ends)

    @classmethod
    def from_model(cls, model: NetworkModel) -> AddressManager:
        return cls(model.address_plan, model.zones, model.pools, model.allocations)

    @property
    def version(self) -> int:
        return self._version

    # ------------------------------------------------------------------ allocate

    def allocate(
        self,
        purpose: Purpose,
        zone_id: str | None,
        holder_kind: HolderKind,
        holder_id: str,
        now: datetime,
        prefixlen: int | None = None,
        note: str = "",
    ) -> AllocationResult:
        """Allocate a prefix for a holder in a zone (None = the community pools).

        Tries the zone's own pools (lowest pool first, best fit inside), then borrows
        a block for the zone from its nearest ancestor that has one, then from the
        community pool. Raises PoolExhausted when nothing fits.
        """
        purpose = Purpose(purpose)
        version = family(purpose)
        plen = self._default_prefixlen(purpose) if prefixlen is None else prefixlen
        if not 0 <= plen <= BITS[version]:
            raise InvalidPrefix(f"/{plen}", f"IPv{version} prefix lengths are 0..{BITS[version]}")
        chain = self._chain(zone_id)
        self.reclaim(now)
        new_pools: tuple[Pool, ...] = ()
        got = self._take(zone_id, purpose, plen)
        if got is None and zone_id is not None:
            block = self._borrow(zone_id, chain, purpose, plen)
            if block is not None:
                new_pools = (block.pool,)
                got = self._take(zone_id, purpose, plen)
        if got is None:
            raise PoolExhausted(zone_id, purpose.value, plen, self._searched(chain, purpose))
        entry, net = got
        key = (version, net, plen)
        alloc = Allocation(
            format_prefix(*key),
            purpose,
            HolderKind(holder_kind),
            holder_id,
            entry.pool.prefix,
            now,
            None,
            note,
        )
        self._add_live(key, alloc, entry)
        self._version += 1
        return AllocationResult(alloc, new_pools)

    def allocate_node(
        self, zone_id: str | None, node_id: str, now: datetime
    ) -> tuple[AllocationResult, AllocationResult]:
        """A node's LAN (plan.lan_prefixlen) and IPv6 prefix; both or neither."""
        lan = self.allocate(Purpose.LAN, zone_id, HolderKind.NODE, node_id, now)
        try:
            v6 = self.allocate(Purpose.IPV6, zone_id, HolderKind.NODE, node_id, now)
        except IpamError:
            self._undo(lan)
            raise
        return lan, v6

    def allocate_link(
        self, zone_id: str | None, link_id: str, now: datetime, prefixlen: int | None = None
    ) -> AllocationResult:
        """A backbone point-to-point prefix: /30 by default (plan.p2p_prefixlen), or /31."""
        plen = self.plan.p2p_prefixlen if prefixlen is None else prefixlen
        if plen not in (30, 31):
            raise InvalidPrefix(f"/{plen}", "a point-to-point link takes a /30 or a /31")
        return self.allocate(Purpose.BACKBONE, zone_id, HolderKind.LINK, link_id, now, plen)

    # ------------------------------------------------------------------ release

    def release(self, prefix: str, now: datetime) -> Allocation:
        """Release a live allocation; its space is held down for plan.holddown_s."""
        key = parse_prefix(prefix)
        alloc = self._live.get(key)
        if alloc is None:
            held = self._held.get(key)
            raise UnknownAllocation(
                prefix,
                f"it was already released at {held.released_at}"
                if held is not None
                else "no live allocation has this prefix",
            )
        entry = self._home[key]
        released = replace(alloc, released_at=now)
        self._drop_live(key, alloc)
        self._hold(entry, key, released, now)
        self._version += 1
        return released

    def reclaim(self, now: datetime) -> list[Allocation]:
        """Free space whose hold-down has ended; returns those released allocations."""
        out: list[Allocation] = []
        while self._expiries and self._expiries[0][0] <= now:
            _, pkey = heapq.heappop(self._expiries)
            entry = self._pools.get(pkey)
            if entry is None:
                continue
            for net, plen in entry.buddy.reclaim(now):
                key = (pkey[0], net, plen)
                self._home.pop(key, None)
                alloc = self._held.pop(key, None)
                if alloc is not None:
                    out.append(alloc)
            self._touch(entry)
        if out:
            self._version += 1
        return out

    # ------------------------------------------------------------------ lookup

    def whois(self, address: str) -> Allocation | None:
        """The live allocation containing an address, or None: one probe per used length."""
        version, addr = parse_address(address)
        bits = BITS[version]
        for plen in self._lengths[version]:
            alloc = self._live.get((version, addr >> (bits - plen) << (bits - plen), plen))
            if alloc is not None:
                return alloc
        return None

    def holdings(self, holder_id: str) -> list[Allocation]:
        """Live allocations of a holder, in address order."""
        held = self._by_holder.get(holder_id, {})
        return [held[k] for k in sorted(held)]

    def allocations(self, include_held: bool = False) -> list[Allocation]:
        """Live allocations (and held-down ones if asked), in address order."""
        found = dict(self._live)
        if include_held:
            found.update(self._held)
        return [found[k] for k in sorted(found)]

    def pools(self) -> list[Pool]:
        """Every pool (roots and zone blocks), in address order."""
        return [self._pools[k].pool for k in sorted(self._pools)]

    def free_space(self, now: datetime | None = None) -> list[PoolUsage]:
        """Usage of every pool in address order; reclaims expired hold-downs if ``now``."""
        if now is not None:
            self.reclaim(now)
        out = []
        for key in sorted(self._pools):
            e = self._pools[key]
            s = e.buddy.stats()
            out.append(
                PoolUsage(
                    e.pool,
                    s.total,
                    s.used - e.delegated,
                    e.delegated,
                    s.held,
                    s.free,
                    s.largest_free,
                )
            )
        return out

    # ------------------------------------------------------------------ import

    def import_allocations(
        self, entries: Iterable[Allocation], now: datetime | None = None
    ) -> ImportReport:
        """Store existing allocations (from a CNML or an inventory), checking each one.

        A conflicting entry is not stored, and every party it overlaps is reported:
        live or held allocations, zone blocks (with what they hold), and entries
        accepted earlier in this import. Entries repeating a stored allocation (same
        prefix, purpose, holder and release time) are reported as already present.
        Others are stored, normalised, in input order.
        """
        if now is not None:
            self.reclaim(now)
        accepted: list[Allocation] = []
        conflicts: list[ImportConflict] = []
        present: list[Allocation] = []
        imported: dict[PKey, int] = {}
        for i, a in enumerate(entries):
            label = f"entry {i} ({a.prefix}, {who(a)})"
            try:
                key = parse_prefix(a.prefix)
                _check_family(a.prefix, key[0], a.purpose)
            except InvalidPrefix as exc:
                conflicts.append(ImportConflict(i, a, ConflictKind.INVALID, f"{label}: {exc}"))
                continue
            same = self._live.get(key) or self._held.get(key)
            if same is not None and _same_holding(same, a):
                present.append(same)
                continue
            entry = self._home_pool(key, a.purpose)
            if entry is None:
                msg = f"{label} lies outside every {a.purpose} pool; {self._where(key)}"
                conflicts.append(ImportConflict(i, a, ConflictKind.OUTSIDE_POOLS, msg))
                continue
            parties = self._party_keys(entry, key)
            if parties:
                overlaps = tuple(self._overlap(k, imported) for k in parties)
                msg = f"{label} overlaps " + "; ".join(o.description for o in overlaps)
                conflicts.append(ImportConflict(i, a, ConflictKind.OVERLAP, msg, overlaps))
                continue
            imported[key] = i
            accepted.append(self._store(entry, key, a))
        if accepted:
            self._version += 1
        return ImportReport(tuple(accepted), tuple(conflicts), tuple(present))

    # ------------------------------------------------------------------ internals

    def _default_prefixlen(self, purpose: Purpose) -> int:
        if purpose is Purpose.LAN:
            return self.plan.lan_prefixlen
        if purpose is Purpose.BACKBONE:
            return self.plan.p2p_prefixlen
        return self.plan.ipv6_node_prefixlen

    def _chain(self, zone_id: str | None) -> list[str]:
        if zone_id is None:
            return []
        if zone_id not in self._zones and not any(z == zone_id for z, _ in self._by_zone):
            raise UnknownZone(zone_id)
        return zone_ancestry(self._zone_list, zone_id)

    def _take(
        self, zone_id: str | None, purpose: Purpose, plen: int
    ) -> tuple[PoolEntry, int] | None:
        """Allocate from a zone's own pools, lowest-addressed pool first."""
        opened = self._open.get((zone_id, purpose))
        if not opened:
            return None
        for pkey in sorted(opened):  # only pools with free space: few, even for big zones
            entry = opened[pkey]
            net = entry.buddy.allocate_net(plen)
            if net is not None:
                self._touch(entry)
                return entry, net
        return None

    def _borrow(
        self, zone_id: str, chain: list[str], purpose: Purpose, plen: int
    ) -> PoolEntry | None:
        """Lend the zone a new block from its nearest ancestor (or the community)."""
        version = family(purpose)
        lenders: list[str | None] = [*chain[1:], None]
        for size in self._block_sizes(zone_id, purpose, plen):
            for lender in lenders:
                got = self._take(lender, purpose, size)
                if got is not None:
                    parent, net = got
                    key = (version, net, size)
                    parent.delegated += prefix_size(version, size)
                    return self._register(key, Pool(format_prefix(*key), purpose, zone_id), parent)
        return None

    def _block_sizes(self, zone_id: str, purpose: Purpose, plen: int) -> range:
        """Block lengths to try, wanted size first; smaller ones when space is fragmented."""
        if purpose is Purpose.IPV6:
            want = floor = self.plan.ipv6_zone_prefixlen
        else:
            floor = self.plan.zone_block_min_prefixlen
            own = self._by_zone.get((zone_id, purpose))
            want = (
                max(min(k[2] for k in own) - 1, self.plan.zone_block_max_prefixlen)
                if own
                else floor
            )
        want = min(want, plen)  # the block must hold the request
        return range(want, max(min(floor, plen), want) + 1)

    def _searched(self, chain: list[str], purpose: Purpose) -> list[str]:
        out = []
        for zone in [*chain, None]:
            pools = sorted(self._by_zone.get((zone, purpose), {}))
            name = f"zone {zone}" if zone is not None else "community"
            shown = ", ".join(format_prefix(*k) for k in pools) or f"no {purpose} pools"
            out.append(f"{name} ({shown})")
        return out

    def _undo(self, result: AllocationResult) -> None:
        """Take back an allocation at once (no hold-down) and the blocks it borrowed."""
        key = parse_prefix(result.allocation.prefix)
        entry = self._home.pop(key)
        self._drop_live(key, result.allocation)
        entry.buddy.free_net(key[1], key[2])
        self._touch(entry)
        for pool in reversed(result.new_pools):
            self._drop_pool(parse_prefix(pool.prefix))
        self._version += 1


def _same_holding(stored: Allocation, entry: Allocation) -> bool:
    """Whether an imported entry repeats a stored allocation (so importing is a no-op)."""
    fields = ("purpose", "holder_kind", "holder_id", "released_at")
    return all(getattr(stored, f) == getattr(entry, f) for f in fields)
