"""Fixtures of the agent tests: real data folders, a real snmpsim on loopback, and the
stdlib report server of :mod:`tests.agent.support`."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.agent.support import VENV_BIN, ReportServer, SnmpSim, free_port


@pytest.fixture(scope="session")
def routing(realdata: Path) -> Path:
    return realdata / "routing"


@pytest.fixture(scope="session")
def snmp_data(realdata: Path) -> Path:
    return realdata / "snmp"


@pytest.fixture(scope="session")
def snmpsim(snmp_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SnmpSim]:
    """snmpsim serving ../shared/realdata/snmp/snmprec on 127.0.0.1 (community = file name;
    SNMPv3 user ``agent``, SHA/AES, context = file name)."""
    exe = VENV_BIN / "snmpsim-command-responder"
    if not exe.exists():
        pytest.skip("snmpsim is not installed (pip install snmpsim pysmi)")
    folder = tmp_path_factory.mktemp("snmpsim")
    data = folder / "data"
    shutil.copytree(snmp_data / "snmprec", data)
    for p in data.iterdir():
        p.chmod(0o644)
    port = free_port(socket.SOCK_DGRAM)
    log = folder / "log"
    args = [
        str(exe), f"--data-dir={data}", f"--cache-dir={folder / 'cache'}",
        f"--agent-udpv4-endpoint=127.0.0.1:{port}", "--v3-user=agent",
        "--v3-auth-key=authkey123", "--v3-auth-proto=SHA", "--v3-priv-key=privkey123",
        "--v3-priv-proto=AES",
    ]  # fmt: skip
    if os.geteuid() == 0:  # the standard library is not readable by 'nobody' here
        args += ["--process-user=root", "--process-group=root"]
    with log.open("wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while b"Listening at" not in log.read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"snmpsim did not start:\n{log.read_text()[-2000:]}")
        time.sleep(0.1)
    yield SnmpSim(port, proc, log)
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def report_server() -> Iterator[ReportServer]:
    server = ReportServer()
    server.start()
    yield server
    server.stop()
