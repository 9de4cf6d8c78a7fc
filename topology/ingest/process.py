"""Pure processing of a report: given the graph as it stands and one report, decide.

:func:`plan_report` reads the graph through :class:`GraphView` (no writes, no I/O, no
clock: the caller passes the receive time) and returns a :class:`ReportPlan`: which links
to create, the current metrics to set, and the samples to append to the history. The
writer applies plans in batches (store first, then memory).

Decisions (documented in docs/api.md):

* **Neighbour**: ``neighbour`` is a node id (a local id means one of this community's
  nodes); otherwise ``address`` is resolved by the caller's ``resolve`` (whois: a node's
  prefix gives the node, a link's /30 gives its other end). An unknown neighbour, or the
  reporter itself, is *unmatched*: reported back, nothing stored for it.
* **Which link**: among the links joining the two nodes, one whose end interface at the
  reporter names the reported interface, else a routable one, else any; ties by id.
  None: a new link of type mesh, status Working, with a deterministic id
  (:func:`derived_link_id`) so both ends reporting it find the same one.
* **Cost** (ETX-like, 1.0 = one perfect transmission): the reported ``cost`` when given,
  else :func:`derived_cost` from the daemon's ``rx_cost``/``tx_cost``.
* **Direction**: ``rx_cost``/``tx_cost`` are stored from end ``a``'s point of view
  (swapped when end ``b`` reports).
* **Time**: a sample is stamped with the report's ``time``, but never later than its
  receipt (agent clocks drift). A report older than the link's ``last_seen`` (spooled
  while offline) adds history but does not overwrite the current metrics.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, cast

from topology.ingest.report import ObservedLink, Report
from topology.metrics.samples import LinkSample, NodeSample
from topology.model import ID_SEP, LOCAL_ID_RE, Link, LinkMetrics, LinkType, Status
from topology.routing.costs import link_is_routable
from topology.routing.csr import node_pair

#: rx/tx cost of one perfect direction in the daemons' units (babeld, OLSR LQ).
UNIT_COST = 256.0
#: babeld's "infinity": the neighbour is unreachable.
INFINITE_COST = 0xFFFF

Resolver = Callable[[str, str], "str | None"]  # (address, reporter) -> node id or None


class GraphView(Protocol):
    """What processing reads of the graph (a :class:`LiveGraph` plus pending changes)."""

    def has_node(self, node_id: str) -> bool: ...

    def get_link(self, link_id: str) -> Link | None: ...

    def links_between(self, u: str, v: str) -> Sequence[Link]: ...

    def last_seen(self, link: Link) -> datetime | None:
        """When ``link`` was last seen (reports not yet applied included)."""
        ...


@dataclass(frozen=True, slots=True)
class ReportPlan:
    """What one accepted report changes."""

    node_id: str
    seq: int
    time: datetime  # the sample time
    interval_s: int
    new_links: tuple[Link, ...]
    metrics: Mapping[str, LinkMetrics]  # current metrics to set (new links included)
    seen: tuple[str, ...]  # every link the report observed
    link_samples: tuple[LinkSample, ...]
    node_sample: NodeSample
    unmatched: tuple[str, ...]


def epoch_ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def derived_cost(rx_cost: float | None, tx_cost: float | None) -> float | None:
    """ETX-like cost from the daemon's per-direction costs (256 = a perfect direction).

    ETX = 1 / (d_f * d_r) and each direction's cost is 256 / d, so ETX is the product of
    both directions in units of 256. A direction is never better than perfect: babeld's
    wired 96 counts as 256, making a perfect wired hop cost 1.0, as routing's static
    cable cost. A missing direction is taken to equal the other; babeld's infinity (or
    more), or no direction at all, gives ``None`` (not measured).

    >>> derived_cost(256, 256), derived_cost(96, 96), derived_cost(512, 384)
    (1.0, 1.0, 3.0)
    >>> derived_cost(None, 320), derived_cost(0xFFFF, 256), derived_cost(None, None)
    (1.5625, None, None)
    """
    if rx_cost is None and tx_cost is None:
        return None
    rx = tx_cost if rx_cost is None else rx_cost
    tx = rx_cost if tx_cost is None else tx_cost
    assert rx is not None and tx is not None
    if rx >= INFINITE_COST or tx >= INFINITE_COST:
        return None
    return max(rx, UNIT_COST) / UNIT_COST * (max(tx, UNIT_COST) / UNIT_COST)


def derived_link_id(community: str, u: str, v: str) -> str:
    """The id of a link discovered between nodes ``u`` and ``v`` (order does not matter).

    Readable when it can be (``community:mesh-<local a>--<local b>``), else a digest.

    >>> derived_link_id("c", "c:b", "c:a")
    'c:mesh-a--b'
    >>> border = derived_link_id("c", "c:a", "other:b")
    >>> border.startswith("c:mesh-"), len(border), border == derived_link_id("c", "other:b", "c:a")
    (True, 31, True)
    """
    a, b = (u, v) if u <= v else (v, u)
    ca, _, la = a.partition(ID_SEP)
    cb, _, lb = b.partition(ID_SEP)
    local = f"mesh-{la}--{lb}"
    if ca == cb == community and "--" not in la + lb and LOCAL_ID_RE.match(local):
        return f"{community}{ID_SEP}{local}"
    return f"{community}{ID_SEP}mesh-{_digest(a, b)}"


def _digest(a: str, b: str) -> str:
    return hashlib.sha256(f"{a}\n{b}".encode()).hexdigest()[:24]


def _end_interface(link: Link, node_id: str) -> str:
    return link.a_interface if link.a == node_id else link.b_interface


def choose_link(links: Sequence[Link], node_id: str, interface: str) -> Link | None:
    """The link a report means, among those joining the reporter and its neighbour."""
    if len(links) < 2:
        return links[0] if links else None
    ordered = sorted(links, key=lambda lk: (not link_is_routable(lk), lk.id))
    if interface:
        for link in ordered:
            end = _end_interface(link, node_id)
            if end == interface or end.endswith("/" + interface):
                return link
    return ordered[0]


def resolve_neighbour(
    obs: ObservedLink, node_id: str, community: str, view: GraphView, resolve: Resolver
) -> str | None:
    """The neighbour's node id, or ``None`` when it is unknown (or the reporter)."""
    if obs.neighbour is not None:
        text = obs.neighbour
        other: str | None = text if ID_SEP in text else f"{community}{ID_SEP}{text}"
    else:
        assert obs.address is not None
        other = resolve(obs.address, node_id)
    if other is None or other == node_id or not view.has_node(other):
        return None
    return other


@dataclass
class _Draft:
    new_links: dict[str, Link] = field(default_factory=dict)
    metrics: dict[str, LinkMetrics] = field(default_factory=dict)
    samples: dict[str, LinkSample] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)


def plan_report(
    view: GraphView,
    node_id: str,
    report: Report,
    *,
    received_at: datetime,
    community: str,
    resolve: Resolver,
) -> ReportPlan:
    """Decide what ``report`` from ``node_id`` changes; see the module docstring."""
    t = min(report.time, received_at).astimezone(UTC)
    t_ms = epoch_ms(t)
    draft = _Draft()
    samples, metrics = draft.samples, draft.metrics
    has_node, links_between, last_seen = view.has_node, view.links_between, view.last_seen
    prefix = community + ID_SEP
    for obs in report.links:  # the hot loop of ingestion: kept lean
        text = obs.neighbour
        if text is not None:
            other: str | None = text if ID_SEP in text else prefix + text
        else:
            other = resolve(cast(str, obs.address), node_id)
        if other is None or other == node_id or not has_node(other):
            draft.unmatched.append(text or obs.address or "")
            continue
        links = links_between(node_id, other)
        if len(links) == 1 and not draft.new_links:
            link: Link | None = links[0]
        else:
            link = _find_or_make(view, draft, node_id, other, obs, community)
            if link is None:
                draft.unmatched.append(text or obs.address or "")
                continue
        assert link is not None
        cost = obs.cost
        if cost is None:
            cost = derived_cost(obs.rx_cost, obs.tx_cost)
        rx, tx = (obs.rx_cost, obs.tx_cost) if link.a == node_id else (obs.tx_cost, obs.rx_cost)
        link_id = link.id
        kept = samples.get(link_id)
        if kept is not None and _better(kept.cost, cost):
            continue  # the same link seen twice (two interfaces): keep the better view
        samples[link_id] = LinkSample(
            link_id, node_id, t_ms, cost, rx, tx, obs.signal_dbm, obs.noise_dbm,
            obs.rate_mbps, obs.rtt_ms, obs.loss,
        )  # fmt: skip
        seen = last_seen(link)
        if seen is None or t >= seen:
            metrics[link_id] = LinkMetrics(cost, rx, tx, obs.signal_dbm, obs.rate_mbps, t)
    new_links = tuple(
        Link(
            lk.id, lk.a, lk.b, lk.type, lk.status, draft.metrics.get(lk.id, lk.metrics),
            lk.a_interface, lk.b_interface,
        )
        for lk in draft.new_links.values()
    )  # fmt: skip
    return ReportPlan(
        node_id=node_id,
        seq=report.seq,
        time=t,
        interval_s=report.interval_s,
        new_links=new_links,
        metrics=draft.metrics,
        seen=tuple(draft.samples),
        link_samples=tuple(draft.samples.values()),
        node_sample=node_sample(node_id, report, t_ms, len(draft.samples)),
        unmatched=tuple(draft.unmatched),
    )


def _better(kept: float | None, new: float | None) -> bool:
    """Whether the kept cost beats the new one (a measured cost beats none)."""
    if kept is None:
        return False
    return new is None or kept <= new


def _find_or_make(
    view: GraphView, draft: _Draft, node_id: str, other: str, obs: ObservedLink, community: str
) -> Link | None:
    links = view.links_between(node_id, other)
    if draft.new_links:
        pair = {node_id, other}
        links = [*links, *(lk for lk in draft.new_links.values() if {lk.a, lk.b} == pair)]
    link = choose_link(links, node_id, obs.interface)
    if link is not None:
        return link
    link_id = derived_link_id(community, node_id, other)
    if view.get_link(link_id) is not None or link_id in draft.new_links:
        link_id = f"{community}{ID_SEP}mesh-{_digest(*sorted((node_id, other)))}"
        if view.get_link(link_id) is not None or link_id in draft.new_links:
            return None  # an unrelated link holds both ids: give up on this one
    a, b = sorted((node_id, other))
    iface = obs.interface
    link = Link(
        link_id, a, b, LinkType.MESH, Status.WORKING,
        a_interface=iface if a == node_id else "", b_interface=iface if b == node_id else "",
    )  # fmt: skip
    draft.new_links[link_id] = link
    return link


def _total(values: list[int]) -> float | None:
    return float(sum(values)) if values else None


def node_sample(node_id: str, report: Report, t_ms: int, links: int) -> NodeSample:
    """The node's own figures: system stats and totals of its interface counters."""
    s = report.system
    ifs = report.interfaces
    return NodeSample(
        node_id=node_id,
        t_ms=t_ms,
        uptime_s=None if s is None else s.uptime_s,
        load1=None if s is None else s.load1,
        memory_used_pct=None if s is None else s.memory_used_pct,
        clients=None if s is None or s.clients is None else float(s.clients),
        rx_bytes=_total([i.rx_bytes for i in ifs]),
        tx_bytes=_total([i.tx_bytes for i in ifs]),
        rx_errors=_total([i.rx_errors for i in ifs]),
        tx_errors=_total([i.tx_errors for i in ifs]),
        dropped_reports=float(report.dropped_reports),
        links=float(links),
    )


class BaseGraph(Protocol):
    """The part of :class:`topology.graph.LiveGraph` an :class:`Overlay` reads."""

    @property
    def nodes(self) -> Mapping[str, object]: ...

    @property
    def links(self) -> Mapping[str, Link]: ...

    def links_between(self, u: str, v: str) -> tuple[Link, ...]: ...


class Overlay:
    """A :class:`GraphView` of a graph plus the plans of a batch not applied yet, so
    that the reports of one batch see each other's new links and sightings."""

    def __init__(self, base: BaseGraph) -> None:
        self._base = base
        self._links: dict[str, Link] = {}  # created by the batch
        self._new: dict[tuple[str, str], list[Link]] = {}
        self._seen: dict[str, datetime | None] = {}

    def has_node(self, node_id: str) -> bool:
        return node_id in self._base.nodes

    def get_link(self, link_id: str) -> Link | None:
        link = self._links.get(link_id)
        return link if link is not None else self._base.links.get(link_id)

    def links_between(self, u: str, v: str) -> Sequence[Link]:
        held = self._base.links_between(u, v)
        if self._new:
            new = self._new.get(node_pair(u, v))
            if new:
                return [*held, *new]
        return held

    def last_seen(self, link: Link) -> datetime | None:
        return self._seen.get(link.id, link.metrics.last_seen)

    def add(self, plan: ReportPlan) -> None:
        for link in plan.new_links:
            self._links[link.id] = link
            self._new.setdefault(node_pair(link.a, link.b), []).append(link)
        for link_id, metrics in plan.metrics.items():
            self._seen[link_id] = metrics.last_seen
