"""Coverage: which demand points today's nodes reach, and where new sites would add most.

A demand point is *covered* by a serving site when the path is not blocked and the
fade margin at the lowest rate, after the allowance for a marginal path, keeps the
target (15 dB). Budgets come first (cheap, vectorised); only pairs that pass them and lie
within ``max_client_km`` get a terrain profile (:func:`clearance_ratios`).

Serving sites are the active (Working or Testing) supernodes; a candidate's backhaul
lands on one of them (they carry backbone radios) or on a site chosen before it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from topology.model import Node, Role, Status
from topology.planning.budget import MARGINAL_LOSS_DB, margin_array
from topology.planning.catalogue import Catalogue, Equipment
from topology.planning.demand import Point
from topology.planning.errors import PlanningError
from topology.planning.geometry import Site, distance_matrix_km
from topology.planning.placement import Pick, greedy_placement
from topology.planning.profile import MIN_DISTANCE_KM, clearance_ratios
from topology.planning.radio import FADE_MARGIN_DB, FRESNEL_CLEAR, K_FACTOR
from topology.planning.terrain import Terrain

FloatArray = npt.NDArray[np.float64]
ACTIVE = frozenset({Status.WORKING, Status.TESTING})
#: progress(stage, paths done in this call, paths to profile in the stage)
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class CoverageOptions:
    ap: Equipment
    cpe: Equipment
    backhaul: Equipment
    k: float = K_FACTOR
    target_margin_db: float = FADE_MARGIN_DB
    max_client_km: float = 5.0  # a CPE to a sector AP; longer client links are rare
    max_backhaul_km: float = 30.0

    @classmethod
    def from_catalogue(
        cls,
        catalogue: Catalogue,
        *,
        ap: str | None = None,
        cpe: str | None = None,
        backhaul: str | None = None,
        **options: float,
    ) -> CoverageOptions:
        def pick(name: str | None, role: str) -> Equipment:
            return catalogue.model(name) if name else catalogue.default(role)

        return cls(pick(ap, "ap"), pick(cpe, "cpe"), pick(backhaul, "backhaul"), **options)

    @property
    def site_cost_usd(self) -> float:
        """One new site: its access point and a backhaul radio at each end."""
        return self.ap.price_usd + 2 * self.backhaul.price_usd


def node_site(node: Node) -> Site:
    p = node.position
    return Site(node.id, p.lat, p.lon, p.antenna_height_m)


def serving_nodes(nodes: Iterable[Node]) -> tuple[Node, ...]:
    """Active supernodes: the nodes households link to."""
    return tuple(n for n in nodes if n.status in ACTIVE and n.role is Role.SUPERNODE)


def link_margins(
    terrain: Terrain,
    tx_sites: Sequence[Site],
    rx_sites: Sequence[Site],
    tx: Equipment,
    rx: Equipment,
    *,
    max_km: float,
    k: float = K_FACTOR,
    target_margin_db: float = FADE_MARGIN_DB,
    progress: Callable[[int, int], None] | None = None,
) -> FloatArray:
    """(len(tx), len(rx)) fade margins at the lowest rate; -inf where the link fails.

    Fails: farther than ``max_km``, below the target margin, or blocked by terrain. A
    marginal path costs :data:`MARGINAL_LOSS_DB`.
    """
    out = np.full((len(tx_sites), len(rx_sites)), -np.inf)
    if not tx_sites or not rx_sites:
        return out
    a = _arrays(tx_sites)
    b = _arrays(rx_sites)
    dist = distance_matrix_km(a[0], a[1], b[0], b[1])
    margin = margin_array(tx, rx, dist)
    usable = (dist <= max_km) & (margin >= target_margin_db)
    same = usable & (dist < MIN_DISTANCE_KM)  # on the same roof: nothing to profile
    out[same] = margin[same]
    ti, ri = np.nonzero(usable & ~same)
    total = len(ti)
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(n, total)

    ratio = clearance_ratios(
        terrain, a[0][ti], a[1][ti], a[2][ti], b[0][ri], b[1][ri], b[2][ri],
        tx.frequency_mhz, k=k, progress=step,
    )
    m = margin[ti, ri] - np.where(ratio < FRESNEL_CLEAR, MARGINAL_LOSS_DB, 0.0)
    m[(ratio < 0) | (m < target_margin_db)] = -np.inf
    out[ti, ri] = m
    return out


def _arrays(sites: Sequence[Site]) -> tuple[FloatArray, FloatArray, FloatArray]:
    return (
        np.array([s.lat for s in sites], dtype=float),
        np.array([s.lon for s in sites], dtype=float),
        np.array([s.height_m for s in sites], dtype=float),
    )


@dataclass(frozen=True, slots=True, eq=False)
class Coverage:
    """Each demand point's best server (index into ``servers``, -1: none) and margin.

    ``margins`` is the whole (servers, points) matrix: -inf where a server cannot serve.
    """

    points: tuple[Point, ...]
    servers: tuple[Site, ...]
    best: npt.NDArray[np.intp]
    margin_db: FloatArray
    margins: FloatArray

    @property
    def covered(self) -> npt.NDArray[np.bool_]:
        return self.best >= 0

    @property
    def weights(self) -> FloatArray:
        return np.array([p.weight for p in self.points], dtype=float)

    @property
    def covered_weight(self) -> float:
        return float(self.weights[self.covered].sum())

    @property
    def total_weight(self) -> float:
        return float(self.weights.sum())

    @property
    def percent(self) -> float:
        total = self.total_weight
        return 100.0 * self.covered_weight / total if total else 0.0

    def server_of(self, i: int) -> str | None:
        b = int(self.best[i])
        return self.servers[b].label if b >= 0 else None

    def servers_of(self, i: int) -> tuple[str, ...]:
        """Every server that could serve point ``i`` (its fallbacks when one fails)."""
        return tuple(self.servers[s].label for s in np.flatnonzero(np.isfinite(self.margins[:, i])))


def best_servers(margins: FloatArray, points: Sequence[Point], servers: Sequence[Site]) -> Coverage:
    """Coverage from a (servers, points) margin matrix (-inf: cannot serve)."""
    if margins.shape[0] == 0:
        best = np.full(len(points), -1, dtype=np.intp)
        margin = np.full(len(points), -np.inf)
    else:
        best = margins.argmax(axis=0).astype(np.intp)
        margin = margins[best, np.arange(len(points))]
        best[~np.isfinite(margin)] = -1
    return Coverage(tuple(points), tuple(servers), best, margin, margins)


@dataclass(frozen=True, slots=True, eq=False)
class CoveragePlan:
    """Today's coverage, the chosen sites and the coverage with them."""

    before: Coverage
    after: Coverage
    candidates: tuple[Point, ...]
    picks: tuple[Pick, ...]
    options: CoverageOptions
    terrain_note: str
    budget: int
    notes: tuple[str, ...] = field(default=())

    @property
    def cost_usd(self) -> float:
        return len(self.picks) * self.options.site_cost_usd


def plan_coverage(
    terrain: Terrain,
    nodes: Sequence[Node],
    demand: Sequence[Point],
    options: CoverageOptions,
    *,
    candidates: Sequence[Point] = (),
    budget: int = 1,
    progress: Progress | None = None,
) -> CoveragePlan:
    """Coverage of ``demand`` by today's network, then up to ``budget`` new sites.

    Raises :class:`~topology.planning.errors.PlanningError` for a budget below 1 (when
    candidates are given) or a point outside the terrain.
    """
    if candidates and budget <= 0:
        raise PlanningError(f"the budget must be at least 1 site, got {budget}")
    servers = tuple(node_site(n) for n in serving_nodes(nodes))
    homes = tuple(p.site for p in demand)
    sites = tuple(c.site for c in candidates)
    everything = [*servers, *homes, *sites]
    terrain.check_covered(
        np.array([s.lat for s in everything]),
        np.array([s.lon for s in everything]),
        [s.label for s in everything],
    )

    def stage(name: str) -> Callable[[int, int], None] | None:
        if progress is None:
            return None
        return lambda n, total: progress(name, n, total)

    o = options
    today = link_margins(
        terrain, servers, homes, o.ap, o.cpe, max_km=o.max_client_km,
        progress=stage("households x nodes"), k=o.k, target_margin_db=o.target_margin_db,
    )
    before = best_servers(today, demand, servers)
    notes: list[str] = []
    if not servers:
        notes.append("the network has no active supernode: nothing serves households today")
    if not candidates:
        return CoveragePlan(before, before, (), (), o, terrain.note, budget, tuple(notes))
    reach = link_margins(
        terrain, sites, homes, o.ap, o.cpe, max_km=o.max_client_km,
        progress=stage("households x candidates"), k=o.k, target_margin_db=o.target_margin_db,
    )
    uplink = link_margins(
        terrain, sites, servers, o.backhaul, o.backhaul, max_km=o.max_backhaul_km,
        progress=stage("candidate backhaul"), k=o.k, target_margin_db=o.target_margin_db,
    )
    mutual = link_margins(
        terrain, sites, sites, o.backhaul, o.backhaul, max_km=o.max_backhaul_km,
        k=o.k, target_margin_db=o.target_margin_db,
    )
    picks = greedy_placement(
        np.isfinite(reach),
        before.weights,
        before.covered,
        uplink,
        mutual,
        budget,
        node_labels=[s.label for s in servers],
        candidate_labels=[c.id for c in candidates],
    )
    chosen = [p.candidate for p in picks]
    after = best_servers(
        np.vstack([today, reach[chosen]]), demand, servers + tuple(sites[c] for c in chosen)
    )
    if len(picks) < budget:
        notes.append(
            f"only {len(picks)} of {budget} sites add coverage while joined to the mesh"
        )
    return CoveragePlan(
        before, after, tuple(candidates), tuple(picks), o, terrain.note, budget, tuple(notes)
    )
