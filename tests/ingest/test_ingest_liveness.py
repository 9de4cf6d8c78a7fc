"""Pure liveness: up, stale after missed intervals, down after the expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from topology.ingest.liveness import Liveness, LivenessSettings, State, liveness_at, observed, sweep

T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
S = LivenessSettings(stale_after_intervals=3, down_after_s=600)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("age", "interval", "expected"),
    [
        (0, 60, Liveness.UP),
        (180, 60, Liveness.UP),  # exactly three intervals: not missed yet
        (181, 60, Liveness.STALE),
        (599, 60, Liveness.STALE),
        (600, 60, Liveness.DOWN),
        (901, 300, Liveness.STALE),  # long intervals: stale after 3 of them...
        (1199, 300, Liveness.STALE),  # ...and down only one interval later
        (1200, 300, Liveness.DOWN),
    ],
)
def test_liveness_at(age: float, interval: int, expected: Liveness) -> None:
    assert liveness_at(T0, interval, at(age), S) is expected


def test_settings_must_be_positive() -> None:
    with pytest.raises(ValueError):
        LivenessSettings(stale_after_intervals=0)


def test_observed_keeps_since_while_the_state_holds() -> None:
    first = observed(None, "l", T0, 60, T0, S)
    assert (first.state, first.since) == (Liveness.UP, T0)
    again = observed(first, "l", at(60), 60, at(60), S)
    assert (again.since, again.last_seen) == (T0, at(60))


def test_observed_never_moves_last_seen_back() -> None:
    st = observed(None, "l", at(100), 60, at(100), S)
    old = observed(st, "l", T0, 60, at(110), S)  # a spooled report from before
    assert old.last_seen == at(100)


def test_sweep_reports_only_transitions_with_their_time() -> None:
    states = [State("a", Liveness.UP, T0, T0, 60), State("b", Liveness.UP, T0, at(500), 60)]
    assert sweep(states, at(100), S) == []
    (stale,) = sweep(states, at(200), S)
    assert (stale.subject, stale.state, stale.since) == ("a", Liveness.STALE, at(200))
    changed = sweep([stale, states[1]], at(700), S)
    assert [(s.subject, s.state) for s in changed] == [("a", Liveness.DOWN), ("b", Liveness.STALE)]
