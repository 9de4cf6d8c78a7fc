"""Tokens over a live server: shown once, stored hashed, revocable; agents bound to a node.

The agent check is the dependency the reports router uses
(:func:`topology.api.deps.require_agent_for`); it is exercised here through a small
router added with ``create_app(routers=...)``, as the lead adds the real ones.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Annotated

import httpx
import pytest
from api_server import API, LiveServer, Tokens, headers, start_server
from fastapi import APIRouter, Depends
from sqlalchemy import text

from topology.api.app import ROUTERS, create_app
from topology.api.deps import API_PREFIX, ApiSettings, require_agent_for
from topology.auth import Principal, hash_token
from topology.network import CommunityNetwork

HOME1 = "androscoggin:gorham-home-01"  # owner adoe; the fixture's agent token is its
HOME2 = "androscoggin:gorham-home-02"  # owner broe


def _reports_module() -> types.ModuleType:
    router = APIRouter(prefix=API_PREFIX)

    @router.post("/nodes/{node}/reports", status_code=202)
    def post_report(
        node: str, agent: Annotated[Principal, Depends(require_agent_for)]
    ) -> dict[str, str | None]:
        return {"status": "accepted", "by": agent.node_id}

    module = types.ModuleType("fake_reports")
    module.router = router  # type: ignore[attr-defined]
    return module


@pytest.fixture(scope="module")
def agent_client(api_network: CommunityNetwork) -> Iterator[httpx.Client]:
    app = create_app(
        api_network,
        ApiSettings(close_network_on_shutdown=False),
        routers=(*ROUTERS, _reports_module()),
    )
    server: LiveServer = start_server(app)
    with httpx.Client(base_url=server.url + API) as c:
        yield c
    server.stop()


def test_agent_posts_for_its_own_node_only(agent_client: httpx.Client, tokens: Tokens) -> None:
    mine = agent_client.post(f"/nodes/{HOME1}/reports", headers=headers(tokens.agent))
    assert mine.status_code == 202 and mine.json()["by"] == HOME1
    local = agent_client.post("/nodes/gorham-home-01/reports", headers=headers(tokens.agent))
    assert local.status_code == 202
    other = agent_client.post(f"/nodes/{HOME2}/reports", headers=headers(tokens.agent))
    assert other.status_code == 403
    assert agent_client.post(f"/nodes/{HOME1}/reports").status_code == 401
    volunteer = agent_client.post(f"/nodes/{HOME1}/reports", headers=headers(tokens.adoe))
    assert volunteer.status_code == 403  # even the owner: reports come from the agent
    unknown = agent_client.post("/nodes/nowhere/reports", headers=headers(tokens.agent))
    assert unknown.status_code == 404


def test_create_shows_the_secret_once_and_stores_only_its_hash(
    client: httpx.Client, tokens: Tokens, api_network: CommunityNetwork
) -> None:
    r = client.post(
        "/tokens", json={"role": "volunteer", "name": "newbie"}, headers=headers(tokens.admin)
    )
    assert r.status_code == 201
    made = r.json()
    secret = made["token"]
    assert secret.startswith("mc_") and made["role"] == "volunteer"
    listed = client.get("/tokens", headers=headers(tokens.admin))
    assert secret.encode() not in listed.content and made["id"] in listed.text
    one = client.get(f"/tokens/{made['id']}", headers=headers(tokens.admin)).json()
    assert "token" not in one
    with api_network.store.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM tokens")).all()
    assert not any(secret in str(tuple(row)) for row in rows)
    assert any(hash_token(secret) in tuple(row) for row in rows)
    assert client.get("/nodes?limit=1", headers=headers(secret)).status_code == 200


def test_revoked_token_gets_401(client: httpx.Client, tokens: Tokens) -> None:
    made = client.post(
        "/tokens", json={"role": "volunteer", "name": "leaver"}, headers=headers(tokens.admin)
    ).json()
    secret = made["token"]
    me = headers(secret)
    assert client.get("/tokens", headers=me).status_code == 200
    gone = client.delete(f"/tokens/{made['id']}", headers=me)  # one may revoke one's own
    assert gone.status_code == 200 and gone.json()["revoked_at"] is not None
    r = client.get("/nodes?limit=1", headers=me)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"


def test_volunteer_creates_agent_tokens_for_their_nodes(
    client: httpx.Client, tokens: Tokens
) -> None:
    h = headers(tokens.broe)
    r = client.post("/tokens", json={"role": "agent", "node": HOME2}, headers=h)
    assert r.status_code == 201 and r.json()["node"] == HOME2
    again = client.post("/tokens", json={"role": "agent", "node": HOME2}, headers=h)
    assert again.status_code == 409  # one live agent token per node
    swap = client.post("/tokens", json={"role": "agent", "node": HOME2, "replace": True}, headers=h)
    assert swap.status_code == 201
    old = headers(r.json()["token"])
    assert client.get("/nodes?limit=1", headers=old).status_code == 401  # replaced = revoked
    mine = client.get("/tokens", headers=h).json()
    assert {t["id"] for t in mine} == {r.json()["id"], swap.json()["id"]}
    assert client.delete(f"/tokens/{swap.json()['id']}", headers=h).status_code == 200
    other = client.post("/tokens", json={"role": "agent", "node": HOME1}, headers=h)
    assert other.status_code == 403
    admin = client.post("/tokens", json={"role": "admin", "name": "me"}, headers=h)
    assert admin.status_code == 403


def test_stewards_create_agent_tokens_in_their_zones(client: httpx.Client, tokens: Tokens) -> None:
    h = headers(tokens.steward_gorham)
    ok = client.post("/tokens", json={"role": "agent", "node": "gorham-school"}, headers=h)
    assert ok.status_code == 201
    no = client.post("/tokens", json={"role": "agent", "node": "berlin-library"}, headers=h)
    assert no.status_code == 403
    steward = client.post(
        "/tokens", json={"role": "steward", "name": "s2", "zones": ["gorham"]}, headers=h
    )
    assert steward.status_code == 403


def test_token_body_errors(client: httpx.Client, tokens: Tokens) -> None:
    h = headers(tokens.admin)
    cases: list[tuple[dict[str, object], list[str | int]]] = [
        ({"role": "steward", "name": "s"}, ["body", "zones"]),
        ({"role": "steward", "name": "s", "zones": ["gorham", "atlantis"]}, ["body", "zones", 1]),
        ({"role": "agent"}, ["body", "node"]),
        ({"role": "agent", "node": "nowhere"}, ["body", "node"]),
        ({"role": "admin"}, ["body", "name"]),
        ({"role": "public", "name": "x"}, ["body", "role"]),
        ({"role": "volunteer", "name": "x", "node": HOME1}, ["body", "node"]),
    ]
    for body, loc in cases:
        r = client.post("/tokens", json=body, headers=h)
        assert r.status_code == 422, body
        assert r.json()["error"]["details"][0]["loc"][: len(loc)] == loc, body


def test_tokens_are_not_public(client: httpx.Client, tokens: Tokens) -> None:
    assert client.get("/tokens").status_code == 401
    assert client.get(f"/tokens/{tokens.ids['admin']}").status_code == 401
    assert client.delete(f"/tokens/{tokens.ids['admin']}").status_code == 401
    assert client.post("/tokens", json={"role": "admin", "name": "x"}).status_code == 401
    hidden = client.get(f"/tokens/{tokens.ids['admin']}", headers=headers(tokens.adoe))
    assert hidden.status_code == 404  # others' tokens do not exist for a volunteer
    assert client.get("/tokens/ffffffffffff", headers=headers(tokens.admin)).status_code == 404
