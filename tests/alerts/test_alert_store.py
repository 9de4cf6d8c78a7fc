"""The alerts table: one active alert per cause, clearing, acknowledgement, listing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alert_helpers import T0
from sqlalchemy import inspect

from topology.alerts import AlertKind, Finding, Severity
from topology.store import Conflict, NotFound, Store, open_store
from topology.store import alerts as db
from topology.store.engine import MIGRATIONS_DIR


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "d") as s:
        yield s


def _finding(subject: str = "c:a", kind: AlertKind = AlertKind.NODE_DOWN) -> Finding:
    return Finding(kind, subject, Severity.WARNING, f"{subject} is quiet", "north")


def test_insert_and_read_back(store: Store) -> None:
    (a,) = db.insert_alerts(store, [_finding()], T0)
    assert a.active and a.id > 0
    assert db.get_alert(store, a.id) == a
    assert a.to_json(private=True) == {
        "id": a.id,
        "kind": "node.down",
        "subject": "c:a",
        "severity": "warning",
        "message": "c:a is quiet",
        "zone": "north",
        "active": True,
        "raised_at": "2026-11-27T12:00:00+00:00",
        "cleared_at": None,
        "acknowledged_at": None,
        "acknowledged_by": None,
    }


def test_one_active_alert_per_cause(store: Store) -> None:
    db.insert_alert(store, _finding(), T0)
    with pytest.raises(Conflict):
        db.insert_alert(store, _finding(), T0)
    with pytest.raises(Conflict):  # the batch is all or nothing
        db.insert_alerts(store, [_finding("c:b"), _finding("c:b")], T0)
    assert [a.subject for a in db.active_alerts(store)] == ["c:a"]
    db.insert_alert(store, _finding(kind=AlertKind.GATEWAY_LOST), T0)  # another cause


def test_clear_then_raise_again(store: Store) -> None:
    first = db.insert_alert(store, _finding(), T0)
    later = T0 + timedelta(minutes=5)
    (cleared,) = db.clear_alerts(store, [first.id, 999], later)
    assert cleared.cleared_at == later and not cleared.active
    assert db.clear_alerts(store, [first.id], later) == []  # already cleared
    second = db.insert_alert(store, _finding(), later)  # the cause came back: a new alert
    assert second.id != first.id
    assert db.get_alert(store, first.id).cleared_at == later


def test_acknowledge_once(store: Store) -> None:
    a = db.insert_alert(store, _finding(), T0)
    acked, changed = db.acknowledge_alert(store, a.id, "alice", T0 + timedelta(seconds=1))
    assert changed and acked.acknowledged_by == "alice" and acked.active
    again, changed = db.acknowledge_alert(store, a.id, "bob", T0 + timedelta(seconds=2))
    assert not changed and again == acked
    with pytest.raises(NotFound):
        db.acknowledge_alert(store, 12345, "alice", T0)
    with pytest.raises(NotFound):
        db.get_alert(store, 12345)


def test_list_filters_and_pages(store: Store) -> None:
    alerts = db.insert_alerts(store, [_finding(f"c:n{i}") for i in range(5)], T0)
    db.clear_alerts(store, [alerts[0].id, alerts[1].id], T0)
    active, total = db.list_alerts(store, active=True)
    assert total == 3 and [a.subject for a in active] == ["c:n4", "c:n3", "c:n2"]  # newest first
    cleared, total = db.list_alerts(store, active=False)
    assert total == 2 and {a.subject for a in cleared} == {"c:n0", "c:n1"}
    page, total = db.list_alerts(store, limit=2, offset=1)
    assert total == 5 and [a.subject for a in page] == ["c:n3", "c:n2"]
    assert db.list_alerts(store, kind="link.down") == ([], 0)
    assert db.list_alerts(store, subject="c:n4")[1] == 1


def test_migration_down_and_up(store: Store) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
        assert "alerts" not in inspect(conn).get_table_names()
        command.upgrade(cfg, "head")
        assert "alerts" in inspect(conn).get_table_names()
