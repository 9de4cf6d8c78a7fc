"""Engines for both backends, the migrations, and the translation of driver errors.

SQLite (the embedded default) is opened with WAL journaling, ``synchronous=FULL`` (a
commit is durable before it is reported), foreign keys on and a busy timeout. Python's
``sqlite3`` driver would otherwise issue BEGIN itself (and not before SELECTs); we turn
that off and emit BEGIN ourselves from SQLAlchemy's ``begin`` event (SQLAlchemy's
documented recipe), as ``BEGIN IMMEDIATE`` for write transactions so that a writer takes
the database's write lock at its start instead of failing to upgrade a read lock later.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, exc, text
from sqlalchemy.engine import URL, Connection, Engine, make_url

from topology.store.errors import Conflict, InvalidValue, StoreError, StoreUnavailable

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_FILENAME = "meshcommons.sqlite"
DEFAULT_BUSY_TIMEOUT_S = 30.0
DEFAULT_CONNECT_TIMEOUT_S = 10

WRITE = "meshcommons_write"  # execution option: this transaction will write
# Any constant: serializes concurrent migration runs on one PostgreSQL database.
_MIGRATION_LOCK_KEY = 0x6D657368


def sqlite_url(data_dir: Path) -> URL:
    """Create ``data_dir`` if needed, check it is writable, and return the database URL."""
    if data_dir.exists() and not data_dir.is_dir():
        raise StoreUnavailable(f"the data directory {data_dir} is not a directory")
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreUnavailable(
            f"cannot create the data directory {data_dir}: {e.strerror or e}"
        ) from None
    try:
        with tempfile.TemporaryFile(dir=data_dir):
            pass
    except OSError as e:
        raise StoreUnavailable(
            f"the data directory {data_dir} is not writable: {e.strerror or e}"
        ) from None
    return URL.create("sqlite", database=str(data_dir / SQLITE_FILENAME))


def parse_url(url: str) -> URL:
    """Parse a database URL; bare ``postgresql://`` and ``postgres://`` mean psycopg 3."""
    try:
        parsed = make_url(url)
    except (exc.ArgumentError, ValueError):
        raise StoreUnavailable(
            f"invalid database URL {_redact(url)!r}: expected postgresql+psycopg://user:pass"
            "@host:port/dbname or sqlite:///path/to/file"
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    backend = parsed.get_backend_name()
    if backend == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise StoreUnavailable("an in-memory SQLite store is not supported: give a file path")
    if parsed.drivername not in ("postgresql+psycopg", "sqlite", "sqlite+pysqlite"):
        raise StoreUnavailable(
            f"unsupported database {parsed.drivername!r} in {shown(parsed)}: use "
            "postgresql+psycopg://... or sqlite:///..."
        )
    return parsed


def shown(url: URL) -> str:
    """The URL with its password hidden, for messages."""
    return url.render_as_string(hide_password=True)


def _redact(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    creds, at, host = rest.rpartition("@")
    if sep and at and ":" in creds:
        return f"{scheme}://{creds.partition(':')[0]}:***@{host}"
    return url


def make_engine(url: URL, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S) -> Engine:
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, busy_timeout_s)
    return create_engine(
        url,
        pool_pre_ping=True,
        connect_args={"connect_timeout": DEFAULT_CONNECT_TIMEOUT_S},
    )


def _sqlite_engine(url: URL, busy_timeout_s: float) -> Engine:
    engine = create_engine(
        url,
        connect_args={"timeout": busy_timeout_s, "check_same_thread": False},
        pool_size=8,
        max_overflow=32,
    )
    busy_ms = int(busy_timeout_s * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {busy_ms}")
            cur.execute("PRAGMA journal_mode = WAL")
            mode = cur.fetchone()
            if mode is None or str(mode[0]).lower() != "wal":
                raise StoreUnavailable(
                    f"SQLite refused WAL journaling for {url.database} (got {mode!r}); "
                    "is the data directory on a network file system?"
                )
            cur.execute("PRAGMA synchronous = FULL")
            cur.execute("PRAGMA foreign_keys = ON")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema up to the newest migration (the only way the schema is made)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with translate_errors(engine), engine.connect() as conn:
        conn.execution_options(**{WRITE: True})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                # Two processes opening a fresh database must not both create tables.
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK_KEY})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")


def driver_message(e: BaseException) -> str:
    """A driver error in one line: its message, plus PostgreSQL's DETAIL when there is one
    (it names the key of a duplicate or a dangling reference). No SQL, no parameters."""
    lines = str(e).strip().splitlines()
    msg = lines[0] if lines else type(e).__name__
    diag = getattr(e, "diag", None)
    detail = getattr(diag, "message_detail", None) if diag is not None else None
    return f"{msg} ({detail})" if detail else msg


def describe(e: exc.DBAPIError | exc.StatementError) -> str:
    return driver_message(e.orig if e.orig is not None else e)


@contextmanager
def translate_errors(engine: Engine) -> Iterator[None]:
    """Turn SQLAlchemy/driver errors into :mod:`topology.store.errors` types."""
    try:
        yield
    except StoreError:
        raise
    except exc.IntegrityError as e:
        raise Conflict(describe(e)) from e
    except exc.DataError as e:
        raise InvalidValue(describe(e)) from e
    except exc.OperationalError as e:
        where = shown(engine.url)
        if engine.dialect.name == "sqlite" and "locked" in describe(e):
            raise StoreUnavailable(f"{where} stayed locked by another writer: {describe(e)}") from e
        raise StoreUnavailable(f"database {where} is not available: {describe(e)}") from e
    except exc.InterfaceError as e:
        raise StoreUnavailable(f"database {shown(engine.url)}: {describe(e)}") from e
    except exc.DBAPIError as e:
        raise StoreError(describe(e)) from e


@contextmanager
def transaction(engine: Engine, write: bool) -> Iterator[Connection]:
    """A transaction on ``engine`` (``BEGIN IMMEDIATE`` on SQLite when ``write``),
    committed when the block ends, with driver errors translated to store errors."""
    with translate_errors(engine), engine.connect() as conn:
        if write:
            conn.execution_options(**{WRITE: True})
        with conn.begin():
            yield conn


def check_reachable(engine: Engine) -> None:
    """Connect once, turning failures into a short :class:`StoreUnavailable`."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except exc.DBAPIError as e:
        raise StoreUnavailable(f"cannot connect to {shown(engine.url)}: {describe(e)}") from None
