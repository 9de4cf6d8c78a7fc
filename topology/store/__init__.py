"""Persistence of a community network: embedded SQLite by default, PostgreSQL by URL.

>>> store = open_store(data_dir=Path("./data"))            # ./data/meshcommons.sqlite
>>> store = open_store(url="postgresql+psycopg://user:pass@host/db")

Opening a store runs the Alembic migrations (the only way the schema is made). See
:mod:`topology.store.tables` for the schema and :class:`Store` for the API.
"""

from __future__ import annotations

from pathlib import Path

from alembic.util.exc import CommandError

import topology.store.alerts  # noqa: F401  (registers the alerts table on Base)
from topology.store.engine import (
    DEFAULT_BUSY_TIMEOUT_S,
    SQLITE_FILENAME,
    check_reachable,
    make_engine,
    migrate,
    parse_url,
    shown,
    sqlite_url,
)
from topology.store.errors import Conflict, InvalidValue, NotFound, StoreError, StoreUnavailable
from topology.store.federation import FederationPeerRow as FederationPeerRow  # joins Base
from topology.store.ipam import IpamTransaction
from topology.store.repository import Store
from topology.store.telemetry import NodeReportRow as NodeReportRow  # telemetry joins Base
from topology.store.tokens import TokenStore as TokenStore  # the tokens table joins Base

__all__ = [
    "SQLITE_FILENAME",
    "Conflict",
    "InvalidValue",
    "IpamTransaction",
    "NotFound",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "open_store",
]


def open_store(
    data_dir: Path | str | None = None,
    *,
    url: str | None = None,
    busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
) -> Store:
    """Open (creating and migrating if needed) the store in ``data_dir`` or at ``url``.

    Give exactly one: ``data_dir`` for the embedded SQLite database
    (``data_dir/meshcommons.sqlite``, the directory is created if missing), or ``url``
    (``postgresql+psycopg://user:pass@host:port/db``; ``sqlite:///path`` works too).
    ``busy_timeout_s``: how long an SQLite writer waits for another one.

    Raises :class:`StoreUnavailable` with a short message when the database cannot be
    reached, the URL is wrong, the data directory is unusable or the schema is newer
    than this program.
    """
    if (data_dir is None) == (url is None):
        raise InvalidValue("open_store needs exactly one of data_dir and url")
    parsed = sqlite_url(Path(data_dir)) if data_dir is not None else parse_url(str(url))
    engine = make_engine(parsed, busy_timeout_s)
    try:
        check_reachable(engine)
        try:
            migrate(engine)
        except CommandError as e:
            raise StoreUnavailable(
                f"cannot migrate the database {shown(engine.url)}: {e} (is it from a newer "
                "meshcommons?)"
            ) from None
    except BaseException:
        engine.dispose()
        raise
    return Store(engine)
