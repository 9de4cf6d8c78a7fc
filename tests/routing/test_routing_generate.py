"""Synthetic networks: deterministic, geometric, about 4.5 links per node, valid."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import networkx as nx
import pytest

from topology.generate import WHITE_MOUNTAINS, generate_network
from topology.graph import LiveGraph
from topology.model import BBox, LinkType, NetworkModel, Role, Status


@pytest.fixture(scope="module")
def model() -> NetworkModel:
    return generate_network(2000, seed=7)


class TestGenerateNetwork:
    def test_deterministic_per_seed(self, model: NetworkModel) -> None:
        assert generate_network(2000, seed=7) == model
        assert generate_network(2000, seed=8) != model

    def test_valid_model(self, model: NetworkModel) -> None:
        assert model.validate() == []
        assert model.community.slug == "synth"
        assert all(n.id.startswith("synth:") for n in model.nodes)

    def test_size(self, model: NetworkModel) -> None:
        assert len(model.nodes) == 2000
        assert 4.2 <= len(model.links) / len(model.nodes) <= 4.8

    def test_zone_tree_of_towns(self, model: NetworkModel) -> None:
        region = [z for z in model.zones if z.parent_id is None]
        assert [z.id for z in region] == ["region"]
        towns = {z.id: z for z in model.zones if z.parent_id == "region"}
        assert len(towns) >= 3
        for n in model.nodes:
            box = towns[n.zone_id].bbox
            assert box is not None
            assert box.contains(n.position.lat, n.position.lon)
            assert WHITE_MOUNTAINS.contains(n.position.lat, n.position.lon)

    def test_backbone_of_supernodes_is_connected(self, model: NetworkModel) -> None:
        supernodes = {n.id for n in model.nodes if n.role is Role.SUPERNODE}
        assert 0.12 <= len(supernodes) / len(model.nodes) <= 0.22
        backbone = nx.Graph()
        backbone.add_nodes_from(supernodes)
        backbone.add_edges_from(
            (lk.a, lk.b)
            for lk in model.links
            if lk.a in supernodes and lk.b in supernodes and lk.status is not Status.DROPPED
            and lk.status is not Status.INACTIVE
        )  # fmt: skip
        assert nx.is_connected(backbone)
        # each supernode has a few wds links to its neighbours
        degree = Counter(e for lk in model.links if lk.type is LinkType.WDS for e in (lk.a, lk.b))
        assert sum(degree[s] for s in supernodes) / len(supernodes) >= 2.5

    def test_routable_graph_is_mostly_one_piece(self, model: NetworkModel) -> None:
        g = LiveGraph.from_model(model)
        largest = max(nx.connected_components(g.nx_graph), key=len)
        assert len(largest) >= 0.9 * len(model.nodes)

    def test_link_types(self, model: NetworkModel) -> None:
        kinds = Counter(lk.type for lk in model.links)
        assert set(kinds) == {LinkType.WDS, LinkType.AP_CLIENT, LinkType.CABLE, LinkType.MESH}
        # clients hang off supernodes by ap/client links
        roles = {n.id: n.role for n in model.nodes}
        for lk in model.links:
            if lk.type is LinkType.AP_CLIENT:
                assert (roles[lk.a], roles[lk.b]) == (Role.SUPERNODE, Role.CLIENT)
        # some pairs have two links (a wds and a cable)
        pairs = Counter(frozenset((lk.a, lk.b)) for lk in model.links)
        assert any(count > 1 for count in pairs.values())

    def test_gateways(self, model: NetworkModel) -> None:
        gateways = [n for n in model.nodes if n.gateway]
        assert len(gateways) >= 2
        assert all(n.role is Role.SUPERNODE and n.status is Status.WORKING for n in gateways)
        assert len([n for n in generate_network(9000, seed=1).nodes if n.gateway]) == 4

    def test_status_mix(self, model: NetworkModel) -> None:
        nodes = Counter(n.status for n in model.nodes)
        assert nodes[Status.WORKING] > 0.75 * len(model.nodes)
        for some in (Status.PLANNED, Status.BUILDING, Status.TESTING):
            assert nodes[some] > 0
        working = [lk for lk in model.links if lk.status is Status.WORKING]
        assert len(working) > 0.6 * len(model.links)
        measured = [lk for lk in working if lk.metrics.cost is not None]
        assert len(measured) > 0.75 * len(working)
        assert all(lk.metrics.cost is None for lk in model.links if lk.status is not
                   Status.WORKING)  # fmt: skip

    def test_times_only_when_given(self, model: NetworkModel) -> None:
        assert all(n.created is None for n in model.nodes)
        now = datetime(2026, 1, 1, tzinfo=UTC)
        dated = generate_network(50, seed=1, now=now)
        assert all(n.created is not None and n.created <= now for n in dated.nodes)
        seen = [lk.metrics.last_seen for lk in dated.links if lk.metrics.cost is not None]
        assert seen
        assert all(t is not None and t <= now for t in seen)

    @pytest.mark.parametrize("n", [2, 3, 10, 57])
    def test_small_networks(self, n: int) -> None:
        m = generate_network(n, seed=n)
        assert len(m.nodes) == n
        assert m.validate() == []
        assert sum(node.gateway for node in m.nodes) == 2

    def test_options(self) -> None:
        box = BBox(41.3, 2.0, 41.5, 2.3)
        m = generate_network(200, seed=1, community="bcn", bbox=box, towns=2, links_per_node=3)
        assert all(box.contains(n.position.lat, n.position.lon) for n in m.nodes)
        assert len(m.zones) == 3
        assert len(m.links) == 600
        assert m.nodes[0].id.startswith("bcn:")

    def test_bad_arguments(self) -> None:
        with pytest.raises(ValueError, match="at least 2 nodes"):
            generate_network(1, seed=1)
        with pytest.raises(ValueError, match="towns"):
            generate_network(10, seed=1, towns=11)
