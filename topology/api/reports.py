"""``POST /api/v1/nodes/{node}/reports``: a node agent's report (see docs/api.md).

Only the node's agent token (or an admin's) may post. The body is JSON, optionally with
``Content-Encoding: gzip``; it is parsed straight from bytes by pydantic
(:class:`topology.ingest.report.Report`). Answers:

* ``202 {"status": "accepted", "seq", "last_seq", "links", "created", "unmatched"}``
  once the report is durably committed (group commit: see :mod:`topology.ingest.writer`);
* ``200 {"status": "duplicate", "seq", "last_seq"}`` for a ``seq`` not above the last
  accepted one: nothing changes;
* 401/403 (token), 404 (unknown node), 413 (body too large, also once decompressed),
  415 (an encoding other than gzip), 422 (with the field path), 503 (store unavailable,
  ingestion stopped or overloaded: retry after the ``Retry-After`` seconds).

The app must hold a running :class:`~topology.ingest.service.IngestService` in
``app.state.ingest``: :func:`ingestion` is the app lifespan component that makes,
starts and stops it. The route is an ordinary FastAPI route (``router``), documented
in the OpenAPI document. Reports are the one request that comes a thousand times a
second, so :class:`ReportFastPath`, an ASGI middleware, can answer the same path with
the same code without FastAPI's routing and dependency machinery (a third of a report's
cost): install it with ``app.add_middleware(ReportFastPath)``. Its errors go through the
app's own exception handlers, so they look the same.
"""

from __future__ import annotations

import asyncio
import inspect
import re
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, cast

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from topology.api.deps import (
    API_PREFIX,
    current_principal,
    get_network,
    get_settings,
    get_tokens,
    global_id,
    require_agent_for,
)
from topology.api.errors import ApiError, classify
from topology.auth import AccessRole, Principal
from topology.ingest.batch import Outcome
from topology.ingest.report import Report, report_schema
from topology.ingest.service import IngestService, IngestSettings, Overloaded
from topology.ingest.writer import WriterStopped
from topology.store import NotFound, StoreError
from topology.store.tokens import revocations

router = APIRouter(prefix=API_PREFIX, tags=["reports"])

RETRY_AFTER = {"Retry-After": "5"}


class AgentCache:
    """Agent principals by ``Authorization`` header, for ``ttl_s`` seconds.

    Checking a token reads the store (a transaction: about half a millisecond, the
    largest cost of a report). Agents post every minute or so with the same token, so
    their principal is kept a while. A revocation takes effect at once all the same:
    each entry keeps the store's revocation count (:func:`topology.store.tokens.revocations`)
    read before its token was checked, and is trusted only while that count is unchanged
    (after any revocation every agent's token is read once more). Only agent tokens are
    kept (an agent can do nothing but post its node's reports); every other role is
    checked on each request.
    """

    def __init__(self, ttl_s: float = 300.0, max_size: int = 100_000) -> None:
        self.ttl_s = ttl_s
        self.max_size = max_size
        self._held: dict[str, tuple[Principal, float, int]] = {}

    def principal(self, request: Request) -> Principal:
        header = request.headers.get("authorization")
        generation = revocations()  # before the store is read: see revocations()
        if header is not None:
            hit = self._held.get(header)
            if hit is not None:
                if hit[1] > time.monotonic() and hit[2] == generation:
                    return hit[0]
                self._held.pop(header, None)  # expired or stale: checked again below
        principal = current_principal(request, get_tokens(request), None)
        if header is not None and principal.role is AccessRole.AGENT and self.ttl_s > 0:
            if len(self._held) >= self.max_size:
                self._held.clear()
            self._held[header] = (principal, time.monotonic() + self.ttl_s, generation)
        return principal


AGENTS = AgentCache()


def ingestion(
    settings: IngestSettings | None = None,
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The app lifespan component of ingestion (``create_app(..., lifespans=[...])``):
    at startup an :class:`IngestService` over ``app.state.network`` goes into
    ``app.state.ingest`` and starts its writer thread (batches, liveness sweeps,
    retention); at shutdown it finishes the reports queued, before the network closes."""

    @asynccontextmanager
    async def component(app: FastAPI) -> AsyncIterator[None]:
        ingest = IngestService(app.state.network, settings)
        app.state.ingest = ingest
        ingest.start()
        try:
            yield
        finally:
            await asyncio.to_thread(ingest.stop)

    return component


def get_ingest(request: Request) -> IngestService:
    ingest: IngestService | None = getattr(request.app.state, "ingest", None)
    if ingest is None or not ingest.running:
        raise ApiError(503, "report ingestion is not running", headers=RETRY_AFTER)
    return ingest


async def read_body(request: Request, max_bytes: int) -> bytes:
    """The raw body, refused with 413 past ``max_bytes`` (whatever Content-Length says)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise ApiError(413, f"request body is larger than the limit of {max_bytes} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise ApiError(413, f"request body is larger than the limit of {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def decoded(body: bytes, encoding: str | None, max_bytes: int) -> bytes:
    """The body with its ``Content-Encoding`` undone, at most ``max_bytes`` long."""
    coding = (encoding or "identity").strip().lower()
    if coding == "identity":
        return body
    if coding not in ("gzip", "x-gzip"):
        raise ApiError(415, f"Content-Encoding {coding!r} is not supported: use gzip")
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(body, max_bytes + 1)
    except zlib.error as e:
        raise ApiError(400, f"the gzip body is corrupt: {e}") from None
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise ApiError(413, f"the decompressed body is larger than {max_bytes} bytes")
    if not inflater.eof:
        raise ApiError(400, "the gzip body is truncated")
    return out


def parsed(body: bytes) -> Report:
    try:
        return Report.model_validate_json(body)
    except ValidationError as e:
        errors = [
            {"loc": ("body", *err["loc"]), "msg": err["msg"], "type": err["type"]}
            for err in e.errors(include_url=False, include_context=False, include_input=False)
        ]
        raise RequestValidationError(errors) from None


def outcome_body(o: Outcome) -> dict[str, Any]:
    if o.status == "duplicate":
        return {"status": o.status, "seq": o.seq, "last_seq": o.last_seq}
    return {
        "status": o.status,
        "seq": o.seq,
        "last_seq": o.last_seq,
        "links": o.links,
        "created": list(o.created),
        "unmatched": list(o.unmatched),
    }


async def handle_report(request: Request, node: str) -> Response:
    """The whole request: 404 for an unknown node, then 401/403 unless the caller is the
    node's agent (or an admin), then the body, then the writer. Raises :class:`ApiError`
    or :class:`RequestValidationError` for the app's handlers."""
    network = get_network(request)
    cache: AgentCache = getattr(request.app.state, "agent_cache", AGENTS)
    require_agent_for(node, cache.principal(request), network)
    ingest = get_ingest(request)
    node_id = global_id(network, node)
    max_bytes = get_settings(request).max_body_bytes
    raw = await read_body(request, max_bytes)
    report = parsed(decoded(raw, request.headers.get("content-encoding"), max_bytes))
    last = ingest.last_seq(node_id)
    if last is not None and report.seq <= last:  # committed before: answer at once
        return JSONResponse(outcome_body(Outcome("duplicate", report.seq, last)), 200)
    try:
        outcome: Outcome = await ingest.submit(node_id, report)
    except (TimeoutError, WriterStopped, Overloaded) as e:
        raise ApiError(503, f"report not accepted: {e or 'timed out'}", headers=RETRY_AFTER) from e
    except NotFound as e:
        raise ApiError(404, str(e)) from e
    except StoreError as e:
        status, code = classify(e)
        raise ApiError(status, f"report not accepted: {e}", code=code, headers=RETRY_AFTER) from e
    return JSONResponse(outcome_body(outcome), 202 if outcome.status == "accepted" else 200)


_BODY_DOC: dict[str, Any] = {
    "security": [{"HTTPBearer": []}],
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": report_schema()}},
        "description": "The report; may be sent with `Content-Encoding: gzip`.",
    },
}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    202: {"description": "Accepted: durably committed."},
    200: {"description": "Duplicate: this seq was accepted before; nothing changed."},
}


@router.post(
    "/nodes/{node}/reports",
    status_code=202,
    responses=_RESPONSES,
    openapi_extra=_BODY_DOC,
    summary="Post a node agent's report",
)
async def post_report(node: str, request: Request) -> Response:
    """Ingest a report of ``node`` (its agent's token): see the module docstring.

    No FastAPI dependencies on purpose: each costs a good part of what a report costs
    (a plain ``def`` one even a thread hop); authentication is in :func:`handle_report`.
    """
    return await handle_report(request, node)


# --------------------------------------------------------------------------- fast path

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
_PATH = re.compile(rf"{re.escape(API_PREFIX)}/nodes/([^/]+)/reports")


class ReportFastPath:
    """ASGI middleware: ``POST .../nodes/{node}/reports`` answered by
    :func:`handle_report` directly; everything else goes on to the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = None
        if scope["type"] == "http" and scope["method"] == "POST":
            match = _PATH.fullmatch(scope["path"])
        if match is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await handle_report(request, match[1])
        except Exception as exc:
            response = await _handled(request, exc)
        await response(scope, receive, send)


async def _handled(request: Request, exc: Exception) -> Response:
    """``exc`` answered by the app's own exception handler for it (as a route's would be)."""
    handlers = request.app.exception_handlers
    for cls in type(exc).__mro__:
        handler = handlers.get(cls)
        if handler is not None:
            response = handler(request, exc)
            if inspect.isawaitable(response):
                response = await response
            return cast(Response, response)
    raise exc
