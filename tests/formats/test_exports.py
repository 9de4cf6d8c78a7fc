"""Exports: valid against the official NetJSON schemas, public, and licensed."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import SAMPLE_INVENTORY
from topology.formats import build_model, parse_bytes, parse_file
from topology.formats.export import EXPORT_FORMATS, export
from topology.formats.prometheus import exposition
from topology.graph import LiveGraph
from topology.inventory import load_inventory
from topology.model import Contact, NetworkModel


@pytest.fixture(scope="module")
def sample() -> NetworkModel:
    model = load_inventory(SAMPLE_INVENTORY)
    # Every node gets a contact and an owner, so a leak of any of them would show.
    nodes = tuple(
        replace(n, contact=Contact("Ada Doe", "ada@example.org", "+1 555 0100"), owner="adoe")
        for n in model.nodes
    )
    return replace(model, nodes=nodes)


def _validate(doc: dict[str, Any], schema_dir: Path, name: str) -> None:
    schema = json.loads((schema_dir / f"{name}.json").read_text())
    jsonschema.Draft4Validator(schema).validate(doc)


def test_netjson_graph_valid(sample: NetworkModel, netjson_schema_dir: Path) -> None:
    doc = json.loads(export(sample, "netjson")[0])
    _validate(doc, netjson_schema_dir, "network-graph")
    assert len(doc["nodes"]) == len(sample.nodes)
    assert doc["licence"] == sample.community.licence


def test_netjson_graph_of_real_import_valid(realdata: Path, netjson_schema_dir: Path) -> None:
    model = build_model(parse_file(realdata / "netjson" / "ninux-roma-olsr.json"), "ninux").model
    doc = json.loads(export(model, "netjson")[0])
    _validate(doc, netjson_schema_dir, "network-graph")
    assert (len(doc["nodes"]), len(doc["links"])) == (147, 191)


def test_netjson_routes_valid(sample: NetworkModel, netjson_schema_dir: Path) -> None:
    node = sample.nodes[0].id
    doc = json.loads(export(sample, "netjson-routes", node_id=node)[0])
    _validate(doc, netjson_schema_dir, "network-routes")
    assert doc["router_id"] == node and doc["routes"]


def test_device_monitoring_valid(sample: NetworkModel, netjson_schema_dir: Path) -> None:
    state = {
        "system": {"uptime_s": 3600.5, "load": [0.1, 0.2, 0.3], "clients": 4},
        "interfaces": [{"name": "wlan0", "rx_bytes": 10, "tx_bytes": 20, "oper_up": True}],
    }
    node = sample.nodes[0].id
    doc = json.loads(export(sample, "netjson-monitoring", node_id=node, node_state=state)[0])
    _validate(doc, netjson_schema_dir, "device-monitoring")
    assert doc["general"]["uptime"] == 3600
    assert doc["interfaces"][0]["statistics"] == {"rx_bytes": 10, "tx_bytes": 20}
    bare = json.loads(export(sample, "netjson-monitoring", node_id=node)[0])
    _validate(bare, netjson_schema_dir, "device-monitoring")


@pytest.mark.parametrize("fmt", ["netjson", "cnml", "geojson", "meshviewer", "netjson-routes"])
def test_public_exports_private_data(sample: NetworkModel, fmt: str) -> None:
    text = export(sample, fmt, node_id=sample.nodes[0].id)[0].decode()
    for secret in ("ada@example.org", "Ada Doe", "555 0100", "adoe", "mc_"):
        assert secret not in text
    assert sample.community.licence in text


def _positions(text: str) -> set[tuple[float, float]]:
    doc = json.loads(text)
    return {
        (f["geometry"]["coordinates"][1], f["geometry"]["coordinates"][0])
        for f in doc["features"]
        if f["geometry"]["type"] == "Point"
    }


@pytest.mark.parametrize("decimals", [3, 2])
def test_private_homes_rounded(sample: NetworkModel, decimals: int) -> None:
    private = [n for n in sample.nodes if n.private_position]
    public = [n for n in sample.nodes if not n.private_position]
    assert private and public
    shown = _positions(export(sample, "geojson", decimals=decimals)[0].decode())
    for n in private:
        p = n.position
        assert (round(p.lat, decimals), round(p.lon, decimals)) in shown
        assert (p.lat, p.lon) not in shown or (p.lat, p.lon) == (
            round(p.lat, decimals), round(p.lon, decimals),
        )
    for n in public:  # community sites are published exactly
        assert (n.position.lat, n.position.lon) in shown


def test_private_export_keeps_positions(sample: NetworkModel) -> None:
    shown = _positions(export(sample, "geojson", public=False)[0].decode())
    assert {(n.position.lat, n.position.lon) for n in sample.nodes} == shown


def test_licence_override(sample: NetworkModel) -> None:
    for fmt in ("netjson", "cnml", "geojson", "meshviewer"):
        text = export(sample, fmt, licence="CC-BY-SA-4.0 (guifi.net XOLN)")[0].decode()
        assert "CC-BY-SA-4.0 (guifi.net XOLN)" in text


def test_geojson_shapes(sample: NetworkModel) -> None:
    doc = json.loads(export(sample, "geojson")[0])
    kinds = [f["geometry"]["type"] for f in doc["features"]]
    assert kinds.count("Point") == len(sample.nodes)
    ours = {n.id for n in sample.nodes}
    inside = [lk for lk in sample.links if lk.a in ours and lk.b in ours]
    assert len(inside) < len(sample.links)  # the sample has a border link: not drawn
    assert kinds.count("LineString") == len(inside)
    line = next(f for f in doc["features"] if f["geometry"]["type"] == "LineString")
    assert line["properties"]["cost"] > 0


def test_meshviewer_export_reads_back(sample: NetworkModel) -> None:
    data = export(sample, "meshviewer")[0]
    again = parse_bytes(data)
    assert again.format == "meshviewer"
    ours = {n.id for n in sample.nodes}
    inside = [lk for lk in sample.links if lk.a in ours and lk.b in ours]
    assert (len(again.nodes), len(again.links)) == (len(sample.nodes), len(inside))


def test_unknown_export_format(sample: NetworkModel) -> None:
    from topology.formats import FormatError

    with pytest.raises(FormatError, match="unknown format 'kml'"):
        export(sample, "kml")
    assert "netjson" in EXPORT_FORMATS


def test_prometheus_exposition(sample: NetworkModel) -> None:
    text = exposition(LiveGraph.from_model(sample), sample.community,
                      {"reports": 12, "batches": 3, "busy_s": 0.5})
    line = re.compile(r'^[a-z_]+(\{([a-z_]+="[^"\\]*(\\.[^"\\]*)*",?)*\})? [0-9.e+-]+$')
    for row in text.splitlines():
        assert row.startswith("# ") or line.match(row), row
    working = sum(1 for n in sample.nodes if n.status.value == "Working")
    assert f'meshcommons_nodes{{status="Working"}} {working}' in text
    assert "meshcommons_ingest_reports_total 12" in text
    assert "# TYPE meshcommons_ingest_batches_total counter" in text
