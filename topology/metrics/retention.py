"""What the periodic retention job keeps, rolls up and drops. Pure.

History is kept in tiers: raw samples for ``raw_keep_s``, then per-bucket aggregates of
each :class:`Tier` (by default 1-hour buckets for 90 days, then 1-day buckets for ten
years). Once data is older than its level's keep time it is rolled into the next tier
(its rows replaced by bucket aggregates) and the last tier's too old buckets are
dropped. Only whole buckets are rolled, so a bucket is built from complete data except
for samples that arrive late (a spooling agent), which merge into it.

Volume (to size ``raw_keep_s``): raw rows per day = reports per day x links per report
(both ends report a link). 2,000 nodes reporting 10 links each minute make 28.8 million
link rows a day; 40,000 nodes about ten times as many as SQLite comfortably keeps: use
PostgreSQL and a raw keep of a day or less there.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from topology.metrics.series import bucket_of

DAY_S = 86_400


@dataclass(frozen=True, slots=True)
class Tier:
    step_s: int  # bucket width
    keep_s: int  # how long buckets of this tier are kept

    def __post_init__(self) -> None:
        if self.step_s <= 0 or self.keep_s <= 0:
            raise ValueError("a tier's step and keep must be positive")


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    raw_keep_s: int = 2 * DAY_S
    tiers: tuple[Tier, ...] = (Tier(3600, 90 * DAY_S), Tier(DAY_S, 3650 * DAY_S))

    def __post_init__(self) -> None:
        if self.raw_keep_s <= 0:
            raise ValueError("raw_keep_s must be positive")
        steps = [t.step_s for t in self.tiers]
        for small, big in itertools.pairwise(steps):
            if big % small:
                raise ValueError(f"tier steps must divide each other: {small} s, {big} s")


@dataclass(frozen=True, slots=True)
class RollupStep:
    """Roll rows of level ``source_step_s`` (0 = raw) older than ``before_ms`` into
    ``target_step_s`` buckets; ``target_step_s`` 0 means drop them."""

    source_step_s: int
    target_step_s: int
    before_ms: int


def rollup_plan(policy: RetentionPolicy, now_ms: int) -> list[RollupStep]:
    """The steps of one retention run at ``now_ms``, finest level first.

    >>> p = RetentionPolicy(raw_keep_s=7200, tiers=(Tier(3600, 86400),))
    >>> [(s.source_step_s, s.target_step_s, s.before_ms) for s in rollup_plan(p, 36_000_005)]
    [(0, 3600, 28800000), (3600, 0, -50399995)]
    """
    steps: list[RollupStep] = []
    source, keep = 0, policy.raw_keep_s
    for tier in policy.tiers:
        cutoff = bucket_of(now_ms - keep * 1000, tier.step_s * 1000)  # whole buckets only
        steps.append(RollupStep(source, tier.step_s, cutoff))
        source, keep = tier.step_s, tier.keep_s
    steps.append(RollupStep(source, 0, now_ms - keep * 1000))
    return steps
