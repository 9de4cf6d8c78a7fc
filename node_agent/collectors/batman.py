"""batman-adv: batadv-vis/alfred JSON (``jsondoc`` and line-per-object ``json``), its text
form (``Table: Topology``) and ``batctl o`` (originators).

Pure parsers: :func:`parse_vis_json`, :func:`parse_vis_text`, :func:`parse_originators`.
batadv-vis prints an ETX-like metric (255/TQ: 1.000 is perfect). I/O runs ``batadv-vis
-f jsondoc`` or ``batctl o`` (or reads a file) and learns this node's MACs from
``/sys/class/net/*/address`` when they are not configured.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, ClassVar

from node_agent.collectors._io import source_text
from node_agent.collectors.base import Collector, Cycle, LinkDraft, Part
from node_agent.errors import ParseError
from node_agent.models import (
    BatmanNeighbour,
    BatmanOriginator,
    BatmanState,
    BatmanVisNode,
    ReportLink,
    Topology,
    TopologyLink,
)

_MAC = r"[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}"
_MAC_RE = re.compile(rf"^{_MAC}$")
_TEXT_ROW = re.compile(rf"^\s*({_MAC})\s+({_MAC})((?:\s+[-+0-9.]+)*)\s*$")
_ORIG_ROW = re.compile(
    rf"^\s*(\*)?\s*({_MAC})\s+([0-9.]+)s\s+\(\s*([0-9.]+)\s*\)\s+({_MAC})\s+\[\s*([^\]]+?)\s*\]"
)
_HEADER_MAC = re.compile(rf"MainIF/MAC:\s*\S+?/({_MAC})")


def _mac(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _MAC_RE.match(value):
        raise ParseError(f"batman {what} {value!r} is not a MAC address")
    return value.lower()


def _metric(value: Any) -> float | None:
    try:
        metric = float(value)
    except (TypeError, ValueError):
        raise ParseError(f"batman metric {value!r} is not a number") from None
    return metric if metric > 0 else None


def _dedup(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _vis_node(entry: Any) -> BatmanVisNode:
    if not isinstance(entry, dict) or "primary" not in entry:
        raise ParseError("batman vis entry without 'primary'")
    neighbours = []
    for n in entry.get("neighbors") or []:
        if not isinstance(n, dict):
            raise ParseError("batman neighbour entry is not an object")
        neighbours.append(
            BatmanNeighbour(
                router=_mac(n.get("router"), "router"),
                neighbour=_mac(n.get("neighbor"), "neighbor"),
                metric=_metric(n.get("metric")),
            )
        )
    return BatmanVisNode(
        primary=_mac(entry["primary"], "primary"),
        secondary=[_mac(s, "secondary") for s in entry.get("secondary") or []],
        neighbours=neighbours,
        clients=_dedup([_mac(c, "client") for c in entry.get("clients") or []]),
    )


def _json_lines(text: str) -> list[dict[str, Any]]:
    """batadv-vis ``-f json``: one object per line (``{ "router" : ..., "neighbor" : ...,
    "label" : "1.000" }``, ``{ "primary" : ... }``, ``{ "secondary" : ..., "of" : ... }``)."""
    nodes: dict[str, dict[str, Any]] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            raise ParseError(f"batadv-vis json line is not JSON: {e}") from None
        if "primary" in obj:
            nodes.setdefault(obj["primary"], {"primary": obj["primary"]})
        elif "secondary" in obj and "of" in obj:
            node = nodes.setdefault(obj["of"], {"primary": obj["of"]})
            node.setdefault("secondary", []).append(obj["secondary"])
        elif "router" in obj and "neighbor" in obj and obj.get("label") != "TT":
            node = nodes.setdefault(obj["router"], {"primary": obj["router"]})
            node.setdefault("neighbors", []).append(
                {"router": obj["router"], "neighbor": obj["neighbor"], "metric": obj["label"]}
            )
        elif "router" in obj and "gateway" in obj:  # a client (translation table entry)
            node = nodes.setdefault(obj["router"], {"primary": obj["router"]})
            node.setdefault("clients", []).append(obj["gateway"])
    return list(nodes.values())


def parse_vis_json(text: str | bytes) -> BatmanState:
    """batadv-vis/alfred JSON: ``{"source_version", "algorithm", "vis": [...]}`` or the
    line-per-object output of ``batadv-vis -f json``. Duplicated entries are merged."""
    try:
        data: Any = json.loads(text)
        entries = data.get("vis") if isinstance(data, dict) else None
        version = data.get("source_version") if isinstance(data, dict) else None
        if entries is None:
            raise ParseError("batman vis JSON has no 'vis' list")
    except ValueError:
        raw = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        if not raw.strip():
            raise ParseError("batman vis output is empty") from None
        entries = _json_lines(raw)
        version = None
    if not isinstance(entries, list):
        raise ParseError("batman 'vis' is not a list")
    merged: dict[str, BatmanVisNode] = {}
    for node in map(_vis_node, entries):
        old = merged.get(node["primary"])
        if old is None:
            merged[node["primary"]] = node
            continue
        old["secondary"] = _dedup(old["secondary"] + node["secondary"])
        old["clients"] = _dedup(old["clients"] + node["clients"])
        seen = {(n["router"], n["neighbour"]) for n in old["neighbours"]}
        old["neighbours"] += [
            n for n in node["neighbours"] if (n["router"], n["neighbour"]) not in seen
        ]
    return BatmanState(
        format="vis-json",
        version=version if isinstance(version, str) else None,
        own=None,
        nodes=list(merged.values()),
        originators=[],
    )


def parse_vis_text(text: str) -> BatmanState:
    """The text topology (``Table: Topology`` then ``MAC1 MAC2 ... cost`` rows; header
    wording varies); the last number of a row is its cost."""
    nodes: dict[str, BatmanVisNode] = {}
    rows = 0
    for line in text.splitlines():
        m = _TEXT_ROW.match(line)
        if m is None:
            continue
        rows += 1
        a, b = m.group(1).lower(), m.group(2).lower()
        numbers = m.group(3).split()
        cost = _metric(numbers[-1]) if numbers else None
        node = nodes.setdefault(
            a, BatmanVisNode(primary=a, secondary=[], neighbours=[], clients=[])
        )
        node["neighbours"].append(BatmanNeighbour(router=a, neighbour=b, metric=cost))
        nodes.setdefault(b, BatmanVisNode(primary=b, secondary=[], neighbours=[], clients=[]))
    if rows == 0 and "Table:" not in text:
        raise ParseError("not a batman topology table (no 'Table:' and no MAC rows)")
    return BatmanState(
        format="vis-text", version=None, own=None, nodes=list(nodes.values()), originators=[]
    )


def parse_originators(text: str) -> BatmanState:
    """``batctl o``: ``[*] ORIG last-seen (TQ or throughput) NEXTHOP [IF]`` rows. Only the
    best route (``*``) of each originator is kept when the table marks them."""
    own = _HEADER_MAC.search(text)
    bat_v = "throughput" in text.lower()
    rows = [m for line in text.splitlines() if (m := _ORIG_ROW.match(line))]
    if not rows and "Originator" not in text:
        raise ParseError("not a 'batctl o' table")
    marked = any(m.group(1) for m in rows)
    originators: list[BatmanOriginator] = []
    for m in rows:
        if marked and not m.group(1):
            continue
        figure = float(m.group(4))
        originators.append(
            BatmanOriginator(
                originator=m.group(2).lower(),
                last_seen_s=float(m.group(3)),
                tq=None if bat_v else int(figure),
                throughput_mbps=figure if bat_v else None,
                next_hop=m.group(5).lower(),
                interface=m.group(6),
            )
        )
    return BatmanState(
        format="batctl",
        version=None,
        own=own.group(1).lower() if own else None,
        nodes=[],
        originators=originators,
    )


def topology_of(state: BatmanState) -> Topology:
    """Nodes are primaries (secondary interfaces folded in); links unique and undirected."""
    primary = {s: n["primary"] for n in state["nodes"] for s in n["secondary"]}
    best: dict[tuple[str, str], float | None] = {}
    for node in state["nodes"]:
        for nb in node["neighbours"]:
            a = primary.get(nb["router"], nb["router"])
            b = primary.get(nb["neighbour"], nb["neighbour"])
            if a == b:
                continue
            key = (a, b) if a < b else (b, a)
            costs = [c for c in (best.get(key, nb["metric"]), nb["metric"]) if c is not None]
            best[key] = min(costs) if costs else None
    nodes = sorted({n["primary"] for n in state["nodes"]} | {x for k in best for x in k})
    links = [TopologyLink(source=a, target=b, cost=c) for (a, b), c in sorted(best.items())]
    return Topology(nodes=nodes, links=links)


def links_of(state: BatmanState, own: set[str]) -> list[LinkDraft]:
    """This node's neighbours (``own``: its MACs; batctl's header MAC is added)."""
    mine = {m.lower() for m in own} | ({state["own"]} if state["own"] else set())
    out: list[LinkDraft] = []
    if state["format"] == "batctl":
        for o in state["originators"]:
            if o["originator"] != o["next_hop"]:
                continue  # not a direct neighbour
            link = ReportLink(address=o["originator"], interface=o["interface"])
            if o["tq"]:
                link["cost"] = round(255 / o["tq"], 4)
            if o["throughput_mbps"]:
                link["rate_mbps"] = o["throughput_mbps"]
            out.append(LinkDraft(link=link, keys={o["originator"]}))
        return out
    by_mac = {m: n for n in state["nodes"] for m in (n["primary"], *n["secondary"])}
    for node in state["nodes"]:
        if not ({node["primary"], *node["secondary"]} & mine):
            continue
        for nb in node["neighbours"]:
            link = ReportLink(address=nb["neighbour"])
            if nb["metric"] is not None:
                link["cost"] = max(nb["metric"], 1.0)
            other = by_mac.get(nb["neighbour"])
            keys = {nb["neighbour"]} | ({other["primary"], *other["secondary"]} if other else set())
            out.append(LinkDraft(link=link, keys=keys))
    return out


def local_macs(root: Path = Path("/sys/class/net")) -> set[str]:
    """The MACs of this machine's interfaces."""
    macs: set[str] = set()
    for path in root.glob("*/address"):
        try:
            mac = path.read_text().strip().lower()
        except OSError:
            continue
        if _MAC_RE.match(mac) and mac != "00:00:00:00:00:00":
            macs.add(mac)
    return macs


class BatmanCollector(Collector[BatmanState]):
    """Settings: ``source`` ``vis`` (default: ``batadv-vis -f jsondoc``) or ``batctl``
    (``batctl o``); ``command`` or ``file`` to override; ``own`` (this node's MACs)."""

    name: ClassVar[str] = "batman"

    def collect(self, cycle: Cycle) -> BatmanState:
        source = str(self.settings.get("source", "vis"))
        if source == "batctl":
            return parse_originators(source_text(self.settings, self.name, "batctl o"))
        text = source_text(self.settings, self.name, "batadv-vis -f jsondoc")
        return parse_vis_text(text) if "Table:" in text else parse_vis_json(text)

    def part(self, state: BatmanState) -> Part:
        own = {str(m) for m in self.settings.get("own", [])} or local_macs()
        return Part(links=links_of(state, own))
