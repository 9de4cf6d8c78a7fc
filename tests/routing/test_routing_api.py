"""The public names of topology.routing, pinned."""

from __future__ import annotations

import topology.routing


def test_public_names() -> None:
    assert sorted(topology.routing.__all__) == [
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
    for name in topology.routing.__all__:
        assert hasattr(topology.routing, name)


def test_graph_module_imports_first() -> None:
    # topology.graph imports topology.routing.costs; the routing modules import the
    # graph for type checking only, so either may be imported first.
    import importlib
    import subprocess
    import sys

    for first in ("topology.graph", "topology.routing"):
        code = f"import {first}; import topology.graph, topology.routing"
        subprocess.run([sys.executable, "-c", code], check=True)
    assert importlib.import_module("topology.graph").LiveGraph
