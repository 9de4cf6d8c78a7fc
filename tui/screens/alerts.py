"""Alerts: node down, link degraded or stale, gateway lost, address conflicts; newest
first, with time, state and acknowledgement. ``k`` acknowledges, ``enter`` jumps to the
node (a link's first end), ``f`` shows active ones only or all."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from tui.actions import perform
from tui.screens.base import MeshScreen
from tui.screens.overview import SEVERITY
from tui.state import short


class AlertsScreen(MeshScreen):
    CSS_PATH = "alerts.tcss"
    TITLE_TEXT = "Alerts"
    WATCHES = frozenset({"all", "alerts"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k", "ack", "Acknowledge"),
        Binding("f", "toggle_active", "Active/all"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.active_only = False

    def body(self) -> ComposeResult:
        table: DataTable[Text] = DataTable(id="alerts-table", cursor_type="row", zebra_stripes=True)
        for col in ("", "raised", "kind", "subject", "state", "message"):
            table.add_column(col, key=col or "sev")
        yield table
        yield Static("", id="alerts-count", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#alerts-table", DataTable).focus()

    def redraw(self, changed: set[str]) -> None:
        s = self.mesh.state
        table: DataTable[Text] = self.query_one("#alerts-table", DataTable)
        cursor = table.cursor_row
        table.clear()
        shown = s.active_alerts() if self.active_only else s.alerts
        for a in shown:
            sym, colour = SEVERITY.get(str(a.get("severity")), ("·", ""))
            raised = str(a.get("raised_at") or "").replace("T", " ")[:16]
            if a.get("acknowledged_at"):
                state = Text("✓ acked", "dim")
            elif a.get("active"):
                state = Text("● active", "bold red")
            else:
                state = Text("○ cleared", "green")
            table.add_row(
                Text(sym, colour), Text(raised), Text(str(a.get("kind", "")), colour),
                Text(short(str(a.get("subject", "")))), state, Text(str(a.get("message", ""))),
                key=str(a.get("id")),
            )  # fmt: skip
        if shown:
            table.move_cursor(row=min(cursor, len(shown) - 1), animate=False)
        active = len(s.active_alerts())
        self.query_one("#alerts-count", Static).update(
            f" {len(shown)} shown, {active} active · k acknowledge · enter go to node · f "
            + ("show all" if self.active_only else "active only")
        )

    def _selected(self) -> dict[str, object] | None:
        table: DataTable[Text] = self.query_one("#alerts-table", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((dict(a) for a in self.mesh.state.alerts if str(a.get("id")) == key), None)

    def action_ack(self) -> None:
        alert = self._selected()
        if alert is None:
            return
        ident = alert.get("id")
        if not isinstance(ident, int):
            return
        api = self.mesh.api
        perform(self, f"acknowledge alert {ident}", lambda: api.ack_alert(ident))

    def action_toggle_active(self) -> None:
        self.active_only = not self.active_only
        self.redraw({"alerts"})

    @on(DataTable.RowSelected, "#alerts-table")
    def _jump(self) -> None:
        alert = self._selected()
        if alert is None:
            return
        subject = str(alert.get("subject", ""))
        s = self.mesh.state
        if subject in s.nodes:
            self.mesh.open_node(subject)
        elif subject in s.links:
            self.mesh.open_node(str(s.links[subject].get("a")))
        else:
            self.app.notify(f"{subject} is not a node or a link", severity="warning")
