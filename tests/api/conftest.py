"""Fixtures of the API tests: a real HTTP server on loopback over a fresh sample network.

Each test module gets its own data directory loaded with the sample inventory (and its
addresses), its own tokens and its own uvicorn server in a background thread; tests
talk to it with httpx like any client would.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from api_server import API, LiveServer, Tokens, sample_network, start_server

from tests.conftest import SAMPLE_INVENTORY
from topology.api.app import create_app
from topology.api.deps import ApiSettings
from topology.auth import AccessRole
from topology.inventory import load_inventory
from topology.model import NetworkModel
from topology.network import CommunityNetwork
from topology.store.tokens import TokenStore


@pytest.fixture(scope="session")
def sample_model() -> NetworkModel:
    return load_inventory(SAMPLE_INVENTORY)


@pytest.fixture(scope="module")
def api_network(
    tmp_path_factory: pytest.TempPathFactory, sample_model: NetworkModel
) -> Iterator[CommunityNetwork]:
    network = sample_network(tmp_path_factory.mktemp("api") / "data", sample_model)
    yield network
    network.close()


@pytest.fixture(scope="module")
def tokens(api_network: CommunityNetwork) -> Tokens:
    store = TokenStore(api_network.store.engine)
    now = datetime.now(UTC)
    made = {
        "admin": store.create(AccessRole.ADMIN, "root", now=now),
        "steward_gorham": store.create(AccessRole.STEWARD, "sg", zones=["gorham"], now=now),
        "steward_north": store.create(AccessRole.STEWARD, "sn", zones=["north-country"], now=now),
        "adoe": store.create(AccessRole.VOLUNTEER, "adoe", now=now),
        "broe": store.create(AccessRole.VOLUNTEER, "broe", now=now),
        "agent": store.create(
            AccessRole.AGENT, "agent", node_id="androscoggin:gorham-home-01", now=now
        ),
    }
    return Tokens(
        **{role: secret for role, (_, secret) in made.items()},
        ids={role: info.id for role, (info, _) in made.items()},
    )


@pytest.fixture(scope="module")
def live(api_network: CommunityNetwork) -> Iterator[LiveServer]:
    app = create_app(api_network, ApiSettings(close_network_on_shutdown=False))
    server = start_server(app)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def client(live: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url + API, timeout=30) as c:
        yield c
