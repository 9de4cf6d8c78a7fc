"""Routing: explained paths, nearest gateways, what-if, a node's NetJSON routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from topology.api.deps import API_PREFIX, NetworkDep, known_link, known_node
from topology.api.schemas_routing import (
    GatewaysOut,
    NetworkRoutesOut,
    PathOut,
    WhatIfIn,
    WhatIfOut,
)

router = APIRouter(prefix=API_PREFIX, tags=["routing"])

NodeQuery = Annotated[str, Query(min_length=1, max_length=300, description="Node id.")]


@router.get("/routes/path", response_model=PathOut)
def path(source: NodeQuery, target: NodeQuery, network: NetworkDep) -> PathOut:
    """The cheapest path from ``source`` to ``target``, hop by hop, with its bottleneck.
    404 ``not_found`` for an unknown node, 404 ``no_route`` when no path joins them."""
    a, b = known_node(network, source), known_node(network, target)
    with network.lock:
        return PathOut.of(network.route(a.id, b.id))


@router.get("/gateways", response_model=GatewaysOut)
def gateways(network: NetworkDep) -> GatewaysOut:
    """The nearest Internet gateway of every node, and the nodes that reach none."""
    with network.lock:
        return GatewaysOut.of(network.gateways())


@router.post("/whatif", response_model=WhatIfOut)
def what_if(body: WhatIfIn, network: NetworkDep) -> WhatIfOut:
    """Who would lose reach or their gateway if a node or a link went down (nothing is
    changed)."""
    with network.lock:
        if body.node is not None:
            return WhatIfOut.of(network.what_if(node=known_node(network, body.node).id))
        assert body.link is not None
        return WhatIfOut.of(network.what_if(link=known_link(network, body.link).id))


@router.get("/nodes/{node}/routes", response_model=NetworkRoutesOut)
def node_routes(node: str, network: NetworkDep) -> NetworkRoutesOut:
    """The node's routing table as NetJSON ``NetworkRoutes``: one route per prefix of
    every reachable node, with the next hop's node id and the path cost."""
    found = known_node(network, node)
    with network.lock:
        return NetworkRoutesOut.of(network.routing_table(found.id))
