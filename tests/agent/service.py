"""The real topology service for agent tests: store, ingestion, the API with the reports
router, agent tokens, served by uvicorn in a thread (on loopback, or on a socket opened
inside a test's own namespace)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import uvicorn

from topology.api import reports
from topology.api.app import ROUTERS, create_app
from topology.api.deps import ApiSettings
from topology.auth import AccessRole
from topology.ingest.liveness import LivenessSettings
from topology.ingest.service import IngestService, IngestSettings
from topology.model import NetworkModel
from topology.network import CommunityNetwork
from topology.store import open_store
from topology.store.tokens import TokenStore


@dataclass
class Service:
    network: CommunityNetwork
    ingest: IngestService
    tokens: dict[str, str] = field(default_factory=dict)  # node id -> agent token
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None
    url: str = ""

    def serve(self, sock: socket.socket | None = None, port: int = 0) -> None:
        """Start uvicorn on ``sock``, or on loopback ``port`` (0: a free one)."""
        if sock is None and port:
            sock = socket.create_server(("127.0.0.1", port))
        app = create_app(
            self.network, ApiSettings(close_network_on_shutdown=False), routers=(*ROUTERS, reports)
        )
        app.state.ingest = self.ingest
        config = uvicorn.Config(app, log_level="warning", lifespan="on", ws="none",
                                host="127.0.0.1", port=0)  # fmt: skip
        self.server = uvicorn.Server(config)
        sockets = [sock] if sock is not None else None
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": sockets}, daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the service did not start")
            time.sleep(0.01)
        host, port = self.server.servers[0].sockets[0].getsockname()[:2]
        self.url = f"http://{host}:{port}"

    def stop_serving(self) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(15)
            self.server = None

    def close(self) -> None:
        self.stop_serving()
        self.ingest.stop()
        self.network.close()


def start_service(
    folder: Path, model: NetworkModel, agents: list[str], stale_after_intervals: float = 3.0
) -> Service:
    network = CommunityNetwork(open_store(folder))
    network.import_model(model)
    settings = IngestSettings(
        liveness=LivenessSettings(stale_after_intervals=stale_after_intervals, down_after_s=600),
        sweep_every_s=0.5,
    )
    ingest = IngestService(network, settings)
    ingest.start()
    store = TokenStore(network.store.engine)
    tokens = {}
    for node in agents:
        _, secret = store.create(AccessRole.AGENT, f"agent {node}", node_id=node,
                                 now=datetime.now(UTC))  # fmt: skip
        tokens[node] = secret
    return Service(network, ingest, tokens)
