"""A node's routing table, as a NetJSON ``NetworkRoutes`` object.

Shape (netjson.org, schema ``network-routes.json``)::

    {"type": "NetworkRoutes", "protocol": "meshcommons", "version": "0.1",
     "metric": "etx", "revision": "<graph version>", "router_id": "<node id>",
     "routes": [{"destination": "10.1.2.32/27", "next": "synth:n12",
                 "device": "radio/wds3", "cost": 6.4}, ...]}

* ``metric`` is ``"etx"``: costs are ETX-like (1 is a perfect hop). Measured link costs
  come from the routing daemon; unmeasured links use Guifi's static rule on the same
  scale (see :mod:`topology.routing.costs`). ``cost`` is the path's total.
* ``destination``: each prefix of the destination node, from the ``prefixes`` mapping
  (address management). A node with no prefix there has nothing a router could route
  to, so it gets no route. Without any ``prefixes`` mapping, destinations are node ids:
  a logical table, for display and tests.
* ``next``: the next hop's address from ``addresses`` when given, else its node id.
* ``device``: the local end of the link to the next hop (``Link.a_interface`` or
  ``b_interface``), else ``"<link type>-<next hop id>"``, e.g. ``"wds-synth:n12"``.
* Unreachable nodes get no route. Routes are sorted by cost. A prefix held by two nodes
  (an address conflict) is routed to the cheaper one only, keeping routes unique.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal, NotRequired, TypedDict

import numpy as np

from topology.routing.errors import UnknownNode

if TYPE_CHECKING:
    from topology.graph import LiveGraph

PROTOCOL = "meshcommons"
PROTOCOL_VERSION = "0.1"
METRIC = "etx"


class Route(TypedDict):
    destination: str
    next: str
    device: str
    cost: float


class NetworkRoutes(TypedDict):
    type: Literal["NetworkRoutes"]
    protocol: str
    version: str
    metric: str
    revision: NotRequired[str]
    router_id: NotRequired[str]
    routes: list[Route]


def local_device(graph: LiveGraph, node_id: str, neighbour: str) -> str:
    """Name of ``node_id``'s interface toward its neighbour (see the module docstring)."""
    link = graph.route_link(node_id, neighbour)
    if link is None:
        raise ValueError(f"{node_id} and {neighbour} are not neighbours")
    interface = link.a_interface if link.a == node_id else link.b_interface
    return interface or f"{link.type}-{neighbour}"


def routing_table(
    graph: LiveGraph,
    node_id: str,
    *,
    prefixes: Mapping[str, Sequence[str]] | None = None,
    addresses: Mapping[str, str] | None = None,
    protocol: str = PROTOCOL,
    version: str = PROTOCOL_VERSION,
    metric: str = METRIC,
    revision: str | None = None,
) -> NetworkRoutes:
    """The routing table of ``node_id`` as NetJSON ``NetworkRoutes``.

    Parameters
    ----------
    graph : LiveGraph
    node_id : str
        The router; also the ``router_id``.
    prefixes : mapping, optional
        Node id -> its prefixes (LAN, IPv6 ...). ``None``: route to node ids.
    addresses : mapping, optional
        Node id -> the address ``next`` should show.
    protocol, version, metric : str
        The NetJSON header fields.
    revision : str, optional
        Defaults to the graph version, so a consumer can tell tables apart.

    Returns
    -------
    NetworkRoutes
        A dict valid against NetJSON's ``network-routes.json``.

    Complexity: one Dijkstra from ``node_id`` (memoised per graph version) plus
    O(routes) to write the routes.

    Examples
    --------
    >>> from topology.graph import LiveGraph
    >>> from topology.model import Link, LinkType, Node, Position, Status
    >>> def node(i): return Node(f"c:{i}", i, "z", Position(44.5, -71.5), Status.WORKING)
    >>> g = LiveGraph([node("a"), node("b"), node("c")], [
    ...     Link("c:ab", "c:a", "c:b", LinkType.CABLE, Status.WORKING, a_interface="eth0"),
    ...     Link("c:bc", "c:b", "c:c", LinkType.WDS, Status.WORKING),
    ... ])
    >>> table = routing_table(g, "c:a", prefixes={"c:c": ["10.0.0.32/27"]})
    >>> table["routes"]
    [{'destination': '10.0.0.32/27', 'next': 'c:b', 'device': 'eth0', 'cost': 6.0}]
    """
    if node_id not in graph:
        raise UnknownNode(node_id)
    tree = graph.sssp(node_id)
    ids = tree.ids
    src = tree.index[node_id]
    reach = np.flatnonzero(np.isfinite(tree.dist))
    reach = reach[reach != src]
    order = reach[np.argsort(tree.dist[reach], kind="stable")]
    hop_of = tree.first_hop[order]
    via: dict[int, tuple[str, str]] = {}
    for hop in np.unique(hop_of).tolist():
        neighbour = ids[hop]
        shown = addresses.get(neighbour, neighbour) if addresses is not None else neighbour
        via[hop] = (shown, local_device(graph, node_id, neighbour))
    routes: list[Route] = []
    add = routes.append
    rows = zip(order.tolist(), tree.dist[order].tolist(), hop_of.tolist(), strict=True)
    if prefixes is None:
        for j, cost, hop in rows:
            nxt, device = via[hop]
            add({"destination": ids[j], "next": nxt, "device": device, "cost": cost})
    else:
        seen: set[str] = set()
        for j, cost, hop in rows:
            for prefix in prefixes.get(ids[j], ()):
                if prefix not in seen:
                    seen.add(prefix)
                    nxt, device = via[hop]
                    add({"destination": prefix, "next": nxt, "device": device, "cost": cost})
    return {
        "type": "NetworkRoutes",
        "protocol": protocol,
        "version": version,
        "metric": metric,
        "revision": str(graph.version) if revision is None else revision,
        "router_id": node_id,
        "routes": routes,
    }
