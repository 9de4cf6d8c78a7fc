"""``meshctl plan``: link feasibility, coverage and placement, single points of failure.

The computation is :mod:`topology.planning`; this module reads the inputs (store,
terrain directory, catalogue, GeoJSON), shows progress and prints or writes results.
Planning errors are :class:`~topology.model.ModelError` subclasses, so
:func:`~meshctl.errors.friendly_errors` prints them as one line with exit code 1.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from meshctl.errors import friendly_errors
from meshctl.local import open_network, with_store

if TYPE_CHECKING:
    from topology.model import Node
    from topology.network import CommunityNetwork
    from topology.planning import Catalogue, Equipment, Site, Terrain

F = Callable[..., Any]


def planning_options(fn: F) -> F:
    """--terrain, --catalogue and --k, shared by the subcommands."""
    fn = click.option(
        "--k", "k_factor", type=click.FloatRange(0.1, 100), default=4 / 3, show_default="4/3",
        help="Effective Earth radius factor (refraction).",
    )(fn)
    fn = click.option(
        "--catalogue", type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None, help="Equipment catalogue YAML [default: inventories/equipment.yaml].",
    )(fn)
    return click.option(
        "--terrain", type=click.Path(file_okay=False, path_type=Path),
        envvar="MESHCOMMONS_TERRAIN_DIR", default=None,
        help="Directory of SRTM .hgt tiles [env MESHCOMMONS_TERRAIN_DIR; default: flat earth].",
    )(fn)


def _load(terrain_dir: Path | None, catalogue: Path | None) -> tuple[Terrain, Catalogue]:
    from topology.planning import Terrain, load_catalogue

    return Terrain.load(terrain_dir), load_catalogue(catalogue)


@click.group("plan")
def plan() -> None:
    """Plan coverage: link feasibility, where to add nodes, single points of failure.

    \b
    Examples:
      meshctl plan link gorham-town-hall mount-hayes-relay --terrain DIR --data-dir ./data
      meshctl plan link 44.3869,-71.1716 44.4147,-71.1731 --height-a 9 --height-b 6
      meshctl plan coverage --demand inventories/sample-demand.geojson \\
          --candidates inventories/sample-sites.geojson --budget 3 --out report --data-dir ./data
      meshctl plan resilience --data-dir ./data
    """


# ---------------------------------------------------------------------------- link


@plan.command("link")
@click.argument("a")
@click.argument("b")
@click.option("--height-a", type=click.FloatRange(0, 1000), default=None,
              help="Antenna height at A, m above ground [node's; 10 for lat,lon].")
@click.option("--height-b", type=click.FloatRange(0, 1000), default=None,
              help="Antenna height at B, m above ground [node's; 10 for lat,lon].")
@click.option("--model-a", default=None, help="Radio at A [node's if catalogued; else backhaul].")
@click.option("--model-b", default=None, help="Radio at B [same rule].")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option("--png", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the profile chart (PNG) here.")
@planning_options
@with_store
@friendly_errors
def plan_link_cmd(
    a: str, b: str, height_a: float | None, height_b: float | None, model_a: str | None,
    model_b: str | None, as_json: bool, png: Path | None, terrain: Path | None,
    catalogue: Path | None, k_factor: float, data_dir: Path | None, db_url: str | None,
) -> None:
    """Is a link from A to B feasible? A and B are nodes or lat,lon.

    Prints the path profile verdict (clear, marginal, blocked) with the worst
    obstruction and the antenna heights that would clear it, and the link budget both
    ways (FSPL, RSSI, fade margin, expected rate).
    """
    from topology.planning import link_json, link_summary, plan_link
    from topology.planning.pictures import profile_png

    ground, cat = _load(terrain, catalogue)
    net: list[CommunityNetwork] = []  # opened only when an end is a node

    def network() -> CommunityNetwork:
        if not net:
            net.append(open_network(data_dir, db_url))
        return net[0]

    site_a, radio_a = _end(a, height_a, model_a, cat, network)
    site_b, radio_b = _end(b, height_b, model_b, cat, network)
    result = plan_link(ground, site_a, site_b, radio_a, radio_b, k=k_factor)
    if png is not None:
        png.write_bytes(profile_png(result.profile))
    if as_json:
        click.echo(json.dumps(link_json(result), indent=2))
    else:
        click.echo("\n".join(link_summary(result)))
        if png is not None:
            click.echo(f"  profile chart: {png}")


def _end(
    text: str, height: float | None, model: str | None, cat: Catalogue,
    network: Callable[[], CommunityNetwork],
) -> tuple[Site, Equipment]:
    from topology.planning import Site
    from topology.planning.geometry import parse_latlon

    if "," in text:
        site = parse_latlon(text, 10.0 if height is None else height)
        return site, cat.model(model) if model else cat.default("backhaul")
    net = network()
    node = net.graph.node(net.resolve_node(text))
    p = node.position
    site = Site(text, p.lat, p.lon, p.antenna_height_m if height is None else height)
    return site, cat.model(model) if model else _node_radio(node, cat)


def _node_radio(node: Node, cat: Catalogue) -> Equipment:
    """The node's backhaul-capable catalogued radio, else any catalogued, else the default."""
    found = [m for d in node.devices if (m := cat.find(d.model)) is not None]
    backhaul = [m for m in found if "backhaul" in m.roles]
    return (backhaul or found or [cat.default("backhaul")])[0]


# ---------------------------------------------------------------------------- coverage


@plan.command("coverage")
@click.option("--demand", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help="GeoJSON Points: households and public buildings.")
@click.option("--candidates", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="GeoJSON Points: sites where a node could go.")
@click.option("--budget", type=int, default=3, show_default=True,
              help="Choose up to this many candidate sites (K >= 1).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("plan-report"), show_default=True, help="Report directory.")
@click.option("--ap", default=None, help="Radio at serving sites [catalogue default].")
@click.option("--cpe", default=None, help="Radio at households [catalogue default].")
@click.option("--backhaul", default=None, help="Backhaul radio [catalogue default].")
@click.option("--max-client-km", type=click.FloatRange(0.1, 100), default=5.0,
              show_default=True, help="Longest household link.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary instead of text.")
@planning_options
@with_store
@friendly_errors
def plan_coverage_cmd(
    demand: Path, candidates: Path | None, budget: int, out: Path, ap: str | None,
    cpe: str | None, backhaul: str | None, max_client_km: float, as_json: bool,
    terrain: Path | None, catalogue: Path | None, k_factor: float, data_dir: Path | None,
    db_url: str | None,
) -> None:
    """Who today's network reaches, and the best new sites (greedy, joined to the mesh).

    Writes report.md, report.html, map.png and GeoJSON layers into --out.
    """
    from topology.planning import CoverageOptions, parse_points, plan_coverage
    from topology.planning.demand import CANDIDATE_HEIGHT_M, DEMAND_HEIGHT_M, read_geojson
    from topology.planning.report import report_files

    if budget <= 0:
        from topology.planning import PlanningError

        raise PlanningError(f"--budget must be at least 1 site, got {budget}")
    ground, cat = _load(terrain, catalogue)
    points = parse_points(read_geojson(demand), source=str(demand),
                          default_height_m=DEMAND_HEIGHT_M)
    sites = (
        parse_points(read_geojson(candidates), source=str(candidates),
                     default_height_m=CANDIDATE_HEIGHT_M)
        if candidates else ()
    )
    options = CoverageOptions.from_catalogue(cat, ap=ap, cpe=cpe, backhaul=backhaul,
                                             k=k_factor, max_client_km=max_client_km)
    net = open_network(data_dir, db_url)
    net.community  # noqa: B018 - raises "import an inventory first" on an empty store
    nodes = list(net.graph.nodes.values())
    with _progress() as progress:
        result = plan_coverage(ground, nodes, points, options, candidates=sites,
                               budget=budget, progress=progress)
    from topology.planning.network_plan import link_checker, resilience_for

    spof = resilience_for(net.graph, result, link_checker(ground, cat, k=k_factor))
    files = report_files(result, ground, nodes, list(net.graph.links.values()), spof)
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)
    if as_json:
        click.echo(json.dumps(_coverage_json(result, out), indent=2))
        return
    b, a = result.before, result.after
    click.echo(result.terrain_note)
    click.echo(f"today: {b.covered_weight:g} of {b.total_weight:g} households covered "
               f"({b.percent:.1f}%), {int((~b.covered).sum())} demand points not covered")
    for i, pick in enumerate(result.picks, 1):
        c = result.candidates[pick.candidate]
        click.echo(f"  site {i}: {c.name} ({c.id}): +{pick.gain:g} households, backhaul to "
                   f"{pick.via.partition(':')[2] or pick.via} ({pick.via_margin_db:.1f} dB)")
    if result.picks:
        click.echo(f"with {len(result.picks)} new site(s): {a.percent:.1f}% covered, "
                   f"equipment about ${result.cost_usd:,.0f}")
    for note in result.notes:
        click.echo(f"note: {note}")
    click.echo(f"report: {out}/ ({', '.join(files)})")


def _coverage_json(result: Any, out: Path) -> dict[str, Any]:
    b, a = result.before, result.after
    return {
        "terrain": result.terrain_note,
        "households": b.total_weight,
        "covered_today": b.covered_weight,
        "percent_today": round(b.percent, 2),
        "percent_after": round(a.percent, 2),
        "uncovered": [p.id for p, ok in zip(a.points, a.covered, strict=True) if not ok],
        "sites": [
            {"id": result.candidates[p.candidate].id, "gain": p.gain, "backhaul_to": p.via,
             "backhaul_margin_db": round(p.via_margin_db, 1)}
            for p in result.picks
        ],
        "cost_usd": result.cost_usd,
        "notes": list(result.notes),
        "report": str(out),
    }


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar on a terminal (stderr); silent otherwise."""
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True, no_color=bool(os.environ.get("NO_COLOR")) or None)
    with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, n: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(f"profiles: {stage}", total=total)
            bar.advance(tasks[stage], n)

        yield update


# ---------------------------------------------------------------------------- resilience


@plan.command("resilience")
@click.option("--demand", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="GeoJSON demand points, to count households cut off.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option("--top", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="How many failures to list.")
@planning_options
@with_store
@friendly_errors
def plan_resilience_cmd(
    demand: Path | None, as_json: bool, top: int, terrain: Path | None,
    catalogue: Path | None, k_factor: float, data_dir: Path | None, db_url: str | None,
) -> None:
    """Articulation points, bridges, single-path nodes, and single failures ranked by who
    they cut off every gateway; recommends one extra link against the worst."""
    from topology.model import local_part as short
    from topology.planning import parse_points
    from topology.planning.demand import DEMAND_HEIGHT_M, read_geojson
    from topology.planning.network_plan import analyse_network
    from topology.planning.report import recommendation_text, resilience_json

    ground, cat = _load(terrain, catalogue)
    points = (
        parse_points(read_geojson(demand), source=str(demand), default_height_m=DEMAND_HEIGHT_M)
        if demand else ()
    )
    net = open_network(data_dir, db_url)
    net.community  # noqa: B018 - raises "import an inventory first" on an empty store
    result = analyse_network(net.graph, ground, cat, demand=points, k=k_factor)
    if as_json:
        click.echo(json.dumps({"terrain": ground.note, **resilience_json(result)}, indent=2))
        return
    click.echo(f"{ground.note} (for checking proposed links)")
    click.echo(f"gateways: {', '.join(short(g) for g in result.gateways) or 'none'}")
    click.echo("articulation points: "
               + (", ".join(short(n) for n in result.articulation_points) or "none"))
    click.echo(f"bridges: {len(result.bridges)}; nodes with a single path to any gateway: "
               f"{len(result.single_path)}")
    if not result.failures:
        click.echo("no single failure cuts any node off every gateway")
    for f in result.failures[:top]:
        click.echo(f"  {f.kind} {short(f.id)}: {len(f.cut_nodes)} nodes and "
                   f"{f.cut_weight:g} households cut off")
    click.echo(recommendation_text(result))
    sys.stdout.flush()
