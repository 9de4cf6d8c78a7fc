"""Every error the API answers, in one JSON shape, and the one place domain errors map.

Body (see ``docs/api.md``)::

    {"error": {"status": 422, "code": "invalid", "message": "body.position.lat: ...",
               "details": [{"loc": ["body", "position", "lat"], "message": "..."}]}}

Mapping of the core's errors (:func:`classify`):

=========================================  ======  ===============
error                                      status  code
=========================================  ======  ===============
``RoutingError``: ``UnknownNode/Link``     404     ``not_found``
``RoutingError``: ``NoRoute``              404     ``no_route``
``RoutingError``: ``DuplicateId``          409     ``conflict``
``IpamError``: ``InvalidPrefix``,          422     ``invalid``
``OutsidePools``
``IpamError``: ``UnknownAllocation``,      404     ``not_found``
``UnknownZone``
``IpamError``: ``PoolExhausted``,          409     ``conflict``
``AddressConflict`` (and others)
``ModelError``                             422     ``invalid``
``ImportRejected``                         422     ``invalid``
``NetworkError`` (others)                  409     ``conflict``
store ``NotFound``                         404     ``not_found``
store ``Conflict``                         409     ``conflict``
store ``InvalidValue``                     422     ``invalid``
store ``StoreUnavailable`` (and others)    503     ``unavailable``
=========================================  ======  ===============

Anything else is a bug: it is logged with its traceback and answered with a JSON 500.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from topology.ipam import (
    InvalidPrefix,
    IpamError,
    OutsidePools,
    UnknownAllocation,
    UnknownZone,
)
from topology.model import ModelError
from topology.network import ImportRejected, NetworkError
from topology.routing import DuplicateId, NoRoute, RoutingError, UnknownLink, UnknownNode
from topology.store import Conflict, InvalidValue, NotFound, StoreError

log = logging.getLogger("topology.api")

Loc = Sequence[str | int]

#: Default code of each status (``ApiError`` may name a more precise one).
CODES: Mapping[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    500: "internal",
    503: "unavailable",
}

DOMAIN_ERRORS: tuple[type[Exception], ...] = (
    RoutingError,
    IpamError,
    ModelError,
    NetworkError,
    StoreError,
)


class ApiError(Exception):
    """An error answer raised by a handler or dependency; ``loc`` names the field."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        loc: Loc | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or CODES.get(status, "error")
        self.details = [{"loc": list(loc), "message": message}] if loc is not None else []
        self.headers = dict(headers or {})


def not_found(message: str) -> ApiError:
    return ApiError(404, message)


def invalid(message: str, loc: Loc) -> ApiError:
    """A 422 naming the offending field, e.g. ``invalid("...", ("body", "zone"))``."""
    return ApiError(422, f"{'.'.join(str(p) for p in loc)}: {message}", loc=loc)


def error_body(
    status: int, code: str, message: str, details: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    return {"error": {"status": status, "code": code, "message": message, "details": list(details)}}


def error_response(
    status: int,
    message: str,
    *,
    code: str | None = None,
    details: Sequence[Mapping[str, Any]] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    code = code or CODES.get(status, "error")
    return JSONResponse(
        error_body(status, code, message, details), status_code=status, headers=headers
    )


def classify(exc: BaseException) -> tuple[int, str]:
    """(status, code) of an error of the core (see the table in the module doc)."""
    if isinstance(exc, NoRoute):
        return 404, "no_route"
    if isinstance(exc, UnknownNode | UnknownLink | UnknownAllocation | UnknownZone | NotFound):
        return 404, "not_found"
    if isinstance(exc, DuplicateId | Conflict):
        return 409, "conflict"
    if isinstance(exc, InvalidPrefix | OutsidePools | ModelError | InvalidValue | ImportRejected):
        return 422, "invalid"
    if isinstance(exc, IpamError | NetworkError | RoutingError):
        return 409, "conflict"
    return 503, "unavailable"  # StoreUnavailable and other store failures


def _message(exc: BaseException) -> str:
    # KeyError subclasses (UnknownNode) render their message quoted; args[0] is the text.
    if exc.args and isinstance(exc.args[0], str):
        return exc.args[0]
    return str(exc) or type(exc).__name__


def _loc_text(loc: Sequence[Any]) -> str:
    return ".".join(str(p) for p in loc)


async def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(
        exc.status, exc.message, code=exc.code, details=exc.details, headers=exc.headers
    )


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    status, code = classify(exc)
    if status >= 500:
        log.warning("%s %s: store unavailable: %s", request.method, request.url.path, exc)
    return error_response(status, _message(exc), code=code)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"loc": list(e.get("loc", ())), "message": str(e.get("msg", "invalid value"))}
        for e in exc.errors()
    ]
    shown = "; ".join(f"{_loc_text(d['loc'])}: {d['message']}" for d in details[:5])
    more = f" (and {len(details) - 5} more)" if len(details) > 5 else ""
    return error_response(422, (shown or "invalid request") + more, details=details)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers) if exc.headers else None
    return error_response(exc.status_code, str(exc.detail), headers=headers)


async def _last_resort(request: Request, exc: Exception) -> JSONResponse:
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal error: it was logged; please report it")


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error as JSON in the shape above."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for error in DOMAIN_ERRORS:
        app.add_exception_handler(error, _domain_error)
    app.add_exception_handler(Exception, _last_resort)
