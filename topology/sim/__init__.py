"""The live demo's simulation: a radio world, and real node agents that report it.

Every demo node runs the real ``node-agent`` (:mod:`node_agent.loop`) with its own agent
token over HTTP; only its collector is simulated, and every report says so
(``collectors: [{"name": "simulated", ...}]``).

* :mod:`topology.sim.world`: link quality over time, the scenario (a degrading link, a
  node that goes offline and comes back);
* :mod:`topology.sim.agent`: the simulated source of one node, and answer counting;
* :mod:`topology.sim.story`: picks the route, link and node the demo is about;
* :mod:`topology.sim.fleet`: enrols one node-agent per Working node and runs them;
* :mod:`topology.sim.service`: runs the service on loopback in a background thread.
"""

from topology.sim.agent import AgentStats, CountingTransport, WorldSource
from topology.sim.fleet import Fleet, FleetOptions, NodeAgent
from topology.sim.world import LinkSpec, Observation, Scenario, World

__all__ = [
    "AgentStats",
    "CountingTransport",
    "Fleet",
    "FleetOptions",
    "LinkSpec",
    "NodeAgent",
    "Observation",
    "Scenario",
    "World",
    "WorldSource",
]
