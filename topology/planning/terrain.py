"""SRTM terrain: read ``.hgt`` tiles and answer the ground elevation at any point.

An ``.hgt`` tile is headerless big-endian int16, 1201x1201 samples (3 arc-seconds) or
3601x3601 (1"), rows from north to south. Its name gives the south-west corner
(``N44W072`` spans 44..45 N, 72..71 W); edge rows and columns repeat the neighbours'.
-32768 marks a void: voids are filled from the nearest valid samples, then smoothed by
relaxation (each void sample becomes the mean of its neighbours), and counted so that
results can say how much terrain was invented.

Reading files (:func:`read_hgt`, :meth:`Terrain.load`) is the only I/O of the planning
package. A :class:`Terrain` without tiles is flat earth (elevation 0 everywhere); every
result built on it says so through :attr:`Terrain.note`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy import ndimage

from topology.planning.errors import PlanningError

VOID = -32768
SIZES = {1201: '3"', 3601: '1"'}  # samples per side -> resolution
NAME_RE = re.compile(r"^([NS])(\d{2})([EW])(\d{3})\.hgt$", re.IGNORECASE)
RELAX_ITERATIONS = 50
FLAT_PER_DEGREE = 1200  # flat earth is sampled like a 3" tile

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class Tile:
    """One SRTM tile: south-west corner (whole degrees) and heights in metres."""

    name: str
    south: int
    west: int
    heights: npt.NDArray[np.float32]  # (n, n), row 0 = north edge
    voids: int  # samples that were void and are filled

    @property
    def samples(self) -> int:
        return int(self.heights.shape[0])

    @property
    def resolution(self) -> str:
        return SIZES[self.samples]


def tile_corner(name: str) -> tuple[int, int]:
    """(south, west) of a tile from its file name, e.g. ``N44W072.hgt`` -> (44, -72)."""
    m = NAME_RE.match(name)
    if m is None:
        raise PlanningError(
            f"terrain file {name!r}: not an SRTM tile name (expected like N44W072.hgt)"
        )
    lat = int(m.group(2)) * (1 if m.group(1).upper() == "N" else -1)
    lon = int(m.group(4)) * (1 if m.group(3).upper() == "E" else -1)
    return lat, lon


def parse_hgt(name: str, raw: bytes) -> Tile:
    """A tile from the bytes of the file called ``name`` (voids filled)."""
    south, west = tile_corner(name)
    n = next((s for s in SIZES if s * s * 2 == len(raw)), None)
    if n is None:
        raise PlanningError(
            f"terrain file {name}: {len(raw)} bytes is neither a 3\" (1201x1201) nor a "
            "1\" (3601x3601) SRTM tile"
        )
    grid = np.frombuffer(raw, dtype=">i2").reshape(n, n)
    void = grid == VOID
    heights = grid.astype(np.float32)
    voids = int(void.sum())
    if voids == n * n:
        raise PlanningError(f"terrain file {name}: every sample is void")
    if voids:
        heights = _fill_voids(heights, void)
    return Tile(name=Path(name).stem.upper(), south=south, west=west, heights=heights, voids=voids)


def _fill_voids(
    heights: npt.NDArray[np.float32], void: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float32]:
    # Nearest valid sample first (so large voids get plausible values), then relaxation
    # on the void samples only, which turns the steps into smooth interpolation.
    idx = ndimage.distance_transform_edt(void, return_distances=False, return_indices=True)
    filled: npt.NDArray[np.float32] = heights[tuple(idx)].astype(np.float32)
    for _ in range(RELAX_ITERATIONS):
        p = np.pad(filled, 1, mode="edge")
        mean = (p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:]) / 4
        filled[void] = mean[void]
    return filled


def read_hgt(path: Path) -> Tile:
    """Read one ``.hgt`` file."""
    return parse_hgt(path.name, path.read_bytes())


class Terrain:
    """Ground elevation (m above sea level) from SRTM tiles; flat earth without tiles.

    The tiles are joined into one grid (a mosaic; missing tiles are NaN) so that a path
    crossing tile edges is sampled like any other: :meth:`index_of` maps positions to
    fractional (row, column) and :meth:`grid_elevation` interpolates there.

    >>> Terrain().elevation(np.array([44.4]), np.array([-71.2])).tolist()
    [0.0]
    """

    def __init__(self, tiles: Iterable[Tile] = ()) -> None:
        self._tiles = {(t.south, t.west): t for t in tiles}
        self.grid: npt.NDArray[np.float32] | None = None
        self.north = 0.0
        self.west = 0.0
        self.per_degree = FLAT_PER_DEGREE
        if self._tiles:
            self._mosaic()

    def _mosaic(self) -> None:
        sizes = {t.samples for t in self._tiles.values()}
        if len(sizes) > 1:
            raise PlanningError(
                "terrain tiles mix 1\" and 3\" resolutions; use one resolution per directory"
            )
        n = sizes.pop() - 1
        souths = [s for s, _ in self._tiles]
        wests = [w for _, w in self._tiles]
        rows, cols = max(souths) - min(souths) + 1, max(wests) - min(wests) + 1
        grid = np.full((rows * n + 1, cols * n + 1), np.nan, dtype=np.float32)
        top = max(souths) + 1
        for (s, w), t in self._tiles.items():
            r, c = (top - 1 - s) * n, (w - min(wests)) * n
            grid[r : r + n + 1, c : c + n + 1] = t.heights
        self.grid = grid
        self.north, self.west, self.per_degree = float(top), float(min(wests)), n

    @classmethod
    def load(cls, directory: Path | None) -> Terrain:
        """Every ``*.hgt`` tile in ``directory``; ``None`` gives flat earth."""
        if directory is None:
            return cls()
        if not directory.is_dir():
            raise PlanningError(f"terrain directory {directory} does not exist")
        files = sorted(p for p in directory.iterdir() if p.suffix.lower() == ".hgt")
        if not files:
            raise PlanningError(f"terrain directory {directory} holds no .hgt tiles")
        return cls(read_hgt(p) for p in files)

    @property
    def flat(self) -> bool:
        return self.grid is None

    @property
    def tiles(self) -> tuple[Tile, ...]:
        return tuple(self._tiles.values())

    @property
    def voids_filled(self) -> int:
        return sum(t.voids for t in self._tiles.values())

    @property
    def note(self) -> str:
        """One line saying what terrain the results are computed on."""
        if self.flat:
            return "flat earth: no terrain given, hills and valleys are ignored"
        names = ", ".join(f"{t.name} ({t.resolution})" for t in self.tiles)
        voids = self.voids_filled
        filled = f"; {voids} void samples filled by interpolation" if voids else ""
        return f"terrain: SRTM {names}{filled}"

    def index_of(self, lat: FloatArray, lon: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Fractional (row, column) of positions in the grid (of a virtual one if flat)."""
        lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
        return (self.north - lat) * self.per_degree, (lon - self.west) * self.per_degree

    def covers(self, lat: FloatArray, lon: FloatArray) -> npt.NDArray[np.bool_]:
        """Which points some tile covers (all of them on flat earth)."""
        if self.grid is None:
            return np.ones(np.shape(lat), dtype=bool)
        r, c = self.index_of(lat, lon)
        h, w = self.grid.shape
        inside = (r >= 0) & (r <= h - 1) & (c >= 0) & (c <= w - 1)
        ri = np.clip(np.round(r).astype(np.intp), 0, h - 1)
        ci = np.clip(np.round(c).astype(np.intp), 0, w - 1)
        return np.asarray(inside & ~np.isnan(self.grid[ri, ci]))

    def check_covered(self, lat: FloatArray, lon: FloatArray, labels: Sequence[str]) -> None:
        """Raise :class:`PlanningError` naming the first point outside every tile."""
        lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
        inside = self.covers(lat, lon)
        if inside.all():
            return
        i = int(np.flatnonzero(~inside)[0])
        raise PlanningError(
            f"{labels[i]} at {lat.flat[i]:.5f},{lon.flat[i]:.5f} is outside every terrain "
            f"tile (have {', '.join(t.name for t in self.tiles)}); add its tile or plan "
            "without --terrain"
        )

    def elevation(self, lat: FloatArray, lon: FloatArray) -> FloatArray:
        """Bilinear ground elevation at each point (any shape); flat earth gives 0."""
        if self.grid is None:
            return np.zeros(np.shape(lat), dtype=float)
        r, c = self.index_of(lat, lon)
        out = self.grid_elevation(r, c)
        bad = np.isnan(out)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
            raise PlanningError(
                f"point {lat.flat[i]:.5f},{lon.flat[i]:.5f} is outside every terrain tile "
                f"(have {', '.join(t.name for t in self.tiles)})"
            )
        return out

    def grid_elevation(self, r: FloatArray, c: FloatArray) -> FloatArray:
        """Bilinear elevation at fractional grid indices; NaN outside the tiles."""
        if self.grid is None:
            return np.zeros(np.shape(r), dtype=float)
        g = self.grid
        h, w = g.shape
        outside = (r < 0) | (r > h - 1) | (c < 0) | (c > w - 1)
        r0 = np.clip(np.floor(r).astype(np.intp), 0, h - 2)
        c0 = np.clip(np.floor(c).astype(np.intp), 0, w - 2)
        dr = (r - r0).astype(np.float32)
        dc = (c - c0).astype(np.float32)
        flat = g.ravel()
        i = r0 * w + c0
        top = flat[i] + (flat[i + 1] - flat[i]) * dc
        bottom = flat[i + w] + (flat[i + w + 1] - flat[i + w]) * dc
        out = np.asarray(top + (bottom - top) * dr, dtype=float)
        if outside.any():
            out[outside] = np.nan
        return out
