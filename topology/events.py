"""Change events: what the service tells live clients (TUI, stream) and alert rules.

The bus is in-process and synchronous: ``publish`` calls each subscriber on the
publisher's thread, after the change was committed. Subscribers must be quick and must
not raise (a failing subscriber is dropped from that delivery, never the publisher's
problem); the HTTP event stream hands events to its asyncio loop from here.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

log = logging.getLogger(__name__)


class EventKind(StrEnum):
    NODE_CHANGED = "node.changed"
    NODE_REMOVED = "node.removed"
    NODE_REPORTED = "node.reported"  # a report accepted: {seq, dropped_reports}
    LINK_CHANGED = "link.changed"
    LINK_METRICS = "link.metrics"
    LINK_REMOVED = "link.removed"
    ZONE_CHANGED = "zone.changed"
    ADDRESS_ALLOCATED = "address.allocated"
    ADDRESS_RELEASED = "address.released"
    ALERT_RAISED = "alert.raised"
    ALERT_CLEARED = "alert.cleared"
    ALERT_ACKNOWLEDGED = "alert.acknowledged"
    NETWORK_IMPORTED = "network.imported"


@dataclass(frozen=True, slots=True)
class Event:
    seq: int  # increases by one per event of this bus: clients can spot gaps
    kind: EventKind
    subject: str  # the id of the node, link, zone, prefix or alert concerned
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)  # public fields only: never contacts


Subscriber = Callable[[Event], None]


class EventBus:
    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()
        self._seq = itertools.count(1)

    def subscribe(self, fn: Subscriber) -> Callable[[], None]:
        """Call ``fn`` for every event from now on; returns the unsubscribe function."""
        with self._lock:
            self._subscribers.append(fn)

        def unsubscribe() -> None:
            with self._lock:
                if fn in self._subscribers:
                    self._subscribers.remove(fn)

        return unsubscribe

    def publish(
        self, kind: EventKind, subject: str, at: datetime, data: dict[str, Any] | None = None
    ) -> Event:
        with self._lock:
            event = Event(next(self._seq), kind, subject, at, data or {})
            subscribers = list(self._subscribers)
        for fn in subscribers:
            try:
                fn(event)
            except Exception:  # a broken listener must not undo a committed change
                log.exception("event subscriber %r failed on %s", fn, event.kind)
        return event
