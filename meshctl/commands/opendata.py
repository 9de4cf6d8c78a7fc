"""``meshctl import``, ``meshctl export`` and ``meshctl diff``: open data formats.

Import and export work on the local store (``--data-dir`` or ``--db-url``), like
``meshctl inventory``; diff needs no store at all. See docs/formats.md.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from meshctl.errors import friendly_errors
from meshctl.local import open_network, with_store

if TYPE_CHECKING:
    from topology.formats import ParsedNetwork

IMPORT_FORMATS = [
    "auto", "cnml", "gml", "meshviewer", "respondd", "netjson",
    "olsr", "olsr-txt", "batman", "batman-txt", "bmx6",
]  # fmt: skip
EXPORT_FORMATS = ["netjson", "netjson-routes", "netjson-monitoring", "cnml", "geojson",
                  "meshviewer"]  # fmt: skip
#: Files above this size get a progress bar while importing.
PROGRESS_BYTES = 1024 * 1024
SHOWN_WARNINGS = 5


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")[:64].strip("-")
    return s or "imported"


def _parse(paths: tuple[Path, ...], fmt: str) -> ParsedNetwork:
    from topology.formats import parse_files

    return parse_files(list(paths), fmt)


@click.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--format", "fmt", type=click.Choice(IMPORT_FORMATS), default="auto", show_default=True,
    help="Input format (auto: told from the content).",
)
@click.option("--community", default=None, help="Community slug [default: from the file name].")
@click.option("--name", default="", help="Community name [default: from the file].")
@click.option("--licence", default="ODbL-1.0", show_default=True, help="Data licence.")
@click.option("--replace", is_flag=True, help="Replace a network the store already holds.")
@click.option("--dry-run", is_flag=True, help="Parse and check only; store nothing.")
@with_store
@friendly_errors
def import_cmd(
    files: tuple[Path, ...],
    fmt: str,
    community: str | None,
    name: str,
    licence: str,
    replace: bool,
    dry_run: bool,
    data_dir: Path | None,
    db_url: str | None,
) -> None:
    """Import FILES (one network: a GML pair, or respondd answers of many nodes) into
    the store, all of it in one transaction or nothing.

    \b
    Formats: CNML 0.1, Guifi GML, Freifunk meshviewer.json and respondd (JSON or
    raw-deflate), NetJSON NetworkGraph, olsrd jsoninfo/txtinfo, batman-adv vis
    (JSON/text), BMX6 JSON.
    \b
    Example:
      meshctl import NodosZona8349.xml --community guifi-vic --data-dir ./data
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from topology.formats import build_model

    big = sum(p.stat().st_size for p in files) >= PROGRESS_BYTES
    slug = community or _slug(files[0].stem)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
        disable=not big, transient=True,
    ) as bar:
        task = bar.add_task("parsing", total=3)
        parsed = _parse(files, fmt)
        bar.update(task, advance=1, description="building the model")
        result = build_model(parsed, slug, name=name, licence=licence)
        bar.update(task, advance=1, description="storing")
        model = result.model
        if not dry_run:
            net = open_network(data_dir, db_url)
            net.import_model(model, replace_existing=replace)
        bar.update(task, advance=1)
    verb = "checked" if dry_run else "imported"
    click.echo(
        f"{verb} {len(model.nodes)} nodes, {len(model.links)} links, {len(model.zones)} zones, "
        f"{len(model.allocations)} address allocations from {files[0].name} ({parsed.format}) "
        f"as community {slug!r}"
    )
    for w in result.warnings[:SHOWN_WARNINGS]:
        click.echo(f"warning: {w}", err=True)
    if len(result.warnings) > SHOWN_WARNINGS:
        click.echo(f"warning: ... and {len(result.warnings) - SHOWN_WARNINGS} more", err=True)
    for c in result.address_conflicts:
        click.echo(f"address not imported: {c}", err=True)


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True,
              help="Output format.")
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write [default: standard output].")
@click.option("--node", default=None, help="The node, for netjson-routes and -monitoring.")
@click.option("--private", is_flag=True,
              help="Keep exact positions of private homes (for a backup, not for publishing).")
@click.option("--decimals", type=click.IntRange(0, 7), default=3, show_default=True,
              help="Decimals kept of private positions (3 = about 100 m).")
@click.option("--licence", default=None, help="Licence to state [default: the community's].")
@with_store
@friendly_errors
def export_cmd(
    fmt: str,
    out: Path | None,
    node: str | None,
    private: bool,
    decimals: int,
    licence: str | None,
    data_dir: Path | None,
    db_url: str | None,
) -> None:
    """Export the stored network as open data (public: no contacts or tokens, private
    homes rounded; stating the data licence)."""
    from topology.formats.export import export
    from topology.store.telemetry import load_reports

    net = open_network(data_dir, db_url)
    model = net.model()
    state = None
    if fmt == "netjson-monitoring" and node:
        report = load_reports(net.store.engine).get(net.resolve_node(node))
        state = report.state_dict() if report else None
    data, _ = export(model, fmt, public=not private, decimals=decimals, licence=licence,
                     node_id=node, node_state=state)
    if out is None:
        sys.stdout.buffer.write(data)
        return
    out.write_bytes(data)
    click.echo(f"wrote {out} ({fmt}, {len(data):,} bytes)", err=True)


@click.command("diff")
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(IMPORT_FORMATS), default="auto",
              show_default=True, help="Format of both snapshots.")
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
@friendly_errors
def diff_cmd(old: Path, new: Path, fmt: str, as_json: bool) -> None:
    """Compare two snapshots OLD and NEW of a network: links added, removed, changed.

    Exit code 0 when they are the same, 1 when they differ (like diff(1)).
    """
    from topology.formats import parse_file
    from topology.formats.diff import diff

    result = diff(parse_file(old, fmt), parse_file(new, fmt))
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=1))
    else:
        for lk in result.added:
            click.echo(f"+ link {lk.a} - {lk.b}" + (f" cost {lk.cost:g}" if lk.cost else ""))
        for lk in result.removed:
            click.echo(f"- link {lk.a} - {lk.b}")
        for c in result.changed:
            what = ", ".join(f"{k} {a} -> {b}" for k, (a, b) in c.fields().items())
            click.echo(f"~ link {c.after.a} - {c.after.b}: {what}")
        for n in result.nodes_added:
            click.echo(f"+ node {n}")
        for n in result.nodes_removed:
            click.echo(f"- node {n}")
        if result.empty:
            click.echo("no differences")
    sys.exit(0 if result.empty else 1)


__all__ = ["diff_cmd", "export_cmd", "import_cmd"]
