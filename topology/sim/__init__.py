"""Simulated agents for the live demo: a radio world, agents that post real reports.

The agents talk to the real HTTP service through :class:`topology.client.MeshClient`
with their own agent tokens; only their collector is fake, and every report says so
(``collectors: [{"name": "simulated", ...}]``).

* :mod:`topology.sim.world`: link quality over time, the scenario (a degrading link, a
  node that goes offline and comes back);
* :mod:`topology.sim.agent`: one agent (reports with growing ``seq`` and counters);
* :mod:`topology.sim.story`: picks the route, link and node the demo is about;
* :mod:`topology.sim.fleet`: enrols one agent per Working node and runs them;
* :mod:`topology.sim.service`: runs the service on loopback in a background thread.
"""

from topology.sim.agent import COLLECTOR, AgentStats, SimAgent
from topology.sim.fleet import Fleet, FleetOptions
from topology.sim.world import LinkSpec, Observation, Scenario, World

__all__ = [
    "COLLECTOR",
    "AgentStats",
    "Fleet",
    "FleetOptions",
    "LinkSpec",
    "Observation",
    "Scenario",
    "SimAgent",
    "World",
]
