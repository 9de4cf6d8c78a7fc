"""Route: pick two nodes (fuzzy search) and see the path hop by hop, with each link's
cost and the bottleneck; ``m`` shows it highlighted on the map."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Static

from topology.client_models import ClientError, PathInfo
from topology.presentation import BAND_COLOUR, band_of
from tui.screens.base import MeshScreen, guarded
from tui.state import short
from tui.widgets import Picker


class RouteScreen(MeshScreen):
    CSS_PATH = "route.tcss"
    TITLE_TEXT = "Route"
    WATCHES = frozenset({"all"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "swap", "Swap ends"),
        Binding("M", "show_on_map", "On map"),
        Binding("escape", "leave_input", "Keys", show=False),
    ]

    def body(self) -> ComposeResult:
        with Horizontal(id="route-pickers"):
            yield Picker("from: node name or id", self._node_choices, id="route-from")
            yield Picker("to: node name or id", self._node_choices, id="route-to")
        yield Static("pick two nodes: type, enter takes the first match", id="route-summary",
                     markup=False)  # fmt: skip
        table: DataTable[Text] = DataTable(id="route-hops", cursor_type="row")
        for col in ("#", "from", "to", "link", "cost", "signal", "rate", ""):
            table.add_column(col, key=col or "mark")
        yield table

    def _node_choices(self) -> list[tuple[str, str]]:
        return [(i, str(n.get("name", ""))) for i, n in self.mesh.state.nodes.items()]

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

        def work() -> None:
            try:
                path = api.route(source, target)
            except ClientError as exc:
                self.app.call_from_thread(self._failed, str(exc))
                return
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
