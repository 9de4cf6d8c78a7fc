"""The alert engine over a real CommunityNetwork and store: raise, dedupe, clear, ack."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from alert_helpers import Clock, Recorder, Telemetry, make_node

import topology.alerts.engine as engine_module
from topology.alerts import AlertConfig
from topology.alerts.engine import AlertEngine
from topology.graph import LiveGraph
from topology.model import LinkMetrics, Status
from topology.network import CommunityNetwork
from topology.routing import GatewayAssignment, nearest_gateways
from topology.store import NotFound, open_store
from topology.store import alerts as db

EngineFactory = Callable[..., AlertEngine]


@pytest.fixture
def recorder(net: CommunityNetwork) -> Recorder:
    rec = Recorder()
    net.events.subscribe(rec)
    return rec


@pytest.fixture
def make_engine(
    net: CommunityNetwork, clock: Clock, telemetry: Telemetry
) -> Iterator[EngineFactory]:
    started: list[AlertEngine] = []

    def make(background: bool = False, **config: object) -> AlertEngine:
        cfg = AlertConfig(**config)  # type: ignore[arg-type]
        e = AlertEngine(
            net, cfg, reports=telemetry, liveness=telemetry, loss=telemetry, clock=clock
        )
        e.start(background=background)
        started.append(e)
        return e

    yield make
    for e in started:
        e.stop()


def _active(engine: AlertEngine) -> set[tuple[str, str]]:
    return {(a.kind.value, a.subject) for a in engine.active_alerts()}


def test_startup_finds_the_island(make_engine: EngineFactory, recorder: Recorder) -> None:
    engine = make_engine()
    engine.evaluate()
    assert _active(engine) == {("gateway.lost", "c:island")}  # Working, never had a gateway
    assert recorder.kinds() == [("alert.raised", "gateway.lost")]
    raised = recorder.events[-1]
    assert raised.subject == str(raised.data["id"]) and raised.data["zone"] == "north"


def test_degraded_link_raised_once_then_cleared(
    net: CommunityNetwork, make_engine: EngineFactory, recorder: Recorder, telemetry: Telemetry
) -> None:
    engine = make_engine(rules=("link.degraded",))
    engine.evaluate()
    for cost in (12.0, 15.0, 11.0):  # the same cause, three times: one alert
        net.update_link_metrics("c:a-b", LinkMetrics(cost=cost))
        engine.evaluate()
    assert _active(engine) == {("link.degraded", "c:a-b")}
    (alert,) = engine.active_alerts()
    assert "cost 12 > 10" in alert.message
    telemetry.loss["c:a-b"] = 0.5  # another reason keeps the same alert
    net.update_link_metrics("c:a-b", LinkMetrics(cost=2.0))
    engine.evaluate()
    assert engine.active_alerts() == [alert]
    telemetry.loss.clear()
    net.update_link_metrics("c:a-b", LinkMetrics(cost=2.0, signal_dbm=-60.0))
    engine.evaluate()
    assert engine.active_alerts() == []
    assert recorder.kinds() == [
        ("alert.raised", "link.degraded"),
        ("alert.cleared", "link.degraded"),
    ]
    (stored,) = db.list_alerts(net.store)[0]
    assert stored.id == alert.id and stored.cleared_at is not None


def test_node_down_needs_time_to_pass(
    make_engine: EngineFactory, telemetry: Telemetry, clock: Clock, recorder: Recorder
) -> None:
    engine = make_engine(rules=("node.down",))
    telemetry.reports.update({"c:a": clock.now, "c:b": clock.now})
    engine.evaluate()
    clock.advance(170)
    telemetry.reports["c:b"] = clock.now
    engine.evaluate(full=True)  # the periodic sweep
    assert _active(engine) == set()
    clock.advance(20)  # a: silent for 190 s > 3 x 60 s
    engine.evaluate(full=True)
    assert _active(engine) == {("node.down", "c:a")}
    telemetry.reports["c:a"] = clock.now  # it reports again
    engine.evaluate(full=True)
    assert _active(engine) == set()
    assert recorder.kinds() == [("alert.raised", "node.down"), ("alert.cleared", "node.down")]


def test_a_link_event_rechecks_its_ends(
    net: CommunityNetwork, make_engine: EngineFactory, telemetry: Telemetry, clock: Clock
) -> None:
    engine = make_engine(rules=("node.down",))
    telemetry.reports["c:b"] = clock.now
    clock.advance(600)
    engine.evaluate(full=True)
    assert _active(engine) == {("node.down", "c:b")}
    telemetry.reports["c:b"] = clock.now
    net.update_link_metrics("c:a-b", LinkMetrics(cost=1.0))  # the ingestion of b's report
    engine.evaluate()  # not a sweep: only what the event touched
    assert _active(engine) == set()


def test_retiring_a_down_node_clears_its_alert(
    net: CommunityNetwork, make_engine: EngineFactory, telemetry: Telemetry, clock: Clock
) -> None:
    engine = make_engine(rules=("node.down",))
    telemetry.reports["c:b"] = clock.now
    clock.advance(600)
    engine.evaluate(full=True)
    net.set_node_status("c:b", Status.DROPPED)
    engine.evaluate()
    assert _active(engine) == set()


def test_stale_then_down_then_fresh(
    make_engine: EngineFactory, telemetry: Telemetry, recorder: Recorder, net: CommunityNetwork
) -> None:
    engine = make_engine(rules=("link.stale", "link.down", "link.degraded"))
    net.update_link_metrics("c:gw-a", LinkMetrics(cost=50.0))
    engine.evaluate()
    telemetry.liveness["c:gw-a"] = "stale"
    engine.evaluate(full=True)
    assert _active(engine) == {("link.stale", "c:gw-a")}  # old metrics say nothing now
    telemetry.liveness["c:gw-a"] = "down"
    engine.evaluate(full=True)
    assert _active(engine) == {("link.down", "c:gw-a")}
    del telemetry.liveness["c:gw-a"]
    net.update_link_metrics("c:gw-a", LinkMetrics(cost=1.0))
    engine.evaluate()
    assert _active(engine) == set()
    assert recorder.kinds() == [
        ("alert.raised", "link.degraded"),
        ("alert.cleared", "link.degraded"),
        ("alert.raised", "link.stale"),
        ("alert.cleared", "link.stale"),
        ("alert.raised", "link.down"),
        ("alert.cleared", "link.down"),
    ]


def test_gateway_lost_and_found(net: CommunityNetwork, make_engine: EngineFactory) -> None:
    engine = make_engine(rules=("gateway.lost",))
    engine.evaluate()
    net.set_link_status("c:gw-a", Status.INACTIVE)  # cuts a, b and c off
    engine.evaluate()
    assert _active(engine) == {("gateway.lost", n) for n in ("c:island", "c:a", "c:b", "c:c")}
    zones = {a.subject: a.zone for a in engine.active_alerts()}
    assert zones["c:c"] == "south"
    net.set_link_status("c:gw-a", Status.WORKING)
    engine.evaluate()
    assert _active(engine) == {("gateway.lost", "c:island")}


def test_a_planned_node_that_never_had_a_gateway_is_not_lost(
    net: CommunityNetwork, make_engine: EngineFactory
) -> None:
    net.put_node(make_node("plan", status=Status.PLANNED))
    engine = make_engine(rules=("gateway.lost",))
    engine.evaluate()
    assert _active(engine) == {("gateway.lost", "c:island")}


def test_address_conflict_raised_and_cleared(
    net: CommunityNetwork, make_engine: EngineFactory
) -> None:
    engine = make_engine(rules=("address.conflict",))
    engine.evaluate()
    assert _active(engine) == set()
    net.put_node(make_node("x", addresses=("10.0.0.9/27",)))  # gw's LAN
    engine.evaluate()
    assert _active(engine) == {("address.conflict", "10.0.0.9")}
    net.put_node(make_node("x", addresses=("192.168.7.1/24",)))
    engine.evaluate()
    assert _active(engine) == set()


def test_acknowledge(
    make_engine: EngineFactory, recorder: Recorder, net: CommunityNetwork, clock: Clock
) -> None:
    engine = make_engine()
    engine.evaluate()
    (alert,) = engine.active_alerts()
    clock.advance(5)
    acked = engine.acknowledge(alert.id, "steward-north")
    assert acked.acknowledged_by == "steward-north" and acked.acknowledged_at == clock.now
    assert engine.active_alerts() == [acked]
    assert engine.acknowledge(alert.id, "someone-else") == acked  # the first one counts
    assert recorder.kinds() == [
        ("alert.raised", "gateway.lost"),
        ("alert.acknowledged", "gateway.lost"),
    ]
    with pytest.raises(NotFound):
        engine.acknowledge(999, "x")
    net.put_node(replace(net.graph.node("c:island"), status=Status.INACTIVE))
    engine.evaluate()  # an acknowledged alert still clears when its cause goes
    assert engine.active_alerts() == []
    assert db.get_alert(net.store, alert.id).acknowledged_by == "steward-north"


def test_restart_adopts_stored_alerts(net: CommunityNetwork, make_engine: EngineFactory) -> None:
    first = make_engine()
    first.evaluate()
    first.stop()
    second = make_engine()
    second.evaluate()
    assert second.active_alerts() == first.active_alerts()  # no duplicate
    assert db.list_alerts(net.store)[1] == 1


def test_disabled_rules_do_nothing(make_engine: EngineFactory) -> None:
    engine = make_engine(rules=())
    engine.evaluate(full=True)
    assert engine.active_alerts() == []


class TestBackground:
    def test_a_burst_is_evaluated_together(
        self, net: CommunityNetwork, make_engine: EngineFactory, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        calls: list[int] = []
        real = nearest_gateways

        def counting(graph: LiveGraph) -> GatewayAssignment:
            calls.append(graph.version)
            return real(graph)

        monkeypatch.setattr(engine_module, "nearest_gateways", counting)
        raised = threading.Event()
        net.events.subscribe(lambda e: raised.set() if e.data.get("subject") == "c:a-b" else None)
        engine = make_engine(background=True, debounce_s=0.3, sweep_interval_s=60.0)
        deadline = time.monotonic() + 5
        while not engine.active_alerts() and time.monotonic() < deadline:
            time.sleep(0.02)  # the first full evaluation
        calls.clear()
        started = time.monotonic()
        for i in range(30):  # a burst of status changes within the window
            net.set_link_status("c:b-c", Status.TESTING if i % 2 else Status.WORKING)
        net.update_link_metrics("c:a-b", LinkMetrics(cost=99.0))
        assert raised.wait(3.0)
        assert time.monotonic() - started < 2.0
        assert 1 <= len(calls) <= 2  # one Dijkstra for the whole burst

    def test_the_sweep_runs_by_itself(
        self, make_engine: EngineFactory, telemetry: Telemetry, clock: Clock
    ) -> None:
        telemetry.reports["c:a"] = clock.now
        clock.advance(3600)
        engine = make_engine(background=True, sweep_interval_s=0.1, debounce_s=0.0)
        deadline = time.monotonic() + 3
        while ("node.down", "c:a") not in _active(engine) and time.monotonic() < deadline:
            time.sleep(0.02)
        telemetry.reports["c:a"] = clock.now
        while ("node.down", "c:a") in _active(engine) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert ("node.down", "c:a") not in _active(engine) and time.monotonic() < deadline

    def test_a_failing_evaluation_does_not_kill_the_thread(
        self, make_engine: EngineFactory, telemetry: Telemetry, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        failures = iter([RuntimeError("boom")])

        def flaky() -> dict[str, float]:
            exc = next(failures, None)
            if exc is not None:
                raise exc
            return {"c:a-b": 0.9}

        monkeypatch.setattr(telemetry, "link_losses", flaky)
        engine = make_engine(background=True, sweep_interval_s=0.1, debounce_s=0.0)
        deadline = time.monotonic() + 3
        while ("link.degraded", "c:a-b") not in _active(engine) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert ("link.degraded", "c:a-b") in _active(engine)


def test_an_empty_service_evaluates_quietly(tmp_path: Path, telemetry: Telemetry) -> None:
    net = CommunityNetwork(open_store(tmp_path / "empty"))
    engine = AlertEngine(net, reports=telemetry, liveness=telemetry, loss=telemetry)
    engine.start(background=False)
    try:
        engine.evaluate(full=True)
        assert engine.active_alerts() == []
    finally:
        engine.stop()
        net.close()
