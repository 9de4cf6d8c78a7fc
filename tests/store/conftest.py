"""Backends for the store tests: every test using ``store``/``db`` runs on SQLite and on
PostgreSQL.

PostgreSQL is found at ``$MESHCOMMONS_TEST_PG_URL`` (default below); CI starts it with
``scripts/start-test-postgres.sh``. When it cannot be reached the postgres variants skip,
or fail when ``MESHCOMMONS_REQUIRE_PG=1`` (CI sets it).
Each test gets a fresh PostgreSQL schema (selected through ``search_path`` in the URL,
dropped afterwards), so tests never see each other's rows and migrations run each time.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from topology.model import (
    Allocation,
    BBox,
    Community,
    Contact,
    Device,
    DeviceType,
    HolderKind,
    Interface,
    InterfaceType,
    Link,
    LinkMetrics,
    LinkType,
    NetworkModel,
    Node,
    Pool,
    Position,
    Purpose,
    Radio,
    RadioMode,
    Role,
    Status,
    Zone,
)
from topology.store import Store, open_store

PG_URL_ENV = "MESHCOMMONS_TEST_PG_URL"
REQUIRE_PG_ENV = "MESHCOMMONS_REQUIRE_PG"  # "1" (as in CI): unreachable PostgreSQL fails
DEFAULT_PG_URL = "postgresql+psycopg://meshcommons:meshcommons@127.0.0.1:5432/meshcommons_test"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def pg_url() -> URL:
    return make_url(os.environ.get(PG_URL_ENV) or DEFAULT_PG_URL)


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    """An engine on the test PostgreSQL database; skips when it is not reachable."""
    url = pg_url()
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as e:
        engine.dispose()
        first = str(getattr(e, "orig", e)).strip().splitlines()[0]
        reason = (
            f"PostgreSQL not reachable at {url.render_as_string(hide_password=True)} ({first}); "
            f"CI starts it with scripts/start-test-postgres.sh (set {PG_URL_ENV} to use another)"
        )
        if os.environ.get(REQUIRE_PG_ENV) == "1":
            pytest.fail(f"{reason}; {REQUIRE_PG_ENV}=1 forbids skipping", pytrace=False)
        pytest.skip(reason)
    yield engine
    engine.dispose()


@dataclass
class TestDatabase:
    """One empty database for one test; :meth:`open` gives a new Store on it each call."""

    backend: str  # "sqlite" or "postgres"
    data_dir: Path | None = None
    url: str | None = None
    stores: list[Store] = field(default_factory=list)

    __test__ = False  # not a test class

    def open(self) -> Store:
        store = open_store(self.data_dir) if self.data_dir else open_store(url=self.url)
        self.stores.append(store)
        return store

    def close_all(self) -> None:
        for s in self.stores:
            s.close()


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestDatabase]:
    if request.param == "sqlite":
        database = TestDatabase("sqlite", data_dir=tmp_path / "data")
        yield database
        database.close_all()
        return
    admin: Engine = request.getfixturevalue("pg_admin")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = pg_url().update_query_dict({"options": f"-csearch_path={schema}"})
    database = TestDatabase("postgres", url=url.render_as_string(hide_password=False))
    try:
        yield database
    finally:
        database.close_all()
        with admin.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '20s'"))  # fail, never hang
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def store(db: TestDatabase) -> Store:
    return db.open()


# --------------------------------------------------------------------------- models

T0 = datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=UTC)
CEST = timezone(timedelta(hours=2))  # a non-UTC zone: must come back equal (as UTC)


def build_model(n_nodes: int = 6, links_per_node: int = 2, slug: str = "testnet") -> NetworkModel:
    """A network using every feature of the model (all fields set somewhere)."""
    zones = (
        Zone("world", "World", dns_servers=("10.0.0.1", "10.0.0.2"), ntp_servers=("pool.ntp",)),
        Zone("north", "North", parent_id="world", bbox=BBox(44.0, -71.5, 44.9, -70.9)),
        Zone("south", "South", parent_id="world"),
    )
    nodes = []
    for i in range(n_nodes):
        radio = Radio(
            RadioMode.AP if i % 2 else RadioMode.CLIENT,
            ssid=f"mesh-{i}",
            channel=36 + i % 4,
            frequency_mhz=5180 + 20 * (i % 4),
            protocol="802.11ac",
            antenna_gain_dbi=13.5,
            azimuth_deg=float(i * 37 % 360),
        )
        devices = (
            Device(
                f"d{i}a",
                f"router {i}",
                DeviceType.ROUTER,
                model="RB951",
                firmware="OpenWrt 23.05",
                status=Status.WORKING,
                interfaces=(
                    Interface("lan0", InterfaceType.LAN, "02:00:00:00:00:01", f"10.1.{i}.1/27"),
                    Interface("wlan0", InterfaceType.WLAN, radio=radio, ipv6=f"fd00:{i}::1/64"),
                ),
            ),
            Device(f"d{i}b", f"radio {i}", DeviceType.RADIO),
        )
        nodes.append(
            Node(
                f"{slug}:n{i}",
                f"Node {i}",
                ("north", "south")[i % 2],
                Position(44.0 + i * 0.001, -71.0 - i * 0.001, antenna_height_m=float(i % 12)),
                status=(Status.WORKING, Status.PLANNED, Status.TESTING)[i % 3],
                role=Role.SUPERNODE if i % 5 == 0 else Role.CLIENT,
                gateway=i == 0,
                devices=devices if i % 4 else devices[:1],
                contact=Contact(f"Owner {i}", f"o{i}@example.org", "") if i % 3 else None,
                private_position=i % 2 == 0,
                owner=f"user{i}" if i % 2 else "",
                created=T0 + timedelta(days=i) if i % 2 else None,
                updated=(T0 + timedelta(days=i, hours=3)).astimezone(CEST),
            )
        )
    links = []
    for i in range(n_nodes):
        for k in range(1, links_per_node + 1):
            j = (i + k) % n_nodes
            if j == i:
                continue
            links.append(
                Link(
                    f"{slug}:l{i}-{k}",
                    nodes[i].id,
                    nodes[j].id,
                    type=(LinkType.WDS, LinkType.AP_CLIENT, LinkType.CABLE)[(i + k) % 3],
                    status=Status.WORKING if k == 1 else Status.PLANNED,
                    metrics=LinkMetrics(1.0 + i / 10, 1.1, 1.2, -61.5, 144.4, T0)
                    if k == 1
                    else LinkMetrics(),
                    a_interface=f"d{i}a/wlan0" if k == 1 else "",
                )
            )
    links.append(Link(f"{slug}:border", nodes[0].id, "othernet:x1", LinkType.TUNNEL))
    pools = (
        Pool("10.0.0.0/8", Purpose.LAN),
        Pool("10.1.0.0/20", Purpose.LAN, zone_id="north"),
        Pool("172.16.0.0/12", Purpose.BACKBONE),
        Pool("fd00::/48", Purpose.IPV6),
    )
    allocations = (
        Allocation("10.1.0.0/27", Purpose.LAN, HolderKind.NODE, nodes[0].id, "10.1.0.0/20", T0),
        Allocation(
            "10.1.0.32/27",
            Purpose.LAN,
            HolderKind.NODE,
            nodes[1].id,
            "10.1.0.0/20",
            T0,
            released_at=T0 + timedelta(hours=1),
            note="node moved",
        ),
        Allocation("172.16.0.0/30", Purpose.BACKBONE, HolderKind.LINK, links[0].id),
        Allocation("fd00:0:0:100::/56", Purpose.IPV6, HolderKind.ZONE, "north", "fd00::/48"),
    )
    return NetworkModel(
        Community(slug, "Test Net", url="https://example.org", licence="CC-BY-SA-4.0"),
        zones=zones,
        nodes=tuple(nodes),
        links=tuple(links),
        pools=pools,
        allocations=allocations,
    )


@pytest.fixture
def make_model() -> Callable[..., NetworkModel]:
    return build_model
