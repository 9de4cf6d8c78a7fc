"""Fixtures of the TUI tests: the real service on loopback over the sample network.

``service`` (one per module) is the full service (every router, ingestion, the event
stream, alerts) over a fresh copy of ``inventories/sample`` with its addresses, and an
admin token; :func:`post_report` feeds it an agent report over HTTP as a node would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import SAMPLE_INVENTORY
from topology.api.deps import ApiSettings
from topology.api.service import ServiceConfig, create_service_app
from topology.auth import AccessRole
from topology.inventory import load_inventory
from topology.model import NetworkModel
from topology.network import CommunityNetwork
from topology.sim.service import ServiceThread, demo_config
from topology.store import open_store
from topology.store.tokens import TokenStore
from tui.app import MeshApp

API = "/api/v1"
LIBRARY = "androscoggin:gorham-library"


@dataclass
class Service:
    folder: Path
    thread: ServiceThread
    admin: str

    @property
    def url(self) -> str:
        return self.thread.url


@pytest.fixture(scope="session")
def sample_model() -> NetworkModel:
    return load_inventory(SAMPLE_INVENTORY)


def make_network(folder: Path, model: NetworkModel | None) -> CommunityNetwork:
    network = CommunityNetwork(open_store(folder))
    if model is not None:
        network.import_model(model)
        network.assign_missing_addresses()
    return network


def serve(network: CommunityNetwork, port: int = 0, *, quiet: bool = False) -> ServiceThread:
    """The full service over ``network``, tuned for a 1 s report interval (``quiet``: the
    default settings, so that nothing happens by itself for minutes: snapshots)."""
    config = ServiceConfig() if quiet else demo_config(1.0)
    app = create_service_app(network, ApiSettings(close_network_on_shutdown=True), config)
    return ServiceThread(app, port=port).start()


def stop(thread: ServiceThread) -> None:
    hub = getattr(thread.app.state, "event_hub", None)
    if hub is not None:
        hub.stop()
    thread.stop()


def admin_token(network: CommunityNetwork) -> str:
    tokens = TokenStore(network.store.engine)
    return tokens.create(AccessRole.ADMIN, "root", now=datetime.now(UTC))[1]


@pytest.fixture(scope="module")
def service(
    tmp_path_factory: pytest.TempPathFactory, sample_model: NetworkModel
) -> Iterator[Service]:
    folder = tmp_path_factory.mktemp("tui") / "data"
    network = make_network(folder, sample_model)
    token = admin_token(network)
    thread = serve(network)
    yield Service(folder, thread, token)
    stop(thread)


def post_report(
    url: str, token: str, node: str, seq: int, links: list[dict[str, Any]], **more: Any
) -> None:
    """One agent report of ``node`` (posted with an admin token, as admins may)."""
    body = {"seq": seq, "time": datetime.now(UTC).isoformat(), "interval_s": 1, "links": links,
            **more}  # fmt: skip
    r = httpx.post(f"{url}{API}/nodes/{node}/reports", json=body,
                   headers={"Authorization": f"Bearer {token}"}, timeout=10)  # fmt: skip
    assert r.status_code in (200, 202), r.text


async def wait_for(pilot: Any, ok: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let the app run until ``ok()`` (pytest fails after ``timeout`` seconds)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not ok():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.05)


def make_app(url: str, token: str | None = None) -> MeshApp:
    return MeshApp(url, token, refresh_s=0.1)


@pytest.fixture
def anyio_backend() -> str:
    """Pilot tests are async: anyio's pytest plugin runs them on asyncio."""
    return "asyncio"
