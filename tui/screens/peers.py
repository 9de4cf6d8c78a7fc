"""Peers: the federation's other communities, as ``GET /api/v1/federation/peers`` says
(community, URL, key fingerprint, sync status, revision, last sync, error). A service
without federation answers 404, and the screen says so."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from topology.client_models import ClientError, NotFound
from tui.screens.base import MeshScreen, guarded

PEERS = "/api/v1/federation/peers"
RELOAD_S = 10.0
NOT_CONFIGURED = "federation is not configured on this service"
STATUS = {"ok": ("●", "green"), "stale": ("◆", "yellow"), "rejected": ("✕", "red"),
          "never": ("○", "bright_black")}  # fmt: skip


class PeersScreen(MeshScreen):
    CSS_PATH = "peers.tcss"
    TITLE_TEXT = "Peers"
    WATCHES = frozenset()

    def body(self) -> ComposeResult:
        yield Static("asking the service for its federation peers…", id="peers-note",
                     markup=False)  # fmt: skip
        table: DataTable[Text] = DataTable(id="peers-table", cursor_type="row")
        for col in ("status", "community", "revision", "last sync", "stale since", "url",
                    "fingerprint", "error"):  # fmt: skip
            table.add_column(col, key=col)
        yield table

    def on_mount(self) -> None:
        super().on_mount()
        self.load()
        self.set_interval(RELOAD_S, self.load)

    def load(self) -> None:
        api = self.mesh.api

        def work() -> None:
            try:
                peers = api.request("GET", PEERS)
            except NotFound:
                self.app.call_from_thread(self._note, NOT_CONFIGURED)
                return
            except ClientError as exc:
                self.app.call_from_thread(self._note, f"could not ask for peers: {exc}")
                return
            self.app.call_from_thread(self.show, peers)

        self.run_worker(work, thread=True, exclusive=True, group="peers", exit_on_error=False)

    def _note(self, text: str) -> None:
        self.query_one("#peers-note", Static).update(text)
        self.query_one("#peers-table", DataTable).clear()

    @guarded
    def show(self, peers: Any) -> None:
        if not isinstance(peers, list):
            self._note("unexpected answer from the service (not a list of peers)")
            return
        table: DataTable[Text] = self.query_one("#peers-table", DataTable)
        table.clear()
        for p in peers:
            if not isinstance(p, dict):
                continue
            status = str(p.get("status", "never"))
            sym, colour = STATUS.get(status, ("?", "magenta"))

            def cell(key: str, width: int = 60, peer: dict[str, Any] = p) -> Text:
                value = peer.get(key)
                return Text("" if value is None else str(value)[:width])

            table.add_row(
                Text(f"{sym} {status}", colour), cell("community"), cell("revision"),
                Text(str(p.get("last_sync") or "never")[:19]), cell("stale_since", 19),
                cell("url"), Text(str(p.get("fingerprint") or "")[:16], "dim"),
                Text(str(p.get("error") or ""), "red"),
            )  # fmt: skip
        self.query_one("#peers-note", Static).update(
            f" {len(peers)} peer(s) · refreshed every {RELOAD_S:.0f} s"
            if peers
            else " no peers yet"
        )
