"""The stewards' TUI at Guifi.net scale: 40,000 nodes, about 180,000 links, headless.

Run from the repository root::

    .venv/bin/python bench/tui.py [--nodes 40000] [--seed 1] [--size 160x48] [--json]

Generates a synthetic mesh (:func:`topology.generate.generate_network`), turns it into
the service's JSON shapes, and runs the real :class:`tui.app.MeshApp` headless (Textual's
test driver) with a :class:`tui.feed.StaticFeed`, so the figures are the app's own work,
not the network's:

* ``ready_s``: from the snapshot handed to the app (the data arrived) until the Nodes
  screen is painted with its first page;
* ``filter_ms``: one keystroke in the Nodes filter until the table is updated (median
  over a few words typed and erased); ``filter_ref_ms`` is the same filter alone, on
  the same rows, without any UI: the ratio is what the table costs on top;
* ``map_pan_ms``: one pan key on the Map until it is redrawn (median);
  ``map_draw_ms`` is the canvas drawing alone at the same size, for the ratio.

Targets: ``ready_s < 2``, ``filter_ms < 200``, ``map_pan_ms < 200``; the exit status is 1
when one is missed.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import parser, progress, report, timed
from topology.client_models import LinkInfo, NodeInfo
from topology.generate import generate_network
from topology.model import NetworkModel
from tui.app import MeshApp
from tui.canvas import draw
from tui.feed import Snapshot, StaticFeed, Who
from tui.query import filter_nodes
from tui.screens.map import MapCanvas, MapScreen
from tui.screens.nodes import NodesScreen

READY_TARGET_S = 2.0
FILTER_TARGET_MS = 200.0
PAN_TARGET_MS = 200.0
WORDS = ("ash", "work", "zone:t1")


def as_snapshot(model: NetworkModel) -> Snapshot:
    """The model as the service's JSON would give it (``topology.client_models``)."""
    nodes: list[NodeInfo] = [
        {
            "id": n.id, "name": n.name, "zone": n.zone_id, "status": n.status.value,
            "role": n.role.value, "gateway": n.gateway,
            "position": {"lat": n.position.lat, "lon": n.position.lon},
        }
        for n in model.nodes
    ]  # fmt: skip
    links: list[LinkInfo] = [
        {
            "id": lk.id, "a": lk.a, "b": lk.b, "type": lk.type.value, "status": lk.status.value,
            "metrics": {"cost": lk.metrics.cost, "signal_dbm": lk.metrics.signal_dbm,
                        "rate_mbps": lk.metrics.rate_mbps},
        }
        for lk in model.links
    ]  # fmt: skip
    return Snapshot(model.community.slug, nodes, links, [], None, [])


async def measure(snapshot: Snapshot, size: tuple[int, int]) -> dict[str, float]:
    feed = StaticFeed(Who("admin", "bench"))
    app = MeshApp("http://127.0.0.1:9", feed=feed, refresh_s=0.02)
    out: dict[str, float] = {}
    async with app.run_test(size=size) as pilot:
        await pilot.press("n")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, NodesScreen)
        table = screen.query_one("#nodes-table")
        t0 = time.perf_counter()
        feed.deliver(snapshot)
        while not (app.loaded and getattr(table, "row_count", 0) > 0):
            await pilot.pause(0.005)
        await pilot.pause()  # painted
        out["ready_s"] = time.perf_counter() - t0

        await pilot.press("slash")
        times = []
        for word in WORDS:
            for key in [*word, *["backspace"] * len(word)]:
                t = time.perf_counter()
                await pilot.press(key)
                await pilot.pause()
                times.append(time.perf_counter() - t)
        out["filter_ms"] = statistics.median(times) * 1000
        out["filter_max_ms"] = max(times) * 1000

        await pilot.press("escape", "m")
        await pilot.pause()
        mscreen = app.screen
        assert isinstance(mscreen, MapScreen)
        canvas = mscreen.query_one(MapCanvas)
        while canvas.frame is None:
            await pilot.pause(0.01)
        pans = []
        for key in ("right", "down", "left", "up", "minus", "right", "plus", "left") * 2:
            before = canvas.frame
            t = time.perf_counter()
            await pilot.press(key)
            while canvas.frame is before:
                await pilot.pause(0.001)
            pans.append(time.perf_counter() - t)
        out["map_pan_ms"] = statistics.median(pans) * 1000
        out["map_pan_max_ms"] = max(pans) * 1000
        assert canvas.scene is not None and canvas.view is not None
        scene, view = canvas.scene, canvas.view
        w, h = canvas.size.width, canvas.size.height
        t = time.perf_counter()
        for _ in range(5):
            frame = draw(scene, view, w, h)
        out["map_draw_ms"] = (time.perf_counter() - t) / 5 * 1000
        out["map_links_drawn"] = float(frame.links_shown)
        out["map_links_thinned"] = float(frame.thinned)
        rows = app.state.node_rows()
        t = time.perf_counter()
        for word in WORDS:
            for i in range(1, len(word) + 1):
                filter_nodes(rows, word[:i])
        out["filter_ref_ms"] = (time.perf_counter() - t) / sum(map(len, WORDS)) * 1000
    return out


def main() -> int:
    p = parser(__doc__.splitlines()[0] if __doc__ else "tui benchmark")
    p.add_argument("--nodes", type=int, default=40_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--size", default="160x48", help="terminal columns x rows")
    args = p.parse_args()
    cols, rows = (int(x) for x in args.size.lower().split("x"))
    say = progress(args.json)
    say(f"generating {args.nodes:,} nodes…")
    with timed() as t_gen:
        model = generate_network(args.nodes, seed=args.seed)
        snapshot = as_snapshot(model)
    say(f"  {len(snapshot.nodes):,} nodes, {len(snapshot.links):,} links in {t_gen[0]:.1f} s")
    figures: dict[str, Any] = {"nodes": len(snapshot.nodes), "links": len(snapshot.links)}
    figures.update(asyncio.run(measure(snapshot, (cols, rows))))
    figures["filter_ratio"] = figures["filter_ms"] / max(figures["filter_ref_ms"], 1e-6)
    figures["map_pan_ratio"] = figures["map_pan_ms"] / max(figures["map_draw_ms"], 1e-6)
    figures["terminal"] = args.size
    report(figures, args.json, f"TUI at {len(snapshot.nodes):,} nodes ({args.size})")
    ok = (
        figures["ready_s"] < READY_TARGET_S
        and figures["filter_ms"] < FILTER_TARGET_MS
        and figures["map_pan_ms"] < PAN_TARGET_MS
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
