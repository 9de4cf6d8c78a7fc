"""Coverage planning for municipalities: terrain, link feasibility, coverage, resilience.

Pure computation (numpy) over the domain model; the CLI (``meshctl plan``) and the API
(:mod:`topology.api.planning`) are its edges. Reading ``.hgt`` tiles, the catalogue and
GeoJSON, and writing a report directory, are thin functions at the edge of their modules.

Public names:

* terrain: :class:`Terrain`, :class:`Tile`, :func:`parse_hgt`, :func:`read_hgt`
* radio formulas: :func:`fspl_db`, :func:`fresnel_radius_m`, :func:`earth_bulge_m`
* profiles: :class:`Site`, :func:`path_profile`, :func:`clearance_ratios`,
  :class:`Profile`, :class:`Verdict`
* equipment and budgets: :func:`load_catalogue`, :class:`Catalogue`, :class:`Equipment`,
  :func:`link_budget`, :class:`LinkBudget`
* links: :func:`plan_link`, :class:`LinkPlan`, :func:`link_summary`, :func:`link_json`
* coverage: :func:`parse_points`, :class:`Point`, :func:`plan_coverage`,
  :class:`CoverageOptions`, :class:`CoveragePlan`, :func:`greedy_placement`
* resilience: :func:`analyse_resilience`, :class:`Resilience`
* errors: :class:`PlanningError` (a :class:`~topology.model.ModelError`)
"""

from topology.planning.budget import LinkBudget, link_budget
from topology.planning.catalogue import Catalogue, Equipment, load_catalogue
from topology.planning.coverage import CoverageOptions, CoveragePlan, plan_coverage
from topology.planning.demand import Point, parse_points
from topology.planning.errors import PlanningError
from topology.planning.geometry import Site
from topology.planning.link import LinkPlan, link_json, link_summary, plan_link
from topology.planning.placement import greedy_placement
from topology.planning.profile import Profile, Verdict, clearance_ratios, path_profile
from topology.planning.radio import earth_bulge_m, fresnel_radius_m, fspl_db
from topology.planning.resilience import Resilience, analyse_resilience
from topology.planning.terrain import Terrain, Tile, parse_hgt, read_hgt

__all__ = [
    "Catalogue",
    "CoverageOptions",
    "CoveragePlan",
    "Equipment",
    "LinkBudget",
    "LinkPlan",
    "PlanningError",
    "Point",
    "Profile",
    "Resilience",
    "Site",
    "Terrain",
    "Tile",
    "Verdict",
    "analyse_resilience",
    "clearance_ratios",
    "earth_bulge_m",
    "fresnel_radius_m",
    "fspl_db",
    "greedy_placement",
    "link_budget",
    "link_json",
    "link_summary",
    "load_catalogue",
    "parse_hgt",
    "parse_points",
    "path_profile",
    "plan_coverage",
    "plan_link",
    "read_hgt",
]
