"""The simulated radio world behind the demo's agents: link quality over time.

Each simulated link keeps a *base* (its current measured cost, signal and rate as the
service knows them when the demo starts) and a state that drifts around it: a
mean-reverting random walk (an Ornstein-Uhlenbeck process), so costs wander but stay
plausible. A :class:`Scenario` adds the demo's story on top: one link degrades (cost and
loss rise, signal and rate fall over ``degrade_s``), one node goes offline (power cut:
it stops reporting, its neighbours stop hearing it) and comes back.

Nothing here does I/O or reads the clock: callers pass ``t``, seconds since the
start, so the story is reproducible for a seed.
"""

from __future__ import annotations

import math
import random
import threading
from dataclasses import dataclass

#: Typical ETX of a link whose cost was never measured, by type (perfect wire = 1).
TYPICAL_COST: dict[str, float] = {"cable": 1.0, "wds": 1.1, "ap/client": 1.2, "mesh": 1.3}
TYPICAL_SIGNAL_DBM = -62.0
TYPICAL_RATE_MBPS: dict[str, float] = {"cable": 1000.0, "wds": 300.0, "ap/client": 150.0}
NOISE_DBM = -95.0
#: How a fully degraded link ends up: cost x10, signal -28 dB, rate /10, loss up to 70 %.
DEGRADED_COST_FACTOR = 10.0
DEGRADED_SIGNAL_DROP_DB = 28.0
DEGRADED_RATE_FACTOR = 0.1


@dataclass(frozen=True, slots=True)
class LinkSpec:
    """A link as the service knows it when the demo starts (from ``GET /links``)."""

    id: str
    a: str
    b: str
    type: str
    cost: float | None = None
    signal_dbm: float | None = None
    rate_mbps: float | None = None
    a_interface: str = ""
    b_interface: str = ""

    @property
    def wired(self) -> bool:
        return self.type in ("cable", "tunnel")

    def interface(self, node_id: str) -> str:
        """The interface name at ``node_id``'s end (``device/iface`` -> ``iface``)."""
        given = self.a_interface if node_id == self.a else self.b_interface
        if given:
            return given.rpartition("/")[2]
        return {"cable": "eth1", "tunnel": "tun0", "mesh": "mesh0"}.get(self.type, "wlan0")


@dataclass(frozen=True, slots=True)
class Observation:
    """What one end hears of a link at one moment (one entry of a report's ``links``)."""

    cost: float
    rx_cost: int  # babeld's units: 256 per perfect hop
    tx_cost: int
    signal_dbm: float | None
    noise_dbm: float | None
    rate_mbps: float
    rtt_ms: float
    loss: float


@dataclass(frozen=True, slots=True)
class Scenario:
    """The demo's story, in seconds since the start.

    ``degrade_link`` worsens from ``degrade_at`` over ``degrade_s`` and stays bad until
    ``recover_at`` (if set), then heals over ``recover_s``; ``offline_node`` is off from
    ``offline_at`` for ``offline_s``.
    """

    degrade_link: str | None = None
    degrade_at: float = 10.0
    degrade_s: float = 60.0
    offline_node: str | None = None
    offline_at: float = 20.0
    offline_s: float = 30.0
    recover_at: float | None = None  # the degraded link heals from then on (None: never)
    recover_s: float = 30.0

    @classmethod
    def for_duration(
        cls, seconds: float, degrade_link: str | None, offline_node: str | None
    ) -> Scenario:
        """The story squeezed into a run of ``seconds`` (headless runs)."""
        return cls(
            degrade_link=degrade_link,
            degrade_at=0.15 * seconds,
            degrade_s=0.45 * seconds,
            offline_node=offline_node,
            offline_at=0.2 * seconds,
            offline_s=0.45 * seconds,
        )

    def degradation(self, link_id: str, t: float) -> float:
        """0 (healthy) .. 1 (fully degraded) for ``link_id`` at ``t`` (smoothstep)."""
        if link_id != self.degrade_link or t <= self.degrade_at:
            return 0.0
        bad = _smoothstep((t - self.degrade_at) / max(self.degrade_s, 1e-9))
        if self.recover_at is not None and t > self.recover_at:
            bad *= 1.0 - _smoothstep((t - self.recover_at) / max(self.recover_s, 1e-9))
        return bad

    def phase(self, t: float) -> str:
        """Where the degraded link's story is at ``t``, in words."""
        if t <= self.degrade_at:
            return "healthy for now"
        if self.recover_at is not None and t > self.recover_at:
            return "recovering" if t < self.recover_at + self.recover_s else "recovered"
        if t < self.degrade_at + self.degrade_s:
            return f"degrading ({self.degradation(self.degrade_link or '', t):.0%})"
        return "degraded"

    def online(self, node_id: str, t: float) -> bool:
        if node_id != self.offline_node:
            return True
        return not (self.offline_at <= t < self.offline_at + self.offline_s)

    def back_online_at(self) -> float:
        return self.offline_at + self.offline_s


def _smoothstep(x: float) -> float:
    x = min(1.0, max(0.0, x))
    return x * x * (3.0 - 2.0 * x)


@dataclass(slots=True)
class _LinkState:
    spec: LinkSpec
    base_cost: float
    base_signal: float | None
    base_rate: float
    drift: float = 0.0  # relative cost offset, mean-reverting
    signal_drift: float = 0.0  # dB
    last_t: float = 0.0


class World:
    """Every simulated link's state; agents ask it what their node hears.

    Thread-safe: agents on different threads call :meth:`observe` concurrently.
    """

    def __init__(self, links: list[LinkSpec], scenario: Scenario, seed: int = 1) -> None:
        self.scenario = scenario
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._links = {
            lk.id: _LinkState(
                spec=lk,
                base_cost=lk.cost if lk.cost and lk.cost > 0 else TYPICAL_COST.get(lk.type, 1.3),
                base_signal=None
                if lk.wired
                else (lk.signal_dbm if lk.signal_dbm is not None else TYPICAL_SIGNAL_DBM),
                base_rate=lk.rate_mbps or TYPICAL_RATE_MBPS.get(lk.type, 100.0),
            )
            for lk in links
        }

    @property
    def links(self) -> list[LinkSpec]:
        return [s.spec for s in self._links.values()]

    def links_of(self, node_id: str) -> list[LinkSpec]:
        return [s.spec for s in self._links.values() if node_id in (s.spec.a, s.spec.b)]

    def online(self, node_id: str, t: float) -> bool:
        return self.scenario.online(node_id, t)

    def observe(self, link_id: str, at_node: str, t: float) -> Observation | None:
        """What ``at_node`` hears of ``link_id`` at ``t``; ``None`` when the far end is off."""
        with self._lock:
            s = self._links[link_id]
            far = s.spec.b if at_node == s.spec.a else s.spec.a
            if not (self.online(at_node, t) and self.online(far, t)):
                return None
            self._step(s, t)
            return self._observation(s, at_node, t)

    def _step(self, s: _LinkState, t: float) -> None:
        """Advance the random walk to ``t`` (Ornstein-Uhlenbeck, exact discretisation)."""
        dt = max(0.0, t - s.last_t)
        if dt == 0.0:
            return
        s.last_t = t
        keep = math.exp(-dt / 30.0)  # pulls back toward the base over ~30 s
        spread = math.sqrt(1.0 - keep * keep)
        sigma = 0.01 if s.spec.wired else 0.06
        s.drift = keep * s.drift + spread * sigma * self._rng.gauss()
        s.signal_drift = keep * s.signal_drift + spread * 2.0 * self._rng.gauss()

    def _observation(self, s: _LinkState, at_node: str, t: float) -> Observation:
        bad = self.scenario.degradation(s.spec.id, t)
        rng = self._rng
        cost = s.base_cost * (1.0 + abs(s.drift) + 0.005 * rng.gauss())
        cost *= 1.0 + (DEGRADED_COST_FACTOR - 1.0) * bad
        cost = max(1.0, cost)
        # Each direction differs a little; the ETX is their product-like mean.
        skew = 1.0 + 0.03 * rng.uniform(-1, 1)
        rx, tx = cost * skew, cost / skew
        if at_node == s.spec.b:
            rx, tx = tx, rx
        loss = 0.0 if s.spec.wired else min(0.75, max(0.0, 1.0 - 1.0 / math.sqrt(cost)))
        signal = None
        if s.base_signal is not None:
            signal = s.base_signal + s.signal_drift - DEGRADED_SIGNAL_DROP_DB * bad
            signal = round(signal + rng.uniform(-0.5, 0.5))
        rate = s.base_rate * (1.0 - (1.0 - DEGRADED_RATE_FACTOR) * bad)
        rate *= 1.0 if s.spec.wired else 1.0 - 0.05 * abs(rng.gauss())
        return Observation(
            cost=round(cost, 3),
            rx_cost=round(256 * rx),
            tx_cost=round(256 * tx),
            signal_dbm=signal,
            noise_dbm=None if s.spec.wired else NOISE_DBM + round(rng.uniform(-2, 2)),
            rate_mbps=round(rate, 1),
            rtt_ms=round((0.3 if s.spec.wired else 1.2) * cost * (1 + 0.2 * rng.random()), 2),
            loss=round(loss, 3),
        )
