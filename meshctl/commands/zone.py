"""``meshctl zone``: list and create zones."""

from __future__ import annotations

from typing import Any

import click

from meshctl.commands.common import client, console, emit_json, json_option, with_service
from meshctl.errors import friendly_errors


@click.group("zone")
def zone() -> None:
    """List and create zones.

    \b
    Examples:
      meshctl zone list
      meshctl zone create shelburne --name Shelburne --parent north-country \\
          --bbox 44.36,-71.10,44.42,-70.98
    """


@zone.command("list")
@json_option
@with_service
@friendly_errors
def zone_list(as_json: bool, url: str | None, token: str | None) -> None:
    """Every zone, with its parent and box.

    \b
    Example:
      meshctl zone list --json
    """
    with client(url, token) as api:
        zones = api.zones()
    if as_json:
        emit_json(zones)
        return
    from rich.table import Table

    t = Table(title=f"{len(zones)} zones", title_justify="left")
    for col in ("id", "name", "parent", "box (lat,lon .. lat,lon)", "dns"):
        t.add_column(col)
    for z in zones:
        b = z.get("bbox")
        box = f"{b['min_lat']},{b['min_lon']} .. {b['max_lat']},{b['max_lon']}" if b else "-"
        t.add_row(z["id"], z.get("name", ""), z.get("parent") or "-", box,
                  ", ".join(z.get("dns_servers") or []) or "-")
    console().print(t)


def parse_bbox(text: str) -> dict[str, float]:
    """``"min_lat,min_lon,max_lat,max_lon"`` -> the API's bbox."""
    try:
        values = [float(x) for x in text.replace(" ", "").split(",")]
        if len(values) != 4:
            raise ValueError
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not min_lat,min_lon,max_lat,max_lon", param_hint="--bbox"
        ) from None
    keys = ("min_lat", "min_lon", "max_lat", "max_lon")
    return dict(zip(keys, values, strict=True))


@zone.command("create")
@click.argument("zone_id")
@click.option("--name", required=True, help="Zone name.")
@click.option("--parent", default=None, help="Parent zone (stewards need one of theirs).")
@click.option("--bbox", default=None, metavar="MIN_LAT,MIN_LON,MAX_LAT,MAX_LON",
              help="The zone's box; node positions must fall inside.")
@click.option("--dns", "dns", multiple=True, help="A DNS server (repeatable).")
@click.option("--ntp", "ntp", multiple=True, help="An NTP server (repeatable).")
@json_option
@with_service
@friendly_errors
def zone_create(
    zone_id: str, name: str, parent: str | None, bbox: str | None, dns: tuple[str, ...],
    ntp: tuple[str, ...], as_json: bool, url: str | None, token: str | None,
) -> None:
    """Create zone ZONE_ID.

    \b
    Example:
      meshctl zone create shelburne --name Shelburne --parent north-country
    """
    body: dict[str, Any] = {"id": zone_id, "name": name, "parent": parent}
    if bbox:
        body["bbox"] = parse_bbox(bbox)
    if dns:
        body["dns_servers"] = list(dns)
    if ntp:
        body["ntp_servers"] = list(ntp)
    with client(url, token) as api:
        created = api.create_zone(body)
    if as_json:
        emit_json(created)
    else:
        click.echo(f"created zone {created['id']} ({created.get('name')})")
