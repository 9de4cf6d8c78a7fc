"""Geometry on the Earth's surface: pure functions shared by routing, planning and the CLI."""

from __future__ import annotations

import math

from topology.model import Position

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


def haversine_km(a: Position, b: Position) -> float:
    """Great-circle distance between two positions, in km.

    >>> round(haversine_km(Position(44.3876, -71.1731), Position(44.4687, -71.1851)), 2)
    9.07
    """
    la1, la2 = math.radians(a.lat), math.radians(b.lat)
    dlat = la2 - la1
    dlon = math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
