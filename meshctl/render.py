"""Readable terminal output (rich tables) for the CLI's queries.

Statuses are shown with a symbol as well as a colour, so output stays readable
without colour (NO_COLOR, pipes, colour-blind readers).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from topology import presentation
from topology.geo import haversine_km
from topology.ipam import PoolUsage
from topology.model import Allocation, HolderKind, Purpose, Status
from topology.network import CommunityNetwork
from topology.routing import PathExplanation, WhatIf


def status_text(status: Status) -> str:
    return presentation.status_text(status.value)


def summary(console: Console, net: CommunityNetwork) -> None:
    g = net.graph
    c = net.community
    console.print(
        f"[bold]{c.name}[/] ({c.slug}): {len(net.zones)} zones, "
        f"{len(g.nodes)} nodes, {len(g.links)} links, graph version {g.version}"
    )
    nodes = Counter(n.status for n in g.nodes.values())
    links = Counter(lk.type for lk in g.links.values())
    t = Table(title="Nodes by status", title_justify="left")
    t.add_column("status")
    t.add_column("nodes", justify="right")
    for status in Status:
        if nodes[status]:
            t.add_row(status_text(status), str(nodes[status]))
    console.print(t)
    t = Table(title="Links by type", title_justify="left")
    for col in ("type", "links", "working"):
        t.add_column(col, justify="right" if col != "type" else "left")
    for ltype, count in sorted(links.items()):
        working = sum(
            1 for lk in g.links.values() if lk.type == ltype and lk.status is Status.WORKING
        )
        t.add_row(ltype.value, str(count), str(working))
    console.print(t)
    zones = Table(title="Zones", title_justify="left")
    for col in ("zone", "parent", "nodes", "gateways"):
        zones.add_column(col)
    per_zone = Counter(n.zone_id for n in g.nodes.values())
    gws = Counter(n.zone_id for n in g.nodes.values() if n.gateway)
    for z in net.zones.values():
        zones.add_row(f"{z.name} ({z.id})", z.parent_id or "-", str(per_zone[z.id]), str(gws[z.id]))
    console.print(zones)
    gateways(console, net, details=False)


def gateways(console: Console, net: CommunityNetwork, details: bool = True) -> None:
    g = net.graph
    assignment = net.gateways()
    load = Counter(gw for gw in assignment.gateway.values())
    t = Table(title="Gateways (Internet exits)", title_justify="left")
    for col in ("gateway", "status", "nodes served"):
        t.add_column(col)
    for gw in g.gateways():
        node = g.node(gw)
        t.add_row(f"{node.name} ({gw})", status_text(node.status), str(load[gw]))
    console.print(t)
    if assignment.unreachable:
        console.print(
            f"[yellow]⚠ {len(assignment.unreachable)} nodes reach no gateway[/] "
            "(not Working yet, or cut off)"
        )
        if details:
            for n in sorted(assignment.unreachable):
                console.print(f"  {n}  {status_text(g.node(n).status)}")
    if details:
        t = Table(title="Nearest gateway per node", title_justify="left")
        for col in ("node", "gateway", "cost"):
            t.add_column(col)
        for n, gw in sorted(assignment.gateway.items()):
            t.add_row(n, gw, f"{assignment.cost[n]:g}")
        console.print(t)


def address_plan(
    console: Console, net: CommunityNetwork, allocations: Sequence[Allocation]
) -> None:
    g = net.graph
    by_holder: dict[str, dict[Purpose, str]] = {}
    for a in allocations:
        by_holder.setdefault(a.holder_id, {})[a.purpose] = a.prefix
    t = Table(title="Address plan: nodes", title_justify="left")
    for col in ("node", "zone", "LAN (IPv4)", "device", "IPv6"):
        t.add_column(col)
    from topology.ipam import first_host

    for node in sorted(g.nodes.values(), key=lambda n: (n.zone_id, n.id)):
        held = by_holder.get(node.id, {})
        lan = held.get(Purpose.LAN, "-")
        t.add_row(
            node.name,
            node.zone_id,
            lan,
            first_host(lan) if lan != "-" else "-",
            held.get(Purpose.IPV6, "-"),
        )
    console.print(t)
    t = Table(title="Address plan: point-to-point links", title_justify="left")
    for col in ("link", "type", "prefix", "ends"):
        t.add_column(col)
    from topology.ipam import link_ends

    for a in allocations:
        if a.holder_kind is HolderKind.LINK and a.holder_id in g.links:
            link = g.link(a.holder_id)
            ea, eb = link_ends(a.prefix)
            t.add_row(
                link.id,
                link.type.value,
                a.prefix,
                f"{g.node(link.a).name} {ea}, {g.node(link.b).name} {eb}",
            )
    console.print(t)
    pools(console, net.free_space())


def pools(console: Console, usage: Sequence[PoolUsage]) -> None:
    t = Table(title="Pools", title_justify="left")
    for col in ("pool", "purpose", "zone", "allocated", "held", "free", "largest free"):
        t.add_column(col, justify="right" if col in ("allocated", "held", "free") else "left")
    for u in usage:
        t.add_row(
            u.pool.prefix,
            u.pool.purpose.value,
            u.pool.zone_id or "(community)",
            f"{u.allocated:,}",
            f"{u.held:,}",
            f"{u.free:,}",
            u.largest_free or "-",
        )
    console.print(t)


def _amount(u: PoolUsage, addresses: int) -> str:
    """IPv4 in addresses; IPv6 in /64 networks, since address counts there are absurd."""
    if u.pool.purpose is Purpose.IPV6:
        return f"{addresses >> 64:,} /64s"
    return f"{addresses:,}"


def route(console: Console, net: CommunityNetwork, path: PathExplanation) -> None:
    g = net.graph
    src, dst = g.node(path.source), g.node(path.target)
    km = haversine_km(src.position, dst.position)
    console.print(
        f"[bold]Route {src.name} → {dst.name}[/] ({km:.1f} km apart): "
        f"{path.hop_count} hops, total cost {path.total_cost:g}"
    )
    t = Table(title_justify="left")
    for col in ("#", "from", "to", "link", "type", "status", "cost", "signal", "rate", ""):
        t.add_column(col)
    for i, hop in enumerate(path.hops, 1):
        t.add_row(
            str(i),
            g.node(hop.source).name,
            g.node(hop.target).name,
            hop.link_id,
            hop.type.value,
            status_text(hop.status),
            f"{hop.cost:g}" + ("" if hop.measured else " (static)"),
            f"{hop.signal_dbm:g} dBm" if hop.signal_dbm is not None else "-",
            f"{hop.rate_mbps:g} Mbit/s" if hop.rate_mbps is not None else "-",
            "[bold red]◀ bottleneck[/]" if hop is path.bottleneck else "",
        )
    console.print(t)
    if path.bottleneck is not None:
        b = path.bottleneck
        console.print(
            f"Bottleneck: {b.link_id} ({g.node(b.source).name} – "
            f"{g.node(b.target).name}), cost {b.cost:g} of {path.total_cost:g}"
        )


def whatif(console: Console, net: CommunityNetwork, kind: str, ident: str, r: WhatIf) -> None:
    if r.harmless:
        console.print(f"Removing {kind} {ident}: nobody loses reach or their gateway.")
        return
    console.print(f"[bold]Removing {kind} {ident}[/]:")
    console.print(f"  lose reach of the rest of the network: {len(r.lost_reach)}")
    for n in sorted(r.lost_reach):
        console.print(f"    {n}")
    console.print(f"  lose their gateway: {len(r.lost_gateway)}")
    for n in sorted(r.lost_gateway):
        console.print(f"    {n}")
    console.print(f"  change gateway: {len(r.changed_gateway)}")
