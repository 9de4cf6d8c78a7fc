"""Webhooks against a real HTTP server on loopback: delivery, retries, backoff, limits."""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from alert_helpers import T0

from topology.alerts import AlertConfig, ConfigError
from topology.alerts.engine import AlertEngine
from topology.events import EventBus, EventKind
from topology.model import LinkMetrics
from topology.network import CommunityNetwork
from topology.notify import Delivery, WebhookConfig, WebhookNotifier

ALERT = {"id": 7, "kind": "node.down", "subject": "c:a", "severity": "warning"}


class Receiver:
    """A tiny webhook receiver: answers ``plan`` statuses in turn (then 200)."""

    def __init__(self, plan: list[int] | None = None, delay_s: float = 0.0) -> None:
        self.plan = list(plan or [])
        self.delay_s = delay_s
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.times: list[float] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                receiver.times.append(time.monotonic())
                if receiver.delay_s:
                    time.sleep(receiver.delay_s)
                status = receiver.plan.pop(0) if receiver.plan else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.requests]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


class Harness:
    """A bus, a notifier on it, and the deliveries it reports."""

    def __init__(self, **config: Any) -> None:
        self.bus = EventBus()
        self.results: queue.Queue[Delivery] = queue.Queue()
        defaults: dict[str, Any] = {"backoff_s": 0.05, "timeout_s": 2.0, "max_tries": 4}
        self.notifier = WebhookNotifier(
            WebhookConfig(**(defaults | config)), on_delivery=self.results.put
        )
        self.notifier.start(self.bus)

    def publish(self, kind: EventKind = EventKind.ALERT_RAISED) -> None:
        self.bus.publish(kind, "7", T0, ALERT)

    def next_result(self, timeout: float = 5.0) -> Delivery:
        return self.results.get(timeout=timeout)


@pytest.fixture
def harness() -> Iterator[list[Harness]]:
    made: list[Harness] = []
    yield made
    for h in made:
        h.notifier.stop()


def _make(made: list[Harness], **config: Any) -> Harness:
    h = Harness(**config)
    made.append(h)
    return h


def test_posts_the_alert_event(receiver: Receiver, harness: list[Harness]) -> None:
    h = _make(harness, urls=(receiver.url,), secret="s3cret")
    h.publish()
    result = h.next_result()
    assert result.ok and result.tries == 1 and result.status == 200
    (body,) = receiver.bodies()
    assert body == {"event": "alert.raised", "seq": 1, "at": T0.isoformat(), "alert": ALERT}
    headers, raw = receiver.requests[0]
    assert headers["Content-Type"] == "application/json"
    expected = hmac.new(b"s3cret", raw, hashlib.sha256).hexdigest()
    assert headers["X-Meshcommons-Signature"] == f"sha256={expected}"


def test_retries_with_backoff_until_it_works(receiver: Receiver, harness: list[Harness]) -> None:
    receiver.plan = [500, 503]
    h = _make(harness, urls=(receiver.url,), backoff_s=0.1)
    h.publish()
    result = h.next_result()
    assert result.ok and result.tries == 3
    gaps = [b - a for a, b in zip(receiver.times, receiver.times[1:], strict=False)]
    assert gaps[0] >= 0.09 and gaps[1] >= 0.19  # 0.1 s, then doubled
    assert len(receiver.bodies()) == 3 and receiver.bodies()[0] == receiver.bodies()[2]


def test_gives_up_after_max_tries(receiver: Receiver, harness: list[Harness]) -> None:
    receiver.plan = [500] * 10
    h = _make(harness, urls=(receiver.url,), max_tries=3)
    h.publish()
    result = h.next_result()
    assert not result.ok and result.tries == 3 and result.error == "HTTP 500"
    assert len(receiver.requests) == 3


def test_refusal_and_throttling(receiver: Receiver, harness: list[Harness]) -> None:
    receiver.plan = [400, 429]
    h = _make(harness, urls=(receiver.url,))
    h.publish()
    first = h.next_result()
    assert not first.ok and first.tries == 1 and first.status == 400
    h.publish()
    second = h.next_result()
    assert second.ok and second.tries == 2  # 429 is retried


def test_unreachable_and_slow_receivers_time_out(
    receiver: Receiver, harness: list[Harness]
) -> None:
    receiver.delay_s = 0.5
    closed = Receiver()  # never started: its port refuses connections once closed
    closed.server.server_close()
    h = _make(harness, urls=(receiver.url, closed.url), timeout_s=0.2, max_tries=2)
    started = time.monotonic()
    h.publish()
    results = {r.url: r for r in (h.next_result(), h.next_result())}
    assert not results[receiver.url].ok and "Timeout" in results[receiver.url].error
    assert not results[closed.url].ok and "ConnectError" in results[closed.url].error
    assert time.monotonic() - started < 3


def test_never_blocks_the_publisher(receiver: Receiver, harness: list[Harness]) -> None:
    receiver.delay_s = 0.3
    h = _make(harness, urls=(receiver.url,), queue_size=2)
    started = time.monotonic()
    for _ in range(200):
        h.publish()
    assert time.monotonic() - started < 0.5
    assert h.notifier.dropped >= 190


def test_only_alert_events(receiver: Receiver, harness: list[Harness]) -> None:
    h = _make(harness, urls=(receiver.url,), events=("alert.cleared",))
    h.publish(EventKind.NODE_CHANGED)
    h.publish(EventKind.ALERT_RAISED)
    h.publish(EventKind.ALERT_CLEARED)
    assert h.next_result().event == "alert.cleared"
    with pytest.raises(queue.Empty):
        h.next_result(timeout=0.3)


def test_stop_is_prompt_even_while_retrying(receiver: Receiver) -> None:
    receiver.plan = [500] * 10
    h = Harness(urls=(receiver.url,), backoff_s=30.0)
    h.publish()
    while not receiver.requests:
        time.sleep(0.01)
    started = time.monotonic()
    h.notifier.stop()
    assert time.monotonic() - started < 2


def test_config() -> None:
    cfg = WebhookConfig.from_mapping({"urls": ["https://example.org/hook"], "max_tries": 3})
    assert cfg.urls == ("https://example.org/hook",) and cfg.max_tries == 3
    assert WebhookConfig.from_mapping(None).urls == ()
    with pytest.raises(ConfigError, match="not an http"):
        WebhookConfig.from_mapping({"urls": ["ftp://x"]})
    with pytest.raises(ConfigError, match="unknown setting 'url'"):
        WebhookConfig.from_mapping({"url": "http://x"})


def test_end_to_end_with_the_engine(receiver: Receiver, net: CommunityNetwork) -> None:
    notifier = WebhookNotifier(WebhookConfig(urls=(receiver.url,), backoff_s=0.05))
    notifier.start(net.events)
    engine = AlertEngine(net, AlertConfig(rules=("link.degraded",), debounce_s=0.05))
    engine.start()
    try:
        net.update_link_metrics("c:a-b", LinkMetrics(signal_dbm=-90.0))
        deadline = time.monotonic() + 5
        while not receiver.requests and time.monotonic() < deadline:
            time.sleep(0.02)
        (body,) = receiver.bodies()
        assert body["event"] == "alert.raised"
        assert body["alert"]["kind"] == "link.degraded" and body["alert"]["subject"] == "c:a-b"
    finally:
        engine.stop()
        notifier.stop()
