"""A fleet of simulated agents: one per Working node, each with its own agent token.

:meth:`Fleet.enrol` asks the service (as admin) for the Working nodes and links, picks
the demo's cast (:mod:`topology.sim.story`), creates one ``agent`` token per node through
``POST /api/v1/tokens`` and builds a :class:`SimAgent` per node, each with its own
:class:`MeshClient`. :meth:`start` runs them on threads; :meth:`stop` joins them.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from topology.client import ClientError, MeshClient
from topology.sim.agent import AgentStats, SimAgent
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
        agents: list[SimAgent],
        clock: SimClock,
        names: dict[str, str],
    ) -> None:
        self.base_url = base_url
        self.world = world
        self.cast = cast
        self.agents = agents
        self.clock = clock
        self.names = names
        self.stats = agents[0].stats if agents else AgentStats()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def scenario(self) -> Scenario:
        return self.world.scenario

    @classmethod
    def enrol(cls, base_url: str, admin: MeshClient, options: FleetOptions) -> Fleet:
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
        agents: list[SimAgent] = []
        roles = {n["id"]: n.get("role") for n in nodes}
        for i, node_id in enumerate(sorted(working)):
            label = f"sim-{node_id.partition(':')[2]}"[:64]
            created = admin.create_token(
                "agent", label, node=node_id, note="meshctl demo: simulated agent", replace=True
            )
            client = MeshClient(base_url, created["token"], timeout=options.timeout)
            agents.append(
                SimAgent(
                    node_id,
                    client,
                    world,
                    stats,
                    clock,
                    interval=options.interval,
                    seed=options.seed,
                    gzip=i % 2 == 1,  # half of them compress, as agents on slow links do
                    lan_prefixes=lans,
                    clients=0 if roles.get(node_id) == "supernode" else 3,
                    last_seq=last_seq(admin, node_id),
                )
            )
        return cls(base_url, world, cast, agents, clock, names)

    def start(self) -> None:
        self.clock.start()
        self._threads = [agent.start(self._stop) for agent in self.agents]

    def stop(self, timeout: float = 5.0) -> None:
        """Stop every agent (each finishes the report it is sending) and close clients."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        for agent in self.agents:
            agent.client.close()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def rebooted(self) -> list[str]:
        """Nodes whose agent came back after the power cut."""
        return [a.node_id for a in self.agents if a.rebooted]
