"""meshctl as people run it: a subprocess, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_INVENTORY
from topology.inventory import load_inventory

MESHCTL = [sys.executable, "-m", "meshctl.cli"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [*MESHCTL, *args], capture_output=True, text=True, timeout=120, env=env, cwd=cwd
    )


def test_version_and_help() -> None:
    assert run("--version").stdout.startswith("meshctl ")
    out = run("--help")
    assert out.returncode == 0 and "inventory" in out.stdout


@pytest.fixture
def data(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    out = run("inventory", "import", str(SAMPLE_INVENTORY), "--data-dir", str(d))
    assert out.returncode == 0, out.stderr
    assert "allocated" in out.stdout
    return d


def test_import_query_and_export_round_trip(data: Path, tmp_path: Path) -> None:
    route = run("route", "gorham-library", "berlin-library", "--data-dir", str(data))
    assert route.returncode == 0, route.stderr
    assert "Bottleneck" in route.stdout
    table = run("routes", "gorham-library", "--data-dir", str(data))
    assert json.loads(table.stdout)["type"] == "NetworkRoutes"
    assert run("gateways", "--data-dir", str(data)).returncode == 0
    assert run("whatif", "node", "mount-forist-relay", "--data-dir", str(data)).returncode == 0
    assert run("summary", "--data-dir", str(data)).returncode == 0
    free = run("ip", "free", "--data-dir", str(data))
    assert "10.228.0.0/16" in free.stdout
    exported = tmp_path / "export.yaml"
    assert run("inventory", "export", str(exported), "--data-dir", str(data)).returncode == 0
    again = load_inventory(exported)
    assert len(again.nodes) == len(load_inventory(SAMPLE_INVENTORY).nodes)
    assert len(again.allocations) > len(load_inventory(SAMPLE_INVENTORY).allocations)


def test_ip_allocate_whois_release(data: Path) -> None:
    got = run("ip", "allocate", "lan", "gorham-town-hall", "--data-dir", str(data))
    assert got.returncode == 0, got.stderr
    prefix = got.stdout.split()[0]
    host = prefix.split("/")[0][:-1] + "5"
    who = run("ip", "whois", host, "--data-dir", str(data))
    assert "androscoggin:gorham-town-hall" in who.stdout
    assert run("ip", "release", prefix, "--data-dir", str(data)).returncode == 0
    assert run("ip", "whois", host, "--data-dir", str(data)).returncode == 1


def test_user_errors_are_one_line_with_exit_1(data: Path, tmp_path: Path) -> None:
    out = run("route", "gorham-library", "no-such-node", "--data-dir", str(data))
    assert out.returncode == 1
    assert "no-such-node" in out.stderr and "Traceback" not in out.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("community: {slug: x, name: X}\nnodes:\n  - id: a\n    zone: nowhere\n")
    out = run("inventory", "validate", str(bad))
    assert out.returncode == 1
    assert f"{bad}:" in out.stderr and "Traceback" not in out.stderr
    out = run("inventory", "import", str(bad), "--data-dir", str(tmp_path / "d2"))
    assert out.returncode == 1


def test_unreachable_database_exits_3() -> None:
    out = run("summary", "--db-url", "postgresql+psycopg://x:y@127.0.0.1:1/none")
    assert out.returncode == 3, out.stderr
    assert "Traceback" not in out.stderr


def test_generate_writes_a_loadable_inventory(tmp_path: Path) -> None:
    out_file = tmp_path / "synth.yaml"
    out = run("generate", "--nodes", "300", "--seed", "3", "--out", str(out_file))
    assert out.returncode == 0, out.stderr
    model = load_inventory(out_file)
    assert len(model.nodes) == 300 and model.links


def test_local_store_queries_answer_json_too(data: Path) -> None:
    route = run("route", "gorham-library", "berlin-library", "--json", "--data-dir", str(data))
    assert json.loads(route.stdout)["nodes"][-1] == "androscoggin:berlin-library"
    cut = run("whatif", "remove", "mount-forist-relay", "--json", "--data-dir", str(data))
    assert json.loads(cut.stdout)["lost_reach"]
    gws = run("gateways", "--json", "--data-dir", str(data))
    assert "androscoggin:gorham-library" in json.loads(gws.stdout)["gateways"]
    who = run("ip", "whois", "10.228.16.5", "--json", "--data-dir", str(data))
    assert json.loads(who.stdout)["holder_id"] == "androscoggin:gorham-library"
