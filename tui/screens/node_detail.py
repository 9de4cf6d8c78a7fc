"""Node detail: devices and addresses, neighbours (cost, signal, rate, RTT, loss), history
charts of link cost, signal and traffic, and the route to the nearest gateway.

Neighbours come from the app's live state (they follow the event stream); the rest is
asked of the service in a thread worker when the screen opens and every
:data:`RELOAD_S` seconds while it shows.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Sparkline, Static

from topology.client import MeshClient
from topology.client_models import JSON, AllocationInfo, ClientError, NodeInfo, PathInfo
from topology.presentation import BAND_COLOUR, band_of, status_mark
from topology.presentation import measured_cost as link_cost
from tui.actions import NodeActions
from tui.screens.base import MeshScreen
from tui.state import LIVENESS_STYLE, short

RELOAD_S = 15.0
MAX_LINKS = 16  # neighbours whose history is fetched


@dataclass
class Details:
    node: NodeInfo
    addresses: list[AllocationInfo] = field(default_factory=list)
    traffic: list[float] = field(default_factory=list)
    link_points: dict[str, list[JSON]] = field(default_factory=dict)
    route: PathInfo | None = None
    gateway: str | None = None
    problems: list[str] = field(default_factory=list)


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def fetch_details(api: MeshClient, node_id: str, links: list[str], gateway: str | None) -> Details:
    """Everything the screen asks of the service; a failing part is named in ``problems``."""
    d = Details(api.node(node_id))
    try:
        d.addresses = api.node_addresses(node_id)
    except ClientError as exc:
        d.problems.append(f"addresses: {exc}")
    try:
        points = api.node_metrics(node_id).get("points", [])
        totals = [(_num(p.get("rx_bytes")) or 0.0) + (_num(p.get("tx_bytes")) or 0.0)
                  for p in sorted(points, key=lambda p: str(p.get("t", "")))]  # fmt: skip
        d.traffic = [max(0.0, b - a) for a, b in itertools.pairwise(totals)]
    except ClientError as exc:
        d.problems.append(f"history: {exc}")
    for link_id in links[:MAX_LINKS]:
        try:
            pts = api.link_metrics(link_id).get("points", [])
        except ClientError:
            continue
        d.link_points[link_id] = sorted(pts, key=lambda p: str(p.get("t", "")))
    d.gateway = gateway
    if gateway is not None and gateway != node_id:
        try:
            d.route = api.route(node_id, gateway)
        except ClientError as exc:
            d.problems.append(f"route to {short(gateway)}: {exc}")
    return d


class NodeDetailScreen(MeshScreen, NodeActions):
    CSS_PATH = "node_detail.tcss"
    TITLE_TEXT = "Node"
    WATCHES = frozenset({"all", "nodes", "links"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "app.pop_screen", "Back"),
        Binding("M", "show_on_map", "On map", show=False),
        *NodeActions.ACTION_BINDINGS,
    ]

    def __init__(self, node_id: str) -> None:
        super().__init__()
        self.node_id = node_id
        self.details: Details | None = None
        self.link_ids: list[str] = []

    def body(self) -> ComposeResult:
        yield Static("", id="nd-head", markup=False)
        with Horizontal(id="nd-top"):
            info = Vertical(Static("", id="nd-info", markup=False), id="nd-info-box")
            info.border_title = "Devices and addresses"
            yield info
            table: DataTable[Text] = DataTable(id="nd-neigh", cursor_type="row")
            for col in ("neighbour", "cost", "signal", "rate", "rtt", "loss", "live", "type"):
                table.add_column(col, key=col)
            box = Vertical(table, id="nd-neigh-box")
            box.border_title = "Neighbours"
            yield box
        with Horizontal(id="nd-charts"):
            for ident, title in (("cost", "link cost"), ("signal", "signal dBm"),
                                 ("traffic", "traffic bytes")):  # fmt: skip
                chart = Vertical(Sparkline([], id=f"nd-{ident}"), Static("", id=f"nd-{ident}-l"),
                                 classes="chart")  # fmt: skip
                chart.border_title = title
                yield chart
        yield Static("", id="nd-route", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.TITLE_TEXT = f"Node {short(self.node_id)}"
        self.update_chrome()
        self.query_one("#nd-neigh", DataTable).focus()
        self.reload()
        self.set_interval(RELOAD_S, self.reload)

    def reload(self) -> None:
        state = self.mesh.state
        links = list(state.adjacent().get(self.node_id, []))
        gateway = state.nearest_gateway(self.node_id)
        api = self.mesh.api

        def work() -> None:
            try:
                d = fetch_details(api, self.node_id, links, gateway)
            except ClientError as exc:
                self.app.call_from_thread(self._failed, str(exc))
                return
            self.app.call_from_thread(self._show, d)

        self.run_worker(work, thread=True, exclusive=True, group="detail", exit_on_error=False)

    def _failed(self, why: str) -> None:
        self.query_one("#nd-route", Static).update(Text(f"could not load: {why}", "red"))

    def _show(self, d: Details) -> None:
        self.details = d
        self._redraw({"all"})

    def redraw(self, changed: set[str]) -> None:
        s = self.mesh.state
        node = s.nodes.get(self.node_id)
        if node is None:
            self.query_one("#nd-head", Static).update(Text(f"{self.node_id}: gone", "red"))
            return
        sym, colour = status_mark(str(node.get("status", "")))
        head = Text(f" {sym} {node.get('status', '')} ", colour)
        head.append(f" {node.get('name', '')} ", "bold")
        head.append(f"({self.node_id}) · zone {short(str(node.get('zone', '')))}")
        head.append(f" · {node.get('role', '')}")
        if node.get("gateway"):
            head.append(" · ⇡ gateway", "bold cyan")
        pos = node.get("position") or {}
        lat, lon = _num(pos.get("lat")), _num(pos.get("lon"))
        if lat is not None and lon is not None:
            head.append(f" · {lat:.4f}, {lon:.4f}")
        live = s.liveness.get(self.node_id)
        if live:
            lsym, lcol = LIVENESS_STYLE.get(live, ("", ""))
            head.append(f" · {lsym} {live}", lcol)
        self.query_one("#nd-head", Static).update(head)
        self._info(node)
        self._neighbours()
        self._charts()
        self._route()

    def _info(self, node: NodeInfo) -> None:
        text = Text()
        d = self.details
        held = [a.get("prefix", "") for a in d.addresses] if d else []
        held = held or self.mesh.state.addresses.get(self.node_id, [])
        for prefix in held:
            text.append(f"◇ {prefix}\n", "cyan")
        devices = (d.node if d else node).get("devices") or []
        for dev in devices:
            text.append(f"▣ {dev.get('name', dev.get('id', '?'))}", "bold")
            text.append(f" {dev.get('model', '') or dev.get('type', '')}\n", "dim")
            for iface in dev.get("interfaces") or []:
                addrs = " ".join(str(a) for a in iface.get("addresses") or [])
                text.append(f"  {iface.get('name', '')} {addrs}\n")
        if not devices:
            text.append("no devices recorded\n", "dim")
        self.query_one("#nd-info", Static).update(text)

    def _neighbours(self) -> None:
        s = self.mesh.state
        table: DataTable[Text] = self.query_one("#nd-neigh", DataTable)
        cursor = table.cursor_row
        links = sorted(s.adjacent().get(self.node_id, []),
                       key=lambda i: -(link_cost(s.links[i]) or 0))  # fmt: skip
        self.link_ids = links
        table.clear()
        for link_id in links:
            lk = s.links[link_id]
            other = lk.get("b") if lk.get("a") == self.node_id else lk.get("a")
            m = lk.get("metrics") or {}
            cost = link_cost(lk)
            last = (self.details.link_points.get(link_id) or [{}])[-1] if self.details else {}
            rtt, loss = _num(last.get("rtt_ms")), _num(last.get("loss"))
            live = s.liveness.get(link_id, "")
            lsym, lcol = LIVENESS_STYLE.get(live, ("", ""))
            sig, rate = _num(m.get("signal_dbm")), _num(m.get("rate_mbps"))
            table.add_row(
                Text(short(str(other))),
                Text("—" if cost is None else f"{cost:.2f}", BAND_COLOUR[band_of(cost)]),
                Text("—" if sig is None else f"{sig:.0f}"),
                Text("—" if rate is None else f"{rate:.0f}"),
                Text("—" if rtt is None else f"{rtt:.1f}"),
                Text("—" if loss is None else f"{loss:.0%}"),
                Text(f"{lsym} {live}".strip(), lcol),
                Text(str(lk.get("type", ""))),
                key=link_id,
            )
        if links:
            table.move_cursor(row=min(cursor, len(links) - 1), animate=False)

    def _selected_link(self) -> str | None:
        table: DataTable[Text] = self.query_one("#nd-neigh", DataTable)
        if not self.link_ids:
            return None
        return self.link_ids[min(table.cursor_row, len(self.link_ids) - 1)]

    def _charts(self) -> None:
        link_id = self._selected_link()
        points = (self.details.link_points.get(link_id, []) if self.details and link_id else [])
        for key in ("cost", "signal"):
            field_name = "cost" if key == "cost" else "signal_dbm"
            series = [v for p in points if (v := _num(p.get(field_name))) is not None]
            self.query_one(f"#nd-{key}", Sparkline).data = series
            if series:
                label = f"last {series[-1]:.1f}, min {min(series):.1f}, max {max(series):.1f}"
            else:
                label = "no history yet"
            chart = self.query_one(f"#nd-{key}").parent
            if isinstance(chart, Vertical):
                what = "link cost" if key == "cost" else "signal dBm"
                chart.border_title = f"{what} · {short(link_id)}" if link_id else what
            self.query_one(f"#nd-{key}-l", Static).update(Text(label, "dim"))
        traffic = self.details.traffic if self.details else []
        self.query_one("#nd-traffic", Sparkline).data = traffic
        label = f"last {traffic[-1]:,.0f} B / sample" if traffic else "no history yet"
        self.query_one("#nd-traffic-l", Static).update(Text(label, "dim"))

    def _route(self) -> None:
        d = self.details
        text = Text("Route to the nearest gateway: ", "bold")
        if d is None:
            text.append("loading…", "dim")
        elif d.gateway is None:
            text.append("none reachable", "red")
        elif d.gateway == self.node_id:
            text.append("this node is a gateway", "cyan")
        elif d.route is None:
            text.append(f"{short(d.gateway)} (no route: {'; '.join(d.problems)})", "red")
        else:
            text.append(" → ".join(short(n) for n in d.route.get("nodes", [])))
            text.append(f"  (cost {d.route.get('total_cost', 0):.2f})", "dim")
        self.query_one("#nd-route", Static).update(text)

    @on(DataTable.RowHighlighted, "#nd-neigh")
    def _link_picked(self) -> None:
        self._charts()

    @on(DataTable.RowSelected, "#nd-neigh")
    def _open_neighbour(self, event: DataTable.RowSelected) -> None:
        lk = self.mesh.state.links.get(str(event.row_key.value))
        if lk:
            other = lk.get("b") if lk.get("a") == self.node_id else lk.get("a")
            self.mesh.open_node(str(other))

    def action_show_on_map(self) -> None:
        self.mesh.map_focus = self.node_id
        self.app.switch_mode("map")

    def action_target(self) -> str | None:
        return self.node_id
