"""The ``node-agent`` command, and one agent posting to the real topology service
(API + ingestion + store): accepted, duplicates harmless, replay after an outage."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path

import pytest

from node_agent import cli
from node_agent.config import parse_config
from node_agent.loop import Agent
from tests.agent.support import DATA, VENV_BIN, free_port
from tests.conftest import SAMPLE_INVENTORY

HOME1 = "androscoggin:gorham-home-01"


@pytest.fixture(autouse=True)
def _keep_pysmi(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process calls must not hide pysmi from the rest of the test session."""
    monkeypatch.setattr(cli, "hide_pysmi", lambda: None)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("node-agent ")


def test_no_command_is_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 2
    assert "usage" in capsys.readouterr().err


def test_bad_config_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "agent.yaml"
    config.write_text("service: http://h\nnode: n\ntoken: t\ninterval: -1\n")
    assert cli.main(["check", "--config", str(config)]) == 2
    assert f"{config}:4: interval: -1 is outside 1..86400" in capsys.readouterr().err


def write_config(tmp_path: Path, extra: str) -> Path:
    config = tmp_path / "agent.yaml"
    config.write_text(
        f"service: http://127.0.0.1:{free_port()}\nnode: test:n1\ntoken: t\n"
        f"state_dir: {tmp_path / 'state'}\ncollectors:\n{extra}"
    )
    return config


def test_check_human_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bmx = DATA / "bmx6-links.json"
    config = write_config(
        tmp_path, f"  bmx: {{file: {bmx}}}\n  babeld: {{port: {free_port()}, timeout: 1}}\n"
    )
    assert cli.main(["check", "--config", str(config)]) == 1  # babeld is down
    text = capsys.readouterr().out
    assert "[ ok ] bmx" in text and "[FAIL] babeld" in text and "cannot connect" in text
    assert "report: 2 links" in text
    assert cli.main(["check", "--config", str(config), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["collectors"]["bmx"]["ok"] and len(doc["collectors"]["bmx"]["state"]["nodes"]) == 1
    assert doc["report"]["seq"] == 0 and doc["report_gzip_bytes"] > 0
    assert not (tmp_path / "state").exists()  # check writes nothing


def test_run_once_spools_when_the_service_is_down(tmp_path: Path) -> None:
    config = write_config(tmp_path, "  system: {}\n")
    done = subprocess.run([str(VENV_BIN / "node-agent"), "run", "--once", "--config",
                           str(config)], capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "report 1: 0 links, 0 delivered, 1 spooled" in done.stdout
    assert len(list((tmp_path / "state" / "spool").iterdir())) == 1


def test_run_stops_on_sigterm(tmp_path: Path) -> None:
    config = write_config(tmp_path, "  system: {}\n")
    p = subprocess.Popen([str(VENV_BIN / "node-agent"), "run", "--config", str(config)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    time.sleep(1.5)
    p.terminate()
    assert p.wait(10) == 0


# --------------------------------------------------------------------------- real service


def test_agent_against_the_real_service(tmp_path: Path) -> None:
    pytest.importorskip("fastapi")
    from tests.agent.service import start_service
    from topology.inventory import load_inventory

    service = start_service(tmp_path / "data", load_inventory(SAMPLE_INVENTORY), [HOME1])
    try:
        service.serve()
        text = (
            f"service: {service.url}\nnode: {HOME1}\ntoken: {service.tokens[HOME1]}\n"
            f"state_dir: {tmp_path / 'state'}\ninterval: 1\njitter: 0\n"
            "backoff: {initial: 0.05, max: 0.2}\n"
            f"neighbours: {{gorham-library.0fa3c1d2e4b5a697: androscoggin:gorham-library}}\n"
            f"collectors:\n  bmx: {{file: {DATA / 'bmx6-links.json'}}}\n"
        )
        agent = Agent(parse_config(text))
        first = agent.run_once()
        assert first.delivered == 1
        assert service.ingest.last_seq(HOME1) == first.seq
        # an outage: reports spool; the service comes back; they are replayed
        service.stop_serving()
        for _ in range(3):
            agent.run_once()
        assert len(agent.spool) == 3
        service.serve(port=int(service.url.rsplit(":", 1)[1]))
        time.sleep(0.3)  # the backoff delay (at most 0.2 s here) runs out
        last = agent.run_once()
        assert len(agent.spool) == 0 and last.delivered == 4
        assert service.ingest.last_seq(HOME1) == last.seq
        # a replay of an accepted report is a harmless duplicate
        assert agent.transport.post(first.encoded) == "duplicate"
        agent.close()
    finally:
        service.close()


def test_loop_thread_against_the_real_service(tmp_path: Path) -> None:
    """The loop in a thread, then stopped: reports flow at the interval."""
    pytest.importorskip("fastapi")
    from tests.agent.service import start_service
    from topology.inventory import load_inventory

    service = start_service(tmp_path / "data", load_inventory(SAMPLE_INVENTORY), [HOME1])
    try:
        service.serve()
        text = (f"service: {service.url}\nnode: {HOME1}\ntoken: {service.tokens[HOME1]}\n"
                f"state_dir: {tmp_path / 'state'}\ninterval: 1\njitter: 0\n")  # fmt: skip
        agent = Agent(parse_config(text))
        stop = threading.Event()
        t = threading.Thread(target=agent.run, args=(stop,))
        t.start()
        time.sleep(2.5)
        stop.set()
        t.join(10)
        agent.close()
        assert (service.ingest.last_seq(HOME1) or 0) >= 2
    finally:
        service.close()


def test_a_babeld_only_agent_stays_light(tmp_path: Path) -> None:
    """No service code, no pysnmp/scapy, no httpx/pydantic in a babeld-only agent."""
    config = write_config(tmp_path, f"  babeld: {{port: {free_port()}, timeout: 1}}\n")
    code = (
        "import sys\nfrom node_agent.cli import main\n"
        f"main(['run', '--once', '--config', {str(config)!r}])\n"
        "heavy = ['pysnmp', 'scapy', 'httpx', 'pydantic', 'fastapi', 'sqlalchemy', 'networkx',"
        " 'topology', 'asyncio']\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([str(VENV_BIN / "python"), "-c", code], capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
