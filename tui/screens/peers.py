"""Peers: the federation's other communities, as ``GET /api/v1/federation/peers`` says
(sync status by symbol and colour, revision, last sync and since when stale, with their
age, URL, key fingerprint, error). Asked again on show and every :data:`RELOAD_S` while
shown, keeping the cursor; an unreachable service keeps the last answer on screen. A
service without federation answers 404, and the screen says so."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from topology.client_models import PeerInfo
from tui.screens.base import MeshScreen, guarded
from tui.state import FEDERATION_MISSING

RELOAD_S = 10.0
STATUS = {"ok": ("●", "green"), "stale": ("◆", "yellow"), "rejected": ("✕", "red"),
          "never": ("○", "bright_black")}  # fmt: skip
COLUMNS = ("status", "community", "revision", "last sync", "stale since", "url",
           "fingerprint", "error")  # fmt: skip


def when(iso: str | None, now: datetime) -> str:
    """``2026-11-27 17:50:12 (3 min ago)`` from an ISO time ('' for none)."""
    if not iso:
        return ""
    try:
        t = datetime.fromisoformat(iso)
    except ValueError:
        return iso[:19]
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    s = max(0, int((now - t).total_seconds()))
    age = f"{s} s" if s < 120 else f"{s // 60} min" if s < 7200 else f"{s // 3600} h"
    return f"{t.astimezone(UTC):%Y-%m-%d %H:%M:%S} ({age} ago)"


class PeersScreen(MeshScreen):
    CSS_PATH = "peers.tcss"
    TITLE_TEXT = "Peers"
    WATCHES = frozenset()

    def body(self) -> ComposeResult:
        yield Static("asking the service for its federation peers…", id="peers-note",
                     markup=False)  # fmt: skip
        table: DataTable[Text] = DataTable(id="peers-table", cursor_type="row")
        for col in COLUMNS:
            table.add_column(col, key=col)
        yield table

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(RELOAD_S, self._tick)

    def on_screen_resume(self) -> None:  # Textual calls MeshScreen's too (MRO dispatch)
        self.load()

    def _tick(self) -> None:
        if self.is_current:  # no polling of the service for a screen nobody sees
            self.load()

    def load(self) -> None:
        """Ask for the peers (in a worker) and show them."""

        def failed(why: str, missing: bool) -> None:
            if missing:
                self._note(FEDERATION_MISSING, clear=True)
            else:
                self._note(f"could not ask for peers: {why}")

        self.fetch(self.mesh.api.peers, self.show, failed, group="peers")

    def _note(self, text: str, *, clear: bool = False) -> None:
        """One line above the table; a lost answer keeps the last table shown."""
        table: DataTable[Text] = self.query_one("#peers-table", DataTable)
        if table.row_count and not clear:
            text += " (showing the last answer)"
        self.query_one("#peers-note", Static).update(text)
        if clear:
            table.clear()

    @guarded
    def show(self, peers: list[PeerInfo]) -> None:
        if not isinstance(peers, list):
            self._note("unexpected answer from the service (not a list of peers)", clear=True)
            return
        table: DataTable[Text] = self.query_one("#peers-table", DataTable)
        row = table.cursor_row  # a reload every few seconds must not move the cursor
        table.clear()
        now = datetime.now(UTC)
        for p in peers:
            if not isinstance(p, dict):
                continue
            status = str(p.get("status", "never"))
            sym, colour = STATUS.get(status, ("?", "magenta"))
            revision = p.get("revision")
            table.add_row(
                Text(f"{sym} {status}", colour),
                Text(str(p.get("community", ""))),
                Text("—" if revision is None else str(revision)),
                Text(when(p.get("last_sync"), now) or "never"),
                Text(when(p.get("stale_since"), now), "yellow"),
                Text(str(p.get("url", ""))[:60]),
                Text(str(p.get("fingerprint") or "")[:16], "dim"),
                Text(str(p.get("error") or ""), "red"),
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        stale = sum(1 for p in peers if isinstance(p, dict) and p.get("status") != "ok")
        self.query_one("#peers-note", Static).update(
            f" {len(peers)} peer(s), {stale} not ok · refreshed every {RELOAD_S:.0f} s"
            if peers
            else " no peers yet"
        )
