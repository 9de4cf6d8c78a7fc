"""Planning: link feasibility, coverage and placement, single points of failure.

Terrain comes from the directory named by ``$MESHCOMMONS_TERRAIN_DIR`` (SRTM ``.hgt``
tiles), read once per process; without it every answer is on flat earth and says so in
its ``terrain`` field. Equipment comes from ``inventories/equipment.yaml``. Bad input
(an unknown model, a point off the terrain, a wrong GeoJSON geometry, a budget below 1)
is a :class:`~topology.planning.PlanningError`, answered 422 ``invalid``.

A node end of a link is planned at the position the caller may see: private home
positions are rounded for public callers, as everywhere else in the API.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from pydantic import Field

from topology.api.deps import API_PREFIX, NetworkDep, PrincipalDep, known_node, node_view
from topology.api.schemas import InModel, Text
from topology.planning import (
    Catalogue,
    CoverageOptions,
    PlanningError,
    Site,
    Terrain,
    link_json,
    load_catalogue,
    parse_points,
    plan_coverage,
    plan_link,
)
from topology.planning.demand import CANDIDATE_HEIGHT_M, DEMAND_HEIGHT_M
from topology.planning.geometry import parse_latlon
from topology.planning.network_plan import analyse_network
from topology.planning.radio import K_FACTOR
from topology.planning.report import resilience_json

router = APIRouter(prefix=API_PREFIX, tags=["planning"])


@lru_cache(maxsize=4)
def _terrain(directory: str) -> Terrain:
    return Terrain.load(Path(directory) if directory else None)


@lru_cache(maxsize=1)
def _catalogue() -> Catalogue:
    return load_catalogue()


def terrain() -> Terrain:
    return _terrain(os.environ.get("MESHCOMMONS_TERRAIN_DIR", ""))


class LinkIn(InModel):
    a: Text = Field(min_length=1, description="Node id, or 'lat,lon'.", examples=["gorham-library"])
    b: Text = Field(min_length=1, examples=["44.4147,-71.1731"])
    height_a: float | None = Field(default=None, ge=0, le=1000, description="m above ground.")
    height_b: float | None = Field(default=None, ge=0, le=1000)
    model_a: Text | None = Field(default=None, description="Catalogue model (default: backhaul).")
    model_b: Text | None = None
    k: float = Field(default=K_FACTOR, gt=0.1, le=100)


class CoverageIn(InModel):
    demand: dict[str, Any] = Field(description="GeoJSON FeatureCollection of Points.")
    candidates: dict[str, Any] | None = Field(default=None, description="GeoJSON Points.")
    budget: int = Field(default=3, description="At most this many new sites (>= 1).")
    max_client_km: float = Field(default=5.0, gt=0, le=100)
    k: float = Field(default=K_FACTOR, gt=0.1, le=100)


@router.post("/planning/link")
def link(body: LinkIn, network: NetworkDep, principal: PrincipalDep) -> dict[str, Any]:
    """Path profile verdict (clear, marginal, blocked), worst obstruction, antenna heights
    that would clear it, and the link budget both ways."""
    cat = _catalogue()
    ends = []
    for text, height, model in (
        (body.a, body.height_a, body.model_a),
        (body.b, body.height_b, body.model_b),
    ):
        radio = cat.model(model) if model else cat.default("backhaul")
        if "," in text:
            ends.append((parse_latlon(text, 10.0 if height is None else height), radio))
            continue
        with network.lock:
            node, _ = node_view(principal, network, known_node(network, text))
        p = node.position
        h = p.antenna_height_m if height is None else height
        ends.append((Site(node.id, p.lat, p.lon, h), radio))
    (sa, ra), (sb, rb) = ends
    return link_json(plan_link(terrain(), sa, sb, ra, rb, k=body.k))


@router.post("/planning/coverage")
def coverage(body: CoverageIn, network: NetworkDep) -> dict[str, Any]:
    """Which demand points today's network covers, and up to ``budget`` new sites chosen
    greedily (each joined to the mesh) with their gain and cost."""
    if body.budget <= 0:
        raise PlanningError(f"budget must be at least 1 site, got {body.budget}")
    demand = parse_points(body.demand, source="demand", default_height_m=DEMAND_HEIGHT_M)
    sites = (
        parse_points(body.candidates, source="candidates", default_height_m=CANDIDATE_HEIGHT_M)
        if body.candidates else ()
    )
    options = CoverageOptions.from_catalogue(
        _catalogue(), k=body.k, max_client_km=body.max_client_km
    )
    with network.lock:
        nodes = list(network.graph.nodes.values())
    plan = plan_coverage(terrain(), nodes, demand, options, candidates=sites, budget=body.budget)
    b, a = plan.before, plan.after
    return {
        "terrain": plan.terrain_note,
        "households": b.total_weight,
        "percent_today": round(b.percent, 2),
        "percent_after": round(a.percent, 2),
        "points": [
            {"id": p.id, "covered_today": bool(b.covered[i]), "server_today": b.server_of(i),
             "covered": bool(a.covered[i]), "server": a.server_of(i)}
            for i, p in enumerate(a.points)
        ],
        "sites": [
            {"id": plan.candidates[p.candidate].id, "households_gained": p.gain,
             "backhaul_to": p.via, "backhaul_margin_db": round(p.via_margin_db, 1)}
            for p in plan.picks
        ],
        "cost_usd": plan.cost_usd,
        "notes": list(plan.notes),
    }


@router.get("/planning/resilience")
def resilience(network: NetworkDep) -> dict[str, Any]:
    """Articulation points, bridges, nodes with a single path to any gateway, single
    failures ranked by the nodes they cut off, and one recommended extra link."""
    ground = terrain()
    with network.lock:
        result = analyse_network(network.graph, ground, _catalogue())
    return {"terrain": ground.note, **resilience_json(result)}
