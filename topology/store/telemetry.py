"""Telemetry tables and queries: report sequence numbers, link liveness, metrics history.

* ``node_reports``: per node, the last accepted report's ``seq`` (what makes ingestion
  idempotent across restarts) with its latest state (system stats, interface counters,
  collector status, installed routes).
* ``link_liveness``: a link's liveness (up / stale / down) since when, and the report
  interval it was judged by. Written on transitions only; ``last_seen`` is the link's own.
* ``node_samples``: the raw time series, one row per accepted report, keyed by node id
  and epoch-millisecond time, with an index on time for retention. The row holds the
  node's figures and, packed in one text column, one sample per link the report saw
  (:func:`topology.metrics.samples.pack_links`): one row per report instead of eleven
  makes ingestion several times cheaper, and a link's raw history is read from the rows
  of its two ends.
* ``link_rollups`` / ``node_rollups``: bucket aggregates (``step`` seconds wide, ``n``
  samples) made by the retention job (:func:`run_retention`).

The write of a whole ingestion batch is :func:`write_batch`: one transaction, one fsync.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import (
    BigInteger,
    Connection,
    Double,
    Index,
    Integer,
    String,
    Table,
    Text,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import Mapped, mapped_column

from topology.metrics.samples import LINK_SERIES, NODE_SERIES, NodeSample
from topology.metrics.series import SeriesSpec
from topology.model import Link, LinkMetrics
from topology.store import convert
from topology.store.engine import transaction
from topology.store.errors import NotFound
from topology.store.tables import ENUM_LEN, Base, CommunityRow, LinkRow, UTCDateTime


class NodeReportRow(Base):
    __tablename__ = "node_reports"

    node_id: Mapped[str] = mapped_column(Text, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    report_time: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    interval_s: Mapped[int] = mapped_column(Integer)
    dropped_reports: Mapped[int] = mapped_column(BigInteger)
    # JSON text: {"system": {...}, "interfaces": [...], "collectors": [...]} as reported.
    state: Mapped[str] = mapped_column(Text)
    routes: Mapped[str | None] = mapped_column(Text)  # JSON, of the latest report with routes
    routes_time: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LinkLivenessRow(Base):
    __tablename__ = "link_liveness"

    link_id: Mapped[str] = mapped_column(Text, primary_key=True)
    state: Mapped[str] = mapped_column(String(ENUM_LEN))
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    interval_s: Mapped[int] = mapped_column(Integer)


class _LinkGauges:
    """The fields of :data:`LINK_SERIES` (samples and bucket averages alike)."""

    cost: Mapped[float | None] = mapped_column(Double)
    rx_cost: Mapped[float | None] = mapped_column(Double)
    tx_cost: Mapped[float | None] = mapped_column(Double)
    signal_dbm: Mapped[float | None] = mapped_column(Double)
    noise_dbm: Mapped[float | None] = mapped_column(Double)
    rate_mbps: Mapped[float | None] = mapped_column(Double)
    rtt_ms: Mapped[float | None] = mapped_column(Double)
    loss: Mapped[float | None] = mapped_column(Double)


class _NodeGauges:
    """The fields of :data:`NODE_SERIES`."""

    uptime_s: Mapped[float | None] = mapped_column(Double)
    load1: Mapped[float | None] = mapped_column(Double)
    memory_used_pct: Mapped[float | None] = mapped_column(Double)
    clients: Mapped[float | None] = mapped_column(Double)
    rx_bytes: Mapped[float | None] = mapped_column(Double)
    tx_bytes: Mapped[float | None] = mapped_column(Double)
    rx_errors: Mapped[float | None] = mapped_column(Double)
    tx_errors: Mapped[float | None] = mapped_column(Double)
    dropped_reports: Mapped[float | None] = mapped_column(Double)
    links: Mapped[float | None] = mapped_column(Double)


class LinkRollupRow(_LinkGauges, Base):
    __tablename__ = "link_rollups"
    __table_args__ = (Index(None, "step", "bucket"),)

    link_id: Mapped[str] = mapped_column(Text, primary_key=True)
    step: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # epoch ms
    n: Mapped[int] = mapped_column(Integer)


class NodeSampleRow(_NodeGauges, Base):
    """One row per accepted report: the node's figures and, packed, its links' samples."""

    __tablename__ = "node_samples"
    __table_args__ = (Index(None, "t"),)

    node_id: Mapped[str] = mapped_column(Text, primary_key=True)
    t: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # epoch ms
    link_samples: Mapped[str] = mapped_column(Text)  # see topology.metrics.samples


class NodeRollupRow(_NodeGauges, Base):
    __tablename__ = "node_rollups"
    __table_args__ = (Index(None, "step", "bucket"),)

    node_id: Mapped[str] = mapped_column(Text, primary_key=True)
    step: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


@dataclass(frozen=True, slots=True)
class Series:
    """One kind of history: its rollup table, key column and fields (raw samples of both
    kinds are in ``node_samples``)."""

    rollups: Table
    key: str
    spec: SeriesSpec


def _table(row: type[Base]) -> Table:
    return cast(Table, row.__table__)


LINKS = Series(_table(LinkRollupRow), "link_id", LINK_SERIES)
NODES = Series(_table(NodeRollupRow), "node_id", NODE_SERIES)
SAMPLES = _table(NodeSampleRow)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class NodeReportState:
    """What ``node_reports`` keeps of a node's last accepted report."""

    node_id: str
    seq: int
    report_time: datetime
    received_at: datetime
    interval_s: int
    dropped_reports: int
    state: str  # JSON: {"system", "interfaces", "collectors"} of the report
    routes: str | None = None  # JSON; None: this report had none (the stored ones stay)

    def state_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.state)
        return data


@dataclass(frozen=True, slots=True)
class LivenessRecord:
    link_id: str
    state: str
    since: datetime
    interval_s: int


@dataclass
class Batch:
    """Everything one ingestion batch writes, in one transaction."""

    reports: list[NodeReportState] = field(default_factory=list)
    new_links: list[Link] = field(default_factory=list)
    metrics: dict[str, LinkMetrics] = field(default_factory=dict)
    liveness: list[LivenessRecord] = field(default_factory=list)
    node_samples: list[tuple[NodeSample, str]] = field(default_factory=list)  # + packed links


# --------------------------------------------------------------------------- plumbing


def upsert(conn: Connection, table: Table, keys: Sequence[str], rows: list[dict[str, Any]]) -> None:
    """Insert ``rows``, replacing the non-key columns of rows whose key exists."""
    if rows:
        cols = list(rows[0])
        many(conn, table, cols, [tuple(r[c] for c in cols) for r in rows], "upsert", keys)


Mode = Literal["ignore", "upsert", "update"]


def many(
    conn: Connection, table: Table, cols: Sequence[str], rows: list[tuple[Any, ...]],
    mode: Mode, keys: Sequence[str] = (),
) -> int:  # fmt: skip
    """Write many rows of ``cols`` values in one statement; returns the rows changed.

    ``ignore``: insert, skipping rows whose key is stored; ``upsert``: insert, replacing
    the other columns of rows whose ``keys`` are stored; ``update``: set ``cols[:-1]``
    where the key ``cols[-1]`` matches. On SQLite this is a driver-level executemany of
    tuples (the values still go through each column's SQLAlchemy bind processor, so they
    are stored as an ordinary statement stores them): the hot path of ingestion.
    """
    if not rows:
        return 0
    if conn.dialect.name == "sqlite":
        sql, procs = _sqlite_sql(conn.dialect, table, tuple(cols), mode, tuple(keys))
        active = [(i, p) for i, p in enumerate(procs) if p is not None]
        if active:
            rows = _processed(rows, active)
        return int(conn.exec_driver_sql(sql, rows).rowcount)
    params = [dict(zip(cols, r, strict=True)) for r in rows]
    if mode == "update":
        key = cols[-1]
        stmt: Any = (
            update(table)
            .where(table.c[key] == bindparam(f"k_{key}"))
            .values({c: bindparam(c) for c in cols[:-1]})
        )
        params = [{**p, f"k_{key}": p.pop(key)} for p in params]
    elif mode == "ignore":
        stmt = postgresql.insert(table).on_conflict_do_nothing()
    else:
        ins = postgresql.insert(table)
        stmt = ins.on_conflict_do_update(
            index_elements=list(keys), set_={c: ins.excluded[c] for c in cols if c not in keys}
        )
    return int(conn.execute(stmt, params).rowcount)


def _processed(rows: list[tuple[Any, ...]], active: list[tuple[int, Any]]) -> list[tuple[Any, ...]]:
    """``rows`` through their columns' bind processors; a batch shares a few datetimes
    (one per report), so their conversions are memoised."""
    memo: dict[tuple[int, datetime], Any] = {}
    out = []
    for r in rows:
        values = list(r)
        for i, proc in active:
            v = values[i]
            if isinstance(v, datetime):
                key = (i, v)
                if key not in memo:
                    memo[key] = proc(v)
                values[i] = memo[key]
            else:
                values[i] = proc(v)
        out.append(tuple(values))
    return out


_SQLITE: dict[tuple[str, tuple[str, ...], str, tuple[str, ...]], tuple[str, list[Any]]] = {}


def _sqlite_sql(
    dialect: Dialect, table: Table, cols: tuple[str, ...], mode: str, keys: tuple[str, ...]
) -> tuple[str, list[Any]]:
    key = (table.name, cols, mode, keys)
    if key not in _SQLITE:
        q = dialect.identifier_preparer.quote
        names, marks = ", ".join(q(c) for c in cols), ", ".join("?" * len(cols))
        if mode == "update":
            sets = ", ".join(f"{q(c)} = ?" for c in cols[:-1])
            sql = f"UPDATE {q(table.name)} SET {sets} WHERE {q(cols[-1])} = ?"
        elif mode == "ignore":
            sql = f"INSERT OR IGNORE INTO {q(table.name)} ({names}) VALUES ({marks})"
        else:
            sets = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in cols if c not in keys)
            on = ", ".join(q(k) for k in keys)
            sql = (f"INSERT INTO {q(table.name)} ({names}) VALUES ({marks}) "
                   f"ON CONFLICT ({on}) DO UPDATE SET {sets}")  # fmt: skip
        procs = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in cols]
        _SQLITE[key] = (sql, procs)
    return _SQLITE[key]


# --------------------------------------------------------------------------- writes


def load_reports(engine: Engine) -> dict[str, NodeReportState]:
    with transaction(engine, write=False) as conn:
        rows = conn.execute(select(_table(NodeReportRow))).all()
    return {
        r.node_id: NodeReportState(
            r.node_id, r.last_seq, r.report_time, r.received_at, r.interval_s,
            r.dropped_reports, r.state, r.routes,
        )
        for r in rows
    }  # fmt: skip


def load_liveness(engine: Engine) -> dict[str, LivenessRecord]:
    with transaction(engine, write=False) as conn:
        rows = conn.execute(select(_table(LinkLivenessRow))).all()
    return {r.link_id: LivenessRecord(r.link_id, r.state, r.since, r.interval_s) for r in rows}


def write_batch(engine: Engine, batch: Batch) -> None:
    """Write ``batch`` in one transaction: all of it, or (raising) nothing."""
    with transaction(engine, write=True) as conn:
        _write(conn, batch)


def _write(conn: Connection, b: Batch) -> None:
    if b.new_links:
        community = conn.scalar(select(CommunityRow.slug))
        last = conn.scalar(select(func.max(LinkRow.seq)))
        first = 0 if last is None else int(last) + 1
        rows = [convert.link_row(lk, first + i, community) for i, lk in enumerate(b.new_links)]
        conn.execute(insert(LinkRow), rows)
    m_rows = [
        (m.cost, m.rx_cost, m.tx_cost, m.signal_dbm, m.rate_mbps, m.last_seen, i)
        for i, m in b.metrics.items()
    ]
    if many(conn, _table(LinkRow), METRIC_COLUMNS, m_rows, "update") != len(m_rows):
        raise NotFound("a reported link was deleted meanwhile")
    many(conn, _table(NodeReportRow), REPORT_COLUMNS, [_report_row(r) for r in b.reports],
         "upsert", ["node_id"])  # fmt: skip
    routes = [(r.routes, r.report_time, r.node_id) for r in b.reports if r.routes is not None]
    many(conn, _table(NodeReportRow), ("routes", "routes_time", "node_id"), routes, "update")
    upsert(conn, _table(LinkLivenessRow), ["link_id"], [_liveness_row(x) for x in b.liveness])
    samples = [(s.node_id, s.t_ms, *s.values(), links) for s, links in b.node_samples]
    many(conn, SAMPLES, SAMPLE_COLUMNS, samples, "ignore")


METRIC_COLUMNS = ("cost", "rx_cost", "tx_cost", "signal_dbm", "rate_mbps", "last_seen", "id")
REPORT_COLUMNS = (
    "node_id", "last_seq", "report_time", "received_at", "interval_s", "dropped_reports",
    "state",
)  # fmt: skip
SAMPLE_COLUMNS = ("node_id", "t", *NODE_SERIES.fields, "link_samples")


def _report_row(r: NodeReportState) -> tuple[Any, ...]:
    return (
        r.node_id, r.seq, r.report_time, r.received_at, r.interval_s, r.dropped_reports,
        r.state,
    )  # fmt: skip


def _liveness_row(x: LivenessRecord) -> dict[str, Any]:
    return {"link_id": x.link_id, "state": x.state, "since": x.since, "interval_s": x.interval_s}


def write_liveness(engine: Engine, records: Sequence[LivenessRecord]) -> None:
    """Store liveness transitions (the sweep's), in one transaction."""
    if records:
        with transaction(engine, write=True) as conn:
            upsert(conn, _table(LinkLivenessRow), ["link_id"], [_liveness_row(x) for x in records])
