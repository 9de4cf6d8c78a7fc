"""The HTTP service: ``create_app(network, settings)`` builds the FastAPI app.

Routers are modules with a module-level ``router: APIRouter`` (each sets its own
prefix, usually :data:`topology.api.deps.API_PREFIX`); :data:`ROUTERS` lists them in
the order of the OpenAPI document. To add one, append its module to ``ROUTERS`` (or pass
``routers=``). Every route documents the JSON error body for 4xx and 5xx answers.

Components that run beside the routers (ingestion, alert engine, event hub) plug into
the app's lifespan with ``lifespans=``: each is a function ``app -> async context
manager``, entered in order at startup (it may put itself into ``app.state`` for its
router) and left in reverse order at shutdown. Then the lifespan closes the network (and
so its store): uvicorn has finished the requests in flight by then, and every write was
committed before its response, so nothing acknowledged is lost.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from functools import partial
from types import ModuleType
from typing import Any

from fastapi import FastAPI

from topology.api import (
    addresses,
    community,
    devices,
    federation,
    graph,
    health,
    links,
    nodes,
    opendata,
    planning,
    routing,
    tokens,
    zones,
)
from topology.api.deps import ApiSettings
from topology.api.errors import install_error_handlers
from topology.api.health import service_version
from topology.api.limits import BodyLimit
from topology.api.schemas import ErrorBody
from topology.network import CommunityNetwork
from topology.store.tokens import TokenStore

ROUTERS: tuple[ModuleType, ...] = (
    health,
    community,
    zones,
    nodes,
    devices,
    links,
    addresses,
    routing,
    graph,
    tokens,
    federation,
    opendata,
    planning,
)

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorBody, "description": "Bad input, no or wrong token, unknown id..."},
    "5XX": {"model": ErrorBody, "description": "Store unavailable (503)."},
}

#: A component's lifespan: entered at startup, left at shutdown.
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[Any]]

DESCRIPTION = """\
The topology service of a community mesh network: nodes, links, zones, addresses,
routes. Without a token you read public data; `Authorization: Bearer mc_...` acts as
an admin, steward, volunteer or agent. Errors are JSON: `{"error": {"status", "code",
"message", "details": [{"loc", "message"}]}}`. See docs/api.md.
"""


def create_app(
    network: CommunityNetwork,
    settings: ApiSettings | None = None,
    *,
    token_store: TokenStore | None = None,
    routers: Sequence[ModuleType] = ROUTERS,
    lifespans: Sequence[Lifespan] = (),
) -> FastAPI:
    """The FastAPI app over ``network`` (tokens default to the network's store)."""
    settings = settings or ApiSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            async with AsyncExitStack() as stack:
                for component in lifespans:
                    await stack.enter_async_context(component(app))
                yield
        finally:
            if settings.close_network_on_shutdown:
                network.close()

    app = FastAPI(
        title=settings.title,
        version=service_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.network = network
    app.state.tokens = TokenStore(network.store.engine) if token_store is None else token_store
    app.state.settings = settings
    install_error_handlers(app)
    for module in routers:
        app.include_router(module.router, responses=ERROR_RESPONSES)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.openapi = partial(_openapi, app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, saying that the token is optional: without one a caller is
    public (``security: [{}, {"HTTPBearer": []}]``); what a caller may do is the
    operation's business (401/403)."""
    if app.openapi_schema is None:
        doc = FastAPI.openapi(app)
        for item in doc.get("paths", {}).values():
            for operation in item.values():
                security = operation.get("security") if isinstance(operation, dict) else None
                if security and {} not in security:
                    operation["security"] = [{}, *security]
        app.openapi_schema = doc
    return app.openapi_schema
