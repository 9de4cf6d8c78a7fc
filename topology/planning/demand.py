"""Demand points and candidate sites from GeoJSON: a FeatureCollection of Points.

Properties read (all optional): ``id``, ``name``, ``kind`` (household, school, ...),
``households`` or ``weight`` (how many households the point stands for, default 1),
``height_m`` (antenna height above ground). A feature that is not a Point, or a point
without numbers, is an error naming the feature.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from topology.planning.errors import PlanningError
from topology.planning.geometry import Site

DEMAND_HEIGHT_M = 5.0  # a CPE on a house
CANDIDATE_HEIGHT_M = 12.0  # a mast, water tower or roof of a public building


@dataclass(frozen=True, slots=True)
class Point:
    """A demand point or a candidate site."""

    id: str
    name: str
    kind: str
    site: Site
    weight: float = 1.0


def read_geojson(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise PlanningError(f"{path}: not valid JSON: {exc}") from None


def parse_points(data: Any, *, source: str, default_height_m: float) -> tuple[Point, ...]:
    """The points of a GeoJSON FeatureCollection (or a single Feature)."""
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise PlanningError(f"{source}: expected a GeoJSON FeatureCollection of Points")
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise PlanningError(f"{source}: the FeatureCollection has no features")
    points = tuple(
        _point(f"{source}: features[{i}]", i, f, default_height_m) for i, f in enumerate(features)
    )
    seen: set[str] = set()
    for p in points:
        if p.id in seen:
            raise PlanningError(f"{source}: id {p.id!r} is used by more than one feature")
        seen.add(p.id)
    return points


def _point(where: str, i: int, feature: Any, default_height_m: float) -> Point:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise PlanningError(f"{where}: not a GeoJSON Feature")
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        raise PlanningError(f"{where}: properties must be an object")
    fid = str(props.get("id", feature.get("id", f"point-{i + 1}")))
    where = f"{where} ({fid})"
    geom = feature.get("geometry")
    kind = geom.get("type") if isinstance(geom, dict) else None
    if kind != "Point":
        raise PlanningError(
            f"{where}: geometry is {kind or 'missing'}; demand points and sites must be Points"
        )
    coords = geom.get("coordinates") if isinstance(geom, dict) else None
    if (
        not isinstance(coords, list)
        or len(coords) < 2
        or not all(_finite(c) for c in coords[:2])
    ):
        raise PlanningError(f"{where}: coordinates must be [longitude, latitude]")
    height = _number(where, props, "height_m", default_height_m)
    weight = _number(where, props, "households", _number(where, props, "weight", 1.0))
    if weight < 0:
        raise PlanningError(f"{where}: households must not be negative")
    lon, lat = float(coords[0]), float(coords[1])
    name = str(props.get("name", fid))
    kind_of = str(props.get("kind", "household"))
    return Point(fid, name, kind_of, Site(fid, lat, lon, height), weight)


def _number(where: str, props: dict[str, Any], key: str, default: float) -> float:
    value = props.get(key, default)
    if not _finite(value):
        raise PlanningError(f"{where}: {key} must be a number, got {value!r}")
    return float(value)


def _finite(value: Any) -> bool:
    return (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    )
