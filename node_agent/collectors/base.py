"""The collector contract and the report fragment every collector contributes.

A collector module holds a **pure parser** (text or JSON in, a typed ``*State`` of
:mod:`node_agent.models` out, unit-tested on captured output) and a thin I/O part. Its
class implements:

* :meth:`Collector.collect`: fetch and parse; raise a :class:`~node_agent.errors.
  CollectorError` on failure (the loop reports it and carries on);
* :meth:`Collector.part`: turn the state into a :class:`Part` of the report (pure).

Libraries (pysnmp, scapy) are imported inside ``collect``, only when the collector is
enabled, so a babeld-only agent never loads them.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from node_agent.models import ReportInterface, ReportLink, ReportRoute, ReportSystem

S = TypeVar("S")


@dataclass
class LinkDraft:
    """A neighbour while the report is being assembled.

    ``keys`` are every name the neighbour is known by (link-local and routed addresses,
    MACs, router id, daemon name): probes and SNMP stations are matched through them.
    """

    link: ReportLink
    keys: set[str] = field(default_factory=set)


@dataclass
class Part:
    """What one collector adds to the report."""

    links: list[LinkDraft] = field(default_factory=list)
    interfaces: list[ReportInterface] = field(default_factory=list)
    routes: list[ReportRoute] = field(default_factory=list)
    system: ReportSystem = field(default_factory=lambda: ReportSystem())
    #: per neighbour key (address or MAC): fields to merge into the matching link
    enrich: dict[str, ReportLink] = field(default_factory=dict)
    #: address -> MAC learnt (ARP), to match SNMP stations to links
    macs: dict[str, str] = field(default_factory=dict)


@dataclass
class Cycle:
    """What a collector may know about the current cycle: the neighbours found so far
    by the collectors that ran before it (probes ping them)."""

    links: list[LinkDraft] = field(default_factory=list)


class Collector(ABC, Generic[S]):
    """Base class: ``name`` is the config key; ``settings`` the validated mapping."""

    name: ClassVar[str]

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = dict(settings)
        self.label: str = self.name  # the name in the report's ``collectors`` list

    @abstractmethod
    def collect(self, cycle: Cycle) -> S:
        """Fetch and parse; raise :class:`~node_agent.errors.CollectorError` on failure."""

    @abstractmethod
    def part(self, state: S) -> Part:
        """The report fragment of ``state`` (pure)."""

    def close(self) -> None:
        """Release long-lived resources (sockets, engines)."""


def finite(value: float | None) -> float | None:
    """``value`` unless it is ``None``, NaN or infinite."""
    if value is None or not math.isfinite(value):
        return None
    return value


def etx_from_costs(rx: float | None, tx: float | None, unit: float = 256.0) -> float | None:
    """ETX-like cost (1.0 = perfect) from per-direction costs in ``unit`` (256 = perfect).

    The same rule as the service's ``derived_cost``: a direction never counts better than
    perfect (babeld's wired 96 counts as 256); 65535 or more is unreachable (``None``).

    >>> etx_from_costs(256, 256), etx_from_costs(96, 96), etx_from_costs(512, 384)
    (1.0, 1.0, 3.0)
    >>> etx_from_costs(65535, 256) is None
    True
    """
    if rx is None and tx is None:
        return None
    r = tx if rx is None else rx
    t = rx if tx is None else tx
    assert r is not None and t is not None
    if r >= 0xFFFF or t >= 0xFFFF:
        return None
    return round(max(r, unit) / unit * (max(t, unit) / unit), 4)
