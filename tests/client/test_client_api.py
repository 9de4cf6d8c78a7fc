"""MeshClient against the real service: every method's happy path, typed results."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.client.conftest import HOME, TOWN_HALL, Served
from topology.client import MeshClient, Unauthorized
from topology.client_models import AlertInfo

HOME_LINK = "androscoggin:gorham-town-hall--gorham-home-01"


def report(seq: int, cost: float = 1.1, signal: float = -60.0) -> dict[str, Any]:
    return {
        "seq": seq,
        "time": datetime.now(UTC).isoformat(),
        "interval_s": 1,
        "links": [
            {
                "neighbour": TOWN_HALL,
                "interface": "wlan1",
                "cost": cost,
                "signal_dbm": signal,
                "rate_mbps": 130.0,
                "loss": 0.02,
                "rx_cost": 280,
                "tx_cost": 290,
            }
        ],
        "interfaces": [{"name": "wlan1", "rx_bytes": 1000 * seq, "tx_bytes": 400 * seq}],
        "system": {"uptime_s": 3600 + seq, "load1": 0.2, "memory_used_pct": 41.0, "clients": 3},
        "collectors": [{"name": "simulated", "ok": True, "error": ""}],
    }


def test_health_and_community(public: MeshClient) -> None:
    health = public.healthz()
    assert health["status"] == "ok" and health["store"] == "sqlite"
    community = public.community()
    assert community["slug"] == "androscoggin"
    assert community["name"] == "Androscoggin Valley Mesh"


def test_zones(public: MeshClient, admin: MeshClient) -> None:
    ids = {z["id"] for z in public.zones()}
    assert {"north-country", "gorham", "berlin"} <= ids
    assert public.zone("gorham")["parent"] == "north-country"
    made = admin.create_zone({"id": "shelburne", "name": "Shelburne", "parent": "north-country"})
    assert made["id"] == "shelburne"
    put = admin.put_zone("shelburne", {"name": "Shelburne, NH", "parent": "north-country"})
    assert put["name"] == "Shelburne, NH"


def test_nodes_filters_and_pages(public: MeshClient) -> None:
    everything = public.all_nodes()
    assert len(everything) >= 35
    working = public.nodes(status="Working")
    assert working and all(n["status"] == "Working" for n in working)
    page = public.nodes(limit=5, offset=5)
    assert [n["id"] for n in page] == [n["id"] for n in everything[5:10]]
    assert any("library" in n["id"] for n in public.nodes(q="library"))
    home = public.node(HOME)
    assert home["name"] == "Home on Exchange Street"
    assert "contact" not in home and "owner" not in home  # public view


def test_node_lifecycle(served: Served, admin: MeshClient) -> None:
    with served.client(served.volunteer) as adoe:
        created = adoe.register_node(
            {"id": "client-test-node", "name": "Client test node", "zone": "gorham",
             "position": {"lat": 44.39, "lon": -71.17}},
            allocate=True,
        )  # fmt: skip
        node = created["node"]
        assert node["id"] == "androscoggin:client-test-node" and node["status"] == "Planned"
        assert node["owner"] == "adoe"
        assert {a["purpose"] for a in created["addresses"]} == {"lan", "ipv6"}
        assert adoe.update_node(node["id"], {"name": "Renamed"})["name"] == "Renamed"
        assert adoe.set_status(node["id"], "Reserved")["status"] == "Reserved"
    assert admin.set_status(node["id"], "Working")["status"] == "Working"
    assert {a["purpose"] for a in admin.node_addresses(node["id"])} == {"lan", "ipv6"}
    assert admin.retire_node(node["id"])["status"] == "Dropped"


def test_links(public: MeshClient, admin: MeshClient) -> None:
    mine = public.links(node=HOME)
    assert HOME_LINK in {lk["id"] for lk in mine}
    link = public.link(HOME_LINK)
    assert {link["a"], link["b"]} == {HOME, TOWN_HALL}
    assert len(public.all_links()) >= 34
    made = admin.add_link(
        {"a": "gorham-school", "b": "gorham-library", "type": "wds", "status": "Planned"},
        allocate=True,
    )
    assert made["link"]["id"] == "androscoggin:gorham-school--gorham-library"
    assert made["addresses"][0]["purpose"] == "backbone"
    changed = admin.update_link(made["link"]["id"], {"status": "Testing"})
    assert changed["status"] == "Testing"
    assert admin.retire_link(made["link"]["id"])["status"] == "Dropped"


def test_addresses(public: MeshClient, admin: MeshClient) -> None:
    got = admin.allocate("lan", "node", "gorham-fire-station", zone="gorham", prefixlen=28)
    assert got["prefix"].endswith("/28") and got["holder_id"].endswith("gorham-fire-station")
    first = got["prefix"].split("/")[0]
    held = public.whois(first)
    assert held is not None and held["prefix"] == got["prefix"]
    assert public.whois("192.0.2.1") is None  # nobody holds it
    released = admin.release(got["prefix"])
    assert released["prefix"] == got["prefix"]
    pools = public.pools()
    assert any(p["prefix"] == "10.228.0.0/16" and p["free"] > 0 for p in pools)


def test_routing(public: MeshClient) -> None:
    path = public.route("gorham-home-01", "berlin-library")
    assert path["source"] == HOME and path["hop_count"] == len(path["hops"]) > 2
    assert path["bottleneck"] is not None
    routes = public.node_routes(HOME)
    assert routes["type"] == "NetworkRoutes" and routes["routes"]
    gateways = public.gateways()
    assert "androscoggin:gorham-library" in gateways["gateways"]
    assert any(n["node"] == HOME for n in gateways["nodes"])
    cut = public.whatif(node="mount-hayes-relay")
    assert cut["kind"] == "node" and not cut["harmless"]
    assert public.whatif(link=HOME_LINK)["kind"] == "link"
    graph = public.graph()
    assert graph["type"] == "NetworkGraph" and len(graph["nodes"]) >= 35


def test_tokens(served: Served, admin: MeshClient) -> None:
    made = admin.create_token("agent", "client-test", node="gorham-home-02", note="test")
    assert made["role"] == "agent" and made["node"] == "androscoggin:gorham-home-02"
    assert made["token"].startswith("mc_")
    assert made["id"] in {t["id"] for t in admin.tokens()}
    assert all("token" not in t for t in admin.tokens())
    with served.client(made["token"]) as agent:
        assert agent.healthz()["status"] == "ok"
        admin.revoke_token(made["id"])
        with pytest.raises(Unauthorized):
            agent.node(HOME)


def test_reports_plain_gzip_duplicate_and_metrics(served: Served, public: MeshClient) -> None:
    with served.client(served.agent) as agent:
        first = agent.post_report(HOME, report(1))
        assert first["status"] == "accepted" and first["seq"] == 1
        assert agent.post_report(HOME, report(1))["status"] == "duplicate"
        zipped = agent.post_report(HOME, report(2, cost=1.3), gzip=True)
        assert zipped["status"] == "accepted" and zipped["links"] == 1
    assert public.link(HOME_LINK)["metrics"]["cost"] == pytest.approx(1.3)
    history = public.link_metrics(HOME_LINK)
    assert history["link"] == HOME_LINK and len(history["points"]) >= 2
    node = public.node_metrics(HOME)
    assert node["last_report"] is not None and node["last_report"]["seq"] == 2
    assert node["liveness"] is not None and node["liveness"]["state"] == "up"


def test_alerts_raise_and_acknowledge(served: Served, admin: MeshClient) -> None:
    with served.client(served.agent) as agent:
        agent.post_report(HOME, report(100, cost=14.0, signal=-88.0))
    deadline = time.monotonic() + 10
    found: list[AlertInfo] = []
    while not found and time.monotonic() < deadline:
        found = admin.alerts(active=True, kind="link.degraded", subject=HOME_LINK)
        time.sleep(0.1)
    assert found, "no link.degraded alert was raised"
    alert = found[0]
    assert alert["severity"] == "warning" and "degraded" in alert["message"]
    acked = admin.ack_alert(alert["id"])
    assert acked["acknowledged_at"] is not None and acked["acknowledged_by"]
    assert any(a["id"] == alert["id"] for a in admin.alerts())
