"""Nodes: every node in a table, filtered as you type and sorted by any column.

The filter and the sort run over all nodes in memory (:mod:`tui.query`); the table is a
:class:`tui.vtable.VirtualTable`, which renders only the rows on screen, so a keystroke
costs about the same at 40,000 nodes as at 40. Status shows as colour *and* symbol.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Static

from topology.presentation import status_mark
from tui.actions import NodeActions
from tui.query import NODE_COLUMNS, filter_nodes, keep_matching, narrows
from tui.screens.base import MeshScreen
from tui.state import LIVENESS_STYLE, NodeRow, short
from tui.vtable import Cell, VirtualTable

#: (key, header, widest) of the table's columns.
COLUMNS = (("status", "status", 11), ("name", "name", 34), ("id", "id", 26),
           ("zone", "zone", 14), ("role", "role", 14), ("live", "live", 8),
           ("addresses", "addresses", 60))  # fmt: skip


def node_cells(r: NodeRow) -> tuple[Cell, ...]:
    sym, colour = status_mark(r.status)
    live_sym, live_colour = LIVENESS_STYLE.get(r.liveness, ("", ""))
    return (
        (f"{sym} {r.status}", colour),
        (r.name, ""),
        (short(r.id), "dim"),
        (r.zone, ""),
        (r.role + (" ⇡gw" if r.gateway else ""), ""),
        (f"{live_sym} {r.liveness}".strip(), live_colour),
        (r.addresses, "dim"),
    )


def node_key(r: NodeRow) -> str:
    return r.id


class NodesScreen(MeshScreen, NodeActions):
    CSS_PATH = "nodes.tcss"
    TITLE_TEXT = "Nodes"
    WATCHES = frozenset({"all", "nodes"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_filter", "Filter"),
        Binding("s", "next_sort", "Sort"),
        Binding("S", "reverse_sort", "Reverse", show=False),
        Binding("escape", "focus_table", "Table", show=False),
        *NodeActions.ACTION_BINDINGS,
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sort = "name"
        self.reverse = False
        self.rows: list[NodeRow] = []
        self._made_from: tuple[object, ...] = ()  # what self.rows was computed from

    def body(self) -> ComposeResult:
        yield Input(placeholder="filter: name, zone, status, address (status:work zone:gorham)",
                    id="nodes-filter")  # fmt: skip
        yield VirtualTable(COLUMNS, node_cells, node_key, id="nodes-table")
        yield Static("", id="nodes-count", markup=False)

    @property
    def table(self) -> VirtualTable[NodeRow]:
        return self.query_one("#nodes-table", VirtualTable)

    def on_mount(self) -> None:
        super().on_mount()
        self.table.focus()

    def redraw(self, changed: set[str]) -> None:
        self.refilter(keep=self.table.selected_key())

    def refilter(self, keep: str | None = None) -> None:
        query = self.query_one("#nodes-filter", Input).value
        every = self.mesh.state.node_rows()
        basis = (id(every), self.sort, self.reverse)
        if self._made_from[:3] == basis and narrows(str(self._made_from[3]), query):
            self.rows = keep_matching(self.rows, query)  # typing on: filter the last result
        else:
            self.rows = filter_nodes(every, query, self.sort, self.reverse)
        self._made_from = (*basis, query)
        table = self.table
        table.marks = {self.sort: " ▼" if self.reverse else " ▲"}
        table.set_rows(self.rows, keep=keep)
        total = len(self.mesh.state.nodes)
        self.query_one("#nodes-count", Static).update(
            f" {len(self.rows):,} matching ({total:,} nodes) · sorted by {self.sort} · "
            "/ filter · s sort · enter details · c status · ? keys"
        )

    @on(Input.Changed, "#nodes-filter")
    def _filter_changed(self) -> None:
        if self.mesh.loaded:
            self.refilter()

    @on(Input.Submitted, "#nodes-filter")
    def _filter_done(self) -> None:
        self.table.focus()

    @on(VirtualTable.HeaderSelected, "#nodes-table")
    def _header(self, event: VirtualTable.HeaderSelected) -> None:
        self.reverse = not self.reverse if event.column == self.sort else False
        self.sort = event.column
        self.refilter(keep=self.table.selected_key())

    @on(VirtualTable.RowSelected, "#nodes-table")
    def _open(self, event: VirtualTable.RowSelected) -> None:
        self.mesh.open_node(event.key)

    def action_focus_filter(self) -> None:
        self.query_one("#nodes-filter", Input).focus()

    def action_focus_table(self) -> None:
        self.table.focus()

    def action_next_sort(self) -> None:
        i = NODE_COLUMNS.index(self.sort) if self.sort in NODE_COLUMNS else -1
        self.sort, self.reverse = NODE_COLUMNS[(i + 1) % len(NODE_COLUMNS)], False
        self.refilter(keep=self.table.selected_key())

    def action_reverse_sort(self) -> None:
        self.reverse = not self.reverse
        self.refilter(keep=self.table.selected_key())

    def action_target(self) -> str | None:
        return self.table.selected_key()
