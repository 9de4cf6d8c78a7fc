"""``GET /api/v1/graph``: the network as NetJSON ``NetworkGraph``."""

from __future__ import annotations

from fastapi import APIRouter

from topology.api.deps import API_PREFIX, NetworkDep
from topology.api.schemas_routing import NetworkGraphOut
from topology.network import NetworkError
from topology.routing import to_netjson_graph

router = APIRouter(prefix=API_PREFIX, tags=["routing"])


@router.get("/graph", response_model=NetworkGraphOut)
def graph(network: NetworkDep) -> NetworkGraphOut:
    """Every node (any status) and every routable node pair with its cost. Public data
    only: no contact, owner or position."""
    try:
        label: str | None = network.community.name
    except NetworkError:
        label = None
    with network.lock:
        return NetworkGraphOut.of(to_netjson_graph(network.graph, label=label))
