"""The buddy allocator on its own: split, coalesce, best fit, hold-down, IPv6."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from topology.ipam import (
    AddressConflict,
    BlockState,
    BuddyPool,
    InvalidPrefix,
    OutsidePools,
    UnknownAllocation,
    first_host,
    link_ends,
    parse_prefix,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)
DAY = 24 * 3600


def test_allocations_are_lowest_first_and_split_the_pool() -> None:
    pool = BuddyPool("10.0.0.0/24")
    assert [pool.allocate(27) for _ in range(3)] == [
        "10.0.0.0/27",
        "10.0.0.32/27",
        "10.0.0.64/27",
    ]
    # The /24 was split into /25, /26 and /27 halves; the free leaves are what remains.
    free = [(n, p) for n, p, s in pool.blocks() if s is BlockState.FREE]
    assert [p for _, p in free] == [27, 25]
    assert pool.verify() == []


def test_best_fit_keeps_big_blocks_whole() -> None:
    pool = BuddyPool("10.0.0.0/24")
    a = pool.allocate(26)
    pool.allocate(26)
    assert a is not None
    pool.release(a, NOW, 0)  # frees 10.0.0.0/26 at once
    # A /30 fits in the free /26 (lowest) and in the free /25; best fit takes the /26.
    assert pool.allocate(30) == "10.0.0.0/30"
    assert pool.stats().largest_free == "10.0.0.128/25"


def test_release_coalesces_buddies_back_into_the_whole_pool() -> None:
    pool = BuddyPool("10.0.0.0/24")
    got = [pool.allocate(27) for _ in range(8)]
    assert pool.allocate(27) is None
    assert not pool.has_free
    for prefix in reversed(got):
        assert prefix is not None
        pool.release(prefix, NOW, 0)
        assert pool.verify() == []
    assert list(pool.blocks()) == [(parse_prefix("10.0.0.0/24")[1], 24, BlockState.FREE)]
    assert pool.stats().largest_free == "10.0.0.0/24"


def test_hold_down_keeps_space_until_expiry() -> None:
    pool = BuddyPool("10.0.0.0/29")
    first = pool.allocate(30)
    assert first == "10.0.0.0/30"
    until = pool.release(first, NOW, DAY)
    assert until == NOW + timedelta(days=1)
    assert pool.stats().held == 4
    assert pool.allocate(30) == "10.0.0.4/30"
    assert pool.allocate(30) is None  # the held /30 is not reused
    assert pool.reclaim(NOW + timedelta(hours=23)) == []
    assert pool.reclaim(NOW + timedelta(days=1)) == [(parse_prefix(first)[1], 30)]
    assert pool.allocate(30) == first
    assert pool.verify() == []


def test_reserve_reports_what_it_overlaps() -> None:
    pool = BuddyPool("10.0.0.0/24")
    pool.reserve("10.0.0.64/27")
    pool.reserve("10.0.0.96/30")
    pool.release("10.0.0.96/30", NOW, DAY)
    with pytest.raises(AddressConflict) as err:
        pool.reserve("10.0.0.64/26")
    assert err.value.parties == ("10.0.0.64/27 (used)", "10.0.0.96/30 (held)")
    with pytest.raises(AddressConflict, match=r"10\.0\.0\.64/27 \(used\)"):
        pool.reserve("10.0.0.65/32")
    with pytest.raises(OutsidePools, match=r"pool 10\.0\.0\.0/24"):
        pool.reserve("10.0.1.0/27")
    pool.reserve("10.0.0.0/26")
    assert pool.stats().used == 64 + 32
    assert pool.verify() == []


def test_errors_name_the_prefix() -> None:
    pool = BuddyPool("10.0.0.0/24")
    with pytest.raises(UnknownAllocation, match=r"10\.0\.0\.0/27"):
        pool.release("10.0.0.0/27", NOW, 0)
    with pytest.raises(InvalidPrefix, match="host bits"):
        BuddyPool("10.0.0.1/24")
    with pytest.raises(InvalidPrefix, match="needs a length"):
        BuddyPool("10.0.0.0")
    with pytest.raises(InvalidPrefix, match="'nonsense/8'"):
        BuddyPool("nonsense/8")
    with pytest.raises(InvalidPrefix):
        pool.allocate(33)
    assert pool.allocate(23) is None  # bigger than the pool: does not fit


def test_ipv6_pool_is_sparse_and_exact() -> None:
    pool = BuddyPool("fd00::/48")
    assert pool.allocate(56) == "fd00::/56"
    assert pool.allocate(64) == "fd00:0:0:100::/64"
    assert pool.contains("fd00:0:0:100::/64")
    assert not pool.contains("fd01::/64")
    stats = pool.stats()
    assert stats.total == 2**80
    assert stats.used == 2**72 + 2**64
    assert len(list(pool.blocks())) < 20  # only the split path is stored
    assert pool.verify() == []


def test_slash_31_and_host_helpers() -> None:
    pool = BuddyPool("172.16.0.0/30")
    assert pool.allocate(31) == "172.16.0.0/31"
    assert pool.allocate(31) == "172.16.0.2/31"
    assert link_ends("172.16.0.2/31") == ("172.16.0.2", "172.16.0.3")
    assert link_ends("172.25.41.176/30") == ("172.25.41.177", "172.25.41.178")
    assert first_host("10.139.173.64/27") == "10.139.173.65"
    assert first_host("fd00:0:0:1::/64") == "fd00:0:0:1::1"
    assert first_host("10.0.0.7/32") == "10.0.0.7"
    with pytest.raises(InvalidPrefix):
        link_ends("10.0.0.7/32")
