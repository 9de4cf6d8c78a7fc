"""The map's braille canvas: nodes and links projected on terminal cells (pure, numpy).

Each terminal cell holds a braille character: 2 x 4 dots, so an 80 x 20 map area is a
160 x 80 dot picture. Positions are projected equirectangularly around the view's centre
with square dots (a degree of longitude is ``cos(latitude)`` of one of latitude), which
is exact enough at the scale of a town or a county.

Speed (the map must redraw in well under 200 ms with 40,000 nodes and 180,000 links):
everything is vectorised. Links are clipped to the view (Liang-Barsky), sampled at one
point per dot, and OR-ed into a cell bit array with ``np.bitwise_or.at``. When zoomed
out, links shorter than a dot vanish (their ends' dots show them) and, if the remaining
dots still exceed :data:`MAX_SAMPLES`, only the longest links are drawn (the backbone
shape survives, the local mesh is thinned): :attr:`Frame.thinned` says how many were left
out. A cell takes the colour of its most important layer: highlight > node > poor >
fair > good > unmeasured.

A federated scene (``node_mark``, ``link_border``) draws other communities' nodes as
glyphs (``◇``; ``◌`` for a stale peer's) and border links dashed, so that both read
without colour; a scene without them draws exactly as before.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rich.style import Style
from rich.text import Text

F = npt.NDArray[np.float64]
I = npt.NDArray[np.int64]  # noqa: E741

#: Colour layers, least important first (index 0: empty).
LAYERS = ("", "bright_black", "green", "yellow", "red", "bold white", "bold magenta")
#: The same layers for a light background.
LIGHT_LAYERS = ("", "grey50", "green4", "dark_orange3", "red3", "bold black", "bold magenta")
UNMEASURED, GOOD, FAIR, POOR, NODE, HIGHLIGHT = 1, 2, 3, 4, 5, 6
BAND_LAYER = {"excellent": GOOD, "good": GOOD, "fair": FAIR, "poor": POOR, "unmeasured": UNMEASURED}
MAX_SAMPLES = 250_000
#: The federated view (nodes of other communities, border links): styles of border links,
#: other communities' nodes and stale peers' nodes, and their glyphs (readable without
#: colour: own nodes stay braille dots, border links are dashed).
FED_STYLES = ("cyan", "bold cyan", "dim")
LIGHT_FED_STYLES = ("dark_cyan", "bold dark_cyan", "grey58")
OWN, FOREIGN, STALE = 0, 1, 2
FED_GLYPH = {FOREIGN: "◇", STALE: "◌"}
_BITS = np.array([[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]], dtype=np.uint8)  # [dx, dy]


@dataclass(frozen=True, slots=True)
class View:
    """Centre and width of the map area in degrees of longitude."""

    lat: float
    lon: float
    span_lon: float

    def pan(self, dx: float, dy: float) -> View:
        """Move by fractions of the view (``dx`` right, ``dy`` up)."""
        span_lat = self.span_lon * math.cos(math.radians(self.lat))
        return View(self.lat + dy * span_lat, self.lon + dx * self.span_lon, self.span_lon)

    def zoom(self, factor: float) -> View:
        return View(self.lat, self.lon, min(360.0, max(1e-5, self.span_lon / factor)))


@dataclass(frozen=True, slots=True)
class Scene:
    """What to draw, as arrays (made once per data version)."""

    ids: Sequence[str]  # node ids, index-aligned with lat/lon
    lat: F
    lon: F
    link_a: I  # node indices of link ends
    link_b: I
    link_layer: npt.NDArray[np.int8]  # BAND_LAYER of each link
    #: Federated view only (None otherwise): OWN, FOREIGN or STALE of each node, and
    #: whether each link crosses a border.
    node_mark: npt.NDArray[np.int8] | None = None
    link_border: npt.NDArray[np.bool_] | None = None

    @staticmethod
    def build(
        nodes: Sequence[tuple[str, float, float]],
        links: Sequence[tuple[str, str, str]],
        *,
        marks: Sequence[int] | None = None,
        borders: Sequence[bool] | None = None,
    ) -> Scene:
        """``nodes``: (id, lat, lon); ``links``: (a, b, band); links with an end
        without a position are left out. ``marks`` (aligned with ``nodes``) and
        ``borders`` (aligned with ``links``) make a federated scene."""
        ids = [n[0] for n in nodes]
        index = {ident: i for i, ident in enumerate(ids)}
        a, b, layer, border = [], [], [], []
        for k, (end_a, end_b, band) in enumerate(links):
            ia, ib = index.get(end_a), index.get(end_b)
            if ia is not None and ib is not None:
                a.append(ia)
                b.append(ib)
                layer.append(BAND_LAYER.get(band, UNMEASURED))
                border.append(bool(borders[k]) if borders is not None else False)
        return Scene(
            ids,
            np.array([n[1] for n in nodes], dtype=np.float64),
            np.array([n[2] for n in nodes], dtype=np.float64),
            np.array(a, dtype=np.int64),
            np.array(b, dtype=np.int64),
            np.array(layer, dtype=np.int8),
            None if marks is None else np.array(marks, dtype=np.int8),
            None if borders is None else np.array(border, dtype=np.bool_),
        )

    def fit(self, aspect: float = 2.0, margin: float = 1.15) -> View:
        """A view showing every node on a canvas ``aspect`` dots wide per dot high."""
        if len(self.ids) == 0:
            return View(0.0, 0.0, 1.0)
        lat0 = float((self.lat.min() + self.lat.max()) / 2)
        lon0 = float((self.lon.min() + self.lon.max()) / 2)
        width = float(self.lon.max() - self.lon.min())
        height = float(self.lat.max() - self.lat.min()) / max(0.1, math.cos(math.radians(lat0)))
        return View(lat0, lon0, max(width, height * aspect, 0.002) * margin)


@dataclass(frozen=True, slots=True)
class Frame:
    """One drawing: text lines, and what was drawn."""

    lines: list[Text]
    nodes_shown: int
    links_shown: int
    thinned: int  # visible links left out to stay fast


class Projection:
    """Degrees <-> dots for one view and one canvas size (``width`` x ``height`` cells)."""

    def __init__(self, view: View, width: int, height: int) -> None:
        self.view = view
        self.w, self.h = width * 2, height * 4
        self.per_dot_lon = view.span_lon / self.w
        self.per_dot_lat = self.per_dot_lon * math.cos(math.radians(view.lat))

    def x(self, lon: F) -> F:
        return (lon - self.view.lon) / self.per_dot_lon + self.w / 2

    def y(self, lat: F) -> F:
        return self.h / 2 - (lat - self.view.lat) / self.per_dot_lat

    def lat_lon_of_cell(self, col: int, row: int) -> tuple[float, float]:
        x, y = col * 2 + 1, row * 4 + 2
        return (
            self.view.lat + (self.h / 2 - y) * self.per_dot_lat,
            self.view.lon + (x - self.w / 2) * self.per_dot_lon,
        )


def _clip(x0: F, y0: F, x1: F, y1: F, w: int, h: int) -> tuple[F, F, npt.NDArray[np.bool_]]:
    """Liang-Barsky: the parameter range [t0, t1] of each segment inside the box."""
    dx, dy = x1 - x0, y1 - y0
    t0 = np.zeros_like(x0)
    t1 = np.ones_like(x0)
    ok = np.ones(x0.shape, dtype=bool)
    for p, q in ((-dx, x0), (dx, w - 1e-9 - x0), (-dy, y0), (dy, h - 1e-9 - y0)):
        zero = p == 0
        ok &= ~(zero & (q < 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(zero, 0.0, q / np.where(zero, 1.0, p))
        t0 = np.where(~zero & (p < 0), np.maximum(t0, r), t0)
        t1 = np.where(~zero & (p > 0), np.minimum(t1, r), t1)
    return t0, t1, ok & (t0 <= t1)


def draw(
    scene: Scene,
    view: View,
    width: int,
    height: int,
    *,
    highlight_nodes: Sequence[int] = (),
    highlight_links: Sequence[tuple[int, int]] = (),
    cursor: tuple[int, int] | None = None,
    labels: bool = True,
    max_samples: int = MAX_SAMPLES,
    layers: Sequence[str] = LAYERS,
    fed_styles: Sequence[str] = FED_STYLES,
) -> Frame:
    """Draw ``scene`` in ``width`` x ``height`` cells (see the module docstring).

    A federated scene also marks other communities' nodes with a glyph (``◇``, ``◌``
    for a stale peer's) in ``fed_styles`` and draws border links dashed."""
    width, height = max(1, width), max(1, height)
    proj = Projection(view, width, height)
    bits = np.zeros((height, width), dtype=np.uint8)
    colour = np.zeros((height, width), dtype=np.int8)
    border_cells = np.zeros((height, width), dtype=np.bool_)
    nx, ny = proj.x(scene.lon), proj.y(scene.lat)
    links_shown = thinned = 0

    def plot(
        xs: F, ys: F, layer: npt.NDArray[np.int8] | int, mark: npt.NDArray[np.bool_] | None = None
    ) -> None:
        inside = (xs >= 0) & (xs < proj.w) & (ys >= 0) & (ys < proj.h)
        xi, yi = xs[inside].astype(np.int64), ys[inside].astype(np.int64)
        cx, cy = xi >> 1, yi >> 2
        np.bitwise_or.at(bits, (cy, cx), _BITS[xi & 1, yi & 3])
        lay = layer[inside] if isinstance(layer, np.ndarray) else np.int8(layer)
        np.maximum.at(colour, (cy, cx), lay)
        if mark is not None:
            mark[cy, cx] = True

    def segments(
        a: I, b: I, layer: npt.NDArray[np.int8], budget: int, dashed: bool = False
    ) -> tuple[int, int]:
        x0, y0, x1, y1 = nx[a], ny[a], nx[b], ny[b]
        t0, t1, ok = _clip(x0, y0, x1, y1, proj.w, proj.h)
        length = np.maximum(np.abs(x1 - x0), np.abs(y1 - y0)) * np.clip(t1 - t0, 0, 1)
        keep = ok & (length >= 1.0)  # shorter: inside its ends' dots anyway
        idx = np.flatnonzero(keep)
        n = np.ceil(length[idx]).astype(np.int64) + 1
        left_out = 0
        if int(n.sum()) > budget:  # thin: the longest links first
            order = np.argsort(-length[idx], kind="stable")
            fits = int(np.searchsorted(np.cumsum(n[order]), budget, side="right"))
            left_out = len(idx) - fits
            chosen = np.sort(order[:fits])
            idx, n = idx[chosen], n[chosen]
        if len(idx) == 0:
            return 0, left_out
        rep = np.repeat(np.arange(len(idx)), n)
        starts = np.repeat(np.cumsum(n) - n, n)
        frac = (np.arange(int(n.sum())) - starts) / np.maximum(n[rep] - 1, 1)
        ta, tb = t0[idx][rep], t1[idx][rep]
        t = ta + (tb - ta) * frac
        li = idx[rep]
        xs, ys = x0[li] + t * (x1 - x0)[li], y0[li] + t * (y1 - y0)[li]
        if dashed:  # two dots on, two off: a border link, even without colour
            on = (np.arange(len(rep)) - starts) % 4 < 2
            plot(xs[on], ys[on], layer[li][on], border_cells)
        else:
            plot(xs, ys, layer[li])
        return len(idx), left_out

    border = scene.link_border
    if border is not None and border.any():
        own = ~border
        if own.any():
            links_shown, thinned = segments(
                scene.link_a[own], scene.link_b[own], scene.link_layer[own], max_samples
            )
        crossing = segments(
            scene.link_a[border], scene.link_b[border], scene.link_layer[border], max_samples,
            dashed=True,
        )  # fmt: skip
        links_shown, thinned = links_shown + crossing[0], thinned + crossing[1]
    elif len(scene.link_a):
        links_shown, thinned = segments(scene.link_a, scene.link_b, scene.link_layer, max_samples)
    inside = (nx >= 0) & (nx < proj.w) & (ny >= 0) & (ny < proj.h)
    plot(nx, ny, NODE)
    if highlight_links:
        ha = np.array([p[0] for p in highlight_links], dtype=np.int64)
        hb = np.array([p[1] for p in highlight_links], dtype=np.int64)
        segments(ha, hb, np.full(len(ha), HIGHLIGHT, dtype=np.int8), max_samples)
    if highlight_nodes:
        hn = np.array(highlight_nodes, dtype=np.int64)
        plot(nx[hn], ny[hn], HIGHLIGHT)

    chars = [[chr(0x2800 + int(v)) if v else " " for v in row] for row in bits]
    styles: list[list[str]] = [[layers[int(c)] for c in row] for row in colour]
    shown = np.flatnonzero(inside)
    marks = scene.node_mark
    if border is not None:
        for r, c in zip(*np.nonzero(border_cells & (colour < NODE)), strict=True):
            styles[int(r)][int(c)] = fed_styles[0]
    if marks is not None:
        for i in shown[marks[shown] != OWN]:
            col, row = int(nx[i]) >> 1, int(ny[i]) >> 2
            chars[row][col] = FED_GLYPH[int(marks[i])]
            if colour[row, col] != HIGHLIGHT:
                styles[row][col] = fed_styles[int(marks[i])]
    if labels and 0 < len(shown) <= max(4, height):
        for i in shown:
            col, row = int(nx[i]) >> 1, int(ny[i]) >> 2
            ident = scene.ids[int(i)]
            # other communities' nodes keep their community: n0 is in every one
            name = ident if marks is not None and marks[i] != OWN else ident.rpartition(":")[2]
            _label(chars[row], styles[row], col + 1, name)
    if cursor is not None and 0 <= cursor[1] < height and 0 <= cursor[0] < width:
        cx, cy = cursor
        chars[cy][cx] = "╋" if chars[cy][cx] == " " else chars[cy][cx]
        styles[cy][cx] = "reverse bold cyan"
    lines = [_line(chars[r], styles[r]) for r in range(height)]
    return Frame(lines, int(inside.sum()), links_shown, thinned)


def _label(chars: list[str], styles: list[str], start: int, name: str) -> None:
    """Write ``name`` from ``start`` if those cells are free (never over a drawing)."""
    end = min(len(chars), start + len(name))
    if start >= len(chars) or any(c != " " for c in chars[start:end]):
        return
    for k, ch in enumerate(name[: end - start]):
        chars[start + k] = ch
        styles[start + k] = "italic"


def _line(chars: list[str], styles: list[str]) -> Text:
    text = Text(no_wrap=True, overflow="crop")
    run, style = "", styles[0] if styles else ""
    for ch, st in zip(chars, styles, strict=True):
        if st != style:
            text.append(run, Style.parse(style) if style else None)
            run, style = "", st
        run += ch
    text.append(run, Style.parse(style) if style else None)
    return text


def nearest(scene: Scene, lat: float, lon: float) -> int | None:
    """Index of the node nearest to (``lat``, ``lon``) (flat-earth distance)."""
    if len(scene.ids) == 0:
        return None
    k = math.cos(math.radians(lat))
    d = (scene.lat - lat) ** 2 + ((scene.lon - lon) * k) ** 2
    return int(np.argmin(d))
