"""Opening a store: backends, durability, and clear errors when it cannot be opened."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from topology.model import NetworkModel
from topology.store import (
    SQLITE_FILENAME,
    InvalidValue,
    StoreUnavailable,
    open_store,
)

ModelFactory = Callable[..., NetworkModel]


def assert_clean(message: str) -> None:
    """A message for people: one line, no traceback, no SQL, no password."""
    assert "\n" not in message
    for noise in ("Traceback", "Background on this error", "SELECT", "secret"):
        assert noise not in message


def test_sqlite_store_is_durable_across_engines(tmp_path: Path, make_model: ModelFactory) -> None:
    model = make_model()
    with open_store(tmp_path) as first:
        first.save_model(model)
        # A second engine sees the commit at once, while the first is still open.
        with open_store(tmp_path) as second:
            assert second.load_model() == model
    assert (tmp_path / SQLITE_FILENAME).is_file()
    with open_store(url=f"sqlite:///{tmp_path / SQLITE_FILENAME}") as third:
        assert third.load_model() == model
        with third.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_data_dir_is_created(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "a" / "b")) as store:
        assert store.backend == "sqlite"
    assert (tmp_path / "a" / "b" / SQLITE_FILENAME).is_file()


def test_data_dir_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreUnavailable, match="cannot create the data directory") as info:
        open_store(blocker / "data")
    assert_clean(str(info.value))
    with pytest.raises(StoreUnavailable, match="not a directory"):
        open_store(blocker)


def test_data_dir_that_is_not_writable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Root may write anywhere, so make the probe fail the way a read-only directory does.
    import tempfile

    def refuse(*args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "TemporaryFile", refuse)
    with pytest.raises(StoreUnavailable, match="is not writable: Permission denied") as info:
        open_store(tmp_path)
    assert_clean(str(info.value))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_unreachable_postgres(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://someone:secret@127.0.0.1:{_free_port()}/nothing"
    with pytest.raises(StoreUnavailable, match="cannot connect to postgresql") as info:
        open_store(url=url)
    assert_clean(str(info.value))
    assert "***" in str(info.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "invalid database URL"),
        ("postgresql+psycopg://u:secret@host:notaport/db", "invalid database URL"),
        ("mysql://u:secret@localhost/db", "unsupported database"),
        ("sqlite://", "in-memory"),
    ],
)
def test_bad_urls(url: str, expected: str) -> None:
    with pytest.raises(StoreUnavailable, match=expected) as info:
        open_store(url=url)
    assert_clean(str(info.value))


@pytest.mark.postgres
def test_plain_postgresql_scheme_means_psycopg(pg_admin: Engine) -> None:
    url = pg_admin.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with open_store(url=url) as store:
        assert store.backend == "postgresql"
        assert store.engine.url.drivername == "postgresql+psycopg"


@pytest.mark.postgres
def test_wrong_password(pg_admin: Engine) -> None:
    url = pg_admin.url.set(password="secret-but-wrong").render_as_string(hide_password=False)
    with pytest.raises(StoreUnavailable, match="password authentication failed") as info:
        open_store(url=url)
    assert_clean(str(info.value))


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    (tmp_path / SQLITE_FILENAME).write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(StoreUnavailable, match="not a database") as info:
        open_store(tmp_path)
    assert_clean(str(info.value))


def test_exactly_one_location(tmp_path: Path) -> None:
    with pytest.raises(InvalidValue):
        open_store()
    with pytest.raises(InvalidValue):
        open_store(tmp_path, url="sqlite:///x")


def test_a_schema_newer_than_the_program(tmp_path: Path) -> None:
    with open_store(tmp_path) as store, store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreUnavailable, match="newer") as info:
        open_store(tmp_path)
    assert_clean(str(info.value))
