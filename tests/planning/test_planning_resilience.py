"""Resilience on hand-built graphs with known articulation points and bridges."""

from __future__ import annotations

from topology.graph import LiveGraph
from topology.model import Link, Node, Position, Role, Status
from topology.planning import analyse_resilience


def node(local: str, lat: float, gateway: bool = False) -> Node:
    return Node(f"c:{local}", local, "z", Position(lat, -71.2, 10), Status.WORKING,
                Role.SUPERNODE, gateway=gateway)


def link(a: str, b: str) -> Link:
    return Link(f"c:{a}-{b}", f"c:{a}", f"c:{b}", status=Status.WORKING)


def graph() -> LiveGraph:
    # Two gateways g1, g2 in a ring g1-a-g2-b-g1; c hangs off a; d and e hang off c
    # in a chain; f hangs off b.
    #   articulation points: a (c, d, e behind it), c (d, e), d (e), b (f)
    #   bridges: a-c, c-d, d-e, b-f
    nodes = [node("g1", 44.40, True), node("a", 44.41), node("g2", 44.42, True),
             node("b", 44.43), node("c", 44.44), node("d", 44.45), node("e", 44.46),
             node("f", 44.47)]
    links = [link("g1", "a"), link("a", "g2"), link("g2", "b"), link("b", "g1"),
             link("a", "c"), link("c", "d"), link("d", "e"), link("b", "f")]
    return LiveGraph(nodes, links)


class TestResilience:
    def test_articulation_points_and_bridges(self) -> None:
        r = analyse_resilience(graph())
        assert r.articulation_points == ("c:a", "c:b", "c:c", "c:d")
        assert r.bridges == ("c:a-c", "c:b-f", "c:c-d", "c:d-e")
        assert r.single_path == ("c:c", "c:d", "c:e", "c:f")
        assert r.gateways == ("c:g1", "c:g2")

    def test_failures_ranked_by_impact(self) -> None:
        r = analyse_resilience(graph())
        ranked = [(f.kind, f.id, f.cut_nodes) for f in r.failures[:3]]
        assert ranked[0] == ("node", "c:a", ("c:c", "c:d", "c:e"))
        assert ranked[1] == ("link", "c:a-c", ("c:c", "c:d", "c:e"))
        assert ranked[2][1] == "c:c"
        # a gateway's failure cuts nobody off: the ring reaches the other one
        assert all(f.id not in {"c:g1", "c:g2"} for f in r.failures)

    def test_demand_counts_only_when_every_server_is_down(self) -> None:
        served = {"h1": ["c:e"], "h2": ["c:e", "c:g2"], "h3": ["c:f"]}
        r = analyse_resilience(graph(), served=served, weights={"h1": 4, "h3": 1})
        by_id = {f.id: f for f in r.failures}
        assert by_id["c:a"].cut_demand == ("h1",)  # h2 still has g2
        assert by_id["c:a"].cut_weight == 4
        assert by_id["c:e"].cut_demand == ("h1",)  # e only serves: it is no cut vertex

    def test_recommendation_mends_the_worst_failure(self) -> None:
        r = analyse_resilience(graph())
        rec = r.recommendation
        assert rec is not None and rec.failure.id == "c:a"
        # c is the nearest cut-off supernode to a node that keeps a gateway (b, g2...)
        assert rec.a in {"c:c", "c:d", "c:e"} and rec.b not in {"c:a", "c:c", "c:d", "c:e"}
        assert set(rec.reconnects) == {"c:c", "c:d", "c:e"}
        refused = analyse_resilience(graph(), check_link=lambda a, b: False)
        assert refused.recommendation is None

    def test_no_single_point_of_failure_in_a_ring(self) -> None:
        nodes = [node("g1", 44.40, True), node("a", 44.41), node("b", 44.42)]
        g = LiveGraph(nodes, [link("g1", "a"), link("a", "b"), link("b", "g1")])
        r = analyse_resilience(g)
        assert r.articulation_points == () and r.bridges == () and r.single_path == ()
        assert r.recommendation is None
