"""Routing over the live graph: pure functions, graph first, options as keywords.

Public names (pinned by ``tests/routing/test_routing_api.py``):

* costs: :func:`link_cost`, :func:`static_cost`, :func:`link_is_routable`,
  :func:`node_is_active`
* paths: :func:`shortest_path`, :func:`shortest_path_cost`, :func:`explain_path`,
  :class:`Hop`, :class:`PathExplanation`
* tables: :func:`routing_table` (NetJSON NetworkRoutes), :func:`to_netjson_graph`
  (NetJSON NetworkGraph)
* gateways: :func:`nearest_gateways`, :class:`GatewayAssignment`
* what-if: :func:`what_if_remove_node`, :func:`what_if_remove_link`, :class:`WhatIf`
* errors: :class:`RoutingError`, :class:`UnknownNode`, :class:`UnknownLink`,
  :class:`DuplicateId`, :class:`NoRoute`

The graph itself is :class:`topology.graph.LiveGraph`; its CSR matrix and shortest-path
trees live in :mod:`topology.routing.csr`. Modules here import the graph for type
checking only, so ``topology.graph`` may import :mod:`topology.routing.costs`.
"""

from topology.routing.costs import link_cost, link_is_routable, node_is_active, static_cost
from topology.routing.errors import DuplicateId, NoRoute, RoutingError, UnknownLink, UnknownNode
from topology.routing.gateways import GatewayAssignment, nearest_gateways
from topology.routing.netjson import NetworkGraph, to_netjson_graph
from topology.routing.paths import (
    Hop,
    PathExplanation,
    explain_path,
    shortest_path,
    shortest_path_cost,
)
from topology.routing.table import NetworkRoutes, Route, routing_table
from topology.routing.whatif import WhatIf, what_if_remove_link, what_if_remove_node

__all__ = [
    "DuplicateId",
    "GatewayAssignment",
    "Hop",
    "NetworkGraph",
    "NetworkRoutes",
    "NoRoute",
    "PathExplanation",
    "Route",
    "RoutingError",
    "UnknownLink",
    "UnknownNode",
    "WhatIf",
    "explain_path",
    "link_cost",
    "link_is_routable",
    "nearest_gateways",
    "node_is_active",
    "routing_table",
    "shortest_path",
    "shortest_path_cost",
    "static_cost",
    "to_netjson_graph",
    "what_if_remove_link",
    "what_if_remove_node",
]
