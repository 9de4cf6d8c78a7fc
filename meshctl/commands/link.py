"""``meshctl link``: add a link (its /30, radios, SSID, channel) and list links."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from meshctl.commands.common import client, console, emit_json, json_option, with_service
from meshctl.commands.complete import complete_node
from meshctl.errors import friendly_errors

if TYPE_CHECKING:
    from topology.client import MeshClient
    from topology.client_models import NodeInfo


@click.group("link")
def link() -> None:
    """Add links between nodes and list them.

    \b
    Examples:
      meshctl link add gorham-home-09 gorham-town-hall --type ap/client --ssid avm-gorham
      meshctl link list --node gorham-library --json
    """


def _taken(api: MeshClient, node: NodeInfo) -> set[str]:
    """Interface names the node already uses (its links' recorded ends, its devices')."""
    from meshctl.routerconfig.inputs import recorded_interface

    names = {recorded_interface(node["id"], lk) for lk in api.all_links(node=node["id"])}
    for device in node.get("devices") or []:
        names |= {str(i.get("name")) for i in device.get("interfaces") or []}
    return names - {""}


def _record_radio(
    api: MeshClient, node: NodeInfo, ifname: str, radio: dict[str, Any]
) -> None:
    """Add interface ``ifname`` (with its radio settings) to the node's router device."""
    from urllib.parse import quote

    from topology.client import API

    devices = [dict(d) for d in node.get("devices") or []]
    device = next((d for d in devices if d.get("id") == "router"), None) or (
        devices[0] if devices else {"id": "router", "name": "router", "type": "router"}
    )
    interfaces = [i for i in device.get("interfaces") or [] if i.get("name") != ifname]
    entry: dict[str, Any] = {"name": ifname, "type": "wds/p2p" if radio else "lan"}
    if radio:
        entry["type"] = "wlan"
        entry["radio"] = radio
    body = {k: v for k, v in device.items() if k != "id"}
    body["interfaces"] = [*interfaces, entry]
    path = f"{API}/nodes/{quote(node['id'], safe=':')}/devices/{quote(str(device['id']))}"
    api.request("PUT", path, json_body=body)


@link.command("add")
@click.argument("a", shell_complete=complete_node)
@click.argument("b", shell_complete=complete_node)
@click.option("--type", "kind", type=click.Choice(["wds", "ap/client", "cable"]), default="wds",
              show_default=True, help="wds: backbone point-to-point; ap/client: a client "
              "joining a supernode's access point; cable: Ethernet.")
@click.option("--id", "link_id", default=None, help="Link id [default: A--B].")
@click.option("--status", default="Planned", show_default=True,
              type=click.Choice(["Planned", "Building", "Testing", "Working"]))
@click.option("--ssid", default=None, help="Radio links: the SSID.")
@click.option("--channel", type=click.IntRange(1, 200), default=None, help="Radio channel.")
@click.option("--no-address", is_flag=True, help="Do not allocate the link's /30.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Regenerate both ends' router files under this folder (OUT/<node>).")
@json_option
@with_service
@friendly_errors
def add(
    a: str, b: str, kind: str, link_id: str | None, status: str, ssid: str | None,
    channel: int | None, no_address: bool, out: Path | None, as_json: bool,
    url: str | None, token: str | None,
) -> None:
    """Add a link from node A to node B and allocate its /30 (or /31).

    Radio settings (--ssid, --channel) are recorded on each end's router interface, and
    both ends' router files are regenerated with --out.

    \b
    Examples:
      meshctl link add gorham-home-09 gorham-town-hall --type ap/client --ssid avm-gorham-th
      meshctl link add mount-hayes-relay berlin-library --type wds --channel 149 --out ./configs
    """
    from meshctl.routerconfig.inputs import interface_name

    with client(url, token) as api:
        na, nb = api.node(a), api.node(b)
        ends = {}
        for node in (na, nb):
            ends[node["id"]] = interface_name(kind, _taken(api, node))
        body: dict[str, Any] = {
            "a": na["id"],
            "b": nb["id"],
            "type": kind,
            "status": status,
            "a_interface": f"router/{ends[na['id']]}",
            "b_interface": f"router/{ends[nb['id']]}",
        }
        if link_id:
            body["id"] = link_id
        created = api.add_link(body, allocate=not no_address)
        radio: dict[str, Any] = {}
        warnings: list[str] = []
        if kind != "cable" and (ssid or channel):
            from topology.client import Forbidden

            radio = {k: v for k, v in (("ssid", ssid), ("channel", channel)) if v}
            for node, mode in ((na, "ap"), (nb, "client")):
                if kind == "ap/client":
                    mode = "ap" if node.get("role") == "supernode" else "client"
                try:
                    _record_radio(api, node, ends[node["id"]], {"mode": mode, **radio})
                except Forbidden:  # a volunteer adding a link to someone else's node
                    warnings.append(f"radio settings not recorded on {node['id']} "
                                    "(not yours: its owner or a steward can)")
        written: list[str] = []
        if out is not None:
            from meshctl.commands.routerfiles import regenerate

            for node in (na, nb):
                folder = out / node["id"].split(":", 1)[-1]
                written += [str(p) for p in regenerate(api, node["id"], folder)]
    result = {**created, "interfaces": ends, "files": written, "warnings": warnings}
    if as_json:
        emit_json(result)
        return
    c = console()
    lk = created["link"]
    c.print(f"added link {lk['id']} ({lk.get('type')}, {lk.get('status')})")
    for addr in created.get("addresses", []):
        c.print(f"  {addr['purpose']} {addr['prefix']}")
    if created.get("address_error"):
        c.print(f"[yellow]no address: {created['address_error']}[/]")
    for node_id, ifname in ends.items():
        c.print(f"  {node_id}: interface {ifname}")
    for warning in warnings:
        c.print(f"[yellow]{warning}[/]")
    if written:
        c.print(f"regenerated {len(written)} files under {out}/")
    else:
        c.print(f"regenerate the router files: meshctl node config {a} / {b}")


@link.command("list")
@click.option("--node", default=None, shell_complete=complete_node,
              help="Only links of this node.")
@click.option("--status", default=None, help="Only links with this status.")
@click.option("--type", "kind", default=None, help="Only links of this type.")
@json_option
@with_service
@friendly_errors
def link_list(
    node: str | None, status: str | None, kind: str | None, as_json: bool,
    url: str | None, token: str | None,
) -> None:
    """List links.

    \b
    Example:
      meshctl link list --node gorham-library
    """
    filters = {k: v for k, v in (("node", node), ("status", status), ("type", kind)) if v}
    with client(url, token) as api:
        found = api.all_links(**filters)
    if as_json:
        emit_json(found)
        return
    from rich.table import Table

    from topology.presentation import status_text

    t = Table(title=f"{len(found)} links", title_justify="left")
    for col in ("id", "a", "b", "type", "status", "cost"):
        t.add_column(col)
    for lk in found:
        cost = (lk.get("metrics") or {}).get("cost")
        t.add_row(lk["id"], lk["a"], lk["b"], lk.get("type", ""),
                  status_text(lk.get("status", "")), "-" if cost is None else f"{cost:g}")
    console().print(t)
