"""The TUI's connection to the service: a snapshot, then the event stream, on a thread.

:class:`Feed` runs one daemon thread that loads everything the screens show
(:class:`Snapshot`), then reads ``GET /api/v1/events`` and hands each event over. It
never touches the UI: it puts messages in a thread-safe queue that the app drains on a
timer (so a burst of events costs one redraw). When the service goes away it says so
(:class:`Connection` ``up=False``), polls ``/healthz`` with a growing pause (0.2 s to
3 s), and when the service is back it loads a fresh snapshot and streams again from the
last event id. Bad data never ends the thread: it is reported as a connection problem
and retried.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from typing import Any

from topology.client import MeshClient
from topology.client_models import (
    AlertInfo,
    AllocationInfo,
    ApiError,
    ClientError,
    Gateways,
    LinkInfo,
    NodeInfo,
    ServerEvent,
    Unauthorized,
)

API = "/api/v1"


@dataclass(frozen=True, slots=True)
class Snapshot:
    community: str
    nodes: list[NodeInfo]
    links: list[LinkInfo]
    alerts: list[AlertInfo]
    gateways: Gateways | None
    allocations: list[AllocationInfo]


@dataclass(frozen=True, slots=True)
class Connection:
    """The connection changed: ``up``, or down with a one-line reason."""

    up: bool
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Who:
    """The token's role (``public`` without a token) and zones."""

    role: str
    name: str = ""
    zones: tuple[str, ...] = ()


Message = Snapshot | Connection | ServerEvent | Who


def load_snapshot(api: MeshClient) -> Snapshot:
    """Everything the screens show, from the service (raises :class:`ClientError`)."""
    community = api.community()
    nodes = api.all_nodes()
    links = api.all_links()
    alerts = api.alerts(limit=200)
    try:
        gateways: Gateways | None = api.gateways()
    except ApiError:
        gateways = None
    allocations = api.request("GET", f"{API}/addresses")
    return Snapshot(
        str(community.get("slug", "")),
        nodes,
        links,
        alerts,
        gateways,
        allocations if isinstance(allocations, list) else [],
    )


def whoami(api: MeshClient) -> Who:
    """The role of the client's token: its id is in the token (``mc_<id>_<secret>``) and
    a holder may read its own token."""
    token = api.token
    if not token:
        return Who("public")
    parts = token.split("_")
    if len(parts) < 3 or parts[0] != "mc":
        return Who("unknown")
    try:
        info = api.request("GET", f"{API}/tokens/{parts[1]}")
    except ClientError:
        return Who("unknown")
    if not isinstance(info, dict):
        return Who("unknown")
    zones = info.get("zones")
    return Who(
        str(info.get("role", "unknown")),
        str(info.get("name", "")),
        tuple(str(z) for z in zones) if isinstance(zones, list) else (),
    )


@dataclass
class Feed:
    """See the module docstring. ``idle_s``: reconnect after that long without a byte
    (the service sends a keepalive every 15 s)."""

    url: str
    token: str | None = None
    idle_s: float = 20.0
    out: queue.SimpleQueue[Message] = field(default_factory=queue.SimpleQueue)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="tui feed", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def reload(self) -> None:
        """Ask for a fresh snapshot (after a ``gap`` event, or by the user)."""
        self._reload.set()

    def __post_init__(self) -> None:
        self._reload = threading.Event()

    def drain(self, most: int = 5000) -> list[Message]:
        got: list[Message] = []
        while len(got) < most:
            try:
                got.append(self.out.get_nowait())
            except queue.Empty:
                break
        return got

    # ------------------------------------------------------------------ thread

    def _run(self) -> None:
        with MeshClient(self.url, self.token, timeout=5.0) as api:
            pause, was_up, told = 0.2, False, False
            last_id: str | None = None
            need_load = True
            while not self._stop.is_set():
                try:
                    if need_load:
                        snap = load_snapshot(api)
                        self.out.put(snap)
                        if not told:
                            self.out.put(whoami(api))
                            told = True
                        need_load = False
                    if not was_up:
                        self.out.put(Connection(True))
                        was_up, pause = True, 0.2
                    last_id = self._stream(api, last_id)
                    if self._reload.is_set():
                        self._reload.clear()
                        need_load = True
                        continue
                    if self._stop.is_set():
                        return
                    api.healthz()  # the stream ended: is the service still there?
                except Unauthorized as exc:
                    was_up, need_load = self._down(was_up, f"token refused: {exc.message}")
                    pause = 3.0
                except ClientError as exc:
                    was_up, need_load = self._down(was_up, str(exc))
                except (ValueError, TypeError, KeyError, AttributeError) as exc:  # bad data
                    was_up, need_load = self._down(was_up, f"unexpected answer: {exc}")
                if not was_up:
                    self._stop.wait(pause)
                    pause = min(3.0, pause * 2)

    def _down(self, was_up: bool, reason: str) -> tuple[bool, bool]:
        if was_up or reason:
            self.out.put(Connection(False, reason))
        return False, True

    def _stream(self, api: MeshClient, last_id: str | None) -> str | None:
        """Read events until the stream ends, an idle timeout, stop or a reload."""
        stop = _Either(self._stop, self._reload)
        try:
            for ev in api.events(
                last_event_id=last_id,
                stop=stop,  # type: ignore[arg-type]
                reconnect=False,
                idle_timeout=self.idle_s,
            ):
                if ev.id is not None:
                    last_id = ev.id
                self.out.put(ev)
                if ev.event == "gap":
                    self._reload.set()
                if stop.is_set():
                    break
        except ClientError as exc:
            if "idle" not in str(exc):
                raise
        return last_id


class _Either:
    """Looks like a :class:`threading.Event`, set when either of two is."""

    def __init__(self, a: threading.Event, b: threading.Event) -> None:
        self.a, self.b = a, b

    def is_set(self) -> bool:
        return self.a.is_set() or self.b.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self.a.wait(timeout) or self.b.is_set()

    def set(self) -> None:
        self.a.set()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.a, name)


class StaticFeed(Feed):
    """A feed without a service: :meth:`deliver` hands over a snapshot (benchmarks,
    offline views). Nothing streams; the connection shows as up once delivered."""

    def __init__(self, who: Who | None = None) -> None:
        super().__init__("static:")
        self.who = who or Who("public")

    def start(self) -> None:
        """Nothing to connect to."""

    def reload(self) -> None:
        """Nothing to reload from."""

    def deliver(self, snapshot: Snapshot) -> None:
        self.out.put(snapshot)
        self.out.put(self.who)
        self.out.put(Connection(True))
