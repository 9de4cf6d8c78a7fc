"""Link feasibility: the path profile and the link budget of one link, in both directions.

>>> from topology.planning.catalogue import load_catalogue
>>> from topology.planning.terrain import Terrain
>>> cat = load_catalogue()
>>> plan = plan_link(Terrain(), Site("a", 44.38, -71.17, 10), Site("b", 44.42, -71.17, 10),
...                  cat.model("PowerBeam 5AC"), cat.model("PowerBeam 5AC"))
>>> plan.verdict.value, round(plan.profile.distance_km, 2), plan.forward.rate_mbps
('clear', 4.45, 400.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from topology.planning.budget import LinkBudget, link_budget
from topology.planning.catalogue import Equipment
from topology.planning.geometry import Site
from topology.planning.profile import Profile, Verdict, path_profile
from topology.planning.radio import FADE_MARGIN_DB, K_FACTOR
from topology.planning.terrain import Terrain


@dataclass(frozen=True, slots=True, eq=False)
class LinkPlan:
    profile: Profile
    forward: LinkBudget  # a -> b
    reverse: LinkBudget  # b -> a

    @property
    def verdict(self) -> Verdict:
        return self.profile.verdict

    @property
    def feasible(self) -> bool:
        """Not blocked, and both directions keep the target fade margin."""
        return (
            self.verdict is not Verdict.BLOCKED
            and self.forward.meets_target
            and self.reverse.meets_target
        )


def plan_link(
    terrain: Terrain,
    a: Site,
    b: Site,
    model_a: Equipment,
    model_b: Equipment,
    *,
    k: float = K_FACTOR,
    target_margin_db: float = FADE_MARGIN_DB,
) -> LinkPlan:
    """Profile and budgets of the link between ``a`` (with ``model_a``) and ``b``."""
    profile = path_profile(terrain, a, b, model_a.frequency_mhz, k=k)
    marginal = profile.verdict is Verdict.MARGINAL
    d = profile.distance_km
    fwd = link_budget(model_a, model_b, d, marginal=marginal, target_margin_db=target_margin_db)
    rev = link_budget(model_b, model_a, d, marginal=marginal, target_margin_db=target_margin_db)
    return LinkPlan(profile, fwd, rev)


def link_summary(plan: LinkPlan) -> list[str]:
    """The plan as lines of text for a terminal or a report."""
    p, f, r = plan.profile, plan.forward, plan.reverse
    w = p.worst
    lines = [
        f"{p.a.label} -> {p.b.label}: {p.distance_km:.2f} km at {p.f_mhz:g} MHz, "
        f"k = {p.k:.3g}: {p.verdict.value.upper()}",
        f"  {p.terrain_note}",
        f"  worst point {w.distance_km:.2f} km from {p.a.label} ({w.lat:.5f},{w.lon:.5f}): "
        f"ground {w.ground_m:.0f} m, "
        + (
            f"terrain {-w.clearance_m:.1f} m above the line of sight (earth bulge included)"
            if w.clearance_m < 0
            else f"line of sight {w.clearance_m:.1f} m above ground and bulge, "
            f"{w.ratio * 100:.0f}% of the first Fresnel zone free "
            f"(60% = {w.needed_m:.1f} m needed)"
        ),
    ]
    if w.short_m > 0:
        h = p.clear_heights
        lines.append(
            f"  short by {w.short_m:.1f} m: clear with antennas at "
            f"{h['both'][0]:.1f} m and {h['both'][1]:.1f} m, or {p.a.label} alone at "
            f"{h['a only'][0]:.1f} m, or {p.b.label} alone at {h['b only'][1]:.1f} m"
        )
    for name, bud in (("forward", f), ("reverse", r)):
        status = "ok" if bud.meets_target else (
            "BELOW the target margin" if bud.links else "NO LINK")
        lines.append(
            f"  {name} {bud.tx} -> {bud.rx}: FSPL {bud.fspl_db:.1f} dB"
            + (f" + {bud.extra_loss_db:.1f} dB" if bud.extra_loss_db else "")
            + f", RSSI {bud.rssi_dbm:.1f} dBm, fade margin {bud.fade_margin_db:.1f} dB "
            f"at {bud.rate_mbps:g} Mbps ({status})"
        )
    lines.append("  feasible" if plan.feasible else "  NOT feasible as planned")
    return lines


def link_json(plan: LinkPlan) -> dict[str, Any]:
    """The plan as plain JSON data."""
    p = plan.profile
    w = p.worst

    def end(s: Site) -> dict[str, Any]:
        return {"label": s.label, "lat": s.lat, "lon": s.lon, "height_m": s.height_m}

    def budget(b: LinkBudget) -> dict[str, Any]:
        return {
            "tx": b.tx, "rx": b.rx, "fspl_db": round(b.fspl_db, 2),
            "extra_loss_db": round(b.extra_loss_db, 2), "rssi_dbm": round(b.rssi_dbm, 2),
            "sensitivity_dbm": b.sensitivity_dbm, "fade_margin_db": round(b.fade_margin_db, 2),
            "rate_mbps": b.rate_mbps, "meets_target": b.meets_target,
        }

    h = p.clear_heights
    return {
        "a": end(p.a),
        "b": end(p.b),
        "distance_km": round(p.distance_km, 4),
        "frequency_mhz": p.f_mhz,
        "k": p.k,
        "verdict": p.verdict.value,
        "feasible": plan.feasible,
        "terrain": p.terrain_note,
        "worst": {
            "distance_km": round(w.distance_km, 4), "lat": round(w.lat, 6),
            "lon": round(w.lon, 6), "ground_m": round(w.ground_m, 1),
            "clearance_m": round(w.clearance_m, 2), "needed_m": round(w.needed_m, 2),
            "fresnel_free": round(w.ratio, 3), "short_m": round(w.short_m, 2),
        },
        "clear_heights_m": {key: [round(x, 1), round(y, 1)] for key, (x, y) in h.items()},
        "forward": budget(plan.forward),
        "reverse": budget(plan.reverse),
    }
