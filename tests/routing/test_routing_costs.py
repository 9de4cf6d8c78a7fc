"""Link costs: measured ETX-like cost first, else Guifi's static rule."""

from __future__ import annotations

import math

import pytest

from topology.model import Link, LinkMetrics, LinkType, Node, Position, Status
from topology.routing import link_cost, link_is_routable, node_is_active, static_cost
from topology.routing.costs import NOT_WORKING_PENALTY, measured_cost


def link(
    kind: LinkType = LinkType.WDS, status: Status = Status.WORKING, cost: float | None = None
) -> Link:
    return Link("c:l1", "c:a", "c:b", kind, status, LinkMetrics(cost=cost))


class TestStaticCost:
    @pytest.mark.parametrize(
        ("kind", "expected"),
        [
            (LinkType.CABLE, 1.0),
            (LinkType.WDS, 5.0),
            (LinkType.AP_CLIENT, 10.0),  # "other" types
            (LinkType.MESH, 10.0),
            (LinkType.TUNNEL, 10.0),
        ],
    )
    def test_working_link_by_type(self, kind: LinkType, expected: float) -> None:
        assert static_cost(link(kind)) == expected

    @pytest.mark.parametrize("status", [s for s in Status if s is not Status.WORKING])
    def test_not_working_adds_100(self, status: Status) -> None:
        assert NOT_WORKING_PENALTY == 100.0
        assert static_cost(link(LinkType.CABLE, status)) == 101.0
        assert static_cost(link(LinkType.WDS, status)) == 105.0


class TestLinkCost:
    def test_measured_cost_is_preferred(self) -> None:
        # A measured ETX of 2.5 beats the static 5 of a wds link ...
        assert link_cost(link(LinkType.WDS, cost=2.5)) == 2.5
        # ... and is used as is even when the link is not Working.
        assert link_cost(link(LinkType.WDS, Status.TESTING, cost=2.5)) == 2.5

    def test_static_rule_without_a_measure(self) -> None:
        assert link_cost(link(LinkType.WDS)) == 5.0
        assert link_cost(link(LinkType.MESH, Status.BUILDING)) == 110.0

    @pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf])
    def test_insane_measures_fall_back_to_the_static_rule(self, bad: float) -> None:
        assert measured_cost(link(cost=bad)) is None
        assert link_cost(link(LinkType.CABLE, cost=bad)) == 1.0

    @pytest.mark.parametrize("status", list(Status))
    @pytest.mark.parametrize("kind", list(LinkType))
    def test_always_finite_and_positive(self, kind: LinkType, status: Status) -> None:
        cost = link_cost(link(kind, status))
        assert math.isfinite(cost)
        assert cost > 0


class TestRoutability:
    @pytest.mark.parametrize("status", list(Status))
    def test_only_dropped_and_inactive_links_do_not_route(self, status: Status) -> None:
        expected = status not in (Status.DROPPED, Status.INACTIVE)
        assert link_is_routable(link(status=status)) is expected

    @pytest.mark.parametrize("status", list(Status))
    def test_node_activity(self, status: Status) -> None:
        node = Node("c:a", "a", "z", Position(44.5, -71.5), status)
        assert node_is_active(node) is (status not in (Status.DROPPED, Status.INACTIVE))
