"""Zones: list, create, read, replace. Stewards act inside their zones (and sub-zones)."""

from __future__ import annotations

from fastapi import APIRouter, status

from topology.api.deps import (
    API_PREFIX,
    NetworkDep,
    PrincipalDep,
    authorize,
    known_zone,
    zone_chain,
    zone_target,
)
from topology.api.errors import ApiError, invalid
from topology.api.schemas import ZoneBody, ZoneIn, ZoneOut
from topology.auth import Action
from topology.network import CommunityNetwork

router = APIRouter(prefix=API_PREFIX, tags=["zones"])


@router.get("/zones", response_model=list[ZoneOut])
def list_zones(network: NetworkDep) -> list[ZoneOut]:
    return [ZoneOut.of(z) for z in network.zones.values()]


@router.get("/zones/{zone}", response_model=ZoneOut)
def get_zone(zone: str, network: NetworkDep) -> ZoneOut:
    return ZoneOut.of(known_zone(network, zone))


def _check_parent(network: CommunityNetwork, zone_id: str, parent: str | None) -> None:
    if parent is None:
        return
    if parent not in network.zones:
        raise invalid(f"zone {parent!r} does not exist", ("body", "parent"))
    if zone_id in zone_chain(network, parent):
        raise invalid(f"zone {parent!r} is {zone_id!r} or inside it", ("body", "parent"))


@router.post("/zones", response_model=ZoneOut, status_code=status.HTTP_201_CREATED)
def create_zone(body: ZoneIn, network: NetworkDep, principal: PrincipalDep) -> ZoneOut:
    """Create a zone: admins anywhere, stewards inside their zones (a parent is needed)."""
    authorize(principal, Action.ZONE_CREATE, zone_target(network, body.parent))
    if body.id in network.zones:
        raise ApiError(409, f"zone {body.id!r} already exists")
    _check_parent(network, body.id, body.parent)
    zone = body.domain(body.id)
    network.put_zone(zone)
    return ZoneOut.of(zone)


@router.put("/zones/{zone}", response_model=ZoneOut)
def replace_zone(
    zone: str, body: ZoneBody, network: NetworkDep, principal: PrincipalDep
) -> ZoneOut:
    """Replace a zone; moving it under another parent needs the right there too."""
    old = known_zone(network, zone)
    authorize(principal, Action.ZONE_WRITE, zone_target(network, old.id))
    if body.parent != old.parent_id:
        authorize(principal, Action.ZONE_CREATE, zone_target(network, body.parent))
        _check_parent(network, old.id, body.parent)
    new = body.domain(old.id)
    network.put_zone(new)
    return ZoneOut.of(new)
