"""Shortest paths between two nodes, and a hop-by-hop explanation of one.

All functions take the :class:`~topology.graph.LiveGraph` first and use its memoised
shortest-path tree of the source (one scipy Dijkstra per source and graph version), so
asking again about the same source is a lookup. Hops are not limited (Guifi's search
stops at 10); :attr:`PathExplanation.hop_count` reports how many there are.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from topology.model import LinkType, Status
from topology.routing.costs import measured_cost
from topology.routing.errors import NoRoute, UnknownNode

if TYPE_CHECKING:
    from topology.graph import LiveGraph


@dataclass(frozen=True, slots=True)
class Hop:
    """One hop of a path: from ``source`` to ``target`` over link ``link_id``."""

    source: str
    target: str
    link_id: str
    type: LinkType
    status: Status
    cost: float
    measured: bool  # the cost came from the routing daemon, not the static rule
    signal_dbm: float | None = None
    rate_mbps: float | None = None
    parallel_links: int = 1  # links joining the two nodes, the unused ones included


@dataclass(frozen=True, slots=True)
class PathExplanation:
    """The cheapest path from ``source`` to ``target``, hop by hop.

    ``bottleneck`` is the worst hop: the one with the highest cost (the first of them
    along the path on a tie); ``None`` for the empty path from a node to itself.
    """

    source: str
    target: str
    nodes: tuple[str, ...]
    hops: tuple[Hop, ...]
    total_cost: float
    bottleneck: Hop | None
    version: int  # the graph version the path was computed at

    @property
    def hop_count(self) -> int:
        return len(self.hops)

    def describe(self) -> str:
        """A few lines of plain text for people (CLI, logs)."""
        lines = [
            f"{self.source} -> {self.target}: {self.hop_count} hops, total cost {self.total_cost:g}"
        ]
        for n, hop in enumerate(self.hops, 1):
            extra = "".join(
                (
                    f", signal {hop.signal_dbm:g} dBm" if hop.signal_dbm is not None else "",
                    f", {hop.rate_mbps:g} Mbit/s" if hop.rate_mbps is not None else "",
                    "" if hop.measured else " (static cost)",
                    " <- bottleneck" if hop is self.bottleneck else "",
                )
            )
            lines.append(
                f"  {n:>2}. {hop.source} -> {hop.target} via {hop.link_id} "
                f"({hop.type}, {hop.status}) cost {hop.cost:g}{extra}"
            )
        return "\n".join(lines)


def shortest_path(graph: LiveGraph, source: str, target: str) -> list[str]:
    """Node ids of the cheapest path from ``source`` to ``target``, both included.

    Raises
    ------
    UnknownNode
        Either id is not in the graph.
    NoRoute
        No path of routable links joins them.

    Examples
    --------
    >>> from topology.graph import LiveGraph
    >>> from topology.model import Link, LinkType, Node, Position, Status
    >>> def node(i): return Node(f"c:{i}", i, "z", Position(44.5, -71.5), Status.WORKING)
    >>> g = LiveGraph([node("a"), node("b"), node("c")], [
    ...     Link("c:ab", "c:a", "c:b", LinkType.CABLE, Status.WORKING),
    ...     Link("c:bc", "c:b", "c:c", LinkType.CABLE, Status.WORKING),
    ...     Link("c:ac", "c:a", "c:c", LinkType.WDS, Status.WORKING),  # 5 > 1 + 1
    ... ])
    >>> shortest_path(g, "c:a", "c:c")
    ['c:a', 'c:b', 'c:c']
    """
    if target not in graph:
        raise UnknownNode(target)
    path = graph.sssp(source).path(target)
    if path is None:
        raise NoRoute(source, target)
    return path


def shortest_path_cost(graph: LiveGraph, source: str, target: str) -> float:
    """Total cost of the cheapest path (errors as :func:`shortest_path`)."""
    if target not in graph:
        raise UnknownNode(target)
    cost = graph.sssp(source).distance(target)
    if not math.isfinite(cost):
        raise NoRoute(source, target)
    return cost


def explain_path(graph: LiveGraph, source: str, target: str) -> PathExplanation:
    """The cheapest path from ``source`` to ``target``, explained hop by hop.

    Each hop names the link routing uses (the cheapest of parallel links), its type,
    status, cost (and whether it was measured), and signal and rate when known.

    Parameters
    ----------
    graph : LiveGraph
    source, target : str
        Node ids.

    Returns
    -------
    PathExplanation

    Raises
    ------
    UnknownNode, NoRoute
        As :func:`shortest_path`.

    Examples
    --------
    >>> from topology.graph import LiveGraph
    >>> from topology.model import Link, LinkType, Node, Position, Status
    >>> def node(i): return Node(f"c:{i}", i, "z", Position(44.5, -71.5), Status.WORKING)
    >>> g = LiveGraph([node("a"), node("b"), node("c")], [
    ...     Link("c:ab", "c:a", "c:b", LinkType.CABLE, Status.WORKING),
    ...     Link("c:bc", "c:b", "c:c", LinkType.WDS, Status.TESTING),  # 5 + 100
    ... ])
    >>> p = explain_path(g, "c:a", "c:c")
    >>> p.hop_count, p.total_cost, p.bottleneck.link_id
    (2, 106.0, 'c:bc')
    """
    nodes = shortest_path(graph, source, target)
    hops = []
    for u, v in itertools.pairwise(nodes):
        link = graph.route_link(u, v)
        assert link is not None  # every step of a shortest path is an edge
        hops.append(
            Hop(
                source=u,
                target=v,
                link_id=link.id,
                type=link.type,
                status=link.status,
                cost=graph.route_cost(u, v),
                measured=measured_cost(link) is not None,
                signal_dbm=link.metrics.signal_dbm,
                rate_mbps=link.metrics.rate_mbps,
                parallel_links=graph.count_links_between(u, v),
            )
        )
    bottleneck = None
    for hop in hops:
        if bottleneck is None or hop.cost > bottleneck.cost:
            bottleneck = hop
    return PathExplanation(
        source=source,
        target=target,
        nodes=tuple(nodes),
        hops=tuple(hops),
        total_cost=graph.sssp(source).distance(target),
        bottleneck=bottleneck,
        version=graph.version,
    )
