"""Errors over a live server: always JSON, always saying what and where; 413; no 500."""

from __future__ import annotations

import types
from collections.abc import Iterator

import httpx
import pytest
from api_server import API, Tokens, headers, start_server
from fastapi import APIRouter

from topology.api.app import ROUTERS, create_app
from topology.api.deps import ApiSettings
from topology.api.errors import classify
from topology.ipam import AddressConflict, InvalidPrefix, PoolExhausted, UnknownAllocation
from topology.model import ModelError
from topology.network import CommunityNetwork, ImportRejected, NetworkError
from topology.routing import DuplicateId, NoRoute, UnknownLink, UnknownNode
from topology.store import Conflict, InvalidValue, NotFound, StoreUnavailable

LIMIT = 4096


@pytest.fixture(scope="module")
def small(api_network: CommunityNetwork) -> Iterator[httpx.Client]:
    """A server with a 4 KiB body limit and a route that fails like a bug would."""
    boom = APIRouter()

    @boom.get("/boom")
    def fail() -> None:
        raise RuntimeError("a bug")

    module = types.ModuleType("boom")
    module.router = boom  # type: ignore[attr-defined]
    settings = ApiSettings(max_body_bytes=LIMIT, close_network_on_shutdown=False)
    server = start_server(create_app(api_network, settings, routers=(*ROUTERS, module)))
    with httpx.Client(base_url=server.url) as c:
        yield c
    server.stop()


def node(name: str) -> dict[str, object]:
    return {"id": "big", "name": name, "zone": "gorham", "position": {"lat": 44.4, "lon": -71.2}}


def assert_error(r: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    error: dict[str, object] = r.json()["error"]
    assert error["status"] == status and error["code"] == code and error["message"]
    return error


def test_oversized_body_by_content_length(small: httpx.Client, tokens: Tokens) -> None:
    r = small.post(API + "/nodes", json=node("x" * (2 * LIMIT)), headers=headers(tokens.admin))
    assert_error(r, 413, "too_large")


def test_oversized_chunked_body_is_counted(small: httpx.Client, tokens: Tokens) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(16):
            yield b" " * 1024

    r = small.post(
        API + "/nodes",
        content=chunks(),
        headers={**headers(tokens.admin), "content-type": "application/json"},
    )
    assert "content-length" not in r.request.headers
    assert_error(r, 413, "too_large")


def test_body_under_the_limit_passes(small: httpx.Client, tokens: Tokens) -> None:
    r = small.post(API + "/whatif", json={"node": "gorham-library"})
    assert r.status_code == 200
    r = small.post(API + "/nodes", json=node("y" * 300), headers=headers(tokens.admin))
    assert_error(r, 422, "invalid")  # name too long: read, parsed and refused


def test_a_bug_is_a_json_500(small: httpx.Client) -> None:
    assert_error(small.get("/boom"), 500, "internal")


def test_422_names_every_field(client: httpx.Client, tokens: Tokens) -> None:
    body = {"id": "bad id!", "name": "", "zone": "gorham", "position": {"lat": 95, "lon": 0}}
    error = assert_error(
        client.post("/nodes", json=body, headers=headers(tokens.admin)), 422, "invalid"
    )
    locs = [d["loc"] for d in error["details"]]  # type: ignore[attr-defined]
    assert ["body", "id"] in locs and ["body", "name"] in locs
    assert ["body", "position", "lat"] in locs
    assert "body.position.lat" in str(error["message"])


@pytest.mark.parametrize(
    ("raw", "loc"),
    [
        (b"{not json", ["body", 1]),
        (b'{"id": "a", "name": "A", "zone": "gorham", "position": {"lat": NaN, "lon": 0}}',
         ["body", "position", "lat"]),
        (b'{"id": "a", "name": "\\ud800", "zone": "gorham", "position": {"lat": 1, "lon": 0}}',
         ["body", "name"]),
        (b'{"id": "a", "name": "A\\u0000", "zone": "gorham", "position": {"lat": 1, "lon": 0}}',
         ["body", "name"]),
        (b'{"id": "a", "name": "A", "zone": "gorham", "position": {"lat": 1, "lon": 0}, "x": 1}',
         ["body", "x"]),
        (b'{"id": "a", "name": "A", "zone": "gorham", "position": {"lat": 1e999, "lon": 0}}',
         ["body", "position", "lat"]),
        (b'{"id": "a", "name": "A", "zone": "gorham", "position": {"lat": true, "lon": 0}}',
         ["body", "position", "lat"]),
        (b'{"id": "a", "name": "A", "zone": "gorham", "position": {"lat": "1", "lon": 0}}',
         ["body", "position", "lat"]),
        (b'{"id": "a", "name": "A", "zone": "gorham", "position": {"lat": 1, "lon": 0},'
         b' "gateway": "yes"}', ["body", "gateway"]),
    ],
)  # fmt: skip
def test_hostile_bodies_are_422(
    client: httpx.Client, tokens: Tokens, raw: bytes, loc: list[object]
) -> None:
    r = client.post(
        "/nodes",
        content=raw,
        headers={**headers(tokens.admin), "content-type": "application/json"},
    )
    error = assert_error(r, 422, "invalid")
    assert error["details"][0]["loc"] == loc  # type: ignore[index]


def test_unknown_paths_and_methods_are_json(client: httpx.Client) -> None:
    assert_error(client.get("/no/such/thing"), 404, "not_found")
    assert_error(client.put("/graph"), 405, "method_not_allowed")
    assert_error(client.get("/nodes", params={"limit": 0}), 422, "invalid")
    assert_error(client.get("/nodes", params={"status": "Asleep"}), 422, "invalid")


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (UnknownNode("c:x"), 404, "not_found"),
        (UnknownLink("c:x"), 404, "not_found"),
        (NoRoute("c:a", "c:b"), 404, "no_route"),
        (DuplicateId("node", "c:x"), 409, "conflict"),
        (InvalidPrefix("x", "bad"), 422, "invalid"),
        (PoolExhausted("z", "lan", 27, ()), 409, "conflict"),
        (AddressConflict("10.0.0.0/8", ["a"]), 409, "conflict"),
        (UnknownAllocation("10.0.0.0/8"), 404, "not_found"),
        (ModelError("bad"), 422, "invalid"),
        (ImportRejected(["bad"]), 422, "invalid"),
        (NetworkError("refused"), 409, "conflict"),
        (NotFound("x"), 404, "not_found"),
        (Conflict("x"), 409, "conflict"),
        (InvalidValue("x"), 422, "invalid"),
        (StoreUnavailable("down"), 503, "unavailable"),
    ],
)
def test_domain_errors_map_in_one_place(error: Exception, status: int, code: str) -> None:
    assert classify(error) == (status, code)
