"""Map: nodes and links on a braille canvas, links coloured by quality.

Arrow keys (or h j k l) pan, ``+``/``-`` zoom, ``0`` fits the network, ``enter`` opens
the node nearest to the cross-hair in the middle. The route of the Route screen is drawn
in magenta on top. Drawing is :func:`tui.canvas.draw` (vectorised, thinned when zoomed
out); the scene is rebuilt only when nodes or links changed.

``f`` toggles the federated view (a service with federation): this community and its
peers' nodes from ``GET /federation/graph``, other communities' nodes as ``◇`` (``◌``
from a stale peer, dimmed), border links dashed, Route's path across them in magenta.
"""

from __future__ import annotations

import itertools
import math
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import Static

from topology.client_models import FederatedGraph
from topology.presentation import band_of
from topology.presentation import measured_cost as link_cost
from tui.canvas import (
    FED_STYLES,
    FOREIGN,
    LAYERS,
    LIGHT_FED_STYLES,
    LIGHT_LAYERS,
    OWN,
    STALE,
    Frame,
    Projection,
    Scene,
    View,
    draw,
    nearest,
)
from tui.screens.base import MeshScreen, guarded
from tui.state import FEDERATION_MISSING, NetState, short

PAN = 0.2  # of the view per key press
ZOOM = 1.5
FED_RELOAD_S = 10.0  # the federated graph changes when peers sync (minutes apart)
NOT_FEDERATED = f"f: {FEDERATION_MISSING}"
FED_LEGEND = "federated: ◇ other community ◌ stale ┄ border"


def build_scene(state: NetState) -> Scene:
    nodes = []
    for ident, n in state.nodes.items():
        pos = n.get("position") or {}
        lat, lon = pos.get("lat"), pos.get("lon")
        if isinstance(lat, int | float) and isinstance(lon, int | float):
            nodes.append((ident, float(lat), float(lon)))
    links = [(str(lk.get("a")), str(lk.get("b")), band_of(link_cost(lk)))
             for lk in state.links.values()]  # fmt: skip
    return Scene.build(nodes, links)


def build_federated_scene(graph: FederatedGraph) -> Scene:
    """The federated graph: other communities' nodes marked, stale peers' apart."""
    nodes, marks = [], []
    for n in graph.get("nodes", []):
        lat, lon = n.get("lat"), n.get("lon")
        if isinstance(lat, int | float) and isinstance(lon, int | float):
            nodes.append((str(n.get("id")), float(lat), float(lon)))
            marks.append(OWN if n.get("own") else STALE if n.get("stale") else FOREIGN)
    found = graph.get("links", [])
    links = [(str(lk.get("a")), str(lk.get("b")), band_of(lk.get("cost"))) for lk in found]
    borders = [bool(lk.get("border")) for lk in found]
    return Scene.build(nodes, links, marks=marks, borders=borders)


class MapCanvas(Widget):
    """Draws the scene at the widget's size; the cross-hair is its middle cell."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.scene: Scene | None = None
        self.view: View | None = None
        self.route: list[str] = []
        self.frame: Frame | None = None
        self.draw_s = 0.0

    def cross(self) -> tuple[int, int]:
        return self.size.width // 2, self.size.height // 2

    def render(self) -> RenderableType:
        if self.scene is None or len(self.scene.ids) == 0:
            return Text("no positions to draw yet", "dim")
        width, height = self.size.width, self.size.height
        if self.view is None:  # first drawing: now the size is known
            self.fit()
        assert self.view is not None
        index = {ident: i for i, ident in enumerate(self.scene.ids)}
        path = [index[n] for n in self.route if n in index]
        self.frame = draw(
            self.scene,
            self.view,
            width,
            height,
            highlight_nodes=path,
            highlight_links=list(itertools.pairwise(path)),
            cursor=self.cross(),
            layers=LAYERS if self.app.current_theme.dark else LIGHT_LAYERS,
            fed_styles=FED_STYLES if self.app.current_theme.dark else LIGHT_FED_STYLES,
        )
        return Group(*self.frame.lines)

    def fit(self) -> None:
        if self.scene is not None:
            w, h = max(1, self.size.width), max(1, self.size.height)
            self.view = self.scene.fit(aspect=(w * 2) / (h * 4))

    def nearest_node(self) -> str | None:
        if self.scene is None or self.view is None:
            return None
        proj = Projection(self.view, self.size.width, self.size.height)
        col, row = self.cross()
        lat, lon = proj.lat_lon_of_cell(col, row)
        i = nearest(self.scene, lat, lon)
        return None if i is None else self.scene.ids[i]


class MapScreen(MeshScreen):
    CSS_PATH = "map.tcss"
    TITLE_TEXT = "Map"
    WATCHES = frozenset({"all", "nodes", "links"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "pan(-1, 0)", "Pan", show=False),
        Binding("right", "pan(1, 0)", "Pan", show=False),
        Binding("up,k", "pan(0, 1)", "Pan", show=False),
        Binding("down,j", "pan(0, -1)", "Pan", show=False),
        Binding("plus,equals_sign", "zoom(1)", "Zoom in"),
        Binding("minus", "zoom(-1)", "Zoom out"),
        Binding("0", "fit", "Fit"),
        Binding("enter", "open", "Open node"),
        Binding("c", "clear_route", "Clear route", show=False),
        Binding("f", "toggle_federation", "Federated", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._scene_version = (-1, -1)
        self._fed_version = -1  # of the federated graph drawn (-1: the own network)
        self._note = ""  # why the federated view failed, in the status bar

    def body(self) -> ComposeResult:
        yield MapCanvas(id="map-canvas")
        yield Static("", id="map-status", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#map-canvas", MapCanvas).focus()
        self.set_interval(FED_RELOAD_S, self._reload_federation)

    def redraw(self, changed: set[str]) -> None:
        canvas = self.query_one("#map-canvas", MapCanvas)
        s = self.mesh.state
        fed = s.fed
        if fed.on and fed.graph is None:
            self.load_federation()
        if fed.on and fed.graph is not None:
            if fed.version != self._fed_version:
                canvas.scene = build_federated_scene(fed.graph)
                if self._fed_version == -1:  # peers may lie outside the own network's view
                    canvas.view = None  # fitted when next drawn, at the canvas's real size
                self._fed_version = fed.version
                self._scene_version = (-1, -1)
            canvas.route = list((fed.route or {}).get("nodes", []))
        else:
            version = (s.nodes_version, s.links_version)
            if version != self._scene_version:
                canvas.scene = build_scene(s)
                if self._fed_version != -1:
                    canvas.view = None
                self._scene_version = version
                self._fed_version = -1
            route = self.mesh.route_path
            canvas.route = list(route.get("nodes", [])) if route else []
        focus = self.mesh.map_focus
        if focus is not None and canvas.view is None:
            canvas.fit()
        if focus is not None and canvas.view is not None:
            self.mesh.map_focus = None
            pos = s.nodes.get(focus, {}).get("position") or {}
            if "lat" in pos and "lon" in pos:
                canvas.view = View(pos["lat"], pos["lon"], canvas.view.span_lon).zoom(1)
        canvas.refresh()
        self.call_after_refresh(self._status)

    def _status(self) -> None:
        canvas = self.query_one("#map-canvas", MapCanvas)
        f, v = canvas.frame, canvas.view
        if f is None or v is None:
            return
        km = v.span_lon * 111.32 * abs(math.cos(math.radians(v.lat)))
        near = canvas.nearest_node()
        if near and self._fed_version != -1 and near not in self.mesh.state.nodes:
            text = f" ╋ {near}"  # another community's: keep its community
        else:
            text = f" ╋ {short(near)}" if near else " "
        if self._fed_version != -1:
            text += f" · {FED_LEGEND}"
        text += f" · {km:,.1f} km wide · {f.nodes_shown:,} nodes, {f.links_shown:,} links"
        if f.thinned:
            text += f" ({f.thinned:,} thinned)"
        if canvas.route:
            text += " · route in magenta (c clears)"
        text += f" · {v.lat:.3f}, {v.lon:.3f}"
        if self._note:
            text = f" {self._note} ·{text}"
        self.query_one("#map-status", Static).update(text)

    # ------------------------------------------------------------------ federation

    def action_toggle_federation(self) -> None:
        fed = self.mesh.state.fed
        self._note = ""
        if fed.on:
            fed.on = False
            self._redraw({"all"})
        else:
            self.load_federation(turn_on=True)

    def _reload_federation(self) -> None:
        if self.mesh.state.fed.on and self.is_current:
            self.load_federation()

    def load_federation(self, *, turn_on: bool = False) -> None:
        """Ask for the federated graph (in a worker); ``turn_on``: show it when it came."""

        def failed(why: str, missing: bool) -> None:
            if missing:
                self._federation_failed(NOT_FEDERATED, True)
            else:
                self._federation_failed(f"f: {why}", turn_on)

        def got(graph: FederatedGraph) -> None:
            self._federated(graph, turn_on)

        self.fetch(self.mesh.api.federated_graph, got, failed, group="fed")

    def _federation_failed(self, why: str, off: bool) -> None:
        """Say why in the status line; ``off``: no federated view (a failed reload keeps
        the last graph on screen, as the rest of the app keeps the last data)."""
        self._note = why
        if off:
            self.mesh.state.fed.on = False
        if off and self._fed_version != -1:
            self._redraw({"all"})
        else:
            self._status()

    @guarded
    def _federated(self, graph: FederatedGraph, turn_on: bool) -> None:
        fed = self.mesh.state.fed
        fed.set_graph(graph)
        self._note = ""
        if turn_on:
            fed.on = True
        if fed.on:
            self._redraw({"all"})

    def action_pan(self, dx: int, dy: int) -> None:
        canvas = self.query_one("#map-canvas", MapCanvas)
        if canvas.view is not None:
            canvas.view = canvas.view.pan(dx * PAN, dy * PAN)
            canvas.refresh()
            self.call_after_refresh(self._status)

    def action_zoom(self, step: int) -> None:
        canvas = self.query_one("#map-canvas", MapCanvas)
        if canvas.view is not None:
            canvas.view = canvas.view.zoom(ZOOM if step > 0 else 1 / ZOOM)
            canvas.refresh()
            self.call_after_refresh(self._status)

    def action_fit(self) -> None:
        canvas = self.query_one("#map-canvas", MapCanvas)
        if canvas.scene is not None:
            canvas.fit()
            canvas.refresh()
            self.call_after_refresh(self._status)

    def action_open(self) -> None:
        node = self.query_one("#map-canvas", MapCanvas).nearest_node()
        if node is None:
            return
        if self._fed_version != -1 and node not in self.mesh.state.nodes:
            self.mesh.notify(f"{node} is of another community: its details are on its service")
            return
        self.mesh.open_node(node)

    def action_clear_route(self) -> None:
        self.mesh.route_path = None
        self.mesh.state.fed.route = None
        self.redraw({"all"})
