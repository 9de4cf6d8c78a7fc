"""Where a command finds the network: the local store (``--data-dir``/``--db-url``) or
the service (``meshctl login``, ``--url``, environment). Light: heavy modules are
imported inside the functions."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from rich.console import Console

    from topology.client import MeshClient
    from topology.network import CommunityNetwork


def default_data_dir() -> Path:
    """``$MESHCOMMONS_DATA_DIR``, else ``$XDG_DATA_HOME/meshcommons`` (~/.local/share)."""
    if env := os.environ.get("MESHCOMMONS_DATA_DIR"):
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "meshcommons"


store_options = [
    click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Embedded store directory [env MESHCOMMONS_DATA_DIR; "
        "default ~/.local/share/meshcommons].",
    ),
    click.option(
        "--db-url",
        envvar="MESHCOMMONS_DB_URL",
        default=None,
        help="Database URL instead, e.g. postgresql+psycopg://user:pass@host/db.",
    ),
]


F = TypeVar("F", bound=Callable[..., Any])


def with_store(fn: F) -> F:
    """Add --data-dir and --db-url to a command."""
    for option in reversed(store_options):
        fn = option(fn)
    return fn


def open_network(data_dir: Path | None, db_url: str | None) -> CommunityNetwork:
    from topology.network import CommunityNetwork
    from topology.store import open_store

    store = open_store(url=db_url) if db_url else open_store(data_dir or default_data_dir())
    return CommunityNetwork(store)


def remote(
    data_dir: Path | None, db_url: str | None, url: str | None, token: str | None
) -> MeshClient | None:
    """The service's client, unless a local store was asked for (--data-dir, --db-url or
    their environment variables) or no service is configured (login, --url, env)."""
    if data_dir is not None or db_url is not None or os.environ.get("MESHCOMMONS_DATA_DIR"):
        return None
    from meshctl.commands.common import client, resolve

    if resolve(url, token).url is None:
        return None
    return client(url, token)


def console() -> Console:
    from rich.console import Console

    return Console(no_color=bool(os.environ.get("NO_COLOR")) or None, emoji=False)
