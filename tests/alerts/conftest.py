"""Fixtures of the alert tests (helpers in alert_helpers.py)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from alert_helpers import T0, Clock, Telemetry, tiny_model

from topology.alerts import AlertConfig
from topology.alerts.engine import AlertEngine
from topology.api.alerts import Alerting
from topology.api.events import EventHub, StreamEndingServer
from topology.auth import AccessRole
from topology.network import CommunityNetwork
from topology.store import open_store
from topology.store.tokens import TokenStore


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def telemetry() -> Telemetry:
    return Telemetry()


@pytest.fixture
def net(tmp_path: Path, clock: Clock) -> Iterator[CommunityNetwork]:
    network = CommunityNetwork(open_store(tmp_path / "data"), clock=clock)
    network.import_model(tiny_model())
    yield network
    network.close()


@dataclass
class LiveServer:
    """The real app on uvicorn on loopback, with the event hub and alert engine running."""

    url: str
    network: CommunityNetwork
    hub: EventHub
    engine: AlertEngine
    tokens: TokenStore
    server: uvicorn.Server

    def token(self, role: AccessRole, name: str, zones: tuple[str, ...] = ()) -> dict[str, str]:
        _, secret = self.tokens.create(role, name, now=T0, zones=zones)
        return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def live(net: CommunityNetwork) -> Iterator[LiveServer]:
    """Built with ``create_app`` plus the events and alerts routers. If the app's lifespan
    already starts the hub and engine they are used; otherwise ``Alerting`` starts them."""
    from topology.api import alerts as alerts_api
    from topology.api import events as events_api
    from topology.api.app import ROUTERS, create_app
    from topology.api.deps import ApiSettings

    routers = tuple(dict.fromkeys((*ROUTERS, events_api, alerts_api)))
    app = create_app(net, ApiSettings(close_network_on_shutdown=False), routers=routers)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=5)
    server = StreamEndingServer(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "uvicorn did not start"
    alerting = None
    if getattr(app.state, "alert_engine", None) is None:  # the lifespan does not start them
        quick = AlertConfig(debounce_s=0.1, sweep_interval_s=0.5)
        alerting = Alerting.start(app, net, alerts=quick, heartbeat_s=0.3)
    hub, engine = app.state.event_hub, app.state.alert_engine
    hub.heartbeat_s = 0.3
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", net, hub, engine, app.state.tokens, server)
    finally:
        server.should_exit = True  # StreamEndingServer ends open streams: no waiting
        thread.join(10)
        if alerting is not None:
            alerting.stop()
        sock.close()
