"""Fuzz every operation of the OpenAPI document with schemathesis: never a 5xx.

Cases are generated from ``/openapi.json`` (valid and invalid data, schemathesis's
positive and negative modes) and sent in process over ASGI, both as the public and as
an admin (so writes really happen), against a fresh sample network of this module; a
shorter pass goes over a live uvicorn server on loopback.

The test is parametrized by operation itself, each running a Hypothesis ``@given`` over
the operation's strategy: schemathesis's lazy ``from_fixture`` loader does not work with
this pytest, and loading the schema at import time would build a network at collection.
Set ``MESHCOMMONS_FUZZ_EXAMPLES`` to fuzz harder (default 50 per operation).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, cast

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
from topology.auth import AccessRole
from topology.model import NetworkModel
from topology.network import CommunityNetwork
from topology.store.tokens import TokenStore

EXAMPLES = int(os.environ.get("MESHCOMMONS_FUZZ_EXAMPLES", "50"))
LIVE_EXAMPLES = max(5, EXAMPLES // 4)


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every operation; the document needs no network to be built."""
    app = create_app(cast(CommunityNetwork, None), token_store=cast(TokenStore, object()))
    return [
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]


OPERATIONS = _operations()
COUNT: Counter[str] = Counter()  # cases per pass
STATUSES: Counter[int] = Counter()


@pytest.fixture(scope="module")
def fuzz_network(
    tmp_path_factory: pytest.TempPathFactory, sample_model: NetworkModel
) -> Iterator[CommunityNetwork]:
    network = sample_network(tmp_path_factory.mktemp("fuzz") / "data", sample_model)
    yield network
    network.close()


@pytest.fixture(scope="module")
def fuzz_app(fuzz_network: CommunityNetwork) -> FastAPI:
    return create_app(fuzz_network, ApiSettings(close_network_on_shutdown=False))


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
def asgi_schema(fuzz_app: FastAPI) -> OpenApiSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)


@pytest.fixture(scope="module")
def live_schema(fuzz_app: FastAPI) -> Iterator[tuple[OpenApiSchema, LiveServer]]:
    server = start_server(fuzz_app)
    yield schemathesis.openapi.from_url(server.url + "/openapi.json"), server
    server.stop()


@pytest.fixture(scope="module", autouse=True)
def report_count() -> Iterator[None]:
    yield
    total = sum(COUNT.values())
    print(f"\nfuzz: {total} cases, {len(OPERATIONS)} operations: {dict(COUNT)}")
    print(f"fuzz: statuses {dict(sorted(STATUSES.items()))}")


#: Real values for path parameters, so that handlers run past their 404 with random bodies.
REAL_IDS = {
    "node": [
        "androscoggin:gorham-home-01",
        "gorham-library",
        "berlin-home-07",
        "pine-mountain-relay",
    ],
    "link": [
        "androscoggin:gorham-library--mount-hayes-relay",
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
    live_schema: tuple[OpenApiSchema, LiveServer],
    admin_headers: dict[str, str],
    real_ids: dict[str, list[str]],
    method: str,
    path: str,
) -> None:
    schema, server = live_schema
    fuzz(schema, method, path, admin_headers, LIVE_EXAMPLES, "live", real_ids, base_url=server.url)
