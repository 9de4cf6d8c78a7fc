"""Property: under random allocate/release/reclaim/import, no two taken prefixes overlap.

A brute-force model checks the import report too: the overlaps reported for an entry
are exactly the taken prefixes (and zone blocks) it overlaps, and only clean entries
are stored.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from topology.ipam import AddressManager, ConflictKind, PoolExhausted, format_prefix
from topology.ipam.prefix import PKey, contains, overlaps, parse_prefix
from topology.model import AddressPlan, Allocation, HolderKind, Pool, Purpose, Zone

T0 = datetime(2026, 1, 1, tzinfo=UTC)
PLAN = AddressPlan(
    ipv4_lan="10.0.0.0/20",
    ipv4_backbone="172.16.0.0/22",
    ipv6_ula="fd00::/52",
    holddown_s=3600,
)
ZONES = (
    Zone("world", "World"),
    Zone("cat", "Cat", parent_id="world"),
    Zone("bcn", "Bcn", parent_id="cat"),
    Zone("gir", "Gir", parent_id="cat"),
)
POOLS = (Pool("10.0.4.0/22", Purpose.LAN, "cat"),)
LENGTHS = {Purpose.LAN: (22, 30), Purpose.BACKBONE: (28, 31), Purpose.IPV6: (52, 64)}

purposes = st.sampled_from(list(Purpose))
zone_ids = st.sampled_from([None, "world", "cat", "bcn", "gir"])


ROOTS = {
    Purpose.LAN: parse_prefix(PLAN.ipv4_lan),
    Purpose.BACKBONE: parse_prefix(PLAN.ipv4_backbone),
    Purpose.IPV6: parse_prefix(PLAN.ipv6_ula),
}


@st.composite
def entries(draw: st.DrawFn) -> Allocation:
    """A valid prefix in a random purpose's root pool, or just beside it."""
    purpose = draw(purposes)
    lo, hi = LENGTHS[purpose]
    version, base, root_len = ROOTS[purpose]
    plen = draw(st.integers(min(lo - 2, root_len - 1), hi))
    bits = 32 if version == 4 else 128
    # A region twice the root pool: half the entries fall outside it.
    base = base >> (bits - plen) << (bits - plen)
    span = max(plen - root_len, 0)
    net = base + (draw(st.integers(0, (2 << span) - 1)) << (bits - plen))
    holder = draw(st.sampled_from(["g:i1", "g:i2", "g:i3"]))
    return Allocation(format_prefix(version, net, plen), purpose, HolderKind.EXTERNAL, holder)


class Ipam(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self.m = AddressManager(PLAN, ZONES, POOLS)
        self.now = T0

    @rule(purpose=purposes, zone=zone_ids, data=st.data())
    def allocate(self, purpose: Purpose, zone: str | None, data: st.DataObject) -> None:
        lo, hi = LENGTHS[purpose]
        plen = data.draw(st.integers(lo, hi))
        try:
            r = self.m.allocate(purpose, zone, HolderKind.NODE, "g:n", self.now, plen)
        except PoolExhausted:
            event("exhausted")
            return
        if r.new_pools:
            event("borrowed a block")
        assert r.allocation.prefix.endswith(f"/{plen}")
        assert all(p.zone_id == zone for p in r.new_pools)

    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        live = self.m.allocations()
        if live:
            victim = data.draw(st.sampled_from(live))
            released = self.m.release(victim.prefix, self.now)
            assert released.released_at == self.now
            assert self.m.whois(victim.prefix.split("/")[0]) is None

    @rule(minutes=st.integers(1, 120))
    def advance(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)
        for a in self.m.reclaim(self.now):
            event("reclaimed")
            assert a.released_at is not None
            assert a.released_at + timedelta(seconds=PLAN.holddown_s) <= self.now

    @rule(batch=st.lists(entries(), min_size=1, max_size=4))
    def import_(self, batch: list[Allocation]) -> None:
        self.check_import(batch)

    @rule(data=st.data())
    def import_near_taken(self, data: st.DataObject) -> None:
        """Entries that contain, or lie inside, what is already taken."""
        taken = self.m.allocations(include_held=True)
        if not taken:
            return
        batch = []
        for a in data.draw(st.lists(st.sampled_from(taken), min_size=1, max_size=3)):
            version, net, plen = parse_prefix(a.prefix)
            bits = 32 if version == 4 else 128
            new_len = data.draw(st.integers(max(plen - 3, 0), min(plen + 2, bits)))
            net = net >> (bits - new_len) << (bits - new_len)
            if new_len > plen:  # somewhere inside, not always the first sub-block
                net += data.draw(st.integers(0, (1 << (new_len - plen)) - 1)) << (bits - new_len)
            prefix = format_prefix(version, net, new_len)
            batch.append(Allocation(prefix, a.purpose, HolderKind.EXTERNAL, "g:near"))
        self.check_import(batch)

    def check_import(self, batch: list[Allocation]) -> None:
        taken = {parse_prefix(a.prefix): a for a in self.m.allocations(include_held=True)}
        pools = {parse_prefix(p.prefix): p for p in self.m.pools()}
        report = self.m.import_allocations(batch)
        conflicts = {c.index: c for c in report.conflicts}
        for c in report.conflicts:
            event(f"import conflict: {c.kind}")
        if report.accepted:
            event("import accepted")
        accepted = iter(report.accepted)
        for i, entry in enumerate(batch):
            key = parse_prefix(entry.prefix)
            home = [k for k in pools if contains(k, key)]
            same = taken.get(key)
            if not home or pools[max(home, key=lambda k: k[2])].purpose != entry.purpose:
                assert conflicts[i].kind is ConflictKind.OUTSIDE_POOLS
                continue
            if same is not None and (same.holder_id, same.holder_kind, same.released_at) == (
                entry.holder_id,
                entry.holder_kind,
                entry.released_at,
            ):
                assert i not in conflicts
                continue
            expected = {k for k in taken if overlaps(k, key)}
            expected |= {k for k in pools if contains(key, k) and k != key}
            if expected:
                got = {parse_prefix(o.prefix) for o in conflicts[i].overlaps}
                assert got == expected, (entry, conflicts[i].message)
            else:
                assert i not in conflicts
                stored = next(accepted)
                assert parse_prefix(stored.prefix) == key
                taken[key] = stored

    @invariant()
    def nothing_overlaps(self) -> None:
        if not hasattr(self, "m"):
            return
        taken = self.m.allocations(include_held=True)
        keys: list[PKey] = sorted(parse_prefix(a.prefix) for a in taken)
        for a, b in itertools.pairwise(keys):
            end = a[1] + (1 << ((32 if a[0] == 4 else 128) - a[2]))
            assert a[0] != b[0] or end <= b[1], (a, b)
        # Each allocation sits in the smallest pool holding it, of its own purpose,
        # and the pools' counts add up to what is allocated in them.
        pools = {parse_prefix(p.prefix): p for p in self.m.pools()}
        allocated = dict.fromkeys(pools, 0)
        for alloc in taken:
            key = parse_prefix(alloc.prefix)
            home = max((k for k in pools if contains(k, key)), key=lambda k: k[2])
            assert pools[home].purpose == alloc.purpose and pools[home].prefix == alloc.pool
            if alloc.released_at is None:
                allocated[home] += 1 << ((32 if key[0] == 4 else 128) - key[2])
        for entry in self.m._pools.values():
            assert entry.buddy.verify() == []
        for u in self.m.free_space():
            assert u.total == u.allocated + u.delegated + u.held + u.free
            assert min(u.allocated, u.delegated, u.held, u.free) >= 0
            assert u.allocated == allocated[parse_prefix(u.pool.prefix)]


TestIpam = Ipam.TestCase
TestIpam.settings = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
