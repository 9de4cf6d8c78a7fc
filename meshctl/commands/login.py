"""``meshctl login URL``: remember the service and the token for the other commands."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from meshctl.commands.common import TOKEN_ENV, config_file, save
from meshctl.errors import friendly_errors


@click.command("login")
@click.argument("url")
@click.option("--token", default=None, help=f"Bearer token [env {TOKEN_ENV}].")
@click.option(
    "--token-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Read the token from the first line of this file (e.g. DATA_DIR/admin-token).",
)
@click.option("--public", is_flag=True, help="No token: read-only access, like the public.")
@friendly_errors
def login(url: str, token: str | None, token_file: Path | None, public: bool) -> None:
    """Check and remember the service URL and your token.

    They go to $XDG_CONFIG_HOME/meshcommons/meshctl.json (~/.config/...), readable by you
    only (mode 600). The flags --url/--token of every command, and the environment
    variables MESHCOMMONS_URL/MESHCOMMONS_TOKEN, override it. Without --token,
    --token-file or --public, the token is asked for (hidden) in a terminal.

    \b
    Examples:
      meshctl login http://127.0.0.1:8470 --token-file ./data/admin-token
      meshctl login https://mesh.example.org          # asks for the token
      meshctl login https://mesh.example.org --public
    """
    from topology.client import MeshClient

    if not url.startswith(("http://", "https://")):
        raise click.BadParameter(f"{url!r} must start with http:// or https://", param_hint="URL")
    url = url.rstrip("/")
    if token_file is not None:
        lines = token_file.read_text().strip().splitlines()
        if not lines or not lines[0].strip():
            raise click.BadParameter(f"{token_file} is empty", param_hint="--token-file")
        token = lines[0].strip()
    token = token or os.environ.get(TOKEN_ENV) or None
    if token is None and not public and sys.stdin.isatty():
        token = click.prompt("Token (empty: public)", default="", hide_input=True,
                             show_default=False) or None
    with MeshClient(url, token) as api:
        health = api.healthz()
        who = "public (read only)"
        if token:
            api.tokens()  # 401 here for an unknown or revoked token
            who = "token accepted"
        community = api.community()
    path = save(url, token)
    click.echo(
        f"logged in to {community.get('name', '?')} ({community.get('slug', '?')}) at {url}: "
        f"{who}; service {health.get('version', '?')}"
    )
    click.echo(f"saved to {path} (mode 600)")


@click.command("logout")
@friendly_errors
def logout() -> None:
    """Forget the saved service URL and token.

    \b
    Example:
      meshctl logout
    """
    path = config_file()
    if path.exists():
        path.unlink()
        click.echo(f"removed {path}")
    else:
        click.echo("not logged in")
