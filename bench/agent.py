"""Footprint of the node agent: memory, CPU per cycle, report size.

Run from the repository root (as root, so probes may use raw sockets)::

    .venv/bin/python bench/agent.py [--cycles 20] [--json]

Each measured agent runs in its own child process (so only the agent is measured), with
the real collectors and the real HTTP transport, against local stand-ins served by this
parent process: a babeld local interface with 10 neighbours (each with its own routed
address on 127.0.0.0/8, so the probes really ping 10 neighbours), an olsrd jsoninfo
plugin, and snmpsim serving the real RouterOS recording of ../shared/realdata (12
interfaces, AP and registration tables). batman and bmx read the real samples. Figures:

* ``rss_mb``: steady-state resident memory with every collector on (target <= 64 MB);
* ``rss_babeld_only_mb``: the same with babeld only (target <= 28 MB);
* ``cpu_ms_per_cycle``: user + system CPU of one cycle with babeld + SNMP + probes for
  10 neighbours, median over the steady cycles (target <= 100 ms);
* ``report_gzip_bytes``: that cycle's report, gzipped (target <= 4 KB).

The exit status is 1 when a target is missed (or a needed part is missing).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import parser, report  # noqa: E402

REALDATA = ROOT.parent / "shared" / "realdata"
TARGETS = {"rss_mb": 64.0, "rss_babeld_only_mb": 28.0, "cpu_ms_per_cycle": 100.0,
           "report_gzip_bytes": 4096}  # fmt: skip
NEIGHBOURS = 10


def babel_dump(n: int = NEIGHBOURS, extra_routes: int = 40) -> str:
    lines = ["BABEL 1.0", "version babeld-1.12.1", "host bench", "my-id 02:00:00:00:00:00:00:01",
             "ok", "add interface wlan0 up true ipv6 fe80::1"]  # fmt: skip
    for i in range(n):
        lines.append(f"add neighbour {i:x} address fe80::{i + 2:x} if wlan0 reach ffff "
                     f"ureach 0000 rxcost {256 + 8 * i} txcost {256 + 4 * i} rtt 1.{i} "
                     f"rttcost 0 cost {300 + 9 * i}")  # fmt: skip
        lines.append(f"add route r{i} prefix 127.0.0.{i + 2}/32 from 0.0.0.0/0 installed yes "
                     f"id 02:00:00:00:00:00:01:{i:02x} metric {300 + 9 * i} refmetric 0 "
                     f"via fe80::{i + 2:x} if wlan0")  # fmt: skip
    for j in range(extra_routes):
        lines.append(f"add route x{j} prefix 10.228.{j}.0/27 from 0.0.0.0/0 installed yes "
                     f"id 02:00:00:00:00:00:02:{j:02x} metric {600 + j} refmetric 300 "
                     f"via fe80::{j % n + 2:x} if wlan0")  # fmt: skip
    lines.append(
        "add xroute 10.228.99.0/27-0.0.0.0/0 prefix 10.228.99.0/27 from 0.0.0.0/0 metric 0"
    )
    return "\n".join(lines) + "\nok\n"


def serve_babeld(dump: str) -> int:
    greeting, _, rest = dump.partition("ok\n")
    srv = socket.create_server(("127.0.0.1", 0))

    def loop() -> None:
        while True:
            conn, _ = srv.accept()
            with conn, conn.makefile("rwb") as f:
                f.write((greeting + "ok\n").encode())
                f.flush()
                if f.readline().strip() == b"dump":
                    f.write(rest.encode())
                    f.flush()

    threading.Thread(target=loop, daemon=True).start()
    return int(srv.getsockname()[1])


def serve_bytes(payload: bytes) -> int:
    srv = socket.create_server(("127.0.0.1", 0))

    def loop() -> None:
        while True:
            conn, _ = srv.accept()
            with conn:
                conn.recv(4096)
                conn.sendall(payload)

    threading.Thread(target=loop, daemon=True).start()
    return int(srv.getsockname()[1])


def serve_reports() -> str:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            body = b'{"status": "accepted"}'
            self.send_response(202)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}"


def start_snmpsim(folder: Path) -> tuple[subprocess.Popen[bytes], int] | None:
    exe = Path(sys.executable).parent / "snmpsim-command-responder"
    if not exe.exists() or not (REALDATA / "snmp").is_dir():
        return None
    data = folder / "snmprec"
    shutil.copytree(REALDATA / "snmp" / "snmprec", data)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = [str(exe), f"--data-dir={data}", f"--cache-dir={folder / 'cache'}",
            f"--agent-udpv4-endpoint=127.0.0.1:{port}"]  # fmt: skip
    if os.geteuid() == 0:
        args += ["--process-user=root", "--process-group=root"]
    log = folder / "snmpsim.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while b"Listening at" not in log.read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            return None
        time.sleep(0.1)
    return proc, port


def child(config_path: str, cycles: int) -> None:
    """Run ``cycles`` cycles back to back; print CPU per steady cycle, RSS, report size."""
    import resource

    from node_agent.lean import hide_pysmi

    hide_pysmi()  # as `node-agent run` does

    from node_agent.config import load_config
    from node_agent.loop import Agent

    agent = Agent(load_config(config_path))
    cpu: list[float] = []
    sizes: list[int] = []
    failed: set[str] = set()
    for i in range(cycles):
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        outcome = agent.run_once()
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        if i >= 2:  # the first cycles import libraries and warm caches
            cpu.append((r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1000)
        sizes.append(len(outcome.encoded))
        failed |= {s["name"] + ": " + s["error"] for s in outcome.collected.statuses if not s["ok"]}
    status = Path("/proc/self/status").read_text().splitlines()
    rss_kb = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    agent.close()
    json.dump({"cpu_ms": statistics.median(cpu), "rss_mb": rss_kb / 1024, "gzip": sizes[-1],
               "links": len(outcome.body.get("links", [])), "failed": sorted(failed)},
              sys.stdout)  # fmt: skip


def measure(folder: Path, name: str, collectors: str, url: str, cycles: int) -> dict[str, Any]:
    config = folder / f"{name}.yaml"
    config.write_text(f"service: {url}\nnode: bench:n1\ntoken: t\ninterval: 60\n"
                      f"state_dir: {folder / name}\ncollectors:\n{collectors}")  # fmt: skip
    done = subprocess.run([sys.executable, __file__, "--child", str(config), "--cycles",
                           str(cycles)], capture_output=True, text=True, timeout=600)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"{name}: the agent failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def main() -> int:
    p = parser(__doc__.splitlines()[0] if __doc__ else "agent benchmark")
    p.add_argument("--cycles", type=int, default=20)
    p.add_argument("--child", help=argparse_hidden())
    args = p.parse_args()
    if args.child:
        child(args.child, args.cycles)
        return 0
    folder = Path(tempfile.mkdtemp(prefix="bench-agent-"))
    snmpsim = start_snmpsim(folder)
    try:
        url = serve_reports()
        babel = f"  babeld: {{host: 127.0.0.1, port: {serve_babeld(babel_dump())}}}\n"
        olsr_json = (REALDATA / "routing" / "olsr-5-links.json").read_bytes()
        snmp = (f"  snmp: {{host: 127.0.0.1, port: {snmpsim[1]}, community: routeros}}\n"
                if snmpsim else "")  # fmt: skip
        probes = "  probes: {count: 3, timeout: 1}\n"
        everything = (
            babel + snmp + probes
            + f"  olsrd: {{host: 127.0.0.1, port: {serve_bytes(olsr_json)}}}\n"
            + f"  batman: {{file: {REALDATA / 'routing' / 'batman.json'}}}\n"
            + f"  bmx: {{file: {REALDATA / 'routing' / 'bmx6.json'}, name: P9SFBadajoz93-6e99}}\n"
        )  # fmt: skip
        only_babel = babel + "  system: false\n"
        cycle = babel + snmp + probes + "  system: false\n"
        full = measure(folder, "all", everything, url, args.cycles)
        small = measure(folder, "babeld", only_babel, url, args.cycles)
        main_cycle = measure(folder, "cycle", cycle, url, args.cycles)
    finally:
        if snmpsim:
            snmpsim[0].terminate()
            snmpsim[0].wait(10)
        shutil.rmtree(folder, ignore_errors=True)
    figures: dict[str, Any] = {
        "rss_mb": round(full["rss_mb"], 1),
        "rss_babeld_only_mb": round(small["rss_mb"], 1),
        "cpu_ms_per_cycle": round(main_cycle["cpu_ms"], 1),
        "cpu_ms_per_cycle_babeld_only": round(small["cpu_ms"], 2),
        "report_gzip_bytes": main_cycle["gzip"],
        "report_links": main_cycle["links"],
        "snmp": bool(snmpsim),
        "probes": not any(f.startswith("probes") for f in main_cycle["failed"]),
        "failed_collectors": sorted(set(full["failed"]) | set(main_cycle["failed"])),
    }
    report(figures, args.json, "node agent footprint (targets: " + ", ".join(
        f"{k} <= {v}" for k, v in TARGETS.items()) + ")")  # fmt: skip
    missed = [k for k, v in TARGETS.items() if figures[k] > v]
    return 1 if missed or not figures["snmp"] or not figures["probes"] else 0


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    sys.exit(main())
