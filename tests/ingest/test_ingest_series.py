"""Pure downsampling and retention planning."""

from __future__ import annotations

import pytest

from topology.metrics import (
    LINK_SERIES,
    NODE_SERIES,
    Agg,
    Point,
    RetentionPolicy,
    SeriesSpec,
    Tier,
    bucket_of,
    combine,
    downsample,
    rollup_plan,
)

SPEC = SeriesSpec(("g", "c", "lo", "la"), (Agg.AVG, Agg.MAX, Agg.MIN, Agg.LAST))


def test_combine_weights_averages_by_n_and_skips_missing_values() -> None:
    points = [Point(10, 1, (1.0, 5.0, 3.0, 7.0)), Point(20, 3, (3.0, None, 1.0, None))]
    assert combine(0, points, SPEC) == Point(0, 4, (2.5, 5.0, 1.0, 7.0))
    assert combine(0, [Point(1, 1, (None,) * 4)], SPEC).values == (None,) * 4


def test_combining_is_associative_for_merges_of_buckets() -> None:
    pts = [Point(t, 1, (float(t), float(t), float(t), float(t))) for t in range(6)]
    whole = combine(0, pts, SPEC)
    parts = combine(0, [combine(0, pts[:2], SPEC), combine(3, pts[2:], SPEC)], SPEC)
    assert parts.n == whole.n and parts.values[:3] == whole.values[:3]


def test_downsample_aligns_buckets_to_the_epoch() -> None:
    pts = [Point(t, 1, (1.0, 1.0, 1.0, 1.0)) for t in (59_999, 60_000, 61_000, 300_000)]
    out = downsample(pts, 60_000, SPEC)
    assert [(p.t_ms, p.n) for p in out] == [(0, 1), (60_000, 2), (300_000, 1)]
    with pytest.raises(ValueError):
        downsample(pts, 0, SPEC)


def test_bucket_of_negative_times() -> None:
    assert bucket_of(-1, 1000) == -1000


def test_series_specs_match_their_fields() -> None:
    assert len(LINK_SERIES.fields) == len(LINK_SERIES.aggs) == 8
    assert NODE_SERIES.aggs[NODE_SERIES.fields.index("rx_bytes")] is Agg.MAX


def test_rollup_plan_rolls_whole_buckets_then_drops() -> None:
    hour, day = 3_600_000, 86_400_000
    p = RetentionPolicy(
        raw_keep_s=86_400, tiers=(Tier(3600, 7 * 86_400), Tier(86_400, 365 * 86_400))
    )
    now = 10 * day + 90 * 60_000  # day 10, 01:30
    steps = rollup_plan(p, now)
    assert [(s.source_step_s, s.target_step_s) for s in steps] == [
        (0, 3600),
        (3600, 86_400),
        (86_400, 0),
    ]
    assert steps[0].before_ms == 9 * day + 1 * hour  # raw older than a day, whole hours
    assert steps[1].before_ms == 3 * day  # hourly buckets older than 7 days, whole days
    assert steps[2].before_ms == now - 365 * day


def test_retention_policy_checks_its_tiers() -> None:
    with pytest.raises(ValueError):
        RetentionPolicy(tiers=(Tier(3600, 10), Tier(5000, 10)))
    with pytest.raises(ValueError):
        RetentionPolicy(raw_keep_s=0)
    with pytest.raises(ValueError):
        Tier(0, 1)
