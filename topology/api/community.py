"""``GET /api/v1/community``: the community, its licence and address plan."""

from __future__ import annotations

from fastapi import APIRouter

from topology.api.deps import API_PREFIX, NetworkDep
from topology.api.errors import not_found
from topology.api.schemas import CommunityOut
from topology.network import NetworkError

router = APIRouter(prefix=API_PREFIX, tags=["community"])


@router.get("/community", response_model=CommunityOut)
def get_community(network: NetworkDep) -> CommunityOut:
    try:
        community = network.community
    except NetworkError as e:
        raise not_found(str(e)) from None
    return CommunityOut.of(
        community,
        network.store.get_address_plan(),
        zones=len(network.zones),
        nodes=len(network.graph.nodes),
        links=len(network.graph.links),
    )
