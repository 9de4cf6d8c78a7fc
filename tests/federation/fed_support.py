"""Helpers of the federation tests: small community networks, keys, a registry, and the
real full service of each community on its own loopback port and store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import yaml

from topology.api.deps import ApiSettings
from topology.api.service import ServiceConfig, create_service_app
from topology.auth import AccessRole
from topology.federation.identity import public_key_text
from topology.federation.keyfile import load_or_create_key
from topology.federation.runtime import Federation
from topology.federation.settings import FederationSettings
from topology.model import (
    Community,
    Contact,
    Device,
    Interface,
    Link,
    LinkMetrics,
    LinkType,
    NetworkModel,
    Node,
    Position,
    Status,
    Zone,
)
from topology.network import CommunityNetwork
from topology.sim.service import ServiceThread
from topology.store import open_store
from topology.store.tokens import TokenStore

API = "/api/v1/federation"
SECRET_CONTACT = Contact("Ann Secretname", "ann.secret@example.org", "+1 555 0199")
SECRET_OWNER = "ann-secret-account"


def _router(address: str) -> Device:
    return Device("r", "router", interfaces=(Interface("lan", ipv4=address),))


def line_model(slug: str, octet: int, border_to: str | None = None, nodes: int = 3) -> NetworkModel:
    """``slug:n0 - n1 - ...`` in a line; home positions with many decimals (private);
    ``border_to``: a border link from the last node to ``<border_to>:n0``."""
    made = tuple(
        Node(
            f"{slug}:n{i}",
            f"{slug} node {i}",
            "z1",
            Position(44.123456 + octet * 0.1 + i * 0.01, -71.654321),
            Status.WORKING,
            gateway=i == 0,
            devices=(_router(f"10.{octet}.0.{i + 1}/24"),),
            contact=SECRET_CONTACT,
            owner=SECRET_OWNER,
        )
        for i in range(nodes)
    )
    metrics = LinkMetrics(cost=1.5, signal_dbm=-60.0)
    status = Status.WORKING
    links = [
        Link(f"{slug}:l{i}", f"{slug}:n{i}", f"{slug}:n{i + 1}", LinkType.WDS, status, metrics)
        for i in range(nodes - 1)
    ]
    if border_to is not None:
        links.append(
            Link(
                f"{slug}:to-{border_to}",
                f"{slug}:n{nodes - 1}",
                f"{border_to}:n0",
                LinkType.WDS,
                Status.WORKING,
                metrics,
            )
        )
    return NetworkModel(
        Community(slug, f"{slug.title()} Mesh"),
        zones=(Zone("z1", "Zone one"),),
        nodes=made,
        links=tuple(links),
    )


@dataclass
class FedService:
    """One community's full service (API, alerts, federation) on loopback."""

    root: Path
    model: NetworkModel
    octet: int
    stale_after_s: float = 1.5  # short, yet long enough for a slow machine
    port: int = 0
    thread: ServiceThread | None = None
    network: CommunityNetwork | None = None
    app: Any = None
    admin: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.model.community.slug

    @property
    def data_dir(self) -> Path:
        return self.root / self.slug

    @property
    def key_file(self) -> Path:
        return self.data_dir / "federation-key"

    def prepare(self) -> str:
        """Import the network, make the key; returns the public key."""
        network = CommunityNetwork(open_store(self.data_dir))
        network.import_model(self.model)
        _, self.admin = TokenStore(network.store.engine).create(
            AccessRole.ADMIN, "admin", now=datetime.now(UTC)
        )
        network.close()
        return public_key_text(load_or_create_key(self.key_file))

    def settings(self, registry: Path) -> FederationSettings:
        return FederationSettings(
            registry=registry,
            key_file=self.key_file,
            poll_interval_s=3600.0,  # tests poll when they want to
            stale_after_s=self.stale_after_s,
            expire_after_s=3600.0,
            timeout_s=2.0,
        )

    def start(self, registry: Path) -> FedService:
        self.network = CommunityNetwork(open_store(self.data_dir))
        config = ServiceConfig(federation=self.settings(registry))
        self.app = create_service_app(
            self.network, ApiSettings(close_network_on_shutdown=True), config
        )
        self.thread = ServiceThread(self.app, port=self.port).start()
        self.port = self.thread.port
        return self

    def stop(self) -> None:
        if self.thread is not None:
            self.thread.stop()
            self.thread = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def federation(self) -> Federation:
        fed = self.app.state.federation
        assert isinstance(fed, Federation)
        return fed

    def get(self, path: str, **params: str) -> httpx.Response:
        return httpx.get(self.url + API + path, params=params, timeout=10)

    def call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.admin}"}
        return httpx.request(method, self.url + API + path, headers=headers, timeout=10, **kw)

    def alerts(self, kind: str) -> list[dict[str, Any]]:
        r = httpx.get(
            self.url + "/api/v1/alerts",
            params={"kind": kind, "limit": 500},
            headers={"Authorization": f"Bearer {self.admin}"},
            timeout=10,
        )
        r.raise_for_status()
        items: list[dict[str, Any]] = r.json()["items"]
        return items


def write_registry(path: Path, members: list[tuple[str, str, list[str]]]) -> Path:
    """A registry file of (slug, public key, IPv4 delegations)."""
    data = {
        "communities": [
            {"slug": slug, "name": slug.title(), "public_key": key, "ipv4": nets}
            for slug, key, nets in members
        ]
    }
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@dataclass
class Line:
    """Three services in a line (see the ``line`` fixture)."""

    a: FedService
    b: FedService
    c: FedService
    registry: Path

    def poll_all(self) -> None:
        """One poll round everywhere; B first so that the relayed feeds are current."""
        for s in (self.b, self.a, self.c):
            s.federation.poll_all()
