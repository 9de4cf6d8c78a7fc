"""Benchmark of meshctl's start-up: ``meshctl --help`` and ``meshctl node list --json``
on a 1,000-node network, wall time of the whole process (budget: 300 ms each).

The service runs in this process (uvicorn on loopback, a store with a generated
1,000-node network); each figure is the best of REPEAT runs of a fresh ``meshctl``
process. The reference is a bare ``python -c pass`` measured in the same run, so the
ratios say how much meshctl adds to starting Python at all.

Run from the repo root: ``.venv/bin/python bench/cli.py [--json]``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import parser, report
from topology.api.app import create_app
from topology.api.deps import ApiSettings
from topology.generate import generate_network
from topology.network import CommunityNetwork
from topology.sim.service import ServiceThread
from topology.store import open_store

NODES = 1_000
REPEAT = 7
BUDGET_MS = 300.0


def wall_ms(argv: list[str], env: dict[str, str]) -> float:
    """Best wall time of REPEAT runs of ``argv``, in milliseconds (it must succeed)."""
    best = float("inf")
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        done = subprocess.run(argv, env=env, capture_output=True, timeout=60)
        elapsed = time.perf_counter() - t0
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode().strip()}")
        best = min(best, elapsed)
    return best * 1000


def main() -> None:
    args = parser(__doc__.splitlines()[0] if __doc__ else "").parse_args()
    meshctl = [sys.executable, "-m", "meshctl.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        network = CommunityNetwork(open_store(Path(tmp) / "data"))
        network.import_model(generate_network(NODES, seed=1, community="bench"))
        server = ServiceThread(create_app(network, ApiSettings())).start()
        try:
            env = {**os.environ, "NO_COLOR": "1", "XDG_CONFIG_HOME": str(Path(tmp) / "cfg"),
                   "MESHCOMMONS_URL": server.url}
            env.pop("MESHCOMMONS_TOKEN", None)
            python_ms = wall_ms([sys.executable, "-c", "pass"], env)
            help_ms = wall_ms([*meshctl, "--help"], env)
            listed = subprocess.run([*meshctl, "node", "list", "--json"], env=env,
                                    capture_output=True, text=True, timeout=60)
            count = listed.stdout.count('"zone":')
            node_list_ms = wall_ms([*meshctl, "node", "list", "--json"], env)
        finally:
            server.stop()
            network.close()
    report(
        {
            "nodes": count,
            "python_ms": round(python_ms, 1),
            "help_ms": round(help_ms, 1),
            "node_list_ms": round(node_list_ms, 1),
            "help_vs_python": round(help_ms / python_ms, 2),
            "node_list_vs_python": round(node_list_ms / python_ms, 2),
            "budget_ms": BUDGET_MS,
            "within_budget": help_ms < BUDGET_MS and node_list_ms < BUDGET_MS,
        },
        args.json,
        f"meshctl start-up, best of {REPEAT} (a {NODES}-node network)",
    )


if __name__ == "__main__":
    main()
