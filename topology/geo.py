"""Geometry on the Earth's surface: pure functions shared by routing, planning and the CLI."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

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


def farthest_pair(points: Iterable[tuple[str, Position]]) -> tuple[str, str, float] | None:
    """The two points farthest apart (ids and km); None with fewer than two points.

    Exact, O(n^2): meant for the few hundred nodes of a component someone looks at,
    not for a whole 40,000-node network.
    """
    pts: Sequence[tuple[str, Position]] = list(points)
    best: tuple[str, str, float] | None = None
    for i, (ida, pa) in enumerate(pts):
        for idb, pb in pts[i + 1 :]:
            d = haversine_km(pa, pb)
            if best is None or d > best[2]:
                best = (ida, idb, d)
    return best
