"""The demo's live text view: what the service knows, refreshed while agents report.

Everything shown comes from the service over HTTP (:class:`MeshClient`): node and link
lists, active alerts, and the event stream (``GET /api/v1/events``) read on a thread by
:class:`EventFeed`. The report counters come from the demo's node-agents themselves.
The stewards' TUI replaces this view in a later release.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.table import Table
from rich.text import Text

from meshctl.render import STATUS_STYLE
from topology.client import ClientError, MeshClient
from topology.client_models import AlertInfo, LinkInfo, NodeInfo, PathInfo, ServerEvent
from topology.model import Status
from topology.sim import Fleet

#: Link quality bands by measured cost (ETX-like: 1 = perfect), best first.
BANDS: tuple[tuple[str, float, str], ...] = (
    ("excellent", 1.2, "green"),
    ("good", 2.0, "green"),
    ("fair", 5.0, "yellow"),
    ("poor", math.inf, "red"),
)


def link_cost(link: LinkInfo) -> float | None:
    cost = (link.get("metrics") or {}).get("cost")
    return float(cost) if isinstance(cost, int | float) and cost > 0 else None


def band(link: LinkInfo) -> str:
    cost = link_cost(link)
    if cost is None:
        return "unmeasured"
    return next(name for name, upto, _ in BANDS if cost <= upto)


def sticky_band(was: str | None, cost: float | None) -> str:
    """The band of ``cost``, but ``was`` while the cost stays within 5 % of that band's
    limits: a link hovering at a limit does not flap between two bands."""
    if cost is None or cost <= 0:
        return "unmeasured"
    lower = 0.0
    for name, upto, _ in BANDS:
        if name == was and lower * 0.95 < cost <= upto * 1.05:
            return name
        lower = upto
    return next(name for name, upto, _ in BANDS if cost <= upto)


# --------------------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class FeedItem:
    at: str  # local wall-clock time, HH:MM:SS
    kind: str
    subject: str
    text: str


def event_kind(ev: ServerEvent) -> str:
    return ev.event if ev.event != "message" else str(ev.data.get("kind", "message"))


def describe(ev: ServerEvent) -> FeedItem:
    """One line for an event: its kind, subject and the most telling fields."""
    kind = event_kind(ev)
    inner = ev.data.get("data")
    data: dict[str, object] = inner if isinstance(inner, dict) else ev.data
    if kind.startswith("alert.") and data.get("subject"):  # the node or link, not the alert
        what = f"{data.get('kind', 'alert')}: {data.get('message', '')}"
        return FeedItem(datetime.now().strftime("%H:%M:%S"), kind, str(data["subject"]), what)
    subject = str(ev.data.get("subject") or data.get("subject") or data.get("id") or "")
    bits = []
    for key in ("message", "status", "cost", "signal_dbm", "liveness", "prefix"):
        value = data.get(key)
        if value is not None and value != "":
            bits.append(f"{value}" if key == "message" else f"{key} {value}")
    return FeedItem(datetime.now().strftime("%H:%M:%S"), kind, subject, ", ".join(bits))


@dataclass
class EventFeed:
    """Reads ``GET /api/v1/events`` on a thread and keeps what the views need."""

    base_url: str
    token: str | None = None
    keep: int = 10
    recent: deque[FeedItem] = field(default_factory=deque)
    counts: Counter[str] = field(default_factory=Counter)
    links_changed: set[str] = field(default_factory=set)
    raised: list[FeedItem] = field(default_factory=list)
    cleared: list[FeedItem] = field(default_factory=list)
    bands: dict[str, str] = field(default_factory=dict)  # link id -> its last quality band
    error: str = ""
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="demo event feed", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        with MeshClient(self.base_url, self.token, timeout=5.0) as api:
            try:
                for ev in api.events(stop=self._stop, idle_timeout=0.5, retry_s=0.2):
                    self.add(ev)
            except ClientError as exc:
                self.error = str(exc)

    def add(self, ev: ServerEvent) -> None:
        item = describe(ev)
        with self._lock:
            self.counts[item.kind] += 1
            if item.kind.startswith("link.") and item.subject:
                self.links_changed.add(item.subject)
            if item.kind == "alert.raised":
                self.raised.append(item)
            elif item.kind == "alert.cleared":
                self.cleared.append(item)
            if item.kind == "link.metrics":  # too many to read: show band changes only
                item = self._band_change(ev, item)
            if item.kind:
                self.recent.append(item)
                while len(self.recent) > self.keep:
                    self.recent.popleft()

    def _band_change(self, ev: ServerEvent, item: FeedItem) -> FeedItem:
        inner = ev.data.get("data")
        cost = inner.get("cost") if isinstance(inner, dict) else None
        was = self.bands.get(item.subject)
        now = sticky_band(was, cost if isinstance(cost, int | float) else None)
        self.bands[item.subject] = now
        if was is None or was == now:
            return FeedItem(item.at, "", item.subject, "")  # nothing worth a line
        return FeedItem(item.at, "link.quality", item.subject, f"{was} → {now} (cost {cost})")

    def latest(self) -> list[FeedItem]:
        with self._lock:
            return list(self.recent)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# --------------------------------------------------------------------------- snapshot


@dataclass(frozen=True, slots=True)
class Snapshot:
    nodes: list[NodeInfo]
    links: list[LinkInfo]
    alerts: list[AlertInfo]
    error: str = ""


def take_snapshot(api: MeshClient) -> Snapshot:
    """Nodes, links and active alerts as the service has them now."""
    try:
        nodes = api.all_nodes()
        links = api.all_links()
    except ClientError as exc:
        return Snapshot([], [], [], error=str(exc))
    try:
        alerts = api.alerts(active=True)
    except ClientError:
        alerts = []
    return Snapshot(nodes, links, alerts)


# --------------------------------------------------------------------------- rendering


def _table(title: str, *columns: str) -> Table:
    t = Table(title=title, title_justify="left", expand=False, pad_edge=False)
    for c in columns:
        t.add_column(c, justify="right" if c in ("nodes", "links", "cost", "count") else "left")
    return t


def nodes_table(snap: Snapshot, offline: str | None) -> Table:
    t = _table("Nodes by status", "status", "nodes")
    counts = Counter(str(n.get("status")) for n in snap.nodes)
    for status in Status:
        if counts[status.value]:
            symbol, colour = STATUS_STYLE[status]
            t.add_row(Text(f"{symbol} {status.value}", style=colour), str(counts[status.value]))
    if offline:
        t.add_row(Text("▼ not reporting", style="red"), "1")
    return t


def bands_table(snap: Snapshot) -> Table:
    working = [lk for lk in snap.links if lk.get("status") == "Working"]
    counts = Counter(band(lk) for lk in working)
    t = _table("Working links by quality", "band", "links")
    for name, upto, colour in BANDS:
        label = f"cost ≤ {upto:g}" if math.isfinite(upto) else "cost > 5"
        t.add_row(Text(f"{name} ({label})", style=colour), str(counts[name]))
    t.add_row("unmeasured", str(counts["unmeasured"]))
    return t


def worst_links_table(snap: Snapshot, names: dict[str, str], n: int = 5) -> Table:
    measured = [
        (c, lk)
        for lk in snap.links
        if lk.get("status") == "Working" and (c := link_cost(lk)) is not None
    ]
    t = _table("Worst links", "link", "cost", "signal", "band")
    for cost, lk in sorted(measured, key=lambda x: -x[0])[:n]:
        m = lk.get("metrics") or {}
        sig = m.get("signal_dbm")
        ends = f"{names.get(lk['a'], lk['a'])} – {names.get(lk['b'], lk['b'])}"
        colour = next(c for name, _, c in BANDS if name == band(lk))
        t.add_row(
            ends, f"{cost:.2f}", f"{sig:g} dBm" if sig is not None else "-", Text(band(lk), colour)
        )
    return t


def events_table(feed: EventFeed) -> Table:
    t = _table(f"Latest events ({feed.total} received)", "time", "event", "subject", "")
    for item in reversed(feed.latest()):
        style = "red" if item.kind == "alert.raised" else ""
        t.add_row(item.at, Text(item.kind, style=style), item.subject, item.text[:90])
    return t


def alerts_table(snap: Snapshot) -> Table:
    t = _table(f"Active alerts ({len(snap.alerts)})", "severity", "kind", "message")
    for a in snap.alerts[:6]:
        t.add_row(str(a.get("severity", "")), str(a.get("kind", "")), str(a.get("message", "")))
    return t


def route_table(path: PathInfo, names: dict[str, str]) -> Table:
    """An explained route (``GET /routes/path``) hop by hop, its bottleneck marked."""
    src, dst = path.get("source", "?"), path.get("target", "?")
    hops = path.get("hops", [])
    title = (
        f"{names.get(src, src)} → {names.get(dst, dst)}: {len(hops)} hops, "
        f"total cost {float(path.get('total_cost', 0.0)):.2f}"
    )
    t = _table(title, "#", "from", "to", "cost", "signal", "")
    worst = max((float(h.get("cost", 0.0)) for h in hops), default=0.0)
    for i, h in enumerate(hops, 1):
        cost = float(h.get("cost", 0.0))
        sig = h.get("signal_dbm")
        t.add_row(
            str(i),
            names.get(h.get("source", ""), h.get("source", "")),
            names.get(h.get("target", ""), h.get("target", "")),
            f"{cost:.2f}",
            f"{sig:g} dBm" if sig is not None else "-",
            "◀ bottleneck" if cost == worst and len(hops) > 1 else "",
        )
    return t


def story_lines(fleet: Fleet, snap: Snapshot) -> list[str]:
    """The scenario as it stands: the degrading link and the node that goes offline."""
    sc, t, names = fleet.scenario, fleet.clock(), fleet.names
    out = []
    if sc.degrade_link:
        lk = next((x for x in snap.links if x.get("id") == sc.degrade_link), None)
        now = f"cost now {link_cost(lk):.2f}" if lk and link_cost(lk) else "cost unknown"
        out.append(f"Link {sc.degrade_link}: {sc.phase(t)}, {now}")
    if sc.offline_node:
        who = names.get(sc.offline_node, sc.offline_node)
        if t < sc.offline_at:
            state = f"goes offline at {sc.offline_at:.0f} s"
        elif t < sc.back_online_at():
            state = f"OFFLINE (power cut) until {sc.back_online_at():.0f} s"
        else:
            state = "back online"
        out.append(f"Node {who}: {state}")
    return out


def render(fleet: Fleet, feed: EventFeed, snap: Snapshot, header: str) -> RenderableType:
    stats = fleet.stats
    t = fleet.clock()
    reports = (
        f"Reports: {stats.sent} sent, {stats.accepted} accepted, {stats.duplicate} duplicate, "
        f"{stats.failed} failed; {stats.per_minute(t):.0f}/min"
    )
    offline = fleet.scenario.offline_node
    down = offline if offline and not fleet.world.online(offline, t) else None
    top = Table.grid(padding=(0, 3))
    top.add_row(nodes_table(snap, down), bands_table(snap), worst_links_table(snap, fleet.names))
    parts: list[RenderableType] = [
        Text(header, style="bold"),
        Text(f"t = {t:5.0f} s   {reports}"),
        *(Text(line) for line in story_lines(fleet, snap)),
        top,
        alerts_table(snap),
        events_table(feed),
    ]
    if snap.error or feed.error:
        parts.append(Text(f"service: {snap.error or feed.error}", style="red"))
    return Group(*parts)


def run_live(
    console: Console,
    api: MeshClient,
    fleet: Fleet,
    feed: EventFeed,
    header: str,
    *,
    until: Callable[[], bool],
    every: float = 1.0,
) -> None:
    """Refresh the view every ``every`` seconds until ``until()`` (or Ctrl-C)."""
    snap = take_snapshot(api)
    with Live(
        render(fleet, feed, snap, header), console=console, refresh_per_second=4, transient=False
    ) as live:
        while not until():
            time.sleep(every)
            snap = take_snapshot(api)
            live.update(render(fleet, feed, snap, header))


def names_of(nodes: Sequence[NodeInfo]) -> dict[str, str]:
    return {n["id"]: str(n.get("name") or n["id"]) for n in nodes}
