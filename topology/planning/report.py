"""The coverage report directory: report.md, report.html, map.png and GeoJSON layers.

:func:`report_files` builds every file in memory (name -> bytes); the edges write them
(``meshctl plan coverage --out``). Layers: ``demand.geojson`` (each point with its best
server and margin, before and after), ``proposed-sites.geojson`` and ``nodes.geojson``.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from topology.model import Link, Node, local_part
from topology.planning.coverage import Coverage, CoveragePlan
from topology.planning.pictures import coverage_png
from topology.planning.resilience import Resilience
from topology.planning.terrain import Terrain

MAX_LISTED = 50


def _margin(c: Coverage, i: int) -> float | None:
    m = float(c.margin_db[i])
    return round(m, 1) if np.isfinite(m) else None


def demand_layer(plan: CoveragePlan) -> dict[str, Any]:
    feats = []
    for i, p in enumerate(plan.after.points):
        feats.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p.site.lon, p.site.lat]},
            "properties": {
                "id": p.id, "name": p.name, "kind": p.kind, "households": p.weight,
                "covered_today": bool(plan.before.covered[i]),
                "server_today": plan.before.server_of(i),
                "margin_today_db": _margin(plan.before, i),
                "covered": bool(plan.after.covered[i]), "server": plan.after.server_of(i),
                "margin_db": _margin(plan.after, i),
            },
        })
    return {"type": "FeatureCollection", "features": feats}


def sites_layer(plan: CoveragePlan) -> dict[str, Any]:
    feats = []
    for rank, pick in enumerate(plan.picks, 1):
        c = plan.candidates[pick.candidate]
        feats.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [c.site.lon, c.site.lat]},
            "properties": {
                "rank": rank, "id": c.id, "name": c.name, "height_m": c.site.height_m,
                "households_gained": pick.gain, "points_gained": len(pick.new_points),
                "backhaul_to": pick.via, "backhaul_margin_db": round(pick.via_margin_db, 1),
                "cost_usd": plan.options.site_cost_usd,
            },
        })
    return {"type": "FeatureCollection", "features": feats}


def nodes_layer(nodes: Sequence[Node]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [n.position.lon, n.position.lat]},
            "properties": {"id": n.id, "name": n.name, "status": n.status.value,
                           "role": n.role.value, "gateway": n.gateway},
        }
        for n in nodes
    ]}


def report_markdown(plan: CoveragePlan, resilience: Resilience | None = None) -> str:
    o = plan.options
    b, a = plan.before, plan.after
    lines = [
        "# Coverage plan",
        "",
        f"*{plan.terrain_note}.* Equipment: {o.ap.name} at sites, {o.cpe.name} at "
        f"households, {o.backhaul.name} for backhaul; a household is covered with at "
        f"least {o.target_margin_db:g} dB of fade margin within {o.max_client_km:g} km "
        "on a path that is not blocked.",
        "",
        "## Today",
        "",
        f"- {b.covered_weight:g} of {b.total_weight:g} households covered "
        f"(**{b.percent:.1f}%**) by {len(b.servers)} active supernodes",
        f"- {int((~b.covered).sum())} demand points not covered",
        "",
        f"## Proposed sites (budget {plan.budget})",
        "",
    ]
    if plan.picks:
        lines += [
            "| # | site | households gained | cumulative coverage | backhaul to | margin |",
            "|---|------|------------------:|--------------------:|-------------|-------:|",
        ]
        got = b.covered_weight
        for i, pick in enumerate(plan.picks, 1):
            c = plan.candidates[pick.candidate]
            got += pick.gain
            pct = 100 * got / b.total_weight if b.total_weight else 0.0
            lines.append(
                f"| {i} | {c.name} ({c.id}) | {pick.gain:g} | {pct:.1f}% | "
                f"{local_part(pick.via)} | {pick.via_margin_db:.1f} dB |"
            )
        lines += [
            "",
            f"With them: **{a.percent:.1f}%** covered. Estimated equipment cost: "
            f"**${plan.cost_usd:,.0f}** ({len(plan.picks)} x ${o.site_cost_usd:,.0f}: one "
            f"{o.ap.name} and two {o.backhaul.name}).",
        ]
    else:
        lines.append("No candidate site adds coverage while joined to the mesh.")
    lines += ["", "## Not covered" + (" after the proposed sites" if plan.picks else ""), ""]
    missing = [p for p, ok in zip(a.points, a.covered, strict=True) if not ok]
    for p in missing[:MAX_LISTED]:
        lines.append(f"- {p.name} ({p.id}, {p.kind}) at {p.site.lat:.5f},{p.site.lon:.5f}")
    if len(missing) > MAX_LISTED:
        lines.append(f"- ... and {len(missing) - MAX_LISTED} more (see demand.geojson)")
    if not missing:
        lines.append("Every demand point is covered.")
    if resilience is not None:
        lines += ["", *resilience_markdown(resilience)]
    lines += ["", *(f"> {n}" for n in plan.notes), "", "![coverage map](map.png)", "",
              "Layers: demand.geojson, proposed-sites.geojson, nodes.geojson.", ""]
    return "\n".join(lines)


def resilience_markdown(r: Resilience) -> list[str]:
    lines = [
        "## Single points of failure",
        "",
        f"- gateways: {', '.join(local_part(g) for g in r.gateways) or 'none'}",
        "- articulation points: "
        f"{', '.join(local_part(n) for n in r.articulation_points) or 'none'}",
        f"- bridges: {len(r.bridges)}; nodes with a single path to any gateway: "
        f"{len(r.single_path)}",
        "",
        "| failure | nodes cut off | households cut off |",
        "|---------|--------------:|-------------------:|",
    ]
    for f in r.failures[:10]:
        lines.append(f"| {f.kind} {local_part(f.id)} | {len(f.cut_nodes)} | {f.cut_weight:g} |")
    if r.recommendation:
        lines += ["", recommendation_text(r)]
    return lines


def recommendation_text(r: Resilience) -> str:
    rec = r.recommendation
    if rec is None:
        if any(f.cut_nodes for f in r.failures):
            return "Recommendation: none; no feasible extra link was found near the failures."
        return "No single failure cuts a node off every gateway."
    checked = " (path profile and link budget checked)" if rec.checked else ""
    return (
        f"Recommendation: against the failure of {rec.failure.kind} "
        f"{local_part(rec.failure.id)} ({len(rec.failure.cut_nodes)} nodes cut off), a link "
        f"{local_part(rec.a)} - {local_part(rec.b)} ({rec.distance_km:.2f} km){checked} would keep "
        f"{len(rec.reconnects)} of them connected."
    )


def resilience_json(r: Resilience) -> dict[str, Any]:
    rec = r.recommendation
    return {
        "gateways": list(r.gateways),
        "articulation_points": list(r.articulation_points),
        "bridges": list(r.bridges),
        "single_path": list(r.single_path),
        "failures": [
            {"kind": f.kind, "id": f.id, "cut_nodes": list(f.cut_nodes),
             "cut_demand": list(f.cut_demand), "cut_households": f.cut_weight}
            for f in r.failures
        ],
        "recommendation": None if rec is None else {
            "failure": rec.failure.id, "a": rec.a, "b": rec.b,
            "distance_km": round(rec.distance_km, 3), "reconnects": list(rec.reconnects),
            "checked": rec.checked,
        },
        "text": recommendation_text(r),
    }


def report_html(markdown: str) -> str:
    """A self-contained HTML page of the markdown report (headings, lists, tables)."""
    body: list[str] = []
    table: list[list[str]] = []

    def flush_table() -> None:
        if not table:
            return
        head, *rows = [r for r in table if not set("".join(r)) <= set("-: ")]
        body.append("<table><tr>" + "".join(f"<th>{c}</th>" for c in head) + "</tr>")
        body.extend("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
        body.append("</table>")
        table.clear()

    for raw in markdown.splitlines():
        line = html.escape(raw)
        line = _inline(line)
        if raw.startswith("|"):
            table.append([c.strip() for c in line.strip("|").split("|")])
            continue
        flush_table()
        if raw.startswith("# "):
            body.append(f"<h1>{line[2:]}</h1>")
        elif raw.startswith("## "):
            body.append(f"<h2>{line[3:]}</h2>")
        elif raw.startswith("- "):
            body.append(f"<li>{line[2:]}</li>")
        elif raw.startswith("!["):
            body.append('<img src="map.png" alt="coverage map" style="max-width:100%">')
        elif raw.startswith("&gt; "):
            body.append(f"<blockquote>{line[5:]}</blockquote>")
        elif raw.strip():
            body.append(f"<p>{line}</p>")
    flush_table()
    style = ("body{font-family:sans-serif;max-width:60em;margin:auto;padding:1em}"
             "table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>Coverage plan</title>"
            f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def _inline(text: str) -> str:
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    return re.sub(r"\*(.+?)\*", r"<em>\1</em>", text)


def report_files(
    plan: CoveragePlan,
    terrain: Terrain,
    nodes: Sequence[Node],
    links: Sequence[Link],
    resilience: Resilience | None = None,
) -> dict[str, bytes]:
    md = report_markdown(plan, resilience)

    def js(data: Any) -> bytes:
        return (json.dumps(data, indent=1) + "\n").encode()

    return {
        "report.md": md.encode(),
        "report.html": report_html(md).encode(),
        "map.png": coverage_png(plan, terrain, nodes, links),
        "demand.geojson": js(demand_layer(plan)),
        "proposed-sites.geojson": js(sites_layer(plan)),
        "nodes.geojson": js(nodes_layer(nodes)),
    }
