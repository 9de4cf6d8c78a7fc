"""Route: pick two nodes (fuzzy search) and see the path hop by hop, with each link's
cost and the bottleneck; ``M`` shows it highlighted on the map.

``f`` (``ctrl+f`` while typing) toggles routes across communities on a service with
federation: the pickers offer every community's nodes, the path comes from
``GET /federation/route`` with its border crossings marked, and a path through a stale
peer shows as unavailable (with the last known path, dimmed)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Static

from topology.client_models import (
    ClientError,
    FederatedGraph,
    FederatedRoute,
    PathInfo,
)
from topology.presentation import BAND_COLOUR, band_of
from tui.screens.base import MeshScreen, guarded
from tui.state import FEDERATION_MISSING, short
from tui.widgets import Picker

COLUMNS = ("#", "from", "to", "link", "cost", "signal", "rate", "")
FED_COLUMNS = ("#", "from", "to", "link", "cost", "status", "")


class RouteScreen(MeshScreen):
    CSS_PATH = "route.tcss"
    TITLE_TEXT = "Route"
    WATCHES = frozenset({"all"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "swap", "Swap ends"),
        Binding("M", "show_on_map", "On map"),
        Binding("escape", "leave_input", "Keys", show=False),
        Binding("f,ctrl+f", "toggle_federation", "Federated", show=False, key_display="f"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._federated = False  # what the table's columns are for

    def body(self) -> ComposeResult:
        with Horizontal(id="route-pickers"):
            yield Picker("from: node name or id", self._node_choices, id="route-from")
            yield Picker("to: node name or id", self._node_choices, id="route-to")
        yield Static("pick two nodes: type, enter takes the first match", id="route-summary",
                     markup=False)  # fmt: skip
        table: DataTable[Text] = DataTable(id="route-hops", cursor_type="row")
        for col in COLUMNS:
            table.add_column(col, key=col or "mark")
        yield table

    def _node_choices(self) -> list[tuple[str, str]]:
        fed = self.mesh.state.fed
        if fed.on:
            return list(fed.nodes().items())
        return [(i, str(n.get("name", ""))) for i, n in self.mesh.state.nodes.items()]

    def redraw(self, changed: set[str]) -> None:
        fed = self.mesh.state.fed
        if fed.on != self._federated:  # turned on or off on the Map
            self._switch(fed.on)
        if fed.on and fed.graph is None:
            self.load_federation()

    def _switch(self, federated: bool) -> None:
        """Set the table up for routes across communities or inside this one."""
        self._federated = federated
        table: DataTable[Text] = self.query_one("#route-hops", DataTable)
        table.clear(columns=True)
        for col in FED_COLUMNS if federated else COLUMNS:
            table.add_column(col, key=col or "mark")
        hint = "across communities (f: this one only)" if federated else "in this community"
        self.query_one("#route-summary", Static).update(
            f"pick two nodes: type, enter takes the first match · routes {hint}"
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#route-from Input").focus()

    @on(Picker.Picked)
    def _picked(self, event: Picker.Picked) -> None:
        source = self.query_one("#route-from", Picker).chosen
        target = self.query_one("#route-to", Picker).chosen
        if event.picker.id == "route-from" and target is None:
            self.query_one("#route-to Input").focus()
            return
        if source is not None and target is not None:
            self.ask(source, target)

    def ask(self, source: str, target: str) -> None:
        """Ask the service for the path (in a worker) and show it."""
        self.query_one("#route-summary", Static).update(
            f"asking for the route {short(source)} → {short(target)}…"
        )
        api = self.mesh.api
        federated = self._federated

        def work() -> None:
            try:
                if federated:
                    found = api.federated_route(source, target)
                else:
                    path = api.route(source, target)
            except ClientError as exc:
                self.app.call_from_thread(self._failed, str(exc))
                return
            if federated:
                self.app.call_from_thread(self.show_federated, found)
            else:
                self.app.call_from_thread(self.show, path)

        self.run_worker(work, thread=True, exclusive=True, group="route", exit_on_error=False)

    def _failed(self, why: str) -> None:
        self.query_one("#route-summary", Static).update(Text(f"no route: {why}", "red"))
        self.query_one("#route-hops", DataTable).clear()

    @guarded
    def show(self, path: PathInfo) -> None:
        self.mesh.route_path = path
        bottleneck = path.get("bottleneck") or {}
        hops = path.get("hops", [])
        summary = Text(f" {short(path.get('source', ''))} → {short(path.get('target', ''))}: ",
                       "bold")  # fmt: skip
        summary.append(f"{len(hops)} hops, total cost {path.get('total_cost', 0):.2f}")
        if bottleneck:
            summary.append(f" · bottleneck {short(str(bottleneck.get('source', '')))}—"
                           f"{short(str(bottleneck.get('target', '')))} "
                           f"cost {bottleneck.get('cost', 0):.2f}", "red")  # fmt: skip
        summary.append(" · M: on the map", "dim")
        self.query_one("#route-summary", Static).update(summary)
        table: DataTable[Text] = self.query_one("#route-hops", DataTable)
        table.clear()
        for i, hop in enumerate(hops, start=1):
            worst = bool(bottleneck) and hop.get("link") == bottleneck.get("link")
            cost = float(hop.get("cost", 0))
            sig, rate = hop.get("signal_dbm"), hop.get("rate_mbps")
            style = "bold red" if worst else ""
            table.add_row(
                Text(str(i)),
                Text(short(str(hop.get("source", ""))), style),
                Text(short(str(hop.get("target", ""))), style),
                Text(f"{hop.get('type', '')}{'' if hop.get('measured') else ' (inventory)'}"),
                Text(f"{cost:.2f}", BAND_COLOUR[band_of(cost)]),
                Text("—" if sig is None else f"{sig:.0f} dBm"),
                Text("—" if rate is None else f"{rate:.0f} Mb/s"),
                Text("◀ bottleneck" if worst else "", "bold red"),
            )

    @guarded
    def show_federated(self, r: FederatedRoute) -> None:
        """A route across communities: border crossings marked; through a stale peer it
        is unavailable, and its last known path (if any) is dimmed."""
        self.mesh.state.fed.route = r
        hops = r.get("hops") or []
        ok = r.get("status") == "ok"
        ends = f" {r.get('source', '')} → {r.get('target', '')}"
        if ok:
            summary = Text(f"{ends}: ", "bold")
            summary.append(f"{len(hops)} hops, total cost {r.get('total_cost') or 0:.2f} · "
                           f"through {' > '.join(r.get('communities', []))}")  # fmt: skip
            summary.append(f" · {r.get('crossings', 0)} border crossing(s)", "bold magenta")
        else:
            summary = Text(f"{ends} unavailable: {r.get('reason') or 'unknown'}", "bold yellow")
            if hops:
                summary.append(" · last known path below", "dim")
        summary.append(" · M: on the map", "dim")
        self.query_one("#route-summary", Static).update(summary)
        table: DataTable[Text] = self.query_one("#route-hops", DataTable)
        table.clear()
        dim = "" if ok else "dim"
        for i, hop in enumerate(hops, start=1):
            cost = float(hop.get("cost", 0))
            border = bool(hop.get("border"))
            mark = f"◀ border {hop.get('from_community')} > {hop.get('to_community')}"
            table.add_row(
                Text(str(i), dim),
                Text(str(hop.get("source", "")), dim),
                Text(str(hop.get("target", "")), dim),
                Text(str(hop.get("type", "")), dim),
                Text(f"{cost:.2f}", dim or BAND_COLOUR[band_of(cost)]),
                Text(str(hop.get("status", "")), dim),
                Text(mark if border else "", "bold magenta"),
            )

    # ------------------------------------------------------------------ federation

    def action_toggle_federation(self) -> None:
        fed = self.mesh.state.fed
        if fed.on:
            fed.on = False
            self._turned()
        else:
            self.load_federation(turn_on=True)

    def load_federation(self, *, turn_on: bool = False) -> None:
        """Ask for the federated graph (its nodes are what the pickers offer)."""

        def failed(why: str, missing: bool) -> None:
            self._not_federated(FEDERATION_MISSING if missing else why, missing)

        def got(graph: FederatedGraph) -> None:
            self._got_graph(graph, turn_on)

        self.fetch(self.mesh.api.federated_graph, got, failed, group="fed")

    def _not_federated(self, why: str, off: bool) -> None:
        """Say why in one line; ``off`` (no federation at all): back to this community."""
        self.notify(why, severity="warning")
        if off and self.mesh.state.fed.on:
            self.mesh.state.fed.on = False
            self._turned()

    def _got_graph(self, graph: FederatedGraph, turn_on: bool) -> None:
        fed = self.mesh.state.fed
        fed.set_graph(graph)
        if turn_on and not fed.on:
            fed.on = True
            self._turned()

    def _turned(self) -> None:
        """The federated view went on or off: new columns, and the route asked again."""
        self._switch(self.mesh.state.fed.on)
        source = self.query_one("#route-from", Picker).chosen
        target = self.query_one("#route-to", Picker).chosen
        if source is not None and target is not None:
            self.ask(source, target)

    def action_swap(self) -> None:
        a, b = self.query_one("#route-from", Picker), self.query_one("#route-to", Picker)
        if a.chosen and b.chosen:
            src, dst = a.chosen, b.chosen
            a.pick(dst)
            b.pick(src)
            self.ask(dst, src)

    def action_leave_input(self) -> None:
        self.query_one("#route-hops", DataTable).focus()

    def action_show_on_map(self) -> None:
        self.app.switch_mode("map")
