"""``meshctl route`` across communities, run as people run it (a subprocess) against the
three real services in a line: hop by hop, the border crossings marked, ``--json``, and
a route through a stopped (stale) peer is exit 1 with a one-line reason."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fed_support import Line

pytestmark = pytest.mark.slow  # three services and a few subprocesses

MESHCTL = [sys.executable, "-m", "meshctl.cli"]


def meshctl(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "XDG_CONFIG_HOME": str(tmp)}
    for name in ("MESHCOMMONS_DATA_DIR", "MESHCOMMONS_URL", "MESHCOMMONS_TOKEN"):
        env.pop(name, None)
    return subprocess.run(
        [*MESHCTL, *args], capture_output=True, text=True, timeout=60, env=env, check=False
    )


@pytest.fixture(scope="module")
def peered(line: Line) -> Line:
    """A and C peer with B, B with both; two poll rounds so A knows gamma through B."""
    for service, others in ((line.a, [line.b]), (line.b, [line.a, line.c]), (line.c, [line.b])):
        for other in others:
            service.federation.add_peer(other.url, other.federation.fingerprint)
    line.poll_all()
    line.poll_all()
    return line


def fresh(line: Line) -> Line:
    """A poll round just before a call: peers turn stale 1.5 s after their last sync."""
    line.poll_all()
    return line


def test_route_across_communities_marks_the_borders(peered: Line, tmp_path: Path) -> None:
    out = meshctl(tmp_path, "route", "alpha:n0", "gamma:n2", "--url", fresh(peered).a.url)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "Route alpha:n0 → gamma:n2" in text and "alpha > beta > gamma" in text
    assert "2 border crossing(s)" in text
    borders = [line for line in text.splitlines() if "◀ border" in line]
    assert len(borders) == 2
    assert "alpha:to-beta" in borders[0] and "border alpha > beta" in borders[0]
    assert "beta:to-gamma" in borders[1] and "border beta > gamma" in borders[1]

    out = meshctl(tmp_path, "route", "n0", "gamma:n2", "--url", fresh(peered).a.url, "--json")
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    assert r["status"] == "ok" and r["nodes"][0] == "alpha:n0" and r["nodes"][-1] == "gamma:n2"
    assert [h["link"] for h in r["hops"] if h["border"]] == ["alpha:to-beta", "beta:to-gamma"]

    # inside one community nothing changed: the ordinary route and its table
    out = meshctl(tmp_path, "route", "alpha:n0", "n2", "--url", peered.a.url, "--json")
    assert out.returncode == 0, out.stderr
    assert "bottleneck" in json.loads(out.stdout)


def test_a_local_store_says_it_cannot_route_across(peered: Line, tmp_path: Path) -> None:
    out = meshctl(tmp_path, "route", "alpha:n0", "beta:n0", "--data-dir", str(peered.a.data_dir))
    assert out.returncode == 1
    assert out.stderr.startswith("meshctl: beta:n0 is in community beta")
    assert len(out.stderr.strip().splitlines()) == 1


def test_through_a_stopped_peer_the_route_is_unavailable(peered: Line, tmp_path: Path) -> None:
    peered.b.stop()
    try:
        time.sleep(peered.a.stale_after_s + 0.1)
        peered.a.federation.poll_all()
        out = meshctl(tmp_path, "route", "alpha:n0", "gamma:n2", "--url", peered.a.url)
        assert out.returncode == 1, out.stdout
        assert out.stdout == ""
        assert out.stderr.startswith("meshctl: route alpha:n0 → gamma:n2 unavailable:")
        assert "beta" in out.stderr and len(out.stderr.strip().splitlines()) == 1
        out = meshctl(tmp_path, "route", "alpha:n0", "gamma:n2", "--url", peered.a.url, "--json")
        assert out.returncode == 1
        r = json.loads(out.stdout)
        assert r["status"] == "unavailable" and "beta" in r["stale"]
    finally:
        peered.b.start(peered.registry)
    out = meshctl(tmp_path, "route", "alpha:n0", "gamma:n2", "--url", fresh(peered).a.url)
    assert out.returncode == 0 and "alpha > beta > gamma" in out.stdout, out.stderr
