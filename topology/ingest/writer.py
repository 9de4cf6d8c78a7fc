"""The group-commit writer: one thread that takes work from a queue and applies it in batches.

Request handlers :meth:`~GroupCommitWriter.submit` a report and await its outcome. The
writer thread takes every report waiting (up to ``max_batch``), hands the batch to the
``apply`` function (which writes it in one transaction, one fsync, then updates memory)
and resolves each request's future with its outcome only then: a report is acknowledged
once it is durable. While one batch commits, the next one queues up, so the batch grows
with the load and the number of fsyncs per second stays bounded.

Other writes of the telemetry layer (liveness sweeps, retention chunks) run on the same
thread between batches, as :meth:`~GroupCommitWriter.call` tasks or from ``idle``, so
there is a single writer and no lock contention between them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from topology.ingest.report import Report

log = logging.getLogger(__name__)

T = TypeVar("T")


class WriterStopped(Exception):
    """The writer is not running (not started yet, or shut down)."""


@dataclass(slots=True)
class Job:
    """One report waiting to be written."""

    node_id: str
    report: Report
    received_at: datetime
    future: asyncio.Future[Any] | Future[Any]
    loop: asyncio.AbstractEventLoop | None = None  # set for an asyncio future


@dataclass(slots=True)
class _Task(Generic[T]):
    fn: Callable[[], T]
    future: Future[T] = field(default_factory=Future)


_STOP = object()
Apply = Callable[[Sequence[Job]], Sequence[object]]  # one outcome or exception per job


@dataclass
class WriterStats:
    batches: int = 0
    reports: int = 0
    largest_batch: int = 0
    busy_s: float = 0.0  # time spent applying batches


class GroupCommitWriter:
    """See the module docstring. ``idle`` is called when the queue has been empty for
    ``idle_every_s`` (and after each batch), for periodic work; it must return quickly."""

    def __init__(
        self,
        apply: Apply,
        *,
        max_batch: int = 2000,
        idle: Callable[[], None] | None = None,
        idle_every_s: float = 1.0,
        name: str = "ingest-writer",
    ) -> None:
        self._apply = apply
        self._max_batch = max_batch
        self._idle = idle
        self._idle_every_s = idle_every_s
        self._queue: queue.SimpleQueue[Job | _Task[Any] | object] = queue.SimpleQueue()
        self._name = name
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._running = False
        self._gate = threading.Lock()  # orders submit() against stop()
        self.stats = WriterStats()

    # ------------------------------------------------------------------ control

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> None:
        with self._gate:
            if self._running:
                return
            self._running = True
            if self._thread.ident is not None:  # started before: a new thread
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the work queued so far, then end the thread."""
        with self._gate:
            if not self._running:
                return
            self._running = False
            self._queue.put(_STOP)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self._drain()

    def qsize(self) -> int:
        return self._queue.qsize()

    # ------------------------------------------------------------------ submitting

    def submit(self, job: Job) -> None:
        # No lock on this hot path: a job that slips in behind the stop is failed by the
        # thread's final drain, or by the one in stop() after the join.
        if not self._running:
            raise WriterStopped("the ingestion writer is not running")
        self._queue.put(job)

    def call(self, fn: Callable[[], T], timeout: float | None = 60.0) -> T:
        """Run ``fn`` on the writer thread, between batches, and return its result."""
        task: _Task[T] = _Task(fn)
        with self._gate:
            if not self._running:
                raise WriterStopped("the ingestion writer is not running")
            self._queue.put(task)
        return task.future.result(timeout)

    # ------------------------------------------------------------------ the thread

    def _run(self) -> None:
        pending: Job | _Task[Any] | object | None = None
        stopping = False
        while not stopping:
            item = pending
            pending = None
            if item is None:
                try:
                    item = self._queue.get(timeout=self._idle_every_s)
                except queue.Empty:
                    self._run_idle()
                    continue
            if item is _STOP:
                break
            if isinstance(item, _Task):
                self._run_task(item)
                continue
            assert isinstance(item, Job)
            jobs = [item]
            while len(jobs) < self._max_batch:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if isinstance(nxt, Job):
                    jobs.append(nxt)
                else:  # keep the order: a task or the stop comes after these reports
                    pending = nxt
                    break
            self._run_batch(jobs)
            if pending is _STOP:
                stopping = True
            elif pending is None:
                self._run_idle()
        self._drain()

    def _drain(self) -> None:
        """After the stop: fail whatever came in behind it."""
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, Job):
                resolve([item], [WriterStopped("the ingestion writer stopped")])
            elif isinstance(item, _Task):
                item.future.set_exception(WriterStopped("the ingestion writer stopped"))

    def _run_batch(self, jobs: list[Job]) -> None:
        t0 = time.perf_counter()
        try:
            outcomes: Sequence[object] = self._apply(jobs)
        except Exception as e:  # apply resolves its own errors; this is a bug
            log.exception("ingestion batch of %d reports failed", len(jobs))
            outcomes = [e] * len(jobs)
        s = self.stats
        s.batches += 1
        s.reports += len(jobs)
        s.largest_batch = max(s.largest_batch, len(jobs))
        s.busy_s += time.perf_counter() - t0
        resolve(jobs, outcomes)

    def _run_task(self, task: _Task[Any]) -> None:
        try:
            task.future.set_result(task.fn())
        except BaseException as e:
            task.future.set_exception(e)

    def _run_idle(self) -> None:
        if self._idle is None:
            return
        try:
            self._idle()
        except Exception:
            log.exception("periodic ingestion work failed")


def resolve(jobs: Sequence[Job], outcomes: Sequence[object]) -> None:
    """Hand each job its outcome (an exception fails it): one wake-up per event loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], object]]] = {}
    for job, outcome in zip(jobs, outcomes, strict=True):
        fut = job.future
        if isinstance(fut, Future):
            if isinstance(outcome, BaseException):
                fut.set_exception(outcome)
            else:
                fut.set_result(outcome)
        else:
            assert job.loop is not None
            by_loop.setdefault(job.loop, []).append((fut, outcome))
    for loop, items in by_loop.items():
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
            loop.call_soon_threadsafe(_settle, items)


def _settle(items: list[tuple[asyncio.Future[Any], object]]) -> None:
    for fut, outcome in items:
        if fut.done():  # the handler gave up (timeout, client gone)
            continue
        if isinstance(outcome, BaseException):
            fut.set_exception(outcome)
        else:
            fut.set_result(outcome)
