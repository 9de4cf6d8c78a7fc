"""The babeld.conf ``meshctl node register`` writes, run by the real babeld (root only).

Two network namespaces joined by a veth pair named ``mesh0`` (the interface the config
names): the new node's side has its LAN on ``br-lan`` as the UCI config sets it, and runs
babeld with the generated file; the other side runs a plain babeld and must learn the
node's LAN /27 and IPv6 /64.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from node_agent.collectors.babeld import parse_dump
from tests.agent import netns
from tests.cli.support import Served, meshctl

pytestmark = pytest.mark.slow


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[str, str]]:
    netns.require()
    tag = f"mcb{os.getpid() % 10000}"
    a, b = f"{tag}-a", f"{tag}-b"
    try:
        for ns in (a, b):
            netns.run("ip", "netns", "add", ns)
            netns.run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
        netns.run("ip", "link", "add", "mesh0", "netns", a, "type", "veth",
                  "peer", "name", "mesh0", "netns", b)
        yield a, b
    finally:
        for ns in (a, b):
            netns.run("ip", "netns", "del", ns, check=False)


def in_ns(ns: str, *argv: str) -> str:
    return netns.run("ip", "netns", "exec", ns, *argv).stdout


def test_babeld_accepts_the_config_and_announces_the_prefixes(
    served: Served, tmp_path: Path, pair: tuple[str, str]
) -> None:
    out = meshctl("node", "register", "--name", "Babel Test Home", "--zone", "gorham",
                  "--position", "44.39,-71.17", "--out", str(tmp_path / "node"), "--json",
                  home=tmp_path, url=served.url, token=served.adoe)
    assert out.returncode == 0, out.stderr
    held = {a["purpose"]: a["prefix"] for a in json.loads(out.stdout)["addresses"]}
    device = json.loads((tmp_path / "node" / "device.json").read_text())
    lan = next(i for i in device["interfaces"] if i["name"] == "lan")
    mesh = next(i for i in device["interfaces"] if i["name"] == "mesh0")
    a, b = pair
    # the node's side, addressed as its UCI config says
    in_ns(a, "ip", "link", "add", "br-lan", "type", "veth", "peer", "name", "lan-peer")
    for dev in ("br-lan", "lan-peer", "mesh0"):
        in_ns(a, "ip", "link", "set", dev, "up")
    for address in lan["addresses"]:
        in_ns(a, "ip", "addr", "add", f"{address['address']}/{address['mask']}", "dev", "br-lan")
    for address in mesh["addresses"]:
        in_ns(a, "ip", "addr", "add", f"{address['address']}/{address['mask']}", "dev", "mesh0")
    in_ns(b, "ip", "link", "set", "mesh0", "up")
    conf = tmp_path / "node" / "babeld.conf"
    node = subprocess.Popen(
        ["ip", "netns", "exec", a, "babeld", "-c", str(conf), "-I", str(tmp_path / "a.pid"),
         "-S", str(tmp_path / "a.state")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    peer = subprocess.Popen(
        ["ip", "netns", "exec", b, "babeld", "-I", str(tmp_path / "b.pid"), "-S",
         str(tmp_path / "b.state"), "-G", "33124", "-h", "1", "mesh0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 40
        learned = ""
        while time.monotonic() < deadline:
            if node.poll() is not None:
                log = node.stdout.read().decode() if node.stdout else ""
                pytest.fail(f"babeld refused the config: {log}")
            learned = in_ns(b, "ip", "route", "show", "proto", "babel")
            learned += in_ns(b, "ip", "-6", "route", "show", "proto", "babel")
            if held["lan"] in learned and held["ipv6"] in learned:
                break
            time.sleep(0.5)
        assert held["lan"] in learned, learned
        assert held["ipv6"] in learned, learned
        # node-agent reads babeld where agent.yaml says (the config's local-port)
        code = "from node_agent.collectors.babeld import fetch_dump; print(fetch_dump(), end='')"
        state = parse_dump(in_ns(a, netns.PYTHON, "-c", code))
        exported = {x["prefix"] for x in state["xroutes"]}
        assert {held["lan"], held["ipv6"]} <= exported, exported
    finally:
        for p in (node, peer):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
