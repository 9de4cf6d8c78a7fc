"""Routes and what-ifs on the federated graph, saying where a path crosses a border.

A path through a *stale* community (a peer not heard from for a while) is still
computed from its last good feed, but reported as unavailable: the data may be wrong,
so it must not be presented as a working route.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import connected_components

from topology.federation.merge import FederatedGraph, community_of
from topology.model import LinkType, Status
from topology.routing.errors import NoRoute, UnknownNode
from topology.routing.gateways import nearest_gateway_arrays


@dataclass(frozen=True, slots=True)
class FederatedHop:
    source: str
    target: str
    link_id: str
    type: LinkType
    status: Status
    cost: float

    @property
    def from_community(self) -> str:
        return community_of(self.source)

    @property
    def to_community(self) -> str:
        return community_of(self.target)

    @property
    def border(self) -> bool:
        """The hop crosses from one community into another."""
        return self.from_community != self.to_community


@dataclass(frozen=True, slots=True)
class FederatedRoute:
    source: str
    target: str
    nodes: tuple[str, ...]
    hops: tuple[FederatedHop, ...]
    total_cost: float
    stale: tuple[str, ...]  # stale communities the path goes through

    @property
    def available(self) -> bool:
        return not self.stale

    @property
    def communities(self) -> tuple[str, ...]:
        """The communities along the path, in order."""
        return tuple(dict.fromkeys(community_of(n) for n in self.nodes))

    @property
    def crossings(self) -> tuple[FederatedHop, ...]:
        return tuple(h for h in self.hops if h.border)

    def describe(self) -> str:
        """A few lines of plain text (CLI, logs)."""
        state = "available" if self.available else f"UNAVAILABLE (stale: {', '.join(self.stale)})"
        lines = [
            f"{self.source} -> {self.target}: {len(self.hops)} hops, total cost "
            f"{self.total_cost:g}, through {' > '.join(self.communities)}; {state}"
        ]
        for n, h in enumerate(self.hops, 1):
            mark = f"  <- border {h.from_community} > {h.to_community}" if h.border else ""
            lines.append(
                f"  {n:>2}. {h.source} -> {h.target} via {h.link_id} ({h.type}, {h.status}) "
                f"cost {h.cost:g}{mark}"
            )
        return "\n".join(lines)


def federated_route(graph: FederatedGraph, source: str, target: str) -> FederatedRoute:
    """The cheapest path from ``source`` to ``target`` across communities.

    Raises :class:`UnknownNode` or :class:`NoRoute` as the live graph's routing does.
    """
    if target not in graph:
        raise UnknownNode(target)
    tree = graph.sssp(source)
    path = tree.path(target)
    if path is None:
        raise NoRoute(source, target)
    hops = []
    for u, v in itertools.pairwise(path):
        used = graph.hop(u, v)
        assert used is not None  # every step of a shortest path is an edge
        lk = used.link
        hops.append(FederatedHop(u, v, lk.id, lk.type, lk.status, used.cost))
    stale = graph.stale_communities()
    on_path = tuple(c for c in dict.fromkeys(community_of(n) for n in path) if c in stale)
    return FederatedRoute(
        source, target, tuple(path), tuple(hops), tree.distance(target), on_path
    )


@dataclass(frozen=True, slots=True)
class FederatedWhatIf:
    """Who loses reach or every gateway if ``removed`` goes down (node ids sorted)."""

    removed: str
    lost_reach: tuple[str, ...]
    lost_gateway: tuple[str, ...]
    communities_hurt: tuple[str, ...]


def what_if_remove_node(graph: FederatedGraph, node_id: str) -> FederatedWhatIf:
    """As :func:`topology.routing.what_if_remove_node`, across communities: the nodes
    cut off from the main piece of their component, and those left with no gateway."""
    graph.node(node_id)  # raises UnknownNode
    i = graph.index[node_id]
    masked = graph.matrix.copy()
    masked.data[masked.indices == i] = 0.0
    masked.data[masked.indptr[i] : masked.indptr[i + 1]] = 0.0
    masked.eliminate_zeros()
    _, before = connected_components(graph.matrix, directed=False)
    _, after = connected_components(masked, directed=False)
    members = np.flatnonzero(before == before[i])
    members = members[members != i]
    lost: list[int] = []
    if len(members):
        pieces, sizes = np.unique(after[members], return_counts=True)
        main = pieces[np.argmax(sizes)]
        lost = members[after[members] != main].tolist()
    gw = np.asarray(sorted({graph.index[g] for g in graph.gateways()}), dtype=np.int32)
    _, had = nearest_gateway_arrays(graph.matrix, gw)
    _, has = nearest_gateway_arrays(masked, gw[gw != i])
    keep = np.ones(len(graph.ids), dtype=bool)
    keep[i] = False
    lost_gw = np.flatnonzero((had >= 0) & (has < 0) & keep).tolist()
    ids = graph.ids
    lost_ids = sorted(ids[j] for j in lost)
    lost_gw_ids = sorted(ids[j] for j in lost_gw)
    hurt = sorted({community_of(n) for n in (*lost_ids, *lost_gw_ids)})
    return FederatedWhatIf(node_id, tuple(lost_ids), tuple(lost_gw_ids), tuple(hurt))
