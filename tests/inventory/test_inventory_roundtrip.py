"""Export then import gives the same model: single file and directory form."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from inventory_models import network_models, varied

from topology.inventory import (
    PUBLIC_POSITION_DECIMALS,
    dump_inventory,
    dump_inventory_files,
    load_inventory,
    loads_inventory,
    write_inventory,
)
from topology.model import NetworkModel

SAMPLE = Path(__file__).resolve().parents[2] / "inventories" / "sample"


@pytest.fixture(scope="module")
def sample() -> NetworkModel:
    return load_inventory(SAMPLE)


def test_sample_single_file(sample: NetworkModel, tmp_path: Path) -> None:
    text = dump_inventory(sample)
    assert loads_inventory(text) == sample
    write_inventory(sample, tmp_path / "one.yaml")
    assert load_inventory(tmp_path / "one.yaml") == sample
    assert dump_inventory(load_inventory(tmp_path / "one.yaml")) == text  # stable text
    assert yaml.safe_load(text)["community"]["slug"] == "androscoggin"  # plain YAML


def test_sample_directory(sample: NetworkModel, tmp_path: Path) -> None:
    write_inventory(sample, tmp_path / "inv", split=True)
    names = sorted(
        p.relative_to(tmp_path / "inv").as_posix() for p in (tmp_path / "inv").rglob("*")
    )
    assert names == ["community.yaml", "zones", "zones/berlin.yaml", "zones/gorham.yaml"]
    assert load_inventory(tmp_path / "inv") == sample  # same order: berlin files sort first
    write_inventory(sample, tmp_path / "inv", split=True)  # rewriting in place is fine
    (tmp_path / "inv" / "stale.yaml").write_text("nodes: []\n")
    with pytest.raises(FileExistsError, match=r"stale\.yaml"):
        write_inventory(sample, tmp_path / "inv", split=True)


def _sorted(model: NetworkModel) -> NetworkModel:
    from dataclasses import replace

    return replace(
        model,
        nodes=tuple(sorted(model.nodes, key=lambda n: n.id)),
        links=tuple(sorted(model.links, key=lambda lk: lk.id)),
    )


def test_varied_model(sample: NetworkModel, tmp_path: Path) -> None:
    model = varied(sample)
    assert model.validate() == []
    assert loads_inventory(dump_inventory(model)) == model
    files = dump_inventory_files(model)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert _sorted(load_inventory(tmp_path)) == _sorted(model)


def test_defaults_are_left_out(sample: NetworkModel) -> None:
    text = dump_inventory(sample)
    assert "gateway: false" not in text and "private_position: true" not in text
    assert "role: client" not in text and "metrics: {}" not in text
    assert "lan_prefixlen" not in text  # the address plan keeps its default sizes
    assert "id: gorham-library--gorham-town-hall" not in text  # derived link ids


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(network_models())
def test_generated_models_round_trip(model: NetworkModel) -> None:
    assert model.validate() == []
    text = dump_inventory(model)
    assert loads_inventory(text) == model
    assert yaml.safe_load(text) is not None  # the pure-Python safe loader agrees it is YAML


def test_public_export(sample: NetworkModel) -> None:
    text = dump_inventory(sample, public=True)
    assert "contact:" not in text and "owner:" not in text and "@example.org" not in text
    public = loads_inventory(text)
    by_id = {n.id: n for n in sample.nodes}
    rounded = 0
    for node in public.nodes:
        original = by_id[node.id]
        assert node.contact is None and node.owner == ""
        if original.private_position:
            assert node.position.lat == round(original.position.lat, PUBLIC_POSITION_DECIMALS)
            assert node.position.lon == round(original.position.lon, PUBLIC_POSITION_DECIMALS)
            assert abs(node.position.lat - original.position.lat) <= 0.0005 + 1e-9
            rounded += node.position != original.position
        else:
            assert node.position == original.position
    assert rounded >= 5
    assert public.links == sample.links and public.allocations == sample.allocations
    files = dump_inventory_files(sample, public=True)
    assert not any("@example.org" in t for t in files.values())
