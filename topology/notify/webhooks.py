"""Webhooks: POST alert events as JSON to the URLs a community configured.

Each alert event on ``network.events`` (``alert.raised``, ``alert.cleared``,
``alert.acknowledged``) becomes one POST to every configured URL::

    {"event": "alert.raised", "seq": 42, "at": "2026-11-27T14:00:00+00:00",
     "alert": {"id": 7, "kind": "node.down", "subject": "c:n1", ...}}

Delivery never blocks the publisher: the event listener only puts the payload into one
bounded queue per URL (full: the payload is dropped for that URL and a warning logged).
One thread per URL delivers in order, with a timeout per attempt, retrying transport
errors, 5xx, 408 and 429 with exponential backoff (``backoff_s``, doubled each time, at
most ``backoff_max_s``) up to ``max_tries`` attempts; other answers are final. Failures
are logged, never raised. With a ``secret`` each POST carries
``X-Meshcommons-Signature: sha256=<hex HMAC-SHA256 of the body>``.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import queue
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from topology.alerts.config import ConfigError, checked_fields
from topology.events import Event, EventBus, EventKind

log = logging.getLogger(__name__)

ALERT_EVENTS: tuple[str, ...] = (
    EventKind.ALERT_RAISED.value,
    EventKind.ALERT_CLEARED.value,
    EventKind.ALERT_ACKNOWLEDGED.value,
)
SIGNATURE_HEADER = "X-Meshcommons-Signature"
RETRY_STATUSES = frozenset({408, 429})


@dataclass(frozen=True, slots=True)
class WebhookConfig:
    """The ``webhooks`` section of the service config (keys are the field names)."""

    #: Where to POST; none = webhooks off.
    urls: tuple[str, ...] = ()
    #: Which events to send (default: every alert event).
    events: tuple[str, ...] = ALERT_EVENTS
    #: Seconds for each attempt (connect, send and answer).
    timeout_s: float = 5.0
    #: Attempts per event and URL, the first included.
    max_tries: int = 5
    #: Wait before the first retry; doubled after each failed retry (1, 2, 4, 8 ... s).
    backoff_s: float = 1.0
    #: The longest wait between two attempts.
    backoff_max_s: float = 60.0
    #: Events waiting per URL; beyond it new events are dropped for that URL (logged).
    queue_size: int = 1000
    #: Shared secret for the HMAC signature header; empty = unsigned.
    secret: str = ""

    def __post_init__(self) -> None:
        for url in self.urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ConfigError(f"webhooks.urls: {url!r} is not an http(s) URL")
        for name in ("timeout_s", "max_tries", "queue_size"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"webhooks.{name} must be positive, not {getattr(self, name)}")
        if self.backoff_s < 0 or self.backoff_max_s < 0:
            raise ConfigError("webhooks.backoff_s and backoff_max_s must not be negative")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> WebhookConfig:
        """The config from the ``webhooks`` section of the service config (None: off)."""
        return cls(**checked_fields(cls, data or {}, "webhooks"))


def payload(event: Event) -> dict[str, Any]:
    """The JSON body for an alert event."""
    return {
        "event": event.kind.value,
        "seq": event.seq,
        "at": event.at.isoformat(),
        "alert": event.data,
    }


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Delivery:
    """The outcome of one event to one URL (for logs and tests)."""

    url: str
    event: str
    ok: bool
    tries: int
    status: int | None  # the last HTTP status, None if no answer
    error: str = ""


class _Sender:
    """The queue and thread of one URL."""

    def __init__(self, notifier: WebhookNotifier, url: str) -> None:
        self.url = url
        self.queue: queue.Queue[bytes | None] = queue.Queue(notifier.config.queue_size)
        self.dropped = 0
        self.thread = threading.Thread(
            target=notifier._deliver_loop, args=(self,), name=f"webhook {url}", daemon=True
        )


class WebhookNotifier:
    """Sends alert events to webhooks; ``start(bus)`` subscribes, ``stop()`` ends it."""

    def __init__(
        self,
        config: WebhookConfig,
        *,
        on_delivery: Callable[[Delivery], None] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.config = config
        self._on_delivery = on_delivery
        self._stopping = threading.Event()
        self._senders = [_Sender(self, url) for url in config.urls]
        self._client = httpx.Client(
            timeout=config.timeout_s,
            transport=transport,
            headers={"User-Agent": "meshcommons-webhooks"},
            follow_redirects=False,
        )
        self._unsubscribe: Callable[[], None] | None = None
        self._events = frozenset(config.events)

    @property
    def dropped(self) -> int:
        """Events dropped because a URL's queue was full (all URLs)."""
        return sum(s.dropped for s in self._senders)

    def start(self, bus: EventBus) -> None:
        if self._unsubscribe is not None or not self._senders:
            return
        for s in self._senders:
            s.thread.start()
        self._unsubscribe = bus.subscribe(self.on_event)

    def stop(self, timeout: float = 5.0) -> None:
        """Unsubscribe, stop retrying, let the threads end; undelivered events are dropped."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._stopping.set()
        for s in self._senders:
            if s.thread.is_alive():
                with contextlib.suppress(queue.Full):  # full: it sees _stopping soon
                    s.queue.put_nowait(None)
                s.thread.join(timeout)
        self._client.close()

    def on_event(self, event: Event) -> None:
        """The bus listener: serialise once and enqueue; never blocks, never raises."""
        if event.kind.value not in self._events:
            return
        body = json.dumps(payload(event), separators=(",", ":"), default=str).encode()
        for s in self._senders:
            try:
                s.queue.put_nowait(body)
            except queue.Full:
                s.dropped += 1
                log.warning(
                    "webhook %s: queue full (%d waiting), dropped %s #%d",
                    s.url,
                    self.config.queue_size,
                    event.kind.value,
                    event.seq,
                )

    # ------------------------------------------------------------------ delivery

    def _deliver_loop(self, sender: _Sender) -> None:
        while not self._stopping.is_set():
            body = sender.queue.get()
            if body is None:
                return
            try:
                result = self.deliver(sender.url, body)
            except Exception as e:  # never let a thread die
                log.exception("webhook %s: delivery failed", sender.url)
                result = Delivery(sender.url, "", False, 0, None, repr(e))
            if self._on_delivery is not None:
                try:
                    self._on_delivery(result)
                except Exception:
                    log.exception("webhook delivery callback failed")

    def deliver(self, url: str, body: bytes) -> Delivery:
        """POST ``body`` to ``url`` with retries (blocking: used by the sender thread)."""
        cfg = self.config
        headers = {"Content-Type": "application/json"}
        if cfg.secret:
            headers[SIGNATURE_HEADER] = signature(cfg.secret, body)
        event = str(json.loads(body).get("event", ""))
        wait = cfg.backoff_s
        status: int | None = None
        error = ""
        for attempt in range(1, cfg.max_tries + 1):
            try:
                response = self._client.post(url, content=body, headers=headers)
                status = response.status_code
                error = "" if response.is_success else f"HTTP {status}"
                if response.is_success:
                    return Delivery(url, event, True, attempt, status)
                if status < 500 and status not in RETRY_STATUSES:
                    break  # the receiver refuses it: retrying will not help
            except httpx.HTTPError as e:
                status, error = None, f"{type(e).__name__}: {e}"
            if attempt == cfg.max_tries or self._stopping.wait(wait):
                break
            log.info("webhook %s: attempt %d failed (%s), retrying", url, attempt, error)
            wait = min(wait * 2, cfg.backoff_max_s)
        log.warning("webhook %s: giving up on %s after %d tries: %s", url, event, attempt, error)
        return Delivery(url, event, False, attempt, status, error)
