"""Pure processing of reports: the body model, link matching, costs, new links, batches."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from topology.graph import LiveGraph
from topology.ingest.process import (
    Overlay,
    choose_link,
    derived_cost,
    derived_link_id,
    plan_report,
)
from topology.ingest.report import Report, report_schema
from topology.metrics.samples import pack_links, unpack_links
from topology.model import Link, LinkMetrics, LinkType, Node, Position, Status

T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def node(local: str) -> Node:
    return Node(f"c:{local}", local, "z", Position(44.5, -71.2), Status.WORKING)


def graph() -> LiveGraph:
    nodes = [node(x) for x in ("a", "b", "c", "d")]
    links = [
        Link("c:ab", "c:a", "c:b", LinkType.WDS, Status.WORKING, a_interface="r1/wlan0"),
        Link("c:ab-cable", "c:a", "c:b", LinkType.CABLE, Status.WORKING, a_interface="r1/eth0"),
        Link("c:bc", "c:b", "c:c", LinkType.WDS, Status.WORKING,
             LinkMetrics(cost=2.0, last_seen=T0 + timedelta(minutes=5))),
        Link("c:cd-old", "c:c", "c:d", LinkType.WDS, Status.DROPPED),
    ]  # fmt: skip
    return LiveGraph(nodes, links)


def report(links: list[dict[str, Any]], seq: int = 1, t: datetime = T0, **extra: Any) -> Report:
    body = {"seq": seq, "time": t.isoformat(), "links": links, **extra}
    return Report.model_validate_json(json.dumps(body))


def plan(view: Any, node_id: str, r: Report, resolve: Any = None) -> Any:
    return plan_report(
        view, node_id, r, received_at=T0 + timedelta(minutes=10), community="c",
        resolve=resolve or (lambda address, reporter: None),
    )  # fmt: skip


# --------------------------------------------------------------------------- the body


def test_report_defaults_and_unknown_fields_ignored() -> None:
    r = report([{"neighbour": "b", "future_field": 1}], extra_top="x")
    assert r.interval_s == 60 and r.dropped_reports == 0 and r.routes is None
    assert r.links[0].neighbour == "b" and r.links[0].interface == ""


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"time": "2026-01-01T00:00:00Z"}, ("seq",)),
        ({"seq": 1, "time": "2026-01-01T00:00:00"}, ("time",)),  # no offset: refused
        ({"seq": -1, "time": "2026-01-01T00:00:00Z"}, ("seq",)),
        ({"seq": 1, "time": "2026-01-01T00:00:00Z", "links": [{"neighbour": "b", "loss": 2}]},
         ("links", 0, "loss")),
        ({"seq": 1, "time": "2026-01-01T00:00:00Z", "links": [{"interface": "wlan0"}]},
         ("links", 0)),
        ({"seq": 1, "time": "2026-01-01T00:00:00Z", "system": {"memory_used_pct": 101}},
         ("system", "memory_used_pct")),
        ({"seq": 1, "time": "2026-01-01T00:00:00Z", "links": [{"neighbour": "b\\u0000"}]},
         ("links", 0, "neighbour")),
    ],
)  # fmt: skip
def test_report_refusals_name_the_field(body: dict[str, Any], loc: tuple[Any, ...]) -> None:
    with pytest.raises(ValidationError) as err:
        Report.model_validate_json(json.dumps(body).replace("\\\\u0000", "\\u0000"))
    assert err.value.errors()[0]["loc"] == loc


def test_report_refuses_non_finite_numbers_and_lone_surrogates() -> None:
    with pytest.raises(ValidationError):
        Report.model_validate_json(
            '{"seq": 1, "time": "2026-01-01T00:00:00Z", "links": [{"neighbour": "b", '
            '"cost": Infinity}]}'
        )
    with pytest.raises(ValidationError):
        Report.model_validate_json('{"seq": 1, "time": "2026-01-01T00:00:00Z", '
                                   '"links": [{"neighbour": "x\\ud800"}]}')  # fmt: skip


def test_report_schema_is_self_contained() -> None:
    text = json.dumps(report_schema())
    assert "$ref" not in text and "neighbour" in text


# --------------------------------------------------------------------------- costs and ids


def test_derived_cost_is_etx_in_units_of_256() -> None:
    assert derived_cost(256, 256) == 1.0
    assert derived_cost(96, 96) == 1.0  # babeld's wired hop: a perfect hop
    assert derived_cost(512, 256) == 2.0
    assert derived_cost(None, 384) == 2.25
    assert derived_cost(0xFFFF, 256) is None
    assert derived_cost(None, None) is None


def test_derived_link_id_is_deterministic_and_valid() -> None:
    assert derived_link_id("c", "c:b", "c:a") == derived_link_id("c", "c:a", "c:b")
    assert derived_link_id("c", "c:a", "c:b") == "c:mesh-a--b"
    hashed = derived_link_id("c", "c:x--y", "c:z")  # "--" inside a local id: digest
    assert hashed.startswith("c:mesh-") and "--" not in hashed
    long = derived_link_id("c", "c:" + "a" * 120, "c:b")
    Link(long, "c:" + "a" * 120, "c:b")  # a valid id


def test_choose_link_prefers_the_reported_interface_then_routable() -> None:
    g = graph()
    both = g.links_between("c:a", "c:b")
    assert choose_link(both, "c:a", "eth0").id == "c:ab-cable"  # type: ignore[union-attr]
    assert choose_link(both, "c:a", "wlan0").id == "c:ab"  # type: ignore[union-attr]
    assert choose_link(both, "c:a", "").id == "c:ab"  # type: ignore[union-attr]
    assert choose_link((), "c:a", "") is None


# --------------------------------------------------------------------------- plans


def test_plan_refreshes_an_existing_link_from_a_s_point_of_view() -> None:
    g = graph()
    r = report([{"neighbour": "c:a", "interface": "wlan0", "rx_cost": 300, "tx_cost": 260,
                 "signal_dbm": -60, "rate_mbps": 150}])  # fmt: skip
    p = plan(Overlay(g), "c:b", r)  # b reports a: b is end "b" of c:ab, so rx/tx swap
    assert p.seen == ("c:ab",) and p.new_links == () and p.unmatched == ()
    m = p.metrics["c:ab"]
    assert (m.rx_cost, m.tx_cost) == (260, 300)
    assert m.cost == pytest.approx(300 / 256 * 260 / 256)
    assert m.last_seen == T0 and m.signal_dbm == -60
    (sample,) = p.link_samples
    assert (sample.node_id, sample.rx_cost, sample.tx_cost) == ("c:b", 260, 300)


def test_plan_takes_local_ids_and_reported_costs() -> None:
    p = plan(Overlay(graph()), "c:a", report([{"neighbour": "b", "cost": 1.3}]))
    assert p.metrics["c:ab"].cost == 1.3


def test_plan_creates_a_mesh_link_for_a_new_neighbour() -> None:
    p = plan(Overlay(graph()), "c:d", report([{"neighbour": "c:a", "interface": "wlan1",
                                                "cost": 1.5}]))  # fmt: skip
    (link,) = p.new_links
    assert (link.id, link.a, link.b) == ("c:mesh-a--d", "c:a", "c:d")
    assert (link.type, link.status) == (LinkType.MESH, Status.WORKING)
    assert link.b_interface == "wlan1" and link.metrics.cost == 1.5
    assert p.seen == ("c:mesh-a--d",)


def test_plan_reports_unknown_neighbours_and_itself_as_unmatched() -> None:
    r = report([{"neighbour": "c:zz"}, {"neighbour": "c:a"}, {"address": "10.9.9.9"}])
    p = plan(Overlay(graph()), "c:a", r)
    assert p.unmatched == ("c:zz", "c:a", "10.9.9.9") and p.seen == ()


def test_plan_resolves_addresses_through_the_resolver() -> None:
    r = report([{"address": "10.1.2.3", "cost": 1.1}])
    p = plan(Overlay(graph()), "c:a", r, resolve=lambda address, reporter: "c:b")
    assert p.seen == ("c:ab",)


def test_an_old_spooled_report_adds_history_but_keeps_current_metrics() -> None:
    g = graph()  # c:bc was last seen at T0 + 5 min
    p = plan(Overlay(g), "c:b", report([{"neighbour": "c:c", "cost": 9.0}], t=T0))
    assert "c:bc" not in p.metrics
    assert [s.cost for s in p.link_samples] == [9.0]


def test_future_report_times_are_clamped_to_the_receipt() -> None:
    p = plan(Overlay(graph()), "c:a", report([{"neighbour": "c:b"}], t=T0 + timedelta(days=1)))
    assert p.time == T0 + timedelta(minutes=10)


def test_the_same_link_seen_twice_keeps_the_better_view() -> None:
    r = report([{"neighbour": "c:a", "cost": 3.0}, {"neighbour": "c:a", "cost": 2.0}])
    p = plan(Overlay(graph()), "c:d", r)
    assert [s.cost for s in p.link_samples] == [2.0] and len(p.new_links) == 1


def test_a_retired_link_is_refreshed_not_replaced() -> None:
    """Any status: a Dropped link gets the metrics (it stays unrouted; a steward decides)."""
    p = plan(Overlay(graph()), "c:d", report([{"neighbour": "c:c", "cost": 2.0}]))
    assert p.seen == ("c:cd-old",) and p.new_links == ()


def test_a_batch_overlay_shares_new_links_between_reports() -> None:
    ov = Overlay(graph())
    first = plan(ov, "c:d", report([{"neighbour": "c:a", "cost": 1.5}]))
    ov.add(first)
    second = plan(ov, "c:a", report([{"neighbour": "c:d", "cost": 1.7}]))
    assert second.new_links == () and second.seen == first.seen
    assert second.metrics[first.seen[0]].cost == 1.7


def test_node_sample_totals_interfaces() -> None:
    r = report([], system={"uptime_s": 5, "load1": 0.5, "clients": 3},
               interfaces=[{"name": "a", "rx_bytes": 10, "tx_bytes": 1},
                           {"name": "b", "rx_bytes": 5, "tx_bytes": 2, "rx_errors": 1}],
               dropped_reports=4)  # fmt: skip
    s = plan(Overlay(graph()), "c:a", r).node_sample
    assert (s.rx_bytes, s.tx_bytes, s.rx_errors, s.clients, s.dropped_reports, s.links) == (
        15.0, 3.0, 1.0, 3.0, 4.0, 0.0,
    )  # fmt: skip


def test_packed_link_samples_round_trip() -> None:
    p = plan(Overlay(graph()), "c:b", report([{"neighbour": "c:a", "rx_cost": 300}]))
    text = pack_links(p.link_samples)
    assert unpack_links(text, "c:b", p.link_samples[0].t_ms) == list(p.link_samples)
