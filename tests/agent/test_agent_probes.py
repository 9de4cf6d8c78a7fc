"""Probes: the pure summaries, real ICMP echo and ARP on loopback (with CAP_NET_RAW),
and the agent without CAP_NET_RAW: probes report why, the other collectors still run."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from node_agent.collectors.base import Cycle, LinkDraft
from node_agent.collectors.probes import (
    NO_RAW,
    ProbesCollector,
    has_raw_sockets,
    parse_proc_arp,
    summarise,
)
from node_agent.errors import RetrievalError
from node_agent.models import ReportLink
from tests.agent.support import VENV_BIN

needs_raw = pytest.mark.skipif(not has_raw_sockets(), reason="needs CAP_NET_RAW (run as root)")
try:
    import scapy  # noqa: F401

    HAS_SCAPY = True
except ImportError:
    HAS_SCAPY = False
needs_scapy = pytest.mark.skipif(not HAS_SCAPY, reason="scapy is not installed")

PROC_ARP = """IP address       HW type     Flags       HW address            Mask     Device
10.228.16.1      0x1         0x2         b8:69:f4:7f:41:70     *        br-lan
10.228.16.9      0x1         0x0         00:00:00:00:00:00     *        br-lan
172.25.41.177    0x1         0x2         74:4D:28:E3:17:31     *        wlan0
"""


def test_summarise() -> None:
    assert summarise("10.0.0.1", 3, [1.0, 2.0, 6.0]) == {
        "target": "10.0.0.1", "sent": 3, "received": 3, "loss": 0.0, "rtt_ms": 3.0,
        "rtt_min_ms": 1.0, "rtt_max_ms": 6.0,
    }  # fmt: skip
    lost = summarise("10.0.0.2", 4, [])
    assert (lost["loss"], lost["rtt_ms"]) == (1.0, None)
    assert summarise("10.0.0.3", 3, [2.0])["loss"] == 0.6667


def test_parse_proc_arp() -> None:
    assert parse_proc_arp(PROC_ARP) == [
        {"address": "10.228.16.1", "mac": "b8:69:f4:7f:41:70", "interface": "br-lan"},
        {"address": "172.25.41.177", "mac": "74:4d:28:e3:17:31", "interface": "wlan0"},
    ]


def test_part_enriches_by_address() -> None:
    c = ProbesCollector({})
    part = c.part(
        {"raw_sockets": True, "error": "", "pings": [summarise("10.0.0.1", 2, [1.5])],
         "arp": [{"address": "10.0.0.1", "mac": "02:00:00:00:00:01", "interface": "eth0"}]}
    )  # fmt: skip
    assert part.enrich == {"10.0.0.1": {"loss": 0.5, "rtt_ms": 1.5}}
    assert part.macs == {"10.0.0.1": "02:00:00:00:00:01"}


def test_without_raw_sockets_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("node_agent.collectors.probes.has_raw_sockets", lambda: False)
    with pytest.raises(RetrievalError, match="CAP_NET_RAW"):
        ProbesCollector({"targets": ["127.0.0.1"]}).collect(Cycle())


@needs_raw
@needs_scapy
def test_real_ping_of_loopback_and_neighbours() -> None:
    c = ProbesCollector({"targets": ["127.0.0.1"], "count": 2, "timeout": 0.5})
    cycle = Cycle(links=[LinkDraft(ReportLink(address="127.0.0.2", interface="lo"))])
    state = c.collect(cycle)
    pings = {p["target"]: p for p in state["pings"]}
    assert set(pings) == {"127.0.0.1", "127.0.0.2"}  # neighbours are pinged too
    for p in pings.values():
        assert p["received"] == 2 and p["loss"] == 0.0
        assert p["rtt_ms"] is not None and 0 < p["rtt_ms"] < 100


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="setpriv (util-linux) is absent")
@needs_raw
def test_agent_without_cap_net_raw(tmp_path: Path) -> None:
    """The real command, with CAP_NET_RAW dropped from its bounding set."""
    config = tmp_path / "agent.yaml"
    config.write_text(
        "service: http://127.0.0.1:9\nnode: test:n1\ntoken: t\n"
        f"state_dir: {tmp_path / 'state'}\n"
        "collectors:\n  probes: {targets: [127.0.0.1], count: 1}\n"
    )
    done = subprocess.run(
        ["setpriv", "--bounding-set", "-net_raw", str(VENV_BIN / "node-agent"), "check",
         "--config", str(config), "--json"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    assert doc["collectors"]["system"]["ok"] is True
    assert doc["collectors"]["probes"] == {
        "ok": False, "error": f"RetrievalError: {NO_RAW}", "elapsed_ms":
        doc["collectors"]["probes"]["elapsed_ms"], "state": None,
    }  # fmt: skip
    assert {"name": "probes", "ok": False, "error": f"RetrievalError: {NO_RAW}"} in doc["report"][
        "collectors"
    ]
