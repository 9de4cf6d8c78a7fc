"""Greedy placement of new sites: most newly covered demand first, always joined to the mesh.

Greedy maximum coverage reaches at least 1 - 1/e (63%) of the optimum (DOMAIN.md
section 6). Here a candidate may only be chosen when it has a feasible backhaul link to
an existing node or to a site chosen before it, so the plan grows outwards from the mesh.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from topology.planning.errors import PlanningError

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Pick:
    """One chosen candidate: its index, what it adds and how it joins the mesh."""

    candidate: int
    gain: float  # newly covered weight (households)
    new_points: tuple[int, ...]  # demand indices it newly covers
    via: str  # label of the node or chosen site its backhaul links to
    via_margin_db: float


def greedy_placement(
    covers: BoolArray,
    weights: FloatArray,
    already: BoolArray,
    uplink: FloatArray,
    mutual: FloatArray,
    budget: int,
    *,
    node_labels: Sequence[str],
    candidate_labels: Sequence[str],
) -> list[Pick]:
    """Choose up to ``budget`` candidates, each for the most newly covered weight.

    Parameters
    ----------
    covers : bool (C, D)
        Candidate c would cover demand point d.
    weights : float (D,)
        Households each demand point stands for.
    already : bool (D,)
        Covered by today's network.
    uplink : float (C, N)
        Backhaul fade margin from each candidate to each existing node; -inf: infeasible.
    mutual : float (C, C)
        The same between candidates.
    budget : int
        At most this many sites (> 0).

    Returns
    -------
    list of Pick, in the order chosen. Stops early when no joinable candidate adds
    anything. Ties go to the lower candidate index.

    Examples
    --------
    >>> covers = np.array([[1, 1, 0, 0], [0, 1, 1, 1], [0, 0, 0, 1]], dtype=bool)
    >>> up = np.array([[10.0], [-np.inf], [20.0]])
    >>> mutual = np.full((3, 3), -np.inf); mutual[0, 1] = mutual[1, 0] = 18.0
    >>> picks = greedy_placement(covers, np.ones(4), np.zeros(4, bool), up, mutual, 2,
    ...                          node_labels=["n"], candidate_labels=["c0", "c1", "c2"])
    >>> [(p.candidate, p.gain, p.via) for p in picks]  # c1 is best but unjoined at first
    [(0, 2.0, 'n'), (1, 2.0, 'c0')]
    """
    if budget <= 0:
        raise PlanningError(f"the budget must be at least 1 site, got {budget}")
    n_cand = covers.shape[0]
    covered = already.copy()
    chosen: list[int] = []
    picks: list[Pick] = []
    for _ in range(min(budget, n_cand)):
        gains = (covers & ~covered) @ weights
        best_margin, best_via = _joins(uplink, mutual, chosen, node_labels, candidate_labels)
        gains = np.where(np.isfinite(best_margin), gains, -1.0)
        gains[chosen] = -1.0
        c = int(np.argmax(gains))
        if gains[c] <= 0:
            break
        new = covers[c] & ~covered
        covered |= covers[c]
        chosen.append(c)
        picks.append(
            Pick(c, float(gains[c]), tuple(np.flatnonzero(new).tolist()), best_via[c],
                 float(best_margin[c]))
        )
    return picks


def _joins(
    uplink: FloatArray,
    mutual: FloatArray,
    chosen: list[int],
    node_labels: Sequence[str],
    candidate_labels: Sequence[str],
) -> tuple[FloatArray, list[str]]:
    """Each candidate's best backhaul margin to the mesh so far, and whom it links to."""
    options = uplink
    labels = list(node_labels)
    if chosen:
        options = np.hstack([uplink, mutual[:, chosen]])
        labels += [candidate_labels[c] for c in chosen]
    if options.shape[1] == 0:
        return np.full(uplink.shape[0], -np.inf), [""] * uplink.shape[0]
    best = options.argmax(axis=1)
    margin = options[np.arange(len(best)), best]
    return margin, [labels[b] for b in best]
