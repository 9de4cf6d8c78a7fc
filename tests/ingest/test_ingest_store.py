"""Telemetry tables against a real database (SQLite, and PostgreSQL when reachable)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from tests.store.conftest import build_model
from topology.ingest import history
from topology.metrics import LinkSample, NodeSample, RetentionPolicy, Tier
from topology.metrics.samples import pack_links
from topology.model import Link, LinkMetrics, LinkType, Status
from topology.store import NotFound, Store
from topology.store import telemetry as tm

if TYPE_CHECKING:
    from tests.store.conftest import TestDatabase

T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
MS0 = int(T0.timestamp() * 1000)
HOUR = 3_600_000


@pytest.fixture
def store(db: TestDatabase) -> Store:
    s = db.open()
    s.save_model(build_model(n_nodes=4, links_per_node=1))
    return s


def node_sample(node: str, t_ms: int, load: float = 0.5, rx: float = 100.0) -> NodeSample:
    return NodeSample(node, t_ms, 10.0, load, 40.0, 2.0, rx, 50.0, 0.0, 0.0, 0.0, 1.0)


def link_sample(link: str, node: str, t_ms: int, cost: float) -> LinkSample:
    return LinkSample(link, node, t_ms, cost, 256.0, 260.0, -60.0, -95.0, 300.0, 1.5, 0.0)


def report_state(node: str, seq: int, routes: str | None = None) -> tm.NodeReportState:
    return tm.NodeReportState(node, seq, T0, T0, 60, 0, '{"system": null}', routes)


def sample_batch(node: str, link: str, t_ms: int, cost: float, load: float = 0.5) -> tm.Batch:
    return tm.Batch(
        node_samples=[
            (node_sample(node, t_ms, load), pack_links([link_sample(link, node, t_ms, cost)]))
        ]
    )


def test_a_batch_writes_everything_and_reads_back(store: Store) -> None:
    engine = store.engine
    new = Link("testnet:mesh-n0--n2", "testnet:n0", "testnet:n2", LinkType.MESH, Status.WORKING,
               LinkMetrics(cost=1.5, last_seen=T0))  # fmt: skip
    batch = tm.Batch(
        reports=[report_state("testnet:n0", 7, routes='[{"destination": "10.0.0.0/27"}]')],
        new_links=[new],
        metrics={"testnet:l1-1": LinkMetrics(1.25, 256.0, 300.0, -61.0, 144.0, T0)},
        liveness=[tm.LivenessRecord("testnet:l1-1", "up", T0, 60)],
        node_samples=[(node_sample("testnet:n0", MS0),
                       pack_links([link_sample("testnet:l1-1", "testnet:n0", MS0, 1.25)]))],
    )  # fmt: skip
    tm.write_batch(engine, batch)
    assert store.get_link("testnet:mesh-n0--n2") == new
    assert store.get_link("testnet:l1-1").metrics == LinkMetrics(
        1.25, 256.0, 300.0, -61.0, 144.0, T0
    )
    (state,) = tm.load_reports(engine).values()
    assert (state.seq, state.report_time, state.routes) == (
        7,
        T0,
        '[{"destination": "10.0.0.0/27"}]',
    )
    assert tm.load_liveness(engine)["testnet:l1-1"] == tm.LivenessRecord(
        "testnet:l1-1", "up", T0, 60
    )
    # a later report without routes keeps the stored ones; a replayed sample is ignored
    tm.write_batch(engine, tm.Batch(reports=[report_state("testnet:n0", 8)]))
    tm.write_batch(engine, batch.__class__(node_samples=batch.node_samples))
    (state,) = tm.load_reports(engine).values()
    assert (state.seq, state.routes) == (8, '[{"destination": "10.0.0.0/27"}]')
    h = history.history(engine, tm.LINKS, "testnet:l1-1", MS0 - 1, MS0 + 1, 100,
                        ("testnet:l1", "testnet:n0"))  # fmt: skip
    assert [(p.t_ms, p.values[0]) for p in h.raw] == [(MS0, 1.25)]
    assert h.reporters == ["testnet:n0"]
    nodes = history.history(engine, tm.NODES, "testnet:n0", MS0, MS0, 100)
    assert [p.values[1] for p in nodes.raw] == [0.5]


def test_a_batch_is_all_or_nothing(store: Store) -> None:
    batch = tm.Batch(
        reports=[report_state("testnet:n0", 1)],
        metrics={"testnet:no-such-link": LinkMetrics(cost=1.0, last_seen=T0)},
    )
    with pytest.raises(NotFound):
        tm.write_batch(store.engine, batch)
    assert tm.load_reports(store.engine) == {}


def test_retention_rolls_raw_samples_into_hourly_averages(store: Store) -> None:
    engine = store.engine
    link, node = "testnet:l0-1", "testnet:n0"
    start = MS0 - MS0 % HOUR - 10 * HOUR  # ten hours ago, on the hour
    for i, cost in enumerate((1.0, 2.0, 3.0)):  # three samples in one old hour
        tm.write_batch(engine, sample_batch(node, link, start + i * 60_000, cost, load=cost))
    tm.write_batch(engine, sample_batch(node, link, MS0, 9.0))  # a recent one stays raw
    policy = RetentionPolicy(raw_keep_s=3600, tiers=(Tier(3600, 30 * 86_400),))
    assert history.run_retention(engine, policy, MS0, chunk=2) == 3
    h = history.history(engine, tm.LINKS, link, start, MS0, 100, ("testnet:n0", "testnet:n1"))
    assert [p.values[0] for p in h.raw] == [9.0]
    ((step, bucket),) = h.rollups
    assert (step, bucket.t_ms, bucket.n, bucket.values[0]) == (3600, start, 3, 2.0)
    n = history.history(engine, tm.NODES, node, start, MS0, 100)
    assert [(s, p.n, p.values[1]) for s, p in n.rollups] == [(3600, 3, 2.0)]
    # a late sample of that hour merges into its bucket (weighted by n)
    tm.write_batch(engine, sample_batch(node, link, start + 30 * 60_000, 6.0))
    history.run_retention(engine, policy, MS0)
    ((_, bucket),) = history.history(engine, tm.LINKS, link, start, MS0, 100, (node,)).rollups
    assert (bucket.n, bucket.values[0]) == (4, 3.0)


def test_retention_drops_what_the_last_tier_no_longer_keeps(store: Store) -> None:
    engine = store.engine
    old = MS0 - MS0 % HOUR - 48 * HOUR
    tm.write_batch(engine, sample_batch("testnet:n0", "testnet:l0-1", old, 1.0))
    policy = RetentionPolicy(raw_keep_s=3600, tiers=(Tier(3600, 86_400),))
    # one report row rolled into a node and a link bucket, then both buckets dropped
    assert history.run_retention(engine, policy, MS0) == 3
    h = history.history(engine, tm.LINKS, "testnet:l0-1", 0, MS0, 100, ("testnet:n0",))
    assert h.raw == [] and h.rollups == []


def test_liveness_transitions_are_stored(store: Store) -> None:
    tm.write_liveness(store.engine, [tm.LivenessRecord("testnet:l0-1", "stale", T0, 60)])
    tm.write_liveness(store.engine, [tm.LivenessRecord("testnet:l0-1", "down", T0, 60)])
    assert tm.load_liveness(store.engine)["testnet:l0-1"].state == "down"


def test_history_limit_reads_one_more(store: Store) -> None:
    for i in range(5):
        tm.write_batch(store.engine, sample_batch("testnet:n0", "testnet:l0-1", MS0 + i, 1.0))
    h = history.history(store.engine, tm.NODES, "testnet:n0", MS0, MS0 + 10, 2)
    assert len(h.raw) == 3
