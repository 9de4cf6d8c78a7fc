"""``meshctl node register`` end to end: a node, its addresses, its agent token, its files.

The router files are checked with their own tools: netjsonconfig validates the NetJSON
DeviceConfiguration and parses the rendered UCI back; node-agent's loader reads
agent.yaml; the token in it posts a report.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from netjsonconfig import OpenWrt

from node_agent.config import load_config
from tests.cli.support import Served, meshctl
from topology.client import MeshClient

REGISTER = (
    "node", "register", "--name", "Home on Main Street", "--zone", "gorham",
    "--position", "44.3870,-71.1800", "--height", "6", "--model", "Ubiquiti NanoStation M5",
    "--role", "client", "--contact-email", "me@example.org",
)


def uci_blocks(text: str) -> dict[str, list[dict[str, Any]]]:
    """The UCI text parsed back by netjsonconfig's own OpenWrt parser."""
    backend = OpenWrt(native=text)
    intermediate: dict[str, list[dict[str, Any]]] = backend.intermediate_data
    return intermediate


@pytest.fixture(scope="module")
def registered(served: Served, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("register")
    out = meshctl(*REGISTER, "--out", str(work / "node"), "--json", home=work / "cfg",
                  url=served.url, token=served.adoe)
    assert out.returncode == 0, out.stderr
    result: dict[str, Any] = json.loads(out.stdout)
    result["dir"] = work / "node"
    return result


def test_register_creates_a_planned_node_with_addresses(
    served: Served, registered: dict[str, Any]
) -> None:
    node = registered["node"]
    assert node["id"] == "androscoggin:home-on-main-street"
    assert node["status"] == "Planned" and node["owner"] == "adoe"
    assert node["contact"]["email"] == "me@example.org"
    with MeshClient(served.url, served.admin) as api:
        held = {a["purpose"]: a["prefix"] for a in api.node_addresses(node["id"])}
    assert held["lan"].endswith("/27") and held["ipv6"].endswith("/64")
    assert {a["prefix"] for a in registered["addresses"]} == set(held.values())


def test_device_configuration_validates_and_uci_parses_back(
    served: Served, registered: dict[str, Any]
) -> None:
    folder: Path = registered["dir"]
    device = json.loads((folder / "device.json").read_text())
    assert device["type"] == "DeviceConfiguration"
    OpenWrt({k: v for k, v in device.items() if k != "type"}).validate()
    uci = (folder / "openwrt.uci").read_text()
    parsed = uci_blocks(uci)
    assert {"network", "wireless", "firewall", "system"} <= set(parsed)
    # parsed back into NetJSON (netjsonconfig validates it again on the way)
    again = OpenWrt(native=uci).config
    lan_again = next(i for i in again["interfaces"] if i.get("network") == "lan")
    assert lan_again["type"] == "bridge"
    lan = next(b for b in parsed["network"] if b[".name"] == "lan")
    with MeshClient(served.url, served.admin) as api:
        held = {a["purpose"]: a["prefix"] for a in api.node_addresses(registered["node"]["id"])}
    base, _ = held["lan"].split("/")
    first = base.rsplit(".", 1)[0] + "." + str(int(base.rsplit(".", 1)[1]) + 1)
    assert lan["ipaddr"] == first and lan["netmask"] == "255.255.255.224"
    assert lan["ip6addr"] == held["ipv6"].split("/")[0] + "1/64"
    v4 = [a for a in lan_again["addresses"] if a["family"] == "ipv4"]
    assert [(a["address"], a["mask"]) for a in v4] == [(first, 27)]
    zones = {b["name"] for b in parsed["firewall"] if b[".type"] == "zone"}
    assert zones == {"lan", "mesh"}
    # one UCI file per package, for /etc/config
    assert (folder / "uci" / "network").read_text().startswith("config ")


def test_babeld_conf_announces_the_allocated_prefixes(registered: dict[str, Any]) -> None:
    conf = (registered["dir"] / "babeld.conf").read_text()
    for a in registered["addresses"]:
        length = a["prefix"].split("/")[1]
        assert f"redistribute ip {a['prefix']} eq {length} allow" in conf
    assert "interface mesh0 type wireless" in conf
    assert conf.rstrip().endswith("redistribute deny")


def test_agent_yaml_holds_a_working_agent_token(
    served: Served, registered: dict[str, Any]
) -> None:
    path: Path = registered["dir"] / "agent.yaml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    config = load_config(path)
    assert config.node == registered["node"]["id"] and config.service == served.url
    assert config.read_token() == registered["agent_token"]
    assert [c.kind for c in config.collectors] == ["babeld", "system"]
    token_id = config.read_token().split("_")[1]  # mc_<id>_<secret>
    with MeshClient(served.url, served.admin) as api:
        live = [t for t in api.tokens() if t["id"] == token_id and not t.get("revoked_at")]
    assert [(t["role"], t["node"]) for t in live] == [("agent", config.node)]
    readme = (registered["dir"] / "README.md").read_text()
    assert "Next steps" in readme and registered["node"]["id"] in readme


def test_node_config_regenerates_and_keeps_the_token(
    served: Served, registered: dict[str, Any], tmp_path: Path
) -> None:
    folder: Path = registered["dir"]
    before = (folder / "agent.yaml").read_text()
    out = meshctl("node", "config", "home-on-main-street", "--out", str(folder),
                  home=tmp_path, url=served.url, token=served.adoe)
    assert out.returncode == 0, out.stderr
    assert (folder / "agent.yaml").read_text() == before
    fresh = tmp_path / "fresh"
    out = meshctl("node", "config", "home-on-main-street", "--out", str(fresh),
                  "--agent-url", "https://mesh.example.org/", home=tmp_path, url=served.url)
    assert out.returncode == 0, out.stderr
    agent = load_config(fresh / "agent.yaml")
    assert agent.token_file == "/etc/node-agent/token"
    assert agent.service == "https://mesh.example.org"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("--position", "45.0,-71.0"), "outside zone gorham"),
        (("--model", "Acme Unknown 9000"), "unknown device model"),
        (("--zone", "nowhere"), "unknown zone"),
        (("--name", "Gorham Public Library", "--id", "gorham-library"), "is taken"),
        (("--position", "north"), "is not 'lat,lon'"),
    ],
)
def test_bad_values_are_refused_where_they_are_typed(
    served: Served, tmp_path: Path, change: tuple[str, ...], expected: str
) -> None:
    args = [*REGISTER, "--id", "fresh-node"]
    for flag, value in zip(change[::2], change[1::2], strict=True):
        if flag in args:
            args[args.index(flag) + 1] = value
        else:
            args += [flag, value]
    out = meshctl(*args, "--out", str(tmp_path / "n"), home=tmp_path, url=served.url,
                  token=served.adoe)
    assert out.returncode == 2, out.stderr
    assert expected in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "n").exists()


def test_missing_values_without_a_terminal(served: Served, tmp_path: Path) -> None:
    """Without a terminal every missing value is a usage error naming the flag."""
    out = meshctl("node", "register", "--zone", "gorham", home=tmp_path, url=served.url,
                  token=served.adoe)
    assert out.returncode == 2 and "missing --name" in out.stderr


def test_interactive_registration_asks_again_after_a_bad_value(
    served: Served, tmp_path: Path
) -> None:
    """In a terminal each missing value is asked for; a bad one is explained and asked
    again. A nearby node's id stands for a position."""
    import os
    import pty
    import subprocess

    from tests.cli.support import MESHCTL

    answers = [
        "Porch Relay",  # name
        "",  # id: the default, from the name
        "gorh",  # zone: a unique part of it is enough
        "45.0,-71.0",  # outside gorham: asked again
        "gorham-library",  # a nearby node's position
        "7",  # antenna height
        "acme 9000",  # unknown model: asked again
        "litebeam",  # the one LiteBeam
        "client",
        "",  # contact name
        "",  # contact e-mail
    ]
    master, slave = pty.openpty()
    env = {**os.environ, "NO_COLOR": "1", "XDG_CONFIG_HOME": str(tmp_path),
           "MESHCOMMONS_URL": served.url, "MESHCOMMONS_TOKEN": served.adoe}
    os.write(master, ("\n".join(answers) + "\n").encode())
    done = subprocess.run([*MESHCTL, "node", "register", "--out", str(tmp_path / "n")],
                          stdin=slave, capture_output=True, text=True, env=env, timeout=120)
    os.close(slave)
    os.close(master)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "is outside zone gorham" in done.stderr
    assert "unknown device model 'acme 9000'" in done.stderr
    assert "registered androscoggin:porch-relay" in done.stdout
    device = json.loads((tmp_path / "n" / "device.json").read_text())
    assert device["general"]["hostname"] == "porch-relay"
    with MeshClient(served.url, served.admin) as api:  # the public sees it rounded
        node = api.node("porch-relay")
    assert node["position"]["lat"] == 44.3869 and node["zone"] == "gorham"
    assert node["devices"][0]["model"] == "Ubiquiti LiteBeam 5AC Gen2"
