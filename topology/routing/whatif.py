"""What if a node or a link went down? Computed on a masked copy of the CSR matrix.

The live graph is never changed: the removed node's row and column (or the removed
link's two entries) are dropped from a copy of the adjacency, then components and
nearest gateways are computed on the copy and compared with the graph as it is.

Definitions:

* **lost reach**: the removal splits the component it sits in into pieces; the largest
  piece keeps going, the nodes of every other piece lose reach to it (the removed node
  itself is never listed). Removing one of several parallel links cuts nothing: the
  next cheapest link takes over (its cost may be higher).
* **lost gateway**: had a reachable gateway before, none after.
* **changed gateway**: has a gateway before and after, but a different one (when two
  gateways are equally near, the choice between them may flip).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.sparse.csgraph import connected_components

from topology.routing.costs import link_is_routable
from topology.routing.gateways import gateway_indices, nearest_gateway_arrays

if TYPE_CHECKING:
    from topology.graph import LiveGraph


@dataclass(frozen=True, slots=True)
class WhatIf:
    """Who is hurt if ``removed`` (a node or a link id) goes down. Node ids are sorted."""

    removed: str
    kind: str  # "node" or "link"
    lost_reach: tuple[str, ...]
    lost_gateway: tuple[str, ...]
    changed_gateway: Mapping[str, tuple[str, str]]  # node -> (gateway before, after)
    components_before: int
    components_after: int  # the removed node not counted
    version: int  # the graph version it was computed at

    @property
    def harmless(self) -> bool:
        """Nobody loses reach or a gateway (gateways may still change)."""
        return not self.lost_reach and not self.lost_gateway


def what_if_remove_node(
    graph: LiveGraph, node_id: str, *, gateways: Iterable[str] | None = None
) -> WhatIf:
    """Who loses reach or their gateway if node ``node_id`` goes down.

    Parameters
    ----------
    graph : LiveGraph
        Left unchanged.
    node_id : str
    gateways : iterable of node ids, optional
        As :func:`~topology.routing.gateways.nearest_gateways`; a removed gateway is no
        exit any more.

    Returns
    -------
    WhatIf

    Examples
    --------
    >>> from topology.graph import LiveGraph
    >>> from topology.model import Link, LinkType, Node, Position, Status
    >>> def node(i, gw=False):
    ...     return Node(f"c:{i}", i, "z", Position(44.5, -71.5), Status.WORKING, gateway=gw)
    >>> def link(a, b): return Link(f"c:{a}{b}", f"c:{a}", f"c:{b}", status=Status.WORKING)
    >>> g = LiveGraph([node("g", True), node("a"), node("h"), node("x")],
    ...               [link("g", "a"), link("a", "h"), link("h", "x")])
    >>> w = what_if_remove_node(g, "c:h")  # h is x's only way to a and g
    >>> w.lost_reach, w.lost_gateway, w.components_after
    (('c:x',), ('c:x',), 2)
    """
    graph.node(node_id)  # raises UnknownNode
    view = graph.csr()
    i = view.index[node_id]
    masked = view.matrix.copy()
    masked.data[masked.indices == i] = 0.0
    start, stop = masked.indptr[i], masked.indptr[i + 1]
    masked.data[start:stop] = 0.0
    masked.eliminate_zeros()
    return _compare(graph, masked, {i}, node_id, "node", [i], gateways)


def what_if_remove_link(
    graph: LiveGraph, link_id: str, *, gateways: Iterable[str] | None = None
) -> WhatIf:
    """Who loses reach or their gateway if link ``link_id`` goes down.

    When the link is not the one routing uses between its ends (a parallel link is
    cheaper), or routes nothing (Dropped, an end inactive), nothing changes. When a
    parallel link can take over, the pair stays joined at that link's cost.
    """
    link = graph.link(link_id)  # raises UnknownLink
    view = graph.csr()
    masked = view.matrix.copy()
    used = graph.route_link(link.a, link.b)
    ends = [view.index[e] for e in (link.a, link.b) if e in view.index]
    if used is not None and used.id == link_id:
        others = [
            graph.cost_of(other)
            for other in graph.links_between(link.a, link.b)
            if other.id != link_id and link_is_routable(other)
        ]
        fwd, bwd = view.data_slots(link.a, link.b)
        masked.data[[fwd, bwd]] = min(others) if others else 0.0
        masked.eliminate_zeros()
    return _compare(graph, masked, set(), link_id, "link", ends, gateways)


def _compare(
    graph: LiveGraph,
    masked: Any,
    removed: set[int],
    removed_id: str,
    kind: str,
    touched: list[int],
    gateways: Iterable[str] | None,
) -> WhatIf:
    view = graph.csr()
    ids = view.ids
    n_before, label_before = connected_components(view.matrix, directed=True, connection="weak")
    n_after, label_after = connected_components(masked, directed=True, connection="weak")
    lost: list[int] = []
    for comp in {int(label_before[t]) for t in touched}:
        members = np.flatnonzero(label_before == comp)
        if removed:
            members = members[~np.isin(members, list(removed))]
        if len(members) == 0:
            continue
        pieces, sizes = np.unique(label_after[members], return_counts=True)
        if len(pieces) > 1:
            main = pieces[np.argmax(sizes)]  # first of the largest, by component label
            lost.extend(members[label_after[members] != main].tolist())
    gw = gateway_indices(graph, gateways)
    gw_after = np.asarray([g for g in gw if g not in removed], dtype=np.int32)
    _, src_before = nearest_gateway_arrays(view.matrix, np.asarray(gw, dtype=np.int32))
    _, src_after = nearest_gateway_arrays(masked, gw_after)
    had, has = src_before >= 0, src_after >= 0
    keep = np.ones(len(ids), dtype=bool)
    keep[list(removed)] = False
    lost_gw = np.flatnonzero(had & ~has & keep).tolist()
    changed = np.flatnonzero(had & has & keep & (src_before != src_after)).tolist()
    return WhatIf(
        removed=removed_id,
        kind=kind,
        lost_reach=tuple(sorted(ids[j] for j in lost)),
        lost_gateway=tuple(sorted(ids[j] for j in lost_gw)),
        changed_gateway=MappingProxyType(
            {
                ids[j]: (ids[src_before[j]], ids[src_after[j]])
                for j in sorted(changed, key=ids.__getitem__)
            }
        ),
        components_before=int(n_before),
        components_after=int(n_after) - len(removed),
        version=graph.version,
    )
