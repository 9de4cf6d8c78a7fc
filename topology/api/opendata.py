"""Open data over HTTP: exports, imports, and the Prometheus ``/metrics`` exposition.

* ``GET /api/v1/export/{format}``: public, always public data (no contact, owner or
  token; private homes rounded to ``decimals``, at most 3); ``node`` for the per-node
  NetJSON documents. Formats: see :data:`topology.formats.export.EXPORT_FORMATS`.
* ``POST /api/v1/import?format=auto&community=...&replace=false``: admin only; the body
  is the file. The whole network is stored in one transaction or nothing (422 with the
  file's place on a bad file; 409 when a network is held and ``replace`` is false).
  Large files need a larger ``--max-body``.
* ``GET /metrics`` (no API prefix, as Prometheus expects): node and link gauges and the
  ingestion counters, in text format 0.0.4.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from topology.api.deps import API_PREFIX, NetworkDep, known_node, require_role
from topology.api.errors import not_found
from topology.auth.principal import Principal
from topology.formats import build_model, parse_bytes
from topology.formats.export import EXPORT_FORMATS, export
from topology.formats.prometheus import CONTENT_TYPE, exposition
from topology.network import CommunityNetwork, NetworkError
from topology.store.telemetry import load_reports

router = APIRouter(tags=["open data"])

AdminDep = Annotated[Principal, Depends(require_role())]


@router.get(API_PREFIX + "/export/{fmt}", response_class=Response)
def export_network(
    fmt: str,
    network: NetworkDep,
    node: str | None = None,
    decimals: Annotated[int, Query(ge=0, le=3)] = 3,
) -> Response:
    """The network as open data (public); the document states the data licence."""
    if fmt not in EXPORT_FORMATS:
        raise not_found(f"no export format {fmt!r}; known: {', '.join(EXPORT_FORMATS)}")
    model = network.model()
    state = None
    if fmt == "netjson-monitoring" and node:
        report = load_reports(network.store.engine).get(known_node(network, node).id)
        state = report.state_dict() if report else None
    data, media = export(model, fmt, decimals=decimals, node_id=node, node_state=state)
    name = f"{model.community.slug}-{fmt}.{EXPORT_FORMATS[fmt][1]}"
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'inline; filename="{name}"'}
    )


def _import(
    network: CommunityNetwork, body: bytes, fmt: str, community: str, name: str, licence: str,
    replace: bool,
) -> dict[str, Any]:
    parsed = parse_bytes(body, "request body", fmt)
    result = build_model(parsed, community, name=name, licence=licence)
    network.import_model(result.model, replace_existing=replace)
    m = result.model
    return {
        "format": parsed.format,
        "community": community,
        "zones": len(m.zones),
        "nodes": len(m.nodes),
        "links": len(m.links),
        "allocations": len(m.allocations),
        "warnings": list(result.warnings),
        "address_conflicts": list(result.address_conflicts),
    }


@router.post(API_PREFIX + "/import")
async def import_network(
    request: Request,
    network: NetworkDep,
    _admin: AdminDep,
    community: Annotated[str, Query(min_length=1, max_length=64)],
    fmt: Annotated[str, Query(alias="format")] = "auto",
    name: str = "",
    licence: str = "ODbL-1.0",
    replace: bool = False,
) -> dict[str, Any]:
    """Import a network file (admin): everything in one transaction, or nothing."""
    body = await request.body()
    return await run_in_threadpool(
        _import, network, body, fmt, community, name, licence, replace
    )


@router.get("/metrics", response_class=PlainTextResponse)
def metrics(request: Request, network: NetworkDep) -> PlainTextResponse:
    """Prometheus exposition: node/link gauges and ingestion counters."""
    try:
        community = network.community
    except NetworkError:
        community = None
    ingest = getattr(request.app.state, "ingest", None)
    stats = ingest.writer_stats if ingest is not None else None
    with network.lock:
        text = exposition(network.graph, community, stats)
    return PlainTextResponse(text, media_type=CONTENT_TYPE)
