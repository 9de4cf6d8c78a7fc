"""``MeshClient``: the typed Python client of a meshcommons service (``/api/v1``).

One synchronous client over :mod:`httpx` for the CLI, the TUI, the node agent and the
tests. Methods mirror the HTTP API of ``docs/api.md`` and return its JSON as typed
dicts (:mod:`topology.client_models`). Every failure is a :class:`ClientError`:

- :class:`ApiError` (the service answered with an error; ``status``, ``code``,
  ``message`` and ``details`` come from its JSON error body), refined by status into
  :class:`BadRequest` (400/422), :class:`Unauthorized` (401), :class:`Forbidden` (403),
  :class:`NotFound` (404), :class:`Conflict` (409), :class:`PayloadTooLarge` (413) and
  :class:`ServiceUnavailable` (503);
- :class:`Unreachable` (no answer at all: connection refused, DNS, timeouts).

``UNAVAILABLE`` groups the two "try again later" errors (the CLI exits with code 3).

>>> with MeshClient("http://127.0.0.1:8080", token="...") as api:  # doctest: +SKIP
...     for node in api.nodes(status="Working"):
...         print(node["id"], node["name"])
"""

from __future__ import annotations

import gzip as gzip_module
import json
import threading
from collections.abc import Iterator, Mapping
from typing import Any, cast
from urllib.parse import quote

import httpx

from topology.client_models import (
    JSON,
    UNAVAILABLE,
    AlertInfo,
    AllocationInfo,
    ApiError,
    BadRequest,
    ClientError,
    Community,
    Conflict,
    FederatedGraph,
    FederatedRoute,
    FederatedWhatIf,
    FederationIdentity,
    Forbidden,
    Gateways,
    Health,
    LinkCreated,
    LinkInfo,
    MetricsHistory,
    NodeCreated,
    NodeInfo,
    NotFound,
    PathInfo,
    PayloadTooLarge,
    PeerInfo,
    PoolInfo,
    ReportAck,
    ServerEvent,
    ServiceUnavailable,
    TokenCreated,
    TokenInfo,
    Unauthorized,
    Unreachable,
    WhatIfInfo,
    ZoneInfo,
    error_from_response,
    parse_sse,
)

__all__ = [
    "UNAVAILABLE",
    "ApiError",
    "BadRequest",
    "ClientError",
    "Conflict",
    "Forbidden",
    "MeshClient",
    "NotFound",
    "PayloadTooLarge",
    "ServerEvent",
    "ServiceUnavailable",
    "Unauthorized",
    "Unreachable",
]

API = "/api/v1"
FED = f"{API}/federation"
#: Page size :meth:`MeshClient.all_nodes` and :meth:`MeshClient.all_links` ask for.
PAGE = 500


# --------------------------------------------------------------------------- client


def _params(**values: object) -> dict[str, str | int | float | bool]:
    """Query parameters without the ``None`` ones."""
    return {k: v for k, v in values.items() if isinstance(v, str | int | float | bool)}


def _q(ident: object) -> str:
    """An id as one path segment (``community:local`` stays readable)."""
    return quote(str(ident), safe=":@")


def _items(body: Any) -> list[Any]:
    """A list response, whether sent bare or wrapped as ``{"items": [...]}``."""
    if isinstance(body, dict):
        for key in ("items", "data", "results"):
            if isinstance(body.get(key), list):
                return cast(list[Any], body[key])
    if isinstance(body, list):
        return body
    raise ClientError(f"expected a list in the response, got {type(body).__name__}")


class MeshClient:
    """A synchronous client of one meshcommons service.

    ``base_url`` is the service root (``http://host:port``); ``token`` the bearer token
    (``None``: public); ``timeout`` seconds for connect, read and write. Use it as a
    context manager, or call :meth:`close`. Thread-safe like :class:`httpx.Client`.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        headers = {"Accept": "application/json", "User-Agent": "meshcommons-client"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=timeout, transport=transport
        )

    def __enter__(self) -> MeshClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def __repr__(self) -> str:
        who = "token" if self.token else "public"
        return f"MeshClient({self.base_url!r}, {who})"

    # ------------------------------------------------------------------ transport

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int | float | bool] | None = None,
        json_body: object = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one request; return the decoded JSON body (``None`` when empty).

        Raises :class:`ApiError` (a subclass by status) or :class:`Unreachable`.
        """
        try:
            response = self._http.request(
                method,
                path,
                params=params,
                json=json_body if content is None else None,
                content=content,
                headers=headers,
            )
        except httpx.TimeoutException as exc:
            raise Unreachable(f"{self.base_url}: no answer within {self.timeout:g} s") from exc
        except httpx.TransportError as exc:
            raise Unreachable(f"{self.base_url}: {exc or type(exc).__name__}") from exc
        if response.status_code >= 400:
            raise error_from_response(response)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise ClientError(f"{method} {path}: the answer is not JSON") from exc

    def _get(self, path: str, **params: object) -> Any:
        return self.request("GET", path, params=_params(**params))

    def _list(self, path: str, **params: object) -> list[Any]:
        return _items(self._get(path, **params))

    def _send(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        return self.request(method, path, json_body=None if body is None else dict(body))

    # ------------------------------------------------------------------ service

    def healthz(self) -> Health:
        return cast(Health, self._get("/healthz"))

    def community(self) -> Community:
        return cast(Community, self._get(f"{API}/community"))

    # ------------------------------------------------------------------ zones

    def zones(self) -> list[ZoneInfo]:
        return cast(list[ZoneInfo], self._list(f"{API}/zones"))

    def zone(self, zone_id: str) -> ZoneInfo:
        return cast(ZoneInfo, self._get(f"{API}/zones/{_q(zone_id)}"))

    def create_zone(self, zone: Mapping[str, Any]) -> ZoneInfo:
        return cast(ZoneInfo, self._send("POST", f"{API}/zones", zone))

    def put_zone(self, zone_id: str, zone: Mapping[str, Any]) -> ZoneInfo:
        return cast(ZoneInfo, self._send("PUT", f"{API}/zones/{_q(zone_id)}", zone))

    # ------------------------------------------------------------------ nodes

    def nodes(
        self,
        *,
        zone: str | None = None,
        status: str | None = None,
        role: str | None = None,
        q: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[NodeInfo]:
        body = self._get(
            f"{API}/nodes", zone=zone, status=status, role=role, q=q, limit=limit, offset=offset
        )
        return cast(list[NodeInfo], _items(body))

    def all_nodes(self, **filters: str) -> list[NodeInfo]:
        """Every node matching ``filters`` (zone, status, role, q), page by page."""
        out: list[NodeInfo] = []
        while True:
            page = self.nodes(limit=PAGE, offset=len(out), **filters)
            out.extend(page)
            if len(page) < PAGE:
                return out

    def node(self, node_id: str) -> NodeInfo:
        return cast(NodeInfo, self._get(f"{API}/nodes/{_q(node_id)}"))

    def register_node(self, node: Mapping[str, Any], *, allocate: bool = False) -> NodeCreated:
        """Register a node (``NodeIn``: local ``id``, ``name``, ``zone``, ``position``...);
        ``allocate`` also gives it a LAN /27 and an IPv6 /64."""
        body = {**node, "allocate": True} if allocate else dict(node)
        return cast(NodeCreated, self._send("POST", f"{API}/nodes", body))

    def update_node(self, node_id: str, changes: Mapping[str, Any]) -> NodeInfo:
        path = f"{API}/nodes/{_q(node_id)}"
        return cast(NodeInfo, self._send("PATCH", path, changes))

    def set_status(self, node_id: str, status: str) -> NodeInfo:
        path = f"{API}/nodes/{_q(node_id)}/status"
        return cast(NodeInfo, self._send("POST", path, {"status": status}))

    def retire_node(self, node_id: str) -> NodeInfo:
        """Retire a node: its status becomes Dropped (its history is kept)."""
        return cast(NodeInfo, self._send("DELETE", f"{API}/nodes/{_q(node_id)}"))

    def node_addresses(self, node_id: str) -> list[AllocationInfo]:
        return cast(list[AllocationInfo], self._list(f"{API}/nodes/{_q(node_id)}/addresses"))

    def node_routes(self, node_id: str) -> JSON:
        """The node's routing table as NetJSON NetworkRoutes."""
        return cast(JSON, self._get(f"{API}/nodes/{_q(node_id)}/routes"))

    def node_metrics(
        self,
        node_id: str,
        *,
        since: str | None = None,
        until: str | None = None,
        step: int | None = None,
    ) -> MetricsHistory:
        """The node's history (``since``/``until`` ISO 8601, ``step`` seconds), its
        liveness and last report."""
        path = f"{API}/nodes/{_q(node_id)}/metrics"
        return cast(MetricsHistory, self._get(path, since=since, until=until, step=step))

    def post_report(
        self, node_id: str, report: Mapping[str, Any], *, gzip: bool = False
    ) -> ReportAck:
        """Post an agent report (needs the node's agent token); ``gzip`` compresses it.

        The answer says ``accepted`` (stored) or ``duplicate`` (that ``seq`` was seen).
        """
        path = f"{API}/nodes/{_q(node_id)}/reports"
        if not gzip:
            return cast(ReportAck, self._send("POST", path, report))
        raw = json.dumps(report, separators=(",", ":")).encode()
        headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
        body = gzip_module.compress(raw, compresslevel=6)
        return cast(ReportAck, self.request("POST", path, content=body, headers=headers))

    # ------------------------------------------------------------------ links

    def links(
        self,
        *,
        node: str | None = None,
        status: str | None = None,
        type: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[LinkInfo]:
        body = self._get(
            f"{API}/links", node=node, status=status, type=type, limit=limit, offset=offset
        )
        return cast(list[LinkInfo], _items(body))

    def all_links(self, **filters: str) -> list[LinkInfo]:
        """Every link matching ``filters`` (node, status, type), page by page."""
        out: list[LinkInfo] = []
        while True:
            page = self.links(limit=PAGE, offset=len(out), **filters)
            out.extend(page)
            if len(page) < PAGE:
                return out

    def link(self, link_id: str) -> LinkInfo:
        return cast(LinkInfo, self._get(f"{API}/links/{_q(link_id)}"))

    def add_link(self, link: Mapping[str, Any], *, allocate: bool = False) -> LinkCreated:
        """Add a link (``a``, ``b``, ``type``...); ``allocate`` also gives it a /30."""
        body = {**link, "allocate": True} if allocate else dict(link)
        return cast(LinkCreated, self._send("POST", f"{API}/links", body))

    def update_link(self, link_id: str, changes: Mapping[str, Any]) -> LinkInfo:
        path = f"{API}/links/{_q(link_id)}"
        return cast(LinkInfo, self._send("PATCH", path, changes))

    def retire_link(self, link_id: str) -> LinkInfo:
        return cast(LinkInfo, self._send("DELETE", f"{API}/links/{_q(link_id)}"))

    def link_metrics(
        self,
        link_id: str,
        *,
        since: str | None = None,
        until: str | None = None,
        step: int | None = None,
    ) -> MetricsHistory:
        """The link's history (cost, signal, loss... per reporting end) and liveness."""
        path = f"{API}/links/{_q(link_id)}/metrics"
        return cast(MetricsHistory, self._get(path, since=since, until=until, step=step))

    # ------------------------------------------------------------------ addresses

    def allocate(
        self,
        purpose: str,
        holder_kind: str,
        holder_id: str,
        *,
        zone: str | None = None,
        prefixlen: int | None = None,
    ) -> AllocationInfo:
        body: JSON = {"purpose": purpose, "holder_kind": holder_kind, "holder_id": holder_id}
        if zone is not None:
            body["zone"] = zone
        if prefixlen is not None:
            body["prefixlen"] = prefixlen
        return cast(AllocationInfo, self._send("POST", f"{API}/addresses", body))

    def release(self, prefix: str) -> AllocationInfo:
        path = f"{API}/addresses/release"
        return cast(AllocationInfo, self._send("POST", path, {"prefix": prefix}))

    def whois(self, address: str) -> AllocationInfo | None:
        """The allocation holding ``address``, or ``None`` when nobody holds it."""
        try:
            body = self._get(f"{API}/addresses/whois", address=address)
        except NotFound:
            return None
        return cast(AllocationInfo | None, body)

    def pools(self) -> list[PoolInfo]:
        return cast(list[PoolInfo], self._list(f"{API}/addresses/pools"))

    # ------------------------------------------------------------------ routing

    def route(self, source: str, target: str) -> PathInfo:
        """The cheapest path from ``source`` to ``target``, explained hop by hop."""
        return cast(PathInfo, self._get(f"{API}/routes/path", source=source, target=target))

    def gateways(self) -> Gateways:
        """The nearest gateway of every node, and the nodes that reach none."""
        return cast(Gateways, self._get(f"{API}/gateways"))

    def whatif(self, *, node: str | None = None, link: str | None = None) -> WhatIfInfo:
        """What if ``node`` or ``link`` (exactly one) failed."""
        body = {"node": node} if node is not None else {"link": link}
        return cast(WhatIfInfo, self._send("POST", f"{API}/whatif", body))

    def graph(self) -> JSON:
        """The whole network as a NetJSON NetworkGraph."""
        return cast(JSON, self._get(f"{API}/graph"))

    # ------------------------------------------------------------------ federation
    # Every federation call raises NotFound ("does not federate") on a service without
    # a federation section; node ids are ``community:local`` (bare: the service's own).

    def federation_whoami(self) -> FederationIdentity:
        return cast(FederationIdentity, self._get(f"{FED}/whoami"))

    def peers(self) -> list[PeerInfo]:
        """Every peer with its sync status, revision, last sync and staleness."""
        return cast(list[PeerInfo], self._list(f"{FED}/peers"))

    def add_peer(self, url: str, fingerprint: str) -> PeerInfo:
        """Peer with the service at ``url`` pinning its key ``fingerprint`` (admins)."""
        body = {"url": url, "fingerprint": fingerprint}
        return cast(PeerInfo, self._send("POST", f"{FED}/peers", body))

    def remove_peer(self, community: str) -> None:
        self._send("DELETE", f"{FED}/peers/{_q(community)}")

    def sync_peers(self) -> list[PeerInfo]:
        """Poll every peer now (admins); their statuses after the poll."""
        return cast(list[PeerInfo], _items(self._send("POST", f"{FED}/sync")))

    def federated_route(self, source: str, target: str) -> FederatedRoute:
        """The path across communities; ``status`` ``unavailable`` (not an error) when it
        runs through a stale peer. NotFound for an unknown node or no route at all."""
        return cast(FederatedRoute, self._get(f"{FED}/route", source=source, target=target))

    def federated_graph(self) -> FederatedGraph:
        """This community's graph merged with its peers' accepted feeds."""
        return cast(FederatedGraph, self._get(f"{FED}/graph"))

    def federated_whatif(self, node: str) -> FederatedWhatIf:
        return cast(FederatedWhatIf, self._get(f"{FED}/whatif", node=node))

    # ------------------------------------------------------------------ tokens

    def create_token(
        self,
        role: str,
        name: str,
        *,
        node: str | None = None,
        zones: list[str] | None = None,
        note: str = "",
        replace: bool = False,
    ) -> TokenCreated:
        """Create a token; the answer's ``token`` is the secret, shown only this once.

        ``name``: the account (a volunteer's owner name) or a label; ``node``: an agent's
        node; ``zones``: a steward's; ``replace``: revoke the node's current agent token.
        """
        body: JSON = {"role": role, "name": name}
        if node is not None:
            body["node"] = node
        if zones is not None:
            body["zones"] = zones
        if note:
            body["note"] = note
        if replace:
            body["replace"] = True
        return cast(TokenCreated, self._send("POST", f"{API}/tokens", body))

    def tokens(self) -> list[TokenInfo]:
        return cast(list[TokenInfo], self._list(f"{API}/tokens"))

    def revoke_token(self, token_id: str) -> None:
        self._send("DELETE", f"{API}/tokens/{_q(token_id)}")

    # ------------------------------------------------------------------ alerts

    def alerts(
        self,
        *,
        active: bool | None = None,
        kind: str | None = None,
        subject: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[AlertInfo]:
        """Alerts, newest first; ``active`` True: active only, False: cleared only."""
        path = f"{API}/alerts"
        found = self._list(
            path, active=active, kind=kind, subject=subject, limit=limit, offset=offset
        )
        return cast(list[AlertInfo], found)

    def ack_alert(self, alert_id: int | str) -> AlertInfo:
        return cast(AlertInfo, self._send("POST", f"{API}/alerts/{_q(alert_id)}/ack"))

    # ------------------------------------------------------------------ events

    def events(
        self,
        *,
        last_event_id: str | None = None,
        stop: threading.Event | None = None,
        reconnect: bool = True,
        idle_timeout: float = 30.0,
        retry_s: float = 1.0,
        kinds: str | None = None,
    ) -> Iterator[ServerEvent]:
        """Yield the service's Server-Sent Events as they come, until ``stop`` is set.

        On a dropped connection, or no byte for ``idle_timeout`` seconds, it reconnects
        (after ``retry_s``, or the server's ``retry:``), sending ``Last-Event-ID`` so
        the service can replay what was missed. ``reconnect=False`` raises
        :class:`Unreachable` instead. Error answers (401, 404...) always raise.
        ``stop`` is checked between events and at every idle timeout. ``kinds``
        (``"alert,node.changed"``) keeps only those kinds (or prefixes of them). The
        service sends ``gap`` when it could not replay everything missed (reload what
        you show) and ``overflow`` before dropping a client that fell behind.
        """
        stopped = stop or threading.Event()
        timeout = httpx.Timeout(self.timeout, read=idle_timeout)
        while not stopped.is_set():
            headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
            if last_event_id is not None:
                headers["Last-Event-ID"] = last_event_id
            try:
                with self._http.stream(
                    "GET",
                    f"{API}/events",
                    params=_params(kinds=kinds),
                    headers=headers,
                    timeout=timeout,
                ) as response:
                    if response.status_code >= 400:
                        response.read()
                        raise error_from_response(response)
                    for item in parse_sse(response.iter_lines()):
                        if isinstance(item, float):
                            retry_s = item
                            continue
                        if item.id is not None:
                            last_event_id = item.id
                        yield item
                        if stopped.is_set():
                            return
            except httpx.TimeoutException as exc:  # idle: reconnect (cheap), or give up
                if not reconnect:
                    raise Unreachable(f"{self.base_url}: event stream idle") from exc
                continue
            except httpx.TransportError as exc:
                if not reconnect:
                    raise Unreachable(f"{self.base_url}: {exc or type(exc).__name__}") from exc
            if not reconnect:
                return
            stopped.wait(retry_s)
