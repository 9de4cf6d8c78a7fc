"""A revoked agent token is refused at once, though agent principals are cached.

Against the full service (:func:`topology.api.service.create_service_app`, ingestion
running) on a live server, with reports answered by the FastAPI route and by the fast
path, both using the module-level agent cache as ``meshctl serve`` does.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from api_server import API, Tokens, headers, start_server

from topology.api.deps import ApiSettings
from topology.api.service import create_service_app
from topology.network import CommunityNetwork

HOME1 = "androscoggin:gorham-home-01"  # owner adoe
HOME2 = "androscoggin:gorham-home-02"  # owner broe
SEQ = itertools.count(1)  # one sequence for every node: always growing


@pytest.fixture(scope="module", params=[False, True], ids=["route", "fast-path"])
def service(
    api_network: CommunityNetwork, request: pytest.FixtureRequest
) -> Iterator[httpx.Client]:
    app = create_service_app(
        api_network, ApiSettings(close_network_on_shutdown=False), fast_path=request.param
    )
    server = start_server(app)
    with httpx.Client(base_url=server.url + API, timeout=30) as client:
        yield client
    server.stop()


def agent_token(client: httpx.Client, by: str, node: str) -> tuple[str, str]:
    """A new agent token of ``node`` (replacing its current one): (id, secret)."""
    r = client.post("/tokens", json={"role": "agent", "node": node, "replace": True},
                    headers=headers(by))  # fmt: skip
    assert r.status_code == 201, r.text
    return r.json()["id"], r.json()["token"]


def report(client: httpx.Client, node: str, secret: str) -> httpx.Response:
    body = {"seq": next(SEQ), "time": datetime.now(UTC).isoformat()}
    return client.post(f"/nodes/{node}/reports", json=body, headers=headers(secret))


def test_a_revoked_agent_token_gets_401_at_once(service: httpx.Client, tokens: Tokens) -> None:
    token_id, secret = agent_token(service, tokens.admin, HOME1)
    _, other = agent_token(service, tokens.admin, HOME2)
    assert report(service, HOME1, secret).status_code == 202
    assert report(service, HOME1, secret).status_code == 202  # now from the cache
    assert report(service, HOME2, other).status_code == 202
    revoked = service.delete(f"/tokens/{token_id}", headers=headers(tokens.admin))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    refused = report(service, HOME1, secret)
    assert refused.status_code == 401, refused.text
    assert refused.headers["www-authenticate"] == "Bearer"
    assert refused.json()["error"]["code"] == "unauthorized"
    assert report(service, HOME2, other).status_code == 202  # the others still post


def test_an_agent_that_revokes_its_own_token_is_refused_next(
    service: httpx.Client, tokens: Tokens
) -> None:
    token_id, secret = agent_token(service, tokens.adoe, HOME1)  # adoe owns HOME1
    assert report(service, HOME1, secret).status_code == 202
    assert service.delete(f"/tokens/{token_id}", headers=headers(secret)).status_code == 200
    assert report(service, HOME1, secret).status_code == 401


def test_a_replaced_agent_token_gets_401_at_once(service: httpx.Client, tokens: Tokens) -> None:
    _, old = agent_token(service, tokens.broe, HOME2)  # broe owns HOME2
    assert report(service, HOME2, old).status_code == 202
    _, new = agent_token(service, tokens.broe, HOME2)
    assert report(service, HOME2, old).status_code == 401
    assert report(service, HOME2, new).status_code == 202
