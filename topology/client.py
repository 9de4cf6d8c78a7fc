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

The session, its error handling and the live event stream live in
:mod:`topology.client_transport`, the federation calls in :mod:`topology.client_federation`;
this module adds the local API.

>>> with MeshClient("http://127.0.0.1:8080", token="...") as api:  # doctest: +SKIP
...     for node in api.nodes(status="Working"):
...         print(node["id"], node["name"])
"""

from __future__ import annotations

import gzip as gzip_module
import json
from collections.abc import Mapping
from typing import Any, cast

from topology.client_federation import FederationCalls
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
)
from topology.client_transport import API as API  # re-exported: callers build paths with it
from topology.client_transport import ClientTransport, list_items, segment

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

#: Page size :meth:`MeshClient.all_nodes` and :meth:`MeshClient.all_links` ask for.
PAGE = 500


class MeshClient(FederationCalls, ClientTransport):
    """A synchronous client of one meshcommons service.

    Built like :class:`ClientTransport` (``base_url``, ``token``, ``timeout``), which
    brings the session, :meth:`close` and the live :meth:`events`; the federation calls
    come from :class:`FederationCalls`. Use it as a context manager. Thread-safe.
    """

    # ------------------------------------------------------------------ service

    def healthz(self) -> Health:
        return cast(Health, self._get("/healthz"))

    def community(self) -> Community:
        return cast(Community, self._get(f"{API}/community"))

    # ------------------------------------------------------------------ zones

    def zones(self) -> list[ZoneInfo]:
        return cast(list[ZoneInfo], self._list(f"{API}/zones"))

    def zone(self, zone_id: str) -> ZoneInfo:
        return cast(ZoneInfo, self._get(f"{API}/zones/{segment(zone_id)}"))

    def create_zone(self, zone: Mapping[str, Any]) -> ZoneInfo:
        return cast(ZoneInfo, self._send("POST", f"{API}/zones", zone))

    def put_zone(self, zone_id: str, zone: Mapping[str, Any]) -> ZoneInfo:
        return cast(ZoneInfo, self._send("PUT", f"{API}/zones/{segment(zone_id)}", zone))

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
        return cast(list[NodeInfo], list_items(body))

    def all_nodes(self, **filters: str) -> list[NodeInfo]:
        """Every node matching ``filters`` (zone, status, role, q), page by page."""
        out: list[NodeInfo] = []
        while True:
            page = self.nodes(limit=PAGE, offset=len(out), **filters)
            out.extend(page)
            if len(page) < PAGE:
                return out

    def node(self, node_id: str) -> NodeInfo:
        return cast(NodeInfo, self._get(f"{API}/nodes/{segment(node_id)}"))

    def register_node(self, node: Mapping[str, Any], *, allocate: bool = False) -> NodeCreated:
        """Register a node (``NodeIn``: local ``id``, ``name``, ``zone``, ``position``...);
        ``allocate`` also gives it a LAN /27 and an IPv6 /64."""
        body = {**node, "allocate": True} if allocate else dict(node)
        return cast(NodeCreated, self._send("POST", f"{API}/nodes", body))

    def update_node(self, node_id: str, changes: Mapping[str, Any]) -> NodeInfo:
        path = f"{API}/nodes/{segment(node_id)}"
        return cast(NodeInfo, self._send("PATCH", path, changes))

    def set_status(self, node_id: str, status: str) -> NodeInfo:
        path = f"{API}/nodes/{segment(node_id)}/status"
        return cast(NodeInfo, self._send("POST", path, {"status": status}))

    def retire_node(self, node_id: str) -> NodeInfo:
        """Retire a node: its status becomes Dropped (its history is kept)."""
        return cast(NodeInfo, self._send("DELETE", f"{API}/nodes/{segment(node_id)}"))

    def node_addresses(self, node_id: str) -> list[AllocationInfo]:
        return cast(list[AllocationInfo], self._list(f"{API}/nodes/{segment(node_id)}/addresses"))

    def node_routes(self, node_id: str) -> JSON:
        """The node's routing table as NetJSON NetworkRoutes."""
        return cast(JSON, self._get(f"{API}/nodes/{segment(node_id)}/routes"))

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
        path = f"{API}/nodes/{segment(node_id)}/metrics"
        return cast(MetricsHistory, self._get(path, since=since, until=until, step=step))

    def post_report(
        self, node_id: str, report: Mapping[str, Any], *, gzip: bool = False
    ) -> ReportAck:
        """Post an agent report (needs the node's agent token); ``gzip`` compresses it.

        The answer says ``accepted`` (stored) or ``duplicate`` (that ``seq`` was seen).
        """
        path = f"{API}/nodes/{segment(node_id)}/reports"
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
        return cast(list[LinkInfo], list_items(body))

    def all_links(self, **filters: str) -> list[LinkInfo]:
        """Every link matching ``filters`` (node, status, type), page by page."""
        out: list[LinkInfo] = []
        while True:
            page = self.links(limit=PAGE, offset=len(out), **filters)
            out.extend(page)
            if len(page) < PAGE:
                return out

    def link(self, link_id: str) -> LinkInfo:
        return cast(LinkInfo, self._get(f"{API}/links/{segment(link_id)}"))

    def add_link(self, link: Mapping[str, Any], *, allocate: bool = False) -> LinkCreated:
        """Add a link (``a``, ``b``, ``type``...); ``allocate`` also gives it a /30."""
        body = {**link, "allocate": True} if allocate else dict(link)
        return cast(LinkCreated, self._send("POST", f"{API}/links", body))

    def update_link(self, link_id: str, changes: Mapping[str, Any]) -> LinkInfo:
        path = f"{API}/links/{segment(link_id)}"
        return cast(LinkInfo, self._send("PATCH", path, changes))

    def retire_link(self, link_id: str) -> LinkInfo:
        return cast(LinkInfo, self._send("DELETE", f"{API}/links/{segment(link_id)}"))

    def link_metrics(
        self,
        link_id: str,
        *,
        since: str | None = None,
        until: str | None = None,
        step: int | None = None,
    ) -> MetricsHistory:
        """The link's history (cost, signal, loss... per reporting end) and liveness."""
        path = f"{API}/links/{segment(link_id)}/metrics"
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
        self._send("DELETE", f"{API}/tokens/{segment(token_id)}")

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
        return cast(AlertInfo, self._send("POST", f"{API}/alerts/{segment(alert_id)}/ack"))
