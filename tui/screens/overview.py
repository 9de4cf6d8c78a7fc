"""Overview: nodes by status, links by quality, gateways and their load, reports
accepted per minute, the newest alerts and the nodes not heard from."""

from __future__ import annotations

import time
from collections import Counter

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.widgets import Sparkline, Static

from topology.presentation import BAND_COLOUR, BAND_NAMES, band_of, status_mark
from topology.presentation import measured_cost as link_cost
from tui.screens.base import MeshScreen
from tui.state import STATUSES, short

KEYS = (" o overview · n nodes · l links · m map · r route · w what-if · a alerts · p peers"
        " · ? keys · t theme")
SEVERITY = {"critical": ("‼", "bold red"), "warning": ("!", "yellow"), "info": ("i", "cyan")}


def _box(title: str, ident: str) -> Vertical:
    box = Vertical(Static("", id=ident, markup=False), classes="box")
    box.border_title = title
    return box


def _bars(rows: list[tuple[str, str, int]], cols: int) -> Table:
    """Label, count and, when there is room, a bar proportional to the count."""
    t = Table.grid(padding=(0, 1))
    label_w = max((len(r[0]) for r in rows), default=0)
    room = cols - label_w - 10
    top = max((r[2] for r in rows), default=0) or 1
    for label, style, n in rows:
        cells = [Text(label, style), Text(f"{n:>7,}" if n else "")]
        if room >= 8:  # narrow panels: no bars, full names
            cells.append(Text("█" * round(n / top * room), style or "dim"))
        t.add_row(*cells)
    return t


class OverviewScreen(MeshScreen):
    CSS_PATH = "overview.tcss"
    TITLE_TEXT = "Overview"
    WATCHES = MeshScreen.WATCHES | {"reports"}

    def body(self) -> ComposeResult:
        with Grid(id="overview"):
            yield _box("Nodes by status", "ov-status")
            yield _box("Links by quality", "ov-bands")
            yield _box("Gateways (nodes served)", "ov-gateways")
            spark = Vertical(
                Static("", id="ov-rate", markup=False),
                Sparkline([0.0], id="ov-spark"),
                classes="box",
            )
            spark.border_title = "Reports/min"
            yield spark
            yield _box("Newest alerts", "ov-alerts")
            yield _box("Not heard from", "ov-unheard")
        yield Static(KEYS, id="ov-keys", markup=False)

    def _room(self) -> tuple[int, int]:
        """Lines and columns inside one panel (they grow with the terminal)."""
        box = self.query_one("#ov-status", Static).parent
        if not isinstance(box, Vertical) or not box.size.height:
            return 5, 24
        return max(3, box.content_size.height), max(20, box.content_size.width)

    def redraw(self, changed: set[str]) -> None:
        s = self.mesh.state
        lines, cols = self._room()
        if changed & {"all", "nodes"}:
            counts = Counter(str(n.get("status", "")) for n in s.nodes.values())
            rows = []
            for status in STATUSES:
                if counts.get(status):
                    sym, colour = status_mark(status)
                    rows.append((f"{sym} {status}", colour, counts[status]))
            self.query_one("#ov-status", Static).update(_bars(rows, cols))
        if changed & {"all", "links", "nodes"}:
            bands = Counter(band_of(link_cost(lk)) for lk in s.links.values())
            rows = [(f"■ {b}", BAND_COLOUR[b], bands.get(b, 0)) for b in BAND_NAMES]
            self.query_one("#ov-bands", Static).update(_bars(rows, cols))
            load = s.gateway_load()
            shown = max(1, lines - 2)
            rows = [(short(g), "bold", n) for g, n in load[:shown]]
            if len(load) > shown:
                rows.append((f"… {len(load) - shown} more", "dim", 0))
            unreachable = len((s.gateways or {}).get("unreachable", []))
            if unreachable:
                rows.append(("no gateway", "red", unreachable))
            self.query_one("#ov-gateways", Static).update(
                _bars(rows, cols) if load else Text("none", "dim")
            )
        minute = int(time.time() // 60)
        series = s.updates_per_minute(minute)
        self.query_one("#ov-spark", Sparkline).data = series
        self.query_one("#ov-rate", Static).update(
            Text(f"now {series[-1]:.0f}/min · events seen {self.mesh.events_seen:,}")
        )
        if changed & {"all", "alerts"}:
            newest = Text()
            for a in s.alerts[:lines]:
                sym, colour = SEVERITY.get(str(a.get("severity")), ("·", ""))
                when = str(a.get("raised_at") or "")[11:16]
                state = "" if a.get("active") else " (cleared)"
                newest.append(f"{sym} ", colour)
                newest.append(f"{when} {a.get('kind', '')} {short(str(a.get('subject', '')))}")
                newest.append(f"{state}\n", "dim")
            self.query_one("#ov-alerts", Static).update(newest if s.alerts else Text("none", "dim"))
        if changed & {"all", "alerts", "nodes"}:
            unheard = s.unheard()
            text = Text()
            shown = max(1, lines - 1)
            for node_id in unheard[:shown]:
                live = s.liveness.get(node_id, "down")
                text.append(f"▼ {short(node_id)} ", "red" if live == "down" else "yellow")
                text.append(f"{live}\n", "dim")
            if len(unheard) > shown:
                text.append(f"… {len(unheard) - shown} more", "dim")
            self.query_one("#ov-unheard", Static).update(text if unheard else Text("none", "dim"))
