"""The CLI against a real service: the sample network served on loopback, with tokens.

Each module gets its own data directory, tokens and uvicorn server (in a thread); the
CLI runs as a subprocess, as people run it, with its own config directory
(``XDG_CONFIG_HOME``) so a developer's ``meshctl login`` never leaks in.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.cli.support import Served
from tests.conftest import SAMPLE_INVENTORY
from topology.api.app import create_app
from topology.api.deps import ApiSettings
from topology.auth import AccessRole
from topology.inventory import load_inventory
from topology.network import CommunityNetwork
from topology.sim.service import ServiceThread
from topology.store import open_store
from topology.store.tokens import TokenStore


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    network = CommunityNetwork(open_store(tmp_path_factory.mktemp("cli") / "data"))
    network.import_model(load_inventory(SAMPLE_INVENTORY))
    network.assign_missing_addresses()
    store = TokenStore(network.store.engine)
    now = datetime.now(UTC)
    secrets = {
        "admin": store.create(AccessRole.ADMIN, "root", now=now)[1],
        "steward": store.create(AccessRole.STEWARD, "sg", zones=["gorham"], now=now)[1],
        "adoe": store.create(AccessRole.VOLUNTEER, "adoe", now=now)[1],
        "broe": store.create(AccessRole.VOLUNTEER, "broe", now=now)[1],
    }
    app = create_app(network, ApiSettings(close_network_on_shutdown=False))
    server = ServiceThread(app).start()
    try:
        yield Served(server.url, network=network, **secrets)
    finally:
        server.stop()
        network.close()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A fresh config directory (XDG_CONFIG_HOME) for one test."""
    return tmp_path / "config"
