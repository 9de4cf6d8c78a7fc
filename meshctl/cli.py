"""``meshctl``: the command line of a meshcommons network.

Heavy modules (networkx, SQLAlchemy, scipy) are imported inside the commands that need
them, so ``meshctl --help`` starts fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from meshctl.errors import friendly_errors
from meshctl.lazy import LazyGroup

if TYPE_CHECKING:

    pass

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

#: Commands in their own modules, imported only when run: name -> ("module:attr", help).
#: Add one line per command group; keep the help to one short sentence.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "login": ("meshctl.commands.login:login", "Check and remember the service URL and token."),
    "logout": ("meshctl.commands.login:logout", "Forget the saved service URL and token."),
    "node": ("meshctl.commands.node:node", "Register, list, show, retire nodes; router configs."),
    "link": ("meshctl.commands.link:link", "Add links (their /30, radios) and list them."),
    "zone": ("meshctl.commands.zone:zone", "List and create zones."),
    "token": ("meshctl.commands.token:token_group", "Create, list and revoke API tokens."),
    "import": ("meshctl.commands.opendata:import_cmd", "Import CNML, GML, Freifunk, NetJSON..."),
    "export": ("meshctl.commands.opendata:export_cmd", "Export as NetJSON, CNML, GeoJSON..."),
    "diff": ("meshctl.commands.opendata:diff_cmd", "Compare two network snapshots."),
    "plan": ("meshctl.commands.plan:plan", "Plan links, coverage and resilience on terrain."),
    "tui": ("meshctl.commands.tui:tui_cmd", "The stewards' live terminal app (Textual)."),
    "federation": ("meshctl.commands.federation:federation", "Peer with neighbour communities."),
    "summary": ("meshctl.commands.query:summary", "Nodes by status, links by type, gateways."),
    "route": ("meshctl.commands.query:route", "Explain the cheapest path from A to B, hop by hop."),
    "routes": ("meshctl.commands.query:routes", "A node's routing table as NetJSON NetworkRoutes."),
    "gateways": ("meshctl.commands.query:gateways", "The nearest gateway of every node."),
    "whatif": ("meshctl.commands.query:whatif", "What if a node or link failed: who loses reach."),
    "ip": ("meshctl.commands.ip:ip", "Address management: whois, free space, allocate, release."),
}


from meshctl.local import default_data_dir, open_network, with_store  # noqa: E402


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """``--version``: read from package metadata only when asked (importlib.metadata
    costs 20 ms, a quarter of ``meshctl --help``)."""
    if not value or ctx.resilient_parsing:
        return
    from meshctl.version import version_string

    click.echo(f"meshctl {version_string()}")
    ctx.exit()


@click.group(cls=LazyGroup, lazy=LAZY_COMMANDS, context_settings=CONTEXT)
@click.option(
    "-V",
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
@click.option("-v", "--verbose", is_flag=True, help="Show details (tracebacks) on errors.")
def cli(verbose: bool) -> None:
    """Manage a community mesh network: inventories, addresses, routes.

    \b
    Examples:
      meshctl login http://127.0.0.1:8470 --token-file ./data/admin-token
      meshctl node register
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
    help="How long to run [default: 20 headless; until you quit the TUI].",
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
    """Run the sample network live: the real service, a node-agent per node, the TUI.

    Starts the HTTP service on 127.0.0.1 over a fresh store with the sample network and
    runs the real node-agent of every Working node (its own agent token) on a simulated
    collector (reports say "simulated"): links drift, one link degrades, one node goes
    offline and comes back. In a terminal the stewards' TUI shows it live (q quits);
    without one (or --headless) it runs --seconds, then prints what happened.
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
