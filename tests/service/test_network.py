"""CommunityNetwork: store first, then memory; addresses under the store's lock."""

from __future__ import annotations

import ipaddress
import itertools
import multiprocessing as mp
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_INVENTORY
from topology.inventory import load_inventory
from topology.ipam import UnknownAllocation
from topology.model import (
    Allocation,
    HolderKind,
    LinkMetrics,
    NetworkModel,
    Purpose,
    Status,
)
from topology.network import CommunityNetwork, ImportRejected, NetworkError
from topology.store import StoreError, open_store


class Clock:
    """A clock the test moves by hand (hold-down is a day)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def sample() -> NetworkModel:
    return load_inventory(SAMPLE_INVENTORY)


@pytest.fixture
def net(tmp_path: Path, sample: NetworkModel) -> CommunityNetwork:
    n = CommunityNetwork(open_store(tmp_path / "data"), clock=Clock())
    n.import_model(sample)
    return n


def _overlaps(allocs: list[Allocation]) -> list[tuple[str, str]]:
    nets = sorted(
        (ipaddress.ip_network(a.prefix) for a in allocs),
        key=lambda n: (n.version, int(n.network_address)),
    )
    return [
        (str(a), str(b))
        for a, b in itertools.pairwise(nets)
        if a.version == b.version and a.overlaps(b)
    ]


class TestImport:
    def test_sample_is_stored_and_graphed(
        self, net: CommunityNetwork, sample: NetworkModel
    ) -> None:
        assert len(net.graph.nodes) == len(sample.nodes) >= 30
        assert net.model() == sample  # the store gives back exactly what was imported

    def test_second_import_is_refused_without_replace(
        self, net: CommunityNetwork, sample: NetworkModel
    ) -> None:
        with pytest.raises(NetworkError, match="already holds"):
            net.import_model(sample)

    def test_conflicting_allocations_refuse_the_whole_import(
        self, tmp_path: Path, sample: NetworkModel
    ) -> None:
        gw = next(n for n in sample.nodes if n.gateway)
        lan = next(a for a in sample.allocations if a.purpose is Purpose.LAN)
        clash = replace(lan, holder_id=gw.id if gw.id != lan.holder_id else sample.nodes[0].id)
        bad = replace(sample, allocations=(*sample.allocations, clash))
        n = CommunityNetwork(open_store(tmp_path / "d2"))
        with pytest.raises(ImportRejected) as err:
            n.import_model(bad)
        assert lan.prefix in str(err.value)
        assert not n.graph.nodes  # nothing stored, nothing in memory
        assert CommunityNetwork(open_store(tmp_path / "d2")).graph.nodes == {}


class TestAddresses:
    def test_every_node_and_p2p_link_gets_space_without_overlap(
        self, net: CommunityNetwork
    ) -> None:
        got = net.assign_missing_addresses()
        assert got.node_prefixes
        allocs = net.allocations()
        assert _overlaps(allocs) == []
        for node in net.graph.nodes.values():
            purposes = {a.purpose for a in net.holdings(node.id)}
            assert purposes == {Purpose.LAN, Purpose.IPV6}, node.id
            lan = next(a for a in net.holdings(node.id) if a.purpose is Purpose.LAN)
            assert lan.prefix.endswith("/27")
        # Running it again allocates nothing more.
        again = net.assign_missing_addresses()
        assert again.node_prefixes == () and again.link_prefixes == ()

    def test_whois_and_release_with_holddown(self, net: CommunityNetwork, tmp_path: Path) -> None:
        node = next(iter(net.graph.nodes))
        a = net.allocate(Purpose.LAN, HolderKind.NODE, node, zone_id=net.zone_of(node))
        host = str(ipaddress.ip_network(a.prefix)[5])
        assert net.whois(host) == a
        net.release(a.prefix)
        assert net.whois(host) is None
        with pytest.raises(UnknownAllocation):
            net.release(a.prefix)
        # During the hold-down the space is not handed out again ...
        b = net.allocate(Purpose.LAN, HolderKind.NODE, node, zone_id=net.zone_of(node))
        assert b.prefix != a.prefix
        # ... and after it, it is (lowest address first), across a restart of the service.
        clock = Clock()
        clock.now = clock.now + timedelta(days=2)
        reopened = CommunityNetwork(open_store(tmp_path / "data"), clock=clock)
        c = reopened.allocate(Purpose.LAN, HolderKind.NODE, node, zone_id=net.zone_of(node))
        assert c.prefix == a.prefix

    def test_two_services_on_one_store_never_overlap(
        self, net: CommunityNetwork, tmp_path: Path
    ) -> None:
        other = CommunityNetwork(open_store(tmp_path / "data"))
        node = next(iter(net.graph.nodes))
        zone = net.zone_of(node)
        got = []
        for i in range(20):
            side = net if i % 2 else other  # each sees the other's writes via the version
            got.append(side.allocate(Purpose.LAN, HolderKind.NODE, node, zone_id=zone))
        assert _overlaps(net.allocations()) == []
        assert len({a.prefix for a in got}) == 20


def _allocate_in_process(data_dir: str, node: str, zone: str, count: int) -> list[str]:
    n = CommunityNetwork(open_store(Path(data_dir)))
    return [
        n.allocate(Purpose.LAN, HolderKind.NODE, node, zone_id=zone).prefix for _ in range(count)
    ]


def test_concurrent_processes_never_get_overlapping_space(
    net: CommunityNetwork, tmp_path: Path
) -> None:
    node = next(iter(net.graph.nodes))
    zone = net.zone_of(node)
    assert zone is not None
    ctx = mp.get_context("spawn")
    with ctx.Pool(3) as pool:
        results = pool.starmap(_allocate_in_process, [(str(tmp_path / "data"), node, zone, 15)] * 3)
    prefixes = [p for r in results for p in r]
    assert len(set(prefixes)) == 45
    assert _overlaps(net.allocations()) == []


class TestChanges:
    def test_status_change_is_durable_and_bumps_the_graph(
        self, net: CommunityNetwork, tmp_path: Path
    ) -> None:
        node = next(n for n in net.graph.nodes.values() if n.status is Status.PLANNED)
        before = net.graph.version
        net.set_node_status(node.id, Status.WORKING)
        assert net.graph.version > before
        again = CommunityNetwork(open_store(tmp_path / "data"))
        assert again.graph.node(node.id).status is Status.WORKING

    def test_metrics_update_moves_routes(self, net: CommunityNetwork) -> None:
        link = next(lk for lk in net.graph.links.values() if lk.status is Status.WORKING)
        net.update_link_metrics(link.id, LinkMetrics(cost=7.5))
        assert net.graph.cost_of(net.graph.link(link.id)) == 7.5
        path = net.route(link.a, link.b)
        assert path.total_cost <= 7.5

    def test_refused_write_leaves_memory_untouched(self, net: CommunityNetwork) -> None:
        node = next(iter(net.graph.nodes.values()))
        with pytest.raises(NetworkError, match="zone 'nowhere' does not exist"):
            net.put_node(replace(node, zone_id="nowhere"))
        assert net.graph.node(node.id).zone_id == node.zone_id

    def test_unknown_ids_are_clear_errors(self, net: CommunityNetwork) -> None:
        with pytest.raises(NetworkError, match="node 'androscoggin:nope' does not exist"):
            net.resolve_node("nope")
        with pytest.raises((NetworkError, StoreError)):
            net.set_link_status("androscoggin:nope", Status.WORKING)


class TestRouting:
    def test_route_table_gateways_and_whatif(self, net: CommunityNetwork) -> None:
        net.assign_missing_addresses()
        gws = net.gateways()
        assert len(gws.gateways) == 2
        working = [n for n, node in net.graph.nodes.items() if node.status is Status.WORKING]
        for n in working:
            assert gws.of(n) is not None, f"{n} is Working but reaches no gateway"
        table = net.routing_table(gws.gateways[0])
        assert table["type"] == "NetworkRoutes" and table["routes"]
        # Losing a gateway node cuts nobody off while the other gateway is reachable.
        result = net.what_if(node=gws.gateways[0])
        assert gws.gateways[0] in result.removed


class TestImportAllocations:
    def test_conflicts_are_reported_and_only_clean_entries_stored(
        self, net: CommunityNetwork, tmp_path: Path
    ) -> None:
        node = next(iter(net.graph.nodes))
        taken = next(a for a in net.allocations() if a.purpose is Purpose.LAN)
        inside = str(next(ipaddress.ip_network(taken.prefix).subnets(new_prefix=28)))
        entries = [
            Allocation("10.228.200.0/27", Purpose.LAN, HolderKind.NODE, node),  # free: stored
            Allocation(inside, Purpose.LAN, HolderKind.NODE, node),  # inside a taken /27
            Allocation("192.0.2.0/27", Purpose.LAN, HolderKind.NODE, node),  # outside pools
        ]
        report = net.import_allocations(entries)
        assert [a.prefix for a in report.accepted] == ["10.228.200.0/27"]
        assert [c.index for c in report.conflicts] == [1, 2]
        assert taken.prefix in report.conflicts[0].message
        assert "outside every lan pool" in report.conflicts[1].message
        again = CommunityNetwork(open_store(tmp_path / "data"))
        assert again.whois("10.228.200.7") is not None
        assert again.whois(inside.split("/")[0]) == taken
        assert again.whois("192.0.2.1") is None
