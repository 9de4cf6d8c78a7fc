"""Build the report of ``POST /api/v1/nodes/{node}/reports`` (docs/api.md) from the
collectors' parts, and encode it (compact JSON, gzip). Pure: no clock, no I/O.

Assembly:

* **links**: every routing collector's links, in collector order;
* **MACs**: addresses the probes resolved (ARP) join the keys of the links they name;
* **enrichment**: probes (RTT, loss) and SNMP (signal, noise, rate) fill the fields a
  link lacks, matched through its keys (addresses, MACs, router id, daemon name) or an
  ``iface:<name>`` key for every link on that interface;
* **neighbour ids**: a configured map from any key to a node id sets ``neighbour``;
* **limits**: the service's limits (512 links, 256 interfaces, 20,000 routes, 64
  characters in names) are applied here, so a report is never refused for its size.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from node_agent.collectors.base import LinkDraft, Part
from node_agent.models import (
    CollectorStatus,
    ReportBody,
    ReportInterface,
    ReportLink,
    ReportRoute,
    ReportSystem,
)

MAX_LINKS = 512
MAX_INTERFACES = 256
MAX_ROUTES = 20_000
MAX_NAME = 64
MAX_ERROR = 2000


def _clean(text: str, limit: int) -> str:
    """Printable (no control characters), valid Unicode, at most ``limit`` characters."""
    out = "".join(ch for ch in text if ch >= " " and ch != "\x7f")
    return out.encode("utf-8", "replace").decode("utf-8")[:limit]


def _finite(link: ReportLink) -> ReportLink:
    out = ReportLink()
    for key, value in link.items():
        if isinstance(value, float) and not math.isfinite(value):
            continue
        out[key] = value  # type: ignore[literal-required]
    return out


def assemble_links(
    parts: Sequence[Part], neighbour_map: Mapping[str, str] | None = None
) -> list[ReportLink]:
    """The report's links from every part: see the module docstring."""
    drafts: list[LinkDraft] = [d for p in parts for d in p.links]
    macs: dict[str, str] = {}
    enrich: dict[str, ReportLink] = {}
    for p in parts:
        macs.update(p.macs)
        for key, extra in p.enrich.items():
            enrich.setdefault(key.lower(), ReportLink()).update(extra)
    names = {k.lower(): v for k, v in (neighbour_map or {}).items()}
    out: list[ReportLink] = []
    for d in drafts:
        keys = {k.lower() for k in d.keys}
        keys.add(d.link.get("address", "").lower())
        keys |= {macs[k].lower() for k in list(keys) if k in macs}
        link = ReportLink(**d.link)
        matched = [enrich[k] for k in sorted(keys) if k in enrich]
        iface = link.get("interface")
        if iface and f"iface:{iface}".lower() in enrich:
            matched.append(enrich[f"iface:{iface}".lower()])
        for extra in matched:
            for key, value in extra.items():
                link.setdefault(key, value)  # type: ignore[misc]
        node = next((names[k] for k in sorted(keys) if k in names), None)
        if node is not None:
            link["neighbour"] = node
        if "address" in link:
            link["address"] = _clean(link["address"], MAX_NAME)
            if not link["address"]:
                del link["address"]
        if "interface" in link:
            link["interface"] = _clean(link["interface"], 256)
        if "neighbour" not in link and "address" not in link:
            continue
        out.append(_finite(link))
    return out[:MAX_LINKS]


def assemble_system(parts: Sequence[Part]) -> ReportSystem | None:
    """The first value of each figure, in collector order (the machine before SNMP)."""
    system = ReportSystem()
    for p in parts:
        for key, value in p.system.items():
            if isinstance(value, float) and not math.isfinite(value):
                continue
            system.setdefault(key, value)  # type: ignore[misc]
    return system or None


def assemble_interfaces(parts: Sequence[Part]) -> list[ReportInterface]:
    seen: set[str] = set()
    out: list[ReportInterface] = []
    for p in parts:
        for itf in p.interfaces:
            name = _clean(itf.get("name", ""), MAX_NAME)
            if not name or name in seen:
                continue
            seen.add(name)
            out.append(ReportInterface(**{**itf, "name": name}))
    return out[:MAX_INTERFACES]


def assemble_routes(parts: Sequence[Part], limit: int = MAX_ROUTES) -> list[ReportRoute]:
    out: list[ReportRoute] = []
    for p in parts:
        for r in p.routes:
            cost = r["cost"]
            out.append(
                ReportRoute(
                    destination=_clean(r["destination"], MAX_NAME),
                    next=_clean(r["next"], 256),
                    cost=cost if cost is not None and math.isfinite(cost) else None,
                    device=_clean(r["device"], 256),
                )
            )
    return out[: min(limit, MAX_ROUTES)]


def iso_time(t: datetime) -> str:
    """``2026-11-27T14:00:00Z`` (UTC, whole seconds are enough for a report)."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_report(
    *,
    seq: int,
    time: datetime,
    interval_s: int,
    parts: Sequence[Part],
    statuses: Sequence[CollectorStatus],
    dropped_reports: int = 0,
    neighbour_map: Mapping[str, str] | None = None,
    routes: bool = True,
    max_routes: int = MAX_ROUTES,
) -> ReportBody:
    """The whole report body. ``routes=False`` leaves routes out (the key is absent)."""
    body = ReportBody(
        seq=seq,
        time=iso_time(time),
        interval_s=interval_s,
        links=assemble_links(parts, neighbour_map),
        interfaces=assemble_interfaces(parts),
        dropped_reports=dropped_reports,
        collectors=[
            CollectorStatus(
                name=_clean(s["name"], MAX_NAME), ok=s["ok"], error=_clean(s["error"], MAX_ERROR)
            )
            for s in statuses
        ],
    )
    system = assemble_system(parts)
    if system is not None:
        body["system"] = system
    if routes:
        body["routes"] = assemble_routes(parts, max_routes)
    return body


def encode(body: ReportBody, level: int = 6) -> bytes:
    """Compact JSON, gzipped (``mtime=0``: the same report gives the same bytes)."""
    raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return gzip.compress(raw, compresslevel=level, mtime=0)


def decode(data: bytes) -> ReportBody:
    """The body of an encoded report (for the spool's bookkeeping and for tests)."""
    body: ReportBody = json.loads(gzip.decompress(data))
    return body
