"""The built-in rules: pure functions, checked on plain inputs; and their config."""

from __future__ import annotations

import doctest
from dataclasses import replace
from datetime import timedelta
from types import MappingProxyType

import pytest
from alert_helpers import T0, make_node, tiny_model

import topology.alerts.rules as rules_module
from topology.alerts import AlertConfig, AlertKind, ConfigError, Severity
from topology.alerts.rules import (
    address_claims,
    address_conflicts,
    allocation_index,
    gateway_lost,
    link_degraded,
    link_liveness,
    node_down,
)
from topology.model import Link, LinkMetrics, LinkType, Node, Status

CFG = AlertConfig()


def test_doctests() -> None:
    assert doctest.testmod(rules_module).failed == 0


class TestConfig:
    def test_defaults(self) -> None:
        assert CFG.node_down_after_s == 180
        assert (CFG.link_max_cost, CFG.link_max_loss, CFG.link_min_signal_dbm) == (10, 0.2, -80)
        assert all(CFG.enabled(k) for k in AlertKind)

    def test_from_mapping(self) -> None:
        cfg = AlertConfig.from_mapping(
            {"report_interval_s": 30, "link_max_cost": 8, "rules": ["node.down"]}
        )
        assert cfg.node_down_after_s == 90 and cfg.link_max_cost == 8.0
        assert cfg.enabled("node.down") and not cfg.enabled("gateway.lost")
        assert AlertConfig.from_mapping(None) == CFG

    @pytest.mark.parametrize(
        ("data", "match"),
        [
            ({"link_max_costs": 3}, "unknown setting 'link_max_costs'"),
            ({"link_max_cost": "high"}, "alerts.link_max_cost: 'high' is not a float"),
            ({"node_down_missed_intervals": 2.5}, "is not a int"),
            ({"link_max_loss": 20}, "fraction 0..1"),
            ({"report_interval_s": 0}, "must be positive"),
            ({"rules": ["node.gone"]}, "unknown rule 'node.gone'"),
        ],
    )
    def test_bad_values_are_named(self, data: dict[str, object], match: str) -> None:
        with pytest.raises(ConfigError, match=match):
            AlertConfig.from_mapping(data)


class TestNodeDown:
    node = make_node("a")

    def test_silent_past_three_intervals(self) -> None:
        f = node_down(self.node, T0 - timedelta(seconds=181), T0, CFG)
        assert f is not None
        assert (f.kind, f.subject, f.severity, f.zone) == (
            AlertKind.NODE_DOWN,
            "c:a",
            Severity.WARNING,
            "north",
        )
        assert "has not reported for 3 min" in f.message

    def test_not_yet(self) -> None:
        assert node_down(self.node, T0 - timedelta(seconds=180), T0, CFG) is None

    def test_never_reported_or_retired_never_alerts(self) -> None:
        long_ago = T0 - timedelta(days=1)
        assert node_down(self.node, None, T0, CFG) is None
        for status in (Status.DROPPED, Status.INACTIVE):
            assert node_down(replace(self.node, status=status), long_ago, T0, CFG) is None

    def test_a_silent_gateway_is_critical(self) -> None:
        f = node_down(make_node("gw", gateway=True), T0 - timedelta(hours=2), T0, CFG)
        assert f is not None and f.severity is Severity.CRITICAL
        assert "2.0 h" in f.message

    def test_interval_from_config(self) -> None:
        cfg = AlertConfig(report_interval_s=10, node_down_missed_intervals=2)
        assert node_down(self.node, T0 - timedelta(seconds=21), T0, cfg) is not None


def _link(
    status: Status = Status.WORKING, *, cost: float | None = None, signal_dbm: float | None = None
) -> Link:
    metrics = LinkMetrics(cost=cost, signal_dbm=signal_dbm)
    return Link("c:a-b", "c:a", "c:b", LinkType.WDS, status, metrics)


class TestLinkDegraded:
    def test_healthy_or_unmeasured(self) -> None:
        assert link_degraded(_link(), None, CFG) is None
        assert link_degraded(_link(cost=10.0, signal_dbm=-80.0), 0.2, CFG) is None

    @pytest.mark.parametrize(
        ("metrics", "loss", "reason"),
        [
            ({"cost": 10.5}, None, "cost 10.5 > 10"),
            ({}, 0.25, "loss 25% > 20%"),
            ({"signal_dbm": -81.0}, None, "signal -81 dBm < -80 dBm"),
        ],
    )
    def test_each_threshold(
        self, metrics: dict[str, float], loss: float | None, reason: str
    ) -> None:
        f = link_degraded(_link(Status.WORKING, **metrics), loss, CFG, "north")
        assert f is not None and f.kind is AlertKind.LINK_DEGRADED and f.zone == "north"
        assert f.message == f"link c:a-b (c:a - c:b) is degraded: {reason}"

    def test_all_reasons_in_one_alert(self) -> None:
        f = link_degraded(_link(cost=20.0, signal_dbm=-90.0), 0.5, CFG)
        assert f is not None and f.message.count(">") + f.message.count("<") == 3

    def test_retired_links_never_alert(self) -> None:
        assert link_degraded(_link(Status.DROPPED, cost=50.0), 0.9, CFG) is None


class TestLinkLiveness:
    def test_stale_and_down(self) -> None:
        stale = link_liveness(_link(), "stale")
        down = link_liveness(_link(), "down")
        assert stale is not None and stale.kind is AlertKind.LINK_STALE
        assert stale.severity is Severity.INFO
        assert down is not None and down.kind is AlertKind.LINK_DOWN
        assert down.severity is Severity.WARNING

    def test_up_unknown_or_retired(self) -> None:
        assert link_liveness(_link(), "up") is None
        assert link_liveness(_link(), None) is None
        assert link_liveness(_link(Status.INACTIVE), "down") is None

    def test_ingestion_enum_values_work(self) -> None:
        from topology.ingest.liveness import Liveness

        found = link_liveness(_link(), Liveness.DOWN)
        assert found is not None and found.kind is AlertKind.LINK_DOWN


NODES = {n.id: n for n in tiny_model().nodes}


def _lost(
    unreachable: list[str], had: set[str], already: frozenset[str] = frozenset(), **status: Status
) -> list[str]:
    nodes = {i: replace(n, status=status.get(n.id[2:], n.status)) for i, n in NODES.items()}
    return [f.subject for f in gateway_lost(nodes, unreachable, had, already, True)]


class TestGatewayLost:
    nodes = MappingProxyType(NODES)

    def test_working_nodes_and_nodes_that_had_a_gateway(self) -> None:
        assert _lost(["c:a", "c:b"], set(), b=Status.PLANNED) == ["c:a"]  # b: Planned, had none
        assert _lost(["c:a", "c:b"], {"c:b"}, b=Status.PLANNED) == ["c:a", "c:b"]
        # an alert stays until the node is back (or retired)
        assert _lost(["c:b"], set(), frozenset({"c:b"}), b=Status.PLANNED) == ["c:b"]

    def test_retired_and_unknown_nodes_never(self) -> None:
        assert _lost(["c:a", "c:ghost"], {"c:a", "c:ghost"}, a=Status.DROPPED) == []

    def test_no_gateway_ever_means_no_alerts(self) -> None:
        assert gateway_lost(self.nodes, ["c:a"], set(), set(), False) == []

    def test_finding(self) -> None:
        (f,) = gateway_lost(self.nodes, ["c:island"], set(), set(), True)
        assert (f.kind, f.severity, f.zone) == (AlertKind.GATEWAY_LOST, Severity.CRITICAL, "north")
        assert f.message == "node ISLAND (c:island) has no path to any Internet gateway"


class TestAddressConflicts:
    model = tiny_model()
    links = MappingProxyType({lk.id: lk for lk in model.links})
    zones = MappingProxyType({n.id: n.zone_id for n in model.nodes})

    def _conflicts(self, nodes: list[Node] | None = None) -> dict[str, str]:
        claims = address_claims(nodes if nodes is not None else self.model.nodes)
        whois = allocation_index(self.model.allocations)
        found = address_conflicts(claims, whois, self.links, self.zones.get)
        assert all(f.kind is AlertKind.ADDRESS_CONFLICT for f in found)
        return {f.subject: f.message for f in found}

    def test_the_tiny_network_is_clean(self) -> None:
        assert self._conflicts() == {}

    def test_sample_inventory_is_clean(self) -> None:
        from tests.conftest import SAMPLE_INVENTORY
        from topology.inventory import load_inventory

        sample = load_inventory(SAMPLE_INVENTORY)
        found = address_conflicts(
            address_claims(sample.nodes),
            allocation_index(sample.allocations),
            {lk.id: lk for lk in sample.links},
            lambda _: None,
        )
        assert found == []

    def test_same_address_on_two_nodes(self) -> None:
        nodes = [*self.model.nodes, make_node("x", addresses=("192.168.1.1/24",)),
                 make_node("y", addresses=("192.168.1.1/24",))]  # fmt: skip
        assert self._conflicts(nodes) == {
            "192.168.1.1": "address 192.168.1.1 conflicts: configured on 2 nodes: c:x, c:y"
        }

    def test_address_allocated_to_another_node(self) -> None:
        nodes = [*self.model.nodes, make_node("x", addresses=("10.0.0.9/27",))]
        assert self._conflicts(nodes) == {
            "10.0.0.9": "address 10.0.0.9 conflicts: c:x uses it but 10.0.0.0/27 is allocated "
            "to node c:gw"
        }

    def test_link_prefix_used_off_the_link(self) -> None:
        nodes = [*self.model.nodes, make_node("x", addresses=("172.16.0.3/30",))]
        assert list(self._conflicts(nodes)) == ["172.16.0.3"]

    def test_retired_nodes_claim_nothing(self) -> None:
        nodes = [*self.model.nodes,
                 make_node("x", addresses=("10.0.0.9/27",), status=Status.DROPPED)]  # fmt: skip
        assert self._conflicts(nodes) == {}

    def test_whois_prefers_the_most_specific(self) -> None:
        from topology.model import Allocation, HolderKind, Purpose

        whois = allocation_index(
            [
                Allocation("10.0.0.0/24", Purpose.LAN, HolderKind.ZONE, "north"),
                Allocation("10.0.0.0/27", Purpose.LAN, HolderKind.NODE, "c:gw"),
                Allocation("10.0.0.32/27", Purpose.LAN, HolderKind.NODE, "c:a", released_at=T0),
                Allocation("fd00::/64", Purpose.IPV6, HolderKind.NODE, "c:a"),
            ]
        )
        assert [
            getattr(whois(a), "holder_id", None) for a in ("10.0.0.5", "10.0.0.40", "fd00::1")
        ] == ["c:gw", "north", "c:a"]
