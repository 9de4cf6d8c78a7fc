"""The JSON shapes :class:`topology.client.MeshClient` returns, as ``TypedDict``\\ s.

They mirror the service's responses (``docs/api.md``; the OpenAPI document at
``/openapi.json`` is authoritative). Values are plain JSON: ids and prefixes are
strings, times are ISO 8601 strings in UTC. Keys a response may leave out are not
required (``total=False``), so a newer service that adds fields never breaks a client.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypedDict

import httpx

JSON = dict[str, Any]


class Health(TypedDict, total=False):
    status: str
    version: str
    graph_version: int
    store: str


class Position(TypedDict, total=False):
    lat: float
    lon: float
    antenna_height_m: float


class NodeInfo(TypedDict, total=False):
    id: str
    name: str
    zone: str
    status: str  # Planned, Reserved, Building, Testing, Working, Dropped, Inactive
    role: str  # client, supernode
    gateway: bool
    position: Position
    private_position: bool
    devices: list[JSON]
    created: str | None
    updated: str | None
    contact: JSON  # only for admins, the node's stewards and its owner
    owner: str  # likewise


class LinkMetricsInfo(TypedDict, total=False):
    cost: float | None  # ETX-like, 1 = perfect; None = never measured
    rx_cost: float | None
    tx_cost: float | None
    signal_dbm: float | None
    rate_mbps: float | None
    last_seen: str | None
    loss: float | None  # latest reported loss (fraction), while the service runs


class LinkInfo(TypedDict, total=False):
    id: str
    a: str
    b: str
    type: str  # wds, ap/client, cable, tunnel, mesh
    status: str
    a_interface: str
    b_interface: str
    metrics: LinkMetricsInfo


class Community(TypedDict, total=False):
    slug: str
    name: str
    url: str
    licence: str
    address_plan: dict[str, int | str]
    zones: int
    nodes: int
    links: int


class ZoneInfo(TypedDict, total=False):
    id: str
    name: str
    parent: str | None
    bbox: JSON | None
    dns_servers: list[str]
    ntp_servers: list[str]


class AllocationInfo(TypedDict, total=False):
    prefix: str
    purpose: str
    holder_kind: str
    holder_id: str
    pool: str
    allocated_at: str | None
    released_at: str | None
    note: str


class NodeCreated(TypedDict, total=False):
    node: NodeInfo
    addresses: list[AllocationInfo]  # when ``allocate`` was asked
    address_error: str | None  # why allocation failed (the node is registered anyway)


class LinkCreated(TypedDict, total=False):
    link: LinkInfo
    addresses: list[AllocationInfo]
    address_error: str | None


class PoolInfo(TypedDict, total=False):
    prefix: str
    purpose: str
    zone: str | None
    total: int
    allocated: int
    delegated: int
    held: int
    free: int
    largest_free: str | None


class Hop(TypedDict, total=False):
    source: str
    target: str
    link: str
    type: str
    status: str
    cost: float
    measured: bool
    signal_dbm: float | None
    rate_mbps: float | None
    parallel_links: int


class PathInfo(TypedDict, total=False):
    source: str
    target: str
    nodes: list[str]
    hops: list[Hop]
    hop_count: int
    total_cost: float
    bottleneck: Hop | None  # the hop with the highest cost
    version: int  # graph version the path was computed at


class NodeGateway(TypedDict):
    node: str
    gateway: str
    cost: float


class Gateways(TypedDict, total=False):
    gateways: list[str]
    nodes: list[NodeGateway]
    unreachable: list[str]
    version: int


class GatewayChange(TypedDict):
    node: str
    before: str
    after: str


class WhatIfInfo(TypedDict, total=False):
    removed: str
    kind: str  # node, link
    harmless: bool  # nobody loses reach or a gateway
    lost_reach: list[str]
    lost_gateway: list[str]
    changed_gateway: list[GatewayChange]
    components_before: int
    components_after: int
    version: int


class Liveness(TypedDict, total=False):
    state: str  # up, stale, down
    since: str | None
    last_seen: str
    interval_s: int


class MetricsHistory(TypedDict, total=False):
    """``GET /nodes/{node}/metrics`` or ``/links/{link}/metrics``."""

    node: str  # one of node and link
    link: str
    since: str
    until: str
    step: int | None
    fields: list[str]
    liveness: Liveness | None  # None before any report
    last_report: JSON | None  # a node's: seq, time, interfaces, system, collectors...
    points: list[JSON]  # {"t", "n", one key per field; raw link points name the "node"}


class ReportAck(TypedDict, total=False):
    status: str  # "accepted" (durably committed) or "duplicate" (seq seen before)
    seq: int
    last_seq: int
    links: int  # links the report refreshed
    created: list[str]  # links it created (neighbours the inventory did not have)
    unmatched: list[str]  # neighbours the service does not know


class TokenInfo(TypedDict, total=False):
    id: str
    role: str  # admin, steward, volunteer, agent
    name: str
    zones: list[str]
    node: str | None
    note: str
    created_at: str | None
    created_by: str | None
    revoked_at: str | None


class TokenCreated(TokenInfo, total=False):
    token: str  # the secret: shown once, never again


class AlertInfo(TypedDict, total=False):
    id: int
    kind: str  # node.down, link.degraded, link.stale, link.down, gateway.lost, ...
    subject: str  # the node, link or address concerned
    severity: str  # info, warning, critical
    message: str
    zone: str | None
    active: bool
    raised_at: str
    cleared_at: str | None
    acknowledged_at: str | None
    acknowledged_by: str | None


class FederationIdentity(TypedDict, total=False):
    """``GET /federation/whoami``."""

    community: str
    name: str
    url: str
    public_key: str
    fingerprint: str  # SHA256:... (what peers pin)


class PeerInfo(TypedDict, total=False):
    """One peer of ``GET /federation/peers`` (also ``POST /federation/sync``)."""

    community: str
    url: str
    fingerprint: str
    status: str  # ok, stale, rejected, never
    revision: int | None  # last accepted feed revision
    last_sync: str | None
    stale_since: str | None
    error: str | None  # why the last poll failed or the feed was rejected


class FederatedHop(TypedDict, total=False):
    source: str
    target: str
    link: str
    type: str
    status: str
    cost: float
    from_community: str
    to_community: str
    border: bool  # this hop crosses from one community into another


class FederatedRoute(TypedDict, total=False):
    """``GET /federation/route``: a path across communities, hop by hop."""

    status: str  # ok, or unavailable (through a stale or unreachable peer)
    reason: str | None  # why unavailable
    source: str
    target: str
    nodes: list[str]
    hops: list[FederatedHop]  # an unavailable route may keep the last known path
    total_cost: float | None
    communities: list[str]  # in path order
    crossings: int  # border hops
    stale: list[str]  # the stale peers concerned


class FederatedNode(TypedDict, total=False):
    id: str
    name: str
    community: str
    lat: float
    lon: float
    status: str
    gateway: bool
    own: bool  # this service's community
    stale: bool  # from a peer now stale (its last good feed)


class FederatedLink(TypedDict, total=False):
    a: str
    b: str
    cost: float
    border: bool  # the ends are in different communities


class FederatedGraph(TypedDict, total=False):
    """``GET /federation/graph``: the merged view of this community and its peers."""

    communities: list[str]
    nodes: list[FederatedNode]
    links: list[FederatedLink]


class FederatedWhatIf(TypedDict, total=False):
    removed: str
    lost_reach: list[str]
    lost_gateway: list[str]
    communities_hurt: list[str]


@dataclass(frozen=True, slots=True)
class ServerEvent:
    """One Server-Sent Event of ``GET /api/v1/events``.

    ``data`` is the decoded JSON payload (``{}`` when it was not JSON; ``raw`` keeps the
    text as sent).
    """

    event: str
    data: JSON = field(default_factory=dict)
    id: str | None = None
    raw: str = ""


# --------------------------------------------------------------------------- errors


class ClientError(Exception):
    """Anything that went wrong talking to the service."""


class Unreachable(ClientError):
    """No answer: connection refused, name not resolved, or a timeout."""


class ApiError(ClientError):
    """The service answered with an error status and (usually) a JSON error body."""

    def __init__(
        self, status: int, code: str, message: str, details: list[JSON] | None = None
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.details: list[JSON] = details or []
        super().__init__(f"{status} {code}: {message}")


class BadRequest(ApiError):
    """400 or 422: the request was refused as invalid; ``details`` names the fields."""


class Unauthorized(ApiError):
    """401: no token, or a token the service does not know (or revoked)."""


class Forbidden(ApiError):
    """403: the token's role may not do this."""


class NotFound(ApiError):
    """404: unknown id (or path)."""


class Conflict(ApiError):
    """409: duplicate id, address space taken, or a state that forbids the change."""


class PayloadTooLarge(ApiError):
    """413: the body is larger than the service accepts."""


class ServiceUnavailable(ApiError):
    """503: the service is up but its store is not."""


UNAVAILABLE: tuple[type[ClientError], ...] = (Unreachable, ServiceUnavailable)

_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    422: BadRequest,
    503: ServiceUnavailable,
}


def error_from_response(response: httpx.Response) -> ApiError:
    """The :class:`ApiError` subclass for an error response, with its JSON body's fields."""
    status = response.status_code
    code, message, details = "error", response.reason_phrase or f"HTTP {status}", None
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        body = None
        text = response.text.strip()
        if text:
            message = text[:500]
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict):
            code = str(err.get("code", code))
            message = str(err.get("message", message))
            raw = err.get("details")
            details = [d for d in raw if isinstance(d, dict)] if isinstance(raw, list) else None
        elif "detail" in body:  # a plain FastAPI/Starlette error
            message = str(body["detail"])
    cls = _BY_STATUS.get(status, ApiError)
    return cls(status, code, message, details)


# --------------------------------------------------------------------------- SSE


def parse_sse(lines: Iterator[str]) -> Iterator[ServerEvent | float]:
    """Server-Sent Events from text lines (WHATWG rules); a ``retry:`` yields a float."""
    event, ident = "", None
    data: list[str] = []
    for line in lines:
        if not line:
            if data or event:
                raw = "\n".join(data)
                yield ServerEvent(event or "message", decode_json(raw), ident, raw)
            event, data = "", []
            continue
        if line.startswith(":"):
            continue  # comment (keep-alive)
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
        elif name == "id" and "\0" not in value:
            ident = value
        elif name == "retry" and value.isdigit():
            yield int(value) / 1000.0


def decode_json(raw: str) -> JSON:
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {"value": value}
