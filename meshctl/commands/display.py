"""Rich tables of the service's JSON answers (routes, gateways, what-if, addresses).

Like :mod:`meshctl.render` (which draws from a local store), statuses carry a symbol
as well as a colour, so the output reads the same without colour.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.table import Table

from topology.client_models import AllocationInfo, Gateways, PathInfo, PoolInfo, WhatIfInfo
from topology.presentation import status_text


def short(node_id: str) -> str:
    """A node or link id without its community (tables stay narrow)."""
    return node_id.split(":", 1)[-1]


def route(c: Console, path: PathInfo, names: Mapping[str, str] | None = None) -> None:
    """An explained path hop by hop with its bottleneck; ``names`` (node id -> name)
    shows nodes by name, else by their short id."""

    def label(node_id: str) -> str:
        return (names or {}).get(node_id) or short(node_id)

    c.print(
        f"[bold]Route {label(path['source'])} → {label(path['target'])}[/]: "
        f"{path.get('hop_count')} hops, total cost {path.get('total_cost', 0):g}",
        soft_wrap=True,
    )
    t = Table(title_justify="left")
    for col in ("#", "from", "to", "link", "type", "status", "cost", "signal", "rate", ""):
        t.add_column(col)
    bottleneck = (path.get("bottleneck") or {}).get("link")
    for i, hop in enumerate(path.get("hops", []), 1):
        signal, rate = hop.get("signal_dbm"), hop.get("rate_mbps")
        t.add_row(
            str(i),
            label(hop["source"]),
            label(hop["target"]),
            short(hop["link"]),
            hop.get("type", ""),
            status_text(hop.get("status", "")),
            f"{hop.get('cost', 0):g}" + ("" if hop.get("measured") else " (static)"),
            f"{signal:g} dBm" if signal is not None else "-",
            f"{rate:g} Mbit/s" if rate is not None else "-",
            "[bold red]◀ bottleneck[/]" if hop["link"] == bottleneck else "",
        )
    c.print(t)
    b = path.get("bottleneck")
    if b:
        c.print(
            f"Bottleneck: {b['link']} ({label(b['source'])} – {label(b['target'])}), "
            f"cost {b['cost']:g} of {path.get('total_cost', 0):g}",
            soft_wrap=True,
        )


def gateways(c: Console, g: Gateways) -> None:
    load = Counter(n["gateway"] for n in g.get("nodes", []))
    t = Table(title="Gateways (Internet exits)", title_justify="left")
    for col in ("gateway", "nodes served"):
        t.add_column(col)
    for gw in g.get("gateways", []):
        t.add_row(gw, str(load[gw]))
    c.print(t)
    unreachable = g.get("unreachable", [])
    if unreachable:
        c.print(
            f"[yellow]⚠ {len(unreachable)} nodes reach no gateway[/] (not Working yet, or cut off)"
        )
        for n in sorted(unreachable):
            c.print(f"  {n}")
    t = Table(title="Nearest gateway per node", title_justify="left")
    for col in ("node", "gateway", "cost"):
        t.add_column(col)
    for row in sorted(g.get("nodes", []), key=lambda r: r["node"]):
        t.add_row(row["node"], row["gateway"], f"{row['cost']:g}")
    c.print(t)


def whatif(c: Console, r: WhatIfInfo) -> None:
    what = f"{r.get('kind')} {r.get('removed')}"
    if r.get("harmless"):
        c.print(f"Removing {what}: nobody loses reach or their gateway.")
        return
    c.print(f"[bold]Removing {what}[/]:")
    for label, key in (("lose reach of the rest of the network", "lost_reach"),
                       ("lose their gateway", "lost_gateway")):
        items = r.get(key) or []
        assert isinstance(items, list)
        c.print(f"  {label}: {len(items)}")
        for n in sorted(items):
            c.print(f"    {n}")
    changed = r.get("changed_gateway", [])
    c.print(f"  change gateway: {len(changed)}")
    for ch in changed:
        c.print(f"    {ch['node']}: {ch['before']} → {ch['after']}")


def allocation_line(a: AllocationInfo) -> str:
    at = a.get("allocated_at")
    since = f", since {at[:16]} UTC" if at else ""
    holder = f"{a.get('holder_kind')} {a.get('holder_id')}"
    return f"{a['prefix']} held by {holder} ({a.get('purpose')}{since})"


def pools(c: Console, usage: Sequence[PoolInfo]) -> None:
    t = Table(title="Pools", title_justify="left")
    for col in ("pool", "purpose", "zone", "allocated", "held", "free", "largest free"):
        t.add_column(col, justify="right" if col in ("allocated", "held", "free") else "left")
    for u in usage:
        t.add_row(u["prefix"], u.get("purpose", ""), u.get("zone") or "(community)",
                  f"{u.get('allocated', 0):,}", f"{u.get('held', 0):,}", f"{u.get('free', 0):,}",
                  u.get("largest_free") or "-")
    c.print(t)
