"""``meshctl demo``: the sample network end to end on the embedded store.

Loads ``inventories/sample`` into a fresh SQLite store, allocates every missing
address, and shows the summary, the address plan and an explained route between the
two farthest nodes that can reach each other. Later issues grow this into the live
demo (service, agents, TUI).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from rich.console import Console

from meshctl import render
from topology.geo import farthest_pair
from topology.inventory import load_inventory
from topology.model import Status
from topology.network import CommunityNetwork
from topology.store import open_store

SAMPLE = Path(__file__).resolve().parent.parent / "inventories" / "sample"


def farthest_connected_pair(net: CommunityNetwork) -> tuple[str, str, float] | None:
    """The two geographically farthest Working nodes that have a route between them."""
    g = net.graph
    components = _routable_components(net)
    best: tuple[str, str, float] | None = None
    for comp in components:
        pair = farthest_pair((n, g.node(n).position) for n in comp)
        if pair is not None and (best is None or pair[2] > best[2]):
            best = pair
    return best


def _routable_components(net: CommunityNetwork) -> list[set[str]]:
    g = net.graph
    active = [n for n, node in g.nodes.items() if node.status is Status.WORKING]
    seen: set[str] = set()
    out: list[set[str]] = []
    for start in active:
        if start in seen:
            continue
        tree = g.sssp(start)
        comp = {n for n in active if tree.distance(n) != float("inf")}
        seen |= comp
        out.append(comp)
    return out


def run_demo(data_dir: Path | None = None, headless: bool = True, inventory: Path = SAMPLE) -> None:
    console = Console(
        force_terminal=False if headless else None, width=120 if headless else None, emoji=False
    )
    with tempfile.TemporaryDirectory(prefix="meshcommons-demo-") as tmp:
        where = data_dir or Path(tmp)
        t0 = time.perf_counter()
        model = load_inventory(inventory)
        net = CommunityNetwork(open_store(where))
        try:
            net.import_model(model, replace_existing=True)
            got = net.assign_missing_addresses()
            elapsed = time.perf_counter() - t0
            console.rule("[bold]meshcommons demo: the sample network")
            console.print(
                f"Loaded {inventory} into {where} in {elapsed:.2f} s "
                f"(embedded SQLite, {net.store.backend}); allocated "
                f"{len(got.node_prefixes)} node prefixes and "
                f"{len(got.link_prefixes)} link prefixes.\n"
            )
            render.summary(console, net)
            console.rule("[bold]Address plan")
            render.address_plan(console, net, net.allocations())
            console.rule("[bold]Route between the two farthest nodes")
            pair = farthest_connected_pair(net)
            if pair is None:
                console.print("No two active nodes can reach each other.")
            else:
                render.route(console, net, net.route(pair[0], pair[1]))
        finally:
            net.close()
