"""Polling the peers: fetch each one's feed, check it, keep the good ones, alert on the rest.

The half of :class:`topology.federation.runtime.Federation` that talks to other services,
kept apart from publishing this community's feed and building the federated view because
it is the part with a network, a poll lock and failure handling of its own. A mixin, not a
collaborator: it updates the same accepted-feed table under the same lock as the view.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import httpx

from topology.alerts.model import AlertKind, Finding, Severity
from topology.federation.accept import accept_feed
from topology.federation.errors import FeedRejected
from topology.federation.feed import PeerData
from topology.federation.merge import Part, peer_part
from topology.federation.registry import Registry
from topology.federation.status import PeerStatus
from topology.store import Conflict
from topology.store import federation as fed_store

if TYPE_CHECKING:
    from topology.alerts.engine import AlertEngine
    from topology.network import CommunityNetwork

log = logging.getLogger("topology.federation.runtime")  # one logger for the component

FEED_PATH = "/api/v1/federation/feed"
PEERS_PATH = "/api/v1/federation/peers"
RELAY_PATH = "/api/v1/federation/feeds"  # + /<community>: a peer's last good feed, verbatim
REJECTION_REASONS = (
    "malformed",
    "wrong-key",
    "bad-signature",
    "not-newer",
    "namespace",
    "outside-delegation",
)
MAX_FEED_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Accepted:
    """A peer's feed that passed the checks, and its part of the federated view."""

    data: PeerData
    part: Part


def _rejection_subject(community: str, reason: str) -> str:
    return f"{community}/{reason}"


class PeerPolling:
    """Polling for :class:`~topology.federation.runtime.Federation`, which sets up the
    state declared below in its constructor and provides the methods under
    ``TYPE_CHECKING``."""

    network: CommunityNetwork
    registry: Registry
    community: str
    _alerts: AlertEngine | None
    _clock: Callable[[], datetime]
    _lock: threading.RLock
    _accepted: dict[str, Accepted]
    _peers_version: int
    _http: httpx.Client
    _poll_lock: threading.Lock
    _stopping: threading.Event

    if TYPE_CHECKING:

        def peers(self) -> list[PeerStatus]: ...

        def peer(self, community: str) -> PeerStatus: ...

        def _check_conflicts(self) -> None: ...

    # ------------------------------------------------------------------ polling

    def poll_all(self) -> list[PeerStatus]:
        """Poll every peer once, now: direct peers, then the feeds they relay for
        communities this service does not peer with; returns the statuses."""
        with self._poll_lock:
            direct = [r for r in fed_store.list_peers(self.network.store) if r.via is None]
            reached = []
            for rec in direct:
                if self._stopping.is_set():
                    break
                if self._poll(rec):
                    reached.append(rec)
            self._discover_relays(direct, reached)
            for rec in fed_store.list_peers(self.network.store):
                if rec.via is not None and not self._stopping.is_set():
                    self._poll(rec)
            self._check_conflicts()
        return self.peers()

    def poll(self, community: str) -> PeerStatus:
        with self._poll_lock:
            self._poll(fed_store.get_peer(self.network.store, community))
            self._check_conflicts()
        return self.peer(community)

    def _discover_relays(
        self, direct: list[fed_store.PeerRecord], reached: list[fed_store.PeerRecord]
    ) -> None:
        """Follow the peers' own peers: a community in the registry that a reached peer
        has a feed of, and this service does not peer with, is fetched through it (the
        feed is still verified against that community's key in the registry)."""
        store = self.network.store
        direct_names = {r.community for r in direct}
        offered: dict[str, fed_store.PeerRecord] = {}
        for rec in reached:
            try:
                listed = self._http.get(rec.url + PEERS_PATH).json()
            except (httpx.HTTPError, ValueError):
                continue
            for entry in listed if isinstance(listed, list) else []:
                name = entry.get("community") if isinstance(entry, dict) else None
                if (
                    isinstance(name, str)
                    and name != self.community
                    and name not in direct_names
                    and self.registry.member(name) is not None
                    and entry.get("revision") is not None
                ):
                    offered.setdefault(name, rec)
        reached_names = {r.community for r in reached}
        for rec in fed_store.list_peers(store):
            if rec.via is None:
                continue
            gone = rec.via not in direct_names or (
                rec.via in reached_names and offered.get(rec.community) is None
            )
            if gone:
                fed_store.remove_peer(store, rec.community)
                with self._lock:
                    self._accepted.pop(rec.community, None)
                    self._peers_version += 1
            offered.pop(rec.community, None)  # relayed already (or just removed)
        for name, via in offered.items():
            member = self.registry.member(name)
            assert member is not None
            url = f"{via.url}{RELAY_PATH}/{name}"
            try:
                fed_store.add_peer(
                    store, name, url, member.fingerprint, self._clock(), via=via.community
                )
            except Conflict:
                continue  # added meanwhile

    def _poll(self, rec: fed_store.PeerRecord) -> bool:
        """Fetch and check one peer's feed; whether the peer was reached."""
        store, now, community = self.network.store, self._clock(), rec.community
        headers = {"If-None-Match": rec.etag} if rec.etag and rec.feed is not None else {}
        url = rec.url if rec.via is not None else rec.url + FEED_PATH
        try:
            response = self._http.get(url, headers=headers)
        except httpx.HTTPError as exc:
            error = f"{rec.url} unreachable: {exc or type(exc).__name__}"
            fed_store.record_poll(store, community, at=now, outcome="unreachable", error=error)
            self._bump()  # staleness may have changed
            return False
        if response.status_code == 304:
            fed_store.record_poll(store, community, at=now, outcome="ok", reached=True)
            self._alert_rejection(community, None)
            self._bump()
            return True
        if response.status_code != 200 or len(response.content) > MAX_FEED_BYTES:
            error = f"{url} answered HTTP {response.status_code}"
            fed_store.record_poll(store, community, at=now, outcome="unreachable", error=error)
            self._bump()
            return False
        document = response.content
        if rec.feed is not None and document == rec.feed:  # ETag lost, same document
            fed_store.record_poll(store, community, at=now, outcome="ok", reached=True)
            self._alert_rejection(community, None)
            self._bump()
            return True
        member = self.registry.member(community)
        try:
            if member is None:
                raise FeedRejected("namespace", f"{community} is not in the federation registry")
            data = accept_feed(
                document, member=member, pinned=rec.fingerprint, last_revision=rec.revision
            )
        except FeedRejected as rejected:
            log.warning("rejected the feed of %s (%s): %s", community, rejected.reason, rejected)
            fed_store.record_poll(
                store, community, at=now, outcome="rejected", error=rejected.message
            )
            self._alert_rejection(community, rejected)
            return True
        part = peer_part(data)
        fed_store.record_poll(
            store,
            community,
            at=now,
            outcome="ok",
            reached=True,
            feed=document,
            revision=data.revision,
            etag=response.headers.get("etag"),
        )
        with self._lock:
            self._accepted[community] = Accepted(data, part)
            self._peers_version += 1
        self._alert_rejection(community, None)
        log.info("accepted revision %d of %s's feed", data.revision, community)
        return True

    def _bump(self) -> None:
        with self._lock:
            self._peers_version += 1

    # ------------------------------------------------------------------ alerts

    def _alert_rejection(self, community: str, rejected: FeedRejected | None) -> None:
        if self._alerts is None:
            return
        scope = {_rejection_subject(community, r) for r in REJECTION_REASONS}
        found = []
        if rejected is not None:
            found.append(
                Finding(
                    AlertKind.FEED_REJECTED,
                    _rejection_subject(community, rejected.reason),
                    Severity.WARNING,
                    f"feed of {community} rejected ({rejected.reason}): {rejected.message}; "
                    "the last good feed stays in use",
                )
            )
        self._alerts.reconcile((AlertKind.FEED_REJECTED,), found, scope)
