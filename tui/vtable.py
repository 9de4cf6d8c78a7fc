"""A virtual table: any number of rows, only the visible ones are ever rendered.

Textual's ``DataTable`` stores and measures every cell as a Rich renderable: fine for a
few hundred rows, too slow to refill on every keystroke at 40,000. :class:`VirtualTable`
keeps the caller's row objects as they are and a function that turns one row into
cells ``(text, style)``; it draws each visible line straight into a
:class:`~textual.strip.Strip` (one segment a cell). Refilling it is a list assignment,
and a repaint costs the same at 40 rows as at 40,000.

Keys: up/down, page up/down, home/end move the cursor; ``enter`` posts
:class:`VirtualTable.RowSelected`; a click on the header posts
:class:`VirtualTable.HeaderSelected` (the screen sorts), a click on a row moves the
cursor there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

R = TypeVar("R")
Cell = tuple[str, str]  # text, Rich style ("" for none)

HEADER = Style(bold=True, underline=True)
CURSOR = Style(reverse=True)
CURSOR_BLURRED = Style(underline=True, bold=True)
SAMPLE = 300  # rows measured to size the columns


class VirtualTable(ScrollView, Generic[R], can_focus=True):
    """See the module docstring. ``columns``: (key, label, widest) per column."""

    DEFAULT_CSS = """
    VirtualTable { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "move(-1000000000)", "First", show=False),
        Binding("end", "move(1000000000)", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
    ]

    class RowSelected(Message):
        def __init__(self, table: VirtualTable[Any], index: int, key: str) -> None:
            super().__init__()
            self.table = table
            self.index = index
            self.key = key

        @property
        def control(self) -> VirtualTable[Any]:
            return self.table

    class HeaderSelected(Message):
        def __init__(self, table: VirtualTable[Any], column: str) -> None:
            super().__init__()
            self.table = table
            self.column = column

        @property
        def control(self) -> VirtualTable[Any]:
            return self.table

    def __init__(
        self,
        columns: Sequence[tuple[str, str, int]],
        cells: Callable[[R], Sequence[Cell]],
        key: Callable[[R], str],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.columns = list(columns)
        self.cells = cells
        self.key_of = key
        self.rows: Sequence[R] = []
        self.cursor = 0
        self.widths = [min(w, max(4, cell_len(label))) for _, label, w in self.columns]
        self.marks: dict[str, str] = {}  # column key -> a sort arrow in its header

    # ------------------------------------------------------------------ data

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def set_rows(self, rows: Sequence[R], keep: str | None = None) -> None:
        """Show ``rows``; the cursor goes to the row whose key is ``keep`` if present."""
        self.rows = rows
        if keep is not None:
            self.cursor = next((i for i, r in enumerate(rows) if self.key_of(r) == keep), 0)
        self.cursor = max(0, min(self.cursor, len(rows) - 1))
        self._measure()
        self.virtual_size = Size(self.size.width, len(rows) + 1)
        self._keep_cursor_visible()
        self.refresh()

    def cell_text(self, index: int, column: int) -> str:
        return self.cells(self.rows[index])[column][0]

    def column_texts(self, column: int) -> list[str]:
        return [self.cells(r)[column][0] for r in self.rows]

    def selected_key(self) -> str | None:
        if not self.rows:
            return None
        return self.key_of(self.rows[self.cursor])

    def _measure(self) -> None:
        """Column widths from the labels and the first :data:`SAMPLE` rows (capped)."""
        widths = [cell_len(label) + len(self.marks.get(k, "")) for k, label, _ in self.columns]
        for r in self.rows[:SAMPLE]:
            for i, (text, _) in enumerate(self.cells(r)):
                widths[i] = max(widths[i], cell_len(text))
        widths = [min(w, cap) for w, (_, _, cap) in zip(widths, self.columns, strict=True)]
        room = self.size.width or 10_000
        while sum(w + 1 for w in widths) > room:  # narrow terminal: shrink the widest
            widest = max(range(len(widths)), key=lambda i: widths[i])
            if widths[widest] <= 8:
                break
            widths[widest] -= 1
        self.widths = widths

    # ------------------------------------------------------------------ drawing

    def on_resize(self) -> None:
        self._measure()
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            labels = [(label + self.marks.get(k, ""), "") for k, label, _ in self.columns]
            return self._strip(labels, HEADER, width)
        index = self.scroll_offset.y + y - 1
        if index >= len(self.rows):
            return Strip.blank(width)
        extra = None
        if index == self.cursor:
            extra = CURSOR if self.has_focus else CURSOR_BLURRED
        return self._strip(self.cells(self.rows[index]), extra, width)

    def _strip(self, cells: Sequence[Cell], extra: Style | None, width: int) -> Strip:
        segments = []
        for (text, style), w in zip(cells, self.widths, strict=False):
            st = Style.parse(style) if style else Style()
            if extra is not None:
                st = st + extra
            segments.append(Segment(set_cell_size(text, w), st))
            segments.append(Segment(" ", extra))
        used = sum(w + 1 for w in self.widths[: len(cells)])
        if used < width:
            segments.append(Segment(" " * (width - used), extra))
        return Strip(segments).crop(0, width)

    # ------------------------------------------------------------------ moving

    def _keep_cursor_visible(self) -> None:
        visible = max(1, self.size.height - 1)
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False)

    def move_to(self, index: int) -> None:
        if self.rows:
            self.cursor = max(0, min(len(self.rows) - 1, index))
            self._keep_cursor_visible()
            self.refresh()

    def action_move(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def action_page(self, step: int) -> None:
        self.move_to(self.cursor + step * max(1, self.size.height - 2))

    def action_select(self) -> None:
        if self.rows:
            key = self.key_of(self.rows[self.cursor])
            self.post_message(self.RowSelected(self, self.cursor, key))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            x = 0
            for (key, _, _), w in zip(self.columns, self.widths, strict=False):
                if x <= event.x < x + w + 1:
                    self.post_message(self.HeaderSelected(self, key))
                    return
                x += w + 1
            return
        index = int(self.scroll_offset.y) + event.y - 1
        if 0 <= index < len(self.rows):
            if index == self.cursor and event.chain > 1:
                self.action_select()
            self.move_to(index)
