"""Profiles in bulk, coverage, greedy placement and bad inputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import ROOT, SAMPLE_INVENTORY
from topology.inventory import load_inventory
from topology.model import Node, Position, Role, Status
from topology.planning import (
    CoverageOptions,
    PlanningError,
    Site,
    Terrain,
    clearance_ratios,
    greedy_placement,
    load_catalogue,
    parse_points,
    path_profile,
    plan_coverage,
)
from topology.planning.demand import read_geojson


def feature(lon: float, lat: float, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": props}


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def supernode(local: str, lat: float, lon: float, height: float = 15.0) -> Node:
    return Node(f"c:{local}", local, "z", Position(lat, lon, height), Status.WORKING,
                Role.SUPERNODE)


@pytest.fixture(scope="module")
def options() -> CoverageOptions:
    return CoverageOptions.from_catalogue(load_catalogue())


class TestBulkProfiles:
    def test_bulk_ratios_agree_with_single_profiles(self, realdata: Path) -> None:
        terrain = Terrain.load(realdata / "terrain")
        rng = np.random.default_rng(3)
        n = 40
        lat = rng.uniform(44.35, 44.50, (2, n))
        lon = rng.uniform(-71.25, -71.10, (2, n))
        h = np.full(n, 10.0)
        bulk = clearance_ratios(terrain, lat[0], lon[0], h, lat[1], lon[1], h, 5800)
        for i in range(n):
            p = path_profile(terrain, Site("a", lat[0, i], lon[0, i], 10),
                             Site("b", lat[1, i], lon[1, i], 10), 5800)
            # the bulk samples differ (power-of-two counts, float32): close, same verdict side
            assert bulk[i] == pytest.approx(p.worst.ratio, abs=max(0.5, 0.1 * abs(p.worst.ratio)))


class TestPlacement:
    def test_greedy_takes_the_biggest_gain_then_the_rest(self) -> None:
        # 6 households; c0 covers 3, c1 covers 2 of those plus 1 more, c2 covers the last 2.
        covers = np.array([
            [1, 1, 1, 0, 0, 0],
            [0, 1, 1, 1, 0, 0],
            [0, 0, 0, 0, 1, 1],
        ], dtype=bool)
        up = np.full((3, 1), 20.0)
        mutual = np.full((3, 3), -np.inf)
        picks = greedy_placement(covers, np.ones(6), np.zeros(6, bool), up, mutual, 3,
                                 node_labels=["n"], candidate_labels=["c0", "c1", "c2"])
        assert [(p.candidate, p.gain) for p in picks] == [(0, 3.0), (2, 2.0), (1, 1.0)]
        assert picks[1].new_points == (4, 5)

    def test_weights_and_already_covered_count(self) -> None:
        covers = np.array([[1, 1, 0], [0, 0, 1]], dtype=bool)
        already = np.array([True, False, False])
        weights = np.array([10.0, 1.0, 5.0])  # households behind each point
        picks = greedy_placement(covers, weights, already, np.full((2, 1), 20.0),
                                 np.full((2, 2), -np.inf), 1, node_labels=["n"],
                                 candidate_labels=["a", "b"])
        assert [(p.candidate, p.gain) for p in picks] == [(1, 5.0)]

    def test_a_site_must_join_the_mesh(self) -> None:
        covers = np.array([[1, 0], [0, 1]], dtype=bool)
        up = np.array([[-np.inf], [-np.inf]])  # neither reaches a node, nor each other
        picks = greedy_placement(covers, np.ones(2), np.zeros(2, bool), up,
                                 np.full((2, 2), -np.inf), 2, node_labels=["n"],
                                 candidate_labels=["a", "b"])
        assert picks == []

    @pytest.mark.parametrize("k", [0, -1])
    def test_budget_below_one(self, k: int) -> None:
        with pytest.raises(PlanningError, match=f"at least 1 site, got {k}"):
            greedy_placement(np.zeros((1, 1), bool), np.ones(1), np.zeros(1, bool),
                             np.zeros((1, 1)), np.zeros((1, 1)), k, node_labels=["n"],
                             candidate_labels=["a"])


class TestCoverage:
    def test_flat_earth_hand_built_case(self, options: CoverageOptions) -> None:
        # One supernode; households 1 km (covered) and 20 km (too far) away; a candidate
        # 3 km from the node and 1 km from the far household is the only useful site.
        nodes = [supernode("hub", 44.40, -71.20)]
        demand = parse_points(collection(
            feature(-71.20, 44.409, id="near", households=2),
            feature(-71.20, 44.58, id="far", households=3),
        ), source="demand", default_height_m=5)
        sites = parse_points(collection(
            feature(-71.20, 44.57, id="useful"),
            feature(-71.20, 44.41, id="useless"),
        ), source="sites", default_height_m=12)
        plan = plan_coverage(Terrain(), nodes, demand, options, candidates=sites, budget=2)
        assert plan.before.covered.tolist() == [True, False]
        assert plan.before.percent == pytest.approx(40.0)
        assert [sites[p.candidate].id for p in plan.picks] == ["useful"]
        assert plan.picks[0].via == "c:hub" and plan.picks[0].gain == 3
        assert plan.after.percent == 100.0
        assert plan.cost_usd == options.site_cost_usd
        assert "flat earth" in plan.terrain_note
        assert any("only 1 of 2 sites" in n for n in plan.notes)

    def test_sample_demand_on_the_real_tile(self, realdata: Path,
                                            options: CoverageOptions) -> None:
        terrain = Terrain.load(realdata / "terrain")
        nodes = load_inventory(SAMPLE_INVENTORY).nodes
        demand = parse_points(read_geojson(ROOT / "inventories" / "sample-demand.geojson"),
                              source="demand", default_height_m=5)
        sites = parse_points(read_geojson(ROOT / "inventories" / "sample-sites.geojson"),
                             source="sites", default_height_m=12)
        plan = plan_coverage(terrain, nodes, demand, options, candidates=sites, budget=3)
        assert 50 < plan.before.percent < 100
        assert plan.after.percent > plan.before.percent
        gains = [p.gain for p in plan.picks]
        assert gains == sorted(gains, reverse=True) and gains[0] > 0


class TestBadInputs:
    def test_wrong_geometry(self) -> None:
        line = {"type": "Feature", "properties": {"id": "road"},
                "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}}
        with pytest.raises(PlanningError, match=r"demand: features\[1\] \(road\): geometry is "
                           r"LineString; demand points and sites must be Points"):
            parse_points(collection(feature(-71.2, 44.4), line), source="demand",
                         default_height_m=5)

    @pytest.mark.parametrize(("data", "message"), [
        ([], "expected a GeoJSON FeatureCollection"),
        (collection(), "has no features"),
        (collection(feature(-71.2, 44.4, id="x"), feature(-71.3, 44.5, id="x")),
         "id 'x' is used by more than one"),
        (collection(feature(-71.2, 44.4, households="many")), "households must be a number"),
        (collection(feature(-200.0, 44.4)), r"longitude -200\.0 is outside"),
    ])
    def test_bad_collections(self, data: Any, message: str) -> None:
        with pytest.raises(PlanningError, match=message):
            parse_points(data, source="demand", default_height_m=5)

    def test_points_outside_any_tile(self, realdata: Path, options: CoverageOptions) -> None:
        terrain = Terrain.load(realdata / "terrain")
        demand = parse_points(collection(feature(-73.5, 44.4, id="vermont-farm")),
                              source="demand", default_height_m=5)
        with pytest.raises(PlanningError, match=r"vermont-farm at 44\.40000,-73\.50000 is outside"):
            plan_coverage(terrain, [supernode("hub", 44.4, -71.2)], demand, options)

    def test_unknown_model(self) -> None:
        with pytest.raises(PlanningError, match="unknown equipment model 'Bullet M9'"):
            CoverageOptions.from_catalogue(load_catalogue(), ap="Bullet M9")

    def test_budget_not_positive(self, options: CoverageOptions) -> None:
        pts = parse_points(collection(feature(-71.2, 44.4)), source="d", default_height_m=5)
        with pytest.raises(PlanningError, match="at least 1 site, got 0"):
            plan_coverage(Terrain(), [], pts, options, candidates=pts, budget=0)


class TestEdgeCases:
    def test_a_link_needs_two_places(self) -> None:
        with pytest.raises(PlanningError, match="are the same place"):
            path_profile(Terrain(), Site("a", 44.4, -71.2), Site("b", 44.4, -71.2), 5800)

    def test_non_finite_numbers_are_refused(self) -> None:
        bad = feature(-71.2, 44.4, households=float("nan"))
        with pytest.raises(PlanningError, match="households must be a number"):
            parse_points(collection(bad), source="demand", default_height_m=5)

    def test_a_household_on_the_node_roof_is_covered(self, options: CoverageOptions) -> None:
        pts = parse_points(collection(feature(-71.2, 44.4, id="roof")), source="d",
                           default_height_m=5)
        plan = plan_coverage(Terrain(), [supernode("hub", 44.4, -71.2)], pts, options)
        assert plan.before.covered.tolist() == [True]


def test_public_names() -> None:
    import topology.planning as planning

    assert sorted(planning.__all__) == planning.__all__
    assert all(hasattr(planning, name) for name in planning.__all__)
