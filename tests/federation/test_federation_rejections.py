"""A peer that misbehaves: every bad feed is rejected with an alert, the last good one
stays, and nothing of a rejected feed enters the federated view."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fed_support import FedService, line_model, write_registry

from topology.federation.canonical import sign_feed
from topology.federation.feed import feed_content
from topology.federation.identity import fingerprint, generate_key, public_key_text
from topology.model import Device, Interface, Node

BETA_KEY = generate_key()
OTHER_KEY = generate_key()


class FakePeer:
    """A loopback HTTP server answering the feed path with whatever bytes it is given."""

    def __init__(self) -> None:
        self.payload = b""
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.split("?")[0] != "/api/v1/federation/feed":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(peer.payload)))
                self.end_headers()
                self.wfile.write(peer.payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def beta_feed(
    revision: int,
    *,
    key: Any = BETA_KEY,
    change: Callable[[dict[str, Any]], None] | None = None,
    extra_node: Node | None = None,
) -> bytes:
    model = line_model("beta", 2)
    nodes = model.nodes + ((extra_node,) if extra_node else ())
    content = feed_content(
        model.community,
        public_key=public_key_text(key),
        public_url="",
        delegations={"ipv4": ["10.2.0.0/16"], "ipv6": []},
        zones=model.zones,
        nodes=nodes,
        links=model.links,
        allocations=(),
    )
    feed = {**content, "revision": revision, "generated_at": "2026-11-27T12:00:00+00:00"}
    if change is not None:
        change(feed)
    return sign_feed(feed, key)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FedService, FakePeer]]:
    root: Path = tmp_path_factory.mktemp("reject")
    a = FedService(root, line_model("alpha", 1, "beta"), 1)
    key_a = a.prepare()
    registry = write_registry(
        root / "registry.yaml",
        [("alpha", key_a, ["10.1.0.0/16"]), ("beta", public_key_text(BETA_KEY), ["10.2.0.0/16"])],
    )
    fake = FakePeer()
    fake.payload = beta_feed(2)
    a.start(registry)
    try:
        a.federation.add_peer(fake.url, fingerprint(public_key_text(BETA_KEY)))
        a.federation.poll_all()
        yield a, fake
    finally:
        a.stop()
        fake.close()


def _beta_nodes(a: FedService) -> set[str]:
    part = a.federation.view().part("beta")
    assert part is not None
    return set(part.nodes)


def _rejections(a: FedService) -> dict[str, dict[str, Any]]:
    return {x["subject"]: x for x in a.alerts("federation.rejected")}


def test_the_good_feed_is_accepted(setup: tuple[FedService, FakePeer]) -> None:
    a, _ = setup
    peer = a.get("/peers").json()[0]
    assert peer["status"] == "ok" and peer["revision"] == 2
    assert _beta_nodes(a) == {"beta:n0", "beta:n1", "beta:n2"}


def _tamper(doc: bytes) -> bytes:
    at = doc.index(b"beta node 1")
    return doc[:at] + b"X" + doc[at + 1 :]  # one byte: "beta node 1" -> "Xeta node 1"


def _outside(revision: int) -> bytes:
    intruder = Node(
        "beta:n9",
        "intruder",
        "z1",
        line_model("beta", 2).nodes[0].position,
        devices=(Device("r", "router", interfaces=(Interface("lan", ipv4="10.9.0.1/24"),)),),
    )
    return beta_feed(revision, extra_node=intruder)


def _foreign_id(feed: dict[str, Any]) -> None:
    feed["nodes"].append({**feed["nodes"][0], "id": "gamma:n0", "name": "not theirs"})


CASES = [
    ("bad-signature", lambda: _tamper(beta_feed(3))),
    ("not-newer", lambda: beta_feed(1)),
    ("not-newer", lambda: beta_feed(2, change=lambda f: f["nodes"].pop())),
    ("outside-delegation", lambda: _outside(4)),
    ("wrong-key", lambda: beta_feed(5, key=OTHER_KEY)),
    ("namespace", lambda: beta_feed(6, change=_foreign_id)),
    ("malformed", lambda: b'{"feed":{},"signature":'),
]


@pytest.mark.parametrize(("reason", "make"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_feed_is_rejected_alerted_and_kept_out(
    setup: tuple[FedService, FakePeer], reason: str, make: Callable[[], bytes]
) -> None:
    a, fake = setup
    fake.payload = make()
    a.federation.poll_all()
    peer = a.get("/peers").json()[0]
    assert peer["status"] == "rejected" and peer["revision"] == 2, peer
    assert peer["error"]
    alert = _rejections(a)[f"beta/{reason}"]
    assert alert["active"] and "beta" in alert["message"]
    # nothing of it entered the view: still revision 2's three nodes, names unchanged
    assert _beta_nodes(a) == {"beta:n0", "beta:n1", "beta:n2"}
    view = a.federation.view()
    assert view.node("beta:n1").name == "beta node 1"
    assert "gamma:n0" not in view and "beta:n9" not in view
    route = a.get("/route", source="alpha:n0", target="beta:n2").json()
    assert route["nodes"][-3:] == ["beta:n0", "beta:n1", "beta:n2"]  # from the good feed


def test_a_good_feed_after_rejections_clears_the_alerts(
    setup: tuple[FedService, FakePeer],
) -> None:
    a, fake = setup
    fake.payload = beta_feed(7, change=lambda f: f["nodes"][1].update(name="renamed"))
    a.federation.poll_all()
    peer = a.get("/peers").json()[0]
    assert peer["status"] == "ok" and peer["revision"] == 7 and peer["error"] is None
    assert not [x for x in _rejections(a).values() if x["active"]]
    assert len(_rejections(a)) >= 5  # the history stays
    assert a.federation.view().node("beta:n1").name == "renamed"


def test_an_address_claimed_by_two_communities_is_alerted(
    setup: tuple[FedService, FakePeer],
) -> None:
    a, _ = setup
    node = a.federation.network.graph.node("alpha:n1")
    squatter = replace(
        node,
        devices=(Device("r", "router", interfaces=(Interface("lan", ipv4="10.2.0.2/24"),)),),
    )
    a.federation.network.put_node(squatter)  # alpha uses beta's 10.2.0.2 (beta:n1 has it)
    try:
        a.federation.poll_all()
        conflicts = [x for x in a.alerts("federation.conflict") if x["active"]]
        assert [x["subject"] for x in conflicts] == ["10.2.0.2"]
        assert "alpha:n1" in conflicts[0]["message"] and "beta:n1" in conflicts[0]["message"]
    finally:
        a.federation.network.put_node(node)
    a.federation.poll_all()
    assert not [x for x in a.alerts("federation.conflict") if x["active"]]
