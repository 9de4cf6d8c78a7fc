"""The federation calls of :class:`topology.client.MeshClient` (``/api/v1/federation``).

A mixin over :class:`~topology.client_transport.ClientTransport`, apart from the local
API because federation is an optional section of a service with its own paths and
answers. Every call raises :class:`~topology.client_models.NotFound` ("does not
federate") on a service without a federation section; node ids are
``community:local`` (bare: the service's own).
"""

from __future__ import annotations

from typing import cast

from topology.client_models import (
    FederatedGraph,
    FederatedRoute,
    FederatedWhatIf,
    FederationIdentity,
    PeerInfo,
)
from topology.client_transport import API, ClientTransport, list_items, segment

__all__ = ["FederationCalls"]

FED = f"{API}/federation"


class FederationCalls(ClientTransport):
    """Peers, their sync status, and routes, graphs and what-ifs across communities."""

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
        self._send("DELETE", f"{FED}/peers/{segment(community)}")

    def sync_peers(self) -> list[PeerInfo]:
        """Poll every peer now (admins); their statuses after the poll."""
        return cast(list[PeerInfo], list_items(self._send("POST", f"{FED}/sync")))

    def federated_route(self, source: str, target: str) -> FederatedRoute:
        """The path across communities; ``status`` ``unavailable`` (not an error) when it
        runs through a stale peer. NotFound for an unknown node or no route at all."""
        return cast(FederatedRoute, self._get(f"{FED}/route", source=source, target=target))

    def federated_graph(self) -> FederatedGraph:
        """This community's graph merged with its peers' accepted feeds."""
        return cast(FederatedGraph, self._get(f"{FED}/graph"))

    def federated_whatif(self, node: str) -> FederatedWhatIf:
        return cast(FederatedWhatIf, self._get(f"{FED}/whatif", node=node))
