"""Liveness of links and nodes from their reports: up, stale, down. Pure.

A link (or node) is *up* while reports about it keep coming; *stale* once more than
``stale_after_intervals`` report intervals passed without one; *down* once
``down_after_s`` passed (and at least one interval after it went stale), like
OpenWISP's ``expiration_time``.
Liveness is a state of the telemetry layer, apart from the Guifi lifecycle status
(:class:`topology.model.Status`), which a steward sets: a down link stays Working until
someone decides otherwise, and nothing is ever deleted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Liveness(StrEnum):
    UP = "up"
    STALE = "stale"
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class LivenessSettings:
    stale_after_intervals: float = 3.0
    down_after_s: float = 900.0

    def __post_init__(self) -> None:
        if self.stale_after_intervals <= 0 or self.down_after_s <= 0:
            raise ValueError("stale_after_intervals and down_after_s must be positive")


def liveness_at(
    last_seen: datetime, interval_s: float, now: datetime, settings: LivenessSettings
) -> Liveness:
    """The state of something last seen at ``last_seen`` that reports every ``interval_s``.

    >>> from datetime import UTC, datetime, timedelta
    >>> t0, s = datetime(2026, 1, 1, tzinfo=UTC), LivenessSettings(3, 600)
    >>> [liveness_at(t0, 60, t0 + timedelta(seconds=x), s).value for x in (0, 180, 181, 600)]
    ['up', 'up', 'stale', 'down']
    >>> [liveness_at(t0, 300, t0 + timedelta(seconds=x), s).value for x in (700, 901, 1200)]
    ['up', 'stale', 'down']
    """
    age = (now - last_seen).total_seconds()
    stale_after = settings.stale_after_intervals * interval_s
    if age >= max(settings.down_after_s, stale_after + interval_s):
        return Liveness.DOWN
    if age > stale_after:
        return Liveness.STALE
    return Liveness.UP


@dataclass(frozen=True, slots=True)
class State:
    """The liveness of one link or node, and what it was computed from."""

    subject: str  # link or node id
    state: Liveness
    since: datetime  # when it entered this state
    last_seen: datetime
    interval_s: int


def observed(
    old: State | None, subject: str, last_seen: datetime, interval_s: int, now: datetime,
    settings: LivenessSettings,
) -> State:  # fmt: skip
    """The state after a report saw ``subject`` at ``last_seen`` (a spooled report may be
    old: the newest sighting counts)."""
    if old is not None and old.last_seen > last_seen:
        last_seen = old.last_seen
    state = liveness_at(last_seen, interval_s, now, settings)
    if old is not None and old.state is state:
        return State(subject, state, old.since, last_seen, interval_s)
    return State(subject, state, now, last_seen, interval_s)


def sweep(states: Iterable[State], now: datetime, settings: LivenessSettings) -> list[State]:
    """The states that changed by ``now`` (each with ``since = now``), in input order."""
    changed = []
    for s in states:
        new = liveness_at(s.last_seen, s.interval_s, now, settings)
        if new is not s.state:
            changed.append(State(s.subject, new, now, s.last_seen, s.interval_s))
    return changed
