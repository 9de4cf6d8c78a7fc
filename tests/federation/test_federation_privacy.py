"""Privacy of the feed, asserted over the bytes a peer receives: no contact, owner or
token, and private (home) positions rounded as in public exports."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fed_support import FedService, write_registry

from tests.conftest import SAMPLE_INVENTORY
from topology.auth import AccessRole
from topology.inventory import PUBLIC_POSITION_DECIMALS, load_inventory
from topology.model import NetworkModel
from topology.store.tokens import TokenStore


@pytest.fixture(scope="module")
def sample() -> NetworkModel:
    return load_inventory(SAMPLE_INVENTORY)


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, sample: NetworkModel
) -> Iterator[tuple[FedService, bytes, list[str]]]:
    root: Path = tmp_path_factory.mktemp("privacy")
    service = FedService(root, sample, 0)
    key = service.prepare()
    registry = write_registry(root / "registry.yaml", [("androscoggin", key, ["10.0.0.0/8"])])
    service.start(registry)
    try:
        assert service.network is not None
        tokens = TokenStore(service.network.store.engine)
        secrets = [service.admin]
        for role in (AccessRole.ADMIN, AccessRole.VOLUNTEER):
            _, secret = tokens.create(role, "someone", now=datetime.now(UTC))
            secrets.append(secret)
        body = httpx.get(
            service.url + "/api/v1/federation/feed",
            headers={"Accept-Encoding": "identity"},
            timeout=10,
        ).content
        yield service, body, secrets
    finally:
        service.stop()


def test_no_contact_owner_or_token_in_the_feed_bytes(
    served: tuple[FedService, bytes, list[str]], sample: NetworkModel
) -> None:
    _, body, secrets = served
    text = body.decode("utf-8")
    contacts = [n.contact for n in sample.nodes if n.contact is not None]
    assert contacts, "the sample should have contacts to hide"
    for c in contacts:
        for value in (c.name, c.email, c.phone):
            if value:
                assert value not in text
    for owner in {n.owner for n in sample.nodes if n.owner}:
        assert f'"{owner}"' not in text
    for secret in secrets:
        assert secret not in text
    assert "mc_" not in text and "@" not in text
    for key in ('"contact"', '"owner"', '"email"', '"phone"', '"token"', '"mac"'):
        assert key not in text


def test_private_positions_are_rounded_in_the_feed_bytes(
    served: tuple[FedService, bytes, list[str]], sample: NetworkModel
) -> None:
    _, body, _ = served
    private = [n for n in sample.nodes if n.private_position]
    assert private
    assert any(round(n.position.lat, PUBLIC_POSITION_DECIMALS) != n.position.lat for n in private)
    feed = json.loads(body[len(b'{"feed":') : body.rindex(b',"signature":')])
    by_id = {d["id"]: d for d in feed["nodes"]}
    for n in private:
        raw = re.search(
            rb'"id":"' + re.escape(n.id.encode()) + rb'","lat":(-?[0-9.]+),"lon":(-?[0-9.]+)',
            body,
        )
        assert raw is not None
        for number in raw.groups():
            decimals = number.partition(b".")[2]
            assert len(decimals) <= PUBLIC_POSITION_DECIMALS
        assert by_id[n.id]["lat"] == round(n.position.lat, PUBLIC_POSITION_DECIMALS)


def test_the_feed_is_signed_canonical_json(served: tuple[FedService, bytes, list[str]]) -> None:
    service, body, _ = served
    doc = json.loads(body)
    assert json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() == (
        body
    )
    assert doc["signature"]["algorithm"] == "ed25519"
    assert doc["feed"]["community"]["slug"] == "androscoggin"
    assert doc["feed"]["revision"] == 1
    assert service.federation.fingerprint.startswith("SHA256:")
