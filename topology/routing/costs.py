"""Link costs and routability: which links carry traffic, and at what cost.

Costs are on an ETX-like scale (a perfect wired hop costs 1). A link's *measured* cost,
reported by the routing daemon (:attr:`LinkMetrics.cost`), wins when it is present and
sane. Otherwise Guifi.net's static rule of its route search applies: cable 1, wds 5, any
other type 10, plus 100 when the link is not Working.

Routability: a link whose status is Dropped or Inactive carries no traffic and is left out
of routing altogether (Guifi's +100 is meant for links that may soon work: Planned,
Building, Testing...). The live graph also leaves out links that end at a Dropped or
Inactive node, or at a node it does not hold (a federation border link whose far end is
unknown): see :func:`node_is_active`.
"""

from __future__ import annotations

import math

from topology.model import Link, LinkType, Node, Status

#: Static cost of a Working link, by type (Guifi's route search); other types cost
#: :data:`OTHER_TYPE_COST`.
STATIC_TYPE_COST: dict[LinkType, float] = {LinkType.CABLE: 1.0, LinkType.WDS: 5.0}
OTHER_TYPE_COST = 10.0
#: Added to the static cost of a link that is not Working.
NOT_WORKING_PENALTY = 100.0
#: Statuses that take a link (or a node, and so its links) out of routing.
UNROUTABLE_STATUSES: frozenset[Status] = frozenset({Status.DROPPED, Status.INACTIVE})


def static_cost(link: Link) -> float:
    """Guifi's static cost: cable 1, wds 5, other 10, +100 when not Working.

    Examples
    --------
    >>> from topology.model import Link, LinkType, Status
    >>> static_cost(Link("c:l1", "c:a", "c:b", LinkType.WDS, Status.WORKING))
    5.0
    >>> static_cost(Link("c:l2", "c:a", "c:b", LinkType.CABLE, Status.TESTING))
    101.0
    """
    cost = STATIC_TYPE_COST.get(link.type, OTHER_TYPE_COST)
    if link.status is not Status.WORKING:
        cost += NOT_WORKING_PENALTY
    return cost


def measured_cost(link: Link) -> float | None:
    """The link's measured cost if it is usable (finite and positive), else ``None``.

    A measured cost of 0, a negative one, NaN or infinity is ignored: collectors map a
    daemon's "unreachable" (babeld's 65535) to a missing link, not to a cost.
    """
    cost = link.metrics.cost
    if cost is None or not math.isfinite(cost) or cost <= 0.0:
        return None
    return float(cost)


def link_cost(link: Link) -> float:
    """Routing cost of ``link``: measured when known, else :func:`static_cost`.

    Always finite and positive, whatever the link's status (whether the link is routed
    at all is :func:`link_is_routable`'s question).

    Parameters
    ----------
    link : Link

    Returns
    -------
    float
        The ETX-like cost of one traversal, either direction.

    Examples
    --------
    >>> from topology.model import Link, LinkMetrics, LinkType, Status
    >>> link_cost(Link("c:l1", "c:a", "c:b", LinkType.AP_CLIENT, Status.WORKING))
    10.0
    >>> link_cost(Link("c:l1", "c:a", "c:b", LinkType.WDS, Status.WORKING,
    ...                LinkMetrics(cost=1.4)))
    1.4
    """
    measured = measured_cost(link)
    return measured if measured is not None else static_cost(link)


def link_is_routable(link: Link) -> bool:
    """Whether ``link`` itself may carry traffic: its status is not Dropped or Inactive.

    >>> from topology.model import Link, Status
    >>> link_is_routable(Link("c:l1", "c:a", "c:b", status=Status.PLANNED))
    True
    >>> link_is_routable(Link("c:l1", "c:a", "c:b", status=Status.DROPPED))
    False
    """
    return link.status not in UNROUTABLE_STATUSES


def node_is_active(node: Node) -> bool:
    """Whether ``node`` forwards traffic: its status is not Dropped or Inactive."""
    return node.status not in UNROUTABLE_STATUSES
