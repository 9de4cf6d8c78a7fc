"""``meshctl serve`` as a real process: bootstrap token, import, graceful shutdown."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from api_server import API, sample_network, start_server
from fastapi import FastAPI

from tests.conftest import ROOT, SAMPLE_INVENTORY
from topology.api.app import Lifespan, create_app
from topology.model import NetworkModel
from topology.store import SQLITE_FILENAME, open_store

RUNNING = re.compile(r"Uvicorn running on (http://127\.0\.0\.1:\d+)")


class Service:
    """``meshctl serve`` in a subprocess; output collected by reader threads."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "meshctl.cli", "serve", "--port", "0", *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "NO_COLOR": "1"},
        )
        self.out: list[str] = []
        self.err: list[str] = []
        for stream, sink in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            threading.Thread(target=self._read, args=(stream, sink), daemon=True).start()
        self.url = self._wait_url()

    @staticmethod
    def _read(stream: object, sink: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            sink.append(line)

    def _wait_url(self, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.err):
                if m := RUNNING.search(line):
                    return m.group(1)
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.proc.kill()
        raise AssertionError(f"serve did not start:\n{''.join(self.out)}{''.join(self.err)}")

    def stop(self, sig: signal.Signals) -> int:
        self.proc.send_signal(sig)
        code = self.proc.wait(30)
        time.sleep(0.1)  # let the reader threads drain
        return code

    @property
    def output(self) -> str:
        return "".join(self.out) + "".join(self.err)


@pytest.mark.slow
def test_serve_bootstraps_imports_and_stops_gracefully(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = Service("--data-dir", str(data), "--inventory", str(SAMPLE_INVENTORY))
    try:
        token_file = data / "admin-token"
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        secret = token_file.read_text().strip()
        assert secret.startswith("mc_")
        auth = {"Authorization": f"Bearer {secret}"}
        with httpx.Client(base_url=first.url + API) as c:
            assert c.get("/community").json()["slug"] == "androscoggin"
            assert c.get("/nodes/gorham-library/addresses").json()  # addresses assigned
            node = {"id": "late", "name": "Late", "zone": "gorham",
                    "position": {"lat": 44.4, "lon": -71.2}}  # fmt: skip
            assert c.post("/nodes", json=node, headers=auth).status_code == 201
    finally:
        code = first.stop(signal.SIGTERM)
    assert code == 0, first.output
    assert secret not in first.output  # only the file's path is printed
    assert str(token_file) in first.output and "Application shutdown complete" in first.output
    assert not (data / f"{SQLITE_FILENAME}-wal").exists()  # closed: the WAL was checkpointed
    with open_store(data) as store:  # the acknowledged write is there
        assert store.load_model().node("androscoggin:late").name == "Late"

    again = Service("--data-dir", str(data), "--inventory", str(SAMPLE_INVENTORY))
    try:
        with httpx.Client(base_url=again.url + API) as c:
            assert c.get("/nodes/late").status_code == 200
            assert c.get("/tokens", headers=auth).status_code == 200  # same admin token
    finally:
        code = again.stop(signal.SIGINT)
    assert code == 0, again.output
    assert "ignored" in again.output and "admin-token" not in again.output
    assert token_file.read_text().strip() == secret


def test_app_shutdown_stops_components_then_closes_the_network(
    tmp_path: Path, sample_model: NetworkModel
) -> None:
    network = sample_network(tmp_path / "data", sample_model)
    steps: list[str] = []
    real_close = network.close

    def close() -> None:
        steps.append("network closed")
        real_close()

    network.close = close  # type: ignore[method-assign]

    def component(name: str) -> Lifespan:
        @asynccontextmanager
        async def run(app: FastAPI) -> AsyncIterator[None]:
            steps.append(f"{name} started")
            setattr(app.state, name, True)
            yield
            steps.append(f"{name} stopped")

        return run

    app = create_app(network, lifespans=[component("ingest"), component("alerts")])
    server = start_server(app)
    assert httpx.get(server.url + "/healthz").status_code == 200
    assert app.state.ingest and app.state.alerts
    assert steps == ["ingest started", "alerts started"]
    server.stop()
    assert steps[2:] == ["alerts stopped", "ingest stopped", "network closed"]
