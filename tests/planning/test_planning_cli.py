"""``meshctl plan`` as people run it: a subprocess, real files, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLE_INVENTORY

pytestmark = pytest.mark.slow  # a dozen subprocesses, each loading numpy and the tile

MESHCTL = [sys.executable, "-m", "meshctl.cli"]
DEMAND = str(ROOT / "inventories" / "sample-demand.geojson")
SITES = str(ROOT / "inventories" / "sample-sites.geojson")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("MESHCOMMONS_TERRAIN_DIR", None)
    return subprocess.run(
        [*MESHCTL, *args], capture_output=True, text=True, timeout=120, env=env, cwd=cwd
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("plan") / "data"
    out = run("inventory", "import", str(SAMPLE_INVENTORY), "--data-dir", str(d))
    assert out.returncode == 0, out.stderr
    return d


def one_line_error(out: subprocess.CompletedProcess[str], text: str) -> None:
    assert out.returncode == 1, out.stdout + out.stderr
    assert out.stderr.startswith("meshctl: ") and text in out.stderr, out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_help_lists_the_subcommands() -> None:
    out = run("plan", "--help")
    assert out.returncode == 0
    for sub in ("link", "coverage", "resilience"):
        assert sub in out.stdout


def test_link_between_nodes_on_the_real_tile(data: Path, realdata: Path, tmp_path: Path) -> None:
    png = tmp_path / "profile.png"
    out = run("plan", "link", "gorham-library", "gorham-town-hall", "--terrain",
              str(realdata / "terrain"), "--data-dir", str(data), "--json", "--png", str(png))
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["verdict"] == "clear" and got["feasible"]
    assert got["terrain"].startswith("terrain: SRTM N44W072")
    assert got["distance_km"] == pytest.approx(0.201, abs=0.001)
    assert got["forward"]["fspl_db"] == pytest.approx(93.79, abs=0.01)  # 201 m at 5.8 GHz
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_link_between_coordinates_on_flat_earth(tmp_path: Path) -> None:
    out = run("plan", "link", "44.3869,-71.1716", "44.4147,-71.1731", "--height-a", "9",
              "--height-b", "6", "--model-a", "LiteBeam 5AC", "--model-b", "LiteBeam 5AC",
              "--data-dir", str(tmp_path / "unused"))
    assert out.returncode == 0, out.stderr
    assert "flat earth" in out.stdout and "CLEAR" in out.stdout and "RSSI" in out.stdout


def test_coverage_writes_the_report(data: Path, realdata: Path, tmp_path: Path) -> None:
    report = tmp_path / "report"
    out = run("plan", "coverage", "--demand", DEMAND, "--candidates", SITES, "--budget", "2",
              "--terrain", str(realdata / "terrain"), "--out", str(report),
              "--data-dir", str(data), "--json")
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["percent_after"] > got["percent_today"] > 0 and len(got["sites"]) == 2
    names = {p.name for p in report.iterdir()}
    assert names == {"report.md", "report.html", "map.png", "demand.geojson",
                     "proposed-sites.geojson", "nodes.geojson"}
    md = (report / "report.md").read_text()
    assert "## Proposed sites" in md and "## Single points of failure" in md
    assert "<table>" in (report / "report.html").read_text()
    layer = json.loads((report / "demand.geojson").read_text())
    assert layer["type"] == "FeatureCollection" and len(layer["features"]) == 70


def test_resilience_json(data: Path) -> None:
    out = run("plan", "resilience", "--data-dir", str(data), "--json")
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert "androscoggin:gorham-town-hall" in got["articulation_points"]
    assert got["failures"][0]["id"] == "androscoggin:gorham-town-hall"
    assert got["recommendation"]["failure"] == "androscoggin:gorham-town-hall"


def test_bad_inputs_are_one_line_errors(data: Path, realdata: Path, tmp_path: Path) -> None:
    one_line_error(
        run("plan", "link", "gorham-library", "44.41,-71.17", "--model-b", "Rocket M9",
            "--data-dir", str(data)),
        "unknown equipment model 'Rocket M9'",
    )
    one_line_error(
        run("plan", "coverage", "--demand", DEMAND, "--candidates", SITES, "--budget", "0",
            "--data-dir", str(data)),
        "--budget must be at least 1 site, got 0",
    )
    bad = tmp_path / "roads.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "route-2"},
         "geometry": {"type": "LineString", "coordinates": [[-71.2, 44.4], [-71.1, 44.4]]}}]}))
    one_line_error(
        run("plan", "coverage", "--demand", str(bad), "--data-dir", str(data)),
        "geometry is LineString; demand points and sites must be Points",
    )
    one_line_error(
        run("plan", "link", "gorham-library", "45.5,-71.2", "--terrain",
            str(realdata / "terrain"), "--data-dir", str(data)),
        "45.5,-71.2 at 45.50000,-71.20000 is outside every terrain tile",
    )
    one_line_error(run("plan", "link", "no-such-node", "44.4,-71.2", "--data-dir", str(data)),
                   "node 'androscoggin:no-such-node' does not exist")
