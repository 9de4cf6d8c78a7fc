"""Links, zones and address management over a live server, with their permissions."""

from __future__ import annotations

import httpx
from api_server import Tokens, headers

from topology.network import CommunityNetwork

HOME1 = "androscoggin:gorham-home-01"  # owner adoe, zone gorham
HOME2 = "androscoggin:gorham-home-02"  # owner broe
BERLIN = "androscoggin:berlin-home-01"


def test_owner_adds_a_link_from_their_node(
    client: httpx.Client, tokens: Tokens, api_network: CommunityNetwork
) -> None:
    body = {"a": "gorham-home-01", "b": "gorham-home-02", "type": "wds", "allocate": True}
    r = client.post("/links", json=body, headers=headers(tokens.adoe))
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["link"]["id"] == "androscoggin:gorham-home-01--gorham-home-02"
    assert made["link"]["a"] == HOME1 and made["link"]["status"] == "Planned"
    assert [a["purpose"] for a in made["addresses"]] == ["backbone"]
    assert made["link"]["id"] in api_network.graph.links
    assert client.post("/links", json=body, headers=headers(tokens.adoe)).status_code == 409


def test_link_permissions(client: httpx.Client, tokens: Tokens) -> None:
    between_others = {"id": "x-link", "a": "gorham-home-03", "b": "gorham-home-04"}
    assert (
        client.post("/links", json=between_others, headers=headers(tokens.adoe)).status_code == 403
    )
    assert client.post("/links", json=between_others).status_code == 401
    cross = {"id": "cross", "a": "gorham-home-03", "b": BERLIN, "type": "tunnel"}
    r = client.post("/links", json=cross, headers=headers(tokens.steward_gorham))
    assert r.status_code == 201  # one end in the steward's zone is enough
    lid = r.json()["link"]["id"]
    bad = client.patch(f"/links/{lid}", json={"status": "Working"}, headers=headers(tokens.adoe))
    assert bad.status_code == 403
    ok = client.patch(
        f"/links/{lid}", json={"status": "Working"}, headers=headers(tokens.steward_gorham)
    )
    assert ok.json()["status"] == "Working" and ok.json()["type"] == "tunnel"
    gone = client.delete(f"/links/{lid}", headers=headers(tokens.steward_north))
    assert gone.json()["status"] == "Dropped"


def test_link_body_errors(client: httpx.Client, tokens: Tokens) -> None:
    h = headers(tokens.admin)
    r = client.post("/links", json={"a": "gorham-home-01", "b": "nowhere"}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["loc"] == ["body", "b"]
    r = client.post("/links", json={"a": "gorham-home-01", "b": "gorham-home-01"}, headers=h)
    assert r.status_code == 422
    r = client.post("/links", json={"a": "gorham-home-01", "b": "x", "type": "laser"}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["loc"] == ["body", "type"]
    border = client.post("/links", json={"a": "gorham-home-01", "b": "other:far"}, headers=h)
    assert border.status_code == 201  # a border link to another community's node
    assert border.json()["link"]["id"] == "androscoggin:gorham-home-01--other.far"


def test_zones_create_and_replace(client: httpx.Client, tokens: Tokens) -> None:
    zone = {"id": "gorham-north", "name": "Gorham North", "parent": "gorham"}
    assert client.post("/zones", json=zone, headers=headers(tokens.adoe)).status_code == 403
    r = client.post("/zones", json=zone, headers=headers(tokens.steward_gorham))
    assert r.status_code == 201 and r.json()["parent"] == "gorham"
    assert client.post("/zones", json=zone, headers=headers(tokens.admin)).status_code == 409
    root = {"id": "elsewhere", "name": "Elsewhere"}
    assert (
        client.post("/zones", json=root, headers=headers(tokens.steward_gorham)).status_code == 403
    )
    put = client.put(
        "/zones/gorham-north",
        json={"name": "Gorham North End", "parent": "gorham", "dns_servers": ["10.228.16.2"]},
        headers=headers(tokens.steward_gorham),
    )
    assert put.json()["name"] == "Gorham North End"
    moved = client.put(
        "/zones/gorham-north",
        json={"name": "x", "parent": "berlin"},
        headers=headers(tokens.steward_gorham),
    )
    assert moved.status_code == 403
    loop = client.put(
        "/zones/gorham", json={"name": "G", "parent": "gorham-north"}, headers=headers(tokens.admin)
    )
    assert loop.status_code == 422 and loop.json()["error"]["details"][0]["loc"] == [
        "body",
        "parent",
    ]
    bbox = {"min_lat": 2, "min_lon": 0, "max_lat": 1, "max_lon": 1}
    box = {"id": "b1", "name": "B", "parent": "gorham", "bbox": bbox}
    assert client.post("/zones", json=box, headers=headers(tokens.admin)).status_code == 422


def test_allocate_and_release(client: httpx.Client, tokens: Tokens) -> None:
    want = {"purpose": "lan", "holder_kind": "node", "holder_id": "gorham-home-01"}
    assert client.post("/addresses", json=want).status_code == 401
    assert client.post("/addresses", json=want, headers=headers(tokens.broe)).status_code == 403
    r = client.post("/addresses", json=want, headers=headers(tokens.adoe))
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["holder_id"] == HOME1 and got["prefix"].endswith("/27")
    assert client.get("/addresses/whois", params={"address": got["prefix"][:-3]}).json() == got
    release = {"prefix": got["prefix"]}
    no = client.post("/addresses/release", json=release, headers=headers(tokens.adoe))
    assert no.status_code == 403  # releasing is for stewards
    ok = client.post("/addresses/release", json=release, headers=headers(tokens.steward_gorham))
    assert ok.status_code == 200 and ok.json()["prefix"] == got["prefix"]
    again = client.post("/addresses/release", json=release, headers=headers(tokens.admin))
    assert again.status_code == 404
    bad = client.post(
        "/addresses/release", json={"prefix": "10.0.0.1/8"}, headers=headers(tokens.admin)
    )
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["loc"] == ["body", "prefix"]


def test_allocation_errors_are_4xx(client: httpx.Client, tokens: Tokens) -> None:
    h = headers(tokens.admin)
    huge = {"purpose": "lan", "holder_kind": "node", "holder_id": "gorham-home-01", "prefixlen": 9}
    r = client.post("/addresses", json=huge, headers=h)
    assert r.status_code == 409 and "no free" in r.json()["error"]["message"]
    bad_len = {**huge, "prefixlen": 40}
    assert client.post("/addresses", json=bad_len, headers=h).status_code == 422
    nobody = {"purpose": "lan", "holder_kind": "node", "holder_id": "nowhere"}
    r = client.post("/addresses", json=nobody, headers=h)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["loc"] == ["body", "holder_id"]
    other_zone = {**nobody, "holder_id": "gorham-home-01", "zone": "berlin"}
    assert (
        client.post(
            "/addresses", json=other_zone, headers=headers(tokens.steward_gorham)
        ).status_code
        == 403
    )
