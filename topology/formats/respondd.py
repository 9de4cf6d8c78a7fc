"""Freifunk/Gluon respondd answers: nodeinfo, statistics and neighbours.

Accepted shapes (several files may be merged, one per node, as a collector gathers
them): one answer ``{"nodeinfo": ..., "statistics": ..., "neighbours": ...}``; a bare
nodeinfo (``node_id`` with ``network`` or ``software``) or bare statistics; a yanic
``nodes.json`` (``{"nodes": {id: {"nodeinfo": ...}}}``); and the raw-deflate packet
(no zlib header) that respondd sends over UDP, of any of these.

Links come from ``neighbours.batadv``: ``{local mesh MAC: {"neighbours": {remote MAC:
{"tq": 0..255}}}}``, the remote MAC resolved to its node through the nodeinfo's mesh
interfaces; and from ``neighbours.lldp`` (wired neighbours, no quality). A neighbour
no nodeinfo names is tallied in ``counts["unknown_neighbours"]``, not guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from topology.formats.base import Parser
from topology.formats.errors import FormatError
from topology.formats.parsed import ParsedLink, ParsedNetwork, ParsedNode
from topology.formats.source import inflate, load_json, obj
from topology.model import LinkType

#: Per-node statistics kept as node properties (for DeviceMonitoring and /metrics).
STATISTICS = ("clients", "uptime", "loadavg", "memory", "rootfs_usage", "traffic")


def _answers(doc: Any, source: str) -> list[dict[str, Any]]:
    """Every per-node answer in a document, normalised to ``{"nodeinfo": ..., ...}``."""
    if not isinstance(doc, dict):
        raise FormatError(source, "not a respondd answer (expected a JSON object)")
    if isinstance(doc.get("nodes"), dict):
        return [a for a in doc["nodes"].values() if isinstance(a, dict)]
    if {"nodeinfo", "statistics", "neighbours"} & doc.keys():
        return [doc]
    if "node_id" in doc and ({"network", "software", "hostname"} & doc.keys()):
        return [{"nodeinfo": doc}]
    if "node_id" in doc and ({"clients", "traffic", "uptime"} & doc.keys()):
        return [{"statistics": doc}]
    raise FormatError(source, "not a respondd answer: no nodeinfo, statistics or neighbours")


def _mesh_macs(nodeinfo: dict[str, Any]) -> list[str]:
    network = obj(nodeinfo, "network")
    macs: list[str] = []
    mesh = obj(network, "mesh")
    for bat in mesh.values():
        ifaces = bat.get("interfaces") if isinstance(bat, dict) else None
        for group in (ifaces or {}).values():
            macs.extend(m for m in group if isinstance(m, str))
    return macs


class RespondParser(Parser):
    name = "respondd"
    description = "Freifunk respondd nodeinfo/statistics/neighbours (JSON or raw-deflate)"

    def parse(self, data: bytes, source: str = "<input>") -> ParsedNetwork:
        return self.parse_many([(data, source)])

    def parse_many(self, items: Iterable[tuple[bytes, str]]) -> ParsedNetwork:
        answers: list[tuple[dict[str, Any], str]] = []
        first = ""
        for data, source in items:
            first = first or source
            if data[:1] not in (b"{", b"[", b" ", b"\n", b"\r", b"\t"):
                data = inflate(data, source)
            answers.extend((a, source) for a in _answers(load_json(data, source), source))
        net = ParsedNetwork("respondd", first, metric="tq")
        owner: dict[str, str] = {}
        for answer, source in answers:
            self._node(net, answer, source, owner)
        unknown = 0
        pairs: dict[tuple[str, str, str], ParsedLink] = {}
        for answer, source in answers:
            unknown += self._neighbours(net, answer, source, owner, pairs)
        net.links = list(pairs.values())
        net.counts = {"answers": len(answers), "unknown_neighbours": unknown}
        return net

    @staticmethod
    def _node_id(answer: dict[str, Any], source: str) -> str:
        for part in ("nodeinfo", "statistics", "neighbours"):
            sub = answer.get(part)
            if isinstance(sub, dict) and isinstance(sub.get("node_id"), str):
                return str(sub["node_id"])
        raise FormatError(source, "answer without a node_id")

    def _node(
        self, net: ParsedNetwork, answer: dict[str, Any], source: str, owner: dict[str, str]
    ) -> None:
        nid = self._node_id(answer, source)
        node = net.nodes.get(nid) or ParsedNode(nid, nid, properties={})
        props: dict[str, Any] = dict(node.properties)
        info = obj(answer, "nodeinfo")
        if info:
            node.name = str(info.get("hostname") or node.name)
            loc = obj(info, "location")
            if isinstance(loc.get("latitude"), int | float):
                node.lat, node.lon = float(loc["latitude"]), float(loc["longitude"])
            hw = obj(info, "hardware")
            if hw.get("model"):
                props["model"] = hw["model"]
            # owner.contact is personal data: never kept.
            for mac in _mesh_macs(info):
                owner[mac] = nid
            network = obj(info, "network")
            if isinstance(network.get("mac"), str):
                owner.setdefault(network["mac"], nid)
        stats = obj(answer, "statistics")
        for key in STATISTICS:
            if key in stats:
                props[key] = stats[key]
        if stats.get("gateway"):
            props["gateway_mac"] = stats["gateway"]
        node.properties = props
        net.nodes[nid] = node

    def _neighbours(
        self,
        net: ParsedNetwork,
        answer: dict[str, Any],
        source: str,
        owner: dict[str, str],
        pairs: dict[tuple[str, str, str], ParsedLink],
    ) -> int:
        nid = self._node_id(answer, source)
        nb = obj(answer, "neighbours")
        found: list[tuple[str, str, str, float | None]] = []  # (local, remote mac, kind, tq)
        for local, entry in (nb.get("batadv") or {}).items():
            for remote, q in ((entry or {}).get("neighbours") or {}).items():
                tq = q.get("tq") if isinstance(q, dict) else None
                found.append((local, remote, "batadv", tq if isinstance(tq, int | float) else None))
        for local, remotes in (nb.get("lldp") or {}).items():
            for remote in remotes if isinstance(remotes, list) else []:
                found.append((local, str(remote), "lldp", None))
        unknown = 0
        for local, remote, kind, tq in found:
            other = owner.get(remote)
            if other is None or other == nid:
                unknown += other is None
                continue
            a, b = (nid, other) if nid < other else (other, nid)
            cost = round(255.0 / tq, 4) if tq else None
            key = (a, b, kind)
            old = pairs.get(key)
            if old is None:
                pairs[key] = ParsedLink(
                    a=a,
                    b=b,
                    cost=cost,
                    id=f"{a}-{b}-{kind}",
                    type=LinkType.MESH if kind == "batadv" else LinkType.CABLE,
                    a_interface=local if a == nid else "",
                    b_interface=local if b == nid else "",
                )
            elif cost is not None and (old.cost is None or cost < old.cost):
                old.cost = cost
        return unknown
