"""The demo's fleet: one real ``node-agent`` per Working node, on a simulated source.

:meth:`Fleet.enrol` asks the service (as admin) for the Working nodes and links, picks
the demo's cast (:mod:`topology.sim.story`) and, per node, creates an ``agent`` token
(``POST /api/v1/tokens``) and an agent folder under ``<data dir>/agents/<node>/``: the
token file (mode 600), ``agent.yaml`` (``collectors: {simulated: {}}``, loaded by
node-agent's own config loader, so ``node-agent check --config`` reads it too) and the
agent's state (``seq``, spool). :meth:`start` runs each agent's own loop
(:meth:`node_agent.loop.Agent.run`) on a thread; the scenario's power cut stops that
node's agent and starts a new one when power is back, as a reboot would.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from node_agent.collectors.simulated import SimulatedCollector
from node_agent.config import load_config
from node_agent.loop import Agent
from node_agent.spool import State
from node_agent.transport import HttpTransport
from topology.client import ClientError, MeshClient
from topology.sim.agent import AgentStats, CountingTransport, WorldSource
from topology.sim.story import WORKING, Cast, pick_cast, working_links
from topology.sim.world import Scenario, World


def last_seq(api: MeshClient, node_id: str) -> int:
    """The last ``seq`` the service accepted from ``node_id`` (0 if none)."""
    try:
        last = api.node_metrics(node_id).get("last_report")
    except ClientError:
        return 0
    seq = last.get("seq") if last else None
    return seq if isinstance(seq, int) else 0


class SimClock:
    """Seconds since :meth:`start` (0 before it): the simulated world's time."""

    def __init__(self) -> None:
        self._t0: float | None = None

    def start(self) -> None:
        self._t0 = time.monotonic()

    def __call__(self) -> float:
        return 0.0 if self._t0 is None else time.monotonic() - self._t0


AGENT_CONFIG = """\
# node-agent for {node} in meshctl demo: a SIMULATED source, not a router.
service: {url}
node: {node}
token_file: {token_file}
interval: {interval}
jitter: 0.2
state_dir: {state_dir}
timeout: {timeout}
backoff: {{initial: 1, max: 5}}
collectors:
  system: false       # the demo host's own uptime and load would mislead
  simulated: {{}}      # links, counters and uptime from the demo's simulated world
"""


def write_agent_folder(
    folder: Path, url: str, node: str, token: str, options: FleetOptions
) -> Path:
    """The agent folder of ``node``; returns its ``agent.yaml``."""
    folder.mkdir(parents=True, exist_ok=True)
    token_file = folder / "token"
    fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    config = folder / "agent.yaml"
    config.write_text(
        AGENT_CONFIG.format(
            node=node,
            url=url,
            token_file=token_file,
            interval=max(1, round(options.interval)),
            state_dir=folder / "state",
            timeout=options.timeout,
        )
    )
    return config


class NodeAgent:
    """One node's ``node-agent`` (its loop on a thread), switched off and on with the
    node's power in the simulated world."""

    def __init__(self, config_path: Path, source: WorldSource, stats: AgentStats) -> None:
        self.config = load_config(config_path)
        self.node_id = self.config.node
        self.source, self.stats = source, stats
        self.agent: Agent | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def rebooted(self) -> int:
        return self.source.rebooted

    def power_on(self) -> None:
        cfg = self.config
        http = HttpTransport(cfg.service, cfg.node, cfg.read_token(), cfg.timeout, "node-agent")
        self.agent = Agent(
            cfg,
            CountingTransport(http, self.stats),
            collectors=[SimulatedCollector({}, source=self.source)],
        )
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self.agent.run, args=(self._stop,), name=f"node-agent {self.node_id}",
            daemon=True,
        )  # fmt: skip
        self._thread.start()

    def power_off(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self.agent is not None:
            self.agent.close()
        self.agent = self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None


@dataclass(frozen=True, slots=True)
class FleetOptions:
    interval: float = 2.0  # seconds between one agent's reports (jittered +-20 %)
    seed: int = 1
    seconds: float | None = None  # a bounded run squeezes the story into it
    timeout: float = 10.0


class Fleet:
    def __init__(
        self,
        base_url: str,
        world: World,
        cast: Cast,
        agents: list[NodeAgent],
        clock: SimClock,
        names: dict[str, str],
        stats: AgentStats,
    ) -> None:
        self.base_url = base_url
        self.world = world
        self.cast = cast
        self.agents = agents
        self.clock = clock
        self.names = names
        self.stats = stats
        self._stop = threading.Event()
        self._power: threading.Thread | None = None

    @property
    def scenario(self) -> Scenario:
        return self.world.scenario

    @classmethod
    def enrol(
        cls, base_url: str, admin: MeshClient, options: FleetOptions, folder: Path
    ) -> Fleet:
        """Tokens, agent folders (under ``folder``) and agents for every Working node."""
        nodes = admin.all_nodes()
        names = {n["id"]: str(n.get("name") or n["id"]) for n in nodes}
        working = {n["id"] for n in nodes if n.get("status") == WORKING}
        links = working_links(admin.all_links(), working)
        cast = pick_cast(admin, nodes, links, options.seed)
        if options.seconds is not None:
            scenario = Scenario.for_duration(options.seconds, cast.degrade_link, cast.offline_node)
        else:
            # Watched live: the link also heals after a while, so its alert clears.
            scenario = Scenario(
                degrade_link=cast.degrade_link, offline_node=cast.offline_node, recover_at=130.0
            )
        world = World(links, scenario, seed=options.seed)
        lans = {
            node_id: a["prefix"]
            for node_id in sorted(working)
            for a in admin.node_addresses(node_id)
            if a.get("purpose") == "lan" and not a.get("released_at")
        }
        clock = SimClock()
        stats = AgentStats()
        agents: list[NodeAgent] = []
        roles = {n["id"]: n.get("role") for n in nodes}
        for node_id in sorted(working):
            local = node_id.partition(":")[2]
            created = admin.create_token(
                "agent", f"sim-{local}"[:64], node=node_id,
                note="meshctl demo: node-agent with a simulated source", replace=True,
            )  # fmt: skip
            config = write_agent_folder(
                folder / local, base_url, node_id, created["token"], options
            )
            # A reused data dir keeps the agent's state; a fresh one learns where the
            # service's numbering stands.
            State(folder / local / "state").skip_past(last_seq(admin, node_id))
            source = WorldSource(
                node_id,
                world,
                clock,
                seed=options.seed,
                lan_prefixes=lans,
                clients=0 if roles.get(node_id) == "supernode" else 3,
            )
            agents.append(NodeAgent(config, source, stats))
        return cls(base_url, world, cast, agents, clock, names, stats)

    def start(self) -> None:
        self.clock.start()
        for a in self.agents:
            a.power_on()
        self._power = threading.Thread(target=self._follow_power, name="demo power", daemon=True)
        self._power.start()

    def _follow_power(self) -> None:
        """Switch each agent off and on with its node's power in the scenario."""
        while not self._stop.wait(0.2):
            t = self.clock()
            for a in self.agents:
                online = self.world.online(a.node_id, t)
                if a.running and not online:
                    a.power_off()
                elif online and not a.running:
                    a.source.boot()
                    a.power_on()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop every agent (each finishes the report it is sending)."""
        self._stop.set()
        if self._power is not None:
            self._power.join(timeout)
        for a in self.agents:
            if a.running:
                a.power_off(timeout)

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def rebooted(self) -> list[str]:
        """Nodes whose agent came back after the power cut."""
        return [a.node_id for a in self.agents if a.rebooted]
