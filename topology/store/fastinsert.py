"""Fast bulk loading for :func:`topology.store.bulk.save_model`.

* Rows are inserted with COPY on PostgreSQL and a driver-level ``executemany`` on SQLite.
  Values still go through the columns' own SQLAlchemy bind processors, so they are stored
  exactly as an ordinary ``insert()`` stores them and read back the same way.
* On PostgreSQL, a whole-network replacement empties the tables with TRUNCATE and drops
  their foreign keys while loading, then adds them back: each is then validated by one
  set-based query instead of a trigger per row. All of it is transactional; the tables
  are locked (ACCESS EXCLUSIVE) until the commit, so readers wait for the new network
  instead of seeing the old one. TRUNCATE locks the tables parents first, the order in
  which every other store transaction touches them, so they queue instead of
  deadlocking. On SQLite the tables are emptied with DELETE (the caller's BEGIN
  IMMEDIATE holds the database write lock anyway).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any, cast

import psycopg
from sqlalchemy import Connection, Table, delete, insert, text
from sqlalchemy.schema import AddConstraint, DropConstraint

from topology.store.convert import RowDict
from topology.store.engine import driver_message
from topology.store.errors import Conflict, InvalidValue, StoreError, StoreUnavailable
from topology.store.tables import Base


def table_of(table: type[Base]) -> Table:
    return cast(Table, table.__table__)


@contextmanager
def replacing(conn: Connection, tables: Sequence[type[Base]]) -> Iterator[None]:
    """Empty ``tables`` (parents first in the list) for a reload inside the block."""
    ts = [table_of(t) for t in tables]
    if conn.dialect.name != "postgresql":
        for t in reversed(ts):
            conn.execute(delete(t))
        yield
        return
    prep = conn.dialect.identifier_preparer
    conn.execute(text(f"TRUNCATE {', '.join(prep.format_table(t) for t in ts)}"))
    fks = [fk for t in ts for fk in sorted(t.foreign_key_constraints, key=lambda c: str(c.name))]
    for fk in fks:
        conn.execute(DropConstraint(fk))
    yield
    for fk in fks:
        conn.execute(AddConstraint(fk))


def insert_many(conn: Connection, table: type[Base], rows: Sequence[RowDict]) -> None:
    """Insert many rows fast: COPY on PostgreSQL, a driver-level executemany on SQLite.

    Values go through the columns' own SQLAlchemy bind processors, so they are stored
    exactly as an ordinary ``insert()`` would store them (and read back the same way).
    """
    if not rows:
        return
    t = table_of(table)
    dialect = conn.dialect
    cols = list(rows[0])
    getter = itemgetter(*cols)
    procs = [
        (i, p)
        for i, c in enumerate(cols)
        if (p := t.c[c].type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]
    data: list[tuple[Any, ...]] = []
    for r in rows:
        values = getter(r) if len(cols) > 1 else (getter(r),)
        if procs:
            values = list(values)
            for i, p in procs:
                values[i] = p(values[i])
        data.append(tuple(values))
    if dialect.name == "postgresql":
        _copy(conn, t, cols, data)
        return
    sql = str(insert(t).compile(dialect=dialect, column_keys=cols))
    conn.exec_driver_sql(sql, data)


def _copy(conn: Connection, t: Table, cols: list[str], data: list[tuple[Any, ...]]) -> None:
    prep = conn.dialect.identifier_preparer
    sql = f"COPY {prep.format_table(t)} ({', '.join(prep.quote(c) for c in cols)}) FROM STDIN"
    raw = conn.connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    try:
        with raw.cursor() as cur, cur.copy(sql) as copy:
            for values in data:
                copy.write_row(values)
    except psycopg.errors.IntegrityError as e:
        raise Conflict(driver_message(e)) from e
    except psycopg.DataError as e:
        raise InvalidValue(driver_message(e)) from e
    except psycopg.OperationalError as e:
        raise StoreUnavailable(driver_message(e)) from e
    except psycopg.Error as e:
        raise StoreError(driver_message(e)) from e
