"""Reading endpoints over a live server: every happy path, NetJSON validity, 404s."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema
from api_server import LiveServer, Tokens, headers

from topology.inventory import PUBLIC_POSITION_DECIMALS
from topology.network import CommunityNetwork

LIBRARY = "androscoggin:gorham-library"
HOME = "androscoggin:gorham-home-01"


def schema(folder: Path, name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((folder / name).read_text())
    return loaded


def test_healthz(live: LiveServer) -> None:
    r = httpx.get(live.url + "/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["store"] == "sqlite"
    assert isinstance(body["graph_version"], int) and body["version"]


def test_openapi_document(live: LiveServer) -> None:
    doc = httpx.get(live.url + "/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    for path in ("/api/v1/nodes", "/api/v1/nodes/{node}/routes", "/api/v1/graph", "/healthz"):
        assert path in doc["paths"]
    assert "HTTPBearer" in doc["components"]["securitySchemes"]


def test_community(client: httpx.Client) -> None:
    body = client.get("/community").json()
    assert body["slug"] == "androscoggin"
    assert body["address_plan"]["ipv4_lan"] == "10.228.0.0/16"
    assert body["nodes"] >= 30 and body["zones"] == 3


def test_zones(client: httpx.Client) -> None:
    zones = {z["id"]: z for z in client.get("/zones").json()}
    assert zones["gorham"]["parent"] == "north-country"
    assert client.get("/zones/berlin").json()["name"] == "Berlin"
    assert client.get("/zones/atlantis").status_code == 404


def test_node_list_filters_and_pages(client: httpx.Client) -> None:
    everything = client.get("/nodes", params={"limit": 1000}).json()
    assert everything["total"] == len(everything["items"]) >= 30
    gorham = client.get("/nodes", params={"zone": "gorham", "limit": 1000}).json()
    assert {n["zone"] for n in gorham["items"]} == {"gorham"}
    north = client.get("/nodes", params={"zone": "north-country", "limit": 1000}).json()
    assert north["total"] == everything["total"]  # sub-zones included
    planned = client.get("/nodes", params={"status": "Planned", "limit": 1000}).json()
    assert planned["total"] >= 1 and {n["status"] for n in planned["items"]} == {"Planned"}
    found = client.get("/nodes", params={"q": "LIBRARY"}).json()
    assert LIBRARY in {n["id"] for n in found["items"]}
    page = client.get("/nodes", params={"limit": 5, "offset": 5}).json()
    assert [n["id"] for n in page["items"]] == [n["id"] for n in everything["items"][5:10]]


def test_one_node_by_global_or_local_id(client: httpx.Client) -> None:
    by_global = client.get(f"/nodes/{LIBRARY}").json()
    by_local = client.get("/nodes/gorham-library").json()
    assert by_global == by_local
    assert by_global["gateway"] is True and by_global["devices"]


def test_unknown_node_is_404_everywhere(client: httpx.Client) -> None:
    for path in ("/nodes/nowhere", "/nodes/other:nowhere/routes", "/nodes/nowhere/addresses"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert r.json()["error"]["code"] == "not_found"
    r = client.get("/routes/path", params={"source": LIBRARY, "target": "nowhere"})
    assert r.status_code == 404


def test_public_sees_no_contact_owner_or_exact_home(
    client: httpx.Client, api_network: CommunityNetwork
) -> None:
    home = api_network.graph.node(HOME)
    assert home.contact is not None and home.owner and home.private_position
    raw = client.get(f"/nodes/{HOME}").content + client.get("/nodes?limit=1000").content
    for secret in (home.contact.email, home.contact.phone, home.contact.name, home.owner):
        assert secret.encode() not in raw
    assert b'"contact"' not in raw and b'"owner"' not in raw
    pos = client.get(f"/nodes/{HOME}").json()["position"]
    assert pos["lat"] == round(home.position.lat, PUBLIC_POSITION_DECIMALS)
    assert pos["lon"] == round(home.position.lon, PUBLIC_POSITION_DECIMALS)
    assert (pos["lat"], pos["lon"]) != (home.position.lat, home.position.lon)


def test_contact_for_owner_steward_and_admin_only(
    client: httpx.Client, tokens: Tokens, api_network: CommunityNetwork
) -> None:
    home = api_network.graph.node(HOME)
    assert home.contact is not None
    for who in (tokens.adoe, tokens.steward_gorham, tokens.steward_north, tokens.admin):
        body = client.get(f"/nodes/{HOME}", headers=headers(who)).json()
        assert body["contact"]["email"] == home.contact.email and body["owner"] == "adoe"
        assert body["position"]["lat"] == home.position.lat
    for who in (tokens.broe, tokens.agent):
        raw = client.get(f"/nodes/{HOME}", headers=headers(who)).content
        assert home.contact.email.encode() not in raw and b"adoe" not in raw
    listed = client.get("/nodes?limit=1000", headers=headers(tokens.adoe)).json()["items"]
    assert [n["id"] for n in listed if "contact" in n] == [HOME]  # only their own


def test_links(client: httpx.Client) -> None:
    links = client.get("/links").json()
    assert links["total"] == len(links["items"]) >= 30
    mine = client.get("/links", params={"node": "gorham-library"}).json()["items"]
    assert mine and all(LIBRARY in (lk["a"], lk["b"]) for lk in mine)
    wds = client.get("/links", params={"type": "wds"}).json()["items"]
    assert {lk["type"] for lk in wds} == {"wds"}
    one = mine[0]
    assert client.get(f"/links/{one['id']}").json() == one
    assert client.get("/links/androscoggin:no-such-link").status_code == 404


def test_addresses(client: httpx.Client) -> None:
    held = client.get(f"/nodes/{LIBRARY}/addresses").json()
    assert {a["purpose"] for a in held} == {"lan", "ipv6"}
    lan = next(a for a in held if a["purpose"] == "lan")
    first = lan["prefix"].split("/")[0]
    assert client.get("/addresses/whois", params={"address": first}).json() == lan
    assert client.get("/addresses/whois", params={"address": "192.0.2.1"}).status_code == 404
    bad = client.get("/addresses/whois", params={"address": "10.300.0.1"})
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["loc"] == [
        "query",
        "address",
    ]
    pools = client.get("/addresses/pools").json()
    assert {p["purpose"] for p in pools} == {"lan", "backbone", "ipv6"}
    assert all(p["total"] == p["allocated"] + p["delegated"] + p["held"] + p["free"] for p in pools)
    listed = client.get("/addresses", params={"holder": "gorham-library"}).json()
    assert listed == held


def test_path_gateways_whatif(client: httpx.Client) -> None:
    path = client.get(
        "/routes/path", params={"source": "gorham-home-01", "target": "berlin-library"}
    ).json()
    assert path["nodes"][0] == HOME and path["nodes"][-1] == "androscoggin:berlin-library"
    assert path["hop_count"] == len(path["hops"]) == len(path["nodes"]) - 1
    assert path["bottleneck"]["cost"] == max(h["cost"] for h in path["hops"])
    gw = client.get("/gateways").json()
    assert set(gw["gateways"]) == {LIBRARY, "androscoggin:berlin-library"}
    assert {g["node"]: g["gateway"] for g in gw["nodes"]}[LIBRARY] == LIBRARY
    what = client.post("/whatif", json={"node": "gorham-library"}).json()
    assert what["kind"] == "node" and what["removed"] == LIBRARY
    assert not what["harmless"]
    link = client.get("/links").json()["items"][0]["id"]
    assert client.post("/whatif", json={"link": link}).json()["kind"] == "link"
    both = client.post("/whatif", json={"node": "gorham-library", "link": link})
    assert both.status_code == 422


def test_node_routes_are_netjson(client: httpx.Client, netjson_schema_dir: Path) -> None:
    routes = client.get(f"/nodes/{LIBRARY}/routes").json()
    jsonschema.Draft4Validator(schema(netjson_schema_dir, "network-routes.json")).validate(routes)
    assert routes["type"] == "NetworkRoutes" and routes["router_id"] == LIBRARY
    assert routes["routes"] and all("/" in r["destination"] for r in routes["routes"])


def test_graph_is_netjson(client: httpx.Client, netjson_schema_dir: Path) -> None:
    raw = client.get("/graph")
    graph = raw.json()
    jsonschema.Draft4Validator(schema(netjson_schema_dir, "network-graph.json")).validate(graph)
    assert graph["type"] == "NetworkGraph" and graph["label"] == "Androscoggin Valley Mesh"
    assert len(graph["nodes"]) >= 30 and graph["links"]
    assert b"example.org" not in raw.content and b"adoe" not in raw.content
