"""Sites and distances: the points planning works between, and vectorised haversine.

:func:`distance_matrix_km` is :func:`topology.geo.haversine_km` over numpy arrays (same
formula and Earth radius; a test pins the two together), for the many pairs coverage needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from topology.geo import EARTH_RADIUS_KM
from topology.model import Position
from topology.planning.errors import PlanningError

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Site:
    """A place a radio could be: a node, a candidate site or a household.

    ``height_m`` is the antenna's height above the ground; ``label`` names it in messages.
    """

    label: str
    lat: float
    lon: float
    height_m: float = 0.0

    def __post_init__(self) -> None:
        try:
            Position(self.lat, self.lon, self.height_m)
        except ValueError as exc:
            raise PlanningError(f"{self.label}: {exc}") from None

    @property
    def position(self) -> Position:
        return Position(self.lat, self.lon, self.height_m)


def haversine_km_array(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    """Great-circle distances in km, broadcasting like numpy."""
    la1, la2 = np.radians(lat1), np.radians(lat2)
    dlat = la2 - la1
    dlon = np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dlat / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin(dlon / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h))), dtype=float)


def distance_matrix_km(
    lat_a: FloatArray, lon_a: FloatArray, lat_b: FloatArray, lon_b: FloatArray
) -> FloatArray:
    """(len(a), len(b)) matrix of distances between two sets of points."""
    return haversine_km_array(
        np.asarray(lat_a)[:, None], np.asarray(lon_a)[:, None], np.asarray(lat_b)[None, :],
        np.asarray(lon_b)[None, :],
    )


def parse_latlon(text: str, height_m: float) -> Site:
    """A site from ``"lat,lon"`` as a person types it."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2:
        raise PlanningError(f"{text!r} is neither a node nor 'lat,lon' (e.g. 44.3869,-71.1716)")
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise PlanningError(f"{text!r}: latitude and longitude must be numbers") from None
    return Site(text, lat, lon, height_m)
