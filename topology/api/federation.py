"""Federation: this community's signed feed, its peers, and routes across communities.

Everything answers 404 when the service does not federate (no ``federation`` section
in its config). Reading is public (the feed is public by construction); adding,
removing and polling peers is for admins.

* ``GET /federation/feed``: the signed feed; ``If-None-Match`` with its ETag answers
  304 with no body, so an unchanged feed costs no transfer (gzip when accepted).
* ``GET /federation/peers``: ``[{community, url, fingerprint, status, revision,
  last_sync, stale_since, error}]``, status one of ok, stale, rejected, never.
* ``GET /federation/route?source=&target=``: the path across communities, hop by hop,
  marking border crossings; ``status`` is ``unavailable`` when it runs through a stale
  peer (or cannot be found while a peer is out of reach) rather than a wrong answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import BaseModel, Field
from scipy.sparse import triu

from topology.api.deps import API_PREFIX, require_role
from topology.api.errors import ApiError, not_found
from topology.api.schemas import OutModel
from topology.auth import Principal
from topology.federation.errors import FederationError
from topology.federation.merge import community_of
from topology.federation.route import FederatedRoute, what_if_remove_node
from topology.federation.runtime import Federation, FeedDocument
from topology.routing.errors import NoRoute, UnknownNode
from topology.store import Conflict, NotFound

router = APIRouter(prefix=f"{API_PREFIX}/federation", tags=["federation"])

NodeQuery = Annotated[
    str, Query(min_length=1, max_length=300, description="Node id (community:local).")
]
Admin = Annotated[Principal, Depends(require_role())]


def get_federation(request: Request) -> Federation:
    federation = getattr(request.app.state, "federation", None)
    if not isinstance(federation, Federation):
        raise not_found("this service does not federate (no federation section in its config)")
    return federation


FederationDep = Annotated[Federation, Depends(get_federation)]


class WhoAmIOut(OutModel):
    community: str
    name: str
    url: str
    public_key: str
    fingerprint: str


class PeerOut(OutModel):
    community: str
    url: str
    fingerprint: str
    status: str = Field(description="ok, stale, rejected or never")
    revision: int | None
    last_sync: datetime | None
    stale_since: datetime | None
    error: str | None


class PeerIn(BaseModel):
    url: str = Field(min_length=1, max_length=2000, description="The peer service's root URL")
    fingerprint: str = Field(min_length=1, max_length=100, description="SHA256:... of its key")


class HopOut(OutModel):
    source: str
    target: str
    link: str
    type: str
    status: str
    cost: float
    from_community: str
    to_community: str
    border: bool


class RouteOut(OutModel):
    status: str = Field(description="ok, or unavailable (through a stale or unreachable peer)")
    reason: str | None = None
    source: str
    target: str
    nodes: list[str] = Field(default_factory=list)
    hops: list[HopOut] = Field(default_factory=list)
    total_cost: float | None = None
    communities: list[str] = Field(default_factory=list)
    crossings: int = 0
    stale: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, r: FederatedRoute) -> RouteOut:
        reason = None if r.available else f"the path runs through stale peer(s) {r.stale}"
        return cls(
            status="ok" if r.available else "unavailable",
            reason=reason,
            source=r.source,
            target=r.target,
            nodes=list(r.nodes),
            hops=[
                HopOut(
                    source=h.source,
                    target=h.target,
                    link=h.link_id,
                    type=h.type.value,
                    status=h.status.value,
                    cost=h.cost,
                    from_community=h.from_community,
                    to_community=h.to_community,
                    border=h.border,
                )
                for h in r.hops
            ],
            total_cost=r.total_cost,
            communities=list(r.communities),
            crossings=len(r.crossings),
            stale=list(r.stale),
        )


class WhatIfOut(OutModel):
    removed: str
    lost_reach: list[str]
    lost_gateway: list[str]
    communities_hurt: list[str]


class GraphNodeOut(OutModel):
    id: str
    name: str
    community: str
    lat: float
    lon: float
    status: str
    gateway: bool
    own: bool
    stale: bool


class GraphLinkOut(OutModel):
    a: str
    b: str
    cost: float
    border: bool


class GraphOut(OutModel):
    communities: list[str]
    nodes: list[GraphNodeOut]
    links: list[GraphLinkOut]


@router.get("/whoami", response_model=WhoAmIOut)
def whoami(federation: FederationDep) -> WhoAmIOut:
    """This community's identity: its public key and the fingerprint peers pin."""
    return WhoAmIOut(**federation.identity())


@router.get(
    "/feed",
    responses={
        200: {"content": {"application/json": {}}, "description": "The signed feed"},
        304: {"description": "Unchanged since the ETag given in If-None-Match"},
    },
)
def feed(request: Request, federation: FederationDep) -> Response:
    """The signed feed (canonical JSON; see docs/federation.md)."""
    return _feed_response(request, federation, federation.feed_document())


@router.get(
    "/feeds/{community}",
    responses={
        200: {"content": {"application/json": {}}, "description": "The signed feed"},
        304: {"description": "Unchanged since the ETag given in If-None-Match"},
    },
)
def relayed_feed(community: str, request: Request, federation: FederationDep) -> Response:
    """The last good feed of a peer, byte for byte as it signed it (or this community's
    own): services that do not peer with it directly fetch it here and verify it against
    the community's key in the registry."""
    doc = federation.stored_feed(community)
    if doc is None:
        raise not_found(f"no accepted feed of {community!r} here")
    return _feed_response(request, federation, doc)


def _feed_response(request: Request, federation: Federation, doc: FeedDocument) -> Response:
    headers = {"ETag": doc.etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
    wanted = request.headers.get("if-none-match", "")
    if doc.etag in {t.strip() for t in wanted.split(",")} or wanted.strip() == "*":
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    body = doc.body
    if "gzip" in request.headers.get("accept-encoding", ""):
        body = federation.feed_gzip(doc)
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type="application/json", headers=headers)


@router.get("/peers", response_model=list[PeerOut])
def peers(federation: FederationDep) -> list[PeerOut]:
    """Every peer with its status (ok, stale, rejected, never), revision and last sync."""
    return [PeerOut(**p.to_json()) for p in federation.peers()]


@router.post("/peers", response_model=PeerOut, status_code=status.HTTP_201_CREATED)
def add_peer(body: PeerIn, federation: FederationDep, _: Admin) -> PeerOut:
    """Peer with the service at ``url`` whose key has ``fingerprint`` (admins). The
    registry must list a community with that key; its feed is fetched right away."""
    try:
        added = federation.add_peer(body.url, body.fingerprint)
    except Conflict as exc:
        raise ApiError(409, str(exc)) from None
    except FederationError as exc:
        raise ApiError(422, str(exc), loc=("body",)) from None
    return PeerOut(**added.to_json())


@router.delete("/peers/{community}", status_code=status.HTTP_204_NO_CONTENT)
def remove_peer(community: str, federation: FederationDep, _: Admin) -> Response:
    """Stop peering with ``community`` (admins); its data leaves the view."""
    try:
        federation.remove_peer(community)
    except NotFound as exc:
        raise not_found(str(exc)) from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/sync", response_model=list[PeerOut])
def sync(federation: FederationDep, _: Admin) -> list[PeerOut]:
    """Poll every peer now (admins) and answer their statuses."""
    return [PeerOut(**p.to_json()) for p in federation.poll_all()]


def _unavailable(federation: Federation, source: str, target: str, exc: Exception) -> RouteOut:
    """An answer when no path was found: unavailable if a peer is out of reach (its data
    is missing or old), else the error stands (404)."""
    troubled = [p for p in federation.peers() if p.status != "ok" or p.expired]
    ends = {community_of(source), community_of(target)}
    if not troubled or (isinstance(exc, UnknownNode) and ends <= {federation.community}):
        raise exc
    shown = ", ".join(f"{p.community} ({'expired' if p.expired else p.status})" for p in troubled)
    return RouteOut(
        status="unavailable",
        reason=f"no route known now; peer(s) out of reach or not yet synced: {shown}",
        source=source,
        target=target,
        stale=sorted(p.community for p in troubled),
    )


@router.get("/route", response_model=RouteOut)
def route(source: NodeQuery, target: NodeQuery, federation: FederationDep) -> RouteOut:
    """The cheapest path across communities, hop by hop; ``border`` marks the hops that
    cross from one community into another. 404 for an unknown node or no route."""
    a, b = federation.resolve(source), federation.resolve(target)
    try:
        return RouteOut.of(federation.route(a, b))
    except (UnknownNode, NoRoute) as exc:
        return _unavailable(federation, a, b, exc)


@router.get("/whatif", response_model=WhatIfOut)
def what_if(node: NodeQuery, federation: FederationDep) -> WhatIfOut:
    """Who, in any community, would lose reach or every gateway if ``node`` went down."""
    w = what_if_remove_node(federation.view(), federation.resolve(node))
    return WhatIfOut(
        removed=w.removed,
        lost_reach=list(w.lost_reach),
        lost_gateway=list(w.lost_gateway),
        communities_hurt=list(w.communities_hurt),
    )


@router.get("/graph", response_model=GraphOut)
def graph(federation: FederationDep) -> GraphOut:
    """The federated graph for maps: every node with its community (``own``: this one,
    ``stale``: from a stale peer) and every routed pair (``border``: across communities)."""
    view = federation.view()
    nodes = [
        GraphNodeOut(
            id=n.id,
            name=n.name,
            community=part.community,
            lat=n.position.lat,
            lon=n.position.lon,
            status=n.status.value,
            gateway=n.gateway,
            own=part.community == federation.community,
            stale=part.stale,
        )
        for part in view.parts
        for n in part.nodes.values()
    ]
    upper = triu(view.matrix, k=1).tocoo()
    ids = view.ids
    links = [
        GraphLinkOut(
            a=ids[i],
            b=ids[j],
            cost=float(w),
            border=community_of(ids[i]) != community_of(ids[j]),
        )
        for i, j, w in zip(upper.row.tolist(), upper.col.tolist(), upper.data.tolist(), strict=True)
    ]
    return GraphOut(communities=list(view.communities), nodes=nodes, links=links)
