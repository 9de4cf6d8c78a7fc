"""Three real services in a line: routes across communities, staleness, recovery."""

from __future__ import annotations

import time

import httpx
import pytest
from fed_support import FedService, Line

pytestmark = pytest.mark.slow


def _peer(service: FedService, community: str) -> dict[str, object]:
    peers = service.get("/peers").json()
    return next(p for p in peers if p["community"] == community)


def test_peering_through_the_api_needs_an_admin(line: Line) -> None:
    body = {"url": line.b.url, "fingerprint": line.b.federation.fingerprint}
    public = httpx.post(line.a.url + "/api/v1/federation/peers", json=body, timeout=10)
    assert public.status_code == 401
    added = line.a.call("POST", "/peers", json=body)
    assert added.status_code == 201, added.text
    assert added.json()["community"] == "beta" and added.json()["status"] == "never"
    again = line.a.call("POST", "/peers", json=body)
    assert again.status_code == 409
    unknown = line.a.call("POST", "/peers", json={"url": line.b.url, "fingerprint": "SHA256:x"})
    assert unknown.status_code == 422 and "fingerprint" in unknown.json()["error"]["message"]
    for service, other in ((line.b, line.a), (line.b, line.c), (line.c, line.b)):
        body = {"url": other.url, "fingerprint": other.federation.fingerprint}
        assert service.call("POST", "/peers", json=body).status_code == 201


def test_a_route_from_a_to_c_goes_through_b(line: Line) -> None:
    line.poll_all()
    line.poll_all()  # A and C learn of each other's feed through B
    for service, other in ((line.a, "beta"), (line.a, "gamma"), (line.c, "alpha")):
        peer = _peer(service, other)
        assert peer["status"] == "ok" and peer["revision"] == 1, peer
    r = line.a.get("/route", source="alpha:n0", target="gamma:n2").json()
    assert r["status"] == "ok"
    assert r["communities"] == ["alpha", "beta", "gamma"]
    assert [h["link"] for h in r["hops"] if h["border"]] == ["alpha:to-beta", "beta:to-gamma"]
    assert r["crossings"] == 2 and r["total_cost"] == pytest.approx(12.0)
    back = line.c.get("/route", source="gamma:n2", target="n0").json()  # local ids: C's own
    assert back["status"] == "unavailable" or back["nodes"][-1] == "gamma:n0"
    back = line.c.get("/route", source="n2", target="alpha:n0").json()
    assert back["status"] == "ok" and "beta:n1" in back["nodes"]


def test_an_unchanged_feed_costs_no_transfer(line: Line) -> None:
    first = line.b.get("/feed")
    etag = first.headers["etag"]
    again = httpx.get(
        line.b.url + "/api/v1/federation/feed", headers={"If-None-Match": etag}, timeout=10
    )
    assert again.status_code == 304 and again.content == b""
    assert line.b.get("/feed").headers["etag"] == etag  # same revision, same document


def test_what_if_across_communities(line: Line) -> None:
    w = line.a.get("/whatif", node="beta:n1").json()
    assert "gamma:n2" in w["lost_reach"] or "alpha:n0" in w["lost_reach"]
    assert set(w["communities_hurt"]) & {"alpha", "gamma"}
    g = line.a.get("/graph").json()
    assert {n["community"] for n in g["nodes"]} == {"alpha", "beta", "gamma"}
    assert sum(1 for lk in g["links"] if lk["border"]) == 2
    assert all(n["own"] == (n["community"] == "alpha") for n in g["nodes"])


def test_stop_b_then_stale_and_unavailable_then_back(line: Line) -> None:
    line.b.stop()
    time.sleep(line.a.stale_after_s + 0.1)
    line.a.federation.poll_all()
    line.c.federation.poll_all()
    assert _peer(line.a, "beta")["status"] == "stale"
    assert _peer(line.c, "beta")["status"] == "stale"
    assert _peer(line.a, "beta")["stale_since"] is not None
    r = line.a.get("/route", source="alpha:n0", target="gamma:n2").json()
    assert r["status"] == "unavailable" and "beta" in r["stale"]
    assert line.c.get("/route", source="gamma:n0", target="alpha:n0").json()["status"] == (
        "unavailable"
    )
    # inside A nothing changed
    assert line.a.get("/route", source="alpha:n0", target="alpha:n2").json()["status"] == "ok"

    line.b.start(line.registry)  # same port, same store
    line.a.federation.poll_all()
    line.c.federation.poll_all()
    assert _peer(line.a, "beta")["status"] == "ok"
    r = line.a.get("/route", source="alpha:n0", target="gamma:n2").json()
    assert r["status"] == "ok" and r["communities"] == ["alpha", "beta", "gamma"]


def test_removing_a_peer_drops_its_data(line: Line) -> None:
    assert line.c.call("DELETE", "/peers/beta").status_code == 204
    assert line.c.call("DELETE", "/peers/beta").status_code == 404
    line.c.federation.poll_all()  # the feed relayed by beta goes with it
    assert [p["community"] for p in line.c.get("/peers").json()] == []
    r = line.c.get("/route", source="gamma:n0", target="beta:n0")
    assert r.status_code == 404
