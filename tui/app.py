"""The stewards' TUI: :class:`MeshApp` over a running service, and :func:`run_app`.

The app talks to the service only over HTTP: :class:`tui.feed.Feed` loads a snapshot and
streams events on its own thread; the app drains its queue every ``refresh_s`` seconds
on the UI thread, folds the events into :class:`tui.state.NetState` and tells the
screen on show what changed. Requests a screen makes (a route, a what-if, a node's
history, a management action) run in Textual thread workers with :attr:`MeshApp.api`.

Screens are Textual modes (each keeps its own stack, so a node's detail opened from the
map returns to the map): ``o`` Overview, ``n`` Nodes, ``l`` Links, ``m`` Map, ``r``
Route, ``w`` What-if, ``a`` Alerts, ``p`` Peers (also ``1``-``8`` and the command
palette, ``ctrl+p``); ``?`` shows the keys, ``t`` switches light/dark.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from topology.client import MeshClient
from topology.client_models import PathInfo, ServerEvent
from tui.feed import Connection, Feed, Snapshot, Who
from tui.screens.alerts import AlertsScreen
from tui.screens.base import MeshScreen
from tui.screens.links import LinksScreen
from tui.screens.map import MapScreen
from tui.screens.nodes import NodesScreen
from tui.screens.overview import OverviewScreen
from tui.screens.peers import PeersScreen
from tui.screens.route import RouteScreen
from tui.screens.whatif import WhatIfScreen
from tui.state import NetState

SCREENS_BY_KEY: tuple[tuple[str, str, str], ...] = (
    ("o", "overview", "Overview"),
    ("n", "nodes", "Nodes"),
    ("l", "links", "Links"),
    ("m", "map", "Map"),
    ("r", "route", "Route"),
    ("w", "whatif", "What-if"),
    ("a", "alerts", "Alerts"),
    ("p", "peers", "Peers"),
)
DARK, LIGHT = "textual-dark", "textual-light"


class MeshApp(App[None]):
    """The TUI on the service at ``url`` (``token``: a bearer token, or ``None``).

    ``feed``: where data comes from (default a :class:`Feed` on ``url``; the benchmark
    and tests may pass their own); ``refresh_s``: how often events are applied.
    """

    TITLE = "meshcommons"
    CSS_PATH = "screens/base.tcss"
    MODES: ClassVar[dict[str, type[Screen[None]]]] = {  # type: ignore[assignment]
        "overview": OverviewScreen,
        "nodes": NodesScreen,
        "links": LinksScreen,
        "map": MapScreen,
        "route": RouteScreen,
        "whatif": WhatIfScreen,
        "alerts": AlertsScreen,
        "peers": PeersScreen,
    }
    DEFAULT_MODE = "overview"
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(k, f"switch_mode('{m}')", label, show=False) for k, m, label in SCREENS_BY_KEY),
        *(
            Binding(str(i), f"switch_mode('{m}')", label, show=False)
            for i, (_, m, label) in enumerate(SCREENS_BY_KEY, start=1)
        ),
        Binding("question_mark", "toggle_help", "Keys"),
        Binding("t", "toggle_theme", "Theme", show=False),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        feed: Feed | None = None,
        refresh_s: float = 0.25,
        theme: str = DARK,
    ) -> None:
        super().__init__()
        self.url = url
        self.token = token
        self.api = MeshClient(url, token, timeout=10.0)
        self.feed = feed if feed is not None else Feed(url, token)
        self.refresh_s = refresh_s
        self.state = NetState()
        self.loaded = False
        self.connected: bool | None = None
        self.reason = ""
        self.who = Who("public" if not token else "unknown")
        self.route_path: PathInfo | None = None  # highlighted on the map
        self.map_focus: str | None = None  # a node the map should centre on when shown
        self.events_seen = 0
        self.theme = theme

    # ------------------------------------------------------------------ lifecycle

    def on_mount(self) -> None:
        self.feed.start()
        self.set_interval(self.refresh_s, self.drain)

    def on_unmount(self) -> None:
        self.feed.stop()
        self.api.close()

    def drain(self) -> set[str]:
        """Apply what the feed brought; tell the screen on show. Returns what changed."""
        changed: set[str] = set()
        minute = int(time.time() // 60)
        for msg in self.feed.drain():
            if isinstance(msg, Snapshot):
                self.state.load(
                    community=msg.community,
                    nodes=msg.nodes,
                    links=msg.links,
                    alerts=msg.alerts,
                    gateways=msg.gateways,
                    allocations=msg.allocations,
                )
                self.loaded = True
                changed |= {"all", "conn"}
            elif isinstance(msg, Connection):
                self.connected, self.reason = msg.up, msg.reason
                changed.add("conn")
            elif isinstance(msg, Who):
                self.who = msg
                changed.add("conn")
            elif isinstance(msg, ServerEvent):
                self.events_seen += 1
                what = self.state.apply(msg, minute)
                if what == "reload":
                    self.feed.reload()
                elif what:
                    changed.add(what)
        if changed:
            screen = self.screen
            if isinstance(screen, MeshScreen):
                screen.data_changed(changed)
        return changed

    # ------------------------------------------------------------------ actions

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK
        self.screen.refresh(repaint=True, recompose=False)
        for canvas in self.screen.query("MapCanvas"):
            canvas.refresh()

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def open_node(self, node_id: str) -> None:
        """Push the detail screen of ``node_id`` on the current mode's stack."""
        from tui.screens.node_detail import NodeDetailScreen

        if node_id in self.state.nodes:
            self.push_screen(NodeDetailScreen(node_id))
        else:
            self.notify(f"node {node_id} is not known", severity="warning")

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for key, mode, label in SCREENS_BY_KEY:
            yield SystemCommand(
                f"Screen: {label}",
                f"Show the {label} screen (key {key})",
                lambda m=mode: self.switch_mode(m),
            )
        yield SystemCommand("Theme", "Switch light/dark (key t)", self.action_toggle_theme)
        yield SystemCommand("Reload", "Load everything again from the service", self.feed.reload)


def run_app(url: str, token: str | None = None) -> None:
    """Run the TUI on the service at ``url`` until the user quits."""
    MeshApp(url, token).run()
