"""MeshClient.events(): Server-Sent Events from the real stream, replay, stop; the parser."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

from tests.client.conftest import HOME, Served
from topology.client import MeshClient, ServerEvent
from topology.client_models import parse_sse


def collect(
    api: MeshClient, stop: threading.Event, kinds: str, last_event_id: str | None = None
) -> tuple[list[ServerEvent], threading.Thread]:
    got: list[ServerEvent] = []

    def run() -> None:
        events = api.events(stop=stop, idle_timeout=0.3, kinds=kinds, last_event_id=last_event_id)
        got.extend(events)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return got, t


def wait_for(got: list[ServerEvent], kind: str, subject: str, timeout: float = 10) -> ServerEvent:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for ev in list(got):
            if ev.event == kind and ev.data.get("subject") == subject:
                return ev
        time.sleep(0.02)
    raise AssertionError(f"no {kind} event for {subject}; got {[e.event for e in got]}")


def test_events_live_then_replayed_after_reconnect(served: Served, admin: MeshClient) -> None:
    stop = threading.Event()
    with served.client() as public:
        got, thread = collect(public, stop, "node")
        time.sleep(0.3)  # connected
        admin.update_node(HOME, {"name": "Home on Exchange Street (events test)"})
        ev = wait_for(got, "node.changed", HOME)
        assert ev.id is not None and ev.data["data"]["name"].endswith("(events test)")
        assert "contact" not in ev.data["data"] and "owner" not in ev.data["data"]
        stop.set()
        thread.join(5)
        assert not thread.is_alive(), "events() did not stop"
    # A client that reconnects with the id it had before gets what it missed.
    before = str(int(ev.id) - 1)
    stop2 = threading.Event()
    with served.client() as public:
        replay, thread = collect(public, stop2, "node", last_event_id=before)
        first = wait_for(replay, "node.changed", HOME)
        assert first.id == ev.id
        stop2.set()
        thread.join(5)


def test_stop_ends_an_idle_stream_quickly(served: Served) -> None:
    stop = threading.Event()
    with served.client() as public:
        _, thread = collect(public, stop, "zone.changed")  # nothing will come
        time.sleep(0.5)
        t0 = time.monotonic()
        stop.set()
        thread.join(5)
        assert not thread.is_alive() and time.monotonic() - t0 < 2


def lines(text: str) -> Iterator[str]:
    yield from text.split("\n")


def test_parser_follows_the_sse_rules() -> None:
    text = (
        "retry: 3000\n: a comment\n\n"
        'id: 7\nevent: link.metrics\ndata: {"subject": "c:l1",\n'
        'data:  "cost": 1.5}\n\n'
        "data: not json\n\n"
        'event: gap\ndata: {"after": 3}\n\n'
    )
    items = list(parse_sse(lines(text)))
    assert items[0] == 3.0
    ev = items[1]
    assert isinstance(ev, ServerEvent)
    assert (ev.event, ev.id, ev.data) == ("link.metrics", "7", {"subject": "c:l1", "cost": 1.5})
    plain = items[2]
    assert isinstance(plain, ServerEvent) and plain.event == "message" and plain.data == {}
    assert plain.raw == "not json" and plain.id == "7"  # the last id carries over
    gap = items[3]
    assert isinstance(gap, ServerEvent) and gap.event == "gap" and gap.data == {"after": 3}
