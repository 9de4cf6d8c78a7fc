"""The live graph as a NetJSON ``NetworkGraph`` object (schema ``network-graph.json``).

Shape::

    {"type": "NetworkGraph", "protocol": "meshcommons", "version": "0.1",
     "metric": "etx", "revision": "<graph version>", "label": "...",
     "nodes": [{"id": "synth:n1", "label": "<node name>",
                "properties": {"status": "Working", "role": "supernode",
                               "gateway": false, "zone": "town-01"}}],
     "links": [{"source": "synth:n1", "target": "synth:n2", "cost": 1.3,
                "properties": {"link": "synth:l7", "type": "wds", "status": "Working",
                               "parallel_links": 1, "signal_dbm": -61.0}}]}

Every node held is listed (any status); links are the routable node pairs, one per
pair, with the cost and properties of the link routing uses. Costs are always finite.
Public data only: never a contact, an owner or a position.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, NotRequired, TypedDict

from topology.routing.table import METRIC, PROTOCOL, PROTOCOL_VERSION

if TYPE_CHECKING:
    from topology.graph import LiveGraph


class GraphNode(TypedDict):
    id: str
    label: str
    properties: dict[str, Any]


class GraphLink(TypedDict):
    source: str
    target: str
    cost: float
    properties: dict[str, Any]


class NetworkGraph(TypedDict):
    type: Literal["NetworkGraph"]
    protocol: str
    version: str
    metric: str
    revision: NotRequired[str]
    label: NotRequired[str]
    router_id: NotRequired[str]
    nodes: list[GraphNode]
    links: list[GraphLink]


def to_netjson_graph(
    graph: LiveGraph,
    *,
    label: str | None = None,
    router_id: str | None = None,
    protocol: str = PROTOCOL,
    version: str = PROTOCOL_VERSION,
    metric: str = METRIC,
    revision: str | None = None,
) -> NetworkGraph:
    """The routable graph as NetJSON ``NetworkGraph`` (see the module docstring).

    Parameters
    ----------
    graph : LiveGraph
    label, router_id : str, optional
        Optional NetJSON fields, left out when ``None``.
    protocol, version, metric : str
        The NetJSON header fields.
    revision : str, optional
        Defaults to the graph version.

    Examples
    --------
    >>> from topology.graph import LiveGraph
    >>> from topology.model import Link, LinkType, Node, Position, Status
    >>> def node(i): return Node(f"c:{i}", i.upper(), "z", Position(44.5, -71.5))
    >>> g = LiveGraph([node("a"), node("b")], [Link("c:ab", "c:a", "c:b", LinkType.CABLE)])
    >>> out = to_netjson_graph(g)
    >>> out["nodes"][0]["label"], out["links"][0]["cost"]
    ('A', 101.0)
    """
    nodes: list[GraphNode] = [
        {
            "id": node.id,
            "label": node.name,
            "properties": {
                "status": str(node.status),
                "role": str(node.role),
                "gateway": node.gateway,
                "zone": node.zone_id,
            },
        }
        for node in graph.nodes.values()
    ]
    links: list[GraphLink] = []
    for u, v, link, cost in graph.routed_pairs():
        properties: dict[str, Any] = {
            "link": link.id,
            "type": str(link.type),
            "status": str(link.status),
            "parallel_links": graph.count_links_between(u, v),
        }
        if link.metrics.signal_dbm is not None:
            properties["signal_dbm"] = link.metrics.signal_dbm
        if link.metrics.rate_mbps is not None:
            properties["rate_mbps"] = link.metrics.rate_mbps
        links.append({"source": u, "target": v, "cost": cost, "properties": properties})
    out: NetworkGraph = {
        "type": "NetworkGraph",
        "protocol": protocol,
        "version": version,
        "metric": metric,
        "revision": str(graph.version) if revision is None else revision,
        "nodes": nodes,
        "links": links,
    }
    if label is not None:
        out["label"] = label
    if router_id is not None:
        out["router_id"] = router_id
    return out
