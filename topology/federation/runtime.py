"""The federation component of a running service: publishes the feed, polls peers,
keeps the federated view. The edge around the pure parts of this package.

One :class:`Federation` per service. Its poller thread fetches every peer's feed each
``poll_interval_s`` (a conditional GET: an unchanged feed answers 304 and costs no
transfer), runs the acceptance checks, stores the accepted document, and raises or
clears alerts through the alert engine. A rejected feed is logged, alerted and dropped:
the last good one stays. The federated view is rebuilt on demand when this network's
graph, an accepted feed, or a peer's staleness has changed. The polling itself is
:class:`~topology.federation.polling.PeerPolling`, a mixin of :class:`Federation`.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from topology.alerts.model import AlertKind, Finding, Severity
from topology.federation.accept import accept_feed
from topology.federation.canonical import canonical_bytes, sign_feed
from topology.federation.conflicts import address_conflicts
from topology.federation.errors import FederationError, FeedRejected
from topology.federation.feed import feed_content, node_addresses
from topology.federation.identity import fingerprint, normalise_fingerprint, public_key_text
from topology.federation.keyfile import load_or_create_key
from topology.federation.merge import (
    FederatedGraph,
    MergeInput,
    merge,
    own_border_links,
    own_part,
    peer_part,
)
from topology.federation.polling import Accepted, PeerPolling
from topology.federation.registry import Member, Registry, load_registry
from topology.federation.route import FederatedRoute, federated_route
from topology.federation.settings import FederationSettings
from topology.federation.status import PeerStatus, peer_status
from topology.model import ID_SEP, HolderKind
from topology.network import NetworkError
from topology.store import NotFound
from topology.store import federation as fed_store

if TYPE_CHECKING:
    from fastapi import FastAPI

    from topology.alerts.engine import AlertEngine
    from topology.network import CommunityNetwork

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class FeedDocument:
    body: bytes  # the signed document
    etag: str
    revision: int


def own_entry(registry: Registry, slug: str, key_fingerprint: str) -> Member | None:
    """This community's entry of the registry (None if absent); refuses another key."""
    member = registry.member(slug)
    if member is not None and member.fingerprint != key_fingerprint:
        raise FederationError(
            f"the federation registry lists {slug} with key {member.fingerprint}, but this "
            f"service's key is {key_fingerprint}: update the registry or use the right key file"
        )
    return member


def preflight(network: CommunityNetwork, settings: FederationSettings) -> None:
    """What :meth:`Federation.open` checks, before a service starts, so that a bad
    registry or key file is one clear error rather than a failed startup."""
    if settings.key_file is None:
        raise FederationError("federation.key_file is not set")
    registry = load_registry(settings.registry)
    key = load_or_create_key(settings.key_file)
    try:
        slug = network.community.slug
    except NetworkError:
        return  # no network yet: federation stays off (see federation_lifespan)
    own_entry(registry, slug, fingerprint(public_key_text(key)))


class Federation(PeerPolling):
    """See the module docstring; the polling is :class:`PeerPolling`'s. Thread-safe."""

    def __init__(
        self,
        network: CommunityNetwork,
        settings: FederationSettings,
        registry: Registry,
        key: Ed25519PrivateKey,
        *,
        alerts: AlertEngine | None = None,
        clock: Callable[[], datetime] = utc_now,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.network = network
        self.settings = settings
        self.registry = registry
        self._key = key
        self.public_key = public_key_text(key)
        self.fingerprint = fingerprint(self.public_key)
        self.community = network.community.slug
        self.member: Member | None = own_entry(registry, self.community, self.fingerprint)
        self._alerts = alerts
        self._clock = clock
        self._lock = threading.RLock()
        self._accepted: dict[str, Accepted] = {}
        self._peers_version = 0
        self._view: tuple[object, FederatedGraph] | None = None
        self._feed: tuple[object, FeedDocument] | None = None
        self._gzip: tuple[str, bytes] | None = None
        self._http = httpx.Client(
            timeout=settings.timeout_s, transport=transport,
            headers={"User-Agent": "meshcommons-federation"},
        )
        self._poll_lock = threading.Lock()  # one poll round at a time
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._load_stored()

    @classmethod
    def open(
        cls, network: CommunityNetwork, settings: FederationSettings, **options: Any
    ) -> Federation:
        """Load the registry and the key file named by ``settings``, then build it."""
        if settings.key_file is None:
            raise FederationError("federation.key_file is not set (meshctl serve sets it)")
        registry = load_registry(settings.registry)
        return cls(network, settings, registry, load_or_create_key(settings.key_file), **options)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="federation-poller", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._http.close()

    def wake(self) -> None:
        """Poll every peer now instead of at the next interval."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.poll_all()
            except Exception:  # the poller must survive anything
                log.exception("federation poll failed; retrying at the next interval")
            self._wake.wait(self.settings.poll_interval_s)
            self._wake.clear()

    def _load_stored(self) -> None:
        """Last good feeds from the store, checked again (the pinned key may have changed)."""
        for rec in fed_store.list_peers(self.network.store):
            member = self.registry.member(rec.community)
            if rec.feed is None or member is None:
                continue
            try:
                data = accept_feed(
                    rec.feed, member=member, pinned=rec.fingerprint, last_revision=None
                )
            except FeedRejected as exc:
                log.warning("stored feed of %s no longer passes: %s", rec.community, exc)
                continue
            self._accepted[rec.community] = Accepted(data, peer_part(data))

    # ------------------------------------------------------------------ own feed

    def identity(self) -> dict[str, Any]:
        c = self.network.community
        return {
            "community": c.slug,
            "name": c.name,
            "url": self.settings.public_url or c.url,
            "public_key": self.public_key,
            "fingerprint": self.fingerprint,
        }

    def feed_document(self) -> FeedDocument:
        """This community's signed feed (rebuilt only when the network changed)."""
        net = self.network
        store = net.store
        with net.lock:
            graph = net.graph
            key = (graph.version, store.ipam_version(), tuple(net.zones.values()))
            cached = self._feed
            if cached is not None and cached[0] == key:
                return cached[1]
            nodes = list(graph.nodes.values())
            links = list(graph.links.values())
            zones = list(net.zones.values())
        delegations = self.member.delegation_texts() if self.member else {"ipv4": [], "ipv6": []}
        content = feed_content(
            net.community,
            public_key=self.public_key,
            public_url=self.settings.public_url,
            delegations=delegations,
            zones=zones,
            nodes=nodes,
            links=links,
            allocations=net.allocations(),
        )
        digest = hashlib.sha256(canonical_bytes(content)).hexdigest()
        revision, at = fed_store.next_revision(store, digest, self._clock())
        feed = {**content, "revision": revision, "generated_at": at.isoformat()}
        body = sign_feed(feed, self._key)
        doc = FeedDocument(body, f'"{revision}-{digest[:20]}"', revision)
        with self._lock:
            self._feed = (key, doc)
        return doc

    def feed_gzip(self, doc: FeedDocument) -> bytes:
        """``doc`` gzipped (kept for its ETag: compressed once per revision)."""
        with self._lock:
            held = self._gzip
            if held is not None and held[0] == doc.etag:
                return held[1]
        packed = gzip.compress(doc.body, compresslevel=6, mtime=0)
        with self._lock:
            self._gzip = (doc.etag, packed)
        return packed

    # ------------------------------------------------------------------ peers

    def peers(self) -> list[PeerStatus]:
        now = self._clock()
        return [
            peer_status(r, now, self.settings) for r in fed_store.list_peers(self.network.store)
        ]

    def peer(self, community: str) -> PeerStatus:
        rec = fed_store.get_peer(self.network.store, community)
        return peer_status(rec, self._clock(), self.settings)

    def add_peer(self, url: str, key_fingerprint: str) -> PeerStatus:
        """Pin a peer by its key's fingerprint; the registry says which community it is."""
        fp = normalise_fingerprint(key_fingerprint)
        if not url.startswith(("http://", "https://")):
            raise FederationError(f"peer URL {url!r} must start with http:// or https://")
        member = self.registry.by_fingerprint(fp)
        if member is None:
            raise FederationError(
                f"no community in the federation registry ({self.settings.registry}) has the "
                f"key {fp}: add it to the registry first"
            )
        if member.slug == self.community:
            raise FederationError(f"{fp} is this service's own key ({self.community})")
        rec = fed_store.add_peer(
            self.network.store, member.slug, url.rstrip("/"), fp, self._clock()
        )
        self.wake()
        return peer_status(rec, self._clock(), self.settings)

    def remove_peer(self, community: str) -> None:
        fed_store.remove_peer(self.network.store, community)
        with self._lock:
            self._accepted.pop(community, None)
            self._peers_version += 1
        self._alert_rejection(community, None)
        self._check_conflicts()

    # ------------------------------------------------------------------ conflicts

    def claims(self) -> list[tuple[str, str]]:
        """Every (holder, address) of this community's feed and the accepted peers'."""
        out = [
            (a.holder_id, a.prefix)
            for a in self.network.allocations()
            if a.released_at is None and a.holder_kind in (HolderKind.NODE, HolderKind.LINK)
        ]
        with self.network.lock:
            nodes = list(self.network.graph.nodes.values())
        for n in nodes:
            out.extend((n.id, a) for a in node_addresses(n, {}))
        with self._lock:
            accepted = list(self._accepted.values())
        for acc in accepted:
            out.extend(acc.data.claims())
        return out

    def _check_conflicts(self) -> None:
        conflicts = address_conflicts(self.claims())
        for c in conflicts:
            log.warning("federation address conflict: %s", c.message())
        if self._alerts is None:
            return
        found = [
            Finding(AlertKind.FEDERATION_CONFLICT, c.address, Severity.CRITICAL, c.message())
            for c in conflicts
        ]
        self._alerts.reconcile((AlertKind.FEDERATION_CONFLICT,), found)

    # ------------------------------------------------------------------ the view

    def view(self) -> FederatedGraph:
        """The federated graph now (cached until something it is built from changes)."""
        statuses = {s.community: s for s in self.peers()}
        with self._lock:
            accepted = dict(self._accepted)
            peers_version = self._peers_version
        included = {
            c: a for c, a in accepted.items() if c in statuses and not statuses[c].expired
        }
        stale = frozenset(c for c in included if statuses[c].stale_since is not None)
        net = self.network
        with net.lock:
            key = (net.graph.version, peers_version, frozenset(included), stale)
            cached = self._view
            if cached is not None and cached[0] == key:
                return cached[1]
            own = own_part(net.graph, self.community)
            own_border = own_border_links(net.graph, self.community)
        parts = tuple(
            replace(a.part, stale=c in stale) for c, a in sorted(included.items())
        )
        peer_border = tuple(lk for a in included.values() for lk in a.data.border_links)
        view = merge(MergeInput(own, parts, own_border, peer_border), version=hash(key))
        with self._lock:
            self._view = (key, view)
        return view

    def resolve(self, text: str) -> str:
        """A node id as typed: global ``community:local``, or local to this community."""
        return text if ID_SEP in text else f"{self.community}{ID_SEP}{text}"

    def route(self, source: str, target: str) -> FederatedRoute:
        return federated_route(self.view(), self.resolve(source), self.resolve(target))

    def stored_feed(self, community: str) -> FeedDocument | None:
        """The last good signed feed of a peer, verbatim (for relaying), or this
        community's own feed."""
        if community == self.community:
            return self.feed_document()
        try:
            rec = fed_store.get_peer(self.network.store, community)
        except NotFound:
            return None
        if rec.feed is None or rec.revision is None:
            return None
        digest = hashlib.sha256(rec.feed).hexdigest()
        return FeedDocument(rec.feed, f'"{rec.revision}-{digest[:20]}"', rec.revision)



def federation_lifespan(settings: FederationSettings) -> Callable[[FastAPI], Any]:
    """The app lifespan component: start the federation after the alert engine, put it
    into ``app.state.federation`` for the router, stop it at shutdown."""

    @asynccontextmanager
    async def component(app: FastAPI) -> AsyncIterator[None]:
        network = app.state.network
        try:
            network.community  # noqa: B018  (raises when the store holds no network)
        except NetworkError:
            log.warning("federation is off: this service holds no network yet")
            app.state.federation = None
            yield
            return
        federation = Federation.open(
            network, settings, alerts=getattr(app.state, "alert_engine", None)
        )
        app.state.federation = federation
        federation.start()
        try:
            yield
        finally:
            federation.stop()
            app.state.federation = None

    return component
