"""Applying a batch of reports: plan each, write all in one transaction, update memory.

:class:`BatchApplier` runs on the writer thread only (see :mod:`.writer`); other threads
read its state (last seqs, liveness) through plain dict lookups. Everything happens under
the network's lock, in the network's order: the store commits first, then the live graph
and these maps change, then events go out (after the lock is released).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import cast

from pydantic_core import to_json

from topology.events import EventKind
from topology.ingest.liveness import Liveness, LivenessSettings, State, observed, sweep
from topology.ingest.process import Overlay, ReportPlan, plan_report
from topology.ingest.writer import Job
from topology.ipam import IpamError
from topology.metrics.samples import pack_links
from topology.model import HolderKind, Link, LinkMetrics
from topology.network import CommunityNetwork, NetworkError, link_event_data, node_event_data
from topology.store import NotFound, StoreError, StoreUnavailable, telemetry
from topology.store.telemetry import Batch, LivenessRecord, NodeReportState

_STATE = {"system": True, "interfaces": True, "collectors": True}
RESOLVE_TTL_S = 300.0
RESOLVE_CACHE_MAX = 100_000


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a report did: ``accepted`` (written now) or ``duplicate`` (seq seen before)."""

    status: str
    seq: int
    last_seq: int  # the node's last accepted seq after this report
    links: int = 0  # links matched (or created)
    created: tuple[str, ...] = ()  # ids of links the report created
    unmatched: tuple[str, ...] = ()  # neighbours that are no node we know


@dataclass
class _Work:
    batch: Batch = field(default_factory=Batch)
    outcomes: list[object] = field(default_factory=list)
    last_seq: dict[str, int] = field(default_factory=dict)
    reports: dict[str, NodeReportState] = field(default_factory=dict)
    links: dict[str, State] = field(default_factory=dict)  # link liveness after the batch
    nodes: dict[str, State] = field(default_factory=dict)
    transitions: list[State] = field(default_factory=list)  # of links, then of nodes
    losses: dict[str, float] = field(default_factory=dict)  # latest loss per link

    def empty(self) -> bool:
        return not self.last_seq


def _with(link: Link, metrics: LinkMetrics | None) -> Link:
    """``link`` with the latest metrics a batch gave it."""
    return link if metrics is None else replace(link, metrics=metrics)


class BatchApplier:
    def __init__(
        self,
        network: CommunityNetwork,
        settings: LivenessSettings,
        clock: Callable[[], datetime],
        reports: dict[str, NodeReportState],
        liveness: dict[str, LivenessRecord],
    ) -> None:
        self._net = network
        self._settings = settings
        self._clock = clock
        self._reports = {k: replace(r, routes=None) for k, r in reports.items()}
        self._last_seq = {k: r.seq for k, r in reports.items()}
        now = clock()
        links = network.graph.links
        self._links: dict[str, State] = {}
        for rec in liveness.values():
            link = links.get(rec.link_id)
            if link is not None and link.metrics.last_seen is not None:
                self._links[rec.link_id] = State(
                    rec.link_id, Liveness(rec.state), rec.since, link.metrics.last_seen,
                    rec.interval_s,
                )  # fmt: skip
        self._nodes = {
            k: observed(None, k, r.received_at, r.interval_s, now, settings)
            for k, r in reports.items()
        }
        self._resolved: dict[tuple[str, str], tuple[str | None, float]] = {}
        self._round: list[str | tuple[str, str]] = []  # left to sweep: link ids, ("node", id)
        self._losses: dict[str, float] = {}

    @property
    def sweeping(self) -> bool:
        """Whether a sweep round has links or nodes left."""
        return bool(self._round)

    # ------------------------------------------------------------------ reading

    def last_seq(self, node_id: str) -> int | None:
        return self._last_seq.get(node_id)

    def link_state(self, link_id: str) -> State | None:
        return self._current(self._links.get(link_id))

    def _current(self, st: State | None) -> State | None:
        """``st`` with its link's latest ``last_seen`` (kept in the graph, not here: a
        report that finds a link up, as usual, changes nothing of its liveness)."""
        if st is None:
            return None
        held = self._net.graph.links.get(st.subject)
        seen = None if held is None else held.metrics.last_seen
        if seen is not None and seen > st.last_seen:
            return State(st.subject, st.state, st.since, seen, st.interval_s)
        return st

    def links_not_fresh(self) -> dict[str, str]:
        """Links judged stale or down by the latest sweep (cheap: no re-judging here)."""
        up = Liveness.UP
        return {k: st.state.value for k, st in list(self._links.items()) if st.state is not up}

    def last_report_times(self) -> dict[str, datetime]:
        return {k: r.received_at for k, r in list(self._reports.items())}

    def link_losses(self) -> dict[str, float]:
        """The latest reported loss (a fraction) of every link that reported one."""
        return dict(self._losses)

    def node_state(self, node_id: str) -> State | None:
        return self._nodes.get(node_id)

    def node_report(self, node_id: str) -> NodeReportState | None:
        return self._reports.get(node_id)

    # ------------------------------------------------------------------ a batch

    def apply(self, jobs: Sequence[Job]) -> list[object]:
        """Write ``jobs`` durably, then update memory: one outcome (or error) per job."""
        now = self._clock()
        with self._net.lock:
            try:
                work = self._plan(jobs, now)
            except NetworkError as e:  # no network loaded
                return [e] * len(jobs)
            if not work.empty():
                try:
                    telemetry.write_batch(self._net.store.engine, work.batch)
                except StoreError as e:
                    if len(jobs) > 1 and not isinstance(e, StoreUnavailable):
                        # a report's own problem (a link deleted meanwhile...): find it,
                        # the others go through
                        return [o for job in jobs for o in self.apply([job])]
                    return [e if isinstance(o, Outcome) else o for o in work.outcomes]
                self._commit(work)
        self._publish(work, now)
        return work.outcomes

    def _plan(self, jobs: Sequence[Job], now: datetime) -> _Work:
        community = self._net.community.slug
        graph = self._net.graph
        overlay = Overlay(graph)
        work = _Work()
        created: dict[str, None] = {}
        persist: dict[str, LivenessRecord] = {}
        for job in jobs:
            node, report = job.node_id, job.report
            prev = work.last_seq.get(node, self._last_seq.get(node))
            if prev is not None and report.seq <= prev:
                work.outcomes.append(Outcome("duplicate", report.seq, prev))
                continue
            if node not in graph.nodes:
                work.outcomes.append(NotFound(f"node {node!r} does not exist"))
                continue
            plan = plan_report(
                overlay, node, report, received_at=job.received_at, community=community,
                resolve=self._resolve,
            )  # fmt: skip
            overlay.add(plan)
            work.last_seq[node] = report.seq
            self._add(work, plan, job, now, persist, overlay)
            created.update(dict.fromkeys(lk.id for lk in plan.new_links))
            work.outcomes.append(
                Outcome("accepted", report.seq, report.seq, len(plan.seen),
                        tuple(lk.id for lk in plan.new_links), plan.unmatched)
            )  # fmt: skip
        b = work.batch
        b.new_links = [_with(cast(Link, overlay.get_link(i)), b.metrics.get(i)) for i in created]
        b.metrics = {i: m for i, m in b.metrics.items() if i not in created}
        b.liveness = list(persist.values())
        return work

    def _add(
        self, work: _Work, plan: ReportPlan, job: Job, now: datetime,
        persist: dict[str, LivenessRecord], overlay: Overlay,
    ) -> None:  # fmt: skip
        r, b, s = job.report, work.batch, self._settings
        state = NodeReportState(
            plan.node_id, r.seq, r.time, job.received_at, r.interval_s, r.dropped_reports,
            r.model_dump_json(include=_STATE),
            None if r.routes is None else to_json(r.routes).decode(),
        )  # fmt: skip
        b.reports.append(state)
        work.reports[plan.node_id] = replace(state, routes=None)
        b.metrics.update(plan.metrics)
        b.node_samples.append((plan.node_sample, pack_links(plan.link_samples)))
        for sample in plan.link_samples:
            if sample.loss is not None:
                work.losses[sample.link_id] = sample.loss
        for link_id in plan.seen:
            old = work.links.get(link_id) or self._links.get(link_id)
            if old is not None and old.state is Liveness.UP and old.interval_s == r.interval_s:
                continue  # the usual case: still up (last_seen is the graph's)
            seen_at = overlay.last_seen(cast(Link, overlay.get_link(link_id)))
            new = observed(old, link_id, max(plan.time, seen_at or plan.time),
                           plan.interval_s, now, s)  # fmt: skip
            work.links[link_id] = new
            if old is None or old.state is not new.state or old.interval_s != new.interval_s:
                persist[link_id] = LivenessRecord(link_id, new.state.value, new.since,
                                                  new.interval_s)  # fmt: skip
                if old is not None and old.state is not new.state:
                    work.transitions.append(new)
        old_node = work.nodes.get(plan.node_id) or self._nodes.get(plan.node_id)
        new_node = observed(old_node, plan.node_id, job.received_at, r.interval_s, now, s)
        work.nodes[plan.node_id] = new_node
        if old_node is not None and old_node.state is not new_node.state:
            work.transitions.append(new_node)

    def _commit(self, work: _Work) -> None:
        """Memory after the store: the live graph, then this applier's maps."""
        graph = self._net.graph
        for link in work.batch.new_links:
            graph.add_link(link)
        for link_id, metrics in work.batch.metrics.items():
            graph.update_metrics(link_id, metrics)
        self._last_seq.update(work.last_seq)
        self._losses.update(work.losses)
        self._reports.update(work.reports)
        self._links.update(work.links)
        self._nodes.update(work.nodes)

    # ------------------------------------------------------------------ events

    def _publish(self, work: _Work, now: datetime) -> None:
        if work.empty():
            return
        publish = self._net.events.publish
        links = self._net.graph.links
        for link in work.batch.new_links:
            data = {**link_event_data(link), "liveness": Liveness.UP.value, "origin": "report"}
            publish(EventKind.LINK_CHANGED, link.id, now, data)
        for link_id in work.batch.metrics:
            held = links.get(link_id)
            if held is not None:
                data = link_event_data(held)
                if link_id in work.losses:  # measured by the agents' probes, not stored
                    data["loss"] = work.losses[link_id]
                publish(EventKind.LINK_METRICS, link_id, now, data)
        for rep in work.batch.reports:  # one per accepted report: live report rates
            seen = {"seq": rep.seq, "dropped_reports": rep.dropped_reports}
            publish(EventKind.NODE_REPORTED, rep.node_id, now, seen)
        self._publish_transitions(work.transitions, now)

    def _publish_transitions(self, states: Sequence[State], now: datetime) -> None:
        graph = self._net.graph
        for st in states:
            data: dict[str, object] = {"liveness": st.state.value, "since": st.since.isoformat(),
                                       "last_seen": st.last_seen.isoformat()}  # fmt: skip
            if (link := graph.links.get(st.subject)) is not None:
                data = {**link_event_data(link), **data}
                self._net.events.publish(EventKind.LINK_CHANGED, st.subject, now, data)
            elif (node := graph.nodes.get(st.subject)) is not None:
                data = {**node_event_data(node), **data}
                self._net.events.publish(EventKind.NODE_CHANGED, st.subject, now, data)

    # ------------------------------------------------------------------ sweep

    def sweep(self, limit: int | None = None) -> list[State]:
        """Re-judge tracked links and nodes now; store and announce what changed.

        With ``limit``, only the next ``limit`` of them (a sweep in slices, so that no
        batch waits for a whole sweep of a large network): :attr:`sweeping` tells whether
        the current round has some left; a new round starts when none is left.
        """
        now = self._clock()
        if limit is None or not self._round:  # a new round (without a limit: all now)
            self._round = [*self._links, *(("node", k) for k in self._nodes)]
            self._round.reverse()
        take = len(self._round) if limit is None else min(limit, len(self._round))
        part = self._round[len(self._round) - take :]
        del self._round[len(self._round) - take :]
        with self._net.lock:
            tracked = (self._current(self._links.get(k)) for k in part if isinstance(k, str))
            links = sweep((st for st in tracked if st is not None), now, self._settings)
            held = (self._nodes.get(k[1]) for k in part if not isinstance(k, str))
            nodes = sweep((st for st in held if st is not None), now, self._settings)
            records = [LivenessRecord(s.subject, s.state.value, s.since, s.interval_s)
                       for s in links]  # fmt: skip
            telemetry.write_liveness(self._net.store.engine, records)
            self._links.update((s.subject, s) for s in links)
            self._nodes.update((s.subject, s) for s in nodes)
        self._publish_transitions([*links, *nodes], now)
        return [*links, *nodes]

    # ------------------------------------------------------------------ addresses

    def _resolve(self, address: str, reporter: str) -> str | None:
        """The node an address belongs to, seen from ``reporter`` (cached a while)."""
        key = (address, reporter)
        now = time.monotonic()
        hit = self._resolved.get(key)
        if hit is not None and hit[1] > now:
            return hit[0]
        try:
            held = self._net.whois(address)
        except (IpamError, ValueError, NetworkError, StoreError):  # not an address, no plan
            held = None
        node: str | None = None
        if held is not None and held.holder_kind is HolderKind.NODE:
            node = held.holder_id
        elif held is not None and held.holder_kind is HolderKind.LINK:
            link = self._net.graph.links.get(held.holder_id)
            if link is not None and reporter in (link.a, link.b):
                node = link.other(reporter)
        if len(self._resolved) >= RESOLVE_CACHE_MAX:
            self._resolved.clear()
        self._resolved[key] = (node, now + RESOLVE_TTL_S)
        return node
