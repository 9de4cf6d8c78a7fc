"""Nodes: list, register, read, change, status, retire; a node's addresses.

Who may do what is decided by :mod:`topology.auth` (owner / steward / admin); this module
looks up the targets and translates HTTP to :class:`~topology.network.CommunityNetwork`
calls. Creation and read-modify-write changes hold the network's lock, so two requests
cannot both register one id or undo each other's change.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query, status

from topology.api.deps import (
    API_PREFIX,
    NetworkDep,
    PrincipalDep,
    authorize,
    known_node,
    node_target,
    node_view,
    zone_chain,
)
from topology.api.errors import ApiError, invalid
from topology.api.schemas_nodes import NodeCreated, NodeIn, NodeList, NodeOut, NodePatch, StatusIn
from topology.api.schemas_routing import AllocationOut
from topology.auth import AccessRole, Action, Principal, Target, status_action
from topology.ipam import IpamError
from topology.model import Allocation, HolderKind, Node, Purpose, Role, Status, make_id
from topology.network import CommunityNetwork

router = APIRouter(prefix=API_PREFIX, tags=["nodes"])


def _out(principal: Principal, network: CommunityNetwork, node: Node) -> NodeOut:
    shown, private = node_view(principal, network, node)
    return NodeOut.of(shown, private=private)


def _matches(node: Node, q: str | None) -> bool:
    if q is None:
        return True
    q = q.casefold()
    return q in node.id.casefold() or q in node.name.casefold()


@router.get("/nodes", response_model=NodeList)
def list_nodes(
    network: NetworkDep,
    principal: PrincipalDep,
    zone: Annotated[str | None, Query(description="Zone id; its sub-zones included.")] = None,
    status: Status | None = None,
    role: Role | None = None,
    q: Annotated[str | None, Query(max_length=200, description="Part of id or name.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> NodeList:
    """Nodes sorted by id; contacts and owners only where the caller may see them."""
    with network.lock:
        found = []
        for node in sorted(network.graph.nodes.values(), key=lambda n: n.id):
            if status is not None and node.status is not status:
                continue
            if role is not None and node.role is not role:
                continue
            if zone is not None and zone not in zone_chain(network, node.zone_id):
                continue
            if _matches(node, q):
                found.append(node)
        items = [_out(principal, network, n) for n in found[offset : offset + limit]]
    return NodeList(total=len(found), limit=limit, offset=offset, items=items)


def _allocate_lan(network: CommunityNetwork, node: Node) -> tuple[list[Allocation], str | None]:
    got: list[Allocation] = []
    try:
        for purpose in (Purpose.LAN, Purpose.IPV6):
            got.append(network.allocate(purpose, HolderKind.NODE, node.id, zone_id=node.zone_id))
    except IpamError as e:
        return got, str(e)
    return got, None


@router.post("/nodes", response_model=NodeCreated, status_code=status.HTTP_201_CREATED)
def create_node(body: NodeIn, network: NetworkDep, principal: PrincipalDep) -> NodeCreated:
    """Register a node. A volunteer becomes its owner and may only give the status
    Planned or Reserved; stewards register in their zones; ``allocate`` also gives the
    node a LAN /27 and an IPv6 /64 (a failure there is reported in ``address_error``)."""
    with network.lock:
        node_id = make_id(network.community.slug, body.id)
        if body.zone not in network.zones:
            raise invalid(f"zone {body.zone!r} does not exist", ("body", "zone"))
        chain = zone_chain(network, body.zone)
        authorize(principal, Action.NODE_CREATE, Target(zones=chain, node_id=node_id))
        if principal.role is AccessRole.VOLUNTEER:
            if body.owner not in (None, principal.name):
                raise ApiError(403, "a volunteer registers nodes for themselves only")
            owner = principal.name
        else:
            owner = body.owner or ""
        target = Target(zones=chain, owner=owner, node_id=node_id)
        authorize(principal, status_action(Status.PLANNED, body.status), target)
        if node_id in network.graph.nodes:
            raise ApiError(409, f"node {node_id!r} already exists")
        node = network.put_node(
            Node(
                id=node_id,
                name=body.name,
                zone_id=body.zone,
                position=body.position.domain(),
                status=body.status,
                role=body.role,
                gateway=body.gateway,
                devices=tuple(d.domain() for d in body.devices),
                contact=body.contact.domain() if body.contact else None,
                private_position=body.private_position,
                owner=owner,
            )
        )
    addresses, error = _allocate_lan(network, node) if body.allocate else ([], None)
    return NodeCreated(
        node=_out(principal, network, node),
        addresses=[AllocationOut.of(a) for a in addresses],
        address_error=error,
    )


@router.get("/nodes/{node}", response_model=NodeOut)
def get_node(node: str, network: NetworkDep, principal: PrincipalDep) -> NodeOut:
    """One node (global or local id); contact and owner only for its owner, its stewards
    and admins; a private position is rounded for everyone else."""
    return _out(principal, network, known_node(network, node))


@router.patch("/nodes/{node}", response_model=NodeOut)
def change_node(
    node: str, body: NodePatch, network: NetworkDep, principal: PrincipalDep
) -> NodeOut:
    """Change fields (absent fields stay). Moving to another zone needs the right there;
    changing the owner is for stewards and admins."""
    with network.lock:
        old = known_node(network, node)
        target = node_target(network, old)
        authorize(principal, Action.NODE_WRITE, target)
        given = body.model_fields_set
        new = old
        if "owner" in given and body.owner != old.owner:
            authorize(principal, Action.NODE_SET_OWNER, target)
            new = replace(new, owner=body.owner or "")
        if body.zone is not None and body.zone != old.zone_id:
            if body.zone not in network.zones:
                raise invalid(f"zone {body.zone!r} does not exist", ("body", "zone"))
            moved = Target(zones=zone_chain(network, body.zone), owner=old.owner, node_id=old.id)
            authorize(principal, Action.NODE_WRITE, moved)
            new = replace(new, zone_id=body.zone)
        if body.name is not None:
            new = replace(new, name=body.name)
        if body.position is not None:
            new = replace(new, position=body.position.domain())
        if body.role is not None:
            new = replace(new, role=body.role)
        if body.gateway is not None:
            new = replace(new, gateway=body.gateway)
        if body.private_position is not None:
            new = replace(new, private_position=body.private_position)
        if body.devices is not None:
            new = replace(new, devices=tuple(d.domain() for d in body.devices))
        if "contact" in given:
            new = replace(new, contact=body.contact.domain() if body.contact else None)
        stored = network.put_node(new)
    return _out(principal, network, stored)


@router.post("/nodes/{node}/status", response_model=NodeOut)
def set_node_status(
    node: str, body: StatusIn, network: NetworkDep, principal: PrincipalDep
) -> NodeOut:
    """Move a node through its lifecycle. Owners: between Planned and Reserved only."""
    with network.lock:
        old = known_node(network, node)
        authorize(principal, status_action(old.status, body.status), node_target(network, old))
        stored = network.set_node_status(old.id, body.status)
    return _out(principal, network, stored)


@router.delete("/nodes/{node}", response_model=NodeOut)
def retire_node(node: str, network: NetworkDep, principal: PrincipalDep) -> NodeOut:
    """Retire a node: its status becomes Dropped; its history and addresses stay."""
    with network.lock:
        old = known_node(network, node)
        authorize(principal, Action.NODE_RETIRE, node_target(network, old))
        stored = network.set_node_status(old.id, Status.DROPPED)
    return _out(principal, network, stored)


@router.get("/nodes/{node}/addresses", response_model=list[AllocationOut])
def node_addresses(node: str, network: NetworkDep) -> list[AllocationOut]:
    """The prefixes the node holds (live allocations), in address order."""
    found = known_node(network, node)
    return [AllocationOut.of(a) for a in network.holdings(found.id)]
