"""Round trips: CNML in, CNML out, CNML in again gives the same model; a full export
of a community imported into a fresh service loses no node, link or address."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_INVENTORY
from topology.formats import build_model, parse_bytes, parse_file
from topology.formats.export import export
from topology.inventory import load_inventory
from topology.model import NetworkModel
from topology.network import CommunityNetwork
from topology.store import open_store


def _sorted(m: NetworkModel) -> NetworkModel:
    return replace(
        m,
        zones=tuple(sorted(m.zones, key=lambda z: z.id)),
        nodes=tuple(sorted(m.nodes, key=lambda n: n.id)),
        links=tuple(sorted(m.links, key=lambda lk: lk.id)),
        allocations=tuple(sorted(m.allocations, key=lambda a: a.prefix)),
    )


@pytest.mark.parametrize(
    "name",
    ["2525.cnml", "26494_detail_1.cnml", "26494_detail_2012.cnml", "56604_node.cnml",
     "cnml1.xml", "zones_3671_world.cnml"],
)
def test_cnml_round_trip(realdata: Path, name: str) -> None:
    first = build_model(parse_file(realdata / "cnml" / name), "guifi")
    data, _ = export(first.model, "cnml", public=False)
    second = build_model(parse_bytes(data, "again.cnml"), "guifi")
    assert _sorted(second.model) == _sorted(first.model)
    # Conflicting entries were left out of the first model, so the export has none.
    assert second.address_conflicts == ()


def test_full_export_into_fresh_service(tmp_path: Path) -> None:
    original = CommunityNetwork(open_store(tmp_path / "one"))
    original.import_model(load_inventory(SAMPLE_INVENTORY))
    original.assign_missing_addresses()
    before = original.model()
    data, _ = export(before, "cnml", public=False)
    fresh = CommunityNetwork(open_store(tmp_path / "two"))
    fresh.import_model(build_model(parse_bytes(data, "full.cnml"), before.community.slug).model)
    after = fresh.model()

    def nodes(m: NetworkModel) -> set[tuple[object, ...]]:
        return {(n.id, n.name, n.zone_id, n.position, n.status, n.role, n.gateway, n.devices)
                for n in m.nodes}

    def links(m: NetworkModel) -> set[tuple[object, ...]]:
        return {(lk.id, frozenset((lk.a, lk.b)), lk.type, lk.status) for lk in m.links}

    assert nodes(after) == nodes(before)
    assert links(after) == links(before)
    assert {z.id for z in after.zones} == {z.id for z in before.zones}
    def held(m: NetworkModel) -> set[tuple[object, ...]]:
        # ``pool`` is left out: the address manager fills it in where an entry had none.
        return {(a.prefix, a.purpose, a.holder_kind, a.holder_id, a.allocated_at, a.note)
                for a in m.allocations if a.released_at is None}

    assert held(after) == held(before)
    assert set(after.pools) == set(before.pools)
    assert after.address_plan == before.address_plan
    assert after.community.name == before.community.name
