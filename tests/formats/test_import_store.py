"""Imports into a real store: everything in one transaction, or nothing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from topology.formats import build_model, parse_file
from topology.model import Link
from topology.network import CommunityNetwork, ImportRejected
from topology.store import open_store


def _network(folder: Path) -> CommunityNetwork:
    return CommunityNetwork(open_store(folder))


def test_meshviewer_into_store(tmp_path: Path, realdata: Path) -> None:
    result = build_model(
        parse_file(realdata / "meshviewer" / "freifunk-aachen-meshviewer.json"), "ffac"
    )
    net = _network(tmp_path / "s")
    net.import_model(result.model)
    again = _network(tmp_path / "s")  # what a restarted service loads
    assert (len(again.graph.nodes), len(again.graph.links)) == (2113, 4184)
    assert "339 nodes have no position" in " ".join(result.warnings)


def test_cnml_addresses_into_store(tmp_path: Path, realdata: Path) -> None:
    net = _network(tmp_path / "s")
    net.import_model(build_model(parse_file(realdata / "cnml" / "2525.cnml"), "guifi").model)
    got = net.whois("10.138.53.68")  # client CanetMasRamonet, in CanetRomani's AP range
    assert got is not None and (got.prefix, got.holder_id) == ("10.138.53.64/27", "guifi:23291")
    assert {a.prefix for a in net.allocations()} == {
        "10.138.53.64/27", "10.138.53.96/27", "172.25.54.104/29", "172.25.55.64/29",
    }


def test_rejected_import_leaves_store_untouched(tmp_path: Path, realdata: Path) -> None:
    net = _network(tmp_path / "s")
    first = build_model(parse_file(realdata / "cnml" / "2525.cnml"), "guifi").model
    net.import_model(first)
    broken = build_model(parse_file(realdata / "routing" / "olsr-5-links.json"), "guifi").model
    # A link to a node that does not exist: the store refuses the whole network.
    dangling = Link("guifi:dangling", broken.nodes[0].id, "guifi:nowhere")
    with pytest.raises(ImportRejected, match="guifi:nowhere"):
        net.import_model(replace(broken, links=(*broken.links, dangling)), replace_existing=True)
    again = _network(tmp_path / "s")
    assert (len(again.graph.nodes), len(again.graph.links)) == (17, 6)
    assert len(again.allocations()) == 4


@pytest.mark.parametrize(
    "path",
    [
        "gml/NodosZona8349.xml",
        "netjson/ninux-roma-olsr.json",
        "routing/batman.txt",
        "routing/bmx6.json",
        "routing/olsr-2-links.txt",
        "cnml/zones_3671_world.cnml",
        "cnml/56604_node.cnml",
        "respondd/nodeinfo.flated",
    ],
)
def test_every_format_stores(tmp_path: Path, realdata: Path, path: str) -> None:
    parsed = parse_file(realdata / path)
    model = build_model(parsed, "imp").model
    assert model.validate() == []
    net = _network(tmp_path / "s")
    net.import_model(model)
    assert len(_network(tmp_path / "s").graph.nodes) == len(parsed.nodes)
