"""Federation at scale: a 20,000-node peer feed merged into a 20,000-node local graph.

Run from the repository root::

    .venv/bin/python bench/federation.py [--nodes 20000] [--seed 1] [--json]

Generates two synthetic communities (:func:`topology.generate.generate_network`),
``alpha`` (local, a :class:`~topology.graph.LiveGraph`) and ``beta`` (the peer), joined
by ``--borders`` border links, signs beta's feed, then times:

* ``merge_s``: what accepting and merging the peer's feed costs: verify the signature,
  read and check the feed (namespace, delegations), build the peer's part and merge it
  with the local graph into the federated graph (best of N);
* ``reference_build_s``: the reference, measured in the same run: building one
  ``LiveGraph`` of both networks' nodes and links (already parsed) the ordinary way;
* ``route_ms``: a cross-community route query (alpha node to beta node, hop by hop
  with border crossings) on the merged graph, uncached (a new source each time; median);
* ``feed_bytes``: the signed feed gzip-compressed (``feed_raw_bytes`` uncompressed), and
  ``sign_s`` the time to build and sign it.

Targets: ``merge_s < 2`` and ``route_ms < 50``; the exit status is 1 when one is missed.
"""

from __future__ import annotations

import gzip
import statistics
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from rich.progress import Progress

from bench._common import best_of, parser, report, timed
from topology.federation.accept import accept_feed
from topology.federation.canonical import sign_feed
from topology.federation.feed import feed_content
from topology.federation.identity import generate_key, public_key_text
from topology.federation.merge import (
    FederatedGraph,
    MergeInput,
    merge,
    own_border_links,
    own_part,
    peer_part,
)
from topology.federation.registry import parse_registry
from topology.federation.route import federated_route
from topology.generate import generate_network
from topology.graph import LiveGraph
from topology.model import Link, LinkType, Status

MERGE_TARGET_S = 2.0
ROUTE_TARGET_MS = 50.0


def main() -> int:
    p = parser(__doc__.splitlines()[0] if __doc__ else "federation benchmark")
    p.add_argument("--nodes", type=int, default=20_000, help="nodes per community")
    p.add_argument("--borders", type=int, default=20, help="border links between them")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--repeat", type=int, default=3, help="runs per timing (best kept)")
    args = p.parse_args()
    rng = np.random.default_rng(args.seed)

    with Progress(transient=True, disable=args.json) as bar:
        step = bar.add_task("generating two communities", total=5)
        alpha = generate_network(args.nodes, seed=args.seed, community="alpha")
        beta = generate_network(args.nodes, seed=args.seed + 1, community="beta")
        picks = rng.choice(args.nodes, size=(args.borders, 2))
        borders = tuple(
            Link(f"alpha:border{k}", f"alpha:n{i}", f"beta:n{j}", LinkType.WDS, Status.WORKING)
            for k, (i, j) in enumerate(picks.tolist())
        )
        alpha = replace(alpha, links=alpha.links + borders)
        bar.advance(step)

        bar.update(step, description="building the local graph")
        graph = LiveGraph.from_model(alpha)
        graph.csr()  # a running service has it already
        bar.advance(step)

        bar.update(step, description="signing the peer's feed")
        key = generate_key()
        registry = parse_registry(
            {
                "communities": [
                    {"slug": "beta", "public_key": public_key_text(key), "ipv4": ["10.2.0.0/16"]}
                ]
            }
        )
        member = registry.members[0]
        with timed() as t_sign:
            content = feed_content(
                beta.community,
                public_key=public_key_text(key),
                public_url="",
                delegations=member.delegation_texts(),
                zones=beta.zones,
                nodes=beta.nodes,
                links=beta.links,
                allocations=beta.allocations,
            )
            document = sign_feed({**content, "revision": 1, "generated_at": "now"}, key)
        compressed = len(gzip.compress(document, compresslevel=6, mtime=0))
        bar.advance(step)

        bar.update(step, description="timing the merge")

        def accept_and_merge() -> FederatedGraph:
            data = accept_feed(
                document, member=member, pinned=member.fingerprint, last_revision=None
            )
            own = own_part(graph, "alpha")
            inputs = MergeInput(own, (peer_part(data),), own_border_links(graph, "alpha"))
            return merge(inputs)

        merge_s = best_of(accept_and_merge, args.repeat)
        reference_s = best_of(
            lambda: LiveGraph([*alpha.nodes, *beta.nodes], [*alpha.links, *beta.links]), 1
        )
        bar.advance(step)

        bar.update(step, description="timing cross-community routes")
        view = accept_and_merge()
        pairs = _reachable_pairs(view, rng, 15)
        times, hops, crossings = [], [], []
        for source, target in pairs:
            with timed() as t:
                route = federated_route(view, source, target)
            times.append(t[0])
            hops.append(len(route.hops))
            crossings.append(len(route.crossings))
        bar.advance(step)

    route_ms = statistics.median(times) * 1e3
    figures = {
        "nodes_local": len(alpha.nodes),
        "nodes_peer": len(beta.nodes),
        "links_peer": len(beta.links),
        "border_links": len(borders),
        "feed_raw_bytes": len(document),
        "feed_bytes": compressed,
        "sign_s": t_sign[0],
        "merge_s": merge_s,
        "reference_build_s": reference_s,
        "merge_over_reference": merge_s / reference_s,
        "route_ms": route_ms,
        "route_max_ms": max(times) * 1e3,
        "route_hops_median": statistics.median(hops),
        "route_crossings_min": min(crossings),
        "merge_ok": merge_s < MERGE_TARGET_S,
        "route_ok": route_ms < ROUTE_TARGET_MS,
    }
    report(figures, args.json, f"federation benchmark ({args.nodes} + {args.nodes} nodes)")
    return 0 if figures["merge_ok"] and figures["route_ok"] else 1


def _reachable_pairs(
    view: FederatedGraph, rng: np.random.Generator, count: int
) -> list[tuple[str, str]]:
    """``count`` (alpha node, beta node) pairs joined by a path, each with its own source
    (so that no query finds its shortest-path tree cached)."""
    alpha_ids = [i for i in view.ids if i.startswith("alpha:")]
    beta_ids = [i for i in view.ids if i.startswith("beta:")]
    # the component of alpha's first border node: every pair inside it is joined
    probe = view.sssp(alpha_ids[0])
    joined = np.isfinite(probe.dist)
    sources = [i for i in alpha_ids[1:] if joined[view.index[i]]]
    targets = [i for i in beta_ids if joined[view.index[i]]]
    if not sources or not targets:
        raise SystemExit("no border link joined the two networks' main parts; try another seed")
    picked = rng.choice(len(sources), size=min(count, len(sources)), replace=False)
    return [(sources[int(k)], targets[int(rng.integers(len(targets)))]) for k in picked]


if __name__ == "__main__":
    sys.exit(main())
