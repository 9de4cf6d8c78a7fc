"""``meshctl``: the command line of a meshcommons network.

Heavy modules (networkx, SQLAlchemy, scipy) are imported inside the commands that need
them, so ``meshctl --help`` starts fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from meshctl.errors import friendly_errors
from meshctl.lazy import LazyGroup
from meshctl.version import version_string

if TYPE_CHECKING:
    from rich.console import Console

    from topology.network import CommunityNetwork

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

#: Commands in their own modules, imported only when run: name -> ("module:attr", help).
#: Add one line per command group; keep the help to one short sentence.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {}


def default_data_dir() -> Path:
    """``$MESHCOMMONS_DATA_DIR``, else ``$XDG_DATA_HOME/meshcommons`` (~/.local/share)."""
    if env := os.environ.get("MESHCOMMONS_DATA_DIR"):
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "meshcommons"


store_options = [
    click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Embedded store directory [env MESHCOMMONS_DATA_DIR; "
        "default ~/.local/share/meshcommons].",
    ),
    click.option(
        "--db-url",
        envvar="MESHCOMMONS_DB_URL",
        default=None,
        help="Database URL instead, e.g. postgresql+psycopg://user:pass@host/db.",
    ),
]


F = TypeVar("F", bound=Callable[..., Any])


def with_store(fn: F) -> F:
    """Add --data-dir and --db-url to a command."""
    for option in reversed(store_options):
        fn = option(fn)
    return fn


def open_network(data_dir: Path | None, db_url: str | None) -> CommunityNetwork:
    from topology.network import CommunityNetwork
    from topology.store import open_store

    store = open_store(url=db_url) if db_url else open_store(data_dir or default_data_dir())
    return CommunityNetwork(store)


def _console() -> Console:
    from rich.console import Console

    return Console(no_color=bool(os.environ.get("NO_COLOR")) or None, emoji=False)


@click.group(cls=LazyGroup, lazy=LAZY_COMMANDS, context_settings=CONTEXT)
@click.version_option(
    version_string(), "-V", "--version", prog_name="meshctl", message="%(prog)s %(version)s"
)
@click.option("-v", "--verbose", is_flag=True, help="Show details (tracebacks) on errors.")
def cli(verbose: bool) -> None:
    """Manage a community mesh network: inventories, addresses, routes.

    \b
    Examples:
      meshctl inventory import inventories/sample --data-dir ./data
      meshctl summary --data-dir ./data
      meshctl route gorham-library berlin-city-hall --data-dir ./data
    """


# ---------------------------------------------------------------------------- demo


@cli.command()
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep the demo store here (default: a temporary directory).",
)
@click.option(
    "--headless",
    is_flag=True,
    help="No live view: run --seconds, then print a summary (the default without a terminal).",
)
@click.option(
    "--seconds",
    type=click.FloatRange(1, 86_400),
    default=None,
    help="How long to run [default: 20 headless; until Ctrl-C in a terminal].",
)
@click.option(
    "--interval",
    type=click.FloatRange(0.2, 3600),
    default=2.0,
    show_default=True,
    help="Seconds between one simulated agent's reports (jittered).",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed of the story.")
@friendly_errors
def demo(
    data_dir: Path | None, headless: bool, seconds: float | None, interval: float, seed: int
) -> None:
    """Run the sample network live: the real service and one simulated agent per node.

    Starts the HTTP service on 127.0.0.1 over a fresh store with the sample network,
    gives every Working node a simulated agent (its own agent token; reports labelled
    "simulated collector") and shows what the service sees: links drifting, one link
    degrading, one node going offline and coming back, alerts and route changes.
    """
    from meshctl.demo import run_demo

    run_demo(
        data_dir=data_dir,
        headless=headless or not sys.stdout.isatty(),
        seconds=seconds,
        interval=interval,
        seed=seed,
    )


# ---------------------------------------------------------------------------- generate


@cli.command()
@click.option("--nodes", type=click.IntRange(2, 1_000_000), required=True, help="Number of nodes.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option("--community", default="synth", show_default=True, help="Community slug.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="YAML inventory to write.",
)
@friendly_errors
def generate(nodes: int, seed: int, community: str, out: Path) -> None:
    """Generate a synthetic, mesh-like network for benchmarks and scale tests.

    \b
    Example:
      meshctl generate --nodes 40000 --seed 1 --out synth.yaml
    """
    from topology.generate import generate_network
    from topology.inventory import write_inventory

    model = generate_network(nodes, seed=seed, community=community)
    write_inventory(model, out)
    click.echo(
        f"wrote {out}: {len(model.nodes)} nodes, {len(model.links)} links, {len(model.zones)} zones"
    )


# ---------------------------------------------------------------------------- inventory


@cli.group()
def inventory() -> None:
    """Validate, import and export YAML inventories."""


@inventory.command("validate")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@friendly_errors
def inventory_validate(path: Path) -> None:
    """Check an inventory (a YAML file or a directory of them) without storing it."""
    from topology.inventory import load_inventory

    model = load_inventory(path)
    click.echo(
        f"{path}: valid: {len(model.zones)} zones, {len(model.nodes)} nodes, "
        f"{len(model.links)} links"
    )


@inventory.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@with_store
@click.option("--replace", is_flag=True, help="Replace a network the store already holds.")
@click.option(
    "--no-addresses",
    is_flag=True,
    help="Do not allocate missing node LANs, IPv6 prefixes and link /30s.",
)
@friendly_errors
def inventory_import(
    path: Path, data_dir: Path | None, db_url: str | None, replace: bool, no_addresses: bool
) -> None:
    """Store an inventory (all of it, or nothing if it has any error)."""
    from topology.inventory import load_inventory

    model = load_inventory(path)
    net = open_network(data_dir, db_url)
    report = net.import_model(model, replace_existing=replace)
    click.echo(
        f"imported {len(model.nodes)} nodes, {len(model.links)} links, "
        f"{len(report.accepted)} existing address allocations"
    )
    if not no_addresses:
        got = net.assign_missing_addresses()
        click.echo(
            f"allocated {len(got.node_prefixes)} node prefixes and "
            f"{len(got.link_prefixes)} link prefixes"
        )


@inventory.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_store
@click.option("--public", is_flag=True, help="Strip contacts and round private positions.")
@friendly_errors
def inventory_export(path: Path, data_dir: Path | None, db_url: str | None, public: bool) -> None:
    """Write the stored network as one YAML inventory."""
    from topology.inventory import write_inventory

    model = open_network(data_dir, db_url).model()
    write_inventory(model, path, public=public)
    click.echo(f"wrote {path}")


# ---------------------------------------------------------------------------- queries


@cli.command()
@with_store
@friendly_errors
def summary(data_dir: Path | None, db_url: str | None) -> None:
    """Nodes by status, links by type, gateways and address use."""
    from meshctl import render

    net = open_network(data_dir, db_url)
    render.summary(_console(), net)


@cli.command()
@click.argument("source")
@click.argument("target")
@with_store
@friendly_errors
def route(source: str, target: str, data_dir: Path | None, db_url: str | None) -> None:
    """Explain the cheapest path from SOURCE to TARGET hop by hop (ids: local or global)."""
    from meshctl import render

    net = open_network(data_dir, db_url)
    path = net.route(net.resolve_node(source), net.resolve_node(target))
    render.route(_console(), net, path)


@cli.command()
@click.argument("node")
@with_store
@friendly_errors
def routes(node: str, data_dir: Path | None, db_url: str | None) -> None:
    """Print NODE's routing table as NetJSON NetworkRoutes."""
    import json

    net = open_network(data_dir, db_url)
    click.echo(json.dumps(net.routing_table(net.resolve_node(node)), indent=2))


@cli.command()
@with_store
@friendly_errors
def gateways(data_dir: Path | None, db_url: str | None) -> None:
    """The nearest gateway of every node, and who has none."""
    from meshctl import render

    render.gateways(_console(), open_network(data_dir, db_url))


@cli.command()
@click.argument("kind", type=click.Choice(["node", "link"]))
@click.argument("ident")
@with_store
@friendly_errors
def whatif(kind: str, ident: str, data_dir: Path | None, db_url: str | None) -> None:
    """What if node or link IDENT failed: who loses reach or their gateway."""
    from meshctl import render

    net = open_network(data_dir, db_url)
    if kind == "node":
        result = net.what_if(node=net.resolve_node(ident))
    else:
        result = net.what_if(link=net.resolve_link(ident))
    render.whatif(_console(), net, kind, ident, result)


@cli.group()
def ip() -> None:
    """Address management: whois, free space, allocate, release."""


@ip.command("whois")
@click.argument("address")
@with_store
@friendly_errors
def ip_whois(address: str, data_dir: Path | None, db_url: str | None) -> None:
    """Who holds ADDRESS."""
    alloc = open_network(data_dir, db_url).whois(address)
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
@friendly_errors
def ip_free(data_dir: Path | None, db_url: str | None) -> None:
    """Free space per pool."""
    from meshctl import render

    render.pools(_console(), open_network(data_dir, db_url).free_space())


@ip.command("allocate")
@click.argument("purpose", type=click.Choice(["lan", "backbone", "ipv6"]))
@click.argument("holder")
@click.option("--zone", default=None, help="Zone whose pools to use (default: the holder's).")
@click.option("--prefixlen", type=int, default=None, help="Size, e.g. 27 or 30.")
@with_store
@friendly_errors
def ip_allocate(
    purpose: str,
    holder: str,
    zone: str | None,
    prefixlen: int | None,
    data_dir: Path | None,
    db_url: str | None,
) -> None:
    """Allocate a prefix for HOLDER (a node, or a link for backbone)."""
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
    click.echo(f"{alloc.prefix} -> {holder_id}")


@ip.command("release")
@click.argument("prefix")
@with_store
@friendly_errors
def ip_release(prefix: str, data_dir: Path | None, db_url: str | None) -> None:
    """Release PREFIX (held down for a day before reuse)."""
    released = open_network(data_dir, db_url).release(prefix)
    click.echo(f"released {released.prefix} (was {released.holder_id})")


# ---------------------------------------------------------------------------- serve


@cli.command()
@with_store
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8470, show_default=True, help="TCP port."
)
@click.option(
    "--inventory",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="Import this inventory first if the store is empty.",
)
@click.option(
    "--max-body",
    type=click.IntRange(1024),
    default=1024 * 1024,
    show_default=True,
    help="Largest request body in bytes (larger ones get 413).",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="YAML service config: sections alerts (thresholds) and webhooks (urls, retries).",
)
@friendly_errors
def serve(
    data_dir: Path | None,
    db_url: str | None,
    host: str,
    port: int,
    inventory: Path | None,
    max_body: int,
    config_file: Path | None,
) -> None:
    """Run the topology service: the HTTP API (docs/api.md) on uvicorn.

    On a store without an admin token it creates one and writes it to the file
    DATA_DIR/admin-token (readable by you only); it prints the path, never the token.
    SIGINT or SIGTERM stop it gracefully.

    \b
    Example:
      meshctl serve --data-dir ./data --inventory inventories/sample
    """
    from meshctl.serve import serve as run_service
    from topology.api.service import load_service_config

    run_service(
        config=load_service_config(config_file) if config_file else None,
        data_dir=data_dir or default_data_dir(),
        db_url=db_url,
        host=host,
        port=port,
        inventory=inventory,
        max_body_bytes=max_body,
    )


def main() -> None:
    cli(prog_name="meshctl")


if __name__ == "__main__":
    main()
