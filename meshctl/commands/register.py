"""``meshctl node register``: a node, its addresses, agent token and router files."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from meshctl.commands.common import client, console, emit_json, json_option, with_service
from meshctl.commands.complete import complete_model, complete_node, complete_zone
from meshctl.errors import friendly_errors

if TYPE_CHECKING:
    from topology.client import MeshClient

def slug_of(name: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "node"


def parse_position(text: str) -> tuple[float, float]:
    """``"44.38,-71.17"`` -> (lat, lon), with a clear error."""
    parts = text.replace(" ", "").split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise click.BadParameter(f"{text!r} is not 'lat,lon' (e.g. 44.3892,-71.1768)") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise click.BadParameter(f"{text!r}: latitude -90..90, longitude -180..180")
    return lat, lon


def inside(bbox: dict[str, float] | None, lat: float, lon: float) -> bool:
    if not bbox:
        return True
    return bbox["min_lat"] <= lat <= bbox["max_lat"] and bbox["min_lon"] <= lon <= bbox["max_lon"]


class _Asker:
    """Validate each value where it is typed: re-ask in a terminal, fail in a script."""

    def __init__(self, interactive: bool) -> None:
        self.interactive = interactive

    def value(self, current: Any, prompt: str, check: Any, hint: str, **kw: Any) -> Any:
        while True:
            if current is None:
                if not self.interactive:
                    raise click.UsageError(f"missing {hint} (or run it in a terminal)")
                current = click.prompt(prompt, **kw)
            try:
                return check(current)
            except click.BadParameter as exc:
                if not self.interactive:
                    raise click.BadParameter(exc.message, param_hint=hint) from None
                click.echo(f"  {exc.message}", err=True)
                current = None


def _check_name(api: MeshClient, node_id: str) -> str:
    from topology.client import NotFound

    try:
        api.node(node_id)
    except NotFound:
        return node_id
    raise click.BadParameter(f"node id {node_id!r} is taken; choose another name or --id")


@click.command("register")
@click.option("--name", default=None, help="Node name, e.g. 'Home on Main Street'.")
@click.option("--id", "local_id", default=None, help="Local id [default: from the name].")
@click.option("--zone", default=None, shell_complete=complete_zone, help="Zone id.")
@click.option("--position", default=None, metavar="LAT,LON", help="e.g. 44.3892,-71.1768.")
@click.option("--near", default=None, shell_complete=complete_node,
              help="Instead of --position: the position of this existing node.")
@click.option("--height", type=click.FloatRange(0, 1000), default=None,
              help="Antenna height above ground, metres.")
@click.option("--model", default=None, shell_complete=complete_model,
              help="Device model from the catalogue.")
@click.option("--role", type=click.Choice(["client", "supernode"]), default=None)
@click.option("--contact-name", default=None, help="Contact (private: stewards and you).")
@click.option("--contact-email", default=None)
@click.option("--contact-phone", default=None)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the router files [default: ./<node id>].")
@click.option("--catalogue", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Extra device models (YAML list).")
@click.option("--no-agent-token", is_flag=True, help="Do not issue the agent token now.")
@click.option("--agent-url", default=None, metavar="URL",
              help="The service as the router reaches it, for agent.yaml [default: --url].")
@json_option
@with_service
@friendly_errors
def register(
    name: str | None, local_id: str | None, zone: str | None, position: str | None,
    near: str | None, height: float | None, model: str | None, role: str | None,
    contact_name: str | None, contact_email: str | None, contact_phone: str | None,
    out: Path | None, catalogue: Path | None, no_agent_token: bool, agent_url: str | None,
    as_json: bool, url: str | None, token: str | None,
) -> None:
    """Register a node (Planned), allocate its LAN /27 and IPv6 /64, issue its agent
    token and write its router files: agent.yaml, OpenWrt UCI, babeld.conf, README.

    Asks for what the flags leave out when run in a terminal; each value is checked as
    it is typed (unique name, position inside the zone, known model).

    \b
    Examples:
      meshctl node register
      meshctl node register --name "Home on Main Street" --zone gorham \\
          --position 44.3870,-71.1800 --height 6 --model "Ubiquiti NanoStation M5" \\
          --role client --contact-email me@example.org --out ./my-node
    """
    from meshctl.commands.routerfiles import files_for, gather, write_files
    from meshctl.routerconfig import CatalogueError, find_model, load_catalogue
    from topology.client import ClientError

    interactive = sys.stdin.isatty() and not as_json
    ask = _Asker(interactive)
    models = load_catalogue(catalogue)
    with client(url, token) as api:
        name = ask.value(name, "Name", _nonempty, "--name")
        assert name is not None
        node_id = ask.value(local_id or (slug_of(name) if not interactive else None),
                            "Node id", lambda v: _check_name(api, slug_of(v)), "--id",
                            default=slug_of(name))
        zones = {z["id"]: z for z in api.zones()}
        zone_id = ask.value(zone, f"Zone ({', '.join(sorted(zones))})",
                            lambda v: _check_zone(zones, v), "--zone")
        from meshctl.commands.routerfiles import inherited, zone_chain

        bbox = inherited(zone_chain(list(zones.values()), zone_id), "bbox")
        if near is not None and position is None:
            found = api.node(near)["position"]
            position = f"{found['lat']},{found['lon']}"
        lat, lon = ask.value(position, "Position (lat,lon, or a nearby node's id)",
                             lambda v: _check_position(_at_node(api, v), bbox, zone_id),
                             "--position")
        if height is None:
            height = float(click.prompt("Antenna height (m)", default=6.0, type=float)
                           if interactive else 6.0)

        def check_model(v: str) -> Any:
            try:
                return find_model(models, v)
            except CatalogueError as exc:
                raise click.BadParameter(str(exc)) from None

        default_model = "Ubiquiti NanoStation M5"
        device = ask.value(model or (None if interactive else default_model), "Device model",
                           check_model, "--model", default=default_model)
        if role is None:
            role = (click.prompt("Role", type=click.Choice(["client", "supernode"]),
                                 default="client") if interactive else "client")
        if interactive and contact_email is None and contact_name is None:
            contact_name = click.prompt("Contact name (private, optional)", default="") or None
            contact_email = click.prompt("Contact e-mail (private, optional)", default="") or None
        body: dict[str, Any] = {
            "id": node_id,
            "name": name,
            "zone": zone_id,
            "position": {"lat": lat, "lon": lon, "antenna_height_m": height},
            "status": "Planned",
            "role": role,
            "devices": [{"id": "router", "name": device.name, "type": device.kind,
                         "model": device.name}],
        }
        contact = {k: v for k, v in (("name", contact_name), ("email", contact_email),
                                     ("phone", contact_phone)) if v}
        if contact:
            body["contact"] = contact
        created = api.register_node(body, allocate=True)
        full_id = created["node"]["id"]
        secret = None
        token_error = ""
        if not no_agent_token:
            try:
                secret = api.create_token("agent", f"agent-{node_id}", node=full_id)["token"]
            except ClientError as exc:
                token_error = str(exc)
        folder = out or Path(node_id)
        inputs = gather(api, full_id, model=device, agent_url=agent_url)
        written = write_files(folder, files_for(inputs, secret))
    result = {
        "node": created["node"],
        "addresses": created.get("addresses", []),
        "address_error": created.get("address_error"),
        "agent_token": secret,
        "agent_token_error": token_error or None,
        "folder": str(folder),
        "files": [str(p) for p in written],
    }
    if as_json:
        emit_json(result)
        return
    c = console()
    c.print(f"[bold]registered {full_id}[/] ({name}), status Planned")
    for a in created.get("addresses", []):
        c.print(f"  {a['purpose']:<5} {a['prefix']}")
    if created.get("address_error"):
        c.print(f"[yellow]addresses not allocated: {created['address_error']}[/]")
    if secret:
        c.print(f"agent token (shown once, saved in {folder / 'agent.yaml'}): {secret}")
    elif token_error:
        c.print(f"[yellow]no agent token: {token_error}[/]")
    c.print(f"wrote {len(written)} files to {folder}/ - next steps in {folder / 'README.md'}")


def _nonempty(v: str) -> str:
    if not str(v).strip():
        raise click.BadParameter("must not be empty")
    return str(v).strip()


def _check_zone(zones: dict[str, Any], v: str) -> str:
    if v in zones:
        return v
    low = v.lower()
    near = [z for z, info in zones.items() if low in z or low in str(info.get("name", "")).lower()]
    if len(near) == 1:
        return near[0]
    hint = f" (did you mean {', '.join(near)}?)" if near else ""
    raise click.BadParameter(f"unknown zone {v!r}{hint}; zones: {', '.join(sorted(zones))}")


def _at_node(api: MeshClient, text: str) -> str:
    """``text`` as typed, or the position of the node it names (``lat,lon``)."""
    if any(ch.isdigit() for ch in text.split(",")[0][:1]) or text.startswith("-"):
        return text
    from topology.client import NotFound

    try:
        p = api.node(text.strip())["position"]
    except NotFound:
        return text  # parse_position then says what is wrong with it
    return f"{p['lat']},{p['lon']}"


def _check_position(v: str, bbox: dict[str, float] | None, zone: str) -> tuple[float, float]:
    lat, lon = parse_position(v)
    if not inside(bbox, lat, lon):
        assert bbox is not None
        raise click.BadParameter(
            f"{lat},{lon} is outside zone {zone} (lat {bbox['min_lat']}..{bbox['max_lat']}, "
            f"lon {bbox['min_lon']}..{bbox['max_lon']})"
        )
    return lat, lon
