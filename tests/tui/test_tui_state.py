"""The pure parts: event folding, filters and sorts, fuzzy search, the braille canvas."""

from __future__ import annotations

import math

from topology.client_models import ServerEvent
from tui.canvas import Scene, View, draw
from tui.query import filter_links, filter_nodes, fuzzy_rank, link_rows
from tui.state import NetState


def state() -> NetState:
    s = NetState()
    s.load(
        community="c",
        nodes=[
            {"id": "c:a", "name": "Alpha Hall", "zone": "c:north", "status": "Working",
             "position": {"lat": 44.0, "lon": -71.0}},
            {"id": "c:b", "name": "Bravo Home", "zone": "c:south", "status": "Planned",
             "position": {"lat": 44.01, "lon": -71.01}},
            {"id": "c:c", "name": "Charlie", "zone": "c:south", "status": "Working",
             "position": {"lat": 44.02, "lon": -71.0}},
        ],
        links=[
            {"id": "c:a--b", "a": "c:a", "b": "c:b", "type": "wds", "status": "Working",
             "metrics": {"cost": 1.1}},
            {"id": "c:a--c", "a": "c:a", "b": "c:c", "type": "mesh", "status": "Working",
             "metrics": {"cost": 6.0}},
        ],
        allocations=[{"prefix": "10.1.0.0/27", "holder_id": "c:a"}],
    )  # fmt: skip
    return s


def ev(kind: str, subject: object, data: object, ident: str = "1") -> ServerEvent:
    return ServerEvent(kind, {"kind": kind, "subject": subject, "data": data}, ident)


def test_events_patch_nodes_links_alerts() -> None:
    s = state()
    v = s.version
    assert s.apply(ev("node.changed", "c:b", {"status": "Building", "liveness": "down"})) == "nodes"
    assert s.nodes["c:b"]["status"] == "Building" and s.unheard() == ["c:b"]
    assert s.apply(ev("link.metrics", "c:a--b", {"cost": 9.0, "signal_dbm": -80}), 5) == "links"
    assert s.links["c:a--b"]["metrics"]["cost"] == 9.0 and s.updates[5] == 0
    assert s.apply(ev("node.reported", "c:a", {"seq": 7}), 5) == "reports"
    assert s.updates[5] == 1
    alert = {"id": 3, "kind": "node.down", "subject": "c:b", "active": True}
    assert s.apply(ev("alert.raised", "3", alert)) == "alerts"
    assert s.apply(ev("alert.acknowledged", "3", {**alert, "acknowledged_at": "x"})) == "alerts"
    assert len(s.alerts) == 1 and s.alerts[0].get("acknowledged_at") == "x"
    assert s.apply(ev("gap", None, {})) == "reload"
    assert s.version > v


def test_bad_events_change_nothing() -> None:
    s = state()
    v = s.version
    for bad in (
        ev("node.changed", None, {}),
        ev("node.changed", 5, {"status": 1}),
        ev("link.metrics", "c:new", {"cost": "x"}),  # a link without ends
        ev("alert.raised", "x", {"id": "nope"}),
        ServerEvent("message", {}, None, "not json"),
        ev("unknown.kind", "c:a", []),
    ):
        s.apply(bad)
    assert s.version == v


def test_filter_by_field_address_and_sort() -> None:
    rows = state().node_rows()
    assert [r.id for r in filter_nodes(rows, "zone:south")] == ["c:b", "c:c"]
    assert [r.id for r in filter_nodes(rows, "10.1.0.7")] == ["c:a"]  # inside its /27
    assert [r.id for r in filter_nodes(rows, "south work")] == ["c:c"]
    assert [r.id for r in filter_nodes(rows, "", "name", reverse=True)] == ["c:c", "c:b", "c:a"]
    assert [r.id for r in filter_nodes(rows, "", "status")][-1] == "c:b"  # Planned last


def test_links_worst_first_and_fuzzy() -> None:
    s = state()
    assert [r.id for r in filter_links(link_rows(s), "")] == ["c:a--c", "c:a--b"]
    assert [r.id for r in filter_links(link_rows(s), "poor")] == ["c:a--c"]
    # a lossy link rises above a costlier one; a link.metrics event brings the loss
    assert s.apply(ev("link.metrics", "c:a--b", {"a": "c:a", "b": "c:b", "loss": 0.4}))
    assert [r.id for r in filter_links(link_rows(s), "")] == ["c:a--b", "c:a--c"]
    assert next(r.id for r in filter_links(link_rows(s), "", "loss")) == "c:a--b"
    names = [(i, str(n.get("name"))) for i, n in s.nodes.items()]
    assert fuzzy_rank("brvo", names)[0] == "c:b"  # letters in order
    assert fuzzy_rank("c", names)[0] == "c:c"  # exact id first


def test_canvas_draws_and_thins() -> None:
    scene = Scene.build(
        [(f"n{i}", 44 + i * 0.001, -71 + (i % 10) * 0.001) for i in range(100)],
        [(f"n{i}", f"n{i + 1}", "poor") for i in range(99)],
    )
    view = scene.fit(aspect=2.0)
    frame = draw(scene, view, 40, 20)
    assert frame.nodes_shown == 100 and len(frame.lines) == 20
    assert all(len(line.plain) == 40 for line in frame.lines)
    thin = draw(scene, view, 40, 20, max_samples=5)
    assert thin.thinned > 0 and thin.links_shown < frame.links_shown
    far = draw(scene, View(0.0, 0.0, 1.0), 40, 20)  # nothing there
    assert far.nodes_shown == 0 and all(not line.plain.strip() for line in far.lines)
    assert math.isclose(view.zoom(2).span_lon, view.span_lon / 2)


def test_narrowing_gives_the_same_rows() -> None:
    from tui.query import keep_matching, narrows

    rows = state().node_rows()
    assert narrows("a", "al") and narrows("a", "a b") and not narrows("", "a")
    assert not narrows("zone", "zone:b")
    assert not narrows("10.1", "10.1.0.7") and not narrows("ab", "a")
    previous = filter_nodes(rows, "o")
    assert keep_matching(previous, "ou") == filter_nodes(rows, "ou")
