"""Routing at Guifi.net scale: 40,000 nodes, about 180,000 links.

Run from the repository root::

    .venv/bin/python bench/routing.py [--nodes 40000] [--seed 1] [--json]

Generates a synthetic mesh (:func:`topology.generate.generate_network`), builds the
:class:`~topology.graph.LiveGraph`, then times (best of N):

* ``sssp_s``: our single-source shortest paths, uncached, as routing uses them (scipy
  Dijkstra with predecessors, plus every node's first hop);
* ``scipy_sssp_s``: ``scipy.sparse.csgraph.dijkstra`` alone on the same CSR matrix, one
  source, with predecessors (``directed=True``: the matrix already holds both directions);
* ``networkx_sssp_s``: ``networkx.single_source_dijkstra`` on the same graph;
* ``table_ms``: one node's NetJSON routing table, computed fresh after a metrics update
  (a new graph version, so no cache helps);
* cached route query, path explanation, nearest gateways, what-if, a metrics update
  and the graph build.

Targets: ``sssp_s / scipy_sssp_s <= 3`` and ``table_ms < 100``; the exit status is 1
when one is missed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import networkx as nx
import numpy as np
from scipy.sparse.csgraph import dijkstra

from bench._common import best_of, parser, progress, report, timed
from topology.generate import generate_network
from topology.graph import LiveGraph
from topology.routing import (
    explain_path,
    nearest_gateways,
    routing_table,
    shortest_path,
    what_if_remove_node,
)

RATIO_TARGET = 3.0
TABLE_TARGET_MS = 100.0


def main() -> int:
    p = parser(__doc__.splitlines()[0] if __doc__ else "routing benchmark")
    p.add_argument("--nodes", type=int, default=40_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--repeat", type=int, default=7, help="runs per timing (best kept)")
    args = p.parse_args()
    rng = np.random.default_rng(args.seed)
    say = progress(args.json)
    say(f"generating {args.nodes} nodes ...")
    with timed() as t_gen:
        model = generate_network(args.nodes, seed=args.seed)
    with timed() as t_build:
        graph = LiveGraph.from_model(model)
    with timed() as t_csr:
        view = graph.csr()

    main_part = max(nx.connected_components(graph.nx_graph), key=len)
    candidates = sorted(main_part)
    source, target = (candidates[int(i)] for i in rng.choice(len(candidates), 2, replace=False))
    src = view.index[source]
    repeat = args.repeat

    say("timing shortest paths ...")
    sssp_s = best_of(lambda: graph.compute_sssp(source), repeat)
    scipy_sssp_s = best_of(
        lambda: dijkstra(view.matrix, directed=True, indices=src, return_predecessors=True),
        repeat,
    )
    nx_sssp_s = best_of(
        lambda: nx.single_source_dijkstra(graph.nx_graph, source, weight="weight"), 3
    )

    link_ids = list(graph.links)

    def touch() -> None:
        """A live metrics report: a new version, caches stale, CSR updated in place."""
        link_id = link_ids[int(rng.integers(len(link_ids)))]
        metrics = replace(graph.links[link_id].metrics, cost=float(rng.uniform(1.0, 3.0)))
        graph.update_metrics(link_id, metrics)

    def fresh(fn: Callable[[], object]) -> float:
        best = float("inf")
        for _ in range(repeat):
            touch()
            with timed() as t:
                fn()
            best = min(best, t[0])
        return best

    say("timing tables, gateways, what-if ...")
    version_before = graph.topology_version
    table_s = fresh(lambda: routing_table(graph, source))
    gateways_s = fresh(lambda: nearest_gateways(graph))
    assert graph.topology_version == version_before, "metrics updates must not rebuild the CSR"
    update_s = best_of(touch, 50)
    routing_table(graph, source)
    cached_s = best_of(lambda: shortest_path(graph, source, target), 50)
    explain_s = best_of(lambda: explain_path(graph, source, target), 20)
    sn = [n.id for n in model.nodes if n.role == "supernode" and n.id in main_part]
    whatif_s = best_of(lambda: what_if_remove_node(graph, sn[len(sn) // 2]), 3)
    table = routing_table(graph, source)
    path = explain_path(graph, source, target)

    ratio = sssp_s / scipy_sssp_s
    figures = {
        "nodes": len(model.nodes),
        "links": len(model.links),
        "routable_pairs": graph.nx_graph.number_of_edges(),
        "routes_in_table": len(table["routes"]),
        "path_hops": path.hop_count,
        "generate_s": t_gen[0],
        "build_s": t_build[0],
        "csr_build_s": t_csr[0],
        "sssp_s": sssp_s,
        "scipy_sssp_s": scipy_sssp_s,
        "networkx_sssp_s": nx_sssp_s,
        "ratio_vs_scipy": ratio,
        "networkx_over_ours": nx_sssp_s / sssp_s,
        "table_ms": table_s * 1e3,
        "cached_route_ms": cached_s * 1e3,
        "explain_ms": explain_s * 1e3,
        "gateways_ms": gateways_s * 1e3,
        "whatif_node_ms": whatif_s * 1e3,
        "metrics_update_us": update_s * 1e6,
        "ratio_ok": ratio <= RATIO_TARGET,
        "table_ok": table_s * 1e3 < TABLE_TARGET_MS,
    }
    report(figures, args.json, f"routing benchmark ({args.nodes} nodes, seed {args.seed})")
    return 0 if figures["ratio_ok"] and figures["table_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
