"""The pure parts of federation (and the key file): signing, registry, merge, routes."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from fed_support import line_model

from topology.alerts.config import ConfigError
from topology.api.service import load_service_config
from topology.federation.accept import accept_feed
from topology.federation.canonical import canonical_bytes, open_signed, sign_feed
from topology.federation.conflicts import address_conflicts
from topology.federation.errors import FederationError, FeedRejected, RegistryError
from topology.federation.feed import feed_content, parse_feed
from topology.federation.identity import (
    fingerprint,
    generate_key,
    normalise_fingerprint,
    public_key_text,
    verify,
)
from topology.federation.keyfile import load_or_create_key
from topology.federation.merge import FederatedGraph, own_border_links, own_part, peer_part
from topology.federation.registry import parse_registry
from topology.federation.route import federated_route, what_if_remove_node
from topology.graph import LiveGraph
from topology.routing.errors import NoRoute
from topology.store import open_store
from topology.store.federation import next_revision

KEY = generate_key()


def _member_entry(slug: str, nets: list[str], key: object = None) -> dict[str, object]:
    return {"slug": slug, "public_key": public_key_text(key or generate_key()), "ipv4": nets}


def _feed(slug: str, octet: int, revision: int = 1, border_to: str | None = None) -> bytes:
    model = line_model(slug, octet, border_to)
    content = feed_content(
        model.community,
        public_key=public_key_text(KEY),
        public_url="",
        delegations={"ipv4": [f"10.{octet}.0.0/16"]},
        zones=model.zones,
        nodes=model.nodes,
        links=model.links,
        allocations=(),
    )
    return sign_feed({**content, "revision": revision, "generated_at": "t"}, KEY)


# --------------------------------------------------------------------------- identity


def test_fingerprints_and_signatures() -> None:
    text = public_key_text(KEY)
    fp = fingerprint(text)
    assert fp.startswith("SHA256:") and len(fp) == 7 + 43
    assert normalise_fingerprint(fp[7:]) == fp == normalise_fingerprint(f"  {fp} ")
    with pytest.raises(FederationError, match="not valid"):
        normalise_fingerprint("SHA256:short")
    doc = sign_feed({"b": 1, "a": [1.5, "é"]}, KEY)
    signed = open_signed(doc)
    expected = b'{"a":[1.5,"\xc3\xa9"],"b":1}'
    assert signed.body == canonical_bytes({"a": [1.5, "é"], "b": 1}) == expected
    assert verify(signed.public_key, signed.signature, signed.body)
    assert not verify(signed.public_key, signed.signature, signed.body.replace(b"1.5", b"1.6"))


def test_one_changed_byte_anywhere_is_refused() -> None:
    doc = _feed("beta", 2)
    member = parse_registry(
        {"communities": [_member_entry("beta", ["10.2.0.0/16"], KEY)]}
    ).members[0]
    accept_feed(doc, member=member, pinned=member.fingerprint, last_revision=None)
    for at in range(0, len(doc), max(1, len(doc) // 97)):
        changed = doc[:at] + bytes([doc[at] ^ 0x01]) + doc[at + 1 :]
        with pytest.raises(FeedRejected):
            accept_feed(changed, member=member, pinned=member.fingerprint, last_revision=None)


def test_key_file_is_private_and_refused_when_readable(tmp_path: Path) -> None:
    path = tmp_path / "data" / "federation-key"
    key = load_or_create_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert public_key_text(load_or_create_key(path)) == public_key_text(key)
    os.chmod(path, 0o644)
    with pytest.raises(FederationError, match="chmod 600"):
        load_or_create_key(path)


# --------------------------------------------------------------------------- registry


def test_overlapping_delegations_are_refused() -> None:
    data = {
        "communities": [
            _member_entry("alpha", ["10.1.0.0/16"]),
            _member_entry("beta", ["10.2.0.0/16", "10.1.128.0/17"]),
        ]
    }
    with pytest.raises(RegistryError, match=r"10\.1\.128\.0/17 of beta overlaps 10\.1\.0\.0/16"):
        parse_registry(data, "reg.yaml")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"slug": "Bad Slug", "public_key": "x"}, "slug"),
        ({"slug": "a", "public_key": "nope"}, "public_key"),
        ({"slug": "a", "public_key": public_key_text(KEY), "ipv4": ["10.0.0.1/8"]}, "ipv4"),
        ({"slug": "a", "public_key": public_key_text(KEY), "ipv4": ["fd00::/8"]}, "IPv4"),
        ({"slug": "a", "public_key": public_key_text(KEY), "colour": "red"}, "unknown key"),
    ],
)
def test_registry_errors_name_the_entry(entry: dict[str, object], message: str) -> None:
    with pytest.raises(RegistryError, match=message) as info:
        parse_registry({"communities": [entry]}, "reg.yaml")
    assert "reg.yaml: communities[0]" in str(info.value)


def test_service_config_with_a_federation_section(tmp_path: Path) -> None:
    reg = tmp_path / "registry.yaml"
    reg.write_text(yaml.safe_dump({"communities": [_member_entry("alpha", ["10.1.0.0/16"])]}))
    cfg = tmp_path / "service.yaml"
    cfg.write_text("federation: {registry: registry.yaml, poll_interval_s: 5}\n")
    fed = load_service_config(cfg).federation
    assert fed is not None and fed.registry == reg and fed.poll_interval_s == 5
    cfg.write_text("federation: {registry: registry.yaml, stale_after_s: -1}\n")
    with pytest.raises(ConfigError, match="stale_after_s must be a positive"):
        load_service_config(cfg)
    reg.write_text(
        yaml.safe_dump(
            {
                "communities": [
                    _member_entry("alpha", ["10.1.0.0/16"]),
                    _member_entry("beta", ["10.1.2.0/24"]),
                ]
            }
        )
    )
    cfg.write_text("federation: {registry: registry.yaml}\n")
    with pytest.raises(ConfigError, match="overlapping delegations refused"):
        load_service_config(cfg)


# --------------------------------------------------------------------------- feed, merge


def test_feed_revision_grows_only_when_the_content_changes(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        t0 = datetime(2026, 1, 1, tzinfo=UTC)
        assert next_revision(store, "d1", t0) == (1, t0)
        assert next_revision(store, "d1", datetime.now(UTC)) == (1, t0)
        assert next_revision(store, "d2", t0)[0] == 2


def test_a_malformed_feed_names_the_bad_part() -> None:
    signed = open_signed(_feed("beta", 2))
    feed = dict(signed.feed)
    feed["nodes"] = [*feed["nodes"][:1], {**feed["nodes"][1], "status": "Flying"}]
    with pytest.raises(FeedRejected, match=r"nodes\[1\]"):
        parse_feed(feed)


def _views(stale: bool = False) -> FederatedGraph:
    a = line_model("alpha", 1, "beta")
    graph = LiveGraph.from_model(a)
    beta = parse_feed(open_signed(_feed("beta", 2, border_to="gamma")).feed)
    gamma = parse_feed(open_signed(_feed("gamma", 3)).feed)
    parts = [own_part(graph, "alpha"), peer_part(beta, stale=stale), peer_part(gamma)]
    border = [*own_border_links(graph, "alpha"), *beta.border_links]
    return FederatedGraph(parts, border)


def test_merged_route_crosses_two_borders() -> None:
    route = federated_route(_views(), "alpha:n0", "gamma:n2")
    assert route.available and route.communities == ("alpha", "beta", "gamma")
    assert [h.link_id for h in route.crossings] == ["alpha:to-beta", "beta:to-gamma"]
    assert "border alpha > beta" in route.describe()


def test_a_path_through_a_stale_peer_is_unavailable() -> None:
    route = federated_route(_views(stale=True), "alpha:n0", "gamma:n2")
    assert not route.available and route.stale == ("beta",)
    inside = federated_route(_views(stale=True), "alpha:n0", "alpha:n2")
    assert inside.available


def test_without_the_middle_community_there_is_no_route() -> None:
    a = line_model("alpha", 1, "beta")
    graph = LiveGraph.from_model(a)
    gamma = parse_feed(open_signed(_feed("gamma", 3)).feed)
    parts = [own_part(graph, "alpha"), peer_part(gamma)]
    view = FederatedGraph(parts, own_border_links(graph, "alpha"))
    with pytest.raises(NoRoute):
        federated_route(view, "alpha:n0", "gamma:n0")


def test_what_if_counts_other_communities() -> None:
    w = what_if_remove_node(_views(), "beta:n1")
    assert set(w.communities_hurt) == {"alpha", "gamma"} or set(w.communities_hurt) >= {"gamma"}
    assert "gamma:n2" in w.lost_reach or "alpha:n0" in w.lost_reach


def test_address_conflicts_between_communities_only() -> None:
    found = address_conflicts(
        [
            ("alpha:n1", "10.2.0.7"),
            ("beta:n1", "10.2.0.0/24"),
            ("beta:n2", "10.2.0.9"),
            ("alpha:n2", "10.1.0.1"),
            ("alpha:n3", "10.1.0.1"),  # a clash inside one community is not federation's
        ]
    )
    assert [c.address for c in found] == ["10.2.0.7"]
    assert found[0].communities == ("alpha", "beta")


def test_peer_status_ages_from_ok_to_stale_to_expired() -> None:
    from datetime import timedelta

    from topology.federation.settings import FederationSettings
    from topology.federation.status import peer_status
    from topology.store.federation import PeerRecord

    settings = FederationSettings(registry=Path("r.yaml"), stale_after_s=10, expire_after_s=100)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    rec = PeerRecord("beta", "http://b", "SHA256:x", t0, revision=3, last_sync=t0, outcome="ok")
    fresh = peer_status(rec, t0 + timedelta(seconds=5), settings)
    assert fresh.status == "ok" and fresh.stale_since is None and not fresh.expired
    stale = peer_status(rec, t0 + timedelta(seconds=20), settings)
    assert stale.status == "stale" and stale.stale_since == t0 + timedelta(seconds=10)
    assert not stale.expired and peer_status(rec, t0 + timedelta(seconds=200), settings).expired
    never = PeerRecord("beta", "http://b", "SHA256:x", t0, outcome="unreachable", error="down")
    assert peer_status(never, t0, settings).status == "never"
    rejected = PeerRecord("beta", "http://b", "SHA256:x", t0, last_sync=t0, outcome="rejected")
    assert peer_status(rejected, t0, settings).status == "rejected"
    assert set(fresh.to_json()) == {
        "community", "url", "fingerprint", "status", "revision", "last_sync", "stale_since",
        "error",
    }


def test_a_stale_peer_stays_marked_then_expires_from_the_view(tmp_path: Path) -> None:
    from datetime import timedelta

    from topology.federation.runtime import Federation
    from topology.federation.settings import FederationSettings
    from topology.network import CommunityNetwork
    from topology.routing.errors import UnknownNode
    from topology.store import federation as fed_store

    own_key = generate_key()
    registry = parse_registry(
        {
            "communities": [
                _member_entry("alpha", ["10.1.0.0/16"], own_key),
                _member_entry("beta", ["10.2.0.0/16"], KEY),
            ]
        }
    )
    network = CommunityNetwork(open_store(tmp_path))
    network.import_model(line_model("alpha", 1, "beta"))
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    store = network.store
    fed_store.add_peer(store, "beta", "http://127.0.0.1:9", fingerprint(public_key_text(KEY)), t0)
    fed_store.record_poll(
        store, "beta", at=t0, outcome="ok", reached=True, feed=_feed("beta", 2), revision=1
    )
    now = [t0]
    settings = FederationSettings(registry=Path("r.yaml"), stale_after_s=10, expire_after_s=100)
    fed = Federation(network, settings, registry, own_key, clock=lambda: now[0])
    try:
        assert fed.route("n0", "beta:n2").available  # the stored last good feed is loaded
        now[0] = t0 + timedelta(seconds=20)
        stale = fed.route("n0", "beta:n2")
        assert not stale.available and stale.stale == ("beta",)
        now[0] = t0 + timedelta(seconds=200)
        assert "beta:n2" not in fed.view()
        with pytest.raises(UnknownNode):
            fed.route("n0", "beta:n2")
        assert fed.peers()[0].status == "stale" and fed.peers()[0].expired
    finally:
        fed.stop()
        network.close()
