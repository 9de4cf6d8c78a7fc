"""The agent's loop: collect, build, deliver (or spool), on a fixed interval with jitter.

One cycle (:meth:`Agent.run_once`): every enabled collector runs in
:data:`~node_agent.collectors.ORDER`; a failure (daemon down, timeout, garbage, even a
bug) becomes ``{"ok": false, "error": ...}`` in the report and never stops the agent.
The report gets the next ``seq`` (persisted: see :mod:`node_agent.spool`), announces
the reports dropped since the last one, and is posted at once when nothing is waiting;
otherwise it joins the spool, which is replayed oldest first.

Delivery failures back off exponentially with jitter (half the delay fixed, half
random; at least the server's ``Retry-After``); a new report never jumps the queue. A
report the service refuses for good (a 4xx such as 422) is dropped and counted.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from node_agent.collectors import ORDER, Collector, Cycle, Part, create
from node_agent.config import Config
from node_agent.errors import CollectorError, Rejected, Unreachable
from node_agent.models import CollectorStatus, ReportBody
from node_agent.report import build_report, encode
from node_agent.spool import Spool, State
from node_agent.transport import HttpTransport, Transport

log = logging.getLogger("node_agent")


@dataclass
class Collected:
    """One run of every collector: parts for the report, statuses, and raw states."""

    parts: list[Part] = field(default_factory=list)
    statuses: list[CollectorStatus] = field(default_factory=list)
    states: dict[str, Any] = field(default_factory=dict)
    elapsed_ms: dict[str, float] = field(default_factory=dict)


@dataclass
class CycleOutcome:
    seq: int
    body: ReportBody
    encoded: bytes
    collected: Collected
    delivered: int = 0


def collect_all(collectors: Sequence[Collector[Any]]) -> Collected:
    """Run each collector once; failures are caught and described, never raised."""
    out = Collected()
    cycle = Cycle()
    for c in collectors:
        t0 = time.perf_counter()
        try:
            state = c.collect(cycle)
            part = c.part(state)
        except CollectorError as e:
            out.statuses.append(
                CollectorStatus(name=c.label, ok=False, error=f"{type(e).__name__}: {e}")
            )
        except Exception as e:  # a bug or an unforeseen input: report it, keep running
            log.error("collector %s crashed:\n%s", c.label, traceback.format_exc())
            out.statuses.append(
                CollectorStatus(name=c.label, ok=False, error=f"unexpected {type(e).__name__}: {e}")
            )
        else:
            cycle.links.extend(part.links)
            out.parts.append(part)
            out.states[c.label] = state
            out.statuses.append(CollectorStatus(name=c.label, ok=True, error=""))
        out.elapsed_ms[c.label] = (time.perf_counter() - t0) * 1000.0
    return out


def make_collectors(config: Config) -> list[Collector[Any]]:
    ordered = sorted(config.collectors, key=lambda c: ORDER.index(c.kind))
    return [create(c.kind, c.settings, c.name) for c in ordered]


class Agent:
    """The agent of one node. ``transport``, ``clock`` (monotonic seconds), ``now``
    (wall clock) and ``rng`` can be swapped by tests; ``collectors`` replaces the ones
    the config names (``meshctl demo`` passes its simulated collector this way)."""

    def __init__(
        self,
        config: Config,
        transport: Transport | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        rng: random.Random | None = None,
        user_agent: str = "node-agent",
        collectors: Sequence[Collector[Any]] | None = None,
    ) -> None:
        self.config = config
        self.collectors = list(collectors) if collectors is not None else make_collectors(config)
        folder = Path(config.state_dir)
        self.state = State(folder, config.seq_block)
        self.spool = Spool(
            folder / "spool", self.state, config.spool_max_reports, config.spool_max_bytes
        )
        self.transport: Transport = transport or HttpTransport(
            config.service, config.node, config.read_token(), config.timeout, user_agent
        )
        self.clock, self.now = clock, now
        self.rng = rng or random.Random()
        self.failures = 0
        self.next_attempt = 0.0
        self.last_error = ""

    # ----------------------------------------------------------------- delivery

    def _backoff(self, retry_after: float | None) -> None:
        self.failures += 1
        cfg = self.config
        delay = min(cfg.backoff_max, cfg.backoff_initial * 2 ** min(self.failures - 1, 30))
        delay = delay / 2 + self.rng.uniform(0, delay / 2)
        if retry_after is not None:
            delay = max(delay, min(retry_after, cfg.backoff_max))
        self.next_attempt = self.clock() + delay

    def _post(self, data: bytes) -> bool | None:
        """True: delivered; False: refused for good (drop it); None: try again later."""
        try:
            self.transport.post(data)
        except Unreachable as e:
            self.last_error = str(e)
            log.warning("service unreachable (%s); reports are spooled", e)
            self._backoff(e.retry_after)
            return None
        except Rejected as e:
            self.last_error = str(e)
            log.error("the service refused a report for good (%s); it is dropped", e)
            return False
        self.failures = 0
        return True

    def flush(self) -> int:
        """Replay the spool oldest first, while the service takes reports; returns how
        many were delivered. Does nothing before the backoff delay is over."""
        if self.clock() < self.next_attempt:
            return 0
        delivered = 0
        for item in self.spool.pending():
            try:
                data = item.read()
            except OSError:
                continue
            ok = self._post(data)
            if ok is None:
                break
            self.spool.remove(item)
            if ok:
                delivered += 1
            else:
                self.state.add_dropped(1)
        return delivered

    def submit(self, seq: int, data: bytes) -> int:
        """Deliver a new report, behind any spooled ones; returns reports delivered."""
        if len(self.spool) or self.clock() < self.next_attempt:
            self.spool.put(seq, data)
            return self.flush()
        ok = self._post(data)
        if ok is None:
            self.spool.put(seq, data)
            return 0
        if not ok:
            self.state.add_dropped(1)
            return 0
        return 1 + (self.flush() if len(self.spool) else 0)

    # ----------------------------------------------------------------- cycles

    def build(self, collected: Collected) -> tuple[int, ReportBody, bytes]:
        seq = self.state.take_seq()
        body = build_report(
            seq=seq,
            time=self.now(),
            interval_s=self.config.interval,
            parts=collected.parts,
            statuses=collected.statuses,
            dropped_reports=self.state.take_dropped(),
            neighbour_map=self.config.neighbours,
            routes=self.config.routes,
            max_routes=self.config.max_routes,
        )
        return seq, body, encode(body)

    def run_once(self) -> CycleOutcome:
        collected = collect_all(self.collectors)
        seq, body, data = self.build(collected)
        delivered = self.submit(seq, data)
        return CycleOutcome(seq, body, data, collected, delivered)

    def run(self, stop: threading.Event, cycles: int | None = None) -> None:
        """Run until ``stop`` is set (or ``cycles`` cycles have run). The first cycle
        starts after a random part of the jitter, so agents restarted together (after a
        power cut) spread out."""
        interval, jitter = self.config.interval, self.config.jitter
        next_cycle = self.clock() + self.rng.uniform(0, jitter * interval)
        done = 0
        while not stop.is_set():
            now = self.clock()
            if now >= next_cycle:
                try:
                    outcome = self.run_once()
                    log.info(
                        "report %d: %d links, %d delivered, %d spooled",
                        outcome.seq, len(outcome.body.get("links", [])), outcome.delivered,
                        len(self.spool),
                    )  # fmt: skip
                except OSError as e:  # the state folder is full or gone: keep trying
                    log.error("cycle failed: %s", e)
                done += 1
                if cycles is not None and done >= cycles:
                    break
                period = interval * (1 + self.rng.uniform(-jitter, jitter))
                next_cycle += period
                if next_cycle <= now:
                    next_cycle = now + period
            elif len(self.spool) and now >= self.next_attempt:
                self.flush()
            wake = next_cycle
            if len(self.spool):
                wake = min(wake, max(self.next_attempt, now + 0.05))
            stop.wait(max(0.0, wake - self.clock()))

    def close(self) -> None:
        for c in self.collectors:
            try:
                c.close()
            except Exception:
                log.exception("closing collector %s", c.label)
        self.transport.close()
