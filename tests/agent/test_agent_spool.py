"""Sequence numbers across restarts, the bounded spool, backoff, and replay against a
real local HTTP server that goes down and comes back: every report arrives once."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import pytest

from node_agent.config import Config, parse_config
from node_agent.errors import Rejected, Unreachable
from node_agent.loop import Agent
from node_agent.report import decode, encode
from node_agent.spool import Spool, State
from node_agent.transport import FunctionTransport
from tests.agent.support import ReportServer


def config(tmp_path: Path, url: str = "http://127.0.0.1:9", **extra: object) -> Config:
    lines = [f"service: {url}", "node: test:n1", "token: t0ken", f"state_dir: {tmp_path}",
             "interval: 1", "jitter: 0", "collectors: {system: {}}"]  # fmt: skip
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return parse_config("\n".join(lines) + "\n")


class TestState:
    def test_seq_grows_across_restarts(self, tmp_path: Path) -> None:
        s = State(tmp_path, block=4)
        assert [s.take_seq() for _ in range(3)] == [1, 2, 3]
        again = State(tmp_path, block=4)  # a restart: numbers 1..4 may have been used
        assert again.take_seq() == 5

    def test_state_file_written_once_per_block(self, tmp_path: Path) -> None:
        s = State(tmp_path, block=64)
        writes = []
        original = s._save
        s._save = lambda: (writes.append(1), original())[1]  # type: ignore[method-assign]
        for _ in range(100):
            s.take_seq()
        assert len(writes) == 2  # blocks 1..64 and 65..128

    def test_corrupt_state_falls_back_on_the_spool(self, tmp_path: Path) -> None:
        s = State(tmp_path)
        Spool(tmp_path / "spool", s).put(900, b"x")
        (tmp_path / "state.json").write_text("{not json")
        assert State(tmp_path).take_seq() == 901


def body(seq: int, dropped: int = 0) -> bytes:
    return encode({"seq": seq, "time": "2026-11-27T14:00:00Z", "dropped_reports": dropped})


class TestSpool:
    def test_bounded_by_count_drops_oldest_and_counts(self, tmp_path: Path) -> None:
        state = State(tmp_path)
        spool = Spool(tmp_path / "spool", state, max_reports=3)
        dropped = [spool.put(seq, body(seq)) for seq in range(1, 6)]
        assert dropped == [0, 0, 0, 1, 1]
        assert [i.seq for i in spool.pending()] == [3, 4, 5]
        assert state.take_dropped() == 2 and state.take_dropped() == 0

    def test_a_dropped_report_takes_its_own_count_along(self, tmp_path: Path) -> None:
        state = State(tmp_path)
        spool = Spool(tmp_path / "spool", state, max_reports=1)
        spool.put(1, body(1, dropped=5))
        spool.put(2, body(2))
        assert state.dropped == 6  # report 1 and the 5 it was announcing

    def test_bounded_by_bytes(self, tmp_path: Path) -> None:
        spool = Spool(tmp_path / "spool", State(tmp_path), max_bytes=2500)
        for seq in range(1, 5):
            spool.put(seq, bytes(1000))
        assert [i.seq for i in spool.pending()] == [3, 4] and spool.size() <= 2500

    def test_dropped_count_survives_a_restart(self, tmp_path: Path) -> None:
        state = State(tmp_path)
        Spool(tmp_path / "spool", state, max_reports=1).put(1, body(1))
        Spool(tmp_path / "spool", state, max_reports=1).put(2, body(2))
        assert State(tmp_path).dropped == 1


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_backoff_spool_and_replay_in_order(tmp_path: Path) -> None:
    up = {"value": False}
    got: list[int] = []

    def post(data: bytes) -> str:
        if not up["value"]:
            raise Unreachable("down")
        got.append(decode(data)["seq"])
        return "accepted"

    clock = FakeClock()
    agent = Agent(config(tmp_path, **{"backoff": "{initial: 2, max: 16}"}),
                  FunctionTransport(post), clock=clock, rng=random.Random(1))  # fmt: skip
    delays = []
    for _ in range(6):
        agent.run_once()
        delays.append(agent.next_attempt - clock.t)
        clock.t = agent.next_attempt if agent.next_attempt > clock.t else clock.t + 1
    assert len(agent.spool) == 6 and got == []
    assert all(1 <= d <= 16 for d in delays) and delays[-1] >= 8  # grows, capped
    up["value"] = True
    clock.t += 20
    outcome = agent.run_once()
    assert outcome.delivered == 7 and got == [1, 2, 3, 4, 5, 6, 7] and len(agent.spool) == 0


def test_rejected_reports_are_dropped_and_announced(tmp_path: Path) -> None:
    seen: list[dict[str, object]] = []

    def post(data: bytes) -> str:
        doc = dict(decode(data))
        seen.append(doc)
        if doc["seq"] == 1:
            raise Rejected(422, "links.0.loss: bad")
        return "accepted"

    agent = Agent(config(tmp_path), FunctionTransport(post))
    agent.run_once()
    agent.run_once()
    assert [d["seq"] for d in seen] == [1, 2] and seen[1]["dropped_reports"] == 1


def test_lost_answer_then_duplicate_counts_as_delivered(tmp_path: Path) -> None:
    stored: list[int] = []

    def post(data: bytes) -> str:
        seq = decode(data)["seq"]
        if seq in stored:
            return "duplicate"
        stored.append(seq)
        if len(stored) == 1:
            raise Unreachable("timed out after the service committed")
        return "accepted"

    clock = FakeClock()
    agent = Agent(config(tmp_path), FunctionTransport(post), clock=clock)
    agent.run_once()
    clock.t += 1000
    agent.run_once()
    assert stored == [1, 2] and len(agent.spool) == 0


@pytest.mark.timeout(120)
def test_service_down_then_up_every_report_arrives_once(
    tmp_path: Path, report_server: ReportServer
) -> None:
    """The real loop against a real HTTP server: up, down for several cycles (and an agent
    restart in the middle of the outage), up again. Every seq arrives exactly once, in
    order."""
    cfg = config(tmp_path, url=report_server.url, **{"backoff": "{initial: 0.05, max: 0.3}"})
    cfg = Config(**{**cfg.__dict__, "interval": 0.2})  # type: ignore[arg-type]

    made: list[int] = []

    class Recording(Agent):
        def run_once(self):  # type: ignore[no-untyped-def]
            outcome = super().run_once()
            made.append(outcome.seq)
            return outcome

    def run_for(seconds: float) -> Agent:
        agent = Recording(cfg)
        stop = threading.Event()
        t = threading.Thread(target=agent.run, args=(stop,))
        t.start()
        time.sleep(seconds)
        stop.set()
        t.join(10)
        agent.close()
        return agent

    run_for(1.0)
    report_server.stop()
    run_for(1.0)
    down = run_for(1.0)  # restarted while the service is still down
    assert len(down.spool) >= 5
    report_server.start()
    last = run_for(1.5)
    assert len(last.spool) == 0
    accepted = report_server.received.accepted
    assert accepted == made  # every report, once, in order (the restart skips a seq block)
    assert len(made) >= 12 and made == sorted(made)
    assert report_server.received.duplicates == []
    assert all(h["Authorization"] == "Bearer t0ken" for h in report_server.received.headers)
    assert all(h["Content-Encoding"] == "gzip" for h in report_server.received.headers)
