"""One entry point for every export: ``export(model, fmt, ...)`` gives bytes and a media type.

Public by default: contacts, owner accounts and tokens never appear (no format here has
a place for them, and nodes pass :func:`topology.formats.privacy.public` first); the
homes of nodes marked private are rounded to ``decimals`` (3: about 100 m). Every
document names the community's data licence (``licence`` overrides the stored one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from topology.formats import exports
from topology.formats.cnml_out import to_cnml
from topology.formats.errors import FormatError
from topology.formats.privacy import public_model
from topology.inventory import PUBLIC_POSITION_DECIMALS
from topology.model import NetworkModel

#: name -> (media type, file suffix, what it is)
EXPORT_FORMATS: dict[str, tuple[str, str, str]] = {
    "netjson": ("application/json", "json", "NetJSON NetworkGraph of the routable network"),
    "netjson-routes": ("application/json", "json", "NetJSON NetworkRoutes of one node (--node)"),
    "netjson-monitoring": ("application/json", "json", "NetJSON DeviceMonitoring of one node"),
    "cnml": ("application/xml", "cnml", "CNML 0.1 detail, for Guifi.net tools"),
    "geojson": ("application/geo+json", "geojson", "GeoJSON: nodes as points, links as lines"),
    "meshviewer": ("application/json", "json", "Freifunk meshviewer.json"),
}


def export(
    model: NetworkModel,
    fmt: str,
    *,
    public: bool = True,
    decimals: int = PUBLIC_POSITION_DECIMALS,
    licence: str | None = None,
    node_id: str | None = None,
    node_state: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> tuple[bytes, str]:
    """The document of ``model`` in ``fmt`` (see :data:`EXPORT_FORMATS`)."""
    if fmt not in EXPORT_FORMATS:
        raise FormatError("export", f"unknown format {fmt!r}; known: {', '.join(EXPORT_FORMATS)}")
    if licence:
        model = replace(model, community=replace(model.community, licence=licence))
    if public:
        model = public_model(model, decimals)
    media = EXPORT_FORMATS[fmt][0]
    if fmt == "cnml":
        return to_cnml(model, now), media
    doc: dict[str, Any]
    if fmt == "netjson":
        doc = exports.netjson_graph(model)
    elif fmt == "geojson":
        doc = exports.geojson(model)
    elif fmt == "meshviewer":
        doc = exports.meshviewer(model, now)
    else:
        node = _node(model, node_id, fmt)
        if fmt == "netjson-routes":
            doc = exports.netjson_routes(model, node)
        else:
            doc = exports.device_monitoring(model.node(node), node_state, now)
            doc["licence"] = model.community.licence
    return exports.dumps(doc).encode(), media


def _node(model: NetworkModel, node_id: str | None, fmt: str) -> str:
    if not node_id:
        raise FormatError("export", f"{fmt} is about one node: name it")
    gid = node_id if ":" in node_id else f"{model.community.slug}:{node_id}"
    if not any(n.id == gid for n in model.nodes):
        raise FormatError("export", f"node {node_id!r} does not exist")
    return gid
