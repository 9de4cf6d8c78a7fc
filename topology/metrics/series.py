"""Points of a time series and how several combine into one bucket. Pure.

A :class:`Point` is a sample (``n = 1``) or an aggregate of ``n`` samples. Each field
of a series combines its own way (:class:`Agg`): gauges (cost, signal, load) as the
average weighted by ``n``, monotonic counters (bytes) as the maximum, and so on. Missing
values (``None``) are skipped, never counted as zero. Combining is associative, so a
bucket that receives late samples after it was rolled up merges them exactly for
maxima and last values, and as a weighted average for averages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Agg(StrEnum):
    AVG = "avg"  # weighted by n
    MAX = "max"
    MIN = "min"
    LAST = "last"  # the value of the latest point that has one


@dataclass(frozen=True, slots=True)
class SeriesSpec:
    """The fields of a series, in column order, and how each combines."""

    fields: tuple[str, ...]
    aggs: tuple[Agg, ...]

    def __post_init__(self) -> None:
        if len(self.fields) != len(self.aggs):
            raise ValueError("a series needs one aggregation per field")


@dataclass(frozen=True, slots=True)
class Point:
    t_ms: int  # sample time, or bucket start (epoch milliseconds)
    n: int  # how many samples it stands for
    values: tuple[float | None, ...]  # in the order of SeriesSpec.fields


def bucket_of(t_ms: int, step_ms: int) -> int:
    """Start of the ``step_ms`` bucket holding ``t_ms`` (buckets align to the epoch).

    >>> bucket_of(3_599_999, 3_600_000), bucket_of(3_600_000, 3_600_000), bucket_of(-1, 10)
    (0, 3600000, -10)
    """
    return t_ms - t_ms % step_ms


def combine(t_ms: int, points: Sequence[Point], spec: SeriesSpec) -> Point:
    """One point at ``t_ms`` standing for all of ``points`` (not empty).

    >>> spec = SeriesSpec(("cost", "bytes"), (Agg.AVG, Agg.MAX))
    >>> combine(0, [Point(5, 1, (1.0, 10.0)), Point(9, 3, (2.0, None))], spec)
    Point(t_ms=0, n=4, values=(1.75, 10.0))
    """
    if not points:
        raise ValueError("nothing to combine")
    latest = sorted(points, key=lambda p: p.t_ms)
    values: list[float | None] = []
    for i, agg in enumerate(spec.aggs):
        present = [(p.n, v) for p in latest if (v := p.values[i]) is not None]
        if not present:
            values.append(None)
        elif agg is Agg.AVG:
            weight = sum(n for n, _ in present)
            values.append(sum(n * v for n, v in present) / weight)
        elif agg is Agg.MAX:
            values.append(max(v for _, v in present))
        elif agg is Agg.MIN:
            values.append(min(v for _, v in present))
        else:
            values.append(present[-1][1])
    return Point(t_ms, sum(p.n for p in points), tuple(values))


def downsample(points: Iterable[Point], step_ms: int, spec: SeriesSpec) -> list[Point]:
    """``points`` combined into ``step_ms`` buckets, one point per non-empty bucket, by time.

    >>> spec = SeriesSpec(("cost",), (Agg.AVG,))
    >>> pts = [Point(t, 1, (float(t),)) for t in (0, 10, 20, 65)]
    >>> [(p.t_ms, p.n, p.values) for p in downsample(pts, 60, spec)]
    [(0, 3, (10.0,)), (60, 1, (65.0,))]
    """
    if step_ms <= 0:
        raise ValueError("step must be positive")
    buckets: dict[int, list[Point]] = {}
    for p in points:
        buckets.setdefault(bucket_of(p.t_ms, step_ms), []).append(p)
    return [combine(b, buckets[b], spec) for b in sorted(buckets)]
