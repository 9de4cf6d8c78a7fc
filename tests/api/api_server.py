"""Helpers of the API tests: a real uvicorn server on loopback in a thread, tokens."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from topology.model import NetworkModel
from topology.network import CommunityNetwork
from topology.store import open_store

API = "/api/v1"


@dataclass
class LiveServer:
    """A uvicorn server running ``app`` in a thread; ``url`` has no trailing slash."""

    app: FastAPI
    server: uvicorn.Server
    thread: threading.Thread
    url: str

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the server did not stop"


def start_server(app: FastAPI, timeout: float = 10.0) -> LiveServer:
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", lifespan="on", ws="none"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return LiveServer(app, server, thread, f"http://127.0.0.1:{port}")


@dataclass(frozen=True)
class Tokens:
    """Secrets of the tokens of a test network (and their ids)."""

    admin: str
    steward_gorham: str  # steward of zone gorham
    steward_north: str  # steward of north-country: gorham and berlin are its sub-zones
    adoe: str  # volunteer who owns gorham-home-01
    broe: str  # volunteer who owns gorham-home-02
    agent: str  # agent of gorham-home-01
    ids: dict[str, str]


def headers(token: str | None) -> dict[str, str]:
    return {} if token is None else {"Authorization": f"Bearer {token}"}


def sample_network(folder: Path, model: NetworkModel) -> CommunityNetwork:
    network = CommunityNetwork(open_store(folder))
    network.import_model(model)
    network.assign_missing_addresses()
    return network
