"""The planning routes over a real HTTP server on loopback (the sample network)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import SAMPLE_INVENTORY
from topology.api.app import create_app
from topology.api.deps import ApiSettings
from topology.inventory import load_inventory
from topology.network import CommunityNetwork
from topology.sim.service import ServiceThread
from topology.store import open_store

API = "/api/v1"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    network = CommunityNetwork(open_store(tmp_path_factory.mktemp("plan-api") / "data"))
    network.import_model(load_inventory(SAMPLE_INVENTORY))
    server = ServiceThread(
        create_app(network, ApiSettings(close_network_on_shutdown=False))
    ).start()
    with httpx.Client(base_url=server.url + API, timeout=60) as c:
        yield c
    server.stop()
    network.close()


def point(lon: float, lat: float, ident: str) -> dict[str, Any]:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"id": ident}}


def test_link_on_the_real_tile(client: httpx.Client, realdata: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MESHCOMMONS_TERRAIN_DIR", str(realdata / "terrain"))
    r = client.post("/planning/link", json={"a": "gorham-town-hall", "b": "mount-hayes-relay"})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["terrain"].startswith("terrain: SRTM") and got["verdict"] == "blocked"
    assert got["worst"]["short_m"] > 0 and got["clear_heights_m"]["both"][0] > 14


def test_link_on_flat_earth_says_so(client: httpx.Client,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MESHCOMMONS_TERRAIN_DIR", raising=False)
    r = client.post("/planning/link", json={"a": "44.38,-71.17", "b": "44.40,-71.17",
                                            "model_a": "NanoStation M5",
                                            "model_b": "SXTsq 5"})
    assert r.status_code == 200, r.text
    assert "flat earth" in r.json()["terrain"] and r.json()["verdict"] == "clear"


def test_coverage_and_resilience(client: httpx.Client,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MESHCOMMONS_TERRAIN_DIR", raising=False)
    demand = {"type": "FeatureCollection", "features": [
        point(-71.175, 44.388, "village"), point(-71.10, 44.58, "far-away")]}
    sites = {"type": "FeatureCollection", "features": [point(-71.10, 44.55, "ridge")]}
    r = client.post("/planning/coverage", json={"demand": demand, "candidates": sites,
                                                "budget": 1})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["percent_today"] == 50.0 and got["sites"][0]["id"] == "ridge"
    r = client.get("/planning/resilience")
    assert r.status_code == 200
    assert "androscoggin:gorham-town-hall" in r.json()["articulation_points"]


@pytest.mark.parametrize(("body", "message"), [
    ({"a": "gorham-library", "b": "44.4,-71.2", "model_b": "Rocket M9"},
     "unknown equipment model 'Rocket M9'"),
    ({"a": "nowhere", "b": "44.4,-71.2"}, "node 'nowhere' does not exist"),
    ({"a": "44.4,north", "b": "44.4,-71.2"}, "latitude and longitude must be numbers"),
])
def test_bad_link_requests(client: httpx.Client, body: dict[str, Any], message: str) -> None:
    r = client.post("/planning/link", json=body)
    assert r.status_code in (404, 422) and message in r.json()["error"]["message"]


def test_bad_coverage_requests(client: httpx.Client) -> None:
    line = {"type": "Feature", "properties": {"id": "road"},
            "geometry": {"type": "LineString", "coordinates": [[-71.2, 44.4], [-71.1, 44.4]]}}
    r = client.post("/planning/coverage", json={
        "demand": {"type": "FeatureCollection", "features": [line]}})
    assert r.status_code == 422 and "geometry is LineString" in r.json()["error"]["message"]
    demand = {"type": "FeatureCollection", "features": [point(-71.2, 44.4, "x")]}
    r = client.post("/planning/coverage", json={"demand": demand, "budget": 0})
    assert r.status_code == 422 and "at least 1 site" in r.json()["error"]["message"]
