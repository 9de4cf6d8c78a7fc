"""The pure permission rules and token texts, and the token store (no HTTP here)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from topology.auth import (
    PUBLIC,
    AccessRole,
    Action,
    Principal,
    Target,
    allowed,
    allowed_any,
    hash_matches,
    hash_token,
    make_token,
    new_token_id,
    parse_token,
    status_action,
)
from topology.model import Status
from topology.store import Conflict, InvalidValue, NotFound, open_store
from topology.store.tokens import TokenStore

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
ADMIN = Principal(AccessRole.ADMIN, "t0")
STEWARD = Principal(AccessRole.STEWARD, "t1", "sg", zones=frozenset({"gorham"}))
ALEX = Principal(AccessRole.VOLUNTEER, "t2", "adoe")
AGENT = Principal(AccessRole.AGENT, "t3", "agent", node_id="c:home1")

HOME1 = Target(zones=("gorham", "north"), owner="adoe", node_id="c:home1")
BERLIN = Target(zones=("berlin", "north"), owner="bob", node_id="c:b1")
SUBZONE = Target(zones=("gorham-north", "gorham", "north"), owner="", node_id="c:x")


def test_everyone_reads_admins_do_everything() -> None:
    for who in (PUBLIC, ADMIN, STEWARD, ALEX, AGENT):
        assert allowed(who, Action.READ)
    assert all(allowed(ADMIN, action, BERLIN) for action in Action)
    assert not any(allowed(PUBLIC, a, HOME1) for a in Action if a is not Action.READ)


def test_stewards_act_in_their_zones_and_sub_zones() -> None:
    for action in (Action.NODE_WRITE, Action.NODE_STATUS, Action.SEE_PRIVATE, Action.ALERT_ACK):
        assert allowed(STEWARD, action, HOME1)
        assert allowed(STEWARD, action, SUBZONE)
        assert not allowed(STEWARD, action, BERLIN)
    assert not allowed(STEWARD, Action.TOKEN_CREATE)
    assert not allowed(STEWARD, Action.ZONE_CREATE, Target())  # a root zone: admins only
    assert not allowed(STEWARD, Action.REPORT_POST, HOME1)


def test_volunteers_act_on_their_own_nodes() -> None:
    assert allowed(ALEX, Action.NODE_CREATE, BERLIN)
    for action in (Action.NODE_WRITE, Action.NODE_PLAN, Action.NODE_RETIRE, Action.SEE_PRIVATE):
        assert allowed(ALEX, action, HOME1)
        assert not allowed(ALEX, action, BERLIN)
    assert not allowed(ALEX, Action.NODE_STATUS, HOME1)
    assert not allowed(ALEX, Action.NODE_SET_OWNER, HOME1)
    assert not allowed(ALEX, Action.ADDRESS_RELEASE, HOME1)
    nameless = Principal(AccessRole.VOLUNTEER, "t9", "")
    assert not allowed(nameless, Action.NODE_WRITE, Target(owner=""))  # unowned is nobody's


def test_agents_post_reports_for_their_node_only() -> None:
    assert allowed(AGENT, Action.REPORT_POST, Target(node_id="c:home1"))
    assert not allowed(AGENT, Action.REPORT_POST, Target(node_id="c:home2"))
    assert not allowed(AGENT, Action.NODE_WRITE, HOME1)
    assert not allowed(AGENT, Action.SEE_PRIVATE, HOME1)


def test_token_revocation_rules() -> None:
    assert allowed(ALEX, Action.TOKEN_REVOKE, Target(token_id="t2"))  # their own
    assert allowed(ALEX, Action.TOKEN_REVOKE, Target(token_id="t7", created_by="t2"))
    assert not allowed(ALEX, Action.TOKEN_REVOKE, Target(token_id="t7", created_by="t1"))
    assert not allowed(PUBLIC, Action.TOKEN_REVOKE, Target(token_id=None))


def test_allowed_any_and_status_actions() -> None:
    assert allowed_any(STEWARD, Action.LINK_CREATE, [BERLIN, HOME1])
    assert not allowed_any(STEWARD, Action.LINK_CREATE, [BERLIN])
    assert not allowed_any(STEWARD, Action.LINK_CREATE, [])
    assert allowed_any(ADMIN, Action.LINK_CREATE, [])
    assert status_action(Status.PLANNED, Status.RESERVED) is Action.NODE_PLAN
    assert status_action(Status.RESERVED, Status.PLANNED) is Action.NODE_PLAN
    assert status_action(Status.PLANNED, Status.WORKING) is Action.NODE_STATUS
    assert status_action(Status.DROPPED, Status.PLANNED) is Action.NODE_STATUS


def test_token_texts() -> None:
    token_id = new_token_id()
    token = make_token(token_id)
    assert token.startswith(f"mc_{token_id}_") and len(token) > 50
    assert parse_token(token) == token_id
    assert make_token(token_id) != token
    assert hash_matches(token, hash_token(token))
    assert not hash_matches(token + "x", hash_token(token))
    for bad in ("", "mc_", "mc_xyz_abc", f"mc_{token_id}", "Bearer " + token, token + " "):
        assert parse_token(bad) is None


def test_token_store(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        tokens = TokenStore(store.engine)
        assert not tokens.has_live_admin()
        admin, secret = tokens.create(AccessRole.ADMIN, "root", now=NOW)
        assert tokens.has_live_admin()
        assert tokens.authenticate(secret) == admin
        assert tokens.authenticate(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
        assert tokens.authenticate("mc_ffffffffffff_" + "x" * 43) is None
        agent, _ = tokens.create(AccessRole.AGENT, "a", node_id="c:n1", now=NOW, created_by="x")
        with pytest.raises(Conflict, match="already has a live agent token"):
            tokens.create(AccessRole.AGENT, "a", node_id="c:n1", now=NOW)
        with pytest.raises(InvalidValue):
            tokens.create(AccessRole.AGENT, "a", now=NOW)
        with pytest.raises(InvalidValue):
            tokens.create(AccessRole.PUBLIC, "a", now=NOW)
        assert [t.id for t in tokens.list(created_by="x")] == [agent.id]
        revoked = tokens.revoke(admin.id, now=NOW)
        assert revoked.revoked_at == NOW and not revoked.live
        assert tokens.revoke(admin.id, now=datetime.now(UTC)).revoked_at == NOW  # idempotent
        assert tokens.authenticate(secret) is None
        assert not tokens.has_live_admin()
        assert [t.id for t in tokens.list(live_only=True)] == [agent.id]
        with pytest.raises(NotFound):
            tokens.revoke("nope", now=NOW)
        with pytest.raises(NotFound):
            tokens.get("nope")
