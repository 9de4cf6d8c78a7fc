"""Reading the metrics history, and the retention job that rolls it up.

Runs against the tables of :mod:`topology.store.telemetry`; the pure parts (bucketing,
combining, which tiers to roll) are :mod:`topology.metrics`. Raw samples live one row
per report in ``node_samples`` (a link's samples packed in the rows of its two ends);
rollups one row per link or node and bucket.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, select
from sqlalchemy.engine import Engine

from topology.metrics.retention import RetentionPolicy, rollup_plan
from topology.metrics.samples import unpack_links
from topology.metrics.series import Point, bucket_of, combine
from topology.store.engine import transaction
from topology.store.telemetry import LINKS, NODES, SAMPLES, Series, upsert

Groups = dict[tuple[str, int], list[Point]]  # (link or node id, bucket) -> points

# --------------------------------------------------------------------------- reads


@dataclass(frozen=True, slots=True)
class History:
    """Stored history of one link or node in a time range, oldest first."""

    raw: list[Point]  # one per sample (n = 1)
    reporters: list[str | None]  # beside ``raw``: the reporting end of a link sample
    rollups: list[tuple[int, Point]]  # (step seconds, bucket aggregate)


def history(
    engine: Engine,
    series: Series,
    key: str,
    since_ms: int,
    until_ms: int,
    limit: int,
    ends: Sequence[str] = (),
) -> History:
    """Samples with ``since_ms <= t <= until_ms`` and rollup buckets overlapping that range
    (at most ``limit`` + 1 rows of each: the caller tells "too many" by the extra one).
    A link's raw samples are read from the reports of its ``ends``."""
    s, r, fields = SAMPLES, series.rollups, series.spec.fields
    in_range = (s.c.t >= since_ms, s.c.t <= until_ms)
    if series is LINKS:
        raw_q = select(s.c.t, s.c.node_id, s.c.link_samples).where(s.c.node_id.in_(ends))
    else:
        raw_q = select(s.c.t, *(s.c[f] for f in fields)).where(s.c.node_id == key)
    raw_q = raw_q.where(*in_range).order_by(s.c.t).limit(limit + 1)
    roll_q = (
        select(r.c.step, r.c.bucket, r.c.n, *(r.c[f] for f in fields))
        .where(
            r.c[series.key] == key,
            r.c.bucket <= until_ms,
            r.c.bucket + r.c.step * 1000 > since_ms,
        )
        .order_by(r.c.bucket, r.c.step)
        .limit(limit + 1)
    )
    with transaction(engine, write=False) as conn:
        raw_rows = conn.execute(raw_q).all()
        roll_rows = conn.execute(roll_q).all()
    raw: list[Point] = []
    reporters: list[str | None] = []
    if series is LINKS:
        for t, node, packed in raw_rows:
            for ls in unpack_links(packed, node, t):
                if ls.link_id == key:
                    raw.append(Point(t, 1, ls.values()))
                    reporters.append(node)
    else:
        raw = [Point(row[0], 1, tuple(row[1:])) for row in raw_rows]
        reporters = [None] * len(raw)
    return History(
        raw=raw,
        reporters=reporters,
        rollups=[(row[0], Point(row[1], row[2], tuple(row[3:]))) for row in roll_rows],
    )


# --------------------------------------------------------------------------- retention


def retention_steps(
    engine: Engine, policy: RetentionPolicy, now_ms: int, chunk: int = 5000
) -> Iterator[int]:
    """Apply ``policy`` to links and nodes, one transaction of at most ``chunk`` rows per
    step of the iteration (each yields how many rows it rolled up or dropped), so a
    caller can interleave other writes between them."""
    for step in rollup_plan(policy, now_ms):
        source, target, before = step.source_step_s, step.target_step_s, step.before_ms
        for series in (NODES,) if source == 0 else (LINKS, NODES):
            while True:
                with transaction(engine, write=True) as conn:
                    if source == 0:
                        n = _roll_raw(conn, target, before, chunk)
                    else:
                        n = _roll_rollups(conn, series, source, target, before, chunk)
                if n:
                    yield n
                if n < chunk:
                    break


def run_retention(engine: Engine, policy: RetentionPolicy, now_ms: int, chunk: int = 5000) -> int:
    """All of :func:`retention_steps` at once; returns the rows handled."""
    return sum(retention_steps(engine, policy, now_ms, chunk))


def _roll_raw(conn: Connection, target: int, before_ms: int, chunk: int) -> int:
    """Raw report rows older than ``before_ms`` into ``target``-second buckets of both
    series (``target`` 0: dropped)."""
    s, fields = SAMPLES, NODES.spec.fields
    rows = conn.execute(
        select(s.c.node_id, s.c.t, *(s.c[f] for f in fields), s.c.link_samples)
        .where(s.c.t < before_ms)
        .order_by(s.c.t)
        .limit(chunk)
    ).all()
    if not rows:
        return 0
    if target:
        step_ms = target * 1000
        nodes: Groups = {}
        links: Groups = {}
        for row in rows:
            node, t = row[0], row[1]
            bucket = bucket_of(t, step_ms)
            nodes.setdefault((node, bucket), []).append(Point(t, 1, tuple(row[2:-1])))
            for ls in unpack_links(row[-1], node, t):
                links.setdefault((ls.link_id, bucket), []).append(Point(t, 1, ls.values()))
        _merge(conn, NODES, target, nodes)
        _merge(conn, LINKS, target, links)
    _delete(conn, s, ["node_id", "t"], [(row[0], row[1]) for row in rows])
    return len(rows)


def _roll_rollups(
    conn: Connection, series: Series, source: int, target: int, before_ms: int, chunk: int
) -> int:
    """``source``-second buckets older than ``before_ms`` into ``target``-second ones
    (``target`` 0: dropped)."""
    r, key, fields = series.rollups, series.key, series.spec.fields
    rows = conn.execute(
        select(r.c[key], r.c.bucket, r.c.n, *(r.c[f] for f in fields))
        .where(r.c.step == source, r.c.bucket < before_ms)
        .order_by(r.c.bucket)
        .limit(chunk)
    ).all()
    if not rows:
        return 0
    if target:
        groups: Groups = {}
        for row in rows:
            point = Point(row[1], row[2], tuple(row[3:]))
            groups.setdefault((row[0], bucket_of(row[1], target * 1000)), []).append(point)
        _merge(conn, series, target, groups)
    _delete(conn, r, [key, "step", "bucket"], [(row[0], source, row[1]) for row in rows])
    return len(rows)


def _delete(conn: Connection, table: Any, pk: list[str], keys: list[tuple[Any, ...]]) -> None:
    conn.execute(
        delete(table).where(and_(*(table.c[c] == bindparam(f"k_{c}") for c in pk))),
        [{f"k_{c}": k[i] for i, c in enumerate(pk)} for k in keys],
    )


def _merge(conn: Connection, series: Series, target: int, groups: Groups) -> None:
    """Add ``groups`` to the stored ``target``-second buckets (combining with any there)."""
    if not groups:
        return
    r, key, fields = series.rollups, series.key, series.spec.fields
    keys = sorted({k for k, _ in groups})
    low, high = min(b for _, b in groups), max(b for _, b in groups)
    for start in range(0, len(keys), 5000):  # SQLite limits bound parameters
        existing = conn.execute(
            select(r.c[key], r.c.bucket, r.c.n, *(r.c[f] for f in fields)).where(
                r.c.step == target,
                r.c[key].in_(keys[start : start + 5000]),
                r.c.bucket >= low,
                r.c.bucket <= high,
            )
        ).all()
        for e in existing:
            if (e[0], e[1]) in groups:
                groups[(e[0], e[1])].append(Point(e[1], e[2], tuple(e[3:])))
    out = []
    for (k, bucket), points in groups.items():
        p = combine(bucket, points, series.spec)
        out.append({key: k, "step": target, "bucket": bucket, "n": p.n,
                    **dict(zip(fields, p.values, strict=True))})  # fmt: skip
    upsert(conn, r, [key, "step", "bucket"], out)
