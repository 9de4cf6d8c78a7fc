"""BMX6 / BMX7: link tables as JSON.

Accepted shapes (pure parser :func:`parse_bmx`):

* a whole-mesh list ``[{"name": N, "links": [{"name", "rxRate", "txRate"}]}]`` (as the
  b6m topology tools and netdiff use);
* one node's ``{"links": [...]}``: bmx6's ``/var/run/bmx6/json/links`` (``globalId``,
  ``llocalIp``, ``viaDev``, ``rxRate``/``txRate`` in percent) or bmx7's ``--jshow links``
  (``name``, ``nbLocalIp``, ``dev``, ``rq``/``tq`` in percent, ``txRate`` in bit/s).

Costs: a rate of 100 % is perfect; per-direction costs are 256 x 100 / rate and the ETX
is (100 / rx) x (100 / tx). A zero rate is unusable (no cost).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from node_agent.collectors._io import source_text
from node_agent.collectors.base import Collector, Cycle, LinkDraft, Part
from node_agent.errors import ParseError
from node_agent.models import BmxLink, BmxNode, BmxState, ReportLink, Topology, TopologyLink

LOCAL = ""  # the node name of a local link table


def _number(link: dict[str, Any], key: str) -> float:
    value = link.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParseError(f"bmx link {key} {value!r} is not a number")
    return float(value)


def _link(raw: Any) -> BmxLink:
    if not isinstance(raw, dict):
        raise ParseError("bmx link is not an object")
    name = raw.get("name") or raw.get("globalId")
    if not isinstance(name, str) or not name:
        raise ParseError("bmx link without a name")
    address = raw.get("llocalIp") or raw.get("nbLocalIp")
    if "rq" in raw and "tq" in raw:  # bmx7: qualities in percent
        rx, tx = _number(raw, "rq"), _number(raw, "tq")
    else:
        rx, tx = _number(raw, "rxRate"), _number(raw, "txRate")
    return BmxLink(
        name=name,
        rx_rate=rx,
        tx_rate=tx,
        address=address if isinstance(address, str) else None,
        interface=str(raw.get("viaDev") or raw.get("dev") or ""),
    )


def parse_bmx(text: str | bytes) -> BmxState:
    """Parse a BMX6/BMX7 links document (see the module docstring)."""
    try:
        data: Any = json.loads(text)
    except ValueError as e:
        raise ParseError(f"bmx output is not JSON: {e}") from None
    if isinstance(data, dict) and isinstance(data.get("links"), list):
        return BmxState(nodes=[BmxNode(name=LOCAL, links=[_link(x) for x in data["links"]])])
    if not isinstance(data, list):
        raise ParseError("bmx JSON is neither a node list nor {'links': [...]}")
    nodes = []
    for node in data:
        if not isinstance(node, dict) or "links" not in node or "name" not in node:
            raise ParseError("bmx node entry without 'name' and 'links'")
        if not isinstance(node["links"], list):
            raise ParseError("bmx 'links' is not a list")
        nodes.append(BmxNode(name=str(node["name"]), links=[_link(x) for x in node["links"]]))
    return BmxState(nodes=nodes)


def etx(rx_rate: float, tx_rate: float) -> float | None:
    """ETX-like cost from the two rates in percent; ``None`` when one is zero.

    >>> etx(100, 100), etx(50, 100), etx(0, 100)
    (1.0, 2.0, None)
    """
    if rx_rate <= 0 or tx_rate <= 0:
        return None
    return round(max(100 / rx_rate, 1.0) * max(100 / tx_rate, 1.0), 4)


def topology_of(state: BmxState) -> Topology:
    """Unique node names and undirected links; the better (lower) cost is kept."""
    best: dict[tuple[str, str], float | None] = {}
    names: set[str] = set()
    for node in state["nodes"]:
        if node["name"] == LOCAL:
            continue
        names.add(node["name"])
        for lk in node["links"]:
            a, b = node["name"], lk["name"]
            names.add(b)
            key = (a, b) if a < b else (b, a)
            cost = etx(lk["rx_rate"], lk["tx_rate"])
            costs = [c for c in (best.get(key, cost), cost) if c is not None]
            best[key] = min(costs) if costs else None
    links = [TopologyLink(source=a, target=b, cost=c) for (a, b), c in sorted(best.items())]
    return Topology(nodes=sorted(names), links=links)


def links_of(state: BmxState, own_name: str | None) -> list[LinkDraft]:
    """This node's links: the local table, or the entry named ``own_name`` of a list."""
    out: list[LinkDraft] = []
    for node in state["nodes"]:
        if node["name"] != LOCAL and node["name"] != own_name:
            continue
        for lk in node["links"]:
            link = ReportLink(address=lk["address"] or lk["name"][:64])
            if lk["interface"]:
                link["interface"] = lk["interface"]
            if lk["rx_rate"] > 0:
                link["rx_cost"] = round(256 * 100 / lk["rx_rate"], 2)
            if lk["tx_rate"] > 0:
                link["tx_cost"] = round(256 * 100 / lk["tx_rate"], 2)
            cost = etx(lk["rx_rate"], lk["tx_rate"])
            if cost is not None:
                link["cost"] = cost
            keys = {lk["name"]} | ({lk["address"]} if lk["address"] else set())
            out.append(LinkDraft(link=link, keys=keys))
    return out


class BmxCollector(Collector[BmxState]):
    """Settings: ``file`` (default ``/var/run/bmx6/json/links``) or ``command`` (e.g.
    ``bmx7 -c --jshow links``); ``name``: this node's name in a whole-mesh list."""

    name: ClassVar[str] = "bmx"

    def collect(self, cycle: Cycle) -> BmxState:
        settings = dict(self.settings)
        if not settings.get("command") and not settings.get("file"):
            settings["file"] = "/var/run/bmx6/json/links"
        return parse_bmx(source_text(settings, self.name, None))

    def part(self, state: BmxState) -> Part:
        own = self.settings.get("name")
        return Part(links=links_of(state, str(own) if own else None))
