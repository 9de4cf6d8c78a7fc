"""Pick the demo's cast from the live service: a route to watch, a link to degrade, a node
to switch off. Everything is asked of the service through :class:`MeshClient`.

- The *route* joins the two farthest Working nodes that can reach each other.
- The *degraded link* is a wireless hop of that route whose loss the network survives
  (``POST /whatif`` says harmless), so the route visibly moves around it.
- The *offline node* is a Working, non-gateway node off that route that has neighbours
  (so its links go quiet too), chosen by the seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from topology.client import ClientError, MeshClient
from topology.client_models import LinkInfo, NodeInfo, PathInfo
from topology.geo import haversine_km
from topology.model import Position
from topology.sim.world import LinkSpec

WORKING = "Working"
#: How many of the farthest node pairs to try before giving up on a route.
MAX_ROUTE_TRIES = 40


@dataclass(frozen=True, slots=True)
class Cast:
    route_source: str | None
    route_target: str | None
    route_before: PathInfo | None
    degrade_link: str | None
    offline_node: str | None


def link_spec(link: LinkInfo) -> LinkSpec:
    """A :class:`LinkSpec` from the service's JSON for a link."""
    m = link.get("metrics") or {}
    return LinkSpec(
        id=link["id"],
        a=link["a"],
        b=link["b"],
        type=str(link.get("type", "wds")),
        cost=m.get("cost"),
        signal_dbm=m.get("signal_dbm"),
        rate_mbps=m.get("rate_mbps"),
        a_interface=str(link.get("a_interface") or ""),
        b_interface=str(link.get("b_interface") or ""),
    )


def working_links(links: Sequence[LinkInfo], working: set[str]) -> list[LinkSpec]:
    """Working links whose two ends are Working nodes of ours: what agents will hear."""
    return [
        link_spec(lk)
        for lk in links
        if lk.get("status") == WORKING and lk.get("a") in working and lk.get("b") in working
    ]


def _position(node: NodeInfo) -> Position | None:
    p = node.get("position")
    if not p or p.get("lat") is None or p.get("lon") is None:
        return None
    return Position(float(p["lat"]), float(p["lon"]))


def farthest_route(api: MeshClient, nodes: Sequence[NodeInfo]) -> PathInfo | None:
    """The explained route between the farthest pair of nodes that have one."""
    placed = [(n["id"], pos) for n in nodes if (pos := _position(n)) is not None]
    pairs = sorted(
        (
            (haversine_km(pa, pb), a, b)
            for i, (a, pa) in enumerate(placed)
            for b, pb in placed[i + 1 :]
        ),
        reverse=True,
    )
    for _, a, b in pairs[:MAX_ROUTE_TRIES]:
        try:
            path = api.route(a, b)
        except ClientError:
            continue
        if path.get("hops"):
            return path
    return None


def pick_degraded_link(api: MeshClient, path: PathInfo, links: dict[str, LinkSpec]) -> str | None:
    """A wireless hop of ``path`` the network can route around (middle hops first)."""
    hops = [h.get("link", "") for h in path.get("hops", [])]
    middle = len(hops) / 2
    candidates = sorted(
        (h for h in hops if h in links and not links[h].wired),
        key=lambda h: abs(hops.index(h) - middle),
    )
    for link_id in candidates:
        try:
            if api.whatif(link=link_id).get("harmless"):
                return link_id
        except ClientError:
            continue
    return candidates[0] if candidates else None


def pick_offline_node(
    nodes: Sequence[NodeInfo], links: Sequence[LinkSpec], avoid: set[str], seed: int
) -> str | None:
    """A Working non-gateway node with neighbours, off the watched route (a home if any)."""
    degree: dict[str, int] = {}
    for lk in links:
        for end in (lk.a, lk.b):
            degree[end] = degree.get(end, 0) + 1
    roles = {n["id"]: n.get("role") for n in nodes}
    options = sorted(
        n["id"]
        for n in nodes
        if n.get("status") == WORKING
        and not n.get("gateway")
        and n["id"] not in avoid
        and degree.get(n["id"], 0) >= 1
    )
    if not options:
        return None
    # Prefer a home (a client node: its power cut is the common case) with more than one
    # neighbour, so its silence is felt on several links.
    clients = [n for n in options if roles.get(n) == "client"] or options
    busy = [n for n in clients if degree[n] > 1] or clients
    return random.Random(seed).choice(busy)


def pick_cast(
    api: MeshClient, nodes: Sequence[NodeInfo], links: Sequence[LinkSpec], seed: int
) -> Cast:
    working = [n for n in nodes if n.get("status") == WORKING]
    path = farthest_route(api, working)
    by_id = {lk.id: lk for lk in links}
    degrade = pick_degraded_link(api, path, by_id) if path else None
    on_route: set[str] = set()
    if path:
        for hop in path.get("hops", []):
            on_route.update((hop.get("source", ""), hop.get("target", "")))
    offline = pick_offline_node(working, links, on_route, seed)
    return Cast(
        route_source=path.get("source") if path else None,
        route_target=path.get("target") if path else None,
        route_before=path,
        degrade_link=degrade,
        offline_node=offline,
    )
