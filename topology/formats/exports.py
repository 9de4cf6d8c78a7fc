"""Exports to JSON formats: NetJSON (NetworkGraph, NetworkRoutes, DeviceMonitoring),
GeoJSON and Freifunk meshviewer.json. Pure: a model (already made public by the caller,
see :mod:`topology.formats.privacy`) in, plain data out.

Every document carries the community's data licence: a top-level ``licence`` member
(the NetJSON schemas allow extra members), and GeoJSON/meshviewer put it beside their
own metadata.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from topology.graph import LiveGraph
from topology.model import HolderKind, Link, LinkType, NetworkModel, Node, Status
from topology.routing import routing_table, to_netjson_graph
from topology.routing.costs import link_cost

#: meshviewer link types, the other way round from the importer's.
MESHVIEWER_TYPES = {LinkType.MESH: "wifi", LinkType.TUNNEL: "vpn"}


def _licence(model: NetworkModel) -> dict[str, str]:
    c = model.community
    return {"licence": c.licence, "community": c.slug, "name": c.name}


def netjson_graph(model: NetworkModel, graph: LiveGraph | None = None) -> dict[str, Any]:
    """NetJSON NetworkGraph of the routable network, node positions in ``properties``."""
    graph = graph or LiveGraph.from_model(model)
    doc: dict[str, Any] = dict(to_netjson_graph(graph, label=model.community.name))
    where = {n.id: n.position for n in model.nodes}
    for node in doc["nodes"]:
        p = where.get(node["id"])
        if p is not None:
            node["properties"]["location"] = {"lat": p.lat, "lng": p.lon}
    doc["licence"] = model.community.licence
    return doc


def node_prefixes(model: NetworkModel) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for a in model.allocations:
        if a.holder_kind is HolderKind.NODE and a.released_at is None:
            out.setdefault(a.holder_id, []).append(a.prefix)
    return out


def netjson_routes(
    model: NetworkModel, node_id: str, graph: LiveGraph | None = None
) -> dict[str, Any]:
    graph = graph or LiveGraph.from_model(model)
    doc: dict[str, Any] = dict(routing_table(graph, node_id, prefixes=node_prefixes(model)))
    doc["licence"] = model.community.licence
    return doc


def device_monitoring(
    node: Node, state: Mapping[str, Any] | None, now: datetime | None = None
) -> dict[str, Any]:
    """NetJSON DeviceMonitoring of a node from its last agent report's state
    (``{"system": {...}, "interfaces": [...]}``), or a bare one without a report."""
    now = now or datetime.now(UTC)
    doc: dict[str, Any] = {
        "type": "DeviceMonitoring",
        "general": {"hostname": node.name, "local_time": int(now.timestamp())},
        "interfaces": [],
    }
    system = (state or {}).get("system") or {}
    if "uptime_s" in system:
        doc["general"]["uptime"] = int(system["uptime_s"])
    resources: dict[str, Any] = {}
    if isinstance(system.get("load"), list) and len(system["load"]) == 3:
        resources["load"] = [float(x) for x in system["load"]]
    if "memory_used_pct" in system:
        resources["memory_used_pct"] = system["memory_used_pct"]
    if "clients" in system:
        resources["clients"] = int(system["clients"])
    doc["resources"] = resources
    for iface in (state or {}).get("interfaces") or []:
        stats = {
            k: int(iface[k])
            for k in ("rx_bytes", "tx_bytes", "rx_errors", "tx_errors")
            if isinstance(iface.get(k), int | float)
        }
        item: dict[str, Any] = {"name": str(iface.get("name", "")), "statistics": stats}
        if "oper_up" in iface:
            item["up"] = bool(iface["oper_up"])
        doc["interfaces"].append(item)
    return doc


def geojson(model: NetworkModel) -> dict[str, Any]:
    """A FeatureCollection: nodes as Points, links as LineStrings with their quality."""
    where = {n.id: n.position for n in model.nodes}
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "id": n.id,
            "geometry": {"type": "Point", "coordinates": [n.position.lon, n.position.lat]},
            "properties": {
                "kind": "node",
                "name": n.name,
                "zone": n.zone_id,
                "status": n.status.value,
                "role": n.role.value,
                "gateway": n.gateway,
            },
        }
        for n in model.nodes
    ]
    for lk in model.links:
        a, b = where.get(lk.a), where.get(lk.b)
        if a is None or b is None:
            continue  # a border link: the far end's position is not ours to publish
        features.append(
            {
                "type": "Feature",
                "id": lk.id,
                "geometry": {"type": "LineString", "coordinates": [[a.lon, a.lat], [b.lon, b.lat]]},
                "properties": {"kind": "link", "a": lk.a, "b": lk.b, **_quality(lk)},
            }
        )
    return {"type": "FeatureCollection", "properties": _licence(model), "features": features}


def _quality(lk: Link) -> dict[str, Any]:
    m = lk.metrics
    out: dict[str, Any] = {"type": lk.type.value, "status": lk.status.value, "cost": link_cost(lk)}
    if m.signal_dbm is not None:
        out["signal_dbm"] = m.signal_dbm
    if m.rate_mbps is not None:
        out["rate_mbps"] = m.rate_mbps
    return out


def meshviewer(model: NetworkModel, now: datetime | None = None) -> dict[str, Any]:
    """Freifunk meshviewer.json (the newer variant): map nodes and links with tq."""
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S%z")
    nodes = [
        {
            "node_id": n.id,
            "hostname": n.name,
            "location": {"latitude": n.position.lat, "longitude": n.position.lon},
            "is_online": n.status is Status.WORKING,
            "is_gateway": n.gateway,
            "domain": n.zone_id,
            "model": n.devices[0].model if n.devices else "",
        }
        for n in model.nodes
    ]
    links = []
    ours = {n.id for n in model.nodes}
    for lk in model.links:
        if lk.a not in ours or lk.b not in ours:
            continue  # a border link: the map would have no node to draw it to
        cost = link_cost(lk)
        # tq from an ETX-like cost: the importer's 1/(tq*tq) inverted symmetrically.
        tq = round(min(1.0, (1.0 / cost) ** 0.5), 4) if cost and cost > 0 else 0.0
        links.append(
            {
                "source": lk.a,
                "target": lk.b,
                "source_tq": tq,
                "target_tq": tq,
                "type": MESHVIEWER_TYPES.get(lk.type, "other"),
                "id": lk.id,
            }
        )
    return {"timestamp": stamp, **_licence(model), "nodes": nodes, "links": links}


def dumps(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
