"""Fuzz every operation of the whole service with schemathesis: never a 5xx.

The app is :func:`topology.api.service.create_service_app`'s (every router: reports,
metrics and alerts too), with its lifespan running, so report ingestion, the alert
engine and the event hub work as under ``meshctl serve`` (without them the reports
route answers 503). Every operation is fuzzed except ``GET /api/v1/events``, an endless
event stream.

Cases are generated from ``/openapi.json`` (valid and invalid data, schemathesis's
positive and negative modes) and sent in process over ASGI, both as the public and as
an admin (so writes really happen), against a fresh sample network of this module; a
shorter pass goes over a live uvicorn server on loopback. The live server is also what
runs the app's lifespan, once for the module: the in-process calls reach the app through
:class:`LifespanRunsElsewhere`, so schemathesis (which starts and stops the lifespan of
an ASGI app around each test) does not start a second ingestion on the same network.

The test is parametrized by operation itself, each running a Hypothesis ``@given`` over
the operation's strategy: schemathesis's lazy ``from_fixture`` loader does not work with
this pytest, and loading the schema at import time would build a network at collection.
Set ``MESHCOMMONS_FUZZ_EXAMPLES`` to fuzz harder (default 50 per operation).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from datetime import UTC, datetime
from typing import Any, cast

import httpx
import pytest
import schemathesis
from api_server import LiveServer, sample_network, start_server
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import positive_data_acceptance
from schemathesis.specs.openapi.schemas import OpenApiSchema

from topology.api.app import create_app
from topology.api.deps import ApiSettings
from topology.api.service import SERVICE_ROUTERS, create_service_app
from topology.auth import AccessRole
from topology.model import NetworkModel
from topology.network import CommunityNetwork
from topology.store.tokens import TokenStore

EXAMPLES = int(os.environ.get("MESHCOMMONS_FUZZ_EXAMPLES", "50"))
LIVE_EXAMPLES = max(5, EXAMPLES // 4)

#: Not fuzzed: an endless Server-Sent Events stream.
SKIPPED = {("GET", "/api/v1/events")}


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every operation of the service but :data:`SKIPPED`. The
    document depends only on the routers, so an app without a network gives it."""
    app = create_app(
        cast(CommunityNetwork, None),
        token_store=cast(TokenStore, object()),
        routers=SERVICE_ROUTERS,
    )
    found = [
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    return [op for op in found if op not in SKIPPED]


OPERATIONS = _operations()
COUNT: Counter[str] = Counter()  # cases per pass
STATUSES: Counter[int] = Counter()

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]


class LifespanRunsElsewhere:
    """``app`` for in-process calls, its lifespan answered here without reaching it (the
    live server runs the real one): schemathesis starts an ASGI app's lifespan on its
    first call in a test and stops it after each test."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def __call__(
        self,
        scope: Scope,
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


@pytest.fixture(scope="module")
def fuzz_network(
    tmp_path_factory: pytest.TempPathFactory, sample_model: NetworkModel
) -> Iterator[CommunityNetwork]:
    network = sample_network(tmp_path_factory.mktemp("fuzz") / "data", sample_model)
    yield network
    network.close()


@pytest.fixture(scope="module")
def fuzz_server(fuzz_network: CommunityNetwork) -> Iterator[LiveServer]:
    """The whole service on loopback; its lifespan (ingestion, alerts, event hub) runs
    until the module's tests are done, then stops before the network closes."""
    app = create_service_app(fuzz_network, ApiSettings(close_network_on_shutdown=False))
    server = start_server(app)
    assert app.state.ingest.running
    yield server
    server.stop()


@pytest.fixture(scope="module")
def admin_headers(fuzz_network: CommunityNetwork) -> dict[str, str]:
    tokens = TokenStore(fuzz_network.store.engine)
    _, secret = tokens.create(AccessRole.ADMIN, "fuzz", now=datetime.now(UTC))
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture(scope="module")
def real_ids(fuzz_network: CommunityNetwork) -> dict[str, list[str]]:
    """Real ids, and tokens the admin may revoke (never its own)."""
    tokens = TokenStore(fuzz_network.store.engine)
    now = datetime.now(UTC)
    victims = [tokens.create(AccessRole.VOLUNTEER, f"v{i}", now=now)[0].id for i in range(3)]
    return {**REAL_IDS, "token_id": victims}


@pytest.fixture(scope="module")
def asgi_schema(fuzz_server: LiveServer) -> OpenApiSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", LifespanRunsElsewhere(fuzz_server.app))


@pytest.fixture(scope="module")
def live_schema(fuzz_server: LiveServer) -> OpenApiSchema:
    return schemathesis.openapi.from_url(fuzz_server.url + "/openapi.json")


@pytest.fixture(scope="module", autouse=True)
def report_count() -> Iterator[None]:
    yield
    total = sum(COUNT.values())
    print(f"\nfuzz: {total} cases, {len(OPERATIONS)} operations: {dict(COUNT)}")
    print(f"fuzz: statuses {dict(sorted(STATUSES.items()))}")


#: Real values for path parameters, so that handlers run past their 404 with random
#: bodies (``device`` goes with ``node`` at the same index: a device of that node).
REAL_IDS = {
    "node": [
        "androscoggin:gorham-home-01",
        "gorham-library",
        "berlin-home-07",
        "pine-mountain-relay",
    ],
    "device": ["cpe", "router", "cpe", "bb-town-hall"],
    "link": [
        "androscoggin:gorham-library--gorham-town-hall",
        "berlin-city-hall--berlin-fire-station",
    ],
    "zone": ["gorham", "north-country"],
}

#: Body fields that name something, and the kind of real id to put there half the time.
BODY_REFS = {
    "zone": "zone",
    "parent": "zone",
    "a": "node",
    "b": "node",
    "node": "node",
    "link": "link",
    "holder_id": "node",
}


def fuzz(
    schema: OpenApiSchema,
    method: str,
    path: str,
    headers: dict[str, str],
    examples: int,
    tally: str,
    real: dict[str, list[str]],
    **call: Any,
) -> None:
    operation = schema[path][method]
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    names = [p.name for p in operation.path_parameters]
    if names and all(n in real for n in names):
        for i in range(max(len(real[n]) for n in names)):
            fixed = {n: real[n][i % len(real[n])] for n in names}
            strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed))
    if path.endswith("/routes/path"):
        ends = {"source": "gorham-home-01", "target": "berlin-library"}
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, query=ends))
    cases = st.one_of(strategies)

    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(case=cases, data=st.data())
    def run(case: schemathesis.Case[Any], data: st.DataObject) -> None:
        COUNT[tally] += 1
        patched = isinstance(case.body, dict) and data.draw(st.booleans())
        if patched:  # reach past the "does not exist" checks
            for key, kind in BODY_REFS.items():
                if key in case.body:
                    case.body[key] = data.draw(st.sampled_from(real[kind]))
        response = case.call(headers=headers, **call)
        STATUSES[response.status_code] += 1
        case.validate_response(response, checks=[not_a_server_error], headers=headers)
        # Then everything else schemathesis checks (documented statuses, response bodies
        # valid against the document, content types, auth...), except that schema-valid
        # data must be accepted: a body may name a zone that does not exist (422). A
        # patched body is neither schemathesis's positive nor its negative case any more.
        if not patched:
            case.validate_response(
                response, excluded_checks=[positive_data_acceptance], headers=headers
            )

    run()


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_public_never_gets_a_5xx(asgi_schema: OpenApiSchema, method: str, path: str) -> None:
    fuzz(asgi_schema, method, path, {}, EXAMPLES, "public", REAL_IDS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_admin_never_gets_a_5xx(
    asgi_schema: OpenApiSchema,
    admin_headers: dict[str, str],
    real_ids: dict[str, list[str]],
    method: str,
    path: str,
) -> None:
    fuzz(asgi_schema, method, path, admin_headers, EXAMPLES, "admin", real_ids)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_live_server_never_gives_a_5xx(
    live_schema: OpenApiSchema,
    fuzz_server: LiveServer,
    admin_headers: dict[str, str],
    real_ids: dict[str, list[str]],
    method: str,
    path: str,
) -> None:
    url = fuzz_server.url
    fuzz(live_schema, method, path, admin_headers, LIVE_EXAMPLES, "live", real_ids, base_url=url)


@pytest.mark.parametrize(
    "time",
    ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"],
)
def test_times_that_do_not_exist_in_utc_are_422(
    fuzz_server: LiveServer, admin_headers: dict[str, str], time: str
) -> None:
    """Found by fuzzing: such times overflowed (a 500, and for a report its whole batch
    of reports failed with it)."""
    base = f"{fuzz_server.url}/api/v1"
    with httpx.Client(base_url=base, headers=admin_headers, timeout=30) as client:
        body = {"seq": 2**62, "time": time}
        r = client.post("/nodes/gorham-home-02/reports", json=body)
        assert r.status_code == 422 and r.json()["error"]["details"][0]["loc"] == ["body", "time"]
        for path in ("/nodes/gorham-home-02/metrics", f"/links/{REAL_IDS['link'][0]}/metrics"):
            for name in ("since", "until"):
                r = client.get(path, params={name: time})
                assert r.status_code == 422, r.text
                assert r.json()["error"]["details"][0]["loc"] == ["query", name]
        r = client.get("/nodes/gorham-home-02/metrics", params={"until": "0001-01-01T00:00:00"})
        assert r.status_code == 422  # no time before it (the default since is 24 h before)
        r = client.get("/nodes/gorham-home-02/metrics", params={"until": "0001-01-01T12:00:00"})
        assert r.status_code == 200 and r.json()["since"] == "0001-01-01T00:00:00+00:00"


def test_the_real_ids_are_real(sample_model: NetworkModel) -> None:
    """Else their cases stop at a 404 like random ones."""
    slug = sample_model.community.slug

    def gid(ref: str) -> str:
        return ref if ":" in ref else f"{slug}:{ref}"

    for node, device in zip(REAL_IDS["node"], REAL_IDS["device"], strict=True):
        assert device in [d.id for d in sample_model.node(gid(node)).devices], (node, device)
    links = {link.id for link in sample_model.links}
    assert {gid(link) for link in REAL_IDS["link"]} <= links
    assert set(REAL_IDS["zone"]) <= {zone.id for zone in sample_model.zones}
