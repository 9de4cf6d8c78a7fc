"""Changing nodes over a live server: register, change, status, retire, and who may."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from api_server import Tokens, headers

from topology.network import CommunityNetwork

HOME1 = "androscoggin:gorham-home-01"  # owner adoe, zone gorham
HOME2 = "androscoggin:gorham-home-02"  # owner broe, zone gorham
BERLIN_HOME = "androscoggin:berlin-home-01"  # zone berlin


def new_node(local: str, zone: str = "gorham", **extra: Any) -> dict[str, Any]:
    return {
        "id": local,
        "name": f"Node {local}",
        "zone": zone,
        "position": {"lat": 44.39, "lon": -71.18},
        **extra,
    }


def test_volunteer_registers_a_node_and_owns_it(
    client: httpx.Client, tokens: Tokens, api_network: CommunityNetwork
) -> None:
    body = new_node(
        "adoe-roof",
        contact={"name": "Alex Doe", "email": "alex.doe@example.org"},
        allocate=True,
    )
    r = client.post("/nodes", json=body, headers=headers(tokens.adoe))
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["node"]["id"] == "androscoggin:adoe-roof"
    assert made["node"]["owner"] == "adoe" and made["node"]["status"] == "Planned"
    assert {a["purpose"] for a in made["addresses"]} == {"lan", "ipv6"}
    assert made["address_error"] is None
    stored = api_network.graph.node("androscoggin:adoe-roof")
    assert stored.owner == "adoe" and stored.contact is not None  # committed and live
    held = client.get("/nodes/adoe-roof/addresses").json()
    assert {a["prefix"] for a in held} == {a["prefix"] for a in made["addresses"]}
    again = client.post("/nodes", json=body, headers=headers(tokens.adoe))
    assert again.status_code == 409


def test_volunteer_may_not_register_for_others_or_as_working(
    client: httpx.Client, tokens: Tokens
) -> None:
    r = client.post("/nodes", json=new_node("x1", owner="broe"), headers=headers(tokens.adoe))
    assert r.status_code == 403
    r = client.post("/nodes", json=new_node("x2", status="Working"), headers=headers(tokens.adoe))
    assert r.status_code == 403
    r = client.post("/nodes", json=new_node("x3", status="Reserved"), headers=headers(tokens.adoe))
    assert r.status_code == 201


def test_public_and_agents_cannot_register(client: httpx.Client, tokens: Tokens) -> None:
    r = client.post("/nodes", json=new_node("p1"))
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert (
        client.post("/nodes", json=new_node("p2"), headers=headers(tokens.agent)).status_code == 403
    )


def test_unknown_zone_is_422_with_its_field(client: httpx.Client, tokens: Tokens) -> None:
    r = client.post("/nodes", json=new_node("z1", zone="atlantis"), headers=headers(tokens.admin))
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["loc"] == ["body", "zone"]


def test_steward_registers_in_their_zones_only(client: httpx.Client, tokens: Tokens) -> None:
    ok = client.post(
        "/nodes",
        json=new_node("sg-relay", status="Working", owner="relay-team"),
        headers=headers(tokens.steward_gorham),
    )
    assert ok.status_code == 201 and ok.json()["node"]["owner"] == "relay-team"
    no = client.post(
        "/nodes", json=new_node("sg-berlin", zone="berlin"), headers=headers(tokens.steward_gorham)
    )
    assert no.status_code == 403
    sub = client.post(  # a steward of north-country stewards its sub-zone berlin
        "/nodes", json=new_node("sn-berlin", zone="berlin"), headers=headers(tokens.steward_north)
    )
    assert sub.status_code == 201


def test_volunteer_changes_only_their_own_node(client: httpx.Client, tokens: Tokens) -> None:
    mine = client.patch(
        f"/nodes/{HOME1}", json={"name": "Alex's roof"}, headers=headers(tokens.adoe)
    )
    assert mine.status_code == 200 and mine.json()["name"] == "Alex's roof"
    theirs = client.patch(
        f"/nodes/{HOME2}", json={"name": "mine now"}, headers=headers(tokens.adoe)
    )
    assert theirs.status_code == 403
    assert client.get(f"/nodes/{HOME2}").json()["name"] != "mine now"
    give = client.patch(f"/nodes/{HOME1}", json={"owner": "broe"}, headers=headers(tokens.adoe))
    assert give.status_code == 403  # changing the owner is for stewards


def test_patch_keeps_absent_fields_and_clears_contact(
    client: httpx.Client, tokens: Tokens, api_network: CommunityNetwork
) -> None:
    h = headers(tokens.admin)
    client.post("/nodes", json=new_node("patchme", contact={"email": "p@example.org"}), headers=h)
    before = client.get("/nodes/patchme", headers=h).json()
    r = client.patch("/nodes/patchme", json={"gateway": True, "contact": None}, headers=h)
    after = r.json()
    assert after["gateway"] is True and "contact" not in after and after["owner"] == ""
    assert after["name"] == before["name"] and after["position"] == before["position"]
    assert api_network.graph.node("androscoggin:patchme").contact is None
    null = client.patch("/nodes/patchme", json={"name": None}, headers=h)
    assert null.status_code == 422


def test_steward_moves_nodes_only_between_their_zones(client: httpx.Client, tokens: Tokens) -> None:
    moved = client.patch(
        f"/nodes/{HOME2}", json={"zone": "berlin"}, headers=headers(tokens.steward_gorham)
    )
    assert moved.status_code == 403
    ok = client.patch(
        f"/nodes/{HOME2}", json={"zone": "berlin"}, headers=headers(tokens.steward_north)
    )
    assert ok.status_code == 200 and ok.json()["zone"] == "berlin"
    back = client.patch(f"/nodes/{HOME2}", json={"zone": "gorham"}, headers=headers(tokens.admin))
    assert back.json()["zone"] == "gorham"


def test_status_changes(client: httpx.Client, tokens: Tokens) -> None:
    h = headers(tokens.adoe)
    client.post("/nodes", json=new_node("adoe-shed"), headers=h)
    assert (
        client.post("/nodes/adoe-shed/status", json={"status": "Reserved"}, headers=h).json()[
            "status"
        ]
        == "Reserved"
    )
    working = client.post("/nodes/adoe-shed/status", json={"status": "Working"}, headers=h)
    assert working.status_code == 403  # owners move between Planned and Reserved only
    steward = client.post(
        "/nodes/adoe-shed/status",
        json={"status": "Working"},
        headers=headers(tokens.steward_gorham),
    )
    assert steward.json()["status"] == "Working"
    bad = client.post("/nodes/adoe-shed/status", json={"status": "Flying"}, headers=h)
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["loc"] == ["body", "status"]


def test_retire(client: httpx.Client, tokens: Tokens, api_network: CommunityNetwork) -> None:
    client.post("/nodes", json=new_node("adoe-old"), headers=headers(tokens.adoe))
    assert client.delete("/nodes/adoe-old", headers=headers(tokens.broe)).status_code == 403
    assert client.delete("/nodes/adoe-old").status_code == 401
    r = client.delete("/nodes/adoe-old", headers=headers(tokens.adoe))
    assert r.status_code == 200 and r.json()["status"] == "Dropped"
    assert api_network.store.load_model().node("androscoggin:adoe-old").status.value == "Dropped"
    assert client.delete("/nodes/nowhere", headers=headers(tokens.admin)).status_code == 404


@pytest.mark.parametrize("who", ["steward_gorham", "adoe", "broe", "agent"])
def test_nobody_but_stewards_of_berlin_touches_berlin(
    client: httpx.Client, tokens: Tokens, who: str
) -> None:
    token = getattr(tokens, who)
    r = client.patch(f"/nodes/{BERLIN_HOME}", json={"name": "x"}, headers=headers(token))
    assert r.status_code == 403
    r = client.post(
        f"/nodes/{BERLIN_HOME}/status", json={"status": "Dropped"}, headers=headers(token)
    )
    assert r.status_code == 403


def test_revoked_and_unknown_tokens_get_401(client: httpx.Client) -> None:
    for value in ("Bearer mc_000000000000_" + "x" * 43, "Bearer nonsense", "Basic abc", "Bearer"):
        r = client.get("/nodes?limit=1", headers={"Authorization": value})
        assert r.status_code == 401, value
        assert r.json()["error"]["code"] == "unauthorized"
