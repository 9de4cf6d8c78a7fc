"""Granular reads and writes: zones, nodes (with devices), links, statuses, metrics."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from topology.model import (
    BBox,
    Device,
    Interface,
    Link,
    LinkMetrics,
    NetworkModel,
    Node,
    Position,
    Status,
    Zone,
)
from topology.store import Conflict, NotFound, Store
from topology.store.tables import DeviceRow, InterfaceRow

ModelFactory = Callable[..., NetworkModel]


@pytest.fixture
def model(store: Store, make_model: ModelFactory) -> NetworkModel:
    m: NetworkModel = make_model(n_nodes=6, links_per_node=2)
    store.save_model(m)
    return m


def test_reads_match_the_saved_model(store: Store, model: NetworkModel) -> None:
    assert store.get_community() == model.community
    assert store.list_zones() == list(model.zones)
    assert store.get_zone("north") == model.zones[1]
    assert store.list_nodes() == list(model.nodes)
    assert store.get_node(model.nodes[3].id) == model.nodes[3]
    assert store.list_links() == list(model.links)
    assert store.get_link(model.links[2].id) == model.links[2]


def test_list_filters(store: Store, model: NetworkModel) -> None:
    north = [n for n in model.nodes if n.zone_id == "north"]
    assert store.list_nodes(zone="north") == north
    working = [n for n in model.nodes if n.status is Status.WORKING]
    assert store.list_nodes(status=Status.WORKING) == working
    both = [n for n in north if n.status is Status.WORKING]
    assert store.list_nodes(zone="north", status=Status.WORKING) == both
    assert store.list_nodes(zone="world") == []
    n0 = model.nodes[0].id
    assert store.list_links(node=n0) == [lk for lk in model.links if n0 in (lk.a, lk.b)]
    planned = [lk for lk in model.links if lk.status is Status.PLANNED]
    assert store.list_links(status=Status.PLANNED) == planned


def test_unknown_ids_raise_not_found(store: Store, model: NetworkModel) -> None:
    for call in (
        lambda: store.get_node("testnet:nope"),
        lambda: store.get_link("testnet:nope"),
        lambda: store.get_zone("nope"),
        lambda: store.delete_node("testnet:nope"),
        lambda: store.delete_link("testnet:nope"),
        lambda: store.set_node_status("testnet:nope", Status.DROPPED),
        lambda: store.set_link_status("testnet:nope", Status.DROPPED),
        lambda: store.update_link_metrics("testnet:nope", LinkMetrics(cost=1.0)),
    ):
        with pytest.raises(NotFound, match="nope"):
            call()


def test_upsert_zone(store: Store, model: NetworkModel) -> None:
    east = Zone("east", "East", parent_id="world", bbox=BBox(1, 2, 3, 4), ntp_servers=("a",))
    store.upsert_zone(east)
    assert store.list_zones() == [*model.zones, east]
    renamed = dataclasses.replace(model.zones[1], name="Far North")
    store.upsert_zone(renamed)
    assert store.list_zones() == [model.zones[0], renamed, model.zones[2], east]
    with pytest.raises(NotFound, match="parent zone"):
        store.upsert_zone(Zone("west", "West", parent_id="nowhere"))


def test_upsert_node_adds_and_replaces(store: Store, model: NetworkModel) -> None:
    new = Node(
        "testnet:new",
        "New",
        "south",
        Position(44.1, -71.2),
        devices=(Device("r", "r", interfaces=(Interface("eth0"), Interface("eth1"))),),
    )
    store.upsert_node(new)
    assert store.get_node(new.id) == new
    assert store.list_nodes()[-1] == new

    old = model.nodes[2]
    changed = dataclasses.replace(
        old,
        name="Renamed",
        zone_id="north",
        devices=(Device("other", "Other"),),
        contact=None,
        updated=datetime(2025, 1, 1, tzinfo=UTC),
    )
    store.upsert_node(changed)
    assert store.get_node(old.id) == changed
    assert store.list_nodes()[2] == changed  # keeps its place
    with pytest.raises(NotFound, match="zone 'atlantis'"):
        store.upsert_node(dataclasses.replace(new, id="testnet:x", zone_id="atlantis"))


def test_delete_node_with_links_is_refused(store: Store, model: NetworkModel) -> None:
    node = model.nodes[1]
    with pytest.raises(Conflict, match="still has links") as info:
        store.delete_node(node.id)
    assert "status" in str(info.value)
    assert store.get_node(node.id) == node


def test_delete_node_deletes_its_devices(store: Store, model: NetworkModel) -> None:
    node = model.nodes[1]
    for lk in store.list_links(node=node.id):
        store.delete_link(lk.id)
    store.delete_node(node.id)
    with pytest.raises(NotFound):
        store.get_node(node.id)
    # The devices went with it: a new node with the same id starts empty.
    store.upsert_node(dataclasses.replace(node, devices=()))
    assert store.get_node(node.id).devices == ()
    with store.engine.connect() as conn:
        assert conn.scalar(select(func.count()).where(DeviceRow.node_id == node.id)) == 0
        assert conn.scalar(select(func.count()).where(InterfaceRow.node_id == node.id)) == 0


def test_statuses(store: Store, model: NetworkModel) -> None:
    node, link = model.nodes[0], model.links[0]
    store.set_node_status(node.id, Status.DROPPED)
    store.set_link_status(link.id, Status.INACTIVE)
    assert store.get_node(node.id) == dataclasses.replace(node, status=Status.DROPPED)
    assert store.get_link(link.id) == dataclasses.replace(link, status=Status.INACTIVE)


def test_link_metrics(store: Store, model: NetworkModel) -> None:
    link = model.links[1]
    metrics = LinkMetrics(2.5, 1.2, 1.3, -70.0, 54.0, datetime(2025, 2, 3, 4, 5, 6, tzinfo=UTC))
    store.update_link_metrics(link.id, metrics)
    assert store.get_link(link.id) == dataclasses.replace(link, metrics=metrics)
    store.update_link_metrics(link.id, LinkMetrics())
    assert store.get_link(link.id).metrics == LinkMetrics()


def test_many_links_metrics_at_once(store: Store, model: NetworkModel) -> None:
    when = datetime(2025, 3, 1, tzinfo=UTC)
    new = {lk.id: LinkMetrics(cost=float(i), last_seen=when) for i, lk in enumerate(model.links)}
    store.update_links_metrics(new)
    assert [lk.metrics for lk in store.list_links()] == list(new.values())
    before = store.list_links()
    with pytest.raises(NotFound, match="testnet:nope"):
        store.update_links_metrics(
            {model.links[0].id: LinkMetrics(), "testnet:nope": LinkMetrics()}
        )
    assert store.list_links() == before  # all or nothing
    store.update_links_metrics({})


def test_upsert_link(store: Store, model: NetworkModel) -> None:
    a, b = model.nodes[0].id, model.nodes[4].id
    link = Link("testnet:extra", a, b, metrics=LinkMetrics(cost=3.0))
    store.upsert_link(link)
    assert store.list_links()[-1] == link
    moved = dataclasses.replace(model.links[0], b=model.nodes[5].id)
    store.upsert_link(moved)
    assert store.list_links()[0] == moved
    # A border link may end at another community's node ...
    border = Link("testnet:border2", a, "elsewhere:n1")
    store.upsert_link(border)
    assert store.get_link(border.id) == border
    # ... but an end in our namespace must be a stored node.
    with pytest.raises(NotFound, match="testnet:ghost"):
        store.upsert_link(Link("testnet:bad", a, "testnet:ghost"))


def test_delete_link(store: Store, model: NetworkModel) -> None:
    store.delete_link(model.links[0].id)
    assert store.list_links() == list(model.links[1:])


def test_granular_writes_on_an_empty_store(store: Store) -> None:
    """Without a stored community every link end counts as local."""
    zone = Zone("z", "Z")
    store.upsert_zone(zone)
    n1 = Node("c:n1", "1", "z", Position(0, 0))
    n2 = Node("c:n2", "2", "z", Position(0, 1))
    store.upsert_node(n1)
    store.upsert_node(n2)
    store.upsert_link(Link("c:l", n1.id, n2.id))
    with pytest.raises(NotFound):
        store.upsert_link(Link("c:l2", n1.id, "other:n9"))
    assert [n.id for n in store.list_nodes()] == [n1.id, n2.id]
    with pytest.raises(Conflict):
        store.delete_node(n1.id)
