"""One report's samples for the history: per link seen, and per node. Pure values.

The fields of each kind are listed, with how they combine into buckets, in
:data:`LINK_SERIES` and :data:`NODE_SERIES`; the store's columns carry the same names.
A report's link samples are stored packed in its node's row (:func:`pack_links`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic_core import from_json, to_json

from topology.metrics.series import Agg, SeriesSpec

#: Link samples: gauges, averaged. rx/tx costs are from the link's end ``a``.
LINK_SERIES = SeriesSpec(
    ("cost", "rx_cost", "tx_cost", "signal_dbm", "noise_dbm", "rate_mbps", "rtt_ms", "loss"),
    (Agg.AVG,) * 8,
)
#: Node samples: gauges averaged; counters (monotonic until a reboot) by their maximum.
NODE_SERIES = SeriesSpec(
    (
        "uptime_s", "load1", "memory_used_pct", "clients", "rx_bytes", "tx_bytes",
        "rx_errors", "tx_errors", "dropped_reports", "links",
    ),
    (
        Agg.MAX, Agg.AVG, Agg.AVG, Agg.AVG, Agg.MAX, Agg.MAX,
        Agg.MAX, Agg.MAX, Agg.MAX, Agg.AVG,
    ),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class LinkSample:
    link_id: str
    node_id: str  # the reporter
    t_ms: int  # epoch milliseconds
    cost: float | None
    rx_cost: float | None  # from end a's point of view
    tx_cost: float | None
    signal_dbm: float | None
    noise_dbm: float | None
    rate_mbps: float | None
    rtt_ms: float | None
    loss: float | None

    def values(self) -> tuple[float | None, ...]:
        return (
            self.cost, self.rx_cost, self.tx_cost, self.signal_dbm, self.noise_dbm,
            self.rate_mbps, self.rtt_ms, self.loss,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class NodeSample:
    node_id: str
    t_ms: int
    uptime_s: float | None
    load1: float | None
    memory_used_pct: float | None
    clients: float | None
    rx_bytes: float | None  # totals over the reported interfaces
    tx_bytes: float | None
    rx_errors: float | None
    tx_errors: float | None
    dropped_reports: float
    links: float  # links observed

    def values(self) -> tuple[float | None, ...]:
        return (
            self.uptime_s, self.load1, self.memory_used_pct, self.clients, self.rx_bytes,
            self.tx_bytes, self.rx_errors, self.tx_errors, self.dropped_reports, self.links,
        )  # fmt: skip


def pack_links(samples: Sequence[LinkSample]) -> str:
    """The link samples of one report as compact JSON: ``[[link_id, *values], ...]``.

    >>> s = LinkSample("c:l1", "c:a", 0, 1.5, 256.0, None, -60.0, None, 300.0, None, 0.0)
    >>> pack_links([s])
    '[["c:l1",1.5,256.0,null,-60.0,null,300.0,null,0.0]]'
    """
    return to_json([[s.link_id, *s.values()] for s in samples]).decode()


def unpack_links(text: str, node_id: str, t_ms: int) -> list[LinkSample]:
    """The inverse of :func:`pack_links` for a report of ``node_id`` at ``t_ms``."""
    return [LinkSample(row[0], node_id, t_ms, *row[1:]) for row in from_json(text)]
