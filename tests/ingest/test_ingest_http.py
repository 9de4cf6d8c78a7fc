"""Reports and metrics history over HTTP, against a real uvicorn server on loopback."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from tests.ingest.conftest import (
    API,
    HOME1,
    HOME2,
    Http,
    auth,
    observed,
    report_body,
    start_server,
)
from topology.api import reports
from topology.api.app import ROUTERS, create_app
from topology.auth import AccessRole
from topology.model import NetworkModel
from topology.network import CommunityNetwork
from topology.store import open_store
from topology.store.tokens import TokenStore

HALL = "androscoggin:gorham-town-hall"
HALL_HOME1 = "androscoggin:gorham-town-hall--gorham-home-01"
MESH = "androscoggin:mesh-gorham-home-01--gorham-home-02"


def post(h: Http, seq: int, links: list[dict[str, Any]] | None = None, *, node: str = HOME1,
         token: str | None = None, **kw: Any) -> httpx.Response:  # fmt: skip
    body = report_body(seq, h.rig.clock.now, links)
    return h.client.post(f"/nodes/{node}/reports", json=body, headers=auth(token or h.agent), **kw)


def test_an_accepted_report_shows_in_the_link(http: Http) -> None:
    r = post(http, 1, [observed(HALL, 1.3)])
    assert r.status_code == 202
    assert r.json() == {"status": "accepted", "seq": 1, "last_seq": 1, "links": 1,
                        "created": [], "unmatched": []}  # fmt: skip
    link = http.client.get(f"/links/{HALL_HOME1}").json()
    assert link["metrics"]["cost"] == 1.3 and link["metrics"]["signal_dbm"] == -60
    assert http.rig.network.graph.link(HALL_HOME1).metrics.cost == 1.3


def test_reported_loss_shows_in_the_link_and_its_event(http: Http) -> None:
    """Loss is live (not stored): the link answers it while the service runs, and the
    link.metrics event carries it, so the TUI can rank lossy links first."""
    seen: list[dict[str, Any]] = []
    http.rig.network.events.subscribe(lambda ev: seen.append({"kind": ev.kind.value, **ev.data}))
    assert post(http, 1, [observed(HALL, 1.3, loss=0.25)]).status_code == 202
    assert http.client.get(f"/links/{HALL_HOME1}").json()["metrics"]["loss"] == 0.25
    listed = http.client.get("/links", params={"node": HALL}).json()["items"]
    assert {lk["id"]: lk["metrics"]["loss"] for lk in listed}[HALL_HOME1] == 0.25
    metrics = [e for e in seen if e["kind"] == "link.metrics"]
    assert metrics and metrics[-1]["loss"] == 0.25


def test_a_replay_is_acknowledged_and_changes_nothing_even_after_a_restart(http: Http) -> None:
    assert post(http, 3, [observed(HALL, 1.3)]).status_code == 202
    again = post(http, 3, [observed(HALL, 7.0)])
    assert (again.status_code, again.json()) == (200, {"status": "duplicate", "seq": 3,
                                                       "last_seq": 3})  # fmt: skip
    http.restart()
    assert post(http, 2, [observed(HALL, 7.0)]).status_code == 200
    assert http.client.get(f"/links/{HALL_HOME1}").json()["metrics"]["cost"] == 1.3
    assert post(http, 4, [observed(HALL, 1.4)]).status_code == 202


def test_tokens(http: Http) -> None:
    body = report_body(1, http.rig.clock.now)
    url = f"/nodes/{HOME1}/reports"
    assert http.client.post(url, json=body).status_code == 401
    assert http.client.post(url, json=body, headers=auth("mc_nope_nope")).status_code == 401
    wrong = http.client.post(url, json=body, headers=auth(http.agent2))
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "forbidden"
    assert http.client.post(url, json=body, headers=auth(http.admin)).status_code == 202
    missing = http.client.post("/nodes/androscoggin:nowhere/reports", json=body,
                               headers=auth(http.agent))  # fmt: skip
    assert missing.status_code == 404


def test_gzip_bodies_and_their_errors(http: Http) -> None:
    body = json.dumps(report_body(1, http.rig.clock.now, [observed(HALL, 1.1)])).encode()
    url = f"/nodes/{HOME1}/reports"

    def send(content: bytes, encoding: str) -> httpx.Response:
        headers = {**auth(http.agent), "Content-Encoding": encoding,
                   "Content-Type": "application/json"}  # fmt: skip
        return http.client.post(url, content=content, headers=headers)

    assert send(gzip.compress(body), "gzip").status_code == 202
    assert send(b"not gzip", "gzip").status_code == 400
    assert send(gzip.compress(body)[:20], "gzip").status_code == 400
    assert send(body, "br").status_code == 415
    bomb = gzip.compress(b" " * (65 * 1024) + body)  # small on the wire, too big inflated
    assert send(bomb, "gzip").status_code == 413
    assert send(b" " * (65 * 1024), "identity").status_code == 413


def test_a_malformed_report_is_refused_with_the_field_path(http: Http) -> None:
    body = report_body(1, http.rig.clock.now, [observed(HALL, loss=3)])
    r = http.client.post(f"/nodes/{HOME1}/reports", json=body, headers=auth(http.agent))
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["details"][0]["loc"] == ["body", "links", 0, "loss"]
    assert "body.links.0.loss" in error["message"]
    bad_json = http.client.post(f"/nodes/{HOME1}/reports", content=b"{",
                                headers=auth(http.agent))  # fmt: skip
    assert bad_json.status_code == 422


def test_a_new_neighbour_creates_a_link(http: Http) -> None:
    r = post(http, 1, [observed(HOME2, 2.0)])
    assert r.json()["created"] == [MESH]
    link = http.client.get(f"/links/{MESH}").json()
    assert (link["type"], link["status"], link["a"], link["b"]) == ("mesh", "Working", HOME1, HOME2)


def test_stale_and_down_show_in_the_metrics_answer(http: Http) -> None:
    post(http, 1, [observed(HALL, 1.3)])
    url = f"/links/{HALL_HOME1}/metrics"
    assert http.client.get(url).json()["liveness"]["state"] == "up"
    http.rig.clock.advance(200)
    http.rig.service.sweep()
    live = http.client.get(url).json()["liveness"]
    assert live["state"] == "stale" and live["interval_s"] == 60
    http.rig.clock.advance(600)
    assert http.client.get(url).json()["liveness"]["state"] == "down"  # judged on reading
    node = http.client.get(f"/nodes/{HOME1}/metrics").json()
    assert node["liveness"]["state"] == "down" and node["last_report"]["seq"] == 1
    assert http.client.get(f"/links/{HALL_HOME1}").status_code == 200  # nothing deleted


def test_metrics_history(http: Http) -> None:
    for seq, cost in enumerate((1.0, 2.0, 3.0), start=1):
        post(http, seq, [observed(HALL, cost)])
        http.rig.clock.advance(60)
    link = http.client.get(f"/links/{HALL_HOME1}/metrics",
                           params={"since": "2026-11-27T11:00:00Z"}).json()  # fmt: skip
    assert [p["cost"] for p in link["points"]] == [1.0, 2.0, 3.0]
    assert {p["node"] for p in link["points"]} == {HOME1} and link["step"] is None
    assert link["fields"][0] == "cost"
    stepped = http.client.get(
        f"/links/{HALL_HOME1}/metrics", params={"since": "2026-11-27T11:00:00Z", "step": 3600}
    ).json()
    assert [(p["t"], p["n"], p["cost"]) for p in stepped["points"]] == [
        ("2026-11-27T12:00:00Z", 3, 2.0)
    ]  # fmt: skip
    node = http.client.get(f"/nodes/{HOME1}/metrics",
                           params={"since": "2026-11-27T11:00:00"}).json()  # fmt: skip
    assert [p["rx_bytes"] for p in node["points"]] == [1000.0, 2000.0, 3000.0]
    assert node["last_report"]["interfaces"][0]["name"] == "wlan0"


def test_metrics_errors(http: Http) -> None:
    assert http.client.get("/links/androscoggin:nope/metrics").status_code == 404
    assert http.client.get("/nodes/androscoggin:nope/metrics").status_code == 404
    r = http.client.get(
        f"/nodes/{HOME1}/metrics",
        params={"since": "2026-11-28T00:00:00Z", "until": "2026-11-27T00:00:00Z"},
    )
    assert r.status_code == 422 and r.json()["error"]["details"][0]["loc"] == ["query", "since"]
    r = http.client.get(f"/nodes/{HOME1}/metrics", params={"step": 1,
                        "since": "2000-01-01T00:00:00Z"})  # fmt: skip
    assert r.status_code == 422
    assert http.client.get(f"/nodes/{HOME1}/metrics", params={"step": 0}).status_code == 422


def test_the_openapi_document_describes_the_report(http: Http) -> None:
    doc = httpx.get(http.live.url + "/openapi.json").json()
    op = doc["paths"]["/api/v1/nodes/{node}/reports"]["post"]
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    assert {"seq", "time", "links"} <= set(schema["properties"])
    assert "/api/v1/links/{link}/metrics" in doc["paths"]


def test_the_lifespan_component_runs_ingestion(tmp_path: Path, sample_model: NetworkModel) -> None:
    """``create_app(..., lifespans=[ingestion()])``: started with the server, stopped (its
    queue finished) before the network closes."""
    network = CommunityNetwork(open_store(tmp_path / "data"))
    network.import_model(sample_model)
    _, agent = TokenStore(network.store.engine).create(
        AccessRole.AGENT, "a", node_id=HOME1, now=datetime.now(UTC)
    )
    app = create_app(network, routers=(*ROUTERS, reports), lifespans=[reports.ingestion()])
    app.add_middleware(reports.ReportFastPath)
    live = start_server(app)
    try:
        body = report_body(1, datetime.now(UTC), [observed(HALL, 1.2)])
        r = httpx.post(f"{live.url}{API}/nodes/{HOME1}/reports", json=body, headers=auth(agent))
        assert r.status_code == 202 and app.state.ingest.running
    finally:
        live.stop()
    assert not app.state.ingest.running
    with open_store(tmp_path / "data") as store:  # closed by the app; durable all the same
        assert store.get_link(HALL_HOME1).metrics.cost == 1.2
