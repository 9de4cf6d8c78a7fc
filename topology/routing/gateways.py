"""The nearest Internet gateway of every node: one multi-source Dijkstra.

All gateways start at cost 0 together (scipy's ``dijkstra(..., min_only=True)``), so
every node learns its cheapest gateway and the cost to it in a single pass. When two
gateways are equally near, which one a node gets is left to the algorithm.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from scipy.sparse.csgraph import dijkstra

from topology.routing.errors import UnknownNode

if TYPE_CHECKING:
    from topology.graph import LiveGraph


@dataclass(frozen=True, slots=True)
class GatewayAssignment:
    """Each node's nearest gateway and the path cost to it.

    ``gateway`` and ``cost`` hold every node that reaches a gateway (a gateway is its
    own, at cost 0); ``unreachable`` lists, sorted, the nodes that reach none.
    """

    gateways: tuple[str, ...]
    gateway: Mapping[str, str]
    cost: Mapping[str, float]
    unreachable: tuple[str, ...]
    version: int  # the graph version it was computed at

    def of(self, node_id: str) -> str | None:
        """The nearest gateway of ``node_id``, ``None`` when it reaches none."""
        return self.gateway.get(node_id)


def nearest_gateway_arrays(
    matrix: Any, gateway_indices: npt.NDArray[np.int32]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int32]]:
    """Cost to, and index of, the nearest of ``gateway_indices`` for every row of ``matrix``.

    The index is -9999 where no gateway is reachable (scipy's convention).
    """
    n = matrix.shape[0]
    if len(gateway_indices) == 0:
        return np.full(n, np.inf), np.full(n, -9999, dtype=np.int32)
    dist, _pred, sources = dijkstra(
        matrix, directed=True, indices=gateway_indices, min_only=True, return_predecessors=True
    )
    return dist, sources.astype(np.int32, copy=False)


def gateway_indices(graph: LiveGraph, gateways: Iterable[str] | None) -> list[int]:
    """Matrix indices of ``gateways`` (default: the graph's active gateway nodes)."""
    names = graph.gateways() if gateways is None else tuple(gateways)
    index = graph.csr().index
    try:
        return sorted({index[g] for g in names})
    except KeyError as exc:
        raise UnknownNode(str(exc.args[0])) from None


def nearest_gateways(
    graph: LiveGraph, *, gateways: Iterable[str] | None = None
) -> GatewayAssignment:
    """The nearest gateway of every node, and its cost.

    Parameters
    ----------
    graph : LiveGraph
    gateways : iterable of node ids, optional
        The exits to consider. Default: the nodes flagged ``gateway`` whose status is
        not Dropped or Inactive.

    Returns
    -------
    GatewayAssignment
        Memoised for the graph version.

    Raises
    ------
    UnknownNode
        A gateway id is not in the graph.

    Examples
    --------
    >>> from topology.graph import LiveGraph
    >>> from topology.model import Link, LinkType, Node, Position, Status
    >>> def node(i, gw=False):
    ...     return Node(f"c:{i}", i, "z", Position(44.5, -71.5), Status.WORKING, gateway=gw)
    >>> g = LiveGraph([node("gw", True), node("a"), node("b"), node("island")], [
    ...     Link("c:l1", "c:gw", "c:a", LinkType.CABLE, Status.WORKING),
    ...     Link("c:l2", "c:a", "c:b", LinkType.WDS, Status.WORKING),
    ... ])
    >>> found = nearest_gateways(g)
    >>> found.of("c:b"), found.cost["c:b"], found.unreachable
    ('c:gw', 6.0, ('c:island',))
    """
    indices = gateway_indices(graph, gateways)
    return graph.memo(("gateways", tuple(indices)), lambda: _compute(graph, indices))


def _compute(graph: LiveGraph, indices: list[int]) -> GatewayAssignment:
    view = graph.csr()
    ids = view.ids
    dist, source = nearest_gateway_arrays(view.matrix, np.asarray(indices, dtype=np.int32))
    found = source >= 0
    names = [ids[i] for i in np.flatnonzero(found).tolist()]
    gateway = dict(zip(names, (ids[s] for s in source[found].tolist()), strict=True))
    cost = dict(zip(names, dist[found].tolist(), strict=True))
    unreachable = tuple(sorted(ids[i] for i in np.flatnonzero(~found).tolist()))
    return GatewayAssignment(
        gateways=tuple(ids[i] for i in indices),
        gateway=MappingProxyType(gateway),
        cost=MappingProxyType(cost),
        unreachable=unreachable,
        version=graph.version,
    )
