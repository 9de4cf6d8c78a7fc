"""Delivering an encoded report to the service: ``POST /api/v1/nodes/{node}/reports``
with the node's agent token, ``Content-Encoding: gzip``.

:class:`HttpTransport` uses the standard library's ``http.client`` (no httpx: it would
cost the agent about 18 MB), keeping one connection alive between reports.
:class:`FunctionTransport` wraps a plain function, for tests and benchmarks.

Outcome of a post: ``"accepted"`` (202) or ``"duplicate"`` (200: that ``seq`` was
accepted before). Otherwise :class:`~node_agent.errors.Unreachable` (no answer,
timeout, 429, 5xx, and also 401/403/404: a token or registration problem that a steward
can fix, so reports are kept) or :class:`~node_agent.errors.Rejected` (another 4xx:
this report will never be accepted).
"""

from __future__ import annotations

import http.client
import json
import ssl
from collections.abc import Callable
from typing import Protocol
from urllib.parse import quote, urlsplit

from node_agent.errors import Rejected, Unreachable

KEEP_ON = {401, 403, 404, 408, 409, 425, 429}


class Transport(Protocol):
    def post(self, body: bytes) -> str:
        """Deliver one gzipped report; ``"accepted"`` or ``"duplicate"``, else raise."""
        ...

    def close(self) -> None: ...


def reports_path(base_path: str, node: str) -> str:
    """``/api/v1/nodes/<node>/reports`` under the service's base path.

    >>> reports_path("", "androscoggin:gorham-home-01")
    '/api/v1/nodes/androscoggin:gorham-home-01/reports'
    """
    return f"{base_path.rstrip('/')}/api/v1/nodes/{quote(node, safe=':')}/reports"


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def classify(status: int, body: bytes, retry_after: str | None) -> str:
    """The outcome of an HTTP answer (see the module docstring)."""
    if status in (200, 201, 202):
        try:
            answer = json.loads(body or b"{}")
        except ValueError:
            answer = {}
        return "duplicate" if answer.get("status") == "duplicate" else "accepted"
    message = body[:300].decode("utf-8", "replace").strip()
    if status >= 500 or status in KEEP_ON:
        raise Unreachable(f"HTTP {status}: {message}", _retry_after(retry_after))
    raise Rejected(status, message)


class HttpTransport:
    """Posts to ``service`` (``http://`` or ``https://``, with an optional base path)."""

    def __init__(
        self, service: str, node: str, token: str, timeout: float = 10.0, user_agent: str = ""
    ) -> None:
        url = urlsplit(service)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"service URL {service!r} must be http(s)://host[:port][/path]")
        self.scheme = url.scheme
        self.host = url.hostname
        self.port = url.port
        self.path = reports_path(url.path, node)
        self.timeout = timeout
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
            "User-Agent": user_agent or "node-agent",
        }
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self.scheme == "https":
                self._conn = http.client.HTTPSConnection(
                    self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self._conn

    def post(self, body: bytes) -> str:
        for attempt in (1, 2):  # a kept-alive connection the server closed: retry once
            conn = self._connection()
            try:
                conn.request("POST", self.path, body=body, headers=self.headers)
                response = conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
                self.close()
                if attempt == 2:
                    raise Unreachable(f"{self.host}: {e}") from None
                continue
            except (TimeoutError, OSError, http.client.HTTPException) as e:
                self.close()
                raise Unreachable(f"{self.host}: {e or type(e).__name__}") from None
            if response.will_close:
                self.close()
            return classify(response.status, data, response.getheader("Retry-After"))
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class FunctionTransport:
    """A transport backed by a function ``body -> outcome`` (which may raise the
    transport errors), for tests and benchmarks."""

    def __init__(self, fn: Callable[[bytes], str]) -> None:
        self.fn = fn

    def post(self, body: bytes) -> str:
        return self.fn(body)

    def close(self) -> None:
        pass
