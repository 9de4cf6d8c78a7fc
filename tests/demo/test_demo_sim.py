"""The simulated world and agent: plausible drift, the story, reports the service accepts."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from node_agent.collectors.simulated import SimulatedCollector
from node_agent.config import Config, parse_config
from node_agent.loop import Agent, collect_all
from node_agent.transport import FunctionTransport
from topology.ingest.report import Report
from topology.sim import AgentStats, CountingTransport, LinkSpec, Scenario, World, WorldSource

A, B, C = "c:a", "c:b", "c:c"
LINKS = [
    LinkSpec("c:a--b", A, B, "wds", cost=1.1, signal_dbm=-60, rate_mbps=300),
    LinkSpec("c:b--c", B, C, "cable", cost=1.0, rate_mbps=1000, a_interface="router/eth2"),
]


def world(**story: Any) -> World:
    return World(LINKS, Scenario(**story), seed=3)


def test_costs_drift_but_stay_plausible() -> None:
    w = world()
    costs = [w.observe("c:a--b", A, t * 2.0) for t in range(1, 200)]
    values = [o.cost for o in costs if o is not None]
    assert len(values) == 199 and len(set(values)) > 50  # it moves
    assert min(values) >= 1.0 and max(values) < 2.0  # around 1.1, never absurd
    cable = [w.observe("c:b--c", B, t * 2.0) for t in range(1, 50)]
    assert all(o is not None and o.signal_dbm is None and o.loss == 0 for o in cable)


def test_a_link_degrades_over_its_window_and_stays_bad() -> None:
    w = world(degrade_link="c:a--b", degrade_at=10, degrade_s=60)
    before, mid, after = (w.observe("c:a--b", A, t) for t in (5.0, 40.0, 90.0))
    assert before is not None and mid is not None and after is not None
    assert before.cost < mid.cost < after.cost and after.cost > 8
    assert before.loss < mid.loss < after.loss
    assert before.signal_dbm is not None and after.signal_dbm is not None
    assert after.signal_dbm < before.signal_dbm - 20
    assert after.rate_mbps < before.rate_mbps / 5


def test_an_offline_node_is_not_heard_by_its_neighbours() -> None:
    w = world(offline_node=B, offline_at=10, offline_s=20)
    assert w.observe("c:a--b", A, 5) is not None
    assert w.observe("c:a--b", A, 15) is None and w.observe("c:b--c", C, 15) is None
    assert w.observe("c:a--b", A, 31) is not None
    assert Scenario.for_duration(20, "c:a--b", B).back_online_at() < 20


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_a_degraded_link_can_heal() -> None:
    sc = Scenario(degrade_link="c:a--b", degrade_at=10, degrade_s=20, recover_at=40, recover_s=10)
    assert sc.degradation("c:a--b", 35) == 1.0 and sc.phase(35) == "degraded"
    assert 0 < sc.degradation("c:a--b", 45) < 1 and sc.phase(45) == "recovering"
    assert sc.degradation("c:a--b", 60) == 0.0 and sc.phase(60) == "recovered"
    assert sc.degradation("c:b--c", 35) == 0.0


def config(tmp: Path, node: str) -> Config:
    text = f"""\
service: http://mesh.invalid
node: {node}
token: t0ken
interval: 2
state_dir: {tmp / "state"}
collectors: {{system: false, simulated: {{}}}}
"""
    return parse_config(text)


def test_node_agent_reports_the_world_and_restarts_after_a_power_cut(tmp_path: Path) -> None:
    """The demo's agent is the real node-agent with a WorldSource: its reports validate,
    counters grow, and after the power cut a new agent (a reboot) continues the seq."""
    clock, stats = Clock(), AgentStats()
    bodies: list[dict[str, Any]] = []
    w = world(offline_node=B, offline_at=10, offline_s=10)
    source = WorldSource(B, w, clock)

    def serve(body: bytes) -> str:
        bodies.append(json.loads(gzip.decompress(body)))
        return "accepted"

    def agent() -> Agent:
        transport = CountingTransport(FunctionTransport(serve), stats)
        collectors = [SimulatedCollector({}, source=source)]
        return Agent(config(tmp_path, B), transport, collectors=collectors)

    first = agent()
    for t in (2.0, 4.0, 6.0):
        clock.t = t
        first.run_once()
    first.close()
    clock.t = 22.0  # power is back: a new agent process, a fresh boot
    source.boot()
    second = agent()
    for t in (22.0, 24.0):
        clock.t = t
        second.run_once()
    reports = [Report.model_validate(b) for b in bodies]
    seqs = [r.seq for r in reports]
    assert seqs[:3] == [1, 2, 3] and seqs[3] > 3 and seqs[4] == seqs[3] + 1
    assert stats.accepted == 5 and stats.failed == 0
    assert {lk.neighbour for lk in reports[0].links} == {A, C}
    assert {i.name for i in reports[0].interfaces} == {"eth2", "wlan0"}
    assert [c.name for c in reports[0].collectors] == ["simulated"]
    assert all(c.ok for r in reports for c in r.collectors)
    rx = [sum(i.rx_bytes for i in r.interfaces) for r in reports]
    assert rx[0] < rx[1] < rx[2]  # counters grow ...
    assert rx[3] < rx[2]  # ... restart from zero after the power cut ...
    assert rx[3] < rx[4]  # ... and grow again
    uptime = [r.system.uptime_s if r.system else None for r in reports]
    assert uptime[0] is not None and uptime[0] > 3600
    assert uptime[3] is not None and uptime[3] < 60
    assert source.rebooted == 1


def test_a_switched_off_node_reports_a_failed_collector(tmp_path: Path) -> None:
    clock = Clock()
    w = world(offline_node=B, offline_at=0, offline_s=100)
    collector = SimulatedCollector({}, source=WorldSource(B, w, clock))
    clock.t = 5.0
    collected = collect_all([collector])
    assert collected.statuses == [
        {"name": "simulated", "ok": False, "error": "CollectorError: c:b is switched off in "
         "the simulation"}
    ]  # fmt: skip
