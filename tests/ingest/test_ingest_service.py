"""IngestService on a real store: idempotency, links, liveness, batches, restarts."""

from __future__ import annotations

import json
import threading
from concurrent.futures import Future
from typing import Any

import pytest

from tests.ingest.conftest import HOME1, HOME2, Rig, observed, report_body
from topology.events import Event, EventKind
from topology.ingest import history
from topology.ingest.batch import Outcome
from topology.ingest.report import Report
from topology.ingest.writer import Job, WriterStopped
from topology.store import NotFound, telemetry
from topology.store.telemetry import LINKS

HALL = "androscoggin:gorham-town-hall"
HALL_HOME1 = "androscoggin:gorham-town-hall--gorham-home-01"
MESH = "androscoggin:mesh-gorham-home-01--gorham-home-02"


def report(seq: int, rig: Rig, links: list[dict[str, Any]] | None = None, **kw: Any) -> Report:
    return Report.model_validate_json(json.dumps(report_body(seq, rig.clock.now, links, **kw)))


def events_of(rig: Rig) -> list[Event]:
    seen: list[Event] = []
    rig.network.events.subscribe(seen.append)
    return seen


def test_a_report_refreshes_the_link_in_store_graph_and_events(rig: Rig) -> None:
    seen = events_of(rig)
    out = rig.service.submit_sync(HOME1, report(1, rig, [observed(HALL, 1.3)]))
    assert out == Outcome("accepted", 1, 1, 1, (), ())
    for link in (rig.network.graph.link(HALL_HOME1), rig.network.store.get_link(HALL_HOME1)):
        assert (link.metrics.cost, link.metrics.signal_dbm, link.metrics.last_seen) == (
            1.3, -60.0, rig.clock.now,
        )  # fmt: skip
    assert [(e.kind, e.subject) for e in seen] == [
        (EventKind.LINK_METRICS, HALL_HOME1), (EventKind.NODE_REPORTED, HOME1)
    ]
    assert seen[1].data == {"seq": 1, "dropped_reports": 0}
    assert rig.network.graph.route_cost(HALL, HOME1) == 1.3


def test_a_replayed_seq_is_acknowledged_and_changes_nothing(rig: Rig) -> None:
    rig.service.submit_sync(HOME1, report(5, rig, [observed(HALL, 1.3)]))
    version = rig.network.graph.version
    rig.clock.advance(60)
    for seq in (5, 4):
        out = rig.service.submit_sync(HOME1, report(seq, rig, [observed(HALL, 9.9)]))
        assert (out.status, out.seq, out.last_seq) == ("duplicate", seq, 5)
    assert rig.network.graph.version == version
    assert rig.network.graph.link(HALL_HOME1).metrics.cost == 1.3
    assert rig.service.node_report(HOME1).seq == 5  # type: ignore[union-attr]


def test_the_last_seq_survives_a_restart(rig: Rig) -> None:
    rig.service.submit_sync(HOME1, report(7, rig, [observed(HALL, 1.3)]))
    rig.restart()
    assert rig.service.last_seq(HOME1) == 7
    assert rig.service.submit_sync(HOME1, report(7, rig)).status == "duplicate"
    assert rig.service.submit_sync(HOME1, report(8, rig)).status == "accepted"
    assert rig.network.graph.link(HALL_HOME1).metrics.cost == 1.3  # loaded from the store


def test_a_new_neighbour_creates_a_mesh_link_both_ends_share(rig: Rig) -> None:
    seen = events_of(rig)
    out = rig.service.submit_sync(HOME1, report(1, rig, [observed(HOME2, 2.0)]))
    assert out.created == (MESH,)
    link = rig.network.graph.link(MESH)
    assert (link.type.value, link.status.value, link.metrics.cost) == ("mesh", "Working", 2.0)
    assert rig.network.store.get_link(MESH) == link
    assert (seen[0].kind, seen[0].data["liveness"], seen[0].data["origin"]) == (
        EventKind.LINK_CHANGED, "up", "report",
    )  # fmt: skip
    rig.clock.advance(30)
    back = rig.service.submit_sync(HOME2, report(1, rig, [observed(HOME1, 2.2)]))
    assert back.created == () and back.links == 1
    assert rig.network.graph.link(MESH).metrics.cost == 2.2


def test_an_address_is_resolved_through_whois(rig: Rig) -> None:
    lan = next(a.prefix for a in rig.network.holdings(HOME2) if a.purpose.value == "lan")
    address = lan.split("/")[0][:-1] + "5"
    out = rig.service.submit_sync(HOME1, report(1, rig, [{"address": address, "cost": 1.1},
                                                         {"address": "fe80::1"}]))  # fmt: skip
    assert out.created == (MESH,) and out.unmatched == ("fe80::1",)


def test_stale_then_down_then_up_again_without_losing_anything(rig: Rig) -> None:
    rig.service.submit_sync(HOME1, report(1, rig, [observed(HALL, 1.3)]))
    seen = events_of(rig)
    rig.clock.advance(170)
    assert rig.service.sweep() == []
    rig.clock.advance(20)  # 190 s: more than 3 intervals of 60 s
    changed = rig.service.sweep()
    assert {(s.subject, s.state.value) for s in changed} == {
        (HALL_HOME1, "stale"),
        (HOME1, "stale"),
    }
    assert rig.service.liveness_now(rig.service.link_liveness(HALL_HOME1)) == "stale"
    rig.clock.advance(600)
    assert {s.state.value for s in rig.service.sweep()} == {"down"}
    link = rig.network.graph.link(HALL_HOME1)
    assert link.status.value == "Working" and link.metrics.cost == 1.3  # lifecycle untouched
    kinds = [(e.kind, e.subject, e.data["liveness"]) for e in seen]
    assert (EventKind.LINK_CHANGED, HALL_HOME1, "down") in kinds
    assert (EventKind.NODE_CHANGED, HOME1, "down") in kinds
    rig.restart()  # the state is stored
    assert rig.service.link_liveness(HALL_HOME1).state.value == "down"  # type: ignore[union-attr]
    seen = events_of(rig)
    rig.service.submit_sync(HOME1, report(2, rig, [observed(HALL, 1.4)]))
    assert rig.service.link_liveness(HALL_HOME1).state.value == "up"  # type: ignore[union-attr]
    assert (EventKind.LINK_CHANGED, HALL_HOME1, "up") in [
        (e.kind, e.subject, e.data.get("liveness")) for e in seen
    ]
    samples = telemetry.load_reports(rig.network.store.engine)
    assert samples[HOME1].seq == 2


def test_concurrent_reports_are_group_committed(rig: Rig) -> None:
    nodes = [n for n in rig.network.graph.nodes if n != HALL][:24]
    errors: list[BaseException] = []

    def post(node: str) -> None:
        try:
            for seq in range(1, 6):
                body = report(seq, rig, [observed(HALL, 1.0 + seq / 10)])
                assert rig.service.submit_sync(node, body).status == "accepted"
        except BaseException as e:  # pragma: no cover - shown by the assert below
            errors.append(e)

    threads = [threading.Thread(target=post, args=(n,)) for n in nodes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    stats = rig.service.writer_stats
    assert stats["reports"] == 24 * 5 and stats["batches"] < 24 * 5  # batches of several
    assert {telemetry.load_reports(rig.network.store.engine)[n].seq for n in nodes} == {5}


def test_one_bad_report_does_not_fail_its_batch(rig: Rig) -> None:
    rig.network.store.delete_link(HALL_HOME1)  # behind the graph's back: its write fails
    applier = rig.service._applier
    jobs = [
        Job(HOME1, report(1, rig, [observed(HALL, 1.3)]), rig.clock.now, Future()),
        Job(HOME2, report(1, rig, [observed(HALL, 1.2)]), rig.clock.now, Future()),
        Job("androscoggin:no-such-node", report(1, rig), rig.clock.now, Future()),
    ]
    bad, good, unknown = applier.apply(jobs)
    assert isinstance(bad, NotFound) and isinstance(unknown, NotFound)
    assert isinstance(good, Outcome) and good.status == "accepted"
    assert rig.service.last_seq(HOME1) is None and rig.service.last_seq(HOME2) == 1


def test_a_stopped_service_refuses_reports(rig: Rig) -> None:
    rig.service.stop()
    with pytest.raises(WriterStopped):
        rig.service.submit_sync(HOME1, report(1, rig))
    rig.service.start()  # the fixture stops it again (stopping twice is fine)


def test_routes_and_node_state_are_kept(rig: Rig) -> None:
    body = report(1, rig, routes=[{"destination": "10.228.16.0/27", "next": "fe80::1"}])
    rig.service.submit_sync(HOME1, body)
    state = rig.service.node_report(HOME1)
    assert state is not None and state.state_dict()["collectors"][0]["name"] == "babeld"
    stored = telemetry.load_reports(rig.network.store.engine)[HOME1]
    assert json.loads(stored.routes or "[]")[0]["destination"] == "10.228.16.0/27"


def test_retention_runs_on_the_writer(rig: Rig) -> None:
    rig.service.submit_sync(HOME1, report(1, rig, [observed(HALL, 1.3)]))
    t_ms = int(rig.clock.now.timestamp() * 1000)
    rig.clock.advance(30 * 86_400)  # raw samples are kept 2 days, hourly buckets 90
    assert rig.service.run_retention() == 1
    h = history.history(rig.network.store.engine, LINKS, HALL_HOME1, t_ms - 1, t_ms + 1, 10,
                        (HALL, HOME1))  # fmt: skip
    assert h.raw == [] and [(s, p.n, p.values[0]) for s, p in h.rollups] == [(3600, 1, 1.3)]
