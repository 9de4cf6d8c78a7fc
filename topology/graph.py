"""The live graph: the network as a routable graph, changed in place on every event.

:class:`LiveGraph` holds every :class:`~topology.model.Node` and
:class:`~topology.model.Link` by id and a :class:`networkx.Graph` of what routes: one
edge per pair of nodes joined by at least one routable link, carrying that pair's
*cheapest* link id (``link``) and its cost (``weight``).

Why an ``nx.Graph`` and not a ``MultiGraph``: routing only ever uses the cheapest of
parallel links (a wds and a cable between the same two nodes), so a simple graph gives
one matrix entry per pair and networkx algorithms work on it unchanged. Every link stays
held by id (:meth:`LiveGraph.links_between`), and whenever one of a pair's links changes
the pair's best link is chosen again.

Which links route is decided in :mod:`topology.routing.costs`: not Dropped or Inactive,
and both ends held and active. A link may name a node the graph does not hold (a border
link to another community's node, or a node removed before its links): it is kept and
routes as soon as both ends are there.

For speed at scale a CSR adjacency (:mod:`scipy.sparse`) is kept per *topology* version
and single-source shortest paths run :func:`scipy.sparse.csgraph.dijkstra` on it. A change
that leaves the edge set alone (a new measured cost, another parallel link becoming the
best) writes the new cost into the CSR in place, through a stored edge -> data slot
index. A change of the edge or node set drops the CSR; it is rebuilt on the next query.
The CSR and the shortest-path trees are :class:`~topology.routing.csr.CSRView` and
:class:`~topology.routing.csr.ShortestPathTree` (re-exported here).

``version`` grows on every change, ``topology_version`` on edge or node set changes.
Results memoised with :meth:`LiveGraph.memo` (shortest-path trees, gateways) live until
``version`` changes, in an LRU of bounded size. One writer at a time: the graph is not
locked.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any, TypeVar, cast

import networkx as nx
from scipy.sparse.csgraph import dijkstra

from topology.model import Link, LinkMetrics, NetworkModel, Node
from topology.routing.costs import link_cost, link_is_routable, node_is_active
from topology.routing.csr import CSRView, Pair, ShortestPathTree, first_hops, node_pair
from topology.routing.errors import DuplicateId, UnknownLink, UnknownNode

__all__ = ["CSRView", "LiveGraph", "ShortestPathTree", "first_hops"]

T = TypeVar("T")


class LiveGraph:
    """The network's routable graph, updated incrementally; see the module docstring.

    Parameters
    ----------
    nodes, links : iterables of Node and Link
        The starting network (ids must be unique).
    cost : callable, optional
        ``Link -> float`` giving a routed link's cost (default
        :func:`~topology.routing.costs.link_cost`); must be finite and positive.
    cache_size : int
        How many memoised results (shortest-path trees, ...) to keep per version.

    Examples
    --------
    >>> from topology.model import Link, LinkType, Node, Position, Status
    >>> def node(i): return Node(f"c:{i}", i, "z", Position(44.5, -71.5), Status.WORKING)
    >>> g = LiveGraph([node("a"), node("b")])
    >>> g.add_link(Link("c:l1", "c:a", "c:b", LinkType.WDS, Status.WORKING))
    >>> g.add_link(Link("c:l2", "c:a", "c:b", LinkType.CABLE, Status.WORKING))
    >>> g.route_link("c:a", "c:b").id, g.route_cost("c:a", "c:b"), g.version
    ('c:l2', 1.0, 2)
    """

    def __init__(
        self,
        nodes: Iterable[Node] = (),
        links: Iterable[Link] = (),
        *,
        cost: Callable[[Link], float] = link_cost,
        cache_size: int = 64,
    ) -> None:
        self._cost = cost
        self._graph = nx.Graph()
        self._edges: dict[Pair, tuple[str, float]] = {}  # routable pair -> (best link, cost)
        self._nodes: dict[str, Node] = {}
        self._links: dict[str, Link] = {}
        self._node_links: dict[str, set[str]] = {}
        self._pair_links: dict[Pair, set[str]] = {}
        self._version = 0
        self._topology_version = 0
        self._csr: CSRView | None = None
        self._cache: OrderedDict[Hashable, Any] = OrderedDict()
        self._cache_version = 0
        self._cache_size = cache_size
        for node in nodes:
            if node.id in self._nodes:
                raise DuplicateId("node", node.id)
            self._nodes[node.id] = node
        self._graph.add_nodes_from(self._nodes)
        self._load_links(links)

    @classmethod
    def from_model(cls, model: NetworkModel, **options: Any) -> LiveGraph:
        """The live graph of a whole :class:`NetworkModel` (options as for the class)."""
        return cls(model.nodes, model.links, **options)

    # ------------------------------------------------------------------ reading

    @property
    def version(self) -> int:
        """Grows by one on every change."""
        return self._version

    @property
    def topology_version(self) -> int:
        """Grows when the set of nodes or routable node pairs changes."""
        return self._topology_version

    @property
    def nodes(self) -> Mapping[str, Node]:
        return MappingProxyType(self._nodes)

    @property
    def links(self) -> Mapping[str, Link]:
        return MappingProxyType(self._links)

    @property
    def nx_graph(self) -> nx.Graph:
        """The routable graph (edge data ``weight``, ``link``). Read it, never change it."""
        return self._graph

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    def node(self, node_id: str) -> Node:
        try:
            return self._nodes[node_id]
        except KeyError:
            raise UnknownNode(node_id) from None

    def link(self, link_id: str) -> Link:
        try:
            return self._links[link_id]
        except KeyError:
            raise UnknownLink(link_id) from None

    def links_of(self, node_id: str) -> tuple[Link, ...]:
        """Every link ending at ``node_id`` (any status), by id."""
        return tuple(self._links[i] for i in sorted(self._node_links.get(node_id, ())))

    def links_between(self, u: str, v: str) -> tuple[Link, ...]:
        """Every link joining ``u`` and ``v`` (any status), by id."""
        return tuple(self._links[i] for i in sorted(self._pair_links.get(node_pair(u, v), ())))

    def count_links_between(self, u: str, v: str) -> int:
        """How many links join ``u`` and ``v`` (any status)."""
        return len(self._pair_links.get(node_pair(u, v), ()))

    def routed_pairs(self) -> Iterator[tuple[str, str, Link, float]]:
        """Every routable node pair ``(u, v)`` with the link routing uses and its cost."""
        links = self._links
        for (u, v), (link_id, cost) in self._edges.items():
            yield u, v, links[link_id], cost

    def route_link(self, u: str, v: str) -> Link | None:
        """The link routing uses between neighbours ``u`` and ``v`` (``None``: none)."""
        best = self._edges.get(node_pair(u, v))
        return None if best is None else self._links[best[0]]

    def route_cost(self, u: str, v: str) -> float:
        """Cost of the best routable link between ``u`` and ``v`` (``inf``: none)."""
        best = self._edges.get(node_pair(u, v))
        return float("inf") if best is None else best[1]

    def cost_of(self, link: Link) -> float:
        """``link``'s cost under this graph's cost function (routable or not)."""
        return float(self._cost(link))

    def gateways(self) -> tuple[str, ...]:
        """Ids of the active nodes that offer an Internet exit, sorted."""
        return tuple(sorted(i for i, n in self._nodes.items() if n.gateway and node_is_active(n)))

    def csr(self) -> CSRView:
        """The CSR adjacency of this topology version (built now if stale)."""
        if self._csr is None:
            self._csr = CSRView(tuple(self._nodes), self._edges, self._topology_version)
        return self._csr

    def sssp(self, source: str) -> ShortestPathTree:
        """Shortest paths from ``source`` to every node (memoised for this version)."""
        if source not in self._nodes:
            raise UnknownNode(source)
        return self.memo(("sssp", source), lambda: self.compute_sssp(source))

    def compute_sssp(self, source: str) -> ShortestPathTree:
        """:meth:`sssp` without the cache: one scipy Dijkstra plus first hops."""
        view = self.csr()
        try:
            src = view.index[source]
        except KeyError:
            raise UnknownNode(source) from None
        dist, pred = dijkstra(view.matrix, directed=True, indices=src, return_predecessors=True)
        return ShortestPathTree(
            source, self._version, view.ids, view.index, dist, pred, first_hops(pred, src)
        )

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``'s result, kept until the graph changes (LRU of ``cache_size``)."""
        cache = self._cache
        if self._cache_version != self._version:
            cache.clear()
            self._cache_version = self._version
        if key in cache:
            cache.move_to_end(key)
            return cast(T, cache[key])
        value = compute()
        cache[key] = value
        if len(cache) > self._cache_size:
            cache.popitem(last=False)
        return value

    # ------------------------------------------------------------------ changing

    def add_node(self, node: Node) -> None:
        if node.id in self._nodes:
            raise DuplicateId("node", node.id)
        self._nodes[node.id] = node
        self._graph.add_node(node.id)
        self._topology_changed()
        self._refresh_links_of(node.id)
        self._version += 1

    def update_node(self, node: Node) -> None:
        old = self.node(node.id)
        self._nodes[node.id] = node
        if node_is_active(old) != node_is_active(node):
            self._refresh_links_of(node.id)
        self._version += 1

    def put_node(self, node: Node) -> None:
        """Add ``node``, or update it when its id is already held."""
        (self.update_node if node.id in self._nodes else self.add_node)(node)

    def remove_node(self, node_id: str) -> Node:
        """Remove a node. Its links stay held (unrouted) until removed themselves."""
        node = self.node(node_id)
        del self._nodes[node_id]
        for other in self._graph[node_id]:
            del self._edges[node_pair(node_id, other)]
        self._graph.remove_node(node_id)
        self._topology_changed()
        self._version += 1
        return node

    def add_link(self, link: Link) -> None:
        if link.id in self._links:
            raise DuplicateId("link", link.id)
        self._index_link(link)
        self._refresh_pair(link.a, link.b)
        self._version += 1

    def update_link(self, link: Link) -> None:
        old = self.link(link.id)
        if node_pair(old.a, old.b) != node_pair(link.a, link.b):
            self._unindex_link(old)
            self._refresh_pair(old.a, old.b)
            self._index_link(link)
        else:
            self._links[link.id] = link
        self._refresh_pair(link.a, link.b)
        self._version += 1

    def put_link(self, link: Link) -> None:
        """Add ``link``, or update it when its id is already held."""
        (self.update_link if link.id in self._links else self.add_link)(link)

    def update_metrics(self, link_id: str, metrics: LinkMetrics) -> Link:
        """Set a link's measured metrics (the hot path of live reports); returns it."""
        link = replace(self.link(link_id), metrics=metrics)
        self._links[link_id] = link
        self._refresh_pair(link.a, link.b)
        self._version += 1
        return link

    def remove_link(self, link_id: str) -> Link:
        link = self.link(link_id)
        self._unindex_link(link)
        self._refresh_pair(link.a, link.b)
        self._version += 1
        return link

    # ------------------------------------------------------------------ internals

    def _load_links(self, links: Iterable[Link]) -> None:
        """Bulk version of :meth:`add_link` for the constructor (same result, faster)."""
        held, pairs, ends = self._links, self._pair_links, self._node_links
        for link in links:
            link_id, a, b = link.id, link.a, link.b
            if link_id in held:
                raise DuplicateId("link", link_id)
            held[link_id] = link
            for key in (a, b):
                if (ids := ends.get(key)) is None:
                    ends[key] = {link_id}
                else:
                    ids.add(link_id)
            pair = (a, b) if a <= b else (b, a)
            if (ids := pairs.get(pair)) is None:
                pairs[pair] = {link_id}
            else:
                ids.add(link_id)
        edges = []
        for (u, v), ids in pairs.items():
            if len(ids) == 1:  # the common case, inlined
                (link_id,) = ids
                link = held[link_id]
                nu, nv = self._nodes.get(u), self._nodes.get(v)
                if (
                    nu is None
                    or nv is None
                    or not (link_is_routable(link) and node_is_active(nu) and node_is_active(nv))
                ):
                    continue
                best: tuple[str, float] | None = (link_id, self._checked_cost(link))
            else:
                best = self._best(u, v)
            if best is not None:
                self._edges[(u, v)] = best
                edges.append((u, v, {"weight": best[1], "link": best[0]}))
        self._graph.add_edges_from(edges)

    def _index_link(self, link: Link) -> None:
        self._links[link.id] = link
        for end in (link.a, link.b):
            self._node_links.setdefault(end, set()).add(link.id)
        self._pair_links.setdefault(node_pair(link.a, link.b), set()).add(link.id)

    def _unindex_link(self, link: Link) -> None:
        del self._links[link.id]
        for end in (link.a, link.b):
            ids = self._node_links[end]
            ids.discard(link.id)
            if not ids:
                del self._node_links[end]
        pair = node_pair(link.a, link.b)
        self._pair_links[pair].discard(link.id)
        if not self._pair_links[pair]:
            del self._pair_links[pair]

    def _best(self, u: str, v: str) -> tuple[str, float] | None:
        """The pair's cheapest routable link (ties: smallest id) and its cost."""
        a, b = self._nodes.get(u), self._nodes.get(v)
        if a is None or b is None or not (node_is_active(a) and node_is_active(b)):
            return None
        best: tuple[float, str] | None = None
        for link_id in self._pair_links.get(node_pair(u, v), ()):
            link = self._links[link_id]
            if link_is_routable(link):
                cost = self._checked_cost(link)
                if best is None or (cost, link_id) < best:
                    best = (cost, link_id)
        return None if best is None else (best[1], best[0])

    def _checked_cost(self, link: Link) -> float:
        cost = float(self._cost(link))
        if not 0.0 < cost < float("inf"):
            raise ValueError(f"link {link.id}: cost {cost} is not finite and positive")
        return cost

    def _refresh_pair(self, u: str, v: str) -> None:
        pair = node_pair(u, v)
        best = self._best(u, v)
        old = self._edges.get(pair)
        if best is None:
            if old is not None:
                del self._edges[pair]
                self._graph.remove_edge(u, v)
                self._topology_changed()
        elif old is None:
            self._edges[pair] = best
            self._graph.add_edge(u, v, weight=best[1], link=best[0])
            self._topology_changed()
        elif old != best:  # same edge, new cost or best link: no topology change
            self._edges[pair] = best
            data = self._graph[u][v]
            data["link"], data["weight"] = best
            if self._csr is not None:
                self._csr.set_cost(pair, best[1])

    def _refresh_links_of(self, node_id: str) -> None:
        for other in {self._links[i].other(node_id) for i in self._node_links.get(node_id, ())}:
            self._refresh_pair(node_id, other)

    def _topology_changed(self) -> None:
        self._topology_version += 1
        self._csr = None
