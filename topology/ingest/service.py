"""``IngestService``: report ingestion, liveness and metrics history over a CommunityNetwork.

One per service process (the live graph lives in one process). The app creates it in its
lifespan, starts it, and stops it at shutdown::

    ingest = IngestService(network, IngestSettings())
    ingest.start()          # the writer thread (batches, liveness sweeps, retention)
    ...
    ingest.stop()           # finishes the queued reports first

A report goes: handler -> :meth:`submit` -> writer thread: under the network's lock,
plan every report of the batch (:mod:`.process`), write the batch in one transaction
(:func:`topology.store.telemetry.write_batch`), apply it to the live graph; then publish
events and acknowledge. The order is the network's own: store first, then memory.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from topology.ingest import history as hist
from topology.ingest.batch import BatchApplier
from topology.ingest.liveness import LivenessSettings, State, liveness_at
from topology.ingest.report import Report
from topology.ingest.writer import GroupCommitWriter, Job
from topology.metrics.retention import RetentionPolicy
from topology.network import CommunityNetwork, utc_now
from topology.store import telemetry
from topology.store.telemetry import NodeReportState

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class IngestSettings:
    """Settings of ingestion, liveness and history (defaults in parentheses).

    * ``liveness``: stale after ``stale_after_intervals`` (3) missed report intervals,
      down after ``down_after_s`` (900 s);
    * ``retention``: raw samples kept ``raw_keep_s`` (2 days), then 1-hour averages for
      90 days, then 1-day averages for ten years;
    * ``sweep_every_s`` (10): how often a round of liveness judgement starts; it goes
      ``sweep_slice`` (1000) links or nodes at a time, between batches;
    * ``retention_every_s`` (600): how often the retention job starts;
      ``retention_chunk`` (1000) rows per transaction of it (each a short pause of the
      writer, between batches);
    * ``max_batch`` (2000) reports per transaction; ``max_queue`` (20000) waiting reports
      before new ones are refused (503); ``ack_timeout_s`` (30): a handler's wait;
    * ``gc_freeze_every_s`` (60; 0: never): at start and then this often, on the writer
      thread, :func:`gc.collect` then :func:`gc.freeze`, so that Python's cyclic garbage
      collector stops rescanning what lives on (the network, the graph's links): a full
      collection of a 2,000-node network takes 80 ms (more for larger ones), and
      ingestion replaces thousands of link objects a second, which otherwise triggers
      one every few seconds: a pause every waiting report shares. Process-wide; the
      objects frozen are the long-lived ones, and garbage is collected before each
      freeze;
    * ``gc_threshold`` (20000; 0: Python's 700): the collector's first threshold, set at
      start. Almost everything ingestion allocates is freed by reference counting; with
      Python's default it still ran a few hundred collections in five seconds (5% of
      the time, pauses up to 60 ms), with 20,000 about none. Process-wide too.
    """

    liveness: LivenessSettings = field(default_factory=LivenessSettings)
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)
    sweep_every_s: float = 10.0
    sweep_slice: int = 1000
    retention_every_s: float = 600.0
    retention_chunk: int = 1000
    max_batch: int = 2000
    max_queue: int = 20_000
    ack_timeout_s: float = 30.0
    gc_freeze_every_s: float = 60.0
    gc_threshold: int = 20_000


class Overloaded(Exception):
    """Too many reports are waiting: the client should retry later (503)."""


class IngestService:
    def __init__(
        self,
        network: CommunityNetwork,
        settings: IngestSettings | None = None,
        *,
        clock: Clock = utc_now,
    ) -> None:
        self.network = network
        self.settings = settings or IngestSettings()
        self._clock = clock
        engine = network.store.engine
        self._applier = BatchApplier(
            network, self.settings.liveness, clock, telemetry.load_reports(engine),
            telemetry.load_liveness(engine),
        )  # fmt: skip
        self._writer = GroupCommitWriter(
            self._applier.apply, max_batch=self.settings.max_batch, idle=self._periodic
        )
        self._next_sweep = 0.0
        self._next_retention = time.monotonic() + self.settings.retention_every_s
        self._next_freeze = 0.0
        self._retention: Iterator[int] | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        self._next_sweep = time.monotonic() + self.settings.sweep_every_s
        self._next_freeze = time.monotonic()
        if self.settings.gc_threshold:
            _, g1, g2 = gc.get_threshold()
            gc.set_threshold(self.settings.gc_threshold, g1, g2)
        self._writer.start()

    def stop(self) -> None:
        self._writer.stop()

    @property
    def running(self) -> bool:
        return self._writer.running

    @property
    def writer_stats(self) -> dict[str, float]:
        s = self._writer.stats
        return {"batches": s.batches, "reports": s.reports, "largest_batch": s.largest_batch,
                "busy_s": s.busy_s}  # fmt: skip

    # ------------------------------------------------------------------ reports

    def last_seq(self, node_id: str) -> int | None:
        """The last committed report's seq of ``node_id`` (``None``: none yet)."""
        return self._applier.last_seq(node_id)

    def _job(self, node_id: str, report: Report, fut: Any, loop: Any = None) -> Job:
        if self._writer.qsize() >= self.settings.max_queue:
            raise Overloaded(f"{self._writer.qsize()} reports are waiting: retry later")
        return Job(node_id, report, self._clock(), fut, loop)

    async def submit(self, node_id: str, report: Report) -> Any:
        """Queue ``report`` and wait until it is durably written: its :class:`Outcome`.

        Raises :class:`WriterStopped`, :class:`Overloaded`, ``TimeoutError`` or the
        store's error when the batch could not be written.
        """
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Any] = loop.create_future()
        self._writer.submit(self._job(node_id, report, fut, loop))
        return await asyncio.wait_for(fut, self.settings.ack_timeout_s)

    def submit_sync(self, node_id: str, report: Report) -> Any:
        """:meth:`submit` for threads (tests, tools): blocks until written."""
        fut: Future[Any] = Future()
        self._writer.submit(self._job(node_id, report, fut))
        return fut.result(self.settings.ack_timeout_s)

    # ------------------------------------------------------------------ periodic work

    def _periodic(self) -> None:
        """On the writer thread, between batches: sweep and retention when due."""
        now = time.monotonic()
        if self._applier.sweeping:
            self._applier.sweep(self.settings.sweep_slice)
        elif now >= self._next_sweep:
            self._next_sweep = now + self.settings.sweep_every_s
            self._applier.sweep(self.settings.sweep_slice)
        if self._retention is not None:
            if next(self._retention, None) is None:
                self._retention = None
        elif now >= self._next_retention:
            self._next_retention = now + self.settings.retention_every_s
            self._retention = self._retention_steps()
        if self.settings.gc_freeze_every_s and now >= self._next_freeze:
            self._next_freeze = now + self.settings.gc_freeze_every_s
            gc.collect()
            gc.freeze()

    def sweep(self) -> list[State]:
        """Re-judge all liveness now (on the writer thread); returns the transitions."""
        return self._writer.call(self._applier.sweep)

    def _retention_steps(self) -> Iterator[int]:
        now_ms = int(self._clock().timestamp() * 1000)
        engine = self.network.store.engine
        chunk = self.settings.retention_chunk
        yield from hist.retention_steps(engine, self.settings.retention, now_ms, chunk)

    def run_retention(self) -> int:
        """Run the whole retention job now (on the writer thread); rows handled."""
        return self._writer.call(lambda: sum(self._retention_steps()))

    # ------------------------------------------------------------------ reading

    def link_liveness(self, link_id: str) -> State | None:
        return self._applier.link_state(link_id)

    # The three views the alert engine reads (topology.alerts.sources), about once a
    # second from its own thread: copies of what the writer thread keeps, no re-judging.

    def links_not_fresh(self) -> dict[str, str]:
        return self._applier.links_not_fresh()

    def last_report_times(self) -> dict[str, datetime]:
        return self._applier.last_report_times()

    def link_losses(self) -> dict[str, float]:
        """Link id -> latest reported loss (fraction), for the alert engine."""
        return self._applier.link_losses()

    def node_liveness(self, node_id: str) -> State | None:
        return self._applier.node_state(node_id)

    def node_report(self, node_id: str) -> NodeReportState | None:
        """What the node's last accepted report said of itself."""
        return self._applier.node_report(node_id)

    def liveness_now(self, state: State | None) -> str | None:
        """``state`` judged at this moment (the sweep may not have run yet)."""
        if state is None:
            return None
        return liveness_at(state.last_seen, state.interval_s, self._clock(),
                           self.settings.liveness).value  # fmt: skip

    def now(self) -> datetime:
        return self._clock()
