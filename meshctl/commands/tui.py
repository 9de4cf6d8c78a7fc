"""``meshctl tui``: the stewards' terminal app on a running service (:mod:`tui.app`)."""

from __future__ import annotations

import click

from meshctl.commands.common import NotLoggedIn, resolve, with_service
from meshctl.errors import friendly_errors


@click.command("tui")
@with_service
@click.option("--light", is_flag=True, help="Start with the light theme (t switches).")
@friendly_errors
def tui_cmd(url: str | None, token: str | None, light: bool) -> None:
    """Watch and manage the network live in the terminal.

    \b
    Keys: o overview, n nodes, l links, m map, r route, w what-if, a alerts,
    p peers, ? all keys, t light/dark, q quit. Without a token the app is read-only.

    \b
    Examples:
      meshctl tui --url http://127.0.0.1:8470
      MESHCOMMONS_TOKEN=mc_... meshctl tui --url https://mesh.example.org
    """
    target = resolve(url, token)
    if target.url is None:
        raise NotLoggedIn("no service URL: give --url, set MESHCOMMONS_URL or `meshctl login`")
    from topology.client import MeshClient
    from tui.app import DARK, LIGHT, MeshApp

    with MeshClient(target.url, target.token, timeout=5.0) as api:
        api.healthz()  # a wrong URL is a one-line error, not an empty app
    MeshApp(target.url, target.token, theme=LIGHT if light else DARK).run()
