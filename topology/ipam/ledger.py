"""The ledger under the address manager: pools, allocations, and their indexes.

Pools nest. The community root pools come from the :class:`AddressPlan`; a zone's pool
is a block lent by an enclosing pool (its parent's, or the community's) and sits in
that pool's buddy tree as one used block. An allocation lives in the smallest pool
that contains it; pools of different purposes never overlap.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from topology.ipam.buddy import BuddyPool
from topology.ipam.errors import AddressConflict, InvalidPrefix, OutsidePools
from topology.ipam.prefix import BITS, PKey, format_prefix, parse_prefix, prefix_size
from topology.ipam.results import Overlap, OverlapKind
from topology.model import AddressPlan, Allocation, Pool, Purpose, Zone

ZoneKey = tuple[str | None, Purpose]


@dataclass(slots=True, eq=False)
class PoolEntry:
    """One pool, its buddy tree, and where it sits in the pool tree."""

    pool: Pool
    buddy: BuddyPool
    key: PKey
    parent: PKey | None
    delegated: int = 0  # addresses lent to zones as nested pools


def family(purpose: Purpose) -> int:
    """IP version of a purpose: IPv6 for ULA prefixes, IPv4 for LANs and backbone."""
    return 6 if purpose is Purpose.IPV6 else 4


class Ledger:
    """State and bookkeeping shared by the manager's operations (see module doc)."""

    def __init__(
        self,
        plan: AddressPlan,
        zones: Iterable[Zone] = (),
        pools: Iterable[Pool] = (),
        allocations: Iterable[Allocation] = (),
    ) -> None:
        self.plan = plan
        self._zones = {z.id: z for z in zones}
        self._zone_list = tuple(self._zones.values())
        self._pools: dict[PKey, PoolEntry] = {}
        self._by_zone: dict[ZoneKey, dict[PKey, PoolEntry]] = {}
        self._open: dict[ZoneKey, dict[PKey, PoolEntry]] = {}  # pools with free space
        self._live: dict[PKey, Allocation] = {}
        self._held: dict[PKey, Allocation] = {}
        # Allocation -> the pool it sits in. Values are tracked objects on purpose: a big
        # dict of plain tuples gets untracked by the GC, then re-tracked into the young
        # generation by each insert, making every minor collection walk all of it.
        self._home: dict[PKey, PoolEntry] = {}
        self._by_holder: dict[str, dict[PKey, Allocation]] = {}
        self._lengths: dict[int, Counter[int]] = {4: Counter(), 6: Counter()}  # for whois
        self._expiries: list[tuple[datetime, PKey]] = []  # (hold-down end, pool)
        self._version = 0
        roots = [
            Pool(plan.ipv4_lan, Purpose.LAN),
            Pool(plan.ipv4_backbone, Purpose.BACKBONE),
            Pool(plan.ipv6_ula, Purpose.IPV6),
        ]
        # Enclosing pools first (a stable sort keeps the plan's roots ahead of repeats).
        for key, pool in sorted(
            ((parse_prefix(p.prefix), p) for p in [*roots, *pools]), key=lambda kp: kp[0][2]
        ):
            self._add_pool(key, pool)
        for a in allocations:
            key = parse_prefix(a.prefix)
            check_family(a.prefix, key[0], a.purpose)
            entry = self._home_pool(key, a.purpose)
            if entry is None:
                raise OutsidePools(a.prefix, a.purpose, self._where(key))
            parties = self._party_keys(entry, key)
            if parties:
                raise AddressConflict(
                    f"{a.prefix} ({who(a)})",
                    [self._overlap(k, {}).description for k in parties],
                    "loading the stored allocations",
                )
            self._store(entry, key, a)

    def _add_pool(self, key: PKey, pool: Pool) -> None:
        check_family(pool.prefix, key[0], pool.purpose)
        same = self._pools.get(key)
        if same is not None:
            if (same.pool.purpose, same.pool.zone_id) == (pool.purpose, pool.zone_id):
                return  # the store repeats the plan's root pools: fine
            raise AddressConflict(
                f"pool {pool.prefix}", [pool_label(same.pool)], "two pools, one prefix"
            )
        parent = self._enclosing(key, key[2] - 1)
        if parent is not None:
            if parent.pool.purpose != pool.purpose:
                raise AddressConflict(
                    f"{pool.purpose} pool {pool.prefix}",
                    [pool_label(parent.pool)],
                    "pools of different purposes must not overlap",
                )
            parties = self._party_keys(parent, key)
            if parties:
                raise AddressConflict(
                    f"pool {pool.prefix}",
                    [self._overlap(k, {}).description for k in parties],
                    "adding a pool",
                )
            parent.buddy.reserve_net(*key)
            parent.delegated += prefix_size(key[0], key[2])
            self._touch(parent)
        self._register(key, replace(pool, prefix=format_prefix(*key)), parent)

    def _register(self, key: PKey, pool: Pool, parent: PoolEntry | None) -> PoolEntry:
        entry = PoolEntry(pool, BuddyPool(pool.prefix), key, parent.key if parent else None)
        self._pools[key] = entry
        self._by_zone.setdefault((pool.zone_id, pool.purpose), {})[key] = entry
        self._touch(entry)
        return entry

    def _drop_pool(self, key: PKey) -> None:
        """Give an empty borrowed block back to its lender (undo of a borrow)."""
        entry = self._pools.pop(key)
        zkey = (entry.pool.zone_id, entry.pool.purpose)
        self._by_zone[zkey].pop(key, None)
        self._open.get(zkey, {}).pop(key, None)
        if entry.parent is not None:
            parent = self._pools[entry.parent]
            parent.buddy.free_net(key[1], key[2])
            parent.delegated -= prefix_size(key[0], key[2])
            self._touch(parent)

    def _touch(self, entry: PoolEntry) -> None:
        """Keep the open-pool index in step with the pool's free space."""
        opened = self._open.setdefault((entry.pool.zone_id, entry.pool.purpose), {})
        if entry.buddy.has_free:
            opened[entry.key] = entry
        else:
            opened.pop(entry.key, None)

    def _enclosing(self, key: PKey, start: int) -> PoolEntry | None:
        """The smallest pool containing ``key``, probing lengths ``start`` down to 0."""
        version, net, _ = key
        bits = BITS[version]
        for p in range(start, -1, -1):
            entry = self._pools.get((version, net >> (bits - p) << (bits - p), p))
            if entry is not None:
                return entry
        return None

    def _home_pool(self, key: PKey, purpose: Purpose) -> PoolEntry | None:
        entry = self._enclosing(key, key[2])
        return entry if entry is not None and entry.pool.purpose == purpose else None

    def _where(self, key: PKey) -> str:
        entry = self._enclosing(key, key[2])
        if entry is not None:
            return f"it lies in {pool_label(entry.pool)}"
        return "it lies in no pool at all"

    def _party_keys(self, entry: PoolEntry, key: PKey) -> list[tuple[PKey, bool]]:
        """Every taken prefix overlapping ``key`` in ``entry``, and what lent blocks hold.

        Each comes with True when it is a block lent to a zone, False for an allocation.
        """
        out: list[tuple[PKey, bool]] = []
        stack = [(entry, n, p) for n, p, _ in entry.buddy.overlaps_net(key[1], key[2])]
        stack.reverse()
        while stack:
            owner, n, p = stack.pop()
            k = (key[0], n, p)
            # A block equal to its own pool is an allocation filling that pool.
            lent = k != owner.key and k in self._pools
            out.append((k, lent))
            if lent:
                child = self._pools[k]
                inner = [(child, bn, bp) for bn, bp, s in child.buddy.blocks() if s]
                stack.extend(reversed(inner))
        return out

    def _overlap(self, party: tuple[PKey, bool], imported: dict[PKey, int]) -> Overlap:
        k, lent = party
        prefix = format_prefix(*k)
        if lent:
            pool = self._pools[k].pool
            return Overlap(OverlapKind.ZONE_BLOCK, prefix, pool=pool, description=pool_label(pool))
        alloc = self._live.get(k)
        if alloc is not None and k in imported:
            desc = f"entry {imported[k]} of this import ({prefix}, {who(alloc)})"
            return Overlap(OverlapKind.IMPORTED, prefix, alloc, None, imported[k], desc)
        if alloc is not None:
            desc = f"allocation {prefix} ({who(alloc)})"
            return Overlap(OverlapKind.ALLOCATION, prefix, alloc, description=desc)
        held = self._held[k]
        until = self._home[k].buddy.held_until(k[1], k[2])
        desc = (
            f"allocation {prefix} ({who(held)}), released at {held.released_at} "
            f"and held down until {until}"
        )
        return Overlap(OverlapKind.HELD, prefix, held, description=desc)

    def _store(self, entry: PoolEntry, key: PKey, a: Allocation) -> Allocation:
        """Reserve a checked prefix and record its allocation (live or held)."""
        entry.buddy.reserve_net(*key)
        stored = replace(a, prefix=format_prefix(*key), pool=entry.pool.prefix)
        if stored.released_at is None:
            self._add_live(key, stored, entry)
        else:
            self._hold(entry, key, stored, stored.released_at)
        return stored

    def _hold(self, entry: PoolEntry, key: PKey, alloc: Allocation, at: datetime) -> None:
        """Turn a used block into a held one (or free it when there is no hold-down)."""
        self._home[key] = entry
        until = entry.buddy.release_net(key[1], key[2], at, self.plan.holddown_s)
        if entry.buddy.held_until(key[1], key[2]) is None:
            del self._home[key]
            self._touch(entry)
            return
        self._held[key] = alloc
        heapq.heappush(self._expiries, (until, entry.key))

    def _add_live(self, key: PKey, alloc: Allocation, entry: PoolEntry) -> None:
        self._live[key] = alloc
        self._home[key] = entry
        self._by_holder.setdefault(alloc.holder_id, {})[key] = alloc
        self._lengths[key[0]][key[2]] += 1
        self._touch(entry)

    def _drop_live(self, key: PKey, alloc: Allocation) -> None:
        del self._live[key]
        mine = self._by_holder[alloc.holder_id]
        del mine[key]
        if not mine:
            del self._by_holder[alloc.holder_id]
        lengths = self._lengths[key[0]]
        lengths[key[2]] -= 1
        if not lengths[key[2]]:
            del lengths[key[2]]


def check_family(text: str, version: int, purpose: Purpose) -> None:
    want = family(Purpose(purpose))
    if version != want:
        raise InvalidPrefix(text, f"a {purpose} prefix must be IPv{want}, not IPv{version}")


def who(a: Allocation) -> str:
    return f"{a.purpose} of {a.holder_kind} {a.holder_id}"


def pool_label(pool: Pool) -> str:
    owner = f"zone {pool.zone_id}'s" if pool.zone_id is not None else "the community"
    return f"{owner} {pool.purpose} pool {pool.prefix}"
