"""Helpers of the alert tests: a tiny network, a hand-moved clock, fake telemetry."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from topology.events import Event
from topology.model import (
    Allocation,
    Community,
    Device,
    HolderKind,
    Interface,
    Link,
    LinkType,
    NetworkModel,
    Node,
    Position,
    Purpose,
    Status,
    Zone,
)

T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Telemetry:
    """Stands in for the ingestion: satisfies NodeReports, LinkLiveness and LinkLoss."""

    reports: dict[str, datetime] = field(default_factory=dict)
    liveness: dict[str, str] = field(default_factory=dict)
    loss: dict[str, float] = field(default_factory=dict)

    def last_report_times(self) -> dict[str, datetime]:
        return dict(self.reports)

    def links_not_fresh(self) -> dict[str, str]:
        return dict(self.liveness)

    def link_losses(self) -> dict[str, float]:
        return dict(self.loss)


class Recorder:
    """Collects the events of a bus."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def kinds(self, prefix: str = "alert.") -> list[tuple[str, str]]:
        """(kind, alert kind or subject) of the recorded events starting with ``prefix``."""
        return [
            (e.kind.value, str(e.data.get("kind", e.subject)))
            for e in self.events
            if e.kind.value.startswith(prefix)
        ]


def make_node(
    local: str,
    *,
    gateway: bool = False,
    status: Status = Status.WORKING,
    zone: str = "north",
    addresses: tuple[str, ...] = (),
) -> Node:
    ifaces = tuple(Interface(f"eth{i}", ipv4=a) for i, a in enumerate(addresses))
    devices = (Device("router", "Router", interfaces=ifaces),) if ifaces else ()
    return Node(
        f"c:{local}",
        local.upper(),
        zone,
        Position(44.4, -71.2),
        status,
        gateway=gateway,
        devices=devices,
    )


def tiny_model() -> NetworkModel:
    """gw - a - b (wds, Working) in zone north; island alone; c in zone south (child of
    north) hangs off b. gw holds 10.0.0.0/27 and uses 10.0.0.1; link a-b holds a /30."""
    nodes = (
        make_node("gw", gateway=True, addresses=("10.0.0.1/27",)),
        make_node("a", addresses=("172.16.0.1/30",)),
        make_node("b", addresses=("172.16.0.2/30",)),
        make_node("island"),
        make_node("c", zone="south"),
    )
    links = (
        Link("c:gw-a", "c:gw", "c:a", LinkType.WDS, Status.WORKING),
        Link("c:a-b", "c:a", "c:b", LinkType.WDS, Status.WORKING),
        Link("c:b-c", "c:b", "c:c", LinkType.WDS, Status.WORKING),
    )
    allocations = (
        Allocation("10.0.0.0/27", Purpose.LAN, HolderKind.NODE, "c:gw"),
        Allocation("172.16.0.0/30", Purpose.BACKBONE, HolderKind.LINK, "c:a-b"),
    )
    zones = (Zone("north", "North"), Zone("south", "South", parent_id="north"))
    return NetworkModel(Community("c", "C"), zones=zones, nodes=nodes, links=links,
                        allocations=allocations)  # fmt: skip


@dataclass(frozen=True)
class Message:
    """One Server-Sent Events message, or one comment line."""

    event: str | None = None
    id: int | None = None
    data: Any = None
    comment: str | None = None


class SSEReader:
    """Reads an SSE stream in a thread with httpx; the test takes messages as they come.

    The server's heartbeats wake the thread regularly, so ``close`` ends it promptly.
    """

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.headers = headers or {}
        self.messages: queue.Queue[Message] = queue.Queue()
        self.status: int | None = None
        self.ended = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)

    def __enter__(self) -> SSEReader:
        self._thread.start()
        self.wait_for(lambda m: m.comment is not None and m.comment.startswith("connected"))
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _read(self) -> None:
        try:
            with (
                httpx.Client(timeout=httpx.Timeout(10.0)) as client,
                client.stream("GET", self.url, headers=self.headers) as response,
            ):
                self.status = response.status_code
                fields: dict[str, str] = {}
                for line in response.iter_lines():
                    if self._stop.is_set():
                        return
                    if line.startswith(":"):
                        self.messages.put(Message(comment=line[1:].strip()))
                    elif line == "":
                        if "event" in fields or "data" in fields:
                            self.messages.put(
                                Message(
                                    fields.get("event"),
                                    int(fields["id"]) if "id" in fields else None,
                                    json.loads(fields["data"]) if "data" in fields else None,
                                )
                            )
                        fields = {}
                    else:
                        name, _, value = line.partition(":")
                        fields[name] = value.removeprefix(" ")
        finally:
            self.ended.set()

    def wait_for(self, match: Callable[[Message], bool], timeout: float = 3.0) -> Message:
        """The next message matching ``match`` (others are skipped); fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no matching SSE message within {timeout} s")
            try:
                m = self.messages.get(timeout=left)
            except queue.Empty:
                continue
            if match(m):
                return m

    def events(self, timeout: float) -> list[Message]:
        """Every event message (not comments) arriving within ``timeout``."""
        found = []
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                m = self.messages.get(timeout=left)
            except queue.Empty:
                break
            if m.event is not None:
                found.append(m)
        return found
