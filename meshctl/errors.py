"""Turn every known failure into one clear line and a conventional exit code.

Exit codes: 0 ok, 1 user error (bad input, refused request), 2 usage error (click),
3 service or database unreachable. ``--verbose`` adds the traceback for developers.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import click

P = ParamSpec("P")
T = TypeVar("T")

EXIT_USER = 1
EXIT_UNREACHABLE = 3


def _classify(exc: BaseException) -> tuple[int, str] | None:
    """(exit code, message) for errors a user can act on; None for real bugs."""
    # Imported here so `meshctl --help` does not pay for them.
    from topology.alerts.config import ConfigError
    from topology.client import UNAVAILABLE, ClientError
    from topology.inventory import InventoryError
    from topology.ipam import IpamError
    from topology.model import ModelError
    from topology.network import NetworkError
    from topology.routing import RoutingError
    from topology.store import StoreError, StoreUnavailable

    if isinstance(exc, (StoreUnavailable, *UNAVAILABLE)):
        return EXIT_UNREACHABLE, str(exc)
    if isinstance(exc, ClientError | ConfigError):
        return EXIT_USER, str(exc)
    if isinstance(exc, InventoryError | NetworkError | IpamError | ModelError | StoreError):
        return EXIT_USER, str(exc)
    if isinstance(exc, RoutingError):
        return EXIT_USER, str(exc.args[0]) if exc.args else str(exc)
    if isinstance(exc, FileNotFoundError | IsADirectoryError | PermissionError):
        return EXIT_USER, f"{exc.strerror}: {exc.filename}"
    return None


def friendly_errors(fn: Callable[P, T]) -> Callable[P, T]:
    """Run a command, printing known errors as one line (no traceback) and exiting."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return fn(*args, **kwargs)
        except click.exceptions.ClickException:
            raise
        except BrokenPipeError:
            # The reader went away (`meshctl node list | head`): stop quietly, as Unix
            # tools do; point stdout at /dev/null so the final flush cannot fail again.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(EXIT_USER)
        except Exception as exc:
            verbose = bool(click.get_current_context().find_root().params.get("verbose"))
            if verbose:
                traceback.print_exc()
            known = _classify(exc)
            if known is None:
                click.echo(f"meshctl: internal error: {type(exc).__name__}: {exc}", err=True)
                if not verbose:
                    click.echo("(run with --verbose for details, and please report it)", err=True)
                sys.exit(EXIT_USER)
            code, message = known
            click.echo(f"meshctl: {message}", err=True)
            sys.exit(code)

    return wrapper
