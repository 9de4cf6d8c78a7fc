"""Every error class of the client, from a real server (and from no server at all)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.client.conftest import HOME, MAX_BODY, Served, start_service
from tests.client.test_client_api import report
from topology.client import (
    UNAVAILABLE,
    ApiError,
    BadRequest,
    ClientError,
    Conflict,
    Forbidden,
    MeshClient,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    Unauthorized,
    Unreachable,
)


def test_bad_request_names_the_field(admin: MeshClient) -> None:
    with pytest.raises(BadRequest) as err:
        admin.register_node(
            {"id": "bad-lat", "name": "x", "zone": "gorham", "position": {"lat": 95, "lon": 0}}
        )
    e = err.value
    assert isinstance(e, ApiError) and isinstance(e, ClientError)
    assert e.status == 422 and e.code == "invalid"
    assert any("position" in d["loc"] and "lat" in d["loc"] for d in e.details)
    assert "lat" in e.message


def test_unauthorized_for_an_unknown_token(served: Served) -> None:
    with served.client("mc_0123456789ab_" + "x" * 43) as stranger, pytest.raises(Unauthorized) as e:
        stranger.nodes()
    assert e.value.status == 401 and e.value.code == "unauthorized"


def test_public_may_not_write(public: MeshClient) -> None:
    with pytest.raises(Unauthorized):
        public.set_status(HOME, "Inactive")


def test_forbidden_for_a_weak_token(served: Served) -> None:
    with served.client(served.volunteer) as adoe, pytest.raises(Forbidden) as e:
        adoe.create_token("admin", "sneaky")
    assert e.value.status == 403 and e.value.code == "forbidden"


def test_not_found_and_no_route(public: MeshClient) -> None:
    with pytest.raises(NotFound) as e:
        public.node("no-such-node")
    assert e.value.status == 404 and "no-such-node" in e.value.message
    with pytest.raises(NotFound) as e:
        public.route("gorham-home-01", "berlin-home-07")  # its only link is Inactive
    assert e.value.code in ("no_route", "not_found")


def test_conflict_on_a_duplicate(admin: MeshClient) -> None:
    node = {
        "id": "dup-node",
        "name": "Dup",
        "zone": "gorham",
        "position": {"lat": 44.4, "lon": -71.2},
    }
    admin.register_node(node)
    with pytest.raises(Conflict) as e:
        admin.register_node(node)
    assert e.value.status == 409


def test_payload_too_large(served: Served) -> None:
    big = report(7)
    big["routes"] = [
        {"destination": f"10.{i // 256 % 256}.{i % 256}.0/24", "next": "fe80::1", "device": "wlan1"}
        for i in range(MAX_BODY // 40)
    ]
    with served.client(served.agent) as agent, pytest.raises(PayloadTooLarge) as e:
        agent.post_report(HOME, big)
    assert e.value.status == 413 and e.value.code == "too_large"


def test_service_unavailable_when_ingestion_stopped(tmp_path: Path) -> None:
    service, tokens = start_service(tmp_path / "data")
    try:
        service.app.state.ingest.stop()
        with MeshClient(service.url, tokens["agent"]) as agent:
            with pytest.raises(ServiceUnavailable) as e:
                agent.post_report(HOME, report(1))
            assert e.value.status == 503 and isinstance(e.value, UNAVAILABLE)
    finally:
        service.stop()


@pytest.fixture
def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port: int = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    try:
        yield f"http://127.0.0.1:{s.getsockname()[1]}"
    finally:
        s.close()


def test_unreachable_when_nothing_listens(closed_port: int) -> None:
    with MeshClient(f"http://127.0.0.1:{closed_port}", timeout=2) as api:
        with pytest.raises(Unreachable) as e:
            api.healthz()
        assert isinstance(e.value, UNAVAILABLE) and not isinstance(e.value, ApiError)
        with pytest.raises(Unreachable):
            next(api.events(reconnect=False))


def test_unreachable_on_timeout(silent_server: str) -> None:
    with MeshClient(silent_server, timeout=0.3) as api, pytest.raises(Unreachable) as e:
        api.nodes()
    assert "0.3 s" in str(e.value)


def test_errors_without_a_json_body() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/community"):
            return httpx.Response(502, text="Bad Gateway from the proxy")
        return httpx.Response(404, json={"detail": "Not Found"})

    with MeshClient("http://mesh.invalid", transport=httpx.MockTransport(answer)) as api:
        with pytest.raises(ApiError) as e:
            api.community()
        assert type(e.value) is ApiError and e.value.status == 502
        assert e.value.message == "Bad Gateway from the proxy"
        with pytest.raises(NotFound) as nf:
            api.zones()
        assert nf.value.message == "Not Found" and nf.value.code == "error"
