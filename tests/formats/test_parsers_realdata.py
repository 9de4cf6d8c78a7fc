"""Every parser on the real exports in ../shared/realdata, with counts checked by hand.

How the expected counts were found (outside this code), per file:
* CNML: ``grep -o '<node ' F | wc -l`` (nodes), the same for ``'<device '`` and
  ``'<radio '``; unique link ids ``grep -o '<link id="[0-9]*"' F | sort -u | wc -l``;
  zones ``grep -o '<zone ' F | wc -l``.
* GML: ``grep -c '<dnodes' NodosZona*.xml`` and ``grep -c '<dlinks' LinksZona*.xml``.
* meshviewer: ``len(doc["nodes"])`` and ``len(doc["links"])`` with ``python -m json.tool``
  and jq (``jq '.nodes|length'``); SOURCES.md gives the same figures.
* routing: by reading the small files (nodes and distinct undirected pairs).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from topology.formats import FormatError, build_model, parse_file, parse_files

CNML_COUNTS = {
    # file: (nodes, devices, radios, unique link ids, zones)
    "2525.cnml": (17, 13, 10, 12, 1),
    "26494_detail_1.cnml": (94, 42, 35, 19, 4),
    "26494_detail_2.cnml": (94, 43, 36, 20, 4),
    "26494_detail_3.cnml": (94, 46, 39, 20, 4),
    "26494_detail_2012.cnml": (76, 34, 33, 17, 1),
    "56604_node.cnml": (1, 8, 6, 5, 0),
    "cnml1.xml": (3, 12, 7, 16, 1),
    "cnml2.xml": (3, 10, 6, 15, 1),
    "zones_3671_world.cnml": (0, 0, 0, 0, 2342),
}


@pytest.mark.parametrize("name", sorted(CNML_COUNTS))
def test_cnml_counts(realdata: Path, name: str) -> None:
    net = parse_file(realdata / "cnml" / name)
    nodes, devices, radios, links, zones = CNML_COUNTS[name]
    c = net.counts
    assert (c["nodes"], c["devices"], c["radios"], c["links"], c["zones"]) == (
        nodes, devices, radios, links, zones,
    )
    assert len(net.nodes) == nodes


def test_cnml_2525_details(realdata: Path) -> None:
    net = parse_file(realdata / "cnml" / "2525.cnml")
    assert net.counts["services"] == 8  # grep -c '<service '
    zone = net.zones[0]
    assert (zone.id, zone.name, zone.ntp_servers) == ("2525", "Canet de Mar", ("10.138.53.66",))
    cuba = net.nodes["52279"]
    assert (cuba.name, cuba.lat, cuba.lon, cuba.status.value) == (
        "CanetCuba", 41.590069, 2.575718, "Working",
    )
    (device,) = cuba.devices
    assert (device.id, device.firmware) == ("50021", "AirOsv3.6+")
    # The radio's interface and its device-level repeat (same id 84998) are one interface.
    (iface,) = device.interfaces
    assert (iface.name, iface.ipv4, iface.radio is not None) == ("84998", "10.138.53.101/27", True)


def test_cnml_address_holder(realdata: Path) -> None:
    """10.138.53.101 (CanetCuba, a client) is in 10.138.53.96/27, the range of the
    access point CanetMarc35 (node 43865, device 48483, mainipv4 10.138.53.97, line 45)."""
    from topology.ipam import AddressManager

    model = build_model(parse_file(realdata / "cnml" / "2525.cnml"), "guifi").model
    got = AddressManager.from_model(model).whois("10.138.53.101")
    assert got is not None
    assert (got.prefix, got.holder_id) == ("10.138.53.96/27", "guifi:43865")


def test_cnml_overlaps_are_reported(realdata: Path) -> None:
    """26494: 10.228.172.33/29 and 10.228.172.49/28 lie inside 10.228.172.32/27 (held
    by .34, .35, .36 with mask .224): real overlapping ranges in the export."""
    result = build_model(parse_file(realdata / "cnml" / "26494_detail_1.cnml"), "guifi")
    text = "\n".join(result.address_conflicts)
    assert "10.228.172.32/29" in text and "10.228.172.48/28" in text
    assert all("overlaps" in c for c in result.address_conflicts)


def test_cnml_links_once_by_id(realdata: Path) -> None:
    net = parse_file(realdata / "cnml" / "2525.cnml")
    ids = [lk.id for lk in (*net.links, *net.other_links)]
    assert len(ids) == len(set(ids)) == 12
    link = next(lk for lk in net.links if lk.id == "56317")
    assert {link.a, link.b} == {"52279", "43865"}
    assert (link.type.value if link.type else None, link.status.value) == ("ap/client", "Working")


@pytest.mark.parametrize(
    ("zone", "nodes", "links", "outside"),
    [("8349", 2913, 2925, 373), ("11642", 2844, 2113, 28)],
)
def test_gml_pair(realdata: Path, zone: str, nodes: int, links: int, outside: int) -> None:
    net = parse_file(realdata / "gml" / f"NodosZona{zone}.xml")  # brings LinksZona along
    assert (net.counts["nodes"], net.counts["links"]) == (nodes, links)
    # Link ends in neighbouring zones: placed by the link line's coordinates.
    assert net.counts["outside_nodes"] == outside == len(net.nodes) - nodes
    assert all(n.lat is not None for n in net.nodes.values())


def test_gml_details(realdata: Path) -> None:
    net = parse_file(realdata / "gml" / "NodosZona8349.xml")
    first = net.nodes["3285"]
    assert (first.name, first.role.value, first.lon, first.lat) == (
        "SEBAjuntament", "supernode", 2.282921, 41.900266,
    )
    kinds = [lk.type.value for lk in net.links if lk.type]
    assert (kinds.count("ap/client"), kinds.count("wds")) == (2797, 128)  # grep LINK_TYPE


@pytest.mark.parametrize(
    ("city", "nodes", "links"),
    [("aachen", 2113, 4184), ("bremen", 891, 1395), ("leipzig", 279, 347), ("ulm", 228, 234)],
)
def test_meshviewer(realdata: Path, city: str, nodes: int, links: int) -> None:
    net = parse_file(realdata / "meshviewer" / f"freifunk-{city}-meshviewer.json")
    assert (len(net.nodes), len(net.links)) == (nodes, links)
    assert net.format == "meshviewer"
    assert len({lk.id for lk in net.links}) == links  # parallel links stay distinct


def test_meshviewer_link_quality(realdata: Path) -> None:
    net = parse_file(realdata / "meshviewer" / "freifunk-ulm-meshviewer.json")
    link = next(lk for lk in net.links if lk.a == "b2be7638d412" and lk.b == "da0d173cd498")
    assert link.cost == pytest.approx(1 / (0.209 * 0.089), rel=1e-3)


def test_netjson_ninux(realdata: Path) -> None:
    net = parse_file(realdata / "netjson" / "ninux-roma-olsr.json")
    assert (len(net.nodes), len(net.links), net.label, net.metric) == (
        147, 191, "Ninux Roma", "ETX",
    )


@pytest.mark.parametrize(
    ("name", "fmt", "nodes", "links"),
    [
        ("olsr-2-links.json", "olsr", 3, 2),
        ("olsr-2-links-newformat.json", "olsr", 3, 2),
        ("olsr-2-links.txt", "olsr-txt", 3, 2),
        ("olsr-3-links.json", "olsr", 4, 3),
        ("olsr-5-links.json", "olsr", 5, 5),
        ("olsr-5-links.txt", "olsr-txt", 5, 5),
        ("batman.json", "batman", 5, 4),
        ("batman.txt", "batman-txt", 5, 4),
        ("batman-duplicated.json", "batman", 5, 4),
        ("bmx6.json", "bmx6", 7, 6),
        ("netjson-2-links.json", "netjson", 3, 2),
        ("netjson-3-links.json", "netjson", 4, 3),
    ],
)
def test_routing_daemons(realdata: Path, name: str, fmt: str, nodes: int, links: int) -> None:
    net = parse_file(realdata / "routing" / name)
    assert (net.format, len(net.nodes), len(net.links)) == (fmt, nodes, links)


def test_olsr_cost(realdata: Path) -> None:
    """tcEdgeCost 28334 / 1024 = 27.67 between 10.150.0.2 and 10.150.0.3."""
    net = parse_file(realdata / "routing" / "olsr-2-links.json")
    link = next(lk for lk in net.links if {lk.a, lk.b} == {"10.150.0.2", "10.150.0.3"})
    assert link.cost == pytest.approx(27.67, abs=0.01)


def test_respondd_nodes_merge(realdata: Path) -> None:
    """node1 (a) sees b and c over batman and c2 over lldp; node4 (d) sees a."""
    net = parse_files([realdata / "respondd" / f"node{i}.json" for i in range(1, 5)])
    pairs = sorted((lk.a, lk.b, lk.type.value if lk.type else "") for lk in net.links)
    assert pairs == [
        ("node1.json", "node2.json", "mesh"),
        ("node1.json", "node3.json", "cable"),
        ("node1.json", "node3.json", "mesh"),
        ("node1.json", "node4.json", "mesh"),
    ]


def test_respondd_deflate_equals_json(realdata: Path) -> None:
    packet = parse_file(realdata / "respondd" / "nodeinfo.flated")
    (node,) = packet.nodes.values()
    assert (node.id, node.name, node.properties["model"]) == (
        "f81a67a5e9c1", "Trillian", "TP-Link TL-WDR4900 v1",
    )
    assert node.lat == pytest.approx(53.115849623138475)
    assert "owner" not in node.properties and "contact" not in str(node.properties)


def test_respondd_statistics_and_yanic_nodes(realdata: Path) -> None:
    stats = parse_file(realdata / "respondd" / "statistics.json")
    (node,) = stats.nodes.values()
    assert node.id == "f81a67a601ea" and node.properties["clients"]["total"] == 35
    assert len(parse_file(realdata / "respondd" / "nodes.json").nodes) == 2


@pytest.mark.parametrize(
    ("folder", "name", "needle"),
    [
        ("cnml", "54284_invalid.cnml", "line 15 column 14: broken XML"),
        ("cnml", "empty.cnml", "file is empty"),
        ("respondd", "nodes-broken.json", "line 2 column 2"),
    ],
)
def test_broken_files(realdata: Path, folder: str, name: str, needle: str) -> None:
    with pytest.raises(FormatError) as err:
        parse_file(realdata / folder / name)
    assert name in str(err.value) and needle in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    "name",
    ["olsr-2-links.json", "olsr-2-links-newformat.json", "olsr-2-links-cost-changed.json",
     "olsr-3-links.json", "olsr-5-links.json", "olsr-5-links-cost-changed.json"],
)
def test_olsr_fast_path_matches_agent_parser(realdata: Path, name: str) -> None:
    """The importer's own jsoninfo reader gives what the agent's tested parser gives
    (``read``, the parser's reference path)."""
    from topology.formats.daemons import OlsrJsonParser

    data = (realdata / "routing" / name).read_bytes()
    agent = OlsrJsonParser().read(data)
    ours = parse_file(realdata / "routing" / name)
    assert sorted(ours.nodes) == agent["nodes"]
    assert sorted((lk.a, lk.b, lk.cost) for lk in ours.links) == [
        (lk["source"], lk["target"], lk["cost"]) for lk in agent["links"]
    ]


@pytest.mark.parametrize(
    ("name", "agent"),
    [("batman.json", "batman"), ("batman-1+1.json", "batman"), ("batman-duplicated.json", "batman"),
     ("bmx6.json", "bmx"), ("bmx6-1+1.json", "bmx")],
)
def test_lean_paths_match_agent_parsers(realdata: Path, name: str, agent: str) -> None:
    """batman and BMX6 imports read less than the agent's parsers (each parser's
    ``read``), with the same result."""
    from topology.formats.daemons import BatmanJsonParser, BmxParser

    data = (realdata / "routing" / name).read_bytes()
    want = (BatmanJsonParser() if agent == "batman" else BmxParser()).read(data)
    ours = parse_file(realdata / "routing" / name)
    assert sorted(ours.nodes) == want["nodes"]
    assert sorted((lk.a, lk.b, lk.cost) for lk in ours.links) == [
        (lk["source"], lk["target"], lk["cost"]) for lk in want["links"]
    ]


def test_gml_pair_in_any_order(realdata: Path) -> None:
    gml = realdata / "gml"
    net = parse_files([gml / "LinksZona11642.xml", gml / "NodosZona11642.xml"])
    assert (net.counts["nodes"], net.counts["links"], net.counts["outside_nodes"]) == (
        2844, 2113, 28,
    )
