"""``meshctl node``: register, list, show, change status, retire, regenerate configs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from meshctl.commands.common import client, console, emit_json, json_option, with_service
from meshctl.commands.complete import complete_model, complete_node, complete_zone
from meshctl.commands.register import register
from meshctl.errors import friendly_errors

if TYPE_CHECKING:
    from topology.client import MeshClient
    from topology.client_models import NodeInfo

STATUSES = ("Planned", "Reserved", "Building", "Testing", "Working", "Dropped", "Inactive")


@click.group("node")
def node() -> None:
    """Register nodes, list and inspect them, change their status, write router configs.

    \b
    Examples:
      meshctl node register                      # asks for everything
      meshctl node list --zone gorham --status Working
      meshctl node show gorham-library --json
      meshctl node config gorham-home-01 --out ./gorham-home-01
    """


node.add_command(register)


# ---------------------------------------------------------------------- queries


@node.command("list")
@click.option("--zone", default=None, shell_complete=complete_zone,
              help="Only this zone (and its sub-zones).")
@click.option("--status", type=click.Choice(STATUSES, case_sensitive=False), default=None)
@click.option("--role", type=click.Choice(["client", "supernode"]), default=None)
@click.option("-q", "--search", default=None, help="Search ids and names.")
@json_option
@with_service
@friendly_errors
def node_list(
    zone: str | None, status: str | None, role: str | None, search: str | None,
    as_json: bool, url: str | None, token: str | None,
) -> None:
    """List nodes (every page), sorted by id.

    \b
    Examples:
      meshctl node list --zone gorham --status working
      meshctl node list -q library --json | jq '.[].id'
    """
    filters = {k: v for k, v in (("zone", zone), ("role", role), ("q", search)) if v}
    if status:
        filters["status"] = next(s for s in STATUSES if s.lower() == status.lower())
    with client(url, token) as api:
        found = _all_nodes(api, filters)
    if as_json:
        emit_json(found)
        return
    from rich.table import Table

    from topology.presentation import status_text

    t = Table(title=f"{len(found)} nodes", title_justify="left")
    for col in ("id", "name", "zone", "status", "role", "gateway"):
        t.add_column(col)
    for n in found:
        t.add_row(n["id"], n.get("name", ""), n.get("zone", ""), status_text(n.get("status", "")),
                  n.get("role", ""), "yes" if n.get("gateway") else "")
    console().print(t)


def _all_nodes(api: MeshClient, filters: dict[str, str]) -> list[NodeInfo]:
    """Every matching node, in pages of 1000 (the API's largest), stopping at ``total``
    (so 1,000 nodes take one request, not two)."""
    from topology.client import API

    out: list[NodeInfo] = []
    while True:
        params: dict[str, str | int] = {**filters, "limit": 1000, "offset": len(out)}
        body = api.request("GET", f"{API}/nodes", params=params)
        page = body["items"] if isinstance(body, dict) else body
        out.extend(page)
        total = body.get("total") if isinstance(body, dict) else None
        if len(page) < 1000 or (isinstance(total, int) and len(out) >= total):
            return out


@node.command("show")
@click.argument("node_id", metavar="NODE", shell_complete=complete_node)
@json_option
@with_service
@friendly_errors
def show(node_id: str, as_json: bool, url: str | None, token: str | None) -> None:
    """One node: its fields, addresses and links (contact only if you may see it).

    \b
    Example:
      meshctl node show gorham-home-01
    """
    with client(url, token) as api:
        info = api.node(node_id)
        addresses = api.node_addresses(info["id"])
        links = api.all_links(node=info["id"])
    if as_json:
        emit_json({"node": info, "addresses": addresses, "links": links})
        return
    from topology.presentation import status_text

    c = console()
    p = info.get("position", {})
    c.print(f"[bold]{info.get('name')}[/] ({info['id']})")
    c.print(f"  zone {info.get('zone')}, {status_text(info.get('status', ''))}, "
            f"role {info.get('role')}{', gateway' if info.get('gateway') else ''}")
    c.print(f"  position {p.get('lat')},{p.get('lon')}, antenna {p.get('antenna_height_m')} m")
    if "owner" in info:
        c.print(f"  owner {info['owner']}")
    if info.get("contact"):
        contact = info["contact"]
        c.print("  contact " + ", ".join(str(v) for v in contact.values() if v))
    for d in info.get("devices", []):
        c.print(f"  device {d.get('id')}: {d.get('model') or d.get('name')}")
    for a in addresses:
        c.print(f"  {a.get('purpose'):<8} {a.get('prefix')}")
    for lk in links:
        other = lk["b"] if lk["a"] == info["id"] else lk["a"]
        c.print(f"  link {lk['id']} ({lk.get('type')}, {lk.get('status')}) to {other}")


@node.command("set-status")
@click.argument("node_id", metavar="NODE", shell_complete=complete_node)
@click.argument("status", type=click.Choice(STATUSES, case_sensitive=False))
@json_option
@with_service
@friendly_errors
def set_status(
    node_id: str, status: str, as_json: bool, url: str | None, token: str | None
) -> None:
    """Change NODE's status (volunteers: Planned <-> Reserved; stewards: any).

    \b
    Example:
      meshctl node set-status gorham-home-01 Working
    """
    proper = next(s for s in STATUSES if s.lower() == status.lower())
    with client(url, token) as api:
        changed = api.set_status(node_id, proper)
    if as_json:
        emit_json(changed)
    else:
        click.echo(f"{changed['id']}: {changed.get('status')}")


@node.command("retire")
@click.argument("node_id", metavar="NODE", shell_complete=complete_node)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@json_option
@with_service
@friendly_errors
def retire(node_id: str, yes: bool, as_json: bool, url: str | None, token: str | None) -> None:
    """Retire NODE: its status becomes Dropped (its history is kept).

    \b
    Example:
      meshctl node retire gorham-home-09 --yes
    """
    if not yes and sys.stdin.isatty():
        click.confirm(f"retire {node_id}?", abort=True)
    with client(url, token) as api:
        changed = api.retire_node(node_id)
    if as_json:
        emit_json(changed)
    else:
        click.echo(f"{changed['id']}: retired ({changed.get('status')})")


@node.command("config")
@click.argument("node_id", metavar="NODE", shell_complete=complete_node)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder [default: ./<node id>]; an agent token there is kept.")
@click.option("--model", default=None, shell_complete=complete_model,
              help="Device model [default: the node's device's].")
@click.option("--agent-url", default=None, metavar="URL",
              help="The service as the router reaches it, for agent.yaml [default: --url].")
@json_option
@with_service
@friendly_errors
def config(
    node_id: str, out: Path | None, model: str | None, agent_url: str | None, as_json: bool,
    url: str | None, token: str | None,
) -> None:
    """(Re)write NODE's router files from what the service knows now.

    \b
    Example:
      meshctl node config gorham-home-01 --out ./gorham-home-01 \\
          --agent-url https://mesh.example.org
    """
    from meshctl.commands.routerfiles import regenerate
    from meshctl.routerconfig import find_model, load_catalogue

    try:
        device = find_model(load_catalogue(), model) if model else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--model") from None
    folder = out or Path(node_id.split(":", 1)[-1])
    with client(url, token) as api:
        written = regenerate(api, node_id, folder, model=device, agent_url=agent_url)
    if as_json:
        emit_json({"node": node_id, "folder": str(folder), "files": [str(p) for p in written]})
    else:
        click.echo(f"wrote {len(written)} files to {folder}/")
