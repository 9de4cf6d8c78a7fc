"""``meshctl federation`` against a real service."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from fed_support import FedService, line_model, write_registry

from meshctl.cli import cli
from topology.api.deps import ApiSettings
from topology.api.service import create_service_app
from topology.federation.identity import fingerprint, generate_key, public_key_text
from topology.network import CommunityNetwork
from topology.sim.service import ServiceThread
from topology.store import open_store

BETA = public_key_text(generate_key())


@pytest.fixture(scope="module")
def alpha(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FedService]:
    root: Path = tmp_path_factory.mktemp("cli")
    a = FedService(root, line_model("alpha", 1, "beta"), 1)
    key = a.prepare()
    registry = write_registry(
        root / "registry.yaml", [("alpha", key, ["10.1.0.0/16"]), ("beta", BETA, ["10.2.0.0/16"])]
    )
    a.start(registry)
    try:
        yield a
    finally:
        a.stop()


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_whoami_makes_a_private_key_and_prints_its_fingerprint(tmp_path: Path) -> None:
    code, out = run("federation", "whoami", "--data-dir", str(tmp_path / "d"))
    assert code == 0, out
    key_file = tmp_path / "d" / "federation-key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    code, again = run("federation", "whoami", "--data-dir", str(tmp_path / "d"), "--json")
    info = json.loads(again)
    assert info["fingerprint"] == fingerprint(info["public_key"]) and info["fingerprint"] in out


def test_peer_add_list_route_remove(alpha: FedService) -> None:
    service = ("--url", alpha.url, "--token", alpha.admin)
    code, out = run(
        "federation", "peer", "add", "http://127.0.0.1:9", "--key", fingerprint(BETA), *service
    )
    assert code == 0, out
    assert "peering with beta" in out
    code, out = run("federation", "sync", "--json", *service)
    assert code == 0 and json.loads(out)[0]["status"] == "never"
    code, out = run("federation", "peer", "list", "--json", *service)
    peers = json.loads(out)
    assert [p["community"] for p in peers] == ["beta"] and "unreachable" in peers[0]["error"]
    code, out = run("federation", "route", "alpha:n0", "n2", *service)
    assert code == 0 and "Route alpha:n0 → alpha:n2" in out
    code, out = run("federation", "route", "alpha:n0", "beta:n0", *service)
    assert code == 0 and "unavailable" in out and "beta (never)" in out
    code, out = run("federation", "peer", "add", alpha.url, "--key", "SHA256:bad", *service)
    assert code == 1 and "fingerprint" in out
    code, out = run("federation", "peer", "remove", "beta", *service)
    assert code == 0, out
    code, out = run("federation", "peer", "remove", "beta", *service)
    assert code == 1 and "not a peer" in out


def test_an_unreachable_service_exits_3() -> None:
    code, _ = run("federation", "peer", "list", "--url", "http://127.0.0.1:9")
    assert code == 3


def test_a_service_that_does_not_federate_answers_404(tmp_path: Path) -> None:
    network = CommunityNetwork(open_store(tmp_path))
    network.import_model(line_model("alpha", 1))
    app = create_service_app(network, ApiSettings(close_network_on_shutdown=True))
    with ServiceThread(app) as thread:
        for path in ("/feed", "/peers", "/route?source=n0&target=n1", "/whoami"):
            r = httpx.get(f"{thread.url}/api/v1/federation{path}", timeout=10)
            assert r.status_code == 404
            assert "does not federate" in r.json()["error"]["message"]
        code, out = run("federation", "peer", "list", "--url", thread.url)
        assert code == 1 and "does not federate" in out
