"""Run the real HTTP service on loopback in a background thread (demo and tests).

:class:`ServiceThread` serves an ASGI app with uvicorn on ``127.0.0.1`` and a free port
(the socket is bound before the thread starts, so there is no race for the port), waits
until it answers ``/healthz``, and stops it gracefully: uvicorn finishes the requests in
flight, runs the app's shutdown (which closes the store) and returns.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from typing import TYPE_CHECKING, Any

import uvicorn

from topology.client import UNAVAILABLE, MeshClient
from topology.client_models import Health

if TYPE_CHECKING:
    from topology.api.service import ServiceConfig

log = logging.getLogger(__name__)


class ServiceError(RuntimeError):
    """The service did not start (or did not stop) in time."""


def wait_until_up(base_url: str, *, timeout: float = 15.0) -> Health:
    """Poll ``/healthz`` until the service answers; raise the last error after ``timeout``."""
    deadline = time.monotonic() + timeout
    with MeshClient(base_url, timeout=2.0) as api:
        while True:
            try:
                return api.healthz()
            except UNAVAILABLE:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)


class ServiceThread:
    """uvicorn serving ``app`` on ``host`` (a free port unless ``port``) in a thread."""

    def __init__(
        self,
        app: Any,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log_level: str = "warning",
        graceful_s: int = 5,
    ) -> None:
        self.app = app
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.host, self.port = self._sock.getsockname()[:2]
        config = uvicorn.Config(
            app,
            log_level=log_level,
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=graceful_s,
        )
        from topology.api.events import StreamEndingServer

        self.server: uvicorn.Server = StreamEndingServer(config)
        self._thread = threading.Thread(target=self._serve, name="meshcommons service", daemon=True)
        self.error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _serve(self) -> None:
        try:
            self.server.run(sockets=[self._sock])
        except BaseException as exc:  # reported by start()/stop(), not lost in the thread
            self.error = exc

    def start(self, timeout: float = 20.0) -> ServiceThread:
        """Start serving; returns once ``/healthz`` answers."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._sock.close()
                raise ServiceError(f"the service did not start: {self.error or 'timeout'}")
            time.sleep(0.02)
        wait_until_up(self.url, timeout=max(1.0, deadline - time.monotonic()))
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop gracefully (requests in flight finish; the app's shutdown runs)."""
        if self._thread.is_alive():
            self.server.should_exit = True
            self._thread.join(timeout)
            if self._thread.is_alive():
                self.server.force_exit = True
                self._thread.join(2.0)
        self._sock.close()
        if self._thread.is_alive():
            raise ServiceError("the service did not stop in time")

    def __enter__(self) -> ServiceThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --------------------------------------------------------------------------- the demo's service


def demo_config(interval: float) -> ServiceConfig:
    """Component settings for agents reporting every ``interval`` seconds: links stale
    after 3 missed reports and down after 10, node down after 3; quick sweeps."""
    from topology.alerts import AlertConfig
    from topology.api.service import ServiceConfig
    from topology.ingest.liveness import LivenessSettings
    from topology.ingest.service import IngestSettings

    ingest = IngestSettings(
        liveness=LivenessSettings(stale_after_intervals=3, down_after_s=max(10 * interval, 5.0)),
        sweep_every_s=min(1.0, interval),
    )
    alerts = AlertConfig(
        report_interval_s=interval,
        node_down_missed_intervals=3,
        sweep_interval_s=min(1.0, interval),
        debounce_s=0.2,
    )
    return ServiceConfig(ingest=ingest, alerts=alerts, heartbeat_s=min(15.0, 5 * interval))


class DemoService:
    """The real, full service over ``network`` (every router, ingestion, alerts),
    tuned for agents reporting every ``interval`` seconds, in a background thread."""

    def __init__(
        self, network: Any, *, interval: float = 60.0, max_body_bytes: int | None = None
    ) -> None:
        from topology.api.deps import ApiSettings
        from topology.api.service import create_service_app

        self.network = network
        self.config = demo_config(interval)
        settings = ApiSettings(close_network_on_shutdown=True)
        if max_body_bytes is not None:
            settings = ApiSettings(close_network_on_shutdown=True, max_body_bytes=max_body_bytes)
        self.app = create_service_app(network, settings, self.config)
        self.thread = ServiceThread(self.app)

    @property
    def url(self) -> str:
        return self.thread.url

    def start(self) -> DemoService:
        self.thread.start()
        return self

    def stop(self) -> None:
        """Graceful: end event streams (so uvicorn need not wait for them), let uvicorn
        finish requests in flight; the app's shutdown stops the components and closes
        the network and its store."""
        hub = getattr(self.app.state, "event_hub", None)
        if hub is not None:
            hub.stop()
        self.thread.stop()

    def __enter__(self) -> DemoService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
