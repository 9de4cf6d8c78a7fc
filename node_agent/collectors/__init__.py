"""The collectors, by config name. Modules are imported only for enabled collectors, and
their libraries (pysnmp, scapy) only when they first collect.

``ORDER`` is the order of a cycle: the simulated source (demos only) and the routing
daemons first (they find the neighbours), then the machine and SNMP, then probes (which
ping the neighbours found).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from node_agent.collectors.base import Collector, Cycle, LinkDraft, Part

REGISTRY: dict[str, tuple[str, str]] = {
    "simulated": ("node_agent.collectors.simulated", "SimulatedCollector"),
    "babeld": ("node_agent.collectors.babeld", "BabeldCollector"),
    "olsrd": ("node_agent.collectors.olsrd", "OlsrdCollector"),
    "batman": ("node_agent.collectors.batman", "BatmanCollector"),
    "bmx": ("node_agent.collectors.bmx", "BmxCollector"),
    "system": ("node_agent.collectors.system", "SystemCollector"),
    "snmp": ("node_agent.collectors.snmp", "SnmpCollector"),
    "probes": ("node_agent.collectors.probes", "ProbesCollector"),
}
ORDER = tuple(REGISTRY)


def create(kind: str, settings: Mapping[str, Any], name: str | None = None) -> Collector[Any]:
    """A collector of ``kind`` (a key of :data:`REGISTRY`); ``name`` overrides its
    reported name (``snmp:10.0.0.2`` when several SNMP devices are polled)."""
    module_name, class_name = REGISTRY[kind]
    cls = getattr(importlib.import_module(module_name), class_name)
    collector: Collector[Any] = cls(dict(settings))
    if name is not None:
        collector.label = name
    return collector


__all__ = ["ORDER", "REGISTRY", "Collector", "Cycle", "LinkDraft", "Part", "create"]
