"""One device at a time over a live server: list, read, create or replace, remove, and who may."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from api_server import Tokens, headers

from topology.events import Event, EventKind
from topology.model import DeviceType, InterfaceType
from topology.network import CommunityNetwork

HOME1 = "androscoggin:gorham-home-01"  # owner adoe, zone gorham; device "cpe"
HOME2 = "androscoggin:gorham-home-02"  # owner broe, zone gorham; device "cpe"
BERLIN_HOME = "androscoggin:berlin-home-01"  # zone berlin


def router(**extra: Any) -> dict[str, Any]:
    return {
        "name": "Roof router",
        "type": "router",
        "model": "GL.iNet GL-AR300M",
        "firmware": "OpenWrt 23.05",
        "status": "Working",
        "interfaces": [
            {"name": "eth0", "type": "lan"},
            {"name": "wlan0", "type": "wlan",
             "radio": {"mode": "mesh", "ssid": "mesh", "channel": 36}},
        ],
        **extra,
    }  # fmt: skip


def test_list_and_read_are_public(client: httpx.Client) -> None:
    listed = client.get(f"/nodes/{HOME1}/devices")
    assert listed.status_code == 200
    assert [d["id"] for d in listed.json()] == ["cpe"]
    assert listed.json() == client.get(f"/nodes/{HOME1}").json()["devices"]
    one = client.get("/nodes/gorham-home-01/devices/cpe")  # a local node id works too
    assert one.status_code == 200 and one.json() == listed.json()[0]
    assert one.json()["interfaces"][0]["radio"]["ssid"] == "avm-gorham-town-hall"


def test_unknown_node_or_device_is_404(client: httpx.Client, tokens: Tokens) -> None:
    h = headers(tokens.admin)
    for r in (
        client.get("/nodes/nowhere/devices"),
        client.get("/nodes/nowhere/devices/cpe"),
        client.put("/nodes/nowhere/devices/cpe", json=router(), headers=h),
        client.delete("/nodes/nowhere/devices/cpe", headers=h),
        client.get(f"/nodes/{HOME1}/devices/toaster"),
        client.delete(f"/nodes/{HOME1}/devices/toaster", headers=h),
    ):
        assert r.status_code == 404, (r.request.method, r.request.url, r.text)
        assert r.json()["error"]["code"] == "not_found"


def test_owner_creates_replaces_and_removes_a_device(
    client: httpx.Client, tokens: Tokens, api_network: CommunityNetwork
) -> None:
    seen: list[Event] = []
    unsubscribe = api_network.events.subscribe(seen.append)
    h = headers(tokens.adoe)
    try:
        made = client.put(f"/nodes/{HOME1}/devices/roof-router", json=router(), headers=h)
        assert made.status_code == 201, made.text
        assert made.json()["id"] == "roof-router" and made.json()["model"] == "GL.iNet GL-AR300M"
        node = api_network.graph.node(HOME1)
        assert [d.id for d in node.devices] == ["cpe", "roof-router"]  # appended, live
        stored = api_network.store.load_model().node(HOME1)
        assert stored.devices == node.devices  # and committed
        wlan = stored.devices[1].interfaces[1]
        assert wlan.type is InterfaceType.WLAN and wlan.radio is not None
        assert wlan.radio.channel == 36

        # replacing keeps its place; an id in the body may repeat the path's
        changed = router(id="roof-router", name="Roof router (spare)", type="server")
        again = client.put(f"/nodes/{HOME1}/devices/roof-router", json=changed, headers=h)
        assert again.status_code == 200 and again.json()["name"] == "Roof router (spare)"
        cpe = client.put(f"/nodes/{HOME1}/devices/cpe", json=router(name="New CPE"), headers=h)
        assert cpe.status_code == 200
        devices = api_network.graph.node(HOME1).devices
        assert [(d.id, d.name) for d in devices] == [
            ("cpe", "New CPE"),
            ("roof-router", "Roof router (spare)"),
        ]
        assert devices[1].type is DeviceType.SERVER
        assert client.get(f"/nodes/{HOME1}/devices").json()[1]["type"] == "server"

        gone = client.delete(f"/nodes/{HOME1}/devices/roof-router", headers=h)
        assert gone.status_code == 200 and gone.json()["id"] == "roof-router"
        assert [d.id for d in api_network.store.load_model().node(HOME1).devices] == ["cpe"]
        assert client.get(f"/nodes/{HOME1}/devices/roof-router").status_code == 404
        assert client.delete(f"/nodes/{HOME1}/devices/roof-router", headers=h).status_code == 404
    finally:
        unsubscribe()
    changes = [e for e in seen if e.kind is EventKind.NODE_CHANGED and e.subject == HOME1]
    assert len(changes) == 4  # one event per change


def test_a_body_id_other_than_the_paths_is_422(
    client: httpx.Client, tokens: Tokens, api_network: CommunityNetwork
) -> None:
    h = headers(tokens.adoe)
    r = client.put(f"/nodes/{HOME1}/devices/box", json=router(id="other"), headers=h)
    assert r.status_code == 422
    error = r.json()["error"]
    assert (
        error["details"] == [{"loc": ["body", "id"], "message": error["message"]}]
        and "differs from the path" in error["message"]
    )
    assert all(d.id != "box" for d in api_network.graph.node(HOME1).devices)


@pytest.mark.parametrize(
    ("device", "body", "loc"),
    [
        ("bad id!", router(), ["path", "device"]),
        ("box", router(name=""), ["body", "name"]),
        ("box", router(id="bad id!"), ["body", "id"]),
        ("box", router(colour="red"), ["body", "colour"]),
        ("box", router(interfaces=[{"name": "x", "radio": {"mode": "loud"}}]),
         ["body", "interfaces", 0, "radio", "mode"]),
    ],
)  # fmt: skip
def test_bad_input_is_422_with_its_field(
    client: httpx.Client, tokens: Tokens, device: str, body: dict[str, Any], loc: list[Any]
) -> None:
    r = client.put(f"/nodes/{HOME1}/devices/{device}", json=body, headers=headers(tokens.admin))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"][0]["loc"] == loc


def test_a_volunteer_cannot_change_another_volunteers_devices(
    client: httpx.Client, tokens: Tokens, api_network: CommunityNetwork
) -> None:
    before = api_network.graph.node(HOME2).devices
    h = headers(tokens.adoe)  # HOME2 is broe's
    put = client.put(f"/nodes/{HOME2}/devices/cpe", json=router(name="mine now"), headers=h)
    assert put.status_code == 403 and put.json()["error"]["code"] == "forbidden"
    new = client.put(f"/nodes/{HOME2}/devices/extra", json=router(), headers=h)
    assert new.status_code == 403
    assert client.delete(f"/nodes/{HOME2}/devices/cpe", headers=h).status_code == 403
    assert api_network.graph.node(HOME2).devices == before
    # broe may; so may a steward of the zone
    ok = client.put(f"/nodes/{HOME2}/devices/extra", json=router(), headers=headers(tokens.broe))
    assert ok.status_code == 201
    steward = client.delete(f"/nodes/{HOME2}/devices/extra", headers=headers(tokens.steward_gorham))
    assert steward.status_code == 200
    assert api_network.graph.node(HOME2).devices == before


@pytest.mark.parametrize("who", ["steward_gorham", "adoe", "agent"])
def test_others_cannot_touch_berlin_devices(client: httpx.Client, tokens: Tokens, who: str) -> None:
    h = headers(getattr(tokens, who))
    url = f"/nodes/{BERLIN_HOME}/devices/x"
    assert client.put(url, json=router(), headers=h).status_code == 403
    assert client.delete(url, headers=h).status_code == 403


def test_public_gets_401(client: httpx.Client, api_network: CommunityNetwork) -> None:
    before = api_network.graph.node(HOME1).devices
    put = client.put(f"/nodes/{HOME1}/devices/cpe", json=router(name="x"))
    assert put.status_code == 401 and put.headers["www-authenticate"] == "Bearer"
    gone = client.delete(f"/nodes/{HOME1}/devices/cpe")
    assert gone.status_code == 401 and gone.headers["www-authenticate"] == "Bearer"
    assert api_network.graph.node(HOME1).devices == before


def test_a_node_holds_at_most_64_devices(client: httpx.Client, tokens: Tokens) -> None:
    h = headers(tokens.admin)
    body = {"id": "crowded", "name": "Crowded", "zone": "gorham",
            "position": {"lat": 44.39, "lon": -71.18},
            "devices": [{"id": f"d{i}", "name": f"D{i}"} for i in range(64)]}  # fmt: skip
    assert client.post("/nodes", json=body, headers=h).status_code == 201
    full = client.put("/nodes/crowded/devices/one-more", json={"name": "x"}, headers=h)
    assert full.status_code == 409 and full.json()["error"]["code"] == "conflict"
    replaced = client.put("/nodes/crowded/devices/d7", json={"name": "Seven"}, headers=h)
    assert replaced.status_code == 200 and replaced.json()["type"] == "router"  # defaults
    assert len(client.get("/nodes/crowded/devices").json()) == 64
