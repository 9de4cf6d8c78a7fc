"""A simulated node agent: builds realistic reports and posts them over the real API.

It behaves like ``node_agent`` would beside a router, but its "collector" reads the
simulated :class:`~topology.sim.world.World` instead of babeld: every report says so
(``collectors: [{"name": "simulated", ...}]``). Per report: ``seq`` grows by one,
interface counters grow with the traffic, uptime grows (and restarts after the
scenario's power cut). Now and then it re-sends its previous report, as an agent does
when an acknowledgement was lost; the service answers ``duplicate``.
"""

from __future__ import annotations

import hashlib
import random
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from topology.client import ClientError, MeshClient
from topology.sim.world import LinkSpec, World

COLLECTOR = {"name": "simulated", "ok": True, "error": ""}
#: Chance that a report is sent twice (a lost acknowledgement, retried).
REPLAY_CHANCE = 0.03


@dataclass
class AgentStats:
    """Counters shared by all agents of a fleet (thread-safe)."""

    sent: int = 0
    accepted: int = 0
    duplicate: int = 0
    failed: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    sent_times: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, t: float, outcome: str, error: str = "") -> None:
        with self._lock:
            self.sent += 1
            self.sent_times.append(t)
            if outcome == "accepted":
                self.accepted += 1
            elif outcome == "duplicate":
                self.duplicate += 1
            else:
                self.failed += 1
                self.errors[error or outcome] += 1

    def per_minute(self, now: float, window: float = 60.0) -> float:
        """Reports sent per minute over the last ``window`` seconds (or since the start)."""
        with self._lock:
            recent = [x for x in self.sent_times if x > now - window]
            span = min(window, max(now, 1e-9))
        return len(recent) * 60.0 / span


def link_local(node_id: str, iface: str) -> str:
    """A stable IPv6 link-local address for a node's interface."""
    h = hashlib.blake2s(f"{node_id}/{iface}".encode(), digest_size=8).hexdigest()
    return f"fe80::{h[0:4]}:{h[4:8]}:{h[8:12]}:{h[12:16]}"


@dataclass(slots=True)
class _Iface:
    rx_bytes: int = 0
    tx_bytes: int = 0
    rx_errors: int = 0
    tx_errors: int = 0


class SimAgent:
    """One simulated agent for one node.

    ``clock`` returns seconds since the demo started (the world's time); ``lan_prefixes``
    maps node ids to a LAN prefix, for the ``routes`` of the report; ``last_seq`` is the
    last ``seq`` the service accepted from this node (reports continue after it).
    """

    def __init__(
        self,
        node_id: str,
        client: MeshClient,
        world: World,
        stats: AgentStats,
        clock: Callable[[], float],
        *,
        interval: float = 2.0,
        seed: int = 1,
        gzip: bool = False,
        lan_prefixes: dict[str, str] | None = None,
        clients: int = 0,
        last_seq: int = 0,
    ) -> None:
        self.node_id = node_id
        self.client = client
        self.world = world
        self.stats = stats
        self.clock = clock
        self.interval = interval
        self.gzip = gzip
        self.lan_prefixes = lan_prefixes or {}
        self.seq = last_seq  # an agent keeps its seq across restarts (on disk)
        self.rebooted = 0
        self._rng = random.Random(f"{seed}:{node_id}")
        self._clients = clients
        self._links: list[LinkSpec] = world.links_of(node_id)
        self._ifaces: dict[str, _Iface] = {}
        self._boot_t = -self._rng.uniform(3600, 40 * 86400)  # up for hours to weeks
        self._was_online = True
        self._last_t = self._boot_t  # counters count from the boot
        self._last: dict[str, Any] | None = None
        self._dropped = 0
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ reports

    def build_report(self, t: float) -> dict[str, Any]:
        """The next report (``seq`` + 1) as the node sees things at ``t``."""
        self.seq += 1
        dt = max(0.0, t - self._last_t)
        self._last_t = t
        links: list[dict[str, Any]] = []
        routes: list[dict[str, Any]] = []
        for lk in self._links:
            seen = self.world.observe(lk.id, self.node_id, t)
            if seen is None:
                continue
            other = lk.b if lk.a == self.node_id else lk.a
            iface = lk.interface(self.node_id)
            address = link_local(other, lk.interface(other))
            self._count(iface, seen.rate_mbps, seen.loss, dt)
            links.append(
                {
                    "neighbour": other,
                    "address": address,
                    "interface": iface,
                    "rx_cost": seen.rx_cost,
                    "tx_cost": seen.tx_cost,
                    "cost": seen.cost,
                    "signal_dbm": seen.signal_dbm,
                    "noise_dbm": seen.noise_dbm,
                    "rate_mbps": seen.rate_mbps,
                    "rtt_ms": seen.rtt_ms,
                    "loss": seen.loss,
                }
            )
            if other in self.lan_prefixes:
                routes.append(
                    {
                        "destination": self.lan_prefixes[other],
                        "next": address,
                        "cost": seen.cost,
                        "device": iface,
                    }
                )
        report = {
            "seq": self.seq,
            "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "interval_s": max(1, round(self.interval)),
            "links": links,
            "interfaces": [
                {
                    "name": name,
                    "rx_bytes": c.rx_bytes,
                    "tx_bytes": c.tx_bytes,
                    "rx_errors": c.rx_errors,
                    "tx_errors": c.tx_errors,
                    "oper_up": True,
                    "speed_mbps": 1000 if name.startswith("eth") else 300,
                }
                for name, c in sorted(self._ifaces.items())
            ],
            "system": self._system(t),
            "routes": routes,
            "dropped_reports": self._dropped,
            "collectors": [dict(COLLECTOR)],
        }
        return report

    def _count(self, iface: str, rate_mbps: float, loss: float, dt: float) -> None:
        c = self._ifaces.setdefault(iface, _Iface())
        use = self._rng.uniform(0.005, 0.05)  # share of the link rate in use
        moved = int(rate_mbps * 1e6 / 8 * use * dt)
        c.rx_bytes += moved
        c.tx_bytes += int(moved * self._rng.uniform(0.2, 0.6))
        if loss > 0.1 and self._rng.random() < loss:
            c.rx_errors += self._rng.randint(1, 20)

    def _system(self, t: float) -> dict[str, Any]:
        rng = self._rng
        if self._clients:
            self._clients = max(0, min(30, self._clients + rng.choice((-1, 0, 0, 1))))
        return {
            "uptime_s": int(t - self._boot_t),
            "load1": round(rng.uniform(0.02, 0.4) + 0.05 * len(self._links), 2),
            "memory_used_pct": round(rng.uniform(28, 55), 1),
            "clients": self._clients,
        }

    # ------------------------------------------------------------------ sending

    def tick(self) -> str:
        """Send one report now if the node is up; returns the outcome (or ``offline``)."""
        t = self.clock()
        if not self.world.online(self.node_id, t):
            self._was_online = False
            return "offline"
        if not self._was_online:  # power is back: a fresh boot, counters from zero
            self._was_online = True
            self.rebooted += 1
            self._boot_t = t - self._rng.uniform(20, 40)
            self._last_t = self._boot_t
            self._ifaces.clear()
        if self._last is not None and self._rng.random() < REPLAY_CHANCE:
            self._post(self._last, t)  # the acknowledgement was "lost": send it again
        report = self.build_report(t)
        outcome = self._post(report, t)
        self._last = report
        if outcome == "accepted":
            self._dropped = 0
        return outcome

    def _post(self, report: dict[str, Any], t: float) -> str:
        try:
            ack = self.client.post_report(self.node_id, report, gzip=self.gzip)
        except ClientError as exc:
            self._dropped += 1
            self.stats.record(t, "failed", type(exc).__name__)
            return "failed"
        outcome = str(ack.get("status", "accepted")) if isinstance(ack, dict) else "accepted"
        self.stats.record(t, outcome)
        return outcome

    def run(self, stop: threading.Event) -> None:
        """Report every ``interval`` seconds (jittered +-20 %) until ``stop`` is set."""
        delay = self._rng.uniform(0.05, self.interval)  # agents start out of step
        while not stop.wait(delay):
            self.tick()
            delay = self.interval * self._rng.uniform(0.8, 1.2)

    def start(self, stop: threading.Event) -> threading.Thread:
        self._thread = threading.Thread(
            target=self.run, args=(stop,), name=f"sim-agent {self.node_id}", daemon=True
        )
        self._thread.start()
        return self._thread
