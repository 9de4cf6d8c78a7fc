"""The address manager: zone walk-up, growing blocks, hold-down, whois, free space."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from topology.ipam import (
    AddressConflict,
    AddressManager,
    InvalidPrefix,
    OutsidePools,
    PoolExhausted,
    UnknownAllocation,
    UnknownZone,
)
from topology.model import (
    AddressPlan,
    Allocation,
    Community,
    HolderKind,
    NetworkModel,
    Pool,
    Purpose,
    Zone,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)
ZONES = (
    Zone("world", "World"),
    Zone("cat", "Catalunya", parent_id="world"),
    Zone("bcn", "Barcelona", parent_id="cat"),
    Zone("gir", "Girona", parent_id="cat"),
)


def lan(m: AddressManager, zone: str | None, holder: str, plen: int | None = None) -> str:
    r = m.allocate(Purpose.LAN, zone, HolderKind.NODE, holder, NOW, plen)
    return r.allocation.prefix


def test_zone_borrows_growing_blocks_from_the_community() -> None:
    m = AddressManager(AddressPlan(), ZONES)
    sizes = []
    for i in range(8 + 16 + 32 + 64 + 128 + 1):
        r = m.allocate(Purpose.LAN, "bcn", HolderKind.NODE, f"g:n{i}", NOW)
        sizes += [int(p.prefix.split("/")[1]) for p in r.new_pools]
        assert all(p.zone_id == "bcn" and p.purpose is Purpose.LAN for p in r.new_pools)
    assert sizes == [24, 23, 22, 21, 20, 20]
    assert [p.prefix for p in m.pools() if p.zone_id == "bcn"][:2] == [
        "10.0.0.0/24",
        "10.0.2.0/23",  # best fit: the /23 beside the first /24 stays whole for later
    ]
    first = m.holdings("g:n0")[0]
    assert (first.prefix, first.pool, first.allocated_at) == ("10.0.0.0/27", "10.0.0.0/24", NOW)


def test_zone_borrows_from_its_parent_before_the_community() -> None:
    cat_pool = Pool("10.50.0.0/23", Purpose.LAN, "cat")
    m = AddressManager(AddressPlan(), ZONES, [cat_pool])
    r = m.allocate(Purpose.LAN, "bcn", HolderKind.NODE, "g:a", NOW)
    assert r.new_pools == (Pool("10.50.0.0/24", Purpose.LAN, "bcn"),)
    # gir takes cat's other /24; the next bcn block must come from the community.
    m.allocate(Purpose.LAN, "gir", HolderKind.NODE, "g:b", NOW)
    for i in range(7):
        m.allocate(Purpose.LAN, "bcn", HolderKind.NODE, f"g:c{i}", NOW)
    r = m.allocate(Purpose.LAN, "bcn", HolderKind.NODE, "g:d", NOW)
    # Best fit in the community /8: the free /23 left beside cat's pool.
    assert r.new_pools == (Pool("10.50.2.0/23", Purpose.LAN, "bcn"),)
    usage = {u.pool.prefix: u for u in m.free_space()}
    assert usage["10.50.0.0/23"].delegated == 512
    assert usage["10.50.0.0/23"].free == 0


def test_exhaustion_names_zone_purpose_size_and_what_was_searched() -> None:
    m = AddressManager(AddressPlan(ipv4_lan="10.0.0.0/23"), ZONES)
    for i in range(16):  # a /24, then (no /23 left) a second /24: 16 /27s in all
        lan(m, "bcn", f"g:n{i}")
    with pytest.raises(PoolExhausted) as err:
        lan(m, "bcn", "g:late")
    e = err.value
    assert (e.zone_id, e.purpose, e.prefixlen) == ("bcn", "lan", 27)
    text = str(e)
    assert "zone 'bcn'" in text and "/27 lan" in text
    assert "zone bcn (10.0.0.0/24, 10.0.1.0/24)" in text
    assert "community (10.0.0.0/23)" in text
    assert m.allocations() and m.version == 16


def test_hold_down_blocks_reuse_until_it_expires() -> None:
    plan = AddressPlan(ipv4_backbone="172.16.0.0/29", holddown_s=3600)
    m = AddressManager(plan)
    a = m.allocate_link(None, "g:l1", NOW).allocation
    m.allocate_link(None, "g:l2", NOW)
    released = m.release(a.prefix, NOW)
    assert released.released_at == NOW and released.prefix == "172.16.0.0/30"
    assert m.whois("172.16.0.1") is None
    with pytest.raises(PoolExhausted):
        m.allocate_link(None, "g:l3", NOW + timedelta(minutes=59))
    with pytest.raises(UnknownAllocation, match="already released"):
        m.release(a.prefix, NOW)
    r = m.allocate_link(None, "g:l3", NOW + timedelta(hours=1))
    assert r.allocation.prefix == "172.16.0.0/30"


def test_store_round_trip_keeps_held_space_held() -> None:
    plan = AddressPlan(ipv4_lan="10.0.0.0/26", holddown_s=3600)
    m = AddressManager(plan)
    a = lan(m, None, "g:a")
    lan(m, None, "g:b")
    m.release(a, NOW)
    again = AddressManager(plan, (), m.pools(), m.allocations(include_held=True))
    with pytest.raises(PoolExhausted):
        lan(again, None, "g:c", 27)
    assert again.reclaim(NOW + timedelta(hours=1))[0].prefix == a
    assert lan(again, None, "g:c") == a


def test_whois_holdings_and_version() -> None:
    m = AddressManager(AddressPlan(), ZONES)
    v0 = m.version
    node_lan, node_v6 = m.allocate_node("bcn", "g:n1", NOW)
    link = m.allocate_link("bcn", "g:l1", NOW, prefixlen=31)
    assert m.version == v0 + 3
    assert m.whois("10.0.0.17") == node_lan.allocation
    assert m.whois("10.0.0.17/27") == node_lan.allocation  # interface notation
    assert m.whois("fd00::abcd") == node_v6.allocation
    assert m.whois("172.16.0.1") == link.allocation
    assert m.whois("172.16.0.2") is None
    assert m.whois("192.168.1.1") is None
    assert m.holdings("g:n1") == [node_lan.allocation, node_v6.allocation]
    assert link.allocation.prefix == "172.16.0.0/31"
    assert AddressManager.first_host(node_lan.allocation.prefix) == "10.0.0.1"
    assert AddressManager.link_ends(link.allocation.prefix) == ("172.16.0.0", "172.16.0.1")
    m.release(node_lan.allocation.prefix, NOW)
    assert m.whois("10.0.0.17") is None and m.version == v0 + 4


def test_ipv6_zone_and_node_prefixes() -> None:
    m = AddressManager(AddressPlan(), ZONES)
    _, v6a = m.allocate_node("bcn", "g:a", NOW)
    _, v6b = m.allocate_node("gir", "g:b", NOW)
    assert v6a.new_pools == (Pool("fd00::/56", Purpose.IPV6, "bcn"),)
    assert v6a.allocation.prefix == "fd00::/64"
    assert v6b.new_pools == (Pool("fd00:0:0:100::/56", Purpose.IPV6, "gir"),)
    assert v6b.allocation.prefix == "fd00:0:0:100::/64"
    for i in range(255):
        m.allocate(Purpose.IPV6, "bcn", HolderKind.NODE, f"g:x{i}", NOW)
    r = m.allocate(Purpose.IPV6, "bcn", HolderKind.NODE, "g:y", NOW)
    assert r.new_pools == (Pool("fd00:0:0:200::/56", Purpose.IPV6, "bcn"),)  # same size


def test_allocate_node_is_all_or_nothing() -> None:
    plan = AddressPlan(ipv6_ula="fd00::/56")  # too small for a /56 zone block
    m = AddressManager(replace(plan, ipv6_zone_prefixlen=56), ZONES)
    m.allocate(Purpose.IPV6, "gir", HolderKind.NODE, "g:first", NOW)  # gir takes it all
    before = (m.pools(), m.allocations())
    with pytest.raises(PoolExhausted, match="ipv6"):
        m.allocate_node("bcn", "g:n1", NOW)
    assert (m.pools(), m.allocations()) == before  # bcn's new LAN block was given back


def test_free_space_counts_every_pool() -> None:
    m = AddressManager(AddressPlan(holddown_s=60), ZONES)
    a = lan(m, "bcn", "g:a")
    lan(m, "bcn", "g:b", 26)
    m.release(a, NOW)
    usage = {u.pool.prefix: u for u in m.free_space()}
    block = usage["10.0.0.0/24"]
    assert (block.total, block.allocated, block.held, block.free) == (256, 64, 32, 160)
    assert block.largest_free == "10.0.0.128/25" and block.largest_free_prefixlen == 25
    root = usage["10.0.0.0/8"]
    assert (root.allocated, root.delegated) == (0, 256)
    assert {u.pool.prefix for u in m.free_space(NOW + timedelta(minutes=1))} == set(usage)
    assert m.free_space()[1].held == 0


def test_bad_requests_raise_specific_errors() -> None:
    m = AddressManager(AddressPlan(), ZONES)
    with pytest.raises(UnknownZone, match="'mars'"):
        lan(m, "mars", "g:a")
    with pytest.raises(InvalidPrefix, match="/30 or a /31"):
        m.allocate_link("bcn", "g:l", NOW, prefixlen=29)
    with pytest.raises(InvalidPrefix, match=r"0\.\.32"):
        lan(m, "bcn", "g:a", 40)
    with pytest.raises(UnknownAllocation, match="no live allocation"):
        m.release("10.9.9.0/27", NOW)


def test_construction_checks_the_stored_data() -> None:
    plan = AddressPlan()
    a = Allocation("10.0.0.0/27", Purpose.LAN, HolderKind.NODE, "g:a")
    b = Allocation("10.0.0.16/28", Purpose.LAN, HolderKind.NODE, "g:b")
    with pytest.raises(AddressConflict) as err:
        AddressManager(plan, (), (), [a, b])
    assert "10.0.0.16/28 (lan of node g:b)" in str(err.value)
    assert "allocation 10.0.0.0/27 (lan of node g:a)" in str(err.value)
    outside = Allocation("192.168.0.0/24", Purpose.LAN, HolderKind.NODE, "g:c")
    with pytest.raises(OutsidePools, match="no pool at all"):
        AddressManager(plan, (), (), [outside])
    with pytest.raises(AddressConflict, match="different purposes"):
        AddressManager(plan, (), [Pool("10.1.0.0/16", Purpose.BACKBONE, "cat")])
    model = NetworkModel(
        Community("g", "G"),
        zones=ZONES,
        pools=(Pool("10.0.0.0/8", Purpose.LAN), Pool("10.0.0.0/24", Purpose.LAN, "bcn")),
        allocations=(a,),
    )
    m = AddressManager.from_model(model)
    assert m.whois("10.0.0.1") == replace(a, pool="10.0.0.0/24")
    assert lan(m, "bcn", "g:n") == "10.0.0.32/27"
