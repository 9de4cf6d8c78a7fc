"""What-if: choose a node or a link to remove; see who loses reach or their gateway, and
who changes gateway (their new route's end). Nothing changes on the service."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static

from topology.client_models import ClientError, WhatIfInfo
from tui.screens.base import MeshScreen, guarded
from tui.state import short
from tui.widgets import Picker


class WhatIfScreen(MeshScreen):
    CSS_PATH = "whatif.tcss"
    TITLE_TEXT = "What-if"
    WATCHES = frozenset({"all"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave_input", "Keys", show=False),
    ]

    def action_leave_input(self) -> None:
        self.query_one("#wi-reach", DataTable).focus()

    def body(self) -> ComposeResult:
        yield Picker("remove which node or link? (name or id)", self._candidates, id="wi-pick")
        yield Static("", id="wi-summary", markup=False)
        with Horizontal(id="wi-results"):
            for ident, title, cols in (
                ("wi-reach", "Lose reach", ("node", "zone")),
                ("wi-gateway", "Lose their gateway", ("node", "zone")),
                ("wi-changed", "Change gateway", ("node", "before", "after")),
            ):
                table: DataTable[Text] = DataTable(id=ident, cursor_type="row")
                for c in cols:
                    table.add_column(c, key=c)
                box = Vertical(table, classes="wi-box")
                box.border_title = title
                yield box

    def _candidates(self) -> list[tuple[str, str]]:
        s = self.mesh.state
        nodes = [(i, str(n.get("name", ""))) for i, n in s.nodes.items()]
        links = [(i, f"link {short(str(lk.get('a')))} {short(str(lk.get('b')))}")
                 for i, lk in s.links.items()]  # fmt: skip
        return nodes + links

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#wi-pick Input").focus()

    @on(Picker.Picked)
    def _picked(self, event: Picker.Picked) -> None:
        self.ask(event.ident)

    def ask(self, ident: str) -> None:
        is_node = ident in self.mesh.state.nodes
        self.query_one("#wi-summary", Static).update(f"what if {short(ident)} failed…")
        api = self.mesh.api

        def work() -> None:
            try:
                info = api.whatif(node=ident) if is_node else api.whatif(link=ident)
            except ClientError as exc:
                self.app.call_from_thread(self._failed, str(exc))
                return
            self.app.call_from_thread(self.show, info)

        self.run_worker(work, thread=True, exclusive=True, group="whatif", exit_on_error=False)

    def _failed(self, why: str) -> None:
        self.query_one("#wi-summary", Static).update(Text(f"could not ask: {why}", "red"))

    @guarded
    def show(self, info: WhatIfInfo) -> None:
        s = self.mesh.state
        reach, lost_gw = info.get("lost_reach", []), info.get("lost_gateway", [])
        changed = info.get("changed_gateway", [])
        text = Text(f" without {info.get('kind', '')} {short(str(info.get('removed', '')))}: ",
                    "bold")  # fmt: skip
        if info.get("harmless"):
            text.append("harmless, nobody loses reach or a gateway", "green")
        else:
            text.append(f"{len(reach)} lose reach, {len(lost_gw)} lose their gateway", "red")
        text.append(f", {len(changed)} change gateway · components "
                    f"{info.get('components_before', '?')} → {info.get('components_after', '?')}")
        self.query_one("#wi-summary", Static).update(text)

        def zone(n: str) -> Text:
            return Text(short(str(s.nodes.get(n, {}).get("zone", ""))), "dim")

        for ident, nodes in (("#wi-reach", reach), ("#wi-gateway", lost_gw)):
            table: DataTable[Text] = self.query_one(ident, DataTable)
            table.clear()
            for n in nodes:
                table.add_row(Text(short(n), "red"), zone(n), key=n)
        table = self.query_one("#wi-changed", DataTable)
        table.clear()
        for ch in changed:
            table.add_row(Text(short(ch["node"])), Text(short(ch["before"]), "dim"),
                          Text(short(ch["after"]), "yellow"), key=ch["node"])  # fmt: skip

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.mesh.open_node(str(event.row_key.value))
