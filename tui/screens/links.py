"""Links: worst first (flapping, loss, cost, weak signal), filterable; ``enter`` opens the
link's first end. The rows are rebuilt only when a link changed; the table is virtual
(:class:`tui.vtable.VirtualTable`), so 180,000 links scroll like 30."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Static

from topology.presentation import BAND_COLOUR
from tui.query import LINK_COLUMNS, LinkRow, filter_links, link_rows
from tui.screens.base import MeshScreen
from tui.state import LIVENESS_STYLE, short
from tui.vtable import Cell, VirtualTable

COLUMNS = (("quality", "quality", 12), ("cost", "cost", 6), ("loss", "loss", 5),
           ("signal", "signal", 6),
           ("rate", "rate", 6), ("flaps", "flaps", 5), ("type", "type", 9),
           ("status", "status", 11), ("a", "a", 28), ("b", "b", 28), ("id", "id", 60))  # fmt: skip


def _num(value: float | None, fmt: str) -> str:
    return "—" if value is None else format(value, fmt)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


class LinksScreen(MeshScreen):
    CSS_PATH = "links.tcss"
    TITLE_TEXT = "Links"
    WATCHES = frozenset({"all", "links"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_filter", "Filter"),
        Binding("s", "next_sort", "Sort"),
        Binding("escape", "focus_table", "Table", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sort = "worst"
        self.rows: list[LinkRow] = []
        self._all: list[LinkRow] = []
        self._version = -1

    def body(self) -> ComposeResult:
        yield Input(placeholder="filter links: end names, type, status, quality (poor, fair…)",
                    id="links-filter")  # fmt: skip
        yield VirtualTable(COLUMNS, self.cells, lambda r: r.id, id="links-table")
        yield Static("", id="links-count", markup=False)

    @property
    def table(self) -> VirtualTable[LinkRow]:
        return self.query_one("#links-table", VirtualTable)

    def cells(self, r: LinkRow) -> tuple[Cell, ...]:
        lsym, lcol = LIVENESS_STYLE.get(self.mesh.state.liveness.get(r.id, ""), ("", ""))
        return (
            (f"■ {r.quality}", BAND_COLOUR[r.quality]),
            (_num(r.cost, ".2f"), ""),
            (_pct(r.loss), "red" if (r.loss or 0.0) >= 0.2 else ""),
            (_num(r.signal, ".0f"), ""),
            (_num(r.rate, ".0f"), ""),
            (str(r.flaps) if r.flaps else "", "yellow"),
            (r.type, ""),
            (f"{r.status} {lsym}".strip(), lcol),
            (short(r.a), ""),
            (short(r.b), ""),
            (short(r.id), "dim"),
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.table.focus()

    def redraw(self, changed: set[str]) -> None:
        state = self.mesh.state
        if state.links_version != self._version:
            self._all, self._version = link_rows(state), state.links_version
        query = self.query_one("#links-filter", Input).value
        self.rows = filter_links(self._all, query, self.sort)
        self.table.marks = {} if self.sort == "worst" else {self.sort: " ▲"}
        self.table.set_rows(self.rows, keep=self.table.selected_key())
        self.query_one("#links-count", Static).update(
            f" {len(self.rows):,} links · sorted by {self.sort} · / filter · s sort · "
            "enter opens the first end"
        )

    @on(Input.Changed, "#links-filter")
    def _filter(self) -> None:
        if self.mesh.loaded:
            self.redraw({"links"})

    @on(Input.Submitted, "#links-filter")
    def _done(self) -> None:
        self.table.focus()

    @on(VirtualTable.HeaderSelected, "#links-table")
    def _header(self, event: VirtualTable.HeaderSelected) -> None:
        self.sort = event.column
        self.redraw({"links"})

    @on(VirtualTable.RowSelected, "#links-table")
    def _open(self, event: VirtualTable.RowSelected) -> None:
        link = self.mesh.state.links.get(event.key)
        if link:
            self.mesh.open_node(str(link.get("a")))

    def action_focus_filter(self) -> None:
        self.query_one("#links-filter", Input).focus()

    def action_focus_table(self) -> None:
        self.table.focus()

    def action_next_sort(self) -> None:
        order = ("worst", *LINK_COLUMNS)
        self.sort = order[(order.index(self.sort) + 1) % len(order)]
        self.redraw({"links"})
