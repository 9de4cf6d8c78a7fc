"""Resilience of a live network with what planning knows: demand served and link checks.

Joins :mod:`~topology.planning.coverage` (which node serves which households) and
:mod:`~topology.planning.link` (is a proposed extra link feasible on this terrain) to
:func:`~topology.planning.resilience.analyse_resilience`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from topology.graph import LiveGraph
from topology.model import Node
from topology.planning.catalogue import Catalogue
from topology.planning.coverage import Coverage, CoverageOptions, CoveragePlan, node_site
from topology.planning.coverage import plan_coverage as _plan_coverage
from topology.planning.demand import Point
from topology.planning.errors import PlanningError
from topology.planning.link import plan_link
from topology.planning.radio import K_FACTOR
from topology.planning.resilience import Resilience, analyse_resilience
from topology.planning.terrain import Terrain


def servers_by_demand(coverage: Coverage) -> dict[str, tuple[str, ...]]:
    """Covered demand point id -> every node that could serve it."""
    out: dict[str, tuple[str, ...]] = {}
    for i, p in enumerate(coverage.points):
        if servers := coverage.servers_of(i):
            out[p.id] = servers
    return out


def link_checker(
    terrain: Terrain, catalogue: Catalogue, *, k: float = K_FACTOR
) -> Callable[[Node, Node], bool]:
    """A check that two nodes could link with the default backhaul radios."""
    radio = catalogue.default("backhaul")

    def check(a: Node, b: Node) -> bool:
        sa, sb = node_site(a), node_site(b)
        inside = terrain.covers(np.array([sa.lat, sb.lat]), np.array([sa.lon, sb.lon]))
        if not inside.all():
            return False
        try:
            return plan_link(terrain, sa, sb, radio, radio, k=k).feasible
        except PlanningError:  # e.g. two nodes at the same place: no link to propose
            return False

    return check


def resilience_for(graph: LiveGraph, plan: CoveragePlan, check: Callable[[Node, Node], bool]
                   | None = None) -> Resilience:
    """Resilience with the households that today's coverage assigns to each node."""
    weights = {p.id: p.weight for p in plan.before.points}
    return analyse_resilience(
        graph, served=servers_by_demand(plan.before), weights=weights, check_link=check
    )


def analyse_network(
    graph: LiveGraph,
    terrain: Terrain,
    catalogue: Catalogue,
    *,
    demand: Sequence[Point] = (),
    k: float = K_FACTOR,
) -> Resilience:
    """Resilience of ``graph``; with ``demand``, households cut off count too."""
    check = link_checker(terrain, catalogue, k=k)
    if not demand:
        return analyse_resilience(graph, check_link=check)
    options = CoverageOptions.from_catalogue(catalogue, k=k)
    plan = _plan_coverage(terrain, list(graph.nodes.values()), demand, options)
    return resilience_for(graph, plan, check)
