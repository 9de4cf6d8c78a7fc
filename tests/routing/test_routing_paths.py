"""Shortest paths and their hop-by-hop explanation."""

from __future__ import annotations

import pytest

from topology.graph import LiveGraph
from topology.model import Link, LinkMetrics, LinkType, Node, Position, Status
from topology.routing import (
    NoRoute,
    RoutingError,
    UnknownNode,
    explain_path,
    shortest_path,
    shortest_path_cost,
)


def node(name: str, status: Status = Status.WORKING) -> Node:
    return Node(f"c:{name}", name, "z", Position(44.5, -71.5), status)


def link(
    name: str,
    a: str,
    b: str,
    kind: LinkType = LinkType.WDS,
    status: Status = Status.WORKING,
    metrics: LinkMetrics | None = None,
) -> Link:
    return Link(f"c:{name}", f"c:{a}", f"c:{b}", kind, status, metrics or LinkMetrics())


def chain() -> LiveGraph:
    #  a ==cable 1== b --wds 2.0 measured-- c --mesh 10 (static)-- d      e (alone)
    #  a --wds 5-- b as well (parallel, unused)
    return LiveGraph(
        [node(x) for x in "abcde"],
        [
            link("ab-cable", "a", "b", LinkType.CABLE),
            link("ab-wds", "a", "b", LinkType.WDS),
            link("bc", "b", "c", metrics=LinkMetrics(cost=2.0, signal_dbm=-61.0, rate_mbps=144.4)),
            link("cd", "c", "d", LinkType.MESH),
        ],
    )


class TestShortestPath:
    def test_cheapest_path(self) -> None:
        assert shortest_path(chain(), "c:a", "c:d") == ["c:a", "c:b", "c:c", "c:d"]
        assert shortest_path_cost(chain(), "c:a", "c:d") == 13.0

    def test_cheaper_detour_beats_fewer_hops(self) -> None:
        g = chain()
        g.add_link(link("ad", "a", "d", LinkType.WDS, Status.TESTING))  # 105: too dear
        assert shortest_path(g, "c:a", "c:d") == ["c:a", "c:b", "c:c", "c:d"]
        g.update_metrics("c:ad", LinkMetrics(cost=4.0))  # now measured: one cheap hop
        assert shortest_path(g, "c:a", "c:d") == ["c:a", "c:d"]

    def test_to_itself(self) -> None:
        assert shortest_path(chain(), "c:a", "c:a") == ["c:a"]

    def test_unknown_nodes(self) -> None:
        with pytest.raises(UnknownNode, match="'c:zz' is not in the network graph"):
            shortest_path(chain(), "c:zz", "c:a")
        with pytest.raises(UnknownNode):
            shortest_path(chain(), "c:a", "c:zz")

    def test_no_route(self) -> None:
        with pytest.raises(NoRoute, match="no route from 'c:a' to 'c:e'"):
            shortest_path(chain(), "c:a", "c:e")
        with pytest.raises(RoutingError):
            shortest_path_cost(chain(), "c:a", "c:e")

    def test_dropped_link_does_not_route(self) -> None:
        g = chain()
        g.update_link(link("cd", "c", "d", LinkType.MESH, Status.DROPPED))
        with pytest.raises(NoRoute):
            shortest_path(g, "c:a", "c:d")

    def test_hops_are_not_limited(self) -> None:
        # Guifi's search stops at 10 hops; ours does not.
        names = [f"n{i}" for i in range(25)]
        g = LiveGraph(
            [node(x) for x in names],
            [link(f"l{i}", names[i], names[i + 1]) for i in range(24)],
        )
        assert len(shortest_path(g, "c:n0", "c:n24")) == 25
        assert explain_path(g, "c:n0", "c:n24").hop_count == 24


class TestExplainPath:
    def test_hop_by_hop(self) -> None:
        p = explain_path(chain(), "c:a", "c:d")
        assert p.nodes == ("c:a", "c:b", "c:c", "c:d")
        assert [h.link_id for h in p.hops] == ["c:ab-cable", "c:bc", "c:cd"]
        first, second, third = p.hops
        assert (first.type, first.cost, first.measured, first.parallel_links) == (
            LinkType.CABLE,
            1.0,
            False,
            2,  # the cable won over the wds
        )
        assert (second.cost, second.measured, second.signal_dbm, second.rate_mbps) == (
            2.0,
            True,
            -61.0,
            144.4,
        )
        assert (third.source, third.target, third.status) == ("c:c", "c:d", Status.WORKING)
        assert p.total_cost == 13.0
        assert p.hop_count == 3

    def test_bottleneck_is_the_costliest_hop(self) -> None:
        p = explain_path(chain(), "c:a", "c:d")
        assert p.bottleneck is not None
        assert p.bottleneck.link_id == "c:cd"  # the static mesh hop, cost 10

    def test_bottleneck_tie_is_the_first_hop(self) -> None:
        g = LiveGraph(
            [node(x) for x in "xyz"],
            [link("xy", "x", "y"), link("yz", "y", "z")],  # both wds, 5 each
        )
        bottleneck = explain_path(g, "c:x", "c:z").bottleneck
        assert bottleneck is not None
        assert bottleneck.link_id == "c:xy"

    def test_walking_backwards(self) -> None:
        p = explain_path(chain(), "c:d", "c:a")
        assert (p.hops[0].source, p.hops[0].target) == ("c:d", "c:c")
        assert p.total_cost == 13.0

    def test_empty_path(self) -> None:
        p = explain_path(chain(), "c:b", "c:b")
        assert p.hops == ()
        assert p.bottleneck is None
        assert p.total_cost == 0.0

    def test_describe(self) -> None:
        text = explain_path(chain(), "c:a", "c:d").describe()
        assert text.splitlines()[0] == "c:a -> c:d: 3 hops, total cost 13"
        assert "signal -61 dBm, 144.4 Mbit/s" in text
        assert text.splitlines()[-1].endswith("(static cost) <- bottleneck")

    def test_errors(self) -> None:
        with pytest.raises(NoRoute):
            explain_path(chain(), "c:e", "c:a")
        with pytest.raises(UnknownNode):
            explain_path(chain(), "c:a", "c:nope")

    def test_follows_the_graph_version(self) -> None:
        g = chain()
        assert explain_path(g, "c:a", "c:d").total_cost == 13.0
        g.update_metrics("c:cd", LinkMetrics(cost=1.0))
        p = explain_path(g, "c:a", "c:d")
        assert (p.total_cost, p.version) == (4.0, g.version)
        assert p.bottleneck is not None
        assert p.bottleneck.link_id == "c:bc"
