"""Report ingestion over HTTP: simulated agents against a real uvicorn server on loopback.

Run from the repository root::

    .venv/bin/python bench/ingest.py [--seconds 60] [--nodes 2000] [--json]

Sets up a fresh data directory with a generated network
(:func:`topology.generate.generate_network`) and one agent token per node, starts the
service (uvicorn, one worker process, uvloop + httptools, the group-commit writer) as a
subprocess, then measures on the same server:

* ``reports_per_s``: accepted reports per second (answered 202, so durably committed)
  under ``wrk`` (several connections, as fast as they go) for ``--seconds``; every report
  carries 10 observed links; a Lua script rotates nodes, tokens and seq numbers;
* ``trivial_per_s``: ``GET /healthz`` per second under the same ``wrk`` load, and
  ``ratio`` = reports_per_s / trivial_per_s;
* ``p99_ms_at_667``: p99 latency at a fixed rate of 667 reports/s (a paced asyncio client,
  latency counted from each request's scheduled time, so a stall is not hidden), for
  ``--latency-seconds``;
* afterwards, with the server stopped, it checks that the store holds every report that
  was acknowledged (``stored_reports`` >= ``acknowledged``, the 202s of all runs).

The server answers reports through :class:`topology.api.reports.ReportFastPath`, as the
service should be set up (``--no-fast-path``: through the FastAPI route).

Targets: ``reports_per_s >= 1000`` and ``p99_ms_at_667 < 50``; the exit status is 1 when
one is missed. Needs ``wrk`` (Debian package ``wrk``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import parser, report

RATE_TARGET = 1000.0
P99_TARGET_MS = 50.0
FIXED_RATE = 667.0
LINKS_PER_REPORT = 10


def main() -> int:
    p = parser(__doc__.splitlines()[0] if __doc__ else "ingestion benchmark")
    p.add_argument("--seconds", type=int, default=60, help="duration of the throughput run")
    p.add_argument("--latency-seconds", type=int, default=None,
                   help="duration of the fixed-rate run (default: min(seconds, 30))")  # fmt: skip
    p.add_argument("--nodes", type=int, default=2000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--connections", type=int, default=256, help="wrk connections")
    p.add_argument("--threads", type=int, default=2, help="wrk threads")
    p.add_argument("--keep", action="store_true", help="keep the data directory")
    p.add_argument(
        "--no-fast-path",
        action="store_true",
        help="answer reports by the FastAPI route, not the ReportFastPath middleware",
    )
    p.add_argument("--serve", metavar="DATA_DIR", help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.serve:
        return serve(Path(args.serve), args.port, not args.no_fast_path)
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    lat_s = args.latency_seconds or min(args.seconds, 30)
    work = Path(tempfile.mkdtemp(prefix="meshcommons-ingest-bench-"))
    try:
        figures = run(work, args.nodes, args.seed, args.seconds, lat_s, args)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    report(figures, args.json, "report ingestion over HTTP (uvicorn, loopback)")
    ok = figures["reports_per_s"] >= RATE_TARGET and figures["p99_ms_at_667"] < P99_TARGET_MS
    return 0 if ok and figures["stored_reports"] >= figures["acknowledged"] else 1


def say(msg: str) -> None:
    print(f"[bench/ingest] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- setup


def prepare(data: Path, n_nodes: int, seed: int) -> list[dict[str, Any]]:
    """A network in ``data`` and, per node, its agent token and 10 neighbours to report."""
    from topology.auth import AccessRole
    from topology.generate import generate_network
    from topology.network import CommunityNetwork
    from topology.store import open_store
    from topology.store.tokens import TokenStore

    model = generate_network(n_nodes, seed, now=datetime(2026, 11, 27, tzinfo=UTC))
    network = CommunityNetwork(open_store(data))
    network.import_model(model)
    graph = network.graph
    tokens = TokenStore(network.store.engine)
    now = datetime.now(UTC)
    agents = []
    for node in model.nodes:
        near = [lk.other(node.id) for lk in graph.links_of(node.id)]
        seen = {node.id, *near}
        for other in list(near):  # pad with neighbours' neighbours: new mesh links
            for lk in graph.links_of(other):
                far = lk.other(other)
                if len(near) < LINKS_PER_REPORT and far not in seen and far in graph.nodes:
                    near.append(far)
                    seen.add(far)
        _, secret = tokens.create(AccessRole.AGENT, node.id, node_id=node.id, now=now)
        agents.append({"node": node.id, "token": secret, "neighbours": near[:LINKS_PER_REPORT]})
    network.close()
    return agents


def body_parts(agent: dict[str, Any]) -> tuple[str, str, str]:
    """The report JSON around its seq and time: pre + seq + mid + time + post."""
    links = [
        {"neighbour": nb, "interface": f"wlan{i % 2}", "rx_cost": 256 + 8 * i,
         "tx_cost": 256 + 16 * i, "signal_dbm": -55 - i, "noise_dbm": -95,
         "rate_mbps": 300 - 10 * i, "rtt_ms": 1.5 + i / 10, "loss": 0.01 * (i % 3)}
        for i, nb in enumerate(agent["neighbours"])
    ]  # fmt: skip
    rest = {
        "interval_s": 60,
        "links": links,
        "interfaces": [
            {"name": "wlan0", "rx_bytes": 123456789, "tx_bytes": 98765432, "rx_errors": 0,
             "tx_errors": 2, "oper_up": True, "speed_mbps": 300},
            {"name": "eth0", "rx_bytes": 5555555, "tx_bytes": 4444444, "rx_errors": 0,
             "tx_errors": 0, "oper_up": True, "speed_mbps": 1000},
        ],
        "system": {"uptime_s": 86400, "load1": 0.12, "memory_used_pct": 41.5, "clients": 4},
        "dropped_reports": 0,
        "collectors": [{"name": "babeld", "ok": True, "error": ""},
                       {"name": "iw", "ok": True, "error": ""}],
    }  # fmt: skip
    post = json.dumps(rest, separators=(",", ":"))
    return '{"seq":', ',"time":"', '",' + post[1:]


# --------------------------------------------------------------------------- server


def serve(data: Path, port: int, fast_path: bool) -> int:
    """The server process: the app with ingestion, until SIGTERM; prints writer stats."""
    import uvicorn

    from topology.api.service import create_service_app
    from topology.network import CommunityNetwork
    from topology.store import open_store

    @contextlib.asynccontextmanager
    async def stats(app: Any) -> AsyncIterator[None]:  # left before ingestion stops
        yield
        print(json.dumps(app.state.ingest.writer_stats), flush=True)

    network = CommunityNetwork(open_store(data))
    # The whole service as `meshctl serve` runs it: ingestion, event hub, alert engine.
    app = create_service_app(network, lifespans=[stats], fast_path=fast_path)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, loop="uvloop", http="httptools",
        access_log=False, log_level="warning", lifespan="on", ws="none",
    )  # fmt: skip
    uvicorn.Server(config).run()  # re-raises SIGTERM at the end: nothing runs after it
    return 0


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data: Path, fast_path: bool) -> tuple[subprocess.Popen[str], int]:
    import httpx

    port = free_port()
    cmd = [sys.executable, __file__, "--serve", str(data), "--port", str(port)]
    cmd += [] if fast_path else ["--no-fast-path"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc, port
        except httpx.HTTPError:
            time.sleep(0.1)
        if proc.poll() is not None:
            break
    proc.kill()
    raise RuntimeError("the server did not start")


# --------------------------------------------------------------------------- load

# wrk script: thread t of T sends for nodes t, t+T, t+2T, ... (so a node's reports never
# race each other) with seq = base + request index, which grows per node; it counts 202s.
LUA = r"""
local data = dofile("@DATA@")
local threads, next_tid = {}, 0
function setup(thread)
  thread:set("tid", next_tid); next_tid = next_tid + 1
  table.insert(threads, thread)
end
function init(args)
  nthreads, base = tonumber(args[1]), tonumber(args[2])
  idx, n = tid, #data
  accepted, duplicate, failed = 0, 0, 0
end
function request()
  local item = data[idx % n + 1]
  local round = math.floor(idx / n)
  local t = os.date("!%Y-%m-%dT%H:%M:%S", os.time()) .. string.format(".%03dZ", round % 1000)
  local body = item[3] .. (base + idx) .. item[4] .. t .. item[5]
  idx = idx + nthreads
  return wrk.format("POST", item[1], {["Authorization"] = item[2],
    ["Content-Type"] = "application/json"}, body)
end
function response(status, headers, body)
  if status == 202 then accepted = accepted + 1
  elseif status == 200 then duplicate = duplicate + 1
  else failed = failed + 1 end
end
function done(summary, latency, requests)
  local a, d, f = 0, 0, 0
  for _, thread in ipairs(threads) do
    a = a + thread:get("accepted"); d = d + thread:get("duplicate"); f = f + thread:get("failed")
  end
  io.write(string.format("RESULT accepted=%d duplicate=%d failed=%d\n", a, d, f))
end
"""


def lua_data(parts: list[tuple[str, str, str, str, str]]) -> str:
    def q(s: str) -> str:
        return "[==[" + s + "]==]"

    rows = ",\n".join("{" + ",".join(q(x) for x in part) + "}" for part in parts)
    return "return {\n" + rows + "\n}\n"


def parse_wrk(out: str) -> dict[str, Any]:
    """Figures from wrk's output (with --latency and, for reports, our RESULT line)."""
    fig: dict[str, Any] = {"accepted": 0, "duplicate": 0, "failed": 0, "errors": 0}
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
    for line in out.splitlines():
        words = line.split()
        if line.startswith("RESULT"):
            fig.update({k: int(v) for k, v in (w.split("=") for w in words[1:])})
        elif len(words) == 2 and words[0] in ("50%", "99%"):
            num = words[1].rstrip("umsec")
            unit = words[1][len(num) :]
            fig[f"p{words[0][:-1]}_ms"] = float(num) * units[unit]
        elif "requests in" in line:
            fig["requests"] = int(words[0])
            dur = words[3].rstrip(",")
            num = dur.rstrip("umsec")
            fig["duration_s"] = float(num) * units[dur[len(num) :]] / 1000
        elif line.strip().startswith(("Socket errors", "Non-2xx")):
            fig["errors"] += sum(int(w.rstrip(",")) for w in words if w.rstrip(",").isdigit())
    fig["errors"] += fig["failed"]
    return fig


def run_paced(
    port: int, parts: list[tuple[str, str, str, str, str]], rate: float, seconds: int, base: int
) -> dict[str, Any]:
    """:func:`paced_run` on uvloop when it is installed (a cheaper client)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(paced_run(port, parts, rate, seconds, base))
    return uvloop.run(paced_run(port, parts, rate, seconds, base))


async def paced_run(
    port: int, parts: list[tuple[str, str, str, str, str]], rate: float, seconds: int, base: int
) -> dict[str, Any]:
    """``rate`` reports/s for ``seconds`` over 32 keep-alive connections; latency counted
    from each request's scheduled time. Node i of request k is ``k % len(parts)``."""
    total = int(rate * seconds)
    lat: list[float] = []
    counts = {"accepted": 0, "errors": 0}
    next_k = 0
    t0 = time.perf_counter() + 0.2

    async def conn() -> None:
        nonlocal next_k
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while next_k < total:
            k = next_k
            next_k += 1
            path, tok, pre, mid, post = parts[k % len(parts)]
            due = t0 + k / rate
            if (wait := due - time.perf_counter()) > 0:
                await asyncio.sleep(wait)
            stamp = datetime.now(UTC).isoformat().replace("+00:00", "Z")
            body = f"{pre}{base + k}{mid}{stamp}{post}".encode()
            head = (
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {tok}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            )
            writer.write(head.encode() + body)
            status_line = await reader.readuntil(b"\r\n")
            headers = await reader.readuntil(b"\r\n\r\n")
            length = next(int(h.split(b":")[1]) for h in headers.split(b"\r\n")
                          if h.lower().startswith(b"content-length"))  # fmt: skip
            await reader.readexactly(length)
            lat.append((time.perf_counter() - due) * 1000)
            counts["accepted" if b" 202 " in status_line else "errors"] += 1
        writer.close()

    await asyncio.gather(*(conn() for _ in range(32)))
    elapsed = time.perf_counter() - t0
    lat.sort()
    return {**counts, "rate": len(lat) / elapsed, "p50_ms": lat[len(lat) // 2],
            "p99_ms": lat[int(len(lat) * 0.99)], "max_ms": lat[-1]}  # fmt: skip


# --------------------------------------------------------------------------- run


def wrk(url: str, seconds: int, args: Any, script: Path | None, *extra: str) -> dict[str, Any]:
    cmd = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--latency"]
    if script is not None:
        cmd += ["-s", str(script)]
    cmd += [url]
    if extra:
        cmd += ["--", *extra]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return parse_wrk(out.stdout)


def run(work: Path, n_nodes: int, seed: int, seconds: int, lat_s: int, args: Any) -> dict[str, Any]:
    data = work / "data"
    say(f"generating {n_nodes} nodes and their agent tokens")
    agents = prepare(data, n_nodes, seed)
    parts = [(f"/api/v1/nodes/{a['node']}/reports", f"Bearer {a['token']}", *body_parts(a))
             for a in agents]  # fmt: skip
    (work / "agents.lua").write_text(lua_data(parts))
    script = work / "reports.lua"
    script.write_text(LUA.replace("@DATA@", str(work / "agents.lua")))
    proc, port = start_server(data, not args.no_fast_path)
    base = f"http://127.0.0.1:{port}"
    figures: dict[str, Any] = {}
    try:
        say("warm-up (5 s): the first round discovers new mesh links")
        w = wrk(base + "/", 5, args, script, str(args.threads), "1000000000")
        say(f"throughput: wrk, {args.connections} connections, {seconds} s")
        r = wrk(base + "/", seconds, args, script, str(args.threads), "2000000000")
        say(f"trivial endpoint: GET /healthz, {min(seconds, 20)} s")
        t = wrk(base + "/healthz", min(seconds, 20), args, None)
        say(f"latency at a fixed {FIXED_RATE:.0f} reports/s, {lat_s} s")
        lat = run_paced(port, parts, FIXED_RATE, lat_s, 3_000_000_000)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=120)
    stats = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}
    figures = {
        "reports_per_s": r["accepted"] / r["duration_s"],
        "requests_per_s": r["requests"] / r["duration_s"],
        "p50_ms_max_load": r["p50_ms"],
        "p99_ms_max_load": r["p99_ms"],
        "trivial_per_s": t["requests"] / t["duration_s"],
        "p99_ms_at_667": lat["p99_ms"],
        "p50_ms_at_667": lat["p50_ms"],
        "max_ms_at_667": lat["max_ms"],
        "rate_at_667": lat["rate"],
        "errors": r["errors"] + lat["errors"],
        "acknowledged": w["accepted"] + r["accepted"] + lat["accepted"],  # 202s, all runs
        "links_per_report": LINKS_PER_REPORT,
        "seconds": seconds,
        "fast_path": not args.no_fast_path,
        "writer_batches": stats.get("batches", 0),
        "mean_batch": stats.get("reports", 0) / max(1, stats.get("batches", 1)),
    }
    figures["ratio"] = figures["reports_per_s"] / figures["trivial_per_s"]
    figures["stored_reports"] = stored_reports(data)
    return figures


def stored_reports(data: Path) -> int:
    """Reports durably in the store: one node sample each."""
    from sqlalchemy import func, select

    from topology.store import open_store
    from topology.store.telemetry import NodeSampleRow

    with open_store(data) as store, store.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(NodeSampleRow)) or 0)


if __name__ == "__main__":
    sys.exit(main())
