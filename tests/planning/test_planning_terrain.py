"""Terrain: .hgt parsing, voids, bilinear elevation across tiles, flat earth, real tile."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from topology.planning import PlanningError, Site, Terrain, Verdict, parse_hgt, path_profile

N3 = 1201


def tile_bytes(heights: np.ndarray) -> bytes:
    return heights.astype(">i2").tobytes()


def write_tile(folder: Path, name: str, heights: np.ndarray) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(tile_bytes(heights))
    return path


def ramp(west: int) -> np.ndarray:
    """Heights growing eastwards by 1 m per sample, continuous across tiles."""
    cols = np.arange(N3) + (west + 72) * (N3 - 1)
    return np.tile(cols, (N3, 1))


class TestParse:
    def test_corner_and_resolution(self) -> None:
        t = parse_hgt("N44W072.hgt", tile_bytes(np.zeros((N3, N3))))
        assert (t.south, t.west, t.resolution, t.voids) == (44, -72, '3"', 0)
        t = parse_hgt("s12e005.HGT", tile_bytes(np.zeros((N3, N3))))
        assert (t.south, t.west) == (-12, 5)

    def test_bad_name_and_size(self) -> None:
        with pytest.raises(PlanningError, match="not an SRTM tile name"):
            parse_hgt("mountain.hgt", b"")
        with pytest.raises(PlanningError, match=r"neither a 3\" .* nor a 1\""):
            parse_hgt("N44W072.hgt", b"\0" * 1000)

    def test_voids_filled_by_interpolation_and_counted(self) -> None:
        h = ramp(-72).astype(np.int32)
        h[600:603, 600:603] = -32768
        t = parse_hgt("N44W072.hgt", tile_bytes(h))
        assert t.voids == 9
        # a linear ramp is recovered by relaxation: the filled values sit on the ramp
        assert t.heights[601, 601] == pytest.approx(601, abs=1.0)
        assert "9 void samples filled" in Terrain([t]).note


class TestElevation:
    def test_bilinear_and_across_tiles(self, tmp_path: Path) -> None:
        write_tile(tmp_path, "N44W072.hgt", ramp(-72))
        write_tile(tmp_path, "N44W071.hgt", ramp(-71))
        terrain = Terrain.load(tmp_path)
        lon = np.array([-72.0, -71.5, -71.0, -70.5, -71.5 + 0.5 / 1200])
        got = terrain.elevation(np.full(5, 44.5), lon)
        assert got.tolist() == pytest.approx([0, 600, 1200, 1800, 600.5])
        # a path across the tile edge is sampled on both sides
        p = path_profile(terrain, Site("a", 44.5, -71.2, 10), Site("b", 44.5, -70.8, 10), 5800)
        assert p.ground_m[0] == pytest.approx(960, abs=0.5)
        assert p.ground_m[-1] == pytest.approx(1440, abs=0.5)

    def test_outside_every_tile_is_a_clear_error(self, tmp_path: Path) -> None:
        write_tile(tmp_path, "N44W072.hgt", ramp(-72))
        terrain = Terrain.load(tmp_path)
        with pytest.raises(PlanningError, match=r"far at 46\.00000,-71\.50000 is outside every "
                           r"terrain tile \(have N44W072\)"):
            path_profile(terrain, Site("near", 44.5, -71.5), Site("far", 46.0, -71.5), 5800)
        with pytest.raises(PlanningError, match="outside every terrain tile"):
            terrain.elevation(np.array([43.5]), np.array([-71.5]))

    def test_missing_or_empty_directory(self, tmp_path: Path) -> None:
        with pytest.raises(PlanningError, match="does not exist"):
            Terrain.load(tmp_path / "nope")
        with pytest.raises(PlanningError, match=r"holds no \.hgt tiles"):
            Terrain.load(tmp_path)

    def test_flat_earth_says_so(self) -> None:
        flat = Terrain()
        assert flat.flat and "flat earth" in flat.note
        p = path_profile(flat, Site("a", 44.0, -71.0, 10), Site("b", 44.1, -71.0, 10), 5800)
        assert p.terrain_note == flat.note and p.verdict is Verdict.CLEAR


MOUNT_WASHINGTON = (44.2708, -71.3033)


class TestRealTile:
    @pytest.fixture(scope="class")
    def terrain(self, realdata: Path) -> Terrain:
        return Terrain.load(realdata / "terrain")

    def test_summit_within_30_m_of_the_tile_maximum(self, terrain: Terrain) -> None:
        (tile,) = terrain.tiles
        summit = terrain.elevation(np.array([MOUNT_WASHINGTON[0]]), np.array([MOUNT_WASHINGTON[1]]))
        assert abs(float(summit[0]) - float(tile.heights.max())) <= 30
        assert 1850 < float(summit[0]) < 1950  # 1917 m on the map

    def test_path_across_the_summit_massif_is_blocked(self, terrain: Terrain) -> None:
        # Pinkham Notch (east) to Bretton Woods (west), both in valleys, 15 km apart.
        pinkham = Site("pinkham-notch", 44.2575, -71.2530, 10)
        bretton = Site("bretton-woods", 44.2580, -71.4400, 10)
        p = path_profile(terrain, pinkham, bretton, 5800)
        assert p.verdict is Verdict.BLOCKED
        assert p.worst.ground_m > 1500  # the obstruction is the massif
        assert abs(p.worst.lon - MOUNT_WASHINGTON[1]) < 0.05
        assert p.worst.short_m > 1000
        assert p.raise_both_m > 1000

    def test_short_path_on_open_ground_is_clear(self, terrain: Terrain) -> None:
        # Across the Androscoggin valley floor in Gorham, 200 m, masts of 9 and 14 m.
        a = Site("gorham-library", 44.3869, -71.1716, 9)
        b = Site("gorham-town-hall", 44.3878, -71.1738, 14)
        p = path_profile(terrain, a, b, 5800)
        assert p.verdict is Verdict.CLEAR
        assert p.worst.short_m == 0 and p.raise_both_m == 0
