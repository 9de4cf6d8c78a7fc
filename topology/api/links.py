"""Links: list, add, read, change, retire.

Adding a link needs the right at either end (a steward of its zone, or the owner of an
end node); changing or retiring one is for stewards of an end's zone and admins. A link
may end at another community's node (a border link); ends in this community must exist.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from topology.api.deps import (
    API_PREFIX,
    NetworkDep,
    PrincipalDep,
    authorize_any,
    global_id,
    known_link,
    link_targets,
)
from topology.api.errors import ApiError, invalid
from topology.api.schemas import LinkIn, LinkList, LinkOut, LinkPatch
from topology.api.schemas_routing import AllocationOut, LinkCreated
from topology.auth import Action, status_action
from topology.inventory.ids import derived_link_id
from topology.ipam import IpamError
from topology.model import (
    ID_SEP,
    LOCAL_ID_RE,
    Allocation,
    HolderKind,
    Link,
    LinkType,
    Purpose,
    Status,
    make_id,
)
from topology.network import CommunityNetwork

router = APIRouter(prefix=API_PREFIX, tags=["links"])


def link_losses(request: Request) -> dict[str, float]:
    """Latest reported loss per link, from the running ingestion (none without it)."""
    ingest = getattr(request.app.state, "ingest", None)
    return ingest.link_losses() if ingest is not None else {}


@router.get("/links", response_model=LinkList)
def list_links(
    request: Request,
    network: NetworkDep,
    node: Annotated[str | None, Query(max_length=300, description="Either end.")] = None,
    status: Status | None = None,
    type: LinkType | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> LinkList:
    """Links sorted by id, filtered by an end node, status and type."""
    end = None if node is None else global_id(network, node)
    with network.lock:
        found = [
            link
            for link in sorted(network.graph.links.values(), key=lambda lk: lk.id)
            if (end is None or end in (link.a, link.b))
            and (status is None or link.status is status)
            and (type is None or link.type is type)
        ]
    losses = link_losses(request)
    items = [LinkOut.of(lk, losses.get(lk.id)) for lk in found[offset : offset + limit]]
    return LinkList(total=len(found), limit=limit, offset=offset, items=items)


def _end(network: CommunityNetwork, text: str, field: str) -> str:
    end = global_id(network, text)
    if end.partition(ID_SEP)[0] == network.community.slug and end not in network.graph.nodes:
        raise invalid(f"node {text!r} does not exist", ("body", field))
    return end


def _allocate_p2p(network: CommunityNetwork, link: Link) -> tuple[list[Allocation], str | None]:
    try:
        zone = network.zone_of(link.id)
        return [network.allocate(Purpose.BACKBONE, HolderKind.LINK, link.id, zone_id=zone)], None
    except IpamError as e:
        return [], str(e)


@router.post("/links", response_model=LinkCreated, status_code=status.HTTP_201_CREATED)
def create_link(body: LinkIn, network: NetworkDep, principal: PrincipalDep) -> LinkCreated:
    """Add a link (id defaults to ``<a>--<b>``); ``allocate`` also gives it a backbone
    /30 (a failure there is reported in ``address_error``)."""
    with network.lock:
        slug = network.community.slug
        a, b = _end(network, body.a, "a"), _end(network, body.b, "b")
        if a == b:
            raise invalid("a link joins two different nodes", ("body", "b"))
        local = body.id or derived_link_id(slug, a, b)
        if not LOCAL_ID_RE.match(local):
            raise invalid(f"the derived id {local!r} is not valid: give an id", ("body", "id"))
        link = Link(
            id=make_id(slug, local),
            a=a,
            b=b,
            type=body.type,
            status=body.status,
            a_interface=body.a_interface,
            b_interface=body.b_interface,
        )
        targets = link_targets(network, link)
        authorize_any(principal, Action.LINK_CREATE, targets)
        authorize_any(principal, status_action(Status.PLANNED, body.status), targets)
        if link.id in network.graph.links:
            raise ApiError(409, f"link {link.id!r} already exists")
        network.put_link(link)
    addresses, error = _allocate_p2p(network, link) if body.allocate else ([], None)
    return LinkCreated(
        link=LinkOut.of(link),
        addresses=[AllocationOut.of(x) for x in addresses],
        address_error=error,
    )


@router.get("/links/{link}", response_model=LinkOut)
def get_link(link: str, request: Request, network: NetworkDep) -> LinkOut:
    found = known_link(network, link)
    return LinkOut.of(found, link_losses(request).get(found.id))


@router.patch("/links/{link}", response_model=LinkOut)
def change_link(
    link: str, body: LinkPatch, network: NetworkDep, principal: PrincipalDep
) -> LinkOut:
    """Change a link's type, status or interface names (stewards of an end, admins)."""
    with network.lock:
        old = known_link(network, link)
        authorize_any(principal, Action.LINK_WRITE, link_targets(network, old))
        changes = body.model_dump(exclude_unset=True)
        new = replace(old, **changes)
        if new != old:
            network.put_link(new)
    return LinkOut.of(new)


@router.delete("/links/{link}", response_model=LinkOut)
def retire_link(link: str, network: NetworkDep, principal: PrincipalDep) -> LinkOut:
    """Retire a link: its status becomes Dropped (history kept)."""
    with network.lock:
        old = known_link(network, link)
        authorize_any(principal, Action.LINK_WRITE, link_targets(network, old))
        new = network.set_link_status(old.id, Status.DROPPED)
    return LinkOut.of(new)
