"""Single points of failure: which one node or link, failing, cuts whom off every gateway.

Only some failures can cut anyone off, so only those are computed (each with
:func:`topology.routing.what_if_remove_node` / ``what_if_remove_link``):

* a node that is an articulation point of the routable graph, a gateway, or the only
  node that can serve some demand point;
* a link that is a bridge.

Removing any other node or link leaves every node with a path to the gateway it had.
*Single-path* nodes are the ones some single failure, other than of a gateway itself,
cuts off. Failures are ranked by
impact: households cut off (demand weight) plus nodes cut off. A demand point is cut off
when every node that could serve it failed or lost its gateways.

The recommendation proposes, for the worst failure that one link can mend, one extra link
from a cut-off node to the nearest node that keeps a gateway, optionally checked by a
callback (terrain and link budget) before it is proposed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from topology.geo import haversine_km
from topology.graph import LiveGraph
from topology.model import Node, Role
from topology.routing import what_if_remove_link, what_if_remove_node

MAX_PAIRS_CHECKED = 25


@dataclass(frozen=True, slots=True)
class Failure:
    kind: str  # "node" or "link"
    id: str
    cut_nodes: tuple[str, ...]  # lose every gateway
    cut_demand: tuple[str, ...]  # demand point ids that lose service
    cut_weight: float  # households among them

    @property
    def impact(self) -> float:
        return self.cut_weight + len(self.cut_nodes)


@dataclass(frozen=True, slots=True)
class Recommendation:
    failure: Failure
    a: str  # a cut-off node
    b: str  # a node that keeps its gateway
    distance_km: float
    reconnects: tuple[str, ...]  # cut-off nodes that get a gateway back through it
    checked: bool  # the callback confirmed the link is feasible


@dataclass(frozen=True, slots=True)
class Resilience:
    gateways: tuple[str, ...]
    articulation_points: tuple[str, ...]
    bridges: tuple[str, ...]  # link ids
    single_path: tuple[str, ...]  # nodes one failure cuts off every gateway
    failures: tuple[Failure, ...]  # harmful ones, worst first
    recommendation: Recommendation | None


def analyse_resilience(
    graph: LiveGraph,
    *,
    served: Mapping[str, Sequence[str]] | None = None,
    weights: Mapping[str, float] | None = None,
    check_link: Callable[[Node, Node], bool] | None = None,
) -> Resilience:
    """Articulation points, bridges, single-path nodes and ranked failures of ``graph``.

    Parameters
    ----------
    graph : LiveGraph
        Left unchanged.
    served : mapping demand point id -> node ids, optional
        The nodes that could serve each demand point (from coverage).
    weights : mapping demand id -> households, optional (default 1 each)
    check_link : callable (node, node) -> bool, optional
        Confirms a proposed extra link (terrain, budget); pairs it rejects are skipped.

    Examples
    --------
    >>> from topology.model import Link, Node, Position, Status
    >>> def node(i, gw=False):
    ...     return Node(f"c:{i}", i, "z", Position(44.5, -71.5), Status.WORKING, gateway=gw)
    >>> def link(a, b): return Link(f"c:{a}{b}", f"c:{a}", f"c:{b}", status=Status.WORKING)
    >>> g = LiveGraph([node("g", True), node("a"), node("b"), node("x")],
    ...               [link("g", "a"), link("a", "b"), link("b", "g"), link("b", "x")])
    >>> r = analyse_resilience(g)  # a triangle g-a-b, and x hangs off b
    >>> r.articulation_points, r.bridges, r.single_path
    (('c:b',), ('c:bx',), ('c:x',))
    """
    served = served or {}
    weights = weights or {}
    g: nx.Graph = graph.nx_graph
    gateways = graph.gateways()
    arts = sorted(nx.articulation_points(g))
    bridge_links = sorted(str(g.edges[u, v]["link"]) for u, v in nx.bridges(g))
    only = {s[0] for s in served.values() if len(s) == 1 and s[0] in graph.nodes}
    suspects = sorted({*arts, *gateways, *only})
    failures: list[Failure] = []
    for node_id in suspects:
        w = what_if_remove_node(graph, node_id)
        failures.append(_failure("node", node_id, w.lost_gateway, served, weights, node_id))
    for link_id in bridge_links:
        w = what_if_remove_link(graph, link_id)
        failures.append(_failure("link", link_id, w.lost_gateway, served, weights, None))
    harmful = sorted(
        (f for f in failures if f.cut_nodes or f.cut_demand), key=lambda f: (-f.impact, f.id)
    )
    # A gateway's own failure is not a path problem (it is reported among the failures).
    single = sorted({n for f in harmful if f.id not in gateways for n in f.cut_nodes})
    rec = None
    for failure in (f for f in harmful if f.cut_nodes):  # the worst one that can be fixed
        if (rec := _recommend(graph, failure, check_link)) is not None:
            break
    return Resilience(
        gateways=gateways,
        articulation_points=tuple(arts),
        bridges=tuple(bridge_links),
        single_path=tuple(single),
        failures=tuple(harmful),
        recommendation=rec,
    )


def _failure(
    kind: str,
    ident: str,
    lost: Sequence[str],
    served: Mapping[str, Sequence[str]],
    weights: Mapping[str, float],
    removed: str | None,
) -> Failure:
    down = {*lost, *([removed] if removed else [])}
    demand = sorted(d for d, nodes in served.items() if nodes and down.issuperset(nodes))
    return Failure(
        kind=kind,
        id=ident,
        cut_nodes=tuple(lost),
        cut_demand=tuple(demand),
        cut_weight=float(sum(weights.get(d, 1.0) for d in demand)),
    )


def _recommend(
    graph: LiveGraph, worst: Failure, check_link: Callable[[Node, Node], bool] | None
) -> Recommendation | None:
    g = graph.nx_graph.copy()
    if worst.kind == "node":
        g.remove_node(worst.id)
    else:
        link = graph.link(worst.id)
        g.remove_edge(link.a, link.b)
    cut = set(worst.cut_nodes)
    keep = [n for n in g.nodes if n not in cut and _has_gateway(g, n, graph.gateways())]
    keep = _prefer_supernodes(graph, keep)
    # The biggest cut-off piece first: one link can only bring one piece back.
    pieces = sorted(
        (sorted(c & cut) for c in nx.connected_components(g) if c & cut),
        key=lambda c: (-len(c), c[0]),
    )
    for piece in pieces:
        pairs = sorted(
            (haversine_km(graph.node(a).position, graph.node(b).position), a, b)
            for a in _prefer_supernodes(graph, piece)
            for b in keep
        )
        for dist, a, b in pairs[:MAX_PAIRS_CHECKED]:
            if check_link is not None and not check_link(graph.node(a), graph.node(b)):
                continue
            return Recommendation(worst, a, b, dist, tuple(piece), check_link is not None)
    return None


def _prefer_supernodes(graph: LiveGraph, ids: Sequence[str]) -> list[str]:
    """The supernodes among ``ids`` (they carry backbone radios), else all of them."""
    supers = [i for i in ids if graph.node(i).role is Role.SUPERNODE]
    return supers or list(ids)


def _has_gateway(g: Any, node: str, gateways: Sequence[str]) -> bool:
    return any(gw in g and nx.has_path(g, node, gw) for gw in gateways)
