"""``meshctl federation``: this community's identity, its peers, routes across communities.

``whoami`` reads (or makes) the key in the data directory, so it works before the
service first starts: its public key goes into the federation registry. The other
commands talk to the running service (``--url``/``--token``, as ``meshctl login``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from meshctl.commands.common import client, console, emit_json, json_option, with_service
from meshctl.errors import friendly_errors

if TYPE_CHECKING:
    from rich.console import Console

    from topology.client_models import FederatedRoute, PeerInfo


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


def _peer_table(peers: list[PeerInfo]) -> None:
    from rich.table import Table

    t = Table(title=f"{len(peers)} peers", title_justify="left")
    for col in ("community", "status", "revision", "last sync", "stale since", "url", "error"):
        t.add_column(col)
    colour = {"ok": "green", "stale": "yellow", "rejected": "red", "never": "dim"}
    for p in peers:
        t.add_row(
            p.get("community", ""),
            f"[{colour.get(p.get('status', ''), 'white')}]{p.get('status')}[/]",
            str(p.get("revision") if p.get("revision") is not None else "-"),
            (p.get("last_sync") or "-")[:19],
            (p.get("stale_since") or "-")[:19],
            p.get("url", ""),
            p.get("error") or "",
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
        added = api.add_peer(peer_url, key)
    if as_json:
        emit_json(added)
        return
    click.echo(
        f"peering with {added.get('community')} at {added.get('url')} "
        f"({added.get('fingerprint')})"
    )


@peer.command("list")
@json_option
@with_service
@friendly_errors
def peer_list(as_json: bool, url: str | None, token: str | None) -> None:
    """Every peer: status (ok, stale, rejected, never), revision, last sync."""
    with client(url, token) as api:
        peers = api.peers()
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
        api.remove_peer(community)
    click.echo(f"no longer peering with {community}")


@federation.command("sync")
@json_option
@with_service
@friendly_errors
def sync(as_json: bool, url: str | None, token: str | None) -> None:
    """Poll every peer now instead of at the next interval (admins)."""
    with client(url, token) as api:
        peers = api.sync_peers()
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
        r = api.federated_route(source, target)
    if as_json:
        emit_json(r)
        return
    show_route(console(), r)


def show_route(out: Console, r: FederatedRoute) -> None:
    """A route across communities: a summary line (or why it is unavailable), then the
    hops, each border crossing marked (also ``meshctl route`` across communities)."""
    from rich.table import Table

    hops = r.get("hops") or []
    if r.get("status") != "ok":
        out.print(
            f"[bold yellow]route {r.get('source')} → {r.get('target')} unavailable:[/] "
            f"{r.get('reason')}"
        )
        if not hops:
            return
        out.print("[dim]last known path (from stale data):[/]")
    else:
        out.print(
            f"[bold]Route {r.get('source')} → {r.get('target')}[/]: {len(hops)} hops, total "
            f"cost {r.get('total_cost') or 0:g}, through {' > '.join(r.get('communities', []))}"
            f", {r.get('crossings', 0)} border crossing(s)"
        )
    t = Table(title_justify="left")
    for col in ("#", "from", "to", "link", "type", "status", "cost", ""):
        t.add_column(col)
    for i, h in enumerate(hops, 1):
        mark = f"[bold magenta]◀ border {h.get('from_community')} > {h.get('to_community')}[/]"
        t.add_row(
            str(i), h.get("source", ""), h.get("target", ""), h.get("link", ""),
            h.get("type", ""), h.get("status", ""), f"{h.get('cost', 0):g}",
            mark if h.get("border") else "",
        )  # fmt: skip
    out.print(t)


@federation.command("whatif")
@click.argument("node")
@json_option
@with_service
@friendly_errors
def whatif(node: str, as_json: bool, url: str | None, token: str | None) -> None:
    """Who, in any community, loses reach or every gateway if NODE goes down."""
    with client(url, token) as api:
        w = api.federated_whatif(node)
    if as_json:
        emit_json(w)
        return
    reach, gateway = w.get("lost_reach", []), w.get("lost_gateway", [])
    click.echo(f"if {w.get('removed')} goes down:")
    click.echo(f"  lose reach:     {len(reach)} {' '.join(reach[:10])}")
    click.echo(f"  lose a gateway: {len(gateway)} {' '.join(gateway[:10])}")
    click.echo(f"  communities hurt: {', '.join(w.get('communities_hurt', [])) or 'none'}")
