"""LiveGraph: incremental updates, parallel links, version counters, the cached CSR."""

from __future__ import annotations

import math
from collections.abc import Callable

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from topology.graph import LiveGraph, first_hops
from topology.model import Link, LinkMetrics, LinkType, Node, Position, Status
from topology.routing import DuplicateId, UnknownLink, UnknownNode


def node(name: str, status: Status = Status.WORKING, gateway: bool = False) -> Node:
    return Node(f"c:{name}", name.upper(), "z", Position(44.5, -71.5), status, gateway=gateway)


def link(
    name: str,
    a: str,
    b: str,
    kind: LinkType = LinkType.WDS,
    status: Status = Status.WORKING,
    cost: float | None = None,
) -> Link:
    return Link(f"c:{name}", f"c:{a}", f"c:{b}", kind, status, LinkMetrics(cost=cost))


def triangle() -> LiveGraph:
    #   a --1-- b --1-- c      cables; a-c is a wds (5)
    #    \_______5_____/
    return LiveGraph(
        [node("a"), node("b"), node("c")],
        [
            link("ab", "a", "b", LinkType.CABLE),
            link("bc", "b", "c", LinkType.CABLE),
            link("ac", "a", "c", LinkType.WDS),
        ],
    )


def dense(graph: LiveGraph) -> dict[tuple[str, str], float]:
    """The CSR matrix as {(id, id): cost}, to compare graphs indexed differently."""
    view = graph.csr()
    coo = view.matrix.tocoo()
    return {
        (view.ids[i], view.ids[j]): float(w)
        for i, j, w in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True)
    }


def edges(graph: LiveGraph) -> dict[frozenset[str], tuple[str, float]]:
    return {
        frozenset((u, v)): (d["link"], d["weight"]) for u, v, d in graph.nx_graph.edges(data=True)
    }


class TestConstruction:
    def test_from_model_holds_every_node_and_link(self) -> None:
        g = triangle()
        assert len(g) == 3
        assert set(g.links) == {"c:ab", "c:bc", "c:ac"}
        assert g.nx_graph.number_of_edges() == 3
        assert g.version == 0

    def test_duplicate_ids_are_refused(self) -> None:
        with pytest.raises(DuplicateId):
            LiveGraph([node("a"), node("a")])
        with pytest.raises(DuplicateId):
            LiveGraph([node("a"), node("b")], [link("x", "a", "b"), link("x", "b", "a")])
        g = triangle()
        with pytest.raises(DuplicateId):
            g.add_node(node("a"))
        with pytest.raises(DuplicateId):
            g.add_link(link("ab", "a", "c"))

    def test_unknown_ids(self) -> None:
        g = triangle()
        with pytest.raises(UnknownNode, match="c:zz"):
            g.node("c:zz")
        with pytest.raises(UnknownLink):
            g.remove_link("c:nope")
        with pytest.raises(KeyError):  # UnknownNode is a KeyError too
            g.update_node(node("zz"))

    def test_unroutable_links_are_held_but_not_routed(self) -> None:
        g = LiveGraph(
            [node("a"), node("b"), node("c", Status.DROPPED)],
            [
                link("ab", "a", "b", status=Status.INACTIVE),  # the link is out
                link("bc", "b", "c"),  # its end c is out
                link("ax", "a", "other:x"),  # a border link: x is not held
            ],
        )
        assert len(g.links) == 3
        assert g.nx_graph.number_of_edges() == 0
        assert [lk.id for lk in g.links_of("c:a")] == ["c:ab", "c:ax"]

    def test_custom_cost_must_be_positive(self) -> None:
        with pytest.raises(ValueError, match="finite and positive"):
            LiveGraph([node("a"), node("b")], [link("ab", "a", "b")], cost=lambda _: 0.0)


class TestParallelLinks:
    def test_cheapest_link_routes(self) -> None:
        g = LiveGraph(
            [node("a"), node("b")],
            [
                link("wds", "a", "b", LinkType.WDS),  # 5
                link("cable", "a", "b", LinkType.CABLE),  # 1: wins
                link("mesh", "a", "b", LinkType.MESH, cost=3.0),  # 3
            ],
        )
        assert g.route_link("c:a", "c:b").id == "c:cable"  # type: ignore[union-attr]
        assert g.route_cost("c:b", "c:a") == 1.0
        assert [lk.id for lk in g.links_between("c:b", "c:a")] == ["c:cable", "c:mesh", "c:wds"]
        assert g.count_links_between("c:a", "c:b") == 3
        assert [(u, v, lk.id, cost) for u, v, lk, cost in g.routed_pairs()] == [
            ("c:a", "c:b", "c:cable", 1.0)
        ]

    def test_next_best_takes_over_when_the_best_goes(self) -> None:
        g = LiveGraph(
            [node("a"), node("b")],
            [link("wds", "a", "b", LinkType.WDS), link("cable", "a", "b", LinkType.CABLE)],
        )
        topology = g.topology_version
        g.remove_link("c:cable")
        assert g.route_link("c:a", "c:b").id == "c:wds"  # type: ignore[union-attr]
        assert g.route_cost("c:a", "c:b") == 5.0
        assert g.topology_version == topology  # the pair is still joined

    def test_measured_cost_can_change_the_best_link(self) -> None:
        g = LiveGraph(
            [node("a"), node("b")],
            [link("wds", "a", "b", LinkType.WDS), link("cable", "a", "b", LinkType.CABLE)],
        )
        g.update_metrics("c:wds", LinkMetrics(cost=0.5))  # a wds measured better than 1
        assert g.route_link("c:a", "c:b").id == "c:wds"  # type: ignore[union-attr]
        assert g.csr().matrix.data.tolist() == [0.5, 0.5]

    def test_equal_costs_pick_the_smallest_id(self) -> None:
        g = LiveGraph(
            [node("a"), node("b")],
            [link("z", "a", "b", cost=2.0), link("m", "a", "b", cost=2.0)],
        )
        assert g.route_link("c:a", "c:b").id == "c:m"  # type: ignore[union-attr]


class TestVersions:
    def test_every_change_bumps_the_version_once(self) -> None:
        g = triangle()
        changes: list[Callable[[], object]] = [
            lambda: g.add_node(node("d")),
            lambda: g.add_link(link("cd", "c", "d")),
            lambda: g.update_metrics("c:cd", LinkMetrics(cost=2.0)),
            lambda: g.update_link(link("cd", "c", "d", LinkType.CABLE)),
            lambda: g.update_node(node("d", Status.TESTING)),
            lambda: g.remove_link("c:cd"),
            lambda: g.remove_node("c:d"),
        ]
        for n, change in enumerate(changes, 1):
            change()
            assert g.version == n

    def test_metrics_update_keeps_topology_and_updates_csr_in_place(self) -> None:
        g = triangle()
        view = g.csr()
        topology = g.topology_version
        g.update_metrics("c:ac", LinkMetrics(cost=1.5))
        assert g.topology_version == topology
        assert g.csr() is view  # not rebuilt ...
        fwd, bwd = view.data_slots("c:a", "c:c")
        assert view.matrix.data[fwd] == view.matrix.data[bwd] == 1.5  # ... but updated

    def test_topology_change_drops_the_csr(self) -> None:
        g = triangle()
        view = g.csr()
        g.remove_link("c:ac")
        assert g.csr() is not view
        assert g.csr().matrix.nnz == 4  # two edges left, both directions

    def test_status_change_of_a_node_reroutes_its_links(self) -> None:
        g = triangle()
        g.update_node(node("b", Status.INACTIVE))  # b stops forwarding
        assert set(map(frozenset, g.nx_graph.edges)) == {frozenset(("c:a", "c:c"))}
        g.update_node(node("b"))
        assert g.nx_graph.number_of_edges() == 3

    def test_removed_node_keeps_its_links_until_it_comes_back(self) -> None:
        g = triangle()
        g.remove_node("c:b")
        assert "c:ab" in g.links
        assert g.nx_graph.number_of_edges() == 1
        g.add_node(node("b"))
        assert g.nx_graph.number_of_edges() == 3

    def test_moving_a_link_to_other_ends(self) -> None:
        g = triangle()
        g.add_node(node("d"))
        g.update_link(link("ac", "a", "d"))
        assert g.route_link("c:a", "c:c") is None
        assert g.route_link("c:d", "c:a").id == "c:ac"  # type: ignore[union-attr]
        assert g.links_between("c:a", "c:c") == ()

    def test_put_adds_or_updates(self) -> None:
        g = triangle()
        g.put_node(node("d"))
        g.put_node(node("d", Status.TESTING))
        g.put_link(link("cd", "c", "d"))
        g.put_link(link("cd", "c", "d", LinkType.CABLE))
        assert g.node("c:d").status is Status.TESTING
        assert g.route_cost("c:c", "c:d") == 1.0


class TestCache:
    def test_sssp_is_memoised_until_the_version_changes(self) -> None:
        g = triangle()
        tree = g.sssp("c:a")
        assert g.sssp("c:a") is tree
        g.update_metrics("c:ab", LinkMetrics(cost=9.0))
        fresh = g.sssp("c:a")
        assert fresh is not tree
        assert fresh.version == g.version
        assert fresh.distance("c:b") == 6.0  # a-c-b: 5 + 1 beats 9

    def test_the_lru_is_bounded(self) -> None:
        g = LiveGraph([node(x) for x in "abcdef"], cache_size=2)
        trees = [g.sssp(f"c:{x}") for x in "abc"]
        assert g.sssp("c:c") is trees[2]
        assert g.sssp("c:a") is not trees[0]  # evicted


class TestFirstHops:
    def test_pointer_jumping(self) -> None:
        # Tree from 0: 0 -> 1 -> 2 -> 3, 0 -> 4, and 5 unreachable.
        pred = np.array([-9999, 0, 1, 2, 0, -9999], dtype=np.int32)
        assert first_hops(pred, 0).tolist() == [-1, 1, 1, 1, 4, -1]


# --------------------------------------------------------------------------- property

NAMES = "abcdef"
ops = st.lists(
    st.one_of(
        st.tuples(
            st.just("link"),
            st.integers(0, 7),  # link number: few, so links get updated and removed
            st.sampled_from(NAMES),
            st.sampled_from(NAMES),
            st.sampled_from(list(LinkType)),
            st.sampled_from([Status.WORKING, Status.TESTING, Status.DROPPED]),
            st.one_of(st.none(), st.floats(0.5, 20.0)),
        ),
        st.tuples(st.just("metrics"), st.integers(0, 7), st.floats(0.5, 20.0)),
        st.tuples(st.just("unlink"), st.integers(0, 7)),
        st.tuples(
            st.just("node"),
            st.sampled_from(NAMES),
            st.sampled_from([Status.WORKING, Status.INACTIVE]),
        ),
        st.tuples(st.just("unnode"), st.sampled_from(NAMES)),
        st.tuples(st.just("query"), st.sampled_from(NAMES)),
    ),
    max_size=40,
)


def apply(g: LiveGraph, op: tuple[object, ...]) -> None:
    kind = op[0]
    if kind == "link":
        _, n, a, b, lt, status, cost = op
        if a != b:
            g.put_link(link(f"l{n}", str(a), str(b), lt, status, cost))  # type: ignore[arg-type]
    elif kind == "metrics" and f"c:l{op[1]}" in g.links:
        g.update_metrics(f"c:l{op[1]}", LinkMetrics(cost=op[2]))  # type: ignore[arg-type]
    elif kind == "unlink" and f"c:l{op[1]}" in g.links:
        g.remove_link(f"c:l{op[1]}")
    elif kind == "node":
        g.put_node(node(str(op[1]), op[2]))  # type: ignore[arg-type]
    elif kind == "unnode" and f"c:{op[1]}" in g:
        g.remove_node(f"c:{op[1]}")
    elif kind == "query" and f"c:{op[1]}" in g:
        g.sssp(f"c:{op[1]}")  # builds the CSR, so later metric changes update it in place


class TestIncrementalEqualsRebuilt:
    @settings(max_examples=150, deadline=None)
    @given(ops)
    def test_random_changes(self, changes: list[tuple[object, ...]]) -> None:
        # Start from a ring a-b-c-d-e-f-a of links l0..l5, so changes hit existing links.
        ring = [link(f"l{i}", x, NAMES[(i + 1) % 6]) for i, x in enumerate(NAMES)]
        g = LiveGraph([node(x) for x in NAMES], ring)
        rebuilt = g
        for op in changes:
            before = g.version
            apply(g, op)
            assert g.version in (before, before + 1)
            # After every step: same edges and the same matrix as a graph built anew.
            # dense() keeps a CSR alive, so the next metrics change must patch it.
            rebuilt = LiveGraph(g.nodes.values(), g.links.values())
            assert edges(g) == edges(rebuilt)
            assert dense(g) == dense(rebuilt)
        for source in g.nodes:
            expected = nx.single_source_dijkstra_path_length(rebuilt.nx_graph, source)
            tree = g.sssp(source)
            for target in g.nodes:
                want = expected.get(target, math.inf)
                assert tree.distance(target) == pytest.approx(want)
