"""PNG pictures: a link's path profile and a coverage map over hillshaded terrain.

Drawn with matplotlib's object API on an Agg canvas (no pyplot, no display, no global
backend state), returned as PNG bytes; writing them is the caller's business.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LightSource
from matplotlib.figure import Figure

from topology.model import Link, Node
from topology.planning.coverage import CoveragePlan
from topology.planning.profile import Profile
from topology.planning.terrain import Terrain

DPI = 110
MAP_MARGIN_DEG = 0.01


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def profile_png(p: Profile) -> bytes:
    """Terrain (with earth bulge), line of sight and the first Fresnel zone of a link."""
    fig = Figure(figsize=(9, 4), layout="tight")
    ax = fig.add_subplot()
    ground = p.ground_m + p.bulge_m
    base = float(min(ground.min(), p.los_m.min()) - 20)
    ax.fill_between(p.d_km, base, ground, color="#8c6d46", alpha=0.8, label="terrain + bulge")
    ax.plot(p.d_km, p.los_m, color="#1f5fbf", label="line of sight")
    ax.fill_between(
        p.d_km, p.los_m - p.fresnel_m, p.los_m + p.fresnel_m,
        color="#1f5fbf", alpha=0.15, label="1st Fresnel zone",
    )
    ax.plot(p.d_km, p.los_m - 0.6 * p.fresnel_m, color="#1f5fbf", lw=0.6, ls="--",
            label="60% of the zone")
    w = p.worst
    ax.plot([w.distance_km], [w.ground_m + float(np.interp(w.distance_km, p.d_km, p.bulge_m))],
            "v", color="#c0392b", label="worst point")
    ax.set_xlabel(f"distance from {p.a.label} (km)")
    ax.set_ylabel("height above sea level (m)")
    ax.set_title(f"{p.a.label} -> {p.b.label}: {p.verdict.value} ({p.distance_km:.2f} km, "
                 f"{p.f_mhz:g} MHz, k={p.k:.3g})", fontsize=10)
    ax.set_xlim(0, p.distance_km)
    ax.set_ylim(bottom=base)
    ax.legend(loc="lower right", fontsize=7)
    ax.text(0.01, 0.98, p.terrain_note, transform=ax.transAxes, fontsize=7, va="top")
    return _png(fig)


def coverage_png(
    plan: CoveragePlan, terrain: Terrain, nodes: Sequence[Node], links: Sequence[Link]
) -> bytes:
    """Map: hillshade, nodes, links, covered and uncovered demand, proposed sites."""
    lats = [n.position.lat for n in nodes] + [p.site.lat for p in plan.after.points]
    lons = [n.position.lon for n in nodes] + [p.site.lon for p in plan.after.points]
    lats += [c.site.lat for c in plan.candidates]
    lons += [c.site.lon for c in plan.candidates]
    south, north = min(lats) - MAP_MARGIN_DEG, max(lats) + MAP_MARGIN_DEG
    west, east = min(lons) - MAP_MARGIN_DEG, max(lons) + MAP_MARGIN_DEG
    fig = Figure(figsize=(9, 9), layout="tight")
    ax = fig.add_subplot()
    if not terrain.flat:
        rows = np.linspace(north, south, 400)
        cols = np.linspace(west, east, 400)
        la, lo = np.meshgrid(rows, cols, indexing="ij")
        inside = terrain.covers(la, lo)
        z = np.where(inside, terrain.grid_elevation(*terrain.index_of(la, lo)), np.nan)
        z = np.nan_to_num(z, nan=float(np.nanmin(z)) if inside.any() else 0.0)
        dy = (north - south) / 400 * 111_000
        dx = (east - west) / 400 * 111_000 * np.cos(np.radians((north + south) / 2))
        shade = LightSource(azdeg=315, altdeg=45).hillshade(z, vert_exag=2, dx=dx, dy=dy)
        ax.imshow(shade, cmap="gray", extent=(west, east, south, north), alpha=0.7,
                  aspect="auto", zorder=0)
    ax.set_aspect(1 / np.cos(np.radians((north + south) / 2)))
    by_id = {n.id: n for n in nodes}
    for lk in links:
        a, b = by_id.get(lk.a), by_id.get(lk.b)
        if a is None or b is None:
            continue
        ax.plot([a.position.lon, b.position.lon], [a.position.lat, b.position.lat],
                color="#34495e", lw=1.0, zorder=1)
    covered = plan.after.covered
    pts = plan.after.points
    for mask, colour, label in ((covered, "#27ae60", "covered"), (~covered, "#c0392b",
                                                                   "not covered")):
        sel = [p for p, m in zip(pts, mask, strict=True) if m]
        if sel:
            ax.scatter([p.site.lon for p in sel], [p.site.lat for p in sel], s=14, c=colour,
                       label=f"demand {label} ({len(sel)})", zorder=3)
    ax.scatter([n.position.lon for n in nodes], [n.position.lat for n in nodes], s=22,
               c="#2c3e50", marker="s", label="nodes", zorder=4)
    labels = {s.label: s for s in plan.after.servers} | {c.id: c.site for c in plan.candidates}
    for i, pick in enumerate(plan.picks, 1):
        site = plan.candidates[pick.candidate].site
        via = labels.get(pick.via) or (by_id[pick.via].position if pick.via in by_id else None)
        if via is not None:
            ax.plot([site.lon, via.lon], [site.lat, via.lat], color="#8e44ad", ls="--", lw=1.2,
                    zorder=2)
        ax.scatter([site.lon], [site.lat], s=160, c="#8e44ad", marker="*", zorder=5,
                   label="proposed sites" if i == 1 else None)
        ax.annotate(str(i), (site.lon, site.lat), xytext=(5, 5), textcoords="offset points",
                    fontsize=9, color="#8e44ad")
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(f"coverage {plan.before.percent:.0f}% today, {plan.after.percent:.0f}% with "
                 f"{len(plan.picks)} new site(s)", fontsize=11)
    ax.legend(loc="lower left", fontsize=8)
    ax.text(0.01, 0.99, plan.terrain_note, transform=ax.transAxes, fontsize=7, va="top")
    return _png(fig)
