"""The federated graph: this community's routable graph joined with its peers' feeds.

Each community is a *part*: its node ids and the CSR adjacency of its own links. The
own part is the live graph's :class:`~topology.routing.csr.CSRView` as it is; a peer's
part is built once when its feed is accepted, with numpy over the feed's columns.
Merging puts the parts' matrices on the diagonal of one sparse matrix
(:func:`scipy.sparse.block_diag`, no Python loop over links) and adds the border
links, which join nodes of two parts. Node ids are global (``community:local``),
so parts never clash. Shortest paths are :class:`~topology.routing.csr.ShortestPathTree`
s, computed by scipy's Dijkstra as for the live graph.

Routability and costs follow :mod:`topology.routing.costs`: a link routes when it and
both its ends are not Dropped or Inactive, at its measured cost when sane, else the
static cost of its type (+100 when not Working). When two communities both publish the
same border link (each its own copy), the cheaper copy routes.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import block_diag, coo_array, csr_array
from scipy.sparse.csgraph import dijkstra

from topology.federation.feed import FeedLink, PeerData
from topology.model import ID_SEP, Link, Node
from topology.routing.costs import (
    NOT_WORKING_PENALTY,
    OTHER_TYPE_COST,
    STATIC_TYPE_COST,
    UNROUTABLE_STATUSES,
    link_cost,
    link_is_routable,
    node_is_active,
)
from topology.routing.csr import Pair, ShortestPathTree, first_hops, node_pair
from topology.routing.errors import UnknownNode

if TYPE_CHECKING:
    from topology.graph import LiveGraph


def community_of(node_id: str) -> str:
    return node_id.partition(ID_SEP)[0]


@dataclass(frozen=True, slots=True)
class HopLink:
    """The link a hop uses, as much as routes show of it."""

    link: Link
    cost: float


@dataclass(frozen=True, slots=True, eq=False)
class Part:
    """One community's piece of the federated graph: its node ids and their symmetric
    CSR adjacency (``matrix[i, j]``: the cost of the best link between ``ids[i]`` and
    ``ids[j]``)."""

    community: str
    ids: tuple[str, ...]
    matrix: csr_array
    nodes: Mapping[str, Node]
    gateways: tuple[str, ...]
    hop: Callable[[str, str], HopLink | None]  # the link routing uses between two nodes
    stale: bool = False
    revision: int | None = None  # of the feed (None: this community)


def own_part(graph: LiveGraph, community: str) -> Part:
    """This community's part: the live graph's CSR, read under the caller's lock."""

    def hop(u: str, v: str) -> HopLink | None:
        link = graph.route_link(u, v)
        return None if link is None else HopLink(link, graph.route_cost(u, v))

    view = graph.csr()
    return Part(community, view.ids, view.matrix, graph.nodes, graph.gateways(), hop)


_UNROUTABLE = frozenset(s.value for s in UNROUTABLE_STATUSES)
_STATIC = {t.value: c for t, c in STATIC_TYPE_COST.items()}


def _cost(measured: float | None, link_type: str, status: str) -> float:
    """:func:`topology.routing.costs.link_cost` of a feed's link, from its columns."""
    if measured is not None and math.isfinite(measured) and measured > 0.0:
        return float(measured)
    cost = _STATIC.get(link_type, OTHER_TYPE_COST)
    return cost if status == "Working" else cost + NOT_WORKING_PENALTY


def peer_part(data: PeerData, *, stale: bool = False) -> Part:
    """A peer's part, from its accepted feed (built once per accepted revision): numpy
    over the feed's columns, parallel links reduced to the cheapest per pair."""
    nodes, links = data.nodes, data.links
    index = nodes.index
    n, m = len(nodes.ids), len(links)
    active = np.fromiter((s not in _UNROUTABLE for s in nodes.statuses), bool, n)
    u = np.fromiter((index.get(a, -1) for a in links.a), np.int64, m)
    v = np.fromiter((index.get(b, -1) for b in links.b), np.int64, m)
    ok = np.fromiter((s not in _UNROUTABLE for s in links.statuses), bool, m)
    cost = np.fromiter(
        map(_cost, links.costs, links.types, links.statuses), np.float64, m
    )
    ok &= (u >= 0) & (v >= 0)
    ok[ok] &= active[u[ok]] & active[v[ok]]
    keep = np.flatnonzero(ok)
    lo, hi = np.minimum(u[keep], v[keep]), np.maximum(u[keep], v[keep])
    w = cost[keep]
    order = np.lexsort((w, hi, lo))  # by pair, cheapest first
    lo, hi, w, keep = lo[order], hi[order], w[order], keep[order]
    first = np.ones(len(lo), dtype=bool)
    first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    lo, hi, w, keep = lo[first], hi[first], w[first], keep[first]
    matrix = csr_array(
        (np.concatenate((w, w)), (np.concatenate((lo, hi)), np.concatenate((hi, lo)))),
        shape=(n, n),
    )
    table: dict[tuple[int, int], tuple[int, float]] = {}

    def hop(a: str, b: str) -> HopLink | None:
        if not table and len(keep):  # made on the first route shown (a benign race)
            table.update(
                zip(
                    zip(lo.tolist(), hi.tolist(), strict=True),
                    zip(keep.tolist(), w.tolist(), strict=True),
                    strict=True,
                )
            )
        i, j = index.get(a), index.get(b)
        found = None if i is None or j is None else table.get((min(i, j), max(i, j)))
        return None if found is None else HopLink(links[found[0]].link(), found[1])

    gateways = tuple(g for g in data.gateways if g in index and active[index[g]])
    return Part(
        data.community, tuple(nodes.ids), matrix, nodes, gateways, hop, stale, data.revision
    )


@dataclass(frozen=True, slots=True)
class Border:
    """A border link that routes: the cheaper copy when both sides publish one."""

    link: Link
    cost: float


def _borders(parts: Sequence[Part], links: Iterable[Link | FeedLink]) -> dict[Pair, Border]:
    out: dict[Pair, Border] = {}
    for lk in links:
        link = lk.link() if isinstance(lk, FeedLink) else lk
        a, b = _node_in(parts, link.a), _node_in(parts, link.b)
        if a is None or b is None or not link_is_routable(link):
            continue
        if not (node_is_active(a) and node_is_active(b)):
            continue
        pair = node_pair(link.a, link.b)
        cost = link_cost(link)
        if pair not in out or cost < out[pair].cost:
            out[pair] = Border(link, cost)
    return out


def _node_in(parts: Sequence[Part], node_id: str) -> Node | None:
    c = community_of(node_id)
    for p in parts:
        if p.community == c:
            return p.nodes.get(node_id)
    return None


class FederatedGraph:
    """The merged graph of several parts plus border links (read-only once built).

    ``version`` identifies what it was built from; shortest-path trees are memoised
    per source (an LRU of ``cache_size``).
    """

    def __init__(
        self,
        parts: Sequence[Part],
        border_links: Iterable[Link | FeedLink] = (),
        *,
        version: int = 0,
        cache_size: int = 32,
    ) -> None:
        self.parts: tuple[Part, ...] = tuple(parts)
        self.version = version
        ids: list[str] = []
        offsets: dict[str, int] = {}
        for p in self.parts:
            offsets[p.community] = len(ids)
            ids.extend(p.ids)
        self.ids: tuple[str, ...] = tuple(ids)
        self.index: Mapping[str, int] = MappingProxyType({n: i for i, n in enumerate(ids)})
        self.borders = _borders(self.parts, border_links)
        n = len(ids)
        matrices = [p.matrix for p in self.parts]
        blocks = csr_array(block_diag(matrices, format="csr")) if matrices else csr_array((0, 0))
        if self.borders:
            rows, cols, data = [], [], []
            for (u, v), b in self.borders.items():
                i, j = self.index[u], self.index[v]
                rows += [i, j]
                cols += [j, i]
                data += [b.cost, b.cost]
            extra = coo_array((data, (rows, cols)), shape=(n, n)).tocsr()
            blocks = csr_array(blocks + extra)
        self.matrix = blocks
        self._by_community = {p.community: p for p in self.parts}
        self._cache: OrderedDict[str, ShortestPathTree] = OrderedDict()
        self._cache_size = cache_size

    # ------------------------------------------------------------------ reading

    def __contains__(self, node_id: object) -> bool:
        return node_id in self.index

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def communities(self) -> tuple[str, ...]:
        return tuple(self._by_community)

    def part(self, community: str) -> Part | None:
        return self._by_community.get(community)

    def stale_communities(self) -> frozenset[str]:
        return frozenset(p.community for p in self.parts if p.stale)

    def node(self, node_id: str) -> Node:
        part = self._by_community.get(community_of(node_id))
        node = None if part is None else part.nodes.get(node_id)
        if node is None:
            raise UnknownNode(node_id)
        return node

    def gateways(self) -> tuple[str, ...]:
        return tuple(g for p in self.parts for g in p.gateways)

    def hop(self, u: str, v: str) -> HopLink | None:
        """The link a path uses between neighbours ``u`` and ``v``."""
        cu, cv = community_of(u), community_of(v)
        if cu != cv:
            b = self.borders.get(node_pair(u, v))
            return None if b is None else HopLink(b.link, b.cost)
        part = self._by_community.get(cu)
        return None if part is None else part.hop(u, v)

    def sssp(self, source: str) -> ShortestPathTree:
        """Shortest paths from ``source`` (memoised)."""
        tree = self._cache.get(source)
        if tree is not None:
            self._cache.move_to_end(source)
            return tree
        try:
            src = self.index[source]
        except KeyError:
            raise UnknownNode(source) from None
        dist, pred = dijkstra(self.matrix, directed=True, indices=src, return_predecessors=True)
        tree = ShortestPathTree(
            source, self.version, self.ids, self.index, dist, pred, first_hops(pred, src)
        )
        self._cache[source] = tree
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return tree


@dataclass(frozen=True, slots=True)
class MergeInput:
    """What a view is built from (for callers that cache views)."""

    own: Part
    peers: tuple[Part, ...] = ()
    own_border: tuple[Link, ...] = ()
    peer_border: tuple[FeedLink, ...] = field(default=())


def merge(inputs: MergeInput, *, version: int = 0) -> FederatedGraph:
    """The federated graph of this community's part and its peers' parts."""
    border: list[Link | FeedLink] = [*inputs.own_border, *inputs.peer_border]
    return FederatedGraph((inputs.own, *inputs.peers), border, version=version)


def own_border_links(graph: LiveGraph, community: str) -> tuple[Link, ...]:
    """The live graph's links with one end in another community."""
    prefix = community + ID_SEP
    return tuple(
        lk
        for lk in graph.links.values()
        if not (lk.a.startswith(prefix) and lk.b.startswith(prefix))
    )

