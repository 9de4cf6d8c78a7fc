"""Fixtures of the ingestion tests: the sample network, a hand-moved clock, a running
IngestService and a real uvicorn server on loopback with the reports and metrics routers.

``db``/``pg_admin`` come from the store tests: store-level tests run on SQLite and, when
it is reachable, PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import SAMPLE_INVENTORY
from tests.store.conftest import db, pg_admin  # noqa: F401  (fixtures)
from topology.api import metrics, reports
from topology.api.app import ROUTERS, create_app
from topology.api.deps import ApiSettings
from topology.auth import AccessRole
from topology.ingest.liveness import LivenessSettings
from topology.ingest.service import IngestService, IngestSettings
from topology.inventory import load_inventory
from topology.model import NetworkModel
from topology.network import CommunityNetwork
from topology.sim.service import ServiceThread as LiveServer
from topology.store import open_store
from topology.store.tokens import TokenStore

API = "/api/v1"
T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
HOME1 = "androscoggin:gorham-home-01"
HOME2 = "androscoggin:gorham-home-02"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(scope="session")
def sample_model() -> NetworkModel:
    return load_inventory(SAMPLE_INVENTORY)


def sample_network(folder: Path, model: NetworkModel, clock: Clock) -> CommunityNetwork:
    network = CommunityNetwork(open_store(folder), clock=clock)
    network.import_model(model)
    network.assign_missing_addresses()
    return network


SETTINGS = IngestSettings(
    liveness=LivenessSettings(stale_after_intervals=3, down_after_s=600),
    sweep_every_s=3600,  # tests sweep by hand
    retention_every_s=3600,
)


@dataclass
class Rig:
    """A network with its ingestion service (and, for HTTP tests, a server)."""

    folder: Path
    clock: Clock
    network: CommunityNetwork
    service: IngestService

    def restart(self) -> None:
        """Stop everything and open the same data directory again (a service restart)."""
        self.service.stop()
        self.network.close()
        self.network = CommunityNetwork(open_store(self.folder), clock=self.clock)
        self.service = IngestService(self.network, SETTINGS, clock=self.clock)
        self.service.start()


@pytest.fixture
def rig(tmp_path: Path, sample_model: NetworkModel) -> Iterator[Rig]:
    clock = Clock()
    folder = tmp_path / "data"
    network = sample_network(folder, sample_model, clock)
    service = IngestService(network, SETTINGS, clock=clock)
    service.start()
    made = Rig(folder, clock, network, service)
    yield made
    made.service.stop()
    made.network.close()


def start_server(app: FastAPI) -> LiveServer:
    return LiveServer(app).start()


def ingest_app(rig: Rig, fast_path: bool = False, max_body: int = 1024 * 1024) -> FastAPI:
    app = create_app(
        rig.network,
        ApiSettings(close_network_on_shutdown=False, max_body_bytes=max_body),
        routers=(*ROUTERS, reports, metrics),
    )
    app.state.ingest = rig.service
    app.state.agent_cache = reports.AgentCache()  # a fresh one: tokens differ per test
    if fast_path:
        app.add_middleware(reports.ReportFastPath)
    return app


@dataclass
class Http:
    rig: Rig
    live: LiveServer
    client: httpx.Client
    agent: str  # token of HOME1's agent
    agent2: str  # token of HOME2's agent
    admin: str
    fast_path: bool

    def restart(self) -> None:
        """Restart the service and its server on the same data (the client follows)."""
        self.live.stop()
        self.rig.restart()
        self.live = start_server(ingest_app(self.rig, self.fast_path))
        self.client.base_url = httpx.URL(self.live.url + API)


@pytest.fixture(params=[False, True], ids=["route", "fast-path"])
def http(rig: Rig, request: pytest.FixtureRequest) -> Iterator[Http]:
    """A server on loopback, with the reports route answered by FastAPI or by the
    :class:`~topology.api.reports.ReportFastPath` middleware (the same answers)."""
    store = TokenStore(rig.network.store.engine)
    now = datetime.now(UTC)
    _, agent = store.create(AccessRole.AGENT, "a1", node_id=HOME1, now=now)
    _, agent2 = store.create(AccessRole.AGENT, "a2", node_id=HOME2, now=now)
    _, admin = store.create(AccessRole.ADMIN, "root", now=now)
    live = start_server(ingest_app(rig, request.param, max_body=64 * 1024))
    with httpx.Client(base_url=live.url + API, timeout=30) as client:
        h = Http(rig, live, client, agent, agent2, admin, request.param)
        yield h
    h.live.stop()


def auth(token: str | None) -> dict[str, str]:
    return {} if token is None else {"Authorization": f"Bearer {token}"}


def report_body(
    seq: int, time_: datetime, links: list[dict[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "seq": seq,
        "time": time_.isoformat(),
        "interval_s": 60,
        "links": links or [],
        "interfaces": [{"name": "wlan0", "rx_bytes": 1000 * seq, "tx_bytes": 500 * seq}],
        "system": {"uptime_s": 100.0 + seq, "load1": 0.5, "memory_used_pct": 40, "clients": 3},
        "collectors": [{"name": "babeld", "ok": True, "error": ""}],
        **extra,
    }


LinkFactory = Callable[..., dict[str, Any]]


def observed(neighbour: str, cost: float | None = 1.5, **extra: Any) -> dict[str, Any]:
    return {"neighbour": neighbour, "interface": "wlan0", "cost": cost, "signal_dbm": -60,
            "rate_mbps": 150, **extra}  # fmt: skip
