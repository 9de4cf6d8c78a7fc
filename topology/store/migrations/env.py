"""Alembic environment of the store.

The store runs the migrations itself (:func:`topology.store.engine.migrate`), passing an
open connection in ``config.attributes["connection"]``; no ``alembic.ini`` is needed.

For developers writing a new migration::

    MESHCOMMONS_DB_URL=sqlite:////tmp/dev.sqlite \\
        alembic -c topology/store/migrations/alembic.ini revision --autogenerate -m "..."
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection

from topology.store.tables import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite can alter tables only by copying them: let autogenerate write batches.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = os.environ.get("MESHCOMMONS_DB_URL") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("set MESHCOMMONS_DB_URL to the database to migrate")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported")
run_migrations_online()
