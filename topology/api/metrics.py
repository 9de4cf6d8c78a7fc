"""Metrics history: ``GET /api/v1/nodes/{node}/metrics`` and ``/api/v1/links/{link}/metrics``.

Public. Query: ``since`` and ``until`` (ISO 8601; a time without offset is UTC; default
the last 24 hours), ``step`` (seconds, optional). Without ``step`` the points are as
stored: raw samples (each with ``n = 1``; a link's also name the reporting ``node``)
and, for older times, bucket aggregates (``n`` samples, ``step`` their width). With
``step`` every point is the combination of its ``step``-wide bucket (aligned to the
epoch): averages weighted by ``n`` (counters: maxima). At most 10,000 points: ask for a
coarser ``step`` when there are more. The answer also tells the liveness (``up``,
``stale``, ``down``; ``null`` before any report) and, for a node, its last report's
own state (interface counters, system figures, collector status).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BeforeValidator

from topology.api.deps import API_PREFIX, NetworkDep, known_link, known_node
from topology.api.errors import ApiError, invalid
from topology.ingest import history
from topology.ingest.liveness import State
from topology.ingest.service import IngestService
from topology.metrics.series import Point, downsample
from topology.store.telemetry import LINKS, NODES, Series

router = APIRouter(prefix=API_PREFIX, tags=["metrics"])

MAX_POINTS = 10_000
MAX_SAMPLES = 200_000  # read to answer one request with a step
DEFAULT_SPAN = timedelta(hours=24)
MAX_STEP_S = 3650 * 86_400

_DATE_AND_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _iso_8601(value: object) -> object:
    """Only an ISO 8601 date and time (pydantic would also read ``1700000000`` or
    ``0.5`` as seconds since the epoch, and a date alone as its midnight)."""
    if isinstance(value, str) and not _DATE_AND_TIME.match(value):
        raise ValueError("must be an ISO 8601 date and time, e.g. 2026-11-27T14:00:00Z")
    return value


IsoTime = Annotated[datetime, BeforeValidator(_iso_8601)]
Since = Annotated[IsoTime | None, Query(description="Start (ISO 8601; default: until - 24 h)")]
Until = Annotated[IsoTime | None, Query(description="End, included (ISO 8601; default: now)")]
Step = Annotated[
    int | None, Query(ge=1, le=MAX_STEP_S, description="Bucket width in seconds (optional)")
]


def get_ingest_reader(request: Request) -> IngestService:
    """The app's ingestion service, running or not (history is read from the store)."""
    ingest: IngestService | None = getattr(request.app.state, "ingest", None)
    if ingest is None:
        raise ApiError(503, "metrics history is not available: ingestion is not set up")
    return ingest


IngestDep = Annotated[IngestService, Depends(get_ingest_reader)]


EARLIEST = datetime.min.replace(tzinfo=UTC)


def _utc(t: datetime, name: str) -> datetime:
    """``t`` in UTC (without an offset it is UTC); 422 when it does not exist in UTC
    (``0001-01-01T00:00+05:00``)."""
    try:
        return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)
    except OverflowError:
        raise invalid("out of range once in UTC (years 1 to 9999)", ("query", name)) from None


def _iso(t_ms: int) -> str:
    return datetime.fromtimestamp(t_ms / 1000, UTC).isoformat().replace("+00:00", "Z")


def _range(ingest: IngestService, since: datetime | None, until: datetime | None) -> tuple[
    datetime, datetime
]:  # fmt: skip
    end = _utc(until, "until") if until is not None else ingest.now()
    if since is not None:
        start = _utc(since, "since")
    else:  # the span before ``end``, or as much of it as the calendar has
        start = end - DEFAULT_SPAN if end - EARLIEST > DEFAULT_SPAN else EARLIEST
    if start >= end:
        if since is None:
            raise invalid("leaves no time before it: give since", ("query", "until"))
        raise invalid("must be before until", ("query", "since"))
    return start, end


def series_points(
    ingest: IngestService, series: Series, key: str, start: datetime, end: datetime,
    step: int | None, ends: tuple[str, ...] = (),
) -> list[dict[str, Any]]:  # fmt: skip
    """The points of ``key``'s history in ``[start, end]``, as JSON objects by time."""
    start_ms, end_ms = int(start.timestamp() * 1000), int(end.timestamp() * 1000)
    if step is not None and (end_ms - start_ms) // (step * 1000) > MAX_POINTS:
        raise invalid(f"more than {MAX_POINTS} points: use a larger step", ("query", "step"))
    limit = MAX_POINTS if step is None else MAX_SAMPLES
    engine = ingest.network.store.engine
    h = history.history(engine, series, key, start_ms, end_ms, limit, ends)
    if len(h.raw) > limit or len(h.rollups) > limit:
        if step is None:
            raise invalid(f"more than {MAX_POINTS} samples: give a step", ("query", "step"))
        raise invalid(f"more than {MAX_SAMPLES} samples: ask for less time", ("query", "since"))
    fields = series.spec.fields
    if step is not None:
        merged: list[Point] = [*h.raw, *(p for _, p in h.rollups)]
        return [_point(p, fields) for p in downsample(merged, step * 1000, series.spec)]
    out = [
        (p.t_ms, 0, _point(p, fields, node=node))
        for p, node in zip(h.raw, h.reporters, strict=True)
    ]
    out += [(p.t_ms, 1, _point(p, fields, step=s)) for s, p in h.rollups]
    return [item for _, _, item in sorted(out, key=lambda x: (x[0], x[1]))]


def _point(
    p: Point, fields: tuple[str, ...], *, node: str | None = None, step: int | None = None
) -> dict[str, Any]:
    item: dict[str, Any] = {"t": _iso(p.t_ms), "n": p.n}
    if node is not None:
        item["node"] = node
    if step is not None:
        item["step"] = step
    item.update(zip(fields, p.values, strict=True))
    return item


def liveness_body(ingest: IngestService, state: State | None) -> dict[str, Any] | None:
    if state is None:
        return None
    now_state = ingest.liveness_now(state)
    return {
        "state": now_state,
        "since": state.since.isoformat() if now_state == state.state.value else None,
        "last_seen": state.last_seen.isoformat(),
        "interval_s": state.interval_s,
    }


@router.get("/links/{link}/metrics", summary="A link's metrics history")
def link_metrics(
    link: str,
    network: NetworkDep,
    ingest: IngestDep,
    since: Since = None,
    until: Until = None,
    step: Step = None,
) -> dict[str, Any]:
    found = known_link(network, link)
    link_id = found.id
    start, end = _range(ingest, since, until)
    points = series_points(ingest, LINKS, link_id, start, end, step, (found.a, found.b))
    return {
        "link": link_id,
        "since": start.isoformat(),
        "until": end.isoformat(),
        "step": step,
        "fields": list(LINKS.spec.fields),
        "liveness": liveness_body(ingest, ingest.link_liveness(link_id)),
        "points": points,
    }


@router.get("/nodes/{node}/metrics", summary="A node's metrics history")
def node_metrics(
    node: str,
    network: NetworkDep,
    ingest: IngestDep,
    since: Since = None,
    until: Until = None,
    step: Step = None,
) -> dict[str, Any]:
    node_id = known_node(network, node).id
    start, end = _range(ingest, since, until)
    points = series_points(ingest, NODES, node_id, start, end, step)
    last = ingest.node_report(node_id)
    report = None
    if last is not None:
        report = {
            "seq": last.seq,
            "time": last.report_time.isoformat(),
            "received_at": last.received_at.isoformat(),
            "interval_s": last.interval_s,
            "dropped_reports": last.dropped_reports,
            **last.state_dict(),
        }
    return {
        "node": node_id,
        "since": start.isoformat(),
        "until": end.isoformat(),
        "step": step,
        "fields": list(NODES.spec.fields),
        "liveness": liveness_body(ingest, ingest.node_liveness(node_id)),
        "last_report": report,
        "points": points,
    }
