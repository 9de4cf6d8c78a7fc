"""Address-management persistence: the locked transaction and its handle."""

from __future__ import annotations

import ipaddress
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from topology.model import Allocation, HolderKind, Pool, Purpose
from topology.store import Conflict, IpamTransaction, NotFound, Store, StoreError

if TYPE_CHECKING:
    from conftest import TestDatabase

T0 = datetime(2024, 6, 1, tzinfo=UTC)


def lan(prefix: str, holder: str = "net:n1", released: datetime | None = None) -> Allocation:
    return Allocation(
        prefix, Purpose.LAN, HolderKind.NODE, holder, "10.0.0.0/8", T0, released_at=released
    )


def test_pools_and_allocations_round_trip(store: Store) -> None:
    pools = [Pool("10.0.0.0/8", Purpose.LAN), Pool("fd00::/48", Purpose.IPV6)]
    allocs = [lan("10.0.0.0/27"), lan("10.0.0.32/27", "net:n2"), lan("10.0.0.64/27", "net:n3")]
    with store.ipam_transaction() as tx:
        assert tx.version == 0
        tx.add_pools(pools)
        for a in allocs:
            tx.add_allocation(a)
        assert tx.bump_version() == 1
        assert tx.version == 1
    with store.ipam_transaction() as tx:
        assert tx.version == 1
        assert tx.load_pools() == pools
        assert tx.load_allocations() == allocs
    assert store.ipam_version() == 1


def test_exception_rolls_back(store: Store) -> None:
    with pytest.raises(RuntimeError), store.ipam_transaction() as tx:
        tx.add_allocation(lan("10.0.0.0/27"))
        tx.bump_version()
        raise RuntimeError("allocator bug")
    with store.ipam_transaction() as tx:
        assert tx.version == 0
        assert tx.load_allocations() == []


def test_a_live_prefix_only_once(store: Store) -> None:
    with store.ipam_transaction() as tx:
        tx.add_allocation(lan("10.0.0.0/27"))
        with pytest.raises(Conflict, match="already allocated"):
            tx.add_allocation(lan("10.0.0.0/27", "net:other"))
        # The transaction is still usable after the conflict.
        tx.add_allocation(lan("10.0.0.32/27"))
    with store.ipam_transaction() as tx:
        assert [a.prefix for a in tx.load_allocations()] == ["10.0.0.0/27", "10.0.0.32/27"]
        with pytest.raises(Conflict):  # same network, other spelling
            tx.add_allocation(lan("10.0.0.0/255.255.255.224"))
        with pytest.raises(Conflict):
            tx.add_pools([Pool("10.0.0.0/8", Purpose.LAN), Pool("10.0.0.0/8", Purpose.LAN)])


def test_release_hold_down_and_reuse(store: Store) -> None:
    with store.ipam_transaction() as tx:
        tx.add_allocation(lan("10.0.0.0/27"))
        tx.mark_released("10.0.0.0/27", T0 + timedelta(hours=1))
        with pytest.raises(NotFound):
            tx.mark_released("10.0.0.0/27", T0)  # not live any more
        assert tx.load_allocations(include_released=False) == []
        assert tx.load_allocations() == [lan("10.0.0.0/27", released=T0 + timedelta(hours=1))]
        tx.add_allocation(lan("10.0.0.0/27", "net:n2"))  # after the hold-down: live again
        live = tx.load_allocations(include_released=False)
        assert [a.holder_id for a in live] == ["net:n2"]
        assert tx.delete_allocation("10.0.0.0/27", live=False) == 1
        assert tx.load_allocations() == live
        assert tx.delete_allocation("10.0.0.0/27") == 1
        with pytest.raises(NotFound):
            tx.delete_allocation("10.0.0.0/27")


def test_overlapping(store: Store) -> None:
    with store.ipam_transaction() as tx:
        for p in ("10.0.0.0/27", "10.0.0.32/27", "10.0.1.0/27", "10.0.0.96/30"):
            tx.add_allocation(lan(p))
        tx.add_allocation(lan("10.0.0.64/27", released=T0))
        for p in ("fd00:0:0:1::/64", "fdff:ffff:ffff:ffff::/64", "10.0.0.0/30"):
            tx.add_allocation(lan(p))
        found = [a.prefix for a in tx.overlapping("10.0.0.0/25")]
        assert found == ["10.0.0.0/27", "10.0.0.32/27", "10.0.0.96/30", "10.0.0.0/30"]
        assert len(tx.overlapping("10.0.0.0/25", include_released=True)) == 5
        assert [a.prefix for a in tx.overlapping("10.0.0.0/8")][-1] == "10.0.0.0/30"
        assert [a.prefix for a in tx.overlapping("fd00::/48")] == ["fd00:0:0:1::/64"]
        assert [a.prefix for a in tx.overlapping("fdff:ffff:ffff:ffff:8000::/65")] == [
            "fdff:ffff:ffff:ffff::/64"
        ]
        assert tx.overlapping("::/0")[0].prefix == "fd00:0:0:1::/64"  # families never mix


def test_handle_is_dead_after_the_block(store: Store) -> None:
    with store.ipam_transaction() as tx:
        pass
    with pytest.raises(StoreError, match="has ended"):
        tx.load_allocations()


# --------------------------------------------------------------------------- concurrency

POOL = "10.9.0.0/21"  # 64 /27s
THREADS_PER_STORE = 4
ROUNDS = 6


def allocate_lowest_free(tx: IpamTransaction, holder: str) -> str:
    """A naive allocator: the lowest /27 of the pool that no live allocation overlaps."""
    used = [ipaddress.ip_network(a.prefix) for a in tx.load_allocations(include_released=False)]
    for net in ipaddress.ip_network(POOL).subnets(new_prefix=27):
        if not any(net.overlaps(u) for u in used):
            time.sleep(0.001)  # widen the window a missing lock would leave open
            tx.add_allocation(lan(str(net), holder))
            return str(net)
    raise AssertionError("pool exhausted")


def test_concurrent_allocations_never_collide(db: TestDatabase) -> None:
    stores = [db.open(), db.open()]  # two engines on one database, like two processes
    with stores[0].ipam_transaction() as tx:
        tx.add_pools([Pool(POOL, Purpose.LAN)])
        start = tx.bump_version()
    seen_versions: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(store: Store, name: str) -> None:
        try:
            for r in range(ROUNDS):
                with store.ipam_transaction() as tx:
                    before = tx.version
                    allocate_lowest_free(tx, f"net:{name}-{r}")
                    assert tx.bump_version() == before + 1
                with lock:
                    seen_versions.append(before)
        except BaseException as e:  # reported below, with the thread's name
            errors.append(e)

    threads = [
        threading.Thread(target=worker, args=(s, f"s{i}t{t}"))
        for i, s in enumerate(stores)
        for t in range(THREADS_PER_STORE)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    total = len(stores) * THREADS_PER_STORE * ROUNDS
    # Each transaction saw the one before it committed: versions are a gapless sequence.
    assert sorted(seen_versions) == list(range(start, start + total))
    with stores[1].ipam_transaction() as tx:
        assert tx.version == start + total
        live = tx.load_allocations(include_released=False)
    nets = [ipaddress.ip_network(a.prefix) for a in live]
    assert len(nets) == total
    assert len({a.holder_id for a in live}) == total
    assert sorted(nets) == list(ipaddress.ip_network(POOL).subnets(new_prefix=27))[:total]
    for i, a in enumerate(sorted(nets)):
        for b in sorted(nets)[i + 1 :]:
            assert not a.overlaps(b)


WORKER = """
import ipaddress, sys
from pathlib import Path
from topology.model import Allocation, HolderKind, Purpose
from topology.store import open_store

where, name, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = open_store(url=where) if "://" in where else open_store(Path(where))
for r in range(rounds):
    with store.ipam_transaction() as tx:
        used = [ipaddress.ip_network(a.prefix) for a in tx.load_allocations(False)]
        pool = ipaddress.ip_network(tx.load_pools()[0].prefix)
        net = next(n for n in pool.subnets(new_prefix=27) if not any(n.overlaps(u) for u in used))
        tx.add_allocation(Allocation(str(net), Purpose.LAN, HolderKind.NODE, f"{name}-{r}"))
        tx.bump_version()
store.close()
"""


def test_concurrent_processes_never_collide(db: TestDatabase) -> None:
    store = db.open()
    with store.ipam_transaction() as tx:
        tx.add_pools([Pool(POOL, Purpose.LAN)])
    where = str(db.data_dir) if db.data_dir else str(db.url)
    rounds = 8
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, where, f"p{i}", str(rounds)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(3)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    with store.ipam_transaction() as tx:
        assert tx.version == 3 * rounds
        nets = sorted(ipaddress.ip_network(a.prefix) for a in tx.load_allocations())
    assert nets == list(ipaddress.ip_network(POOL).subnets(new_prefix=27))[: 3 * rounds]
