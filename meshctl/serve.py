"""``meshctl serve``: run the topology service (FastAPI on uvicorn) over one store.

* The store is the embedded SQLite database in the data directory, or ``--db-url``.
* ``--inventory PATH`` imports an inventory into an empty store (then allocates missing
  addresses); a store that already holds a network is served as it is.
* First admin token: when the store holds no live admin token, one is created and
  written to ``<data dir>/admin-token`` (mode 0600, the directory 0700 when created);
  only the file's path is printed, never the token. Use it as
  ``Authorization: Bearer $(cat <data dir>/admin-token)``, create personal tokens with
  it, then revoke it (``DELETE /api/v1/tokens/<id>``) and delete the file. A later start
  makes a new one only if no live admin token is left.
* SIGINT or SIGTERM stop it gracefully: uvicorn stops accepting, finishes the requests
  in flight (up to ``GRACEFUL_S`` seconds), then the app's lifespan closes the store.
  Every write is committed before its response, so no acknowledged write is lost. The
  process then exits with status 0.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import uvicorn

    from topology.api.service import ServiceConfig
    from topology.store.tokens import TokenStore

ADMIN_TOKEN_FILE = "admin-token"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8470
GRACEFUL_S = 10

Echo = Callable[[str], None]
_print: Echo = partial(print, flush=True)


def write_secret(path: Path, secret: str) -> None:
    """Write ``secret`` to ``path`` readable by its owner only (atomically replacing it)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secret + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def bootstrap_admin_token(tokens: TokenStore, folder: Path) -> Path | None:
    """Create the first admin token if there is no live one; return the file holding it."""
    from topology.auth import AccessRole

    if tokens.has_live_admin():
        return None
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
    path = folder / ADMIN_TOKEN_FILE
    info, secret = tokens.create(
        AccessRole.ADMIN,
        "admin",
        now=datetime.now(UTC),
        note=f"bootstrap token written to {path} by meshctl serve",
    )
    try:
        write_secret(path, secret)
    except BaseException:
        tokens.revoke(info.id, now=datetime.now(UTC))  # nobody could ever use it
        raise
    return path


class _Stop(Exception):
    """SIGTERM after uvicorn's graceful shutdown: leave quietly."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def serve(
    *,
    data_dir: Path,
    db_url: str | None = None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    inventory: Path | None = None,
    max_body_bytes: int | None = None,
    log_level: str = "info",
    echo: Echo = _print,
    config: ServiceConfig | None = None,
) -> None:
    """Open the store, import ``inventory`` if the store is empty, make sure an admin can
    get in, and serve the full service (:func:`topology.api.service.create_service_app`:
    API, report ingestion, event stream, alerts, webhooks) until SIGINT or SIGTERM.
    ``data_dir`` holds the SQLite store (unless ``db_url``) and the bootstrap admin
    token file; ``config`` tunes the components."""
    import uvicorn

    from topology.api.deps import ApiSettings
    from topology.api.events import StreamEndingServer
    from topology.api.service import create_service_app
    from topology.inventory import load_inventory
    from topology.network import CommunityNetwork, NetworkError
    from topology.store import open_store
    from topology.store.tokens import TokenStore

    model = load_inventory(inventory) if inventory is not None else None
    store = open_store(url=db_url) if db_url else open_store(data_dir)
    network = CommunityNetwork(store)
    try:
        try:
            held: str | None = network.community.slug
        except NetworkError:
            held = None
        if model is not None and held is None:
            network.import_model(model)
            got = network.assign_missing_addresses()
            echo(
                f"imported {inventory}: {len(model.nodes)} nodes, {len(model.links)} links; "
                f"allocated {len(got.node_prefixes) + len(got.link_prefixes)} prefixes"
            )
        elif model is not None:
            echo(f"the store already holds the network {held!r}: --inventory {inventory} ignored")
        token_file = bootstrap_admin_token(TokenStore(store.engine), data_dir)
        if token_file is not None:
            echo(
                f"no admin token existed: created one in {token_file} (readable by you only).\n"
                f'  use it as: -H "Authorization: Bearer $(cat {token_file})"\n'
                "  then create personal tokens, revoke this one and delete the file."
            )
        if config is not None and config.federation and config.federation.key_file is None:
            from topology.federation.settings import KEY_FILE  # the key lives in the data dir

            fed = dataclasses.replace(config.federation, key_file=data_dir / KEY_FILE)
            config = dataclasses.replace(config, federation=fed)
        if config is not None and config.federation is not None:
            from topology.federation.runtime import preflight

            preflight(network, config.federation)  # a bad registry or key: one clear error
        settings = ApiSettings() if max_body_bytes is None else ApiSettings(max_body_bytes)
        app = create_service_app(network, settings, config)
        server_config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level=log_level,
            lifespan="on",
            ws="none",
            timeout_graceful_shutdown=GRACEFUL_S,
        )
        echo(f"serving {store.url} on http://{host}:{port}/ (API docs at /docs); Ctrl-C stops")
        # Ends open event streams as the shutdown begins, so it need not wait for them.
        _run(StreamEndingServer(server_config))
        echo("stopped")
    finally:
        network.close()  # the lifespan closed it already; closing again is harmless


def _run(server: uvicorn.Server) -> None:
    """``server.run()``; the SIGINT/SIGTERM it re-raises after its shutdown end quietly."""
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_stop) if main else None
    try:
        server.run()
    except (KeyboardInterrupt, _Stop):
        pass
    finally:
        if main and previous is not None:
            signal.signal(signal.SIGTERM, previous)
