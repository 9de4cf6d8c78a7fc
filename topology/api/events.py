"""``GET /api/v1/events``: the network's events as a Server-Sent Events stream.

Each event is one SSE message::

    id: 42
    event: node.changed
    data: {"seq": 42, "kind": "node.changed", "subject": "c:n1", "at": "...", "data": {...}}

A comment line (``: keepalive``) goes out every ``heartbeat_s`` (15 s) so proxies keep
the connection open. A client that reconnects with ``Last-Event-ID`` (header, or the
``last_event_id`` query parameter) first gets the events it missed from a bounded
in-memory ring buffer; if they are no longer all there it gets an ``event: gap`` message
(``{"after": <its id>, "first_available": <seq>}``) and should reload what it shows.
``?kinds=alert,node.changed`` keeps only events whose kind equals or starts with one of
the given names (``alert`` matches ``alert.raised``, ...).

:class:`EventHub` bridges the thread-side :class:`~topology.events.EventBus` to the
asyncio world: the bus listener formats an event once, stores it in the ring and hands
it to each client's bounded :class:`asyncio.Queue` with ``loop.call_soon_threadsafe``. A
client too slow to keep up (queue full) gets ``event: overflow`` and is disconnected;
it resumes from its last id. Event data are public fields only; keys naming private
fields (contacts, owners, tokens) are removed again here all the same.

The app makes one hub in its lifespan (``app.state.event_hub``, ``hub.start()`` at
startup, ``hub.stop()`` at shutdown) and is served by :class:`StreamEndingServer`, which
ends the streams when the shutdown begins instead of waiting for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import threading
from collections import deque
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

import uvicorn
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from topology.api.deps import API_PREFIX
from topology.api.errors import ApiError
from topology.events import Event, EventBus

log = logging.getLogger(__name__)

PRIVATE_KEYS = frozenset(
    {"contact", "contacts", "owner", "email", "phone", "token", "tokens", "secret", "password"}
)
CLOSE = object()  # the hub stopped: end the stream
OVERFLOW = object()  # the client fell behind: tell it and end the stream


def public_data(value: Any) -> Any:
    """``value`` without any key naming a private field, at any depth."""
    if isinstance(value, dict):
        return {k: public_data(v) for k, v in value.items() if str(k).lower() not in PRIVATE_KEYS}
    if isinstance(value, list | tuple):
        return [public_data(v) for v in value]
    return value


def frame(event: str, data: Any, event_id: int | None = None) -> str:
    """One SSE message (the data JSON is a single line)."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    body = json.dumps(data, separators=(",", ":"), default=str, allow_nan=False)
    return f"{head}event: {event}\ndata: {body}\n\n"


def event_frame(e: Event) -> str:
    data = {
        "seq": e.seq,
        "kind": e.kind.value,
        "subject": e.subject,
        "at": e.at.isoformat(),
        "data": public_data(e.data),
    }
    return frame(e.kind.value, data, e.seq)


def _wanted(kinds: tuple[str, ...], kind: str) -> bool:
    return not kinds or any(kind == k or kind.startswith(k + ".") for k in kinds)


@dataclass(eq=False)
class Client:
    """One connected stream: its loop and its bounded queue (touched on the loop only)."""

    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[object]
    kinds: tuple[str, ...] = ()
    closed: bool = field(default=False)

    def offer(self, item: object) -> None:
        """Put ``item`` in the queue; on overflow, replace everything by OVERFLOW."""
        if self.closed:
            return
        if item is CLOSE:
            self.closed = True
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.closed = True
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(CLOSE if item is CLOSE else OVERFLOW)


class EventHub:
    """Fans the bus's events out to SSE clients, keeping the latest for replay.

    ``buffer_size``: events kept for ``Last-Event-ID`` replay; ``queue_size``: events a
    client may have waiting before it is dropped; ``heartbeat_s``: seconds between
    keepalive comments.
    """

    def __init__(
        self,
        bus: EventBus,
        *,
        buffer_size: int = 4096,
        queue_size: int = 1024,
        heartbeat_s: float = 15.0,
    ) -> None:
        self._bus = bus
        self.buffer_size = buffer_size
        self.queue_size = queue_size
        self.heartbeat_s = heartbeat_s
        # The events themselves: frames are made only when someone reads them, so that a
        # service with no stream client pays nothing per event (ingestion makes thousands).
        self._ring: deque[Event] = deque(maxlen=buffer_size)
        self._clients: set[Client] = set()
        self._lock = threading.Lock()
        self._last_seq = 0
        self._unsubscribe: Callable[[], None] | None = None
        self._running = False

    @property
    def clients(self) -> int:
        return len(self._clients)

    def start(self) -> None:
        with self._lock:
            self._running = True
        if self._unsubscribe is None:
            self._unsubscribe = self._bus.subscribe(self.on_event)

    def stop(self) -> None:
        """Unsubscribe and end every open stream."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        with self._lock:
            self._running = False
            clients, self._clients = list(self._clients), set()
        for c in clients:
            self._send(c, CLOSE)

    def on_event(self, event: Event) -> None:
        """The bus listener (any thread): keep, and format once for the clients that want it."""
        kind = event.kind.value
        with self._lock:
            self._ring.append(event)
            self._last_seq = max(self._last_seq, event.seq)
            clients = [c for c in self._clients if _wanted(c.kinds, kind)]
            if clients:
                text = event_frame(event)
                for c in clients:  # under the lock: connect() sees each event once
                    self._send(c, text)

    def _send(self, client: Client, item: object) -> None:
        try:
            client.loop.call_soon_threadsafe(client.offer, item)
        except RuntimeError:  # its loop is closed: the client is gone
            self._clients.discard(client)

    def connect(
        self, last_event_id: int | None, kinds: tuple[str, ...] = ()
    ) -> tuple[Client, list[str]]:
        """Register a client on the running loop; returns it and the frames to send first
        (a gap marker and/or the missed events after ``last_event_id``)."""
        client = Client(asyncio.get_running_loop(), asyncio.Queue(self.queue_size), kinds)
        first: list[str] = []
        with self._lock:
            if last_event_id is not None:
                first = self._replay(last_event_id, kinds)
            if self._running:
                self._clients.add(client)
            else:  # stopped (shutting down): the stream ends after the replay
                client.offer(CLOSE)
        return client, first

    def _replay(self, after: int, kinds: tuple[str, ...]) -> list[str]:
        oldest = self._ring[0].seq if self._ring else self._last_seq + 1
        out = []
        if after > self._last_seq or after < oldest - 1:  # unknown (a restart) or gone
            out.append(frame("gap", {"after": after, "first_available": oldest}))
            if after > self._last_seq:
                return out
        out.extend(
            event_frame(e) for e in self._ring if e.seq > after and _wanted(kinds, e.kind.value)
        )
        return out

    def disconnect(self, client: Client) -> None:
        with self._lock:
            self._clients.discard(client)

    async def stream(
        self, last_event_id: int | None = None, kinds: tuple[str, ...] = ()
    ) -> AsyncGenerator[str, None]:
        """The SSE text of one client, until it disconnects, overflows or the hub stops."""
        client, first = self.connect(last_event_id, kinds)
        try:
            yield f"retry: 3000\n: connected, {len(first)} to replay\n\n"
            for text in first:
                yield text
            while True:
                try:
                    item = await asyncio.wait_for(client.queue.get(), self.heartbeat_s)
                except TimeoutError:
                    yield ": keepalive\n\n"
                    continue
                if item is CLOSE:
                    return
                if item is OVERFLOW:
                    log.info(
                        "event stream client dropped: it fell %d events behind", self.queue_size
                    )
                    yield frame("overflow", {"queue_size": self.queue_size})
                    return
                assert isinstance(item, str)
                yield item
        finally:
            self.disconnect(client)


def stop_event_streams(app: object) -> None:
    """End the open streams of ``app``'s hub (if it has one), from the loop or any thread."""
    hub = getattr(getattr(app, "state", None), "event_hub", None)
    if isinstance(hub, EventHub):
        hub.stop()


class StreamEndingServer(uvicorn.Server):
    """A uvicorn server that ends the event streams as soon as its shutdown begins.

    Plain uvicorn waits for every open response before the app's lifespan shutdown, and
    an event stream never ends by itself: shutdown would wait ``timeout_graceful_shutdown``.
    Use it in place of ``uvicorn.Server`` with ``uvicorn.Config(app, ...)``, ``app`` being
    the FastAPI app whose ``state.event_hub`` is the hub.
    """

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        stop_event_streams(self.config.app)
        await super().shutdown(sockets)


# --------------------------------------------------------------------------- HTTP


_HUB_LOCK = threading.Lock()


def get_event_hub(request: Request) -> EventHub:
    """The app's hub: ``app.state.event_hub``, made in the lifespan; if the app did not
    make one, it is made now over the network's bus (replay then starts from here)."""
    state = request.app.state
    with _HUB_LOCK:
        hub = getattr(state, "event_hub", None)
        if not isinstance(hub, EventHub):
            network = getattr(state, "network", None)
            if network is None:
                raise ApiError(503, "the event stream is not running")
            hub = EventHub(network.events)
            hub.start()
            state.event_hub = hub
    return hub


router = APIRouter(prefix=API_PREFIX, tags=["events"])

SSE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Server-Sent Events: `id`, `event` (the kind) and `data` (JSON)",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
}


@router.get("/events", response_class=StreamingResponse, responses=SSE_RESPONSE)
async def events(
    request: Request,
    last_event_id_header: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    last_event_id: Annotated[int | None, Query(ge=0, description="as Last-Event-ID")] = None,
    kinds: Annotated[
        str | None, Query(max_length=500, description="comma-separated kinds or prefixes")
    ] = None,
) -> StreamingResponse:
    """Live node, link, address and alert changes as Server-Sent Events."""
    hub = get_event_hub(request)
    after = last_event_id
    if last_event_id_header is not None:  # a malformed one is ignored, as by browsers
        with contextlib.suppress(ValueError):
            parsed = int(last_event_id_header.strip())
            after = parsed if parsed >= 0 else after
    wanted = tuple(k.strip() for k in (kinds or "").split(",") if k.strip())
    return StreamingResponse(
        hub.stream(after, wanted),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
