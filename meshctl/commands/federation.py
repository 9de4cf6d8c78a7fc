"""``meshctl federation``: this community's identity, its peers, routes across communities.

``whoami`` reads (or makes) the key in the data directory, so it works before the
service first starts: its public key goes into the federation registry. The other
commands talk to the running service (``--url``/``--token``, as ``meshctl login``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from meshctl.commands.common import client, console, emit_json, json_option, with_service
from meshctl.errors import friendly_errors

API = "/api/v1/federation"


@click.group("federation")
def federation() -> None:
    """Federate with neighbour communities: identity, peers, routes across them.

    \b
    Examples:
      meshctl federation whoami --data-dir ./data
      meshctl federation peer add http://beta.example.net:8470 --key SHA256:kw3M...
      meshctl federation peer list
      meshctl federation route alpha:n0 gamma:n2
    """


@federation.command("whoami")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Data directory holding the key [env MESHCOMMONS_DATA_DIR].",
)
@click.option("--public-key", "only", flag_value="public_key", help="Print only the public key.")
@click.option("--fingerprint", "only", flag_value="fingerprint", help="Print only the fingerprint.")
@json_option
@friendly_errors
def whoami(data_dir: Path | None, only: str | None, as_json: bool) -> None:
    """Print this service's public key and the fingerprint peers pin (the key is made,
    mode 600, in the data directory if there is none yet).

    \b
    Examples:
      meshctl federation whoami --data-dir ./data
      meshctl federation whoami --data-dir ./data --fingerprint   # for `peer add --key`
    """
    from meshctl.local import default_data_dir
    from topology.federation.identity import fingerprint, public_key_text
    from topology.federation.keyfile import load_or_create_key
    from topology.federation.settings import KEY_FILE

    path = (data_dir or default_data_dir()) / KEY_FILE
    public = public_key_text(load_or_create_key(path))
    info = {"public_key": public, "fingerprint": fingerprint(public), "key_file": str(path)}
    if only is not None:
        click.echo(info[only])
        return
    if as_json:
        emit_json(info)
        return
    click.echo(f"public key:  {info['public_key']}")
    click.echo(f"fingerprint: {info['fingerprint']}")
    click.echo(f"key file:    {info['key_file']} (keep it private)")


@federation.group("peer")
def peer() -> None:
    """Add, list and remove peers (the services whose feeds this one polls)."""


def _peer_table(peers: list[dict[str, Any]]) -> None:
    from rich.table import Table

    t = Table(title=f"{len(peers)} peers", title_justify="left")
    for col in ("community", "status", "revision", "last sync", "stale since", "url", "error"):
        t.add_column(col)
    colour = {"ok": "green", "stale": "yellow", "rejected": "red", "never": "dim"}
    for p in peers:
        t.add_row(
            p["community"],
            f"[{colour.get(p['status'], 'white')}]{p['status']}[/]",
            str(p["revision"] if p["revision"] is not None else "-"),
            (p["last_sync"] or "-")[:19],
            (p["stale_since"] or "-")[:19],
            p["url"],
            p["error"] or "",
        )
    console().print(t)


@peer.command("add")
@click.argument("peer_url")
@click.option("--key", "key", required=True, help="The peer's key fingerprint (SHA256:...).")
@json_option
@with_service
@friendly_errors
def peer_add(peer_url: str, key: str, as_json: bool, url: str | None, token: str | None) -> None:
    """Peer with the service at PEER_URL, pinning its key (admins). The federation
    registry must list a community with that key."""
    with client(url, token) as api:
        added = api.request("POST", f"{API}/peers", json_body={"url": peer_url, "fingerprint": key})
    if as_json:
        emit_json(added)
        return
    click.echo(f"peering with {added['community']} at {added['url']} ({added['fingerprint']})")


@peer.command("list")
@json_option
@with_service
@friendly_errors
def peer_list(as_json: bool, url: str | None, token: str | None) -> None:
    """Every peer: status (ok, stale, rejected, never), revision, last sync."""
    with client(url, token) as api:
        peers = api.request("GET", f"{API}/peers")
    if as_json:
        emit_json(peers)
        return
    _peer_table(peers)


@peer.command("remove")
@click.argument("community")
@with_service
@friendly_errors
def peer_remove(community: str, url: str | None, token: str | None) -> None:
    """Stop peering with COMMUNITY (admins); its data leaves the federated view."""
    with client(url, token) as api:
        api.request("DELETE", f"{API}/peers/{community}")
    click.echo(f"no longer peering with {community}")


@federation.command("sync")
@json_option
@with_service
@friendly_errors
def sync(as_json: bool, url: str | None, token: str | None) -> None:
    """Poll every peer now instead of at the next interval (admins)."""
    with client(url, token) as api:
        peers = api.request("POST", f"{API}/sync")
    if as_json:
        emit_json(peers)
        return
    _peer_table(peers)


@federation.command("route")
@click.argument("source")
@click.argument("target")
@json_option
@with_service
@friendly_errors
def route(source: str, target: str, as_json: bool, url: str | None, token: str | None) -> None:
    """The cheapest path from SOURCE to TARGET across communities (ids community:local;
    a bare id is this community's), marking where it crosses a border."""
    with client(url, token) as api:
        r = api.request("GET", f"{API}/route", params={"source": source, "target": target})
    if as_json:
        emit_json(r)
        return
    out = console()
    if r["status"] != "ok":
        out.print(f"[bold yellow]route {r['source']} → {r['target']} unavailable:[/] {r['reason']}")
        if not r["hops"]:
            return
        out.print("[dim]last known path (from stale data):[/]")
    else:
        out.print(
            f"[bold]Route {r['source']} → {r['target']}[/]: {len(r['hops'])} hops, total cost "
            f"{r['total_cost']:g}, through {' > '.join(r['communities'])}"
        )
    from rich.table import Table

    t = Table(title_justify="left")
    for col in ("#", "from", "to", "link", "type", "status", "cost", ""):
        t.add_column(col)
    for i, h in enumerate(r["hops"], 1):
        mark = f"[bold magenta]◀ border {h['from_community']} > {h['to_community']}[/]"
        t.add_row(
            str(i), h["source"], h["target"], h["link"], h["type"], h["status"],
            f"{h['cost']:g}", mark if h["border"] else "",
        )
    out.print(t)


@federation.command("whatif")
@click.argument("node")
@json_option
@with_service
@friendly_errors
def whatif(node: str, as_json: bool, url: str | None, token: str | None) -> None:
    """Who, in any community, loses reach or every gateway if NODE goes down."""
    with client(url, token) as api:
        w = api.request("GET", f"{API}/whatif", params={"node": node})
    if as_json:
        emit_json(w)
        return
    click.echo(f"if {w['removed']} goes down:")
    click.echo(f"  lose reach:     {len(w['lost_reach'])} {' '.join(w['lost_reach'][:10])}")
    click.echo(f"  lose a gateway: {len(w['lost_gateway'])} {' '.join(w['lost_gateway'][:10])}")
    click.echo(f"  communities hurt: {', '.join(w['communities_hurt']) or 'none'}")
