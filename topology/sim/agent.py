"""The demo's node agents: the real :class:`node_agent.loop.Agent`, fed by the simulated
radio world instead of a router.

Each demo node runs ``node-agent``'s own loop, config loader, report builder, spool and
HTTP transport; only its collector is simulated: :class:`WorldSource` plugs the
:class:`~topology.sim.world.World` into :class:`node_agent.collectors.simulated.
SimulatedCollector`, so every report says ``collectors: [{"name": "simulated", ...}]``.
Per report, interface counters grow with the traffic and uptime grows; after the
scenario's power cut the node boots again (counters and uptime from zero).
:class:`CountingTransport` counts what the service answered, for the demo's summary.
"""

from __future__ import annotations

import hashlib
import random
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from node_agent.collectors.simulated import SimulatedState
from node_agent.errors import CollectorError, Rejected, Unreachable
from node_agent.models import ReportInterface, ReportLink, ReportRoute, ReportSystem
from node_agent.transport import Transport
from topology.sim.world import LinkSpec, World


@dataclass
class AgentStats:
    """Counters shared by all agents of a fleet (thread-safe)."""

    sent: int = 0
    accepted: int = 0
    duplicate: int = 0
    failed: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, outcome: str, error: str = "") -> None:
        with self._lock:
            self.sent += 1
            if outcome == "accepted":
                self.accepted += 1
            elif outcome == "duplicate":
                self.duplicate += 1
            else:
                self.failed += 1
                self.errors[error or outcome] += 1


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


class WorldSource:
    """What ``node_id`` hears of the simulated world, for its :class:`SimulatedCollector`.

    ``clock`` returns seconds since the demo started (the world's time); ``lan_prefixes``
    maps node ids to a LAN prefix, for the ``routes`` of the report.
    """

    def __init__(
        self,
        node_id: str,
        world: World,
        clock: Callable[[], float],
        *,
        seed: int = 1,
        lan_prefixes: dict[str, str] | None = None,
        clients: int = 0,
    ) -> None:
        self.node_id = node_id
        self.world = world
        self.clock = clock
        self.lan_prefixes = lan_prefixes or {}
        self.rebooted = 0
        self._rng = random.Random(f"{seed}:{node_id}")
        self._clients = clients
        self._links: list[LinkSpec] = world.links_of(node_id)
        self._ifaces: dict[str, _Iface] = {}
        self._boot_t = -self._rng.uniform(3600, 40 * 86400)  # up for hours to weeks
        self._last_t = self._boot_t  # counters count from the boot
        self._lock = threading.Lock()

    def boot(self) -> None:
        """Power is back: a fresh boot, counters and uptime from zero."""
        with self._lock:
            t = self.clock()
            self.rebooted += 1
            self._boot_t = t - self._rng.uniform(20, 40)
            self._last_t = self._boot_t
            self._ifaces.clear()

    def sample(self) -> SimulatedState:
        """The node's view at the world's current time."""
        with self._lock:
            t = self.clock()
            if not self.world.online(self.node_id, t):
                raise CollectorError(f"{self.node_id} is switched off in the simulation")
            dt = max(0.0, t - self._last_t)
            self._last_t = t
            links: list[ReportLink] = []
            routes: list[ReportRoute] = []
            for lk in self._links:
                seen = self.world.observe(lk.id, self.node_id, t)
                if seen is None:
                    continue
                other = lk.b if lk.a == self.node_id else lk.a
                iface = lk.interface(self.node_id)
                address = link_local(other, lk.interface(other))
                self._count(iface, seen.rate_mbps, seen.loss, dt)
                link = ReportLink(
                    neighbour=other,
                    address=address,
                    interface=iface,
                    rx_cost=seen.rx_cost,
                    tx_cost=seen.tx_cost,
                    cost=seen.cost,
                    rate_mbps=seen.rate_mbps,
                    rtt_ms=seen.rtt_ms,
                    loss=seen.loss,
                )
                if seen.signal_dbm is not None:
                    link["signal_dbm"] = seen.signal_dbm
                if seen.noise_dbm is not None:
                    link["noise_dbm"] = seen.noise_dbm
                links.append(link)
                if other in self.lan_prefixes:
                    routes.append(
                        ReportRoute(
                            destination=self.lan_prefixes[other],
                            next=address,
                            cost=seen.cost,
                            device=iface,
                        )
                    )
            interfaces = [
                ReportInterface(
                    name=name,
                    rx_bytes=c.rx_bytes,
                    tx_bytes=c.tx_bytes,
                    rx_errors=c.rx_errors,
                    tx_errors=c.tx_errors,
                    oper_up=True,
                    speed_mbps=1000 if name.startswith("eth") else 300,
                )
                for name, c in sorted(self._ifaces.items())
            ]
            return SimulatedState(
                links=links, interfaces=interfaces, system=self._system(t), routes=routes
            )

    def _count(self, iface: str, rate_mbps: float, loss: float, dt: float) -> None:
        c = self._ifaces.setdefault(iface, _Iface())
        use = self._rng.uniform(0.005, 0.05)  # share of the link rate in use
        moved = int(rate_mbps * 1e6 / 8 * use * dt)
        c.rx_bytes += moved
        c.tx_bytes += int(moved * self._rng.uniform(0.2, 0.6))
        if loss > 0.1 and self._rng.random() < loss:
            c.rx_errors += self._rng.randint(1, 20)

    def _system(self, t: float) -> ReportSystem:
        rng = self._rng
        if self._clients:
            self._clients = max(0, min(30, self._clients + rng.choice((-1, 0, 0, 1))))
        return ReportSystem(
            uptime_s=int(t - self._boot_t),
            load1=round(rng.uniform(0.02, 0.4) + 0.05 * len(self._links), 2),
            memory_used_pct=round(rng.uniform(28, 55), 1),
            clients=self._clients,
        )


class CountingTransport:
    """A node-agent transport that counts the service's answers in ``stats``."""

    def __init__(self, inner: Transport, stats: AgentStats) -> None:
        self.inner, self.stats = inner, stats

    def post(self, body: bytes) -> str:
        try:
            status = self.inner.post(body)
        except (Unreachable, Rejected) as e:
            self.stats.record("failed", type(e).__name__)
            raise
        self.stats.record(status if status == "duplicate" else "accepted")
        return status

    def close(self) -> None:
        self.inner.close()
