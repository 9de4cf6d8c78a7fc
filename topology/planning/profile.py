"""Path profiles: terrain under a link, earth bulge, line of sight and Fresnel zone.

Heights are metres above sea level. The straight line of sight joins the two antennas
(ground + antenna height); the Earth's bulge (k factor) is added to the ground, which is
the usual way of drawing a profile on a flat chart. A sample's *clearance ratio* is
``(line of sight - ground - bulge) / r1``, the free part of the first Fresnel zone.

Verdict of a path, from its smallest ratio over the samples between the ends:

* ``clear``: at least 0.6 everywhere (60% of the first Fresnel zone free);
* ``marginal``: the line of sight is free (ratio >= 0) but the Fresnel zone is not;
* ``blocked``: the terrain cuts the line of sight.

Samples are one grid step apart at most (about 90 m on 3" tiles), taken in the grid's
(row, column) space so that a path across several tiles is sampled like any other.
:func:`path_profile` gives one link in full; :func:`clearance_ratios` gives the smallest
ratio of many links at once, vectorised in chunks (coverage needs hundreds of thousands).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from topology.planning.errors import PlanningError
from topology.planning.geometry import Site, haversine_km_array
from topology.planning.radio import FRESNEL_CLEAR, K_FACTOR, earth_bulge_m, fresnel_radius_m
from topology.planning.terrain import Terrain

FloatArray = npt.NDArray[np.float64]
CHUNK_SAMPLES = 1 << 21  # samples per vectorised chunk: a few tens of MB of temporaries
MIN_SAMPLES = 8
MIN_DISTANCE_KM = 0.001  # a link shorter than a metre has no profile to speak of


class Verdict(StrEnum):
    CLEAR = "clear"
    MARGINAL = "marginal"
    BLOCKED = "blocked"


def verdict_of(ratio: float) -> Verdict:
    if ratio >= FRESNEL_CLEAR:
        return Verdict.CLEAR
    return Verdict.MARGINAL if ratio >= 0.0 else Verdict.BLOCKED


@dataclass(frozen=True, slots=True)
class Obstruction:
    """The sample where the path is worst: where it is and how much is missing there."""

    distance_km: float  # from end a
    lat: float
    lon: float
    ground_m: float  # terrain, above sea level
    clearance_m: float  # line of sight above ground + bulge (negative: cut)
    needed_m: float  # 60% of the first Fresnel zone radius
    ratio: float  # clearance / r1

    @property
    def short_m(self) -> float:
        """Metres missing for a clear path (0 when clear)."""
        return max(0.0, self.needed_m - self.clearance_m)


@dataclass(frozen=True, slots=True, eq=False)
class Profile:
    """One link's path profile and verdict; arrays run from end a to end b."""

    a: Site
    b: Site
    f_mhz: float
    k: float
    distance_km: float
    d_km: FloatArray
    ground_m: FloatArray
    bulge_m: FloatArray
    los_m: FloatArray
    fresnel_m: FloatArray
    verdict: Verdict
    worst: Obstruction
    raise_both_m: float  # add to both antennas to clear
    raise_a_m: float  # or to antenna a alone
    raise_b_m: float  # or to antenna b alone
    terrain_note: str

    @property
    def clear_heights(self) -> dict[str, tuple[float, float]]:
        """Antenna heights (a, b) in m above ground that would clear the path."""
        a, b = self.a.height_m, self.b.height_m
        return {
            "both": (a + self.raise_both_m, b + self.raise_both_m),
            "a only": (a + self.raise_a_m, b),
            "b only": (a, b + self.raise_b_m),
        }


def path_profile(
    terrain: Terrain, a: Site, b: Site, f_mhz: float, *, k: float = K_FACTOR
) -> Profile:
    """The full profile of the path from ``a`` to ``b`` at ``f_mhz`` MHz.

    Raises :class:`~topology.planning.errors.PlanningError` if an end or the path leaves
    the terrain tiles.
    """
    lat = np.array([a.lat, b.lat])
    lon = np.array([a.lon, b.lon])
    terrain.check_covered(lat, lon, [a.label, b.label])
    ra, ca = terrain.index_of(lat, lon)
    steps = int(np.ceil(max(abs(ra[1] - ra[0]), abs(ca[1] - ca[0]))))
    t = np.linspace(0.0, 1.0, max(steps + 1, MIN_SAMPLES))
    lats = a.lat + (b.lat - a.lat) * t
    lons = a.lon + (b.lon - a.lon) * t
    ground = terrain.elevation(lats, lons)
    dist = float(haversine_km_array(lat[:1], lon[:1], lat[1:], lon[1:])[0])
    if dist < MIN_DISTANCE_KM:
        raise PlanningError(f"{a.label} and {b.label} are the same place: a link needs two ends")
    d = t * dist
    bulge = earth_bulge_m(d, dist - d, k)
    top_a, top_b = ground[0] + a.height_m, ground[-1] + b.height_m
    los = top_a + (top_b - top_a) * t
    with np.errstate(invalid="ignore", divide="ignore"):
        r1 = fresnel_radius_m(d, dist - d, f_mhz / 1000.0)
    inner = slice(1, -1)
    clearance = los - ground - bulge
    ratio = clearance[inner] / r1[inner]
    i = int(np.argmin(ratio)) + 1
    worst = Obstruction(
        distance_km=float(d[i]),
        lat=float(lats[i]),
        lon=float(lons[i]),
        ground_m=float(ground[i]),
        clearance_m=float(clearance[i]),
        needed_m=float(FRESNEL_CLEAR * r1[i]),
        ratio=float(ratio[i - 1]),
    )
    missing = FRESNEL_CLEAR * r1[inner] - clearance[inner]  # > 0 where short
    ti = t[inner]
    return Profile(
        a=a,
        b=b,
        f_mhz=f_mhz,
        k=k,
        distance_km=dist,
        d_km=d,
        ground_m=ground,
        bulge_m=bulge,
        los_m=los,
        fresnel_m=np.nan_to_num(r1),
        verdict=verdict_of(worst.ratio),
        worst=worst,
        # Raising one end by x lifts the line of sight by x * (1 - t) (end a) or x * t.
        raise_both_m=_ceil_dm(float(missing.max())),
        raise_a_m=_ceil_dm(float((missing / (1.0 - ti)).max())),
        raise_b_m=_ceil_dm(float((missing / ti).max())),
        terrain_note=terrain.note,
    )


def _ceil_dm(x: float) -> float:
    """Metres rounded up to 0.1 m, never negative."""
    return max(0.0, float(np.ceil(x * 10.0) / 10.0))


def clearance_ratios(
    terrain: Terrain,
    a_lat: FloatArray,
    a_lon: FloatArray,
    a_h: FloatArray,
    b_lat: FloatArray,
    b_lon: FloatArray,
    b_h: FloatArray,
    f_mhz: float,
    *,
    k: float = K_FACTOR,
    progress: Callable[[int], None] | None = None,
) -> FloatArray:
    """Smallest clearance ratio of each path ``a[i] -> b[i]`` (arrays of equal length).

    Paths are grouped by their number of samples (rounded up to a power of two) and
    computed in chunks of :data:`CHUNK_SAMPLES` samples, in float32. The ends must lie
    on the terrain (check with :meth:`Terrain.check_covered` first); samples off the
    tiles in between are skipped. ``progress(n)`` is called after each chunk of n paths.
    """
    a_lat, a_lon, b_lat, b_lon = (np.asarray(x, dtype=float) for x in (a_lat, a_lon, b_lat, b_lon))
    n = len(a_lat)
    out = np.full(n, np.inf)
    if n == 0:
        return out
    ra, ca = terrain.index_of(a_lat, a_lon)
    rb, cb = terrain.index_of(b_lat, b_lon)
    top_a = terrain.grid_elevation(ra, ca) + np.asarray(a_h, dtype=float)
    top_b = terrain.grid_elevation(rb, cb) + np.asarray(b_h, dtype=float)
    dist = haversine_km_array(a_lat, a_lon, b_lat, b_lon)
    steps = np.ceil(np.maximum(np.abs(rb - ra), np.abs(cb - ca))) + 1
    samples = np.maximum(MIN_SAMPLES, 2 ** np.ceil(np.log2(np.maximum(steps, 2)))).astype(int)
    f_ghz = f_mhz / 1000.0
    for s in np.unique(samples):
        t = np.linspace(0.0, 1.0, int(s))[1:-1].astype(np.float32)
        tt = t * (1 - t)
        inv_w = (1.0 / np.sqrt(tt)).astype(np.float32)
        group = np.flatnonzero(samples == s)
        per_chunk = max(1, CHUNK_SAMPLES // int(s))
        for start in range(0, len(group), per_chunk):
            idx = group[start : start + per_chunk]
            d = dist[idx].astype(np.float32)[:, None]
            r = ra[idx, None] + (rb[idx] - ra[idx])[:, None] * t
            c = ca[idx, None] + (cb[idx] - ca[idx])[:, None] * t
            ground = terrain.grid_elevation(r, c).astype(np.float32)
            los = top_a[idx, None] + (top_b[idx] - top_a[idx])[:, None] * t
            clearance = los.astype(np.float32) - ground - tt * (d * d / np.float32(12.74 * k))
            # r1 = 17.32 sqrt(t (1-t) D / f): a per-path factor times a per-sample one.
            scale = (1.0 / (17.32 * np.sqrt(np.maximum(d, 1e-9) / f_ghz))).astype(np.float32)
            ratio = clearance * inv_w * scale
            out[idx] = np.fmin.reduce(ratio, axis=1)
            if progress is not None:
                progress(len(idx))
    return out
