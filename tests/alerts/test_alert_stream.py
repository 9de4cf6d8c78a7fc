"""The event stream and the alerts API, against a real uvicorn server on loopback."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

import httpx
import pytest
from alert_helpers import T0, Message, SSEReader
from fastapi import Request

from topology.api.errors import ApiError
from topology.api.events import EventHub, event_frame, get_event_hub, public_data
from topology.auth import AccessRole
from topology.events import Event, EventBus, EventKind
from topology.model import Contact, LinkMetrics, Status
from topology.network import CommunityNetwork

if TYPE_CHECKING:
    from conftest import LiveServer  # tests/alerts/conftest.py


def _is(kind: str, subject: str | None = None) -> object:
    def match(m: Message) -> bool:
        if m.event != kind:
            return False
        return subject is None or subject in (m.data["subject"], m.data["data"].get("subject"))

    return match


class TestStream:
    def test_a_change_arrives_within_two_seconds(self, live: LiveServer) -> None:
        with SSEReader(f"{live.url}/api/v1/events") as sse:
            assert sse.status == 200
            started = time.monotonic()
            live.network.set_node_status("c:b", Status.TESTING)
            m = sse.wait_for(_is("node.changed", "c:b"), timeout=2.0)  # type: ignore[arg-type]
            assert time.monotonic() - started < 2.0
        assert m.id == m.data["seq"] and m.data["kind"] == "node.changed"
        assert m.data["data"]["status"] == "Testing"

    def test_heartbeats(self, live: LiveServer) -> None:
        with SSEReader(f"{live.url}/api/v1/events") as sse:
            for _ in range(3):  # every 0.3 s here (15 s by default)
                sse.wait_for(lambda m: m.comment == "keepalive", timeout=1.5)

    def test_last_event_id_replays_what_was_missed(self, live: LiveServer) -> None:
        seqs = []
        with SSEReader(f"{live.url}/api/v1/events") as sse:
            for status in (Status.TESTING, Status.BUILDING, Status.WORKING):
                live.network.set_node_status("c:a", status)
                seqs.append(sse.wait_for(_is("node.changed", "c:a")).id)  # type: ignore[arg-type]
        headers = {"Last-Event-ID": str(seqs[0])}
        with SSEReader(f"{live.url}/api/v1/events", headers) as again:
            replayed = again.events(0.5)
        assert [m.id for m in replayed] == seqs[1:]
        assert [m.data["data"]["status"] for m in replayed] == ["Building", "Working"]
        with SSEReader(f"{live.url}/api/v1/events?last_event_id={seqs[1]}") as query:
            assert [m.id for m in query.events(0.5)] == seqs[2:]

    def test_an_unknown_last_event_id_gets_a_gap(self, live: LiveServer) -> None:
        with SSEReader(f"{live.url}/api/v1/events", {"Last-Event-ID": "999999"}) as sse:
            gap = sse.wait_for(lambda m: m.event == "gap")
        assert gap.id is None and gap.data["after"] == 999999

    def test_kinds_filter(self, live: LiveServer) -> None:
        with SSEReader(f"{live.url}/api/v1/events?kinds=link,zone.changed") as sse:
            live.network.set_node_status("c:b", Status.TESTING)
            live.network.update_link_metrics("c:a-b", LinkMetrics(cost=1.5))
            got = sse.wait_for(lambda m: m.event is not None)
        assert (got.event, got.data["subject"]) == ("link.metrics", "c:a-b")

    def test_contacts_never_leave(self, live: LiveServer) -> None:
        with SSEReader(f"{live.url}/api/v1/events") as sse:
            node = live.network.graph.node("c:a")
            contact = Contact("Ada", "ada@example.org", "555")
            live.network.put_node(replace(node, contact=contact, owner="ada"))
            m = sse.wait_for(_is("node.changed", "c:a"))  # type: ignore[arg-type]
        text = str(m.data)
        assert "ada@example.org" not in text and "Ada" not in text and "owner" not in text


class TestAlertFlow:
    def test_raise_ack_clear(self, live: LiveServer) -> None:
        url = f"{live.url}/api/v1"
        with SSEReader(f"{url}/events?kinds=alert") as sse, httpx.Client(timeout=5) as http:
            live.network.update_link_metrics("c:gw-a", LinkMetrics(cost=42.0))
            raised = sse.wait_for(lambda m: m.event == "alert.raised" and
                                  m.data["data"]["subject"] == "c:gw-a")  # fmt: skip
            alert = raised.data["data"]
            assert (alert["kind"], alert["zone"], alert["active"]) == (
                "link.degraded",
                "north",
                True,
            )
            assert "acknowledged_by" not in alert
            listed = http.get(f"{url}/alerts", params={"active": "true"}).json()
            assert alert["id"] in [a["id"] for a in listed["items"]]
            assert listed["total"] >= 1 and listed["limit"] == 1000

            ack = f"{url}/alerts/{alert['id']}/ack"
            assert http.post(ack).status_code == 401
            south = live.token(AccessRole.STEWARD, "sam", ("south",))
            refused = http.post(ack, headers=south)
            assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
            volunteer = live.token(AccessRole.VOLUNTEER, "val")
            assert http.post(ack, headers=volunteer).status_code == 403
            north = live.token(AccessRole.STEWARD, "nora", ("north",))
            done = http.post(ack, headers=north)
            assert done.status_code == 200, done.text
            assert done.json()["acknowledged_by"] == "nora" and done.json()["active"]
            acked = sse.wait_for(lambda m: m.event == "alert.acknowledged")
            assert acked.data["data"]["id"] == alert["id"]
            assert acked.data["data"]["acknowledged_at"] is not None

            live.network.update_link_metrics("c:gw-a", LinkMetrics(cost=1.0))
            cleared = sse.wait_for(lambda m: m.event == "alert.cleared")
            assert cleared.data["data"]["id"] == alert["id"]

            one = http.get(f"{url}/alerts/{alert['id']}").json()  # public: no name
            assert not one["active"] and one["acknowledged_at"] and "acknowledged_by" not in one
            history = http.get(f"{url}/alerts", params={"active": "false"}, headers=north).json()
            (mine,) = [a for a in history["items"] if a["id"] == alert["id"]]
            assert mine["acknowledged_by"] == "nora" and mine["cleared_at"]

    def test_errors(self, live: LiveServer) -> None:
        admin = live.token(AccessRole.ADMIN, "root")
        with httpx.Client(base_url=f"{live.url}/api/v1", timeout=5) as http:
            missing = http.post("/alerts/4242/ack", headers=admin)
            assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
            assert http.get("/alerts/0").status_code == 422
            assert http.get("/alerts", params={"active": "maybe"}).status_code == 422
            assert http.get("/alerts", params={"kind": "node.down"}).json()["items"] == []


class TestHub:
    """The hub on its own: replay limits, slow clients, stopping."""

    @staticmethod
    def _event(bus: EventBus, i: int) -> Event:
        return bus.publish(EventKind.NODE_CHANGED, f"c:n{i}", datetime(2026, 1, 1, tzinfo=UTC))

    def test_a_slow_client_is_dropped_not_buffered(self) -> None:
        bus = EventBus()
        hub = EventHub(bus, queue_size=3, heartbeat_s=5)
        hub.start()

        async def scenario() -> list[str]:
            stream = hub.stream()
            out = [await anext(stream)]  # connected
            for i in range(10):  # the client reads nothing meanwhile
                self._event(bus, i)
            await asyncio.sleep(0.05)  # let call_soon_threadsafe deliver
            out.extend([chunk async for chunk in stream])
            return out

        chunks = asyncio.run(scenario())
        assert chunks[-1].startswith("event: overflow")
        assert len(chunks) == 2 and hub.clients == 0

    def test_replay_beyond_the_buffer_says_gap(self) -> None:
        bus = EventBus()
        hub = EventHub(bus, buffer_size=5, heartbeat_s=5)
        hub.start()
        for i in range(12):
            self._event(bus, i)

        async def first_chunks() -> list[str]:
            stream = hub.stream(last_event_id=2)
            chunks = [await anext(stream) for _ in range(7)]
            await stream.aclose()
            return chunks

        chunks = asyncio.run(first_chunks())
        assert chunks[1].startswith("event: gap") and '"first_available":8' in chunks[1]
        assert [c.split("\n")[0] for c in chunks[2:]] == [f"id: {i}" for i in range(8, 13)]
        assert hub.clients == 0

    def test_stop_ends_every_stream(self) -> None:
        hub = EventHub(EventBus(), heartbeat_s=5)
        hub.start()

        async def scenario() -> int:
            stream = hub.stream()
            await anext(stream)
            asyncio.get_running_loop().call_later(0.05, hub.stop)
            return len([c async for c in stream])

        assert asyncio.run(scenario()) == 0

        async def after_stop() -> list[str]:
            return [c async for c in hub.stream()]

        assert len(asyncio.run(after_stop())) == 1  # "connected", then the end

    def test_private_keys_are_removed_at_any_depth(self) -> None:
        data = {"name": "A", "contact": {"email": "x"}, "nested": [{"owner": "o", "ok": 1}]}
        assert public_data(data) == {"name": "A", "nested": [{"ok": 1}]}
        e = Event(7, EventKind.NODE_CHANGED, "c:a", T0, data)
        assert event_frame(e) == (
            "id: 7\nevent: node.changed\n"
            'data: {"seq":7,"kind":"node.changed","subject":"c:a",'
            '"at":"2026-11-27T12:00:00+00:00","data":{"name":"A","nested":[{"ok":1}]}}\n\n'
        )


@pytest.mark.parametrize("header", ["abc", "-5"])
def test_a_bad_last_event_id_is_ignored(live: LiveServer, header: str) -> None:
    with SSEReader(f"{live.url}/api/v1/events", {"Last-Event-ID": header}) as sse:
        live.network.set_node_status("c:b", Status.TESTING)
        assert sse.wait_for(lambda m: m.event is not None).event == "node.changed"


def test_shutdown_does_not_wait_for_open_streams(live: LiveServer) -> None:
    with SSEReader(f"{live.url}/api/v1/events") as sse:
        started = time.monotonic()
        live.server.should_exit = True
        assert sse.ended.wait(3.0)  # the server closed the stream
        assert time.monotonic() - started < 2.0  # not timeout_graceful_shutdown (5 s)


def test_an_app_without_a_hub_gets_one_on_first_use(net: CommunityNetwork) -> None:
    state = SimpleNamespace(network=net)
    request = cast(Request, SimpleNamespace(app=SimpleNamespace(state=state)))
    hub = get_event_hub(request)
    assert state.event_hub is hub and get_event_hub(request) is hub
    net.set_node_status("c:a", Status.TESTING)
    assert [e.kind.value for e in hub._ring] == ["node.changed"]  # subscribed, kept for replay
    hub.stop()
    with pytest.raises(ApiError):
        get_event_hub(cast(Request, SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace()))))
