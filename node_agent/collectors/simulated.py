"""A simulated source instead of a router: for demos and trials, never for production.

Every report it contributes to says so (its entry in ``collectors`` is named
``simulated``), so nobody mistakes its links for measurements.

Two ways to feed it:

* from the config, ``collectors: {simulated: {links: [...]}}``: fixed neighbours with
  fixed costs, to try a service without a router (see docs/agent.md);
* from code, ``SimulatedCollector({}, source=...)`` with any :class:`SimulatedSource`:
  ``meshctl demo`` runs the real :class:`~node_agent.loop.Agent` of every node with a
  source that reads its simulated radio world (:mod:`topology.sim.agent`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, TypedDict

from node_agent.collectors.base import Collector, Cycle, LinkDraft, Part, etx_from_costs
from node_agent.errors import CollectorError
from node_agent.models import ReportInterface, ReportLink, ReportRoute, ReportSystem


class SimulatedState(TypedDict):
    """What the node "sees", already in the report's shapes."""

    links: list[ReportLink]
    interfaces: list[ReportInterface]
    system: ReportSystem
    routes: list[ReportRoute]


class SimulatedSource(Protocol):
    def sample(self) -> SimulatedState:
        """The node's view now; raise :class:`CollectorError` if there is none."""


class StaticSource:
    """Fixed neighbours from the config: ``{neighbour, address, interface, cost}``."""

    def __init__(self, links: list[Mapping[str, Any]]) -> None:
        self.links = [dict(lk) for lk in links]

    def sample(self) -> SimulatedState:
        out: list[ReportLink] = []
        for lk in self.links:
            link = ReportLink(interface=str(lk.get("interface", "wlan0")))
            for key in ("neighbour", "address"):
                if key in lk:
                    link[key] = str(lk[key])
            cost = float(lk.get("cost", 1.0))
            link["cost"] = cost
            link["rx_cost"] = link["tx_cost"] = round(256 * cost**0.5)
            out.append(link)
        return SimulatedState(links=out, interfaces=[], system=ReportSystem(), routes=[])


class SimulatedCollector(Collector[SimulatedState]):
    name = "simulated"

    def __init__(self, settings: Mapping[str, Any], source: SimulatedSource | None = None) -> None:
        super().__init__(settings)
        self.source: SimulatedSource = source or StaticSource(list(settings.get("links", [])))

    def collect(self, cycle: Cycle) -> SimulatedState:
        try:
            return self.source.sample()
        except CollectorError:
            raise
        except (ValueError, KeyError, TypeError) as e:
            raise CollectorError(f"simulated source failed: {e}") from e

    def part(self, state: SimulatedState) -> Part:
        drafts: list[LinkDraft] = []
        for link in state["links"]:
            link = ReportLink(**link)
            if "cost" not in link:
                cost = etx_from_costs(link.get("rx_cost"), link.get("tx_cost"))
                if cost is not None:
                    link["cost"] = cost
            keys = {link.get("address", ""), link.get("neighbour", "")} - {""}
            drafts.append(LinkDraft(link=link, keys=keys))
        return Part(
            links=drafts,
            interfaces=list(state["interfaces"]),
            routes=list(state["routes"]),
            system=ReportSystem(**state["system"]),
        )
