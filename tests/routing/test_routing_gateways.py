"""Nearest gateway of every node, and what-if analyses of a node or link going down."""

from __future__ import annotations

import pytest

from topology.graph import LiveGraph
from topology.model import Link, LinkMetrics, LinkType, Node, Position, Status
from topology.routing import (
    UnknownLink,
    UnknownNode,
    nearest_gateways,
    what_if_remove_link,
    what_if_remove_node,
)


def node(name: str, gateway: bool = False, status: Status = Status.WORKING) -> Node:
    return Node(f"c:{name}", name, "z", Position(44.5, -71.5), status, gateway=gateway)


def link(a: str, b: str, cost: float, kind: LinkType = LinkType.WDS, name: str = "") -> Link:
    return Link(f"c:{name or a + b}", f"c:{a}", f"c:{b}", kind, Status.WORKING,
                LinkMetrics(cost=cost))  # fmt: skip


def two_towns() -> LiveGraph:
    #  G1 --1-- a --1-- b --4-- c --1-- G2        island: x -- y (no gateway)
    #           |               |
    #           +------ h ------+   (2 + 2; h is the hub between the towns)
    #                   |
    #                   t  (t hangs off h only)
    return LiveGraph(
        [node("G1", True), node("G2", True)] + [node(x) for x in "abchtxy"],
        [
            link("G1", "a", 1), link("a", "b", 1), link("b", "c", 4), link("c", "G2", 1),
            link("a", "h", 2), link("h", "c", 2), link("h", "t", 1), link("x", "y", 1),
        ],
    )  # fmt: skip


class TestNearestGateways:
    def test_every_node_gets_its_nearest(self) -> None:
        found = nearest_gateways(two_towns())
        assert found.gateways == ("c:G1", "c:G2")
        assert {n: found.of(n) for n in ("c:G1", "c:G2", "c:a", "c:b", "c:c")} == {
            "c:G1": "c:G1",  # a gateway is its own, at cost 0
            "c:G2": "c:G2",
            "c:a": "c:G1",
            "c:b": "c:G1",  # 2 to G1, 5 to G2
            "c:c": "c:G2",
        }
        assert found.of("c:h") in ("c:G1", "c:G2")  # 3 to either: a tie
        assert found.of("c:t") == found.of("c:h")
        assert found.cost["c:b"] == 2.0
        assert found.cost["c:G2"] == 0.0
        assert found.cost["c:t"] == 4.0
        assert found.unreachable == ("c:x", "c:y")
        assert found.of("c:x") is None

    def test_inactive_gateways_do_not_count(self) -> None:
        g = two_towns()
        g.update_node(node("G2", True, Status.INACTIVE))
        found = nearest_gateways(g)
        assert found.gateways == ("c:G1",)
        assert found.of("c:c") == "c:G1"
        assert "c:G2" in found.unreachable

    def test_explicit_gateways(self) -> None:
        found = nearest_gateways(two_towns(), gateways=["c:x"])
        assert found.of("c:y") == "c:x"
        assert len(found.unreachable) == 7
        with pytest.raises(UnknownNode):
            nearest_gateways(two_towns(), gateways=["c:nope"])

    def test_no_gateway_at_all(self) -> None:
        found = nearest_gateways(LiveGraph([node("a"), node("b")], [link("a", "b", 1)]))
        assert found.gateways == ()
        assert found.unreachable == ("c:a", "c:b")

    def test_memoised_per_version(self) -> None:
        g = two_towns()
        first = nearest_gateways(g)
        assert nearest_gateways(g) is first
        g.update_metrics("c:ab", LinkMetrics(cost=10.0))
        again = nearest_gateways(g)
        assert again is not first
        assert again.of("c:b") == "c:G2"  # 10 + 1 to G1 now, 5 to G2


class TestWhatIfRemoveNode:
    def test_hub_removal_cuts_off_its_leaf(self) -> None:
        w = what_if_remove_node(two_towns(), "c:h")
        assert w.lost_reach == ("c:t",)  # t's only way in was h
        assert w.lost_gateway == ("c:t",)
        assert dict(w.changed_gateway) == {}
        assert (w.components_before, w.components_after) == (2, 3)  # t is a new island
        assert not w.harmless

    def test_splitting_the_graph_in_two(self) -> None:
        # a line g - m - p - q: removing m leaves {g} and {p, q}: the larger piece keeps
        # going, g loses reach to it; p and q lose the gateway.
        g = LiveGraph(
            [node("g", True), node("m"), node("p"), node("q")],
            [link("g", "m", 1), link("m", "p", 1), link("p", "q", 1)],
        )
        w = what_if_remove_node(g, "c:m")
        assert w.lost_reach == ("c:g",)
        assert w.lost_gateway == ("c:p", "c:q")

    def test_gateway_removal_moves_nodes_to_the_other_gateway(self) -> None:
        w = what_if_remove_node(two_towns(), "c:G1")
        assert w.lost_reach == ()
        assert w.lost_gateway == ()
        assert w.changed_gateway["c:a"] == ("c:G1", "c:G2")
        assert w.changed_gateway["c:b"] == ("c:G1", "c:G2")
        assert "c:c" not in w.changed_gateway  # already on G2
        assert "c:G1" not in w.changed_gateway  # the removed node is never listed

    def test_leaf_removal_is_harmless(self) -> None:
        w = what_if_remove_node(two_towns(), "c:t")
        assert w.harmless
        assert w.components_after == 2

    def test_the_live_graph_is_left_alone(self) -> None:
        g = two_towns()
        version, nnz = g.version, g.csr().matrix.nnz
        what_if_remove_node(g, "c:h")
        assert (g.version, g.csr().matrix.nnz) == (version, nnz)
        assert g.route_cost("c:h", "c:t") == 1.0

    def test_unknown(self) -> None:
        with pytest.raises(UnknownNode):
            what_if_remove_node(two_towns(), "c:nope")


class TestWhatIfRemoveLink:
    def test_link_removal_cuts_a_gateway(self) -> None:
        # G -- a -- b: the a-b link is b's only way out.
        g = LiveGraph(
            [node("G", True), node("a"), node("b")], [link("G", "a", 1), link("a", "b", 1)]
        )
        w = what_if_remove_link(g, "c:ab")
        assert (w.kind, w.removed) == ("link", "c:ab")
        assert w.lost_reach == ("c:b",)
        assert w.lost_gateway == ("c:b",)
        assert w.components_after == 2
        assert g.route_cost("c:a", "c:b") == 1.0  # unchanged

    def test_a_parallel_link_takes_over(self) -> None:
        g = LiveGraph(
            [node("G", True), node("a")],
            [link("G", "a", 1, LinkType.CABLE, "cable"), link("G", "a", 5, name="wds")],
        )
        assert what_if_remove_link(g, "c:cable").harmless  # the wds still joins them
        assert what_if_remove_link(g, "c:wds").harmless  # not even used

    def test_link_removal_changes_the_gateway(self) -> None:
        w = what_if_remove_link(two_towns(), "c:G1a")
        assert w.lost_reach == ("c:G1",)  # G1 is cut off alone
        assert w.changed_gateway["c:a"] == ("c:G1", "c:G2")
        assert w.changed_gateway["c:b"] == ("c:G1", "c:G2")
        assert w.lost_gateway == ()

    def test_unrouted_link(self) -> None:
        g = two_towns()
        g.add_link(Link("c:dead", "c:x", "c:G1", LinkType.WDS, Status.DROPPED))
        assert what_if_remove_link(g, "c:dead").harmless

    def test_unknown(self) -> None:
        with pytest.raises(UnknownLink):
            what_if_remove_link(two_towns(), "c:nope")
