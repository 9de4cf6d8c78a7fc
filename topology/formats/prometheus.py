"""Prometheus text exposition (format 0.0.4) of the live network and of ingestion.

Gauges: nodes by status, links by type and status, gateways, and per routed link its
cost (and signal when measured). Counters: reports and batches the ingestion writer has
committed, and its busy time. Label values are escaped as the format requires.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from topology.graph import LiveGraph
from topology.model import Community

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(labels: Mapping[str, str]) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items()) + "}"


def _family(
    out: list[str], name: str, kind: str, help_text: str,
    samples: Iterable[tuple[Mapping[str, str], float]],
) -> None:
    out.append(f"# HELP {name} {help_text}")
    out.append(f"# TYPE {name} {kind}")
    for labels, value in samples:
        out.append(f"{name}{_labels(labels)} {value:g}" if isinstance(value, float)
                   else f"{name}{_labels(labels)} {value}")


def exposition(
    graph: LiveGraph,
    community: Community | None,
    ingest: Mapping[str, float] | None = None,
) -> str:
    """The ``/metrics`` body (see the module docstring)."""
    out: list[str] = []
    if community is not None:
        _family(out, "meshcommons_info", "gauge", "The community this service holds.",
                [({"community": community.slug, "licence": community.licence}, 1)])
    nodes = Counter(str(n.status) for n in graph.nodes.values())
    _family(out, "meshcommons_nodes", "gauge", "Nodes held, by status.",
            [({"status": s}, c) for s, c in sorted(nodes.items())])
    links = Counter((str(lk.type), str(lk.status)) for lk in graph.links.values())
    _family(out, "meshcommons_links", "gauge", "Links held, by type and status.",
            [({"type": t, "status": s}, c) for (t, s), c in sorted(links.items())])
    gateways = sum(1 for n in graph.nodes.values() if n.gateway)
    _family(out, "meshcommons_gateways", "gauge", "Nodes offering an Internet exit.",
            [({}, gateways)])
    routed = list(graph.routed_pairs())
    _family(out, "meshcommons_link_cost", "gauge", "ETX-like cost of each routed link.",
            [({"link": lk.id, "a": u, "b": v}, float(cost)) for u, v, lk, cost in routed])
    signal = [
        ({"link": lk.id}, float(lk.metrics.signal_dbm))
        for _, _, lk, _ in routed
        if lk.metrics.signal_dbm is not None
    ]
    _family(out, "meshcommons_link_signal_dbm", "gauge", "Last measured signal of a link.",
            signal)
    if ingest is not None:
        for key, help_text in (
            ("reports", "Agent reports committed by the ingestion writer."),
            ("batches", "Ingestion batches committed."),
        ):
            _family(out, f"meshcommons_ingest_{key}_total", "counter", help_text,
                    [({}, int(ingest.get(key, 0)))])
        _family(out, "meshcommons_ingest_busy_seconds_total", "counter",
                "Time the ingestion writer spent writing.",
                [({}, float(ingest.get("busy_s", 0.0)))])
    return "\n".join(out) + "\n"
