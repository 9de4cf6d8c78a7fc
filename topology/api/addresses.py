"""Address management: list, allocate, release, whois, free space per pool."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from fastapi import APIRouter, Query, status

from topology.api.deps import (
    API_PREFIX,
    NetworkDep,
    PrincipalDep,
    authorize,
    global_id,
    known_link,
    known_node,
    node_target,
    zone_chain,
)
from topology.api.errors import ApiError, invalid, not_found
from topology.api.schemas_routing import AllocateIn, AllocationOut, PoolOut, ReleaseIn
from topology.auth import Action, Target, owns
from topology.model import Allocation, HolderKind, Purpose
from topology.network import CommunityNetwork

router = APIRouter(prefix=API_PREFIX, tags=["addresses"])


@router.get("/addresses", response_model=list[AllocationOut])
def list_allocations(
    network: NetworkDep,
    holder: Annotated[str | None, Query(max_length=300, description="Holder id.")] = None,
    purpose: Purpose | None = None,
) -> list[AllocationOut]:
    """Live allocations in address order."""
    held = network.allocations() if holder is None else network.holdings(global_id(network, holder))
    return [AllocationOut.of(a) for a in held if purpose is None or a.purpose is purpose]


def _holder_target(network: CommunityNetwork, kind: HolderKind, holder_id: str) -> Target:
    """Who may allocate or release for a holder: its zone's stewards (a node's owner too)."""
    if kind is HolderKind.NODE and holder_id in network.graph.nodes:
        return node_target(network, network.graph.nodes[holder_id])
    zone = holder_id if kind is HolderKind.ZONE else network.zone_of(holder_id)
    return Target(zones=zone_chain(network, zone if zone in network.zones else None))


@router.post("/addresses", response_model=AllocationOut, status_code=status.HTTP_201_CREATED)
def allocate(body: AllocateIn, network: NetworkDep, principal: PrincipalDep) -> AllocationOut:
    """Allocate a prefix for a node, link, zone or external holder, from ``zone``'s pools
    (default: the holder's zone). Stewards in their zones; volunteers for their nodes."""
    kind = body.holder_kind
    holder = body.holder_id
    try:
        if kind is HolderKind.NODE:
            holder = known_node(network, holder).id
        elif kind is HolderKind.LINK:
            holder = known_link(network, holder).id
        elif kind is HolderKind.ZONE and holder not in network.zones:
            raise not_found(f"zone {holder!r} does not exist")
    except ApiError as e:
        raise invalid(e.message, ("body", "holder_id")) from None
    if body.zone is not None and body.zone not in network.zones:
        raise invalid(f"zone {body.zone!r} does not exist", ("body", "zone"))
    target = _holder_target(network, kind, holder)
    authorize(principal, Action.ADDRESS_ALLOCATE, target)
    zone = body.zone
    if zone is None:
        zone = holder if kind is HolderKind.ZONE else network.zone_of(holder)
    elif not owns(principal, target):
        # Pools of another zone: the steward must hold that zone too.
        authorize(principal, Action.ADDRESS_ALLOCATE, Target(zones=zone_chain(network, zone)))
    got = network.allocate(
        body.purpose, kind, holder, zone_id=zone, prefixlen=body.prefixlen, note=body.note
    )
    return AllocationOut.of(got)


def _live(network: CommunityNetwork, prefix: str) -> Allocation:
    try:
        wanted = ipaddress.ip_network(prefix)
    except ValueError as e:
        raise invalid(str(e), ("body", "prefix")) from None
    for a in network.allocations():
        if ipaddress.ip_network(a.prefix) == wanted:
            return a
    raise not_found(f"no live allocation has the prefix {prefix}")


@router.post("/addresses/release", response_model=AllocationOut)
def release(body: ReleaseIn, network: NetworkDep, principal: PrincipalDep) -> AllocationOut:
    """Release a prefix (stewards of its holder's zone, admins). It is held down for the
    plan's hold-down time (a day by default) before it is reused."""
    held = _live(network, body.prefix)
    target = _holder_target(network, held.holder_kind, held.holder_id)
    authorize(principal, Action.ADDRESS_RELEASE, Target(zones=target.zones))
    return AllocationOut.of(network.release(held.prefix))


@router.get("/addresses/whois", response_model=AllocationOut)
def whois(
    network: NetworkDep,
    address: Annotated[str, Query(max_length=64, examples=["10.228.16.33"])],
) -> AllocationOut:
    """The live allocation holding ``address``."""
    try:
        ipaddress.ip_address(address)
    except ValueError as e:
        raise invalid(str(e), ("query", "address")) from None
    found = network.whois(address)
    if found is None:
        raise not_found(f"{address} is not allocated")
    return AllocationOut.of(found)


@router.get("/addresses/pools", response_model=list[PoolOut])
def pools(network: NetworkDep) -> list[PoolOut]:
    """Free space of every pool (community pools and zone blocks)."""
    return [PoolOut.of(u) for u in network.free_space()]
