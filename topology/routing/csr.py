"""The CSR adjacency of the live graph and shortest-path trees computed on it.

Kept apart from :mod:`topology.graph` (which builds and patches these) so each module
stays small. :class:`CSRView` maps node ids to matrix indices and back and keeps, for
every edge, where its two entries sit in ``matrix.data``: a new cost is written in O(1)
without rebuilding the matrix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_array

from topology.routing.errors import UnknownNode

Pair = tuple[str, str]  # the two node ids of an edge, sorted
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int32]


def node_pair(u: str, v: str) -> Pair:
    """The key of the edge between ``u`` and ``v``: the two ids, sorted."""
    return (u, v) if u <= v else (v, u)


class CSRView:
    """The routable graph as a symmetric CSR matrix, valid for one topology version.

    ``matrix[i, j]`` is the cost of the best link between ``ids[i]`` and ``ids[j]``.
    Its data is updated in place on metrics-only changes; do not keep it across
    topology changes (compare ``topology_version``).
    """

    __slots__ = ("_bwd", "_fwd", "_slot", "ids", "index", "matrix", "topology_version")

    def __init__(
        self, ids: tuple[str, ...], edges: Mapping[Pair, tuple[str, float]], topology_version: int
    ) -> None:
        index = {node_id: i for i, node_id in enumerate(ids)}
        n, m = len(ids), len(edges)
        pairs = list(edges)
        us = np.fromiter((index[u] for u, _ in pairs), dtype=np.int32, count=m)
        vs = np.fromiter((index[v] for _, v in pairs), dtype=np.int32, count=m)
        ws = np.fromiter((w for _, w in edges.values()), dtype=np.float64, count=m)
        slot = dict(zip(pairs, range(m), strict=True))
        rows = np.concatenate((us, vs))
        cols = np.concatenate((vs, us))
        order = np.lexsort((cols, rows))
        data = np.concatenate((ws, ws))[order]
        indptr = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        where = np.empty(2 * m, dtype=np.int64)
        where[order] = np.arange(2 * m)
        self.matrix = csr_array((data, cols[order].astype(np.int32), indptr), shape=(n, n))
        self.matrix.has_sorted_indices = True
        self.ids: tuple[str, ...] = ids
        self.index: Mapping[str, int] = MappingProxyType(index)
        self.topology_version = topology_version
        self._slot = slot
        self._fwd = where[:m]
        self._bwd = where[m:]

    def set_cost(self, pair: Pair, cost: float) -> None:
        """Write a new cost for an existing edge, both directions, in O(1)."""
        k = self._slot[pair]
        data = self.matrix.data
        data[self._fwd[k]] = cost
        data[self._bwd[k]] = cost

    def data_slots(self, u: str, v: str) -> tuple[int, int]:
        """Positions in ``matrix.data`` of edge ``u-v`` (both directions)."""
        k = self._slot[node_pair(u, v)]
        return int(self._fwd[k]), int(self._bwd[k])


@dataclass(frozen=True, slots=True, eq=False)
class ShortestPathTree:
    """Single-source shortest paths from ``source`` at one graph ``version``.

    Arrays are indexed like ``ids``: ``dist`` (inf when unreachable), ``pred`` (the
    previous node on the path, -9999 for the source and unreachable nodes) and
    ``first_hop`` (the source's neighbour the path leaves by, -1 for the source and
    unreachable nodes). Treat the arrays as read-only: the tree is shared by a cache.
    """

    source: str
    version: int
    ids: tuple[str, ...]
    index: Mapping[str, int]
    dist: FloatArray
    pred: IntArray
    first_hop: IntArray

    def distance(self, target: str) -> float:
        """Total cost to ``target`` (``inf`` when unreachable)."""
        return float(self.dist[self._at(target)])

    def path(self, target: str) -> list[str] | None:
        """Node ids from the source to ``target`` inclusive, ``None`` when unreachable."""
        j = self._at(target)
        if not np.isfinite(self.dist[j]):
            return None
        out = [j]
        pred = self.pred
        while pred[j] >= 0:
            j = int(pred[j])
            out.append(j)
        ids = self.ids
        return [ids[i] for i in reversed(out)]

    def next_hop(self, target: str) -> str | None:
        """The source's neighbour on the way to ``target`` (``None``: unreachable/self)."""
        hop = int(self.first_hop[self._at(target)])
        return self.ids[hop] if hop >= 0 else None

    def _at(self, node_id: str) -> int:
        try:
            return self.index[node_id]
        except KeyError:
            raise UnknownNode(node_id) from None


def first_hops(pred: IntArray, source: int) -> IntArray:
    """For every node, the source's neighbour its shortest path starts with.

    Pointer jumping over the predecessor array: O(n log depth), all in numpy. Nodes
    with no predecessor (the source, unreachable nodes) get -1.
    """
    idx = np.arange(len(pred), dtype=np.int32)
    up = pred.astype(np.int32, copy=True)
    fixed = (up < 0) | (up == source)
    up[fixed] = idx[fixed]
    while True:
        nxt = up[up]
        if np.array_equal(nxt, up):
            break
        up = nxt
    up[pred < 0] = -1
    return up
