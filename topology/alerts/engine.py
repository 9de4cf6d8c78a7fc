"""The alert engine: evaluates the rules as the network changes, keeps the active alerts.

It listens to ``network.events``. The listener only marks what changed (a link, a node,
"the topology") and wakes a background thread, so publishing (ingestion) is never slowed
down. The thread waits ``debounce_s`` to gather a burst of changes, then evaluates only
the affected subjects; the gateway check (a Dijkstra over the whole graph) runs at most
once per such window. Every ``sweep_interval_s`` it evaluates everything, because a
node going silent is the passing of time, not an event.

A cause (kind, subject) found and not active is *raised*: stored, then published as
``alert.raised``; an active cause no longer found is *cleared* (``alert.cleared``).
Acknowledging publishes ``alert.acknowledged``. At most one alert per cause is active.

Liveness comes from the report ingestion through the small protocols of
:mod:`topology.alerts.sources`; without them the rules that need them (node down, link
stale/down, loss) simply do not fire.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar

from topology.alerts import rules
from topology.alerts.config import AlertConfig
from topology.alerts.model import Alert, AlertKind, Cause, Finding
from topology.alerts.sources import LinkLiveness, LinkLoss, NodeReports
from topology.events import Event, EventKind
from topology.model import Link, Node
from topology.routing import nearest_gateways
from topology.store import Conflict
from topology.store import alerts as alert_store

if TYPE_CHECKING:
    from topology.network import CommunityNetwork

log = logging.getLogger(__name__)
V = TypeVar("V")


LINK_EVENTS = frozenset({EventKind.LINK_CHANGED, EventKind.LINK_METRICS, EventKind.LINK_REMOVED})
NODE_EVENTS = frozenset({EventKind.NODE_CHANGED, EventKind.NODE_REMOVED})
ADDRESS_EVENTS = frozenset({EventKind.ADDRESS_ALLOCATED, EventKind.ADDRESS_RELEASED})
LINK_KINDS = (AlertKind.LINK_DEGRADED, AlertKind.LINK_STALE, AlertKind.LINK_DOWN)


def utc_now() -> datetime:
    return datetime.now(UTC)


def _copy(mapping: Mapping[str, V]) -> dict[str, V]:
    """A shallow copy: the C-level ``copy()`` of a dict behind a mapping proxy when it has
    one (a few ms for 100k entries), else item by item."""
    copy = getattr(mapping, "copy", None)
    found = copy() if callable(copy) else None
    return found if isinstance(found, dict) else dict(mapping)


class _Dirty:
    """What changed since the last evaluation."""

    def __init__(self) -> None:
        self.links: set[str] = set()
        self.nodes: set[str] = set()
        self.gateways = False
        self.addresses = False
        self.full = False  # a sweep: everything that time can change
        self.all_links = False  # every link's metrics too (start, import)

    def __bool__(self) -> bool:
        return (
            bool(self.links or self.nodes or self.gateways or self.addresses or self.full)
            or self.all_links
        )


class AlertEngine:
    """Raises, clears and acknowledges the alerts of one :class:`CommunityNetwork`.

    ``start()`` loads the active alerts from the store, subscribes to the network's
    events and starts the background thread; ``stop()`` undoes it. Tests may start it
    with ``background=False`` and call :meth:`evaluate` themselves.
    """

    def __init__(
        self,
        network: CommunityNetwork,
        config: AlertConfig | None = None,
        *,
        reports: NodeReports | None = None,
        liveness: LinkLiveness | None = None,
        loss: LinkLoss | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._network = network
        self.config = config or AlertConfig()
        self._reports = reports
        self._liveness = liveness
        self._loss = loss
        self._clock = clock
        self._lock = threading.RLock()  # the active alerts and evaluation
        self._active: dict[Cause, Alert] = {}
        self._dirty = _Dirty()
        self._dirty_lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._had_gateway: frozenset[str] = frozenset()
        self._had_any_gateway = False

    # ------------------------------------------------------------------ lifecycle

    def start(self, *, background: bool = True) -> None:
        """Load active alerts, subscribe to events, and (by default) start the thread,
        whose first act is a full evaluation."""
        with self._lock:
            if self._unsubscribe is not None:
                return
            self._active = {a.cause: a for a in alert_store.active_alerts(self._network.store)}
            self._unsubscribe = self._network.events.subscribe(self.on_event)
        self._mark(full=True, addresses=True, all_links=True)
        if background:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="alert-engine", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        cfg = self.config
        next_sweep = time.monotonic()
        while not self._stopping.is_set():
            woke = self._wake.wait(max(0.0, next_sweep - time.monotonic()))
            if self._stopping.is_set():
                break
            if woke and cfg.debounce_s > 0:
                self._stopping.wait(cfg.debounce_s)  # gather the rest of a burst
            self._wake.clear()
            if time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + cfg.sweep_interval_s
                self._mark(full=True)
            try:
                self.evaluate()
            except Exception:  # the thread must survive anything; retry everything soon
                log.exception("alert evaluation failed; retrying at the next sweep")

    # ------------------------------------------------------------------ events

    def on_event(self, event: Event) -> None:
        """The bus listener: O(1), marks what to evaluate and wakes the thread."""
        kind = event.kind
        if kind in LINK_EVENTS:
            ends = [e for e in (event.data.get("a"), event.data.get("b")) if isinstance(e, str)]
            structural = kind is not EventKind.LINK_METRICS  # metrics move no reachability
            self._mark(
                links=(event.subject,), nodes=ends, gateways=structural, addresses=structural
            )
        elif kind in NODE_EVENTS:
            self._mark(nodes=(event.subject,), gateways=True, addresses=True)
        elif kind in ADDRESS_EVENTS:
            self._mark(addresses=True)
        elif kind in (EventKind.NETWORK_IMPORTED, EventKind.ZONE_CHANGED):
            self._mark(full=True, addresses=True, all_links=True)
        else:  # alert events (ours) and anything new: nothing to evaluate
            return
        self._wake.set()

    def _mark(
        self,
        *,
        links: Iterable[str] = (),
        nodes: Iterable[str] = (),
        gateways: bool = False,
        addresses: bool = False,
        full: bool = False,
        all_links: bool = False,
    ) -> None:
        with self._dirty_lock:
            d = self._dirty
            d.links.update(links)
            d.nodes.update(nodes)
            d.gateways |= gateways
            d.addresses |= addresses
            d.full |= full
            d.all_links |= all_links

    def _take_dirty(self) -> _Dirty:
        with self._dirty_lock:
            taken, self._dirty = self._dirty, _Dirty()
        return taken

    # ------------------------------------------------------------------ evaluation

    def evaluate(self, *, full: bool = False) -> None:
        """Evaluate what changed since the last time, now; ``full``: also what time
        changes (silent nodes, link liveness, loss), as the periodic sweep does."""
        dirty = self._take_dirty()
        dirty.full |= full
        if not dirty:
            return
        try:
            with self._lock:
                self._evaluate(dirty)
        except BaseException:
            self._mark(full=True, addresses=True, all_links=True)  # redo it all next time
            raise

    def _evaluate(self, dirty: _Dirty) -> None:
        cfg = self.config
        graph = self._network.graph
        with self._network.lock:
            nodes = _copy(graph.nodes)
            links = _copy(graph.links)
        now = self._clock()
        full = dirty.full

        if self._reports is not None and cfg.enabled(AlertKind.NODE_DOWN):
            last = self._reports.last_report_times()
            scope = None if full else dirty.nodes
            subjects = set(last) if scope is None else scope
            found = []
            for node_id in subjects | self._subjects(AlertKind.NODE_DOWN, scope):
                node = nodes.get(node_id)
                f = None if node is None else rules.node_down(node, last.get(node_id), now, cfg)
                if f is not None:
                    found.append(f)
            self._reconcile((AlertKind.NODE_DOWN,), scope, found, now)

        if full or dirty.links or dirty.all_links:
            self._evaluate_links(links, nodes, dirty, now)
        if full or dirty.gateways:
            self._evaluate_gateways(nodes, now)
        if dirty.addresses:  # not time-dependent: only when nodes, links or allocations change
            self._evaluate_addresses(nodes, links, now)

    def _evaluate_links(
        self, links: dict[str, Link], nodes: dict[str, Node], dirty: _Dirty, now: datetime
    ) -> None:
        """Links changed by events; in a sweep also those time or telemetry may have
        changed (not fresh, lossy, or alerting); at start every link."""
        cfg = self.config
        liveness = self._liveness.links_not_fresh() if self._liveness is not None else {}
        loss = self._loss.link_losses() if self._loss is not None else {}
        scope: set[str] | None = None
        if not dirty.all_links:
            scope = set(dirty.links)
            if dirty.full:
                scope.update(i for i, s in liveness.items() if s in (rules.STALE, rules.DOWN))
                scope.update(i for i, x in loss.items() if x > cfg.link_max_loss)
                scope.update(s for k, s in self._active if k in LINK_KINDS)
        found: list[Finding] = []
        for link_id in links if scope is None else scope:
            link = links.get(link_id)
            if link is None:
                continue
            state = liveness.get(link_id)
            if state in (rules.STALE, rules.DOWN):  # old metrics say nothing of quality
                f = rules.link_liveness(link, state)
            elif cfg.enabled(AlertKind.LINK_DEGRADED):
                f = rules.link_degraded(link, loss.get(link_id), cfg)
            else:
                f = None
            if f is not None and cfg.enabled(f.kind):
                zone = next((nodes[e].zone_id for e in (link.a, link.b) if e in nodes), None)
                found.append(replace(f, zone=zone))
        self._reconcile(LINK_KINDS, scope, found, now)

    def _evaluate_gateways(self, nodes: dict[str, Node], now: datetime) -> None:
        if not self.config.enabled(AlertKind.GATEWAY_LOST):
            return
        with self._network.lock:  # ~30 ms at 40k nodes, at most once per debounce window
            assignment = nearest_gateways(self._network.graph)
        already = self._subjects(AlertKind.GATEWAY_LOST, None)
        found = rules.gateway_lost(
            nodes,
            assignment.unreachable,
            self._had_gateway,
            already,
            bool(assignment.gateways) or self._had_any_gateway,
        )
        self._had_gateway = frozenset(assignment.gateway)
        self._had_any_gateway = bool(assignment.gateways)
        self._reconcile((AlertKind.GATEWAY_LOST,), None, found, now)

    def _evaluate_addresses(
        self, nodes: dict[str, Node], links: dict[str, Link], now: datetime
    ) -> None:
        if not self.config.enabled(AlertKind.ADDRESS_CONFLICT) or not nodes:
            return  # (no nodes: maybe no network yet, and so no address plan either)
        whois = rules.allocation_index(self._network.allocations())
        found = rules.address_conflicts(
            rules.address_claims(nodes.values()),
            whois,
            links,
            lambda node_id: nodes[node_id].zone_id if node_id in nodes else None,
        )
        self._reconcile((AlertKind.ADDRESS_CONFLICT,), None, found, now)

    def _subjects(self, kind: AlertKind, scope: set[str] | None) -> set[str]:
        """Subjects of active alerts of ``kind`` (within ``scope`` unless None)."""
        return {s for k, s in self._active if k is kind and (scope is None or s in scope)}

    def _reconcile(
        self,
        kinds: tuple[AlertKind, ...],
        scope: set[str] | None,
        found: list[Finding],
        now: datetime,
    ) -> None:
        """Raise what is found and not active; clear what is active in scope, not found."""
        causes = {f.cause: f for f in found}
        gone = [
            a
            for cause, a in self._active.items()
            if cause[0] in kinds and (scope is None or cause[1] in scope) and cause not in causes
        ]
        if gone:
            self._clear(gone, now)
        new = [f for cause, f in causes.items() if cause not in self._active]
        if new:
            self._raise(new, now)

    def _raise(self, findings: list[Finding], now: datetime) -> None:
        store = self._network.store
        try:
            raised = alert_store.insert_alerts(store, findings, now)  # one transaction
        except Conflict:  # some cause is active in the store already (another process)
            raised = []
            for finding in findings:
                try:
                    raised.extend(alert_store.insert_alerts(store, [finding], now))
                except Conflict:  # adopt the stored one
                    same, _ = alert_store.list_alerts(
                        store, active=True, kind=finding.kind.value, subject=finding.subject
                    )
                    if same:
                        self._active[finding.cause] = same[0]
        for alert in raised:
            self._active[alert.cause] = alert
        for alert in raised:
            self._network.events.publish(
                EventKind.ALERT_RAISED, str(alert.id), now, alert.to_json()
            )

    def _clear(self, alerts: list[Alert], now: datetime) -> None:
        cleared = alert_store.clear_alerts(self._network.store, (a.id for a in alerts), now)
        for a in alerts:
            self._active.pop(a.cause, None)
        for a in cleared:
            self._network.events.publish(EventKind.ALERT_CLEARED, str(a.id), now, a.to_json())

    def reconcile(
        self, kinds: Iterable[AlertKind], found: Iterable[Finding], scope: set[str] | None = None
    ) -> None:
        """For components that evaluate causes of their own ``kinds`` (federation): raise
        what is ``found`` and not active, clear what is active (within ``scope``, subjects,
        unless None) and no longer found. Disabled kinds are left alone."""
        wanted = tuple(k for k in kinds if self.config.enabled(k))
        with self._lock:
            self._reconcile(wanted, scope, [f for f in found if f.kind in wanted], self._clock())

    # ------------------------------------------------------------------ reading, acknowledging

    def active_alerts(self) -> list[Alert]:
        with self._lock:
            return sorted(self._active.values(), key=lambda a: a.id)

    def acknowledge(self, alert_id: int, by: str) -> Alert:
        """Acknowledge an alert; publishes ``alert.acknowledged`` the first time.

        Raises :class:`topology.store.NotFound` for an unknown id.
        """
        now = self._clock()
        with self._lock:
            alert, changed = alert_store.acknowledge_alert(self._network.store, alert_id, by, now)
            held = self._active.get(alert.cause)
            if held is not None and held.id == alert.id:
                self._active[alert.cause] = alert
        if changed:
            self._network.events.publish(
                EventKind.ALERT_ACKNOWLEDGED, str(alert.id), now, alert.to_json()
            )
        return alert


__all__ = ["AlertEngine", "LinkLiveness", "LinkLoss", "NodeReports"]
