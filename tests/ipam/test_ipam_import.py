"""Importing existing allocations: every overlap reported, conflicting entries not stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from topology.ipam import AddressManager, ConflictKind, OverlapKind
from topology.model import AddressPlan, Allocation, HolderKind, Pool, Purpose, Zone

NOW = datetime(2026, 1, 1, tzinfo=UTC)
ZONES = (Zone("world", "World"), Zone("bcn", "Barcelona", parent_id="world"))


def node(prefix: str, holder: str, purpose: Purpose = Purpose.LAN) -> Allocation:
    return Allocation(prefix, purpose, HolderKind.NODE, holder)


def make() -> AddressManager:
    m = AddressManager(
        AddressPlan(holddown_s=3600),
        ZONES,
        [Pool("10.1.0.0/24", Purpose.LAN, "bcn")],
        [
            node("10.0.0.0/27", "g:a"),
            node("10.0.0.64/27", "g:b"),
            node("10.1.0.0/27", "g:in-zone"),
        ],
    )
    held = m.allocate(Purpose.LAN, None, HolderKind.NODE, "g:gone", NOW, 28).allocation
    assert held.prefix == "10.0.0.32/28"
    m.release(held.prefix, NOW)
    return m


def test_import_reports_every_overlap_precisely() -> None:
    m = make()
    before = m.allocations(include_held=True)
    entries = [
        node("10.0.0.0/27", "g:a"),  # 0: exactly what is there: already present
        node("10.0.0.0/25", "g:x"),  # 1: overlaps a, the held /28 and b
        node("10.2.0.0/27", "g:c"),  # 2: fine
        node("10.2.0.16/28", "g:d"),  # 3: inside entry 2
        node("192.168.0.0/24", "g:e"),  # 4: in no pool
        node("172.16.0.0/30", "g:f"),  # 5: a LAN in the backbone range
        node("10.0.0.1/27", "g:g"),  # 6: host bits set
        node("garbage", "g:h"),  # 7: not a prefix
        node("10.0.0.40/29", "g:i"),  # 8: inside the held /28
        node("10.1.0.0/23", "g:j"),  # 9: straddles bcn's block (and what it holds)
        node("fd00::/64", "g:k"),  # 10: an IPv6 prefix for a LAN
        node("fd00::/64", "g:k", Purpose.IPV6),  # 11: fine
        node("10.1.0.32/27", "g:l"),  # 12: fine, inside bcn's block
        node("10.0.0.0/27", "g:other"),  # 13: same prefix, other holder
    ]
    report = m.import_allocations(entries)
    assert [a.holder_id for a in report.accepted] == ["g:c", "g:k", "g:l"]
    assert report.already_present == (before[0],)
    assert not report.ok
    by_index = {c.index: c for c in report.conflicts}
    assert sorted(by_index) == [1, 3, 4, 5, 6, 7, 8, 9, 10, 13]

    c1 = by_index[1]
    assert c1.kind is ConflictKind.OVERLAP and c1.entry is entries[1]
    assert [(o.kind, o.prefix) for o in c1.overlaps] == [
        (OverlapKind.ALLOCATION, "10.0.0.0/27"),
        (OverlapKind.HELD, "10.0.0.32/28"),
        (OverlapKind.ALLOCATION, "10.0.0.64/27"),
    ]
    assert c1.message.startswith("entry 1 (10.0.0.0/25, lan of node g:x) overlaps ")
    assert "allocation 10.0.0.0/27 (lan of node g:a)" in c1.message
    assert "held down until 2026-01-01 01:00:00+00:00" in c1.message

    c3 = by_index[3]
    assert [(o.kind, o.import_index) for o in c3.overlaps] == [(OverlapKind.IMPORTED, 2)]
    assert "entry 2 of this import (10.2.0.0/27, lan of node g:c)" in c3.message

    assert by_index[4].kind is ConflictKind.OUTSIDE_POOLS
    assert "outside every lan pool; it lies in no pool at all" in by_index[4].message
    assert "it lies in the community backbone pool 172.16.0.0/12" in by_index[5].message
    assert by_index[6].kind is ConflictKind.INVALID
    assert "host bits are set; the network is 10.0.0.0/27" in by_index[6].message
    assert by_index[7].kind is ConflictKind.INVALID
    assert [o.kind for o in by_index[8].overlaps] == [OverlapKind.HELD]

    c9 = by_index[9]
    assert [(o.kind, o.prefix) for o in c9.overlaps] == [
        (OverlapKind.ZONE_BLOCK, "10.1.0.0/24"),
        (OverlapKind.ALLOCATION, "10.1.0.0/27"),  # entry 12 comes later: not yet stored
    ]
    assert c9.overlaps[0].pool == Pool("10.1.0.0/24", Purpose.LAN, "bcn")
    assert "zone bcn's lan pool 10.1.0.0/24" in c9.message
    assert by_index[10].kind is ConflictKind.INVALID
    assert "must be IPv4" in by_index[10].message
    assert [o.allocation for o in by_index[13].overlaps] == [before[0]]

    # Nothing was stored for a conflicting entry; accepted ones are live.
    after = m.allocations(include_held=True)
    assert len(after) == len(before) + 3
    assert m.whois("10.2.0.17") is not None and m.whois("10.2.0.17") == report.accepted[0]
    assert report.accepted[0].pool == "10.0.0.0/8"
    assert report.accepted[2].pool == "10.1.0.0/24"
    assert m.whois("10.0.0.100") is None


def test_import_is_idempotent_and_bumps_version_only_on_change() -> None:
    m = make()
    entries = [node("10.3.0.0/27", "g:z"), node("fd00:0:0:5::/64", "g:z", Purpose.IPV6)]
    v = m.version
    first = m.import_allocations(entries)
    assert len(first.accepted) == 2 and first.ok and m.version == v + 1
    again = m.import_allocations(entries)
    assert again.accepted == () and len(again.already_present) == 2 and again.ok
    assert m.version == v + 1


def test_import_after_hold_down_expiry_with_now() -> None:
    m = make()
    entry = node("10.0.0.32/28", "g:new")
    assert not m.import_allocations([entry]).ok
    report = m.import_allocations([entry], now=NOW + timedelta(hours=1))
    assert report.ok and report.accepted[0].holder_id == "g:new"


def test_imported_released_allocation_is_held() -> None:
    m = make()
    gone = Allocation("10.4.0.0/27", Purpose.LAN, HolderKind.NODE, "g:old", released_at=NOW)
    assert m.import_allocations([gone]).ok
    assert m.whois("10.4.0.1") is None
    clash = m.import_allocations([node("10.4.0.0/28", "g:n")])
    assert [o.kind for o in clash.conflicts[0].overlaps] == [OverlapKind.HELD]
    again = m.import_allocations([gone])  # re-importing a store dump is a no-op
    assert again.ok and again.accepted == () and again.already_present[0].prefix == gone.prefix
