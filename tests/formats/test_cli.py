"""``meshctl import``, ``export`` and ``diff`` as people run them (subprocesses)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.support import meshctl

pytestmark = pytest.mark.slow  # each meshctl run is a fresh interpreter (~2 s)


def test_import_export_whois(tmp_path: Path, realdata: Path) -> None:
    data = str(tmp_path / "data")
    got = meshctl("import", str(realdata / "cnml" / "2525.cnml"), "--community", "guifi",
                  "--data-dir", data, home=tmp_path)
    assert got.returncode == 0, got.stderr
    assert "imported 17 nodes, 6 links, 1 zones, 4 address allocations" in got.stdout
    assert "5 links join devices of one node" in got.stderr
    who = meshctl("ip", "whois", "10.138.53.101", "--data-dir", data, home=tmp_path)
    assert "10.138.53.96/27 held by" in who.stdout and "guifi:43865" in who.stdout
    out = tmp_path / "canet.geojson"
    exp = meshctl("export", "--format", "geojson", "-o", str(out), "--data-dir", data,
                  home=tmp_path)
    assert exp.returncode == 0, exp.stderr
    doc = json.loads(out.read_text())
    assert doc["properties"]["licence"] == "ODbL-1.0" and len(doc["features"]) == 17 + 6


def test_broken_file_keeps_store(tmp_path: Path, realdata: Path) -> None:
    data = str(tmp_path / "data")
    meshctl("import", str(realdata / "cnml" / "2525.cnml"), "--community", "guifi",
            "--data-dir", data, home=tmp_path)
    bad = meshctl("import", str(realdata / "cnml" / "54284_invalid.cnml"), "--replace",
                  "--data-dir", data, home=tmp_path)
    assert bad.returncode == 1
    assert bad.stderr.strip() == (
        f"meshctl: {realdata / 'cnml' / '54284_invalid.cnml'}: line 15 column 14: "
        "broken XML (mismatched tag)"
    )
    summary = meshctl("export", "--format", "netjson", "--data-dir", data, home=tmp_path)
    assert len(json.loads(summary.stdout)["nodes"]) == 17
    empty = meshctl("import", str(realdata / "cnml" / "empty.cnml"), "--data-dir", data,
                    home=tmp_path)
    assert empty.returncode == 1 and "empty.cnml: file is empty" in empty.stderr


def test_diff(tmp_path: Path, realdata: Path) -> None:
    r = realdata / "routing"
    got = meshctl("diff", str(r / "olsr-2-links.json"), str(r / "olsr-2-links-cost-changed.json"),
                  home=tmp_path)
    assert got.returncode == 1
    assert "~ link 10.150.0.2 - 10.150.0.3: cost 27.6699 -> 1.3027" in got.stdout
    same = meshctl("diff", str(r / "olsr-2-links.json"), str(r / "olsr-2-links.txt"),
                   home=tmp_path)
    assert (same.returncode, same.stdout.strip()) == (0, "no differences"), same.stdout
    cnml = realdata / "cnml"
    as_json = meshctl("diff", str(cnml / "cnml1.xml"), str(cnml / "cnml2.xml"), "--json",
                      home=tmp_path)
    assert json.loads(as_json.stdout)["removed"] == [
        {"source": "55349", "target": "55356", "cost": None, "type": "wds", "status": "Building"}
    ]
