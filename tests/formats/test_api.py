"""Open data over HTTP, against a real uvicorn server on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from tests.conftest import SAMPLE_INVENTORY
from topology.api.app import create_app
from topology.api.deps import ApiSettings
from topology.auth import AccessRole
from topology.inventory import load_inventory
from topology.network import CommunityNetwork
from topology.sim.service import ServiceThread
from topology.store import open_store
from topology.store.tokens import TokenStore

API = "/api/v1"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    network = CommunityNetwork(open_store(tmp_path_factory.mktemp("od") / "data"))
    network.import_model(load_inventory(SAMPLE_INVENTORY))
    network.assign_missing_addresses()
    admin = TokenStore(network.store.engine).create(AccessRole.ADMIN, "root", now=datetime.now(UTC))
    app = create_app(network, ApiSettings(max_body_bytes=8 * 1024 * 1024))
    with ServiceThread(app) as server:
        yield server.url, admin[1]


def _get(url: str, path: str, **params: Any) -> httpx.Response:
    return httpx.get(url + path, params=params, timeout=30)


def test_metrics(served: tuple[str, str]) -> None:
    r = _get(served[0], "/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert 'meshcommons_info{community="androscoggin",licence="' in r.text
    assert "# TYPE meshcommons_link_cost gauge" in r.text


@pytest.mark.parametrize(
    ("fmt", "schema"), [("netjson", "network-graph"), ("netjson-monitoring", "device-monitoring"),
                        ("netjson-routes", "network-routes")],
)
def test_netjson_exports_valid(
    served: tuple[str, str], netjson_schema_dir: Path, fmt: str, schema: str
) -> None:
    r = _get(served[0], f"{API}/export/{fmt}", node="gorham-library")
    assert r.status_code == 200, r.text
    spec = json.loads((netjson_schema_dir / f"{schema}.json").read_text())
    jsonschema.Draft4Validator(spec).validate(r.json())


def test_public_export_has_no_contacts(served: tuple[str, str]) -> None:
    for fmt in ("cnml", "geojson", "meshviewer", "netjson"):
        r = _get(served[0], f"{API}/export/{fmt}")
        assert r.status_code == 200
        assert "@example.org" not in r.text  # the sample's contacts
        assert "ODbL" in r.text or "licence" in r.text


def test_unknown_format_and_bad_node(served: tuple[str, str]) -> None:
    assert _get(served[0], f"{API}/export/kml").status_code == 404
    r = _get(served[0], f"{API}/export/netjson-routes", node="nowhere")
    assert r.status_code == 404 or r.status_code == 422
    assert "nowhere" in r.json()["error"]["message"]


def test_import_needs_admin_and_keeps_store_on_bad_file(
    served: tuple[str, str], realdata: Path
) -> None:
    url, admin = served
    body = (realdata / "cnml" / "54284_invalid.cnml").read_bytes()
    public = httpx.post(f"{url}{API}/import", params={"community": "x"}, content=body)
    assert public.status_code in (401, 403)
    auth = {"Authorization": f"Bearer {admin}"}
    bad = httpx.post(f"{url}{API}/import", params={"community": "guifi", "replace": "true"},
                     content=body, headers=auth, timeout=30)
    assert bad.status_code == 422
    assert "request body: line 15 column 14: broken XML" in bad.json()["error"]["message"]
    held = httpx.post(f"{url}{API}/import", params={"community": "guifi"}, headers=auth,
                      content=(realdata / "cnml" / "2525.cnml").read_bytes(), timeout=30)
    assert held.status_code == 409  # a network is held and replace was not asked
    assert _get(url, f"{API}/community").json()["nodes"] == 35


def test_import_replaces(tmp_path: Path, realdata: Path) -> None:
    network = CommunityNetwork(open_store(tmp_path / "data"))
    admin = TokenStore(network.store.engine).create(AccessRole.ADMIN, "root", now=datetime.now(UTC))
    app = create_app(network, ApiSettings(max_body_bytes=8 * 1024 * 1024))
    body = (realdata / "meshviewer" / "freifunk-aachen-meshviewer.json").read_bytes()
    with ServiceThread(app) as server:
        r = httpx.post(f"{server.url}{API}/import", params={"community": "ffac"}, content=body,
                       headers={"Authorization": f"Bearer {admin[1]}"}, timeout=60)
        assert r.status_code == 200, r.text
        assert (r.json()["nodes"], r.json()["links"], r.json()["format"]) == (
            2113, 4184, "meshviewer",
        )
        got = _get(server.url, f"{API}/community").json()
        assert (got["nodes"], got["links"]) == (2113, 4184)
