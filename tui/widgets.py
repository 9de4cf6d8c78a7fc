"""Widgets shared by screens."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from tui.query import fuzzy_rank
from tui.state import short


class Picker(Vertical):
    """Fuzzy search among (id, label) candidates: type, see the best matches, ``enter``
    takes the first. Posts :class:`Picker.Picked`."""

    DEFAULT_CSS = """
    Picker { height: auto; }
    Picker Input { height: 3; }
    Picker .matches { height: 1; color: $text-muted; }
    """

    class Picked(Message):
        def __init__(self, picker: Picker, ident: str) -> None:
            super().__init__()
            self.picker = picker
            self.ident = ident

    def __init__(
        self,
        placeholder: str,
        candidates: Callable[[], Sequence[tuple[str, str]]],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.placeholder = placeholder
        self.choices = candidates
        self.chosen: str | None = None
        self.matches: list[str] = []

    def compose(self) -> ComposeResult:
        yield Input(placeholder=self.placeholder)
        yield Static("", classes="matches", markup=False)

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self.chosen is not None and event.value == short(self.chosen):
            return
        self.chosen = None
        self.matches = fuzzy_rank(event.value, self.choices(), limit=5)
        shown = "  ".join(short(m) for m in self.matches)
        text = Text(shown or ("no match" if event.value else ""))
        if self.matches:
            text.stylize("bold", 0, len(short(self.matches[0])))
        self.query_one(".matches", Static).update(text)

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        if self.chosen is None:
            if not self.matches:
                self.matches = fuzzy_rank(event.value, self.choices(), limit=5)
            if not self.matches:
                self.query_one(".matches", Static).update(Text("no match", "red"))
                return
            self.pick(self.matches[0])
        if self.chosen is not None:
            self.post_message(self.Picked(self, self.chosen))

    def pick(self, ident: str) -> None:
        """Choose ``ident`` (as if typed and entered, without the message)."""
        self.chosen = ident
        self.query_one(Input).value = short(ident)
        self.query_one(".matches", Static).update(Text(f"✓ {ident}", "green"))
