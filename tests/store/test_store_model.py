"""Whole-network save and load: round trip, atomicity, replacement."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from topology.model import (
    AddressPlan,
    Allocation,
    Community,
    Contact,
    Device,
    DeviceType,
    HolderKind,
    Interface,
    InterfaceType,
    Link,
    LinkMetrics,
    LinkType,
    NetworkModel,
    Node,
    Pool,
    Position,
    Purpose,
    Radio,
    RadioMode,
    Role,
    Status,
    Zone,
)
from topology.store import Conflict, InvalidValue, NotFound, Store, bulk

if TYPE_CHECKING:
    from conftest import TestDatabase

ModelFactory = Callable[..., NetworkModel]


def test_round_trip_is_equal(store: Store, make_model: ModelFactory) -> None:
    model = make_model(n_nodes=12, links_per_node=3)
    store.save_model(model)
    loaded = store.load_model()
    assert loaded == model
    # Datetimes come back aware, in UTC, whatever zone they were saved in.
    updated = loaded.nodes[0].updated
    assert updated is not None and updated.tzinfo == UTC
    assert model.nodes[0].updated is not None
    assert model.nodes[0].updated.utcoffset() == timedelta(hours=2)


def test_round_trip_keeps_tuple_order(store: Store, make_model: ModelFactory) -> None:
    model = make_model(n_nodes=8)
    shuffled = dataclasses.replace(
        model,
        zones=tuple(reversed(model.zones)),  # children before their parent
        nodes=tuple(reversed(model.nodes)),
        links=tuple(reversed(model.links)),
        pools=tuple(reversed(model.pools)),
        allocations=tuple(reversed(model.allocations)),
    )
    store.save_model(shuffled)
    assert store.load_model() == shuffled


def test_round_trip_survives_a_new_store(db: TestDatabase, make_model: ModelFactory) -> None:
    model = make_model()
    db.open().save_model(model)
    assert db.open().load_model() == model


def test_save_replaces_everything(store: Store, make_model: ModelFactory) -> None:
    store.save_model(make_model(n_nodes=10))
    smaller = make_model(n_nodes=3, links_per_node=1, slug="other")
    store.save_model(smaller)
    assert store.load_model() == smaller
    assert store.get_community().slug == "other"


def test_save_bumps_the_ipam_version(store: Store, make_model: ModelFactory) -> None:
    before = store.ipam_version()
    store.save_model(make_model())
    assert store.ipam_version() == before + 1


def test_empty_store_has_no_model(store: Store) -> None:
    with pytest.raises(NotFound, match="no network is stored"):
        store.load_model()
    with pytest.raises(NotFound):
        store.get_community()


def test_minimal_model(store: Store) -> None:
    model = NetworkModel(Community("tiny", "Tiny"))
    store.save_model(model)
    assert store.load_model() == model
    assert store.get_address_plan() == AddressPlan()


def test_failed_save_stores_nothing(store: Store, make_model: ModelFactory) -> None:
    good = make_model()
    store.save_model(good)
    n = good.nodes[0]
    broken_nodes = (*good.nodes, dataclasses.replace(n, zone_id="atlantis"))  # FK + duplicate
    with pytest.raises(Conflict):
        store.save_model(dataclasses.replace(good, nodes=broken_nodes))
    assert store.load_model() == good


def test_duplicate_ids_are_a_conflict(store: Store, make_model: ModelFactory) -> None:
    model = make_model()
    with pytest.raises(Conflict):
        store.save_model(dataclasses.replace(model, links=(*model.links, model.links[0])))
    with pytest.raises(NotFound):
        store.load_model()


def test_link_to_a_missing_local_node_is_a_conflict(store: Store, make_model: ModelFactory) -> None:
    model = make_model()
    ghost = Link("testnet:ghost", model.nodes[0].id, "testnet:nobody")
    with pytest.raises(Conflict, match="link testnet:ghost: node 'testnet:nobody' does not exist"):
        store.save_model(dataclasses.replace(model, links=(*model.links, ghost)))


@pytest.mark.parametrize("broken", ["link end", "node zone", "zone parent", "pool zone"])
def test_the_database_enforces_references_too(
    store: Store, make_model: ModelFactory, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    """Without the friendly pre-check, the foreign keys still refuse a dangling reference."""
    monkeypatch.setattr(bulk, "check_references", lambda model: None)
    good = make_model()
    store.save_model(good)
    m = good
    if broken == "link end":
        m = dataclasses.replace(m, links=(Link("testnet:x", m.nodes[0].id, "testnet:nobody"),))
    elif broken == "node zone":
        m = dataclasses.replace(m, nodes=(dataclasses.replace(m.nodes[0], zone_id="x"),), links=())
    elif broken == "zone parent":
        m = dataclasses.replace(m, zones=(*m.zones, Zone("x", "X", parent_id="nowhere")))
    else:
        m = dataclasses.replace(m, pools=(Pool("10.0.0.0/8", Purpose.LAN, zone_id="x"),))
    with pytest.raises(Conflict):
        store.save_model(m)
    assert store.load_model() == good


def test_mid_size_network_round_trips(store: Store, make_model: ModelFactory) -> None:
    model = make_model(n_nodes=2000, links_per_node=4)
    store.save_model(model)
    assert store.load_model() == model


def test_nul_in_text(store: Store, make_model: ModelFactory) -> None:
    """PostgreSQL text cannot hold NUL: refused with a clear error, nothing half-stored."""
    model = make_model()
    odd = dataclasses.replace(model, nodes=(dataclasses.replace(model.nodes[0], name="a\x00b"),))
    odd = dataclasses.replace(odd, links=())
    if store.backend == "postgresql":
        store.save_model(model)
        with pytest.raises(InvalidValue, match="NUL"):
            store.save_model(odd)
        with pytest.raises(InvalidValue, match="NUL"):
            store.upsert_node(dataclasses.replace(model.nodes[0], name="a\x00b"))
        assert store.load_model() == model
    else:
        store.save_model(odd)
        assert store.load_model() == odd


def test_naive_datetimes_are_refused(store: Store, make_model: ModelFactory) -> None:
    model = make_model()
    naive = dataclasses.replace(model.nodes[0], created=datetime(2024, 1, 1))
    with pytest.raises(InvalidValue, match="no timezone"):
        store.save_model(dataclasses.replace(model, nodes=(naive, *model.nodes[1:])))


def test_bad_prefix_is_refused(store: Store, make_model: ModelFactory) -> None:
    model = make_model()
    bad = Allocation("10.1.2.33/27", Purpose.LAN, HolderKind.NODE, model.nodes[0].id)
    with pytest.raises(InvalidValue, match="host bits"):
        store.save_model(dataclasses.replace(model, allocations=(bad,)))


# --------------------------------------------------------------------------- property

SLUG = "prop"
# PostgreSQL text cannot hold NUL; surrogates are not valid UTF-8.
texts = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=12)
floats = st.floats(allow_nan=False, allow_infinity=False, width=64)
opt_floats = st.none() | floats
ints = st.none() | st.integers(-(2**31), 2**31 - 1)
zones_st = st.sampled_from(
    [UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=9, minutes=30))]
)
datetimes = st.none() | st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9998, 1, 1), timezones=zones_st
)
radios = st.none() | st.builds(
    Radio, st.sampled_from(RadioMode), texts, ints, ints, texts, opt_floats, opt_floats
)
interfaces = st.builds(
    Interface, texts, st.sampled_from(InterfaceType), texts, texts, texts, radios
)
devices = st.builds(
    Device,
    texts,
    texts,
    st.sampled_from(DeviceType),
    texts,
    texts,
    st.sampled_from(Status),
    st.lists(interfaces, max_size=3).map(tuple),
)


@st.composite
def models(draw: st.DrawFn) -> NetworkModel:
    zone = Zone("z", draw(texts), dns_servers=tuple(draw(st.lists(texts, max_size=3))))
    n = draw(st.integers(2, 5))
    nodes = []
    for i in range(n):
        devs = draw(st.lists(devices, max_size=3, unique_by=lambda d: d.id))
        contact = draw(st.none() | st.builds(Contact, texts, texts, texts))
        nodes.append(
            Node(
                f"{SLUG}:n{i}",
                draw(texts),
                "z",
                Position(
                    draw(st.floats(-90, 90)),
                    draw(st.floats(-180, 180)),
                    draw(st.floats(0, 1000)),
                ),
                draw(st.sampled_from(Status)),
                draw(st.sampled_from(Role)),
                draw(st.booleans()),
                tuple(devs),
                contact,
                draw(st.booleans()),
                draw(texts),
                draw(datetimes),
                draw(datetimes),
            )
        )
    metrics = st.builds(
        LinkMetrics, opt_floats, opt_floats, opt_floats, opt_floats, opt_floats, datetimes
    )
    links = tuple(
        Link(
            f"{SLUG}:l{i}",
            nodes[i].id,
            nodes[(i + 1) % n].id,
            draw(st.sampled_from(LinkType)),
            draw(st.sampled_from(Status)),
            draw(metrics),
            draw(texts),
            draw(texts),
        )
        for i in range(n - 1)
    )
    plan = AddressPlan(
        lan_prefixlen=draw(st.integers(8, 30)), holddown_s=draw(st.integers(0, 2**31 - 1))
    )
    return NetworkModel(Community(SLUG, draw(texts)), plan, (zone,), tuple(nodes), links)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(model=models())
def test_any_model_round_trips(store: Store, model: NetworkModel) -> None:
    store.save_model(model)  # replaces the previous example's network
    assert store.load_model() == model
