"""``meshctl ip``: address management (whois, free space, allocate, release), through
the service or on a local store."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from meshctl.commands.common import emit_json, json_option, with_service
from meshctl.errors import friendly_errors
from meshctl.local import console as _console
from meshctl.local import open_network, remote, with_store


@click.group()
def ip() -> None:
    """Address management: whois, free space, allocate, release."""


@ip.command("whois")
@click.argument("address")
@with_store
@with_service
@json_option
@friendly_errors
def ip_whois(
    address: str, data_dir: Path | None, db_url: str | None, url: str | None,
    token: str | None, as_json: bool,
) -> None:
    """Who holds ADDRESS (exit status 1 when nobody does).

    \b
    Example:
      meshctl ip whois 10.228.16.5
    """
    if (api := remote(data_dir, db_url, url, token)) is not None:
        with api:
            held = api.whois(address)
        if as_json:
            emit_json(held)
        elif held is not None:
            from meshctl.commands.display import allocation_line

            click.echo(f"{address}: {allocation_line(held)}")
        else:
            click.echo(f"{address}: not allocated")
        sys.exit(0 if held is not None else 1)
    alloc = open_network(data_dir, db_url).whois(address)
    if as_json:
        from topology.api.schemas_routing import AllocationOut

        emit_json(None if alloc is None else AllocationOut.of(alloc).model_dump(mode="json"))
        sys.exit(0 if alloc is not None else 1)
    if alloc is None:
        click.echo(f"{address}: not allocated")
        sys.exit(1)
    click.echo(
        f"{address}: {alloc.prefix} held by {alloc.holder_kind} {alloc.holder_id} "
        f"({alloc.purpose}, since {alloc.allocated_at:%Y-%m-%d %H:%M} UTC)"
        if alloc.allocated_at
        else f"{address}: {alloc.prefix} held by {alloc.holder_id}"
    )


@ip.command("free")
@with_store
@with_service
@json_option
@friendly_errors
def ip_free(
    data_dir: Path | None, db_url: str | None, url: str | None, token: str | None, as_json: bool
) -> None:
    """Free space per pool.

    \b
    Example:
      meshctl ip free
    """
    if (api := remote(data_dir, db_url, url, token)) is not None:
        with api:
            found = api.pools()
        if as_json:
            emit_json(found)
        else:
            from meshctl.commands import display

            display.pools(_console(), found)
        return
    from meshctl import render

    render.pools(_console(), open_network(data_dir, db_url).free_space())


@ip.command("allocate")
@click.argument("purpose", type=click.Choice(["lan", "backbone", "ipv6"]))
@click.argument("holder")
@click.option("--zone", default=None, help="Zone whose pools to use (default: the holder's).")
@click.option("--prefixlen", type=int, default=None, help="Size, e.g. 27 or 30.")
@with_store
@with_service
@json_option
@friendly_errors
def ip_allocate(
    purpose: str,
    holder: str,
    zone: str | None,
    prefixlen: int | None,
    data_dir: Path | None,
    db_url: str | None,
    url: str | None,
    token: str | None,
    as_json: bool,
) -> None:
    """Allocate a prefix for HOLDER (a node, or a link for backbone).

    \b
    Examples:
      meshctl ip allocate lan gorham-town-hall
      meshctl ip allocate backbone gorham-town-hall--mount-hayes-relay --prefixlen 31
    """
    if (api := remote(data_dir, db_url, url, token)) is not None:
        kind_name = "link" if purpose == "backbone" else "node"
        with api:
            got = api.allocate(purpose, kind_name, holder, zone=zone, prefixlen=prefixlen)
        if as_json:
            emit_json(got)
        else:
            click.echo(f"{got['prefix']} -> {got.get('holder_id')}")
        return
    from topology.model import HolderKind, Purpose

    net = open_network(data_dir, db_url)
    kind = HolderKind.LINK if purpose == "backbone" else HolderKind.NODE
    holder_id = net.resolve_link(holder) if kind is HolderKind.LINK else net.resolve_node(holder)
    alloc = net.allocate(
        Purpose(purpose),
        kind,
        holder_id,
        zone_id=zone or net.zone_of(holder_id),
        prefixlen=prefixlen,
    )
    if as_json:
        from topology.api.schemas_routing import AllocationOut

        emit_json(AllocationOut.of(alloc).model_dump(mode="json"))
        return
    click.echo(f"{alloc.prefix} -> {holder_id}")


@ip.command("release")
@click.argument("prefix")
@with_store
@with_service
@json_option
@friendly_errors
def ip_release(
    prefix: str, data_dir: Path | None, db_url: str | None, url: str | None,
    token: str | None, as_json: bool,
) -> None:
    """Release PREFIX (held down for a day before reuse).

    \b
    Example:
      meshctl ip release 10.228.16.32/27
    """
    if (api := remote(data_dir, db_url, url, token)) is not None:
        with api:
            gone = api.release(prefix)
        if as_json:
            emit_json(gone)
        else:
            click.echo(f"released {gone['prefix']} (was {gone.get('holder_id')})")
        return
    released = open_network(data_dir, db_url).release(prefix)
    if as_json:
        from topology.api.schemas_routing import AllocationOut

        emit_json(AllocationOut.of(released).model_dump(mode="json"))
        return
    click.echo(f"released {released.prefix} (was {released.holder_id})")
