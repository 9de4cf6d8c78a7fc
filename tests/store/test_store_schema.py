"""The schema is made by the migrations alone, and matches the declared tables."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from topology.model import NetworkModel
from topology.store import SQLITE_FILENAME, Store, open_store
from topology.store.engine import MIGRATIONS_DIR
from topology.store.tables import Base

if TYPE_CHECKING:
    from conftest import TestDatabase  # tests/store/conftest.py

ModelFactory = Callable[..., NetworkModel]


def _head() -> str | None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg).get_current_head()


def test_migrations_make_exactly_the_declared_schema(store: Store) -> None:
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
        assert diff == []
        tables = set(inspect(conn).get_table_names())
        assert tables == set(Base.metadata.tables) | {"alembic_version"}
        assert ctx.get_current_revision() == _head()


def test_schema_unchanged_after_a_bulk_save(store: Store, make_model: ModelFactory) -> None:
    """save_model drops and re-adds foreign keys on PostgreSQL: they must all be back."""
    store.save_model(make_model())
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(ctx, Base.metadata) == []
        fks = {fk["name"] for t in Base.metadata.tables for fk in inspect(conn).get_foreign_keys(t)}
    declared = {fk.name for t in Base.metadata.tables.values() for fk in t.foreign_key_constraints}
    if store.backend == "postgresql":  # SQLite does not report constraint names
        assert fks == declared


def test_migrations_insert_the_ipam_state_row(store: Store) -> None:
    assert store.ipam_version() == 0


def test_reopening_is_idempotent(db: TestDatabase) -> None:
    first = db.open()
    with first.ipam_transaction() as tx:
        tx.bump_version()
    second = db.open()  # runs the (already applied) migrations again
    assert second.ipam_version() == 1


def test_concurrent_first_opens_migrate_once(db: TestDatabase) -> None:
    """Several processes starting on a fresh database must not race to create tables."""
    with ThreadPoolExecutor(4) as pool:
        stores = list(pool.map(lambda _: db.open(), range(4)))
    assert [s.ipam_version() for s in stores] == [0, 0, 0, 0]


def test_opening_needs_no_alembic_ini_in_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with open_store(tmp_path / "d") as store:
        assert store.backend == "sqlite"
    assert (tmp_path / "d" / SQLITE_FILENAME).is_file()
    assert not (tmp_path / "alembic.ini").exists()


def test_migration_files_are_in_the_package() -> None:
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert (MIGRATIONS_DIR / "script.py.mako").is_file()
    assert list((MIGRATIONS_DIR / "versions").glob("0001_*.py"))


def test_sqlite_pragmas(tmp_path: Path) -> None:
    with open_store(tmp_path) as store, store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30_000


def test_downgrade_to_base_and_up_again(db: TestDatabase) -> None:
    """The downgrade of the initial migration drops everything it made."""
    from alembic import command

    store = db.open()
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    with store.engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    assert db.open().ipam_version() == 0
