"""The sample network (inventories/sample): Androscoggin Valley Mesh, Gorham and Berlin NH."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from topology.inventory import load_inventory
from topology.model import ID_SEP, LinkType, NetworkModel, Role, Status

SAMPLE = Path(__file__).resolve().parents[2] / "inventories" / "sample"


@pytest.fixture(scope="module")
def sample() -> NetworkModel:
    return load_inventory(SAMPLE)


def test_loads_valid(sample: NetworkModel) -> None:
    assert sample.validate() == []
    assert sample.community.slug == "androscoggin"


def test_counts(sample: NetworkModel) -> None:
    assert len(sample.nodes) >= 30
    towns = {z.id for z in sample.zones if z.parent_id is not None}
    assert towns == {"gorham", "berlin"}
    assert Counter(n.zone_id for n in sample.nodes).keys() == towns
    region = {z.parent_id for z in sample.zones if z.id in towns}
    assert region == {"north-country"}
    gateways = [n for n in sample.nodes if n.gateway]
    assert {g.zone_id for g in gateways} == towns and len(gateways) == 2
    types = {lk.type for lk in sample.links}
    assert {LinkType.WDS, LinkType.AP_CLIENT, LinkType.CABLE, LinkType.MESH} <= types
    statuses = Counter(n.status for n in sample.nodes) + Counter(lk.status for lk in sample.links)
    assert {Status.PLANNED, Status.BUILDING, Status.TESTING, Status.WORKING} <= statuses.keys()
    assert statuses[Status.DROPPED] + statuses[Status.INACTIVE] >= 1
    assert sum(1 for n in sample.nodes if n.role is Role.SUPERNODE) >= 6


def test_positions_inside_the_terrain_tile(sample: NetworkModel) -> None:
    for node in sample.nodes:
        assert 44.0 <= node.position.lat <= 45.0 and -72.0 <= node.position.lon <= -71.0, node.id
        zone = next(z for z in sample.zones if z.id == node.zone_id)
        assert zone.bbox is not None and zone.bbox.contains(node.position.lat, node.position.lon)


def test_working_links_reach_a_gateway(sample: NetworkModel) -> None:
    working = {n.id for n in sample.nodes if n.status is Status.WORKING}
    adjacent: dict[str, set[str]] = {}
    for lk in sample.links:
        if lk.status is Status.WORKING:
            assert lk.a in working and lk.b in working, lk.id
            adjacent.setdefault(lk.a, set()).add(lk.b)
            adjacent.setdefault(lk.b, set()).add(lk.a)
    for town in ("gorham", "berlin"):
        gateway = next(n.id for n in sample.nodes if n.gateway and n.zone_id == town)
        reached, todo = {gateway}, [gateway]
        while todo:
            for other in adjacent.get(todo.pop(), ()):
                if other not in reached:
                    reached.add(other)
                    todo.append(other)
        town_nodes = {n.id for n in sample.nodes if n.zone_id == town} & working
        assert town_nodes <= reached, town_nodes - reached


def test_inter_town_backbone(sample: NetworkModel) -> None:
    zone = {n.id: n.zone_id for n in sample.nodes}
    across = [
        lk
        for lk in sample.links
        if lk.b in zone and zone[lk.a] != zone[lk.b] and lk.status is Status.WORKING
    ]
    assert len(across) == 1 and across[0].type is LinkType.WDS
    assert {across[0].a, across[0].b} == {
        "androscoggin:mount-hayes-relay",
        "androscoggin:mount-forist-relay",
    }


def test_devices_radios_and_metrics(sample: NetworkModel) -> None:
    models = {d.model for n in sample.nodes for d in n.devices}
    for wanted in (
        "NanoStation M5",
        "LiteBeam 5AC",
        "PowerBeam 5AC",
        "SXTsq 5",
        "hAP ac2",
        "EdgeRouter X",
        "Wireless Wire",
    ):
        assert any(wanted in m for m in models), wanted
    radios = [f.radio for n in sample.nodes for d in n.devices for f in d.interfaces if f.radio]
    assert {r.mode.value for r in radios} == {"ap", "client", "wds", "mesh"}
    assert all(d.firmware for n in sample.nodes for d in n.devices)
    measured = [lk for lk in sample.links if lk.metrics.signal_dbm is not None]
    assert len(measured) >= 10
    assert all(-90 < (lk.metrics.signal_dbm or 0) < -30 for lk in measured)


def test_link_interfaces_name_real_devices(sample: NetworkModel) -> None:
    nodes = {n.id: n for n in sample.nodes}
    for lk in sample.links:
        for end, spec in ((lk.a, lk.a_interface), (lk.b, lk.b_interface)):
            if spec:
                device, _, interface = spec.partition("/")
                (dev,) = [d for d in nodes[end].devices if d.id == device]
                assert interface in {f.name for f in dev.interfaces}, (lk.id, spec)


def test_addresses(sample: NetworkModel) -> None:
    assert sample.address_plan.ipv4_lan == "10.228.0.0/16"
    holders = {(a.holder_kind.value, a.holder_id) for a in sample.allocations}
    assert ("node", "androscoggin:gorham-library") in holders
    assert ("node", "androscoggin:berlin-library") in holders
    link_ids = {lk.id for lk in sample.links}
    assert {h for k, h in holders if k == "link"} <= link_ids
    assert any(a.released_at is not None for a in sample.allocations)


def test_contacts_are_fictional(sample: NetworkModel) -> None:
    for node in sample.nodes:
        if node.contact is not None and node.contact.email:
            assert node.contact.email.endswith("@example.org"), node.id
        if node.contact is not None and node.contact.phone:
            assert " 555 01" in node.contact.phone, node.id


def test_border_link(sample: NetworkModel) -> None:
    border = [lk for lk in sample.links if lk.b.partition(ID_SEP)[0] != "androscoggin"]
    assert [lk.id for lk in border] == ["androscoggin:tunnel-lancaster"]
    assert border[0].status is Status.PLANNED


def test_every_file_is_inside_the_sample_and_loads_alone_with_the_community() -> None:
    files = sorted(p.relative_to(SAMPLE).as_posix() for p in SAMPLE.rglob("*.yaml"))
    assert files == [
        "berlin/homes.yaml",
        "berlin/sites.yaml",
        "community.yaml",
        "gorham/homes.yaml",
        "gorham/sites.yaml",
    ]
    for path in SAMPLE.rglob("*.yaml"):
        assert len(path.read_text().splitlines()) <= 400
