"""What the demo's summary tells from the service: its event stream, read on a thread by
:class:`EventFeed` (``GET /api/v1/events``: which links changed, which alerts were raised
and cleared). The live view itself is the TUI."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from topology.client import ClientError, MeshClient
from topology.client_models import ServerEvent

# --------------------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class FeedItem:
    at: str  # local wall-clock time, HH:MM:SS
    kind: str
    subject: str
    text: str


def event_kind(ev: ServerEvent) -> str:
    return ev.event if ev.event != "message" else str(ev.data.get("kind", "message"))


def describe(ev: ServerEvent) -> FeedItem:
    """One line for an event: its kind, subject and the most telling fields."""
    kind = event_kind(ev)
    inner = ev.data.get("data")
    data: dict[str, object] = inner if isinstance(inner, dict) else ev.data
    if kind.startswith("alert.") and data.get("subject"):  # the node or link, not the alert
        what = f"{data.get('kind', 'alert')}: {data.get('message', '')}"
        return FeedItem(datetime.now().strftime("%H:%M:%S"), kind, str(data["subject"]), what)
    subject = str(ev.data.get("subject") or data.get("subject") or data.get("id") or "")
    bits = []
    for key in ("message", "status", "cost", "signal_dbm", "liveness", "prefix"):
        value = data.get(key)
        if value is not None and value != "":
            bits.append(f"{value}" if key == "message" else f"{key} {value}")
    return FeedItem(datetime.now().strftime("%H:%M:%S"), kind, subject, ", ".join(bits))


@dataclass
class EventFeed:
    """Reads ``GET /api/v1/events`` on a thread and keeps what the summary tells."""

    base_url: str
    token: str | None = None
    counts: Counter[str] = field(default_factory=Counter)
    links_changed: set[str] = field(default_factory=set)
    raised: list[FeedItem] = field(default_factory=list)
    cleared: list[FeedItem] = field(default_factory=list)
    error: str = ""
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="demo event feed", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        with MeshClient(self.base_url, self.token, timeout=5.0) as api:
            try:
                for ev in api.events(stop=self._stop, idle_timeout=0.5, retry_s=0.2):
                    self.add(ev)
            except ClientError as exc:
                self.error = str(exc)

    def add(self, ev: ServerEvent) -> None:
        item = describe(ev)
        with self._lock:
            self.counts[item.kind] += 1
            if item.kind.startswith("link.") and item.subject:
                self.links_changed.add(item.subject)
            if item.kind == "alert.raised":
                self.raised.append(item)
            elif item.kind == "alert.cleared":
                self.cleared.append(item)

    @property
    def total(self) -> int:
        return sum(self.counts.values())
