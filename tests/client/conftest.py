"""A real service on loopback for the client tests: the sample network, every router.

One server per test module (uvicorn in a thread, :class:`topology.sim.service.DemoService`)
over a fresh data directory, with tokens made straight in the token store.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_INVENTORY
from topology.auth import AccessRole
from topology.client import MeshClient
from topology.inventory import load_inventory
from topology.network import CommunityNetwork
from topology.sim.service import DemoService
from topology.store import open_store
from topology.store.tokens import TokenStore

MAX_BODY = 64 * 1024
HOME = "androscoggin:gorham-home-01"  # owned by the volunteer "adoe"
TOWN_HALL = "androscoggin:gorham-town-hall"


@dataclass(frozen=True)
class Served:
    url: str
    admin: str
    volunteer: str  # adoe, owner of HOME
    agent: str  # the agent of HOME
    service: DemoService

    def client(self, token: str | None = None, timeout: float = 10.0) -> MeshClient:
        return MeshClient(self.url, token, timeout=timeout)


def start_service(folder: Path, interval: float = 1.0) -> tuple[DemoService, dict[str, str]]:
    net = CommunityNetwork(open_store(folder))
    net.import_model(load_inventory(SAMPLE_INVENTORY))
    net.assign_missing_addresses()
    store = TokenStore(net.store.engine)
    now = datetime.now(UTC)
    secrets = {
        "admin": store.create(AccessRole.ADMIN, "root", now=now)[1],
        "volunteer": store.create(AccessRole.VOLUNTEER, "adoe", now=now)[1],
        "agent": store.create(AccessRole.AGENT, "home01", node_id=HOME, now=now)[1],
    }
    return DemoService(net, interval=interval, max_body_bytes=MAX_BODY).start(), secrets


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    service, s = start_service(tmp_path_factory.mktemp("client") / "data")
    try:
        yield Served(service.url, s["admin"], s["volunteer"], s["agent"], service)
    finally:
        service.stop()


@pytest.fixture
def admin(served: Served) -> Iterator[MeshClient]:
    with served.client(served.admin) as c:
        yield c


@pytest.fixture
def public(served: Served) -> Iterator[MeshClient]:
    with served.client() as c:
        yield c
