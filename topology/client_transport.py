"""The transport under :class:`topology.client.MeshClient`: one HTTP session, one error model.

Kept apart from the API methods so that every method group (the local API in
:mod:`topology.client`, federation in :mod:`topology.client_federation`) goes through the
same :meth:`ClientTransport.request`, which turns every failure into a
:class:`~topology.client_models.ClientError` the CLI and the TUI know how to show. The
live event stream (:meth:`ClientTransport.events`) is here too: it is the same session
used another way, one long streamed GET that reconnects.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from typing import Any, Self, cast
from urllib.parse import quote

import httpx

from topology.client_models import (
    ClientError,
    ServerEvent,
    Unreachable,
    error_from_response,
    parse_sse,
)

__all__ = ["API", "ClientTransport", "list_items", "query_params", "segment"]

#: The prefix of every versioned API path (callers build raw paths with it).
API = "/api/v1"


def query_params(**values: object) -> dict[str, str | int | float | bool]:
    """Query parameters without the ``None`` ones."""
    return {k: v for k, v in values.items() if isinstance(v, str | int | float | bool)}


def segment(ident: object) -> str:
    """An id as one path segment (``community:local`` stays readable)."""
    return quote(str(ident), safe=":@")


def list_items(body: Any) -> list[Any]:
    """A list response, whether sent bare or wrapped as ``{"items": [...]}``."""
    if isinstance(body, dict):
        for key in ("items", "data", "results"):
            if isinstance(body.get(key), list):
                return cast(list[Any], body[key])
    if isinstance(body, list):
        return body
    raise ClientError(f"expected a list in the response, got {type(body).__name__}")


class ClientTransport:
    """A synchronous session with one meshcommons service.

    ``base_url`` is the service root (``http://host:port``); ``token`` the bearer token
    (``None``: public); ``timeout`` seconds for connect, read and write. Use it as a
    context manager, or call :meth:`close`. Thread-safe like :class:`httpx.Client`.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        headers = {"Accept": "application/json", "User-Agent": "meshcommons-client"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=timeout, transport=transport
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def __repr__(self) -> str:
        # The subclass's name (MeshClient), never the token itself.
        who = "token" if self.token else "public"
        return f"{type(self).__name__}({self.base_url!r}, {who})"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int | float | bool] | None = None,
        json_body: object = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one request; return the decoded JSON body (``None`` when empty).

        Raises :class:`ApiError` (a subclass by status) or :class:`Unreachable`.
        """
        try:
            response = self._http.request(
                method,
                path,
                params=params,
                json=json_body if content is None else None,
                content=content,
                headers=headers,
            )
        except httpx.TimeoutException as exc:
            raise Unreachable(f"{self.base_url}: no answer within {self.timeout:g} s") from exc
        except httpx.TransportError as exc:
            raise Unreachable(f"{self.base_url}: {exc or type(exc).__name__}") from exc
        if response.status_code >= 400:
            raise error_from_response(response)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise ClientError(f"{method} {path}: the answer is not JSON") from exc

    def _get(self, path: str, **params: object) -> Any:
        return self.request("GET", path, params=query_params(**params))

    def _list(self, path: str, **params: object) -> list[Any]:
        return list_items(self._get(path, **params))

    def _send(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        return self.request(method, path, json_body=None if body is None else dict(body))

    # ------------------------------------------------------------------ events

    def events(
        self,
        *,
        last_event_id: str | None = None,
        stop: threading.Event | None = None,
        reconnect: bool = True,
        idle_timeout: float = 30.0,
        retry_s: float = 1.0,
        kinds: str | None = None,
    ) -> Iterator[ServerEvent]:
        """Yield the service's Server-Sent Events as they come, until ``stop`` is set.

        On a dropped connection, or no byte for ``idle_timeout`` seconds, it reconnects
        (after ``retry_s``, or the server's ``retry:``), sending ``Last-Event-ID`` so
        the service can replay what was missed. ``reconnect=False`` raises
        :class:`Unreachable` instead. Error answers (401, 404...) always raise.
        ``stop`` is checked between events and at every idle timeout. ``kinds``
        (``"alert,node.changed"``) keeps only those kinds (or prefixes of them). The
        service sends ``gap`` when it could not replay everything missed (reload what
        you show) and ``overflow`` before dropping a client that fell behind.
        """
        stopped = stop or threading.Event()
        timeout = httpx.Timeout(self.timeout, read=idle_timeout)
        while not stopped.is_set():
            headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
            if last_event_id is not None:
                headers["Last-Event-ID"] = last_event_id
            try:
                with self._http.stream(
                    "GET",
                    f"{API}/events",
                    params=query_params(kinds=kinds),
                    headers=headers,
                    timeout=timeout,
                ) as response:
                    if response.status_code >= 400:
                        response.read()
                        raise error_from_response(response)
                    for item in parse_sse(response.iter_lines()):
                        if isinstance(item, float):
                            retry_s = item
                            continue
                        if item.id is not None:
                            last_event_id = item.id
                        yield item
                        if stopped.is_set():
                            return
            except httpx.TimeoutException as exc:  # idle: reconnect (cheap), or give up
                if not reconnect:
                    raise Unreachable(f"{self.base_url}: event stream idle") from exc
                continue
            except httpx.TransportError as exc:
                if not reconnect:
                    raise Unreachable(f"{self.base_url}: {exc or type(exc).__name__}") from exc
            if not reconnect:
                return
            stopped.wait(retry_s)
