"""A pure ASGI middleware that refuses request bodies over a size limit with 413.

It checks ``Content-Length`` first (refusing before reading anything), then reads the
body stream itself, counting bytes, so a chunked body or a lying ``Content-Length``
cannot get more than ``max_bytes`` into the application. The body read is handed on to
the application unchanged; after it, the application's ``receive`` goes to the server as
usual (so a streaming response still sees the client disconnect).

The limit counts bytes on the wire: a gzip body is limited before it is decompressed.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from topology.api.errors import error_body

DEFAULT_MAX_BODY_BYTES = 1024 * 1024


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(send)
            return
        if declared == 0 or (declared is None and not _has_body(scope)):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break  # the client went away: let the application see it
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await self._refuse(send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            if messages:
                return messages.pop(0)
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            error_body(
                413,
                "too_large",
                f"request body is larger than the limit of {self.max_bytes} bytes",
            )
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value)
    return None


def _content_length(scope: Scope) -> int | None:
    raw = _header(scope, b"content-length")
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        return None  # the server refuses a malformed length itself; count the stream


def _has_body(scope: Scope) -> bool:
    """Chunked or unknown-length bodies must be counted; GET without them need not."""
    return _header(scope, b"transfer-encoding") is not None or scope.get("method") not in (
        "GET",
        "HEAD",
        "OPTIONS",
        "DELETE",
    )
