"""Steward commands over the service API: --json for scripts, tables otherwise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.support import Served, meshctl


def as_json(served: Served, home: Path, *args: str, token: str | None = None) -> Any:
    out = meshctl(*args, "--json", home=home, url=served.url, token=token or served.admin)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_node_list_filters_and_tables(served: Served, tmp_path: Path) -> None:
    everything = as_json(served, tmp_path, "node", "list")
    assert len(everything) >= 35
    working = as_json(served, tmp_path, "node", "list", "--zone", "gorham", "--status", "working")
    assert working and all(n["status"] == "Working" for n in working)
    assert all(n["zone"] == "gorham" for n in working)
    supernodes = as_json(served, tmp_path, "node", "list", "--role", "supernode")
    assert all(n["role"] == "supernode" for n in supernodes)
    found = as_json(served, tmp_path, "node", "list", "-q", "library")
    assert {n["id"] for n in found} >= {"androscoggin:gorham-library"}
    table = meshctl("node", "list", "-q", "library", home=tmp_path, url=served.url)
    assert table.returncode == 0 and "Gorham Public Library" in table.stdout
    assert "\x1b[" not in table.stdout  # NO_COLOR and a pipe: no colour codes


def test_node_show_set_status_retire(served: Served, tmp_path: Path) -> None:
    shown = as_json(served, tmp_path, "node", "show", "gorham-library")
    assert shown["node"]["name"] == "Gorham Public Library"
    assert any(a["purpose"] == "lan" for a in shown["addresses"]) and shown["links"]
    changed = as_json(served, tmp_path, "node", "set-status", "berlin-home-11", "testing")
    assert changed["status"] == "Testing"
    retired = as_json(served, tmp_path, "node", "retire", "berlin-home-11", "--yes")
    assert retired["status"] == "Dropped"


def test_zone_list_and_create(served: Served, tmp_path: Path) -> None:
    made = as_json(served, tmp_path, "zone", "create", "shelburne", "--name", "Shelburne",
                   "--parent", "north-country", "--bbox", "44.36,-71.10,44.42,-70.98")
    assert made["bbox"]["min_lat"] == 44.36
    assert "shelburne" in {z["id"] for z in as_json(served, tmp_path, "zone", "list")}
    again = meshctl("zone", "create", "shelburne", "--name", "X", home=tmp_path,
                    url=served.url, token=served.admin)
    assert again.returncode == 1 and "already exists" in again.stderr
    bad = meshctl("zone", "create", "z", "--name", "Z", "--bbox", "1,2,3", home=tmp_path,
                  url=served.url, token=served.admin)
    assert bad.returncode == 2


def test_ip_allocate_whois_release(served: Served, tmp_path: Path) -> None:
    got = as_json(served, tmp_path, "ip", "allocate", "lan", "gorham-town-hall")
    prefix = got["prefix"]
    host = prefix.split("/")[0][:-1] + "5" if prefix.endswith("0/27") else prefix.split("/")[0]
    who = as_json(served, tmp_path, "ip", "whois", host)
    assert who["holder_id"] == "androscoggin:gorham-town-hall"
    assert as_json(served, tmp_path, "ip", "release", prefix)["prefix"] == prefix
    gone = meshctl("ip", "whois", host, home=tmp_path, url=served.url)
    assert gone.returncode == 1 and "not allocated" in gone.stdout
    pools = as_json(served, tmp_path, "ip", "free")
    assert "10.228.0.0/16" in {p["prefix"] for p in pools}


def test_routing_commands(served: Served, tmp_path: Path) -> None:
    path = as_json(served, tmp_path, "route", "gorham-library", "berlin-library")
    assert path["nodes"][0] == "androscoggin:gorham-library" and path["hops"]
    text = meshctl("route", "gorham-library", "berlin-library", home=tmp_path, url=served.url)
    assert "Bottleneck" in text.stdout
    routes = meshctl("routes", "gorham-library", home=tmp_path, url=served.url)
    assert json.loads(routes.stdout)["type"] == "NetworkRoutes"
    gws = as_json(served, tmp_path, "gateways")
    assert "androscoggin:gorham-library" in gws["gateways"]
    cut = as_json(served, tmp_path, "whatif", "remove", "mount-forist-relay")
    assert cut["kind"] == "node" and cut["lost_reach"]
    link = as_json(served, tmp_path, "whatif", "remove", "gorham-town-hall--gorham-home-01")
    assert link["kind"] == "link"
    missing = meshctl("route", "gorham-library", "nowhere", home=tmp_path, url=served.url)
    assert missing.returncode == 1 and "nowhere" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


def test_token_create_and_revoke(served: Served, tmp_path: Path) -> None:
    made = as_json(served, tmp_path, "token", "create", "volunteer", "--name", "cpoe")
    assert made["token"].startswith("mc_")
    ok = meshctl("token", "list", "--json", home=tmp_path, url=served.url, token=made["token"])
    assert ok.returncode == 0
    assert as_json(served, tmp_path, "token", "revoke", made["id"]) == {"revoked": made["id"]}
    dead = meshctl("token", "list", home=tmp_path, url=served.url, token=made["token"])
    assert dead.returncode == 1 and "401" in dead.stderr


def test_link_add_allocates_and_regenerates_both_ends(served: Served, tmp_path: Path) -> None:
    added = as_json(served, tmp_path, "link", "add", "gorham-home-04", "gorham-library",
                    "--type", "ap/client", "--ssid", "avm-gorham-library", "--channel", "40",
                    "--out", str(tmp_path / "configs"))
    assert added["link"]["type"] == "ap/client"
    (p2p,) = [a["prefix"] for a in added["addresses"]]
    assert p2p.endswith("/30")
    first, second = p2p.split("/")[0], added["interfaces"]
    base = int(first.rsplit(".", 1)[1])
    net = first.rsplit(".", 1)[0]
    home_uci = (tmp_path / "configs" / "gorham-home-04" / "openwrt.uci").read_text()
    library_uci = (tmp_path / "configs" / "gorham-library" / "openwrt.uci").read_text()
    assert f"option ipaddr '{net}.{base + 1}'" in home_uci  # end a: the first address
    assert f"option ipaddr '{net}.{base + 2}'" in library_uci
    assert "option ssid 'avm-gorham-library'" in home_uci and "option channel '40'" in home_uci
    assert "option mode 'sta'" in home_uci and "option mode 'ap'" in library_uci
    iface = second["androscoggin:gorham-home-04"]
    babel = (tmp_path / "configs" / "gorham-home-04" / "babeld.conf").read_text()
    assert f"interface {iface} type wireless" in babel
    listed = as_json(served, tmp_path, "link", "list", "--node", "gorham-home-04")
    assert added["link"]["id"] in {lk["id"] for lk in listed}


@pytest.mark.slow
def test_every_command_has_help_with_an_example(tmp_path: Path) -> None:
    groups = {
        "node": ["register", "list", "show", "set-status", "retire", "config"],
        "link": ["add", "list"],
        "zone": ["list", "create"],
        "token": ["create", "list", "revoke"],
        "ip": ["allocate", "release", "whois", "free"],
    }
    commands = [[g, c] for g, cs in groups.items() for c in cs]
    commands += [["login"], ["route"], ["routes"], ["gateways"], ["whatif"]]
    for argv in commands:
        out = meshctl(*argv, "--help", home=tmp_path)
        assert out.returncode == 0, argv
        assert "Example" in out.stdout, argv


def test_shell_completion_scripts(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    for shell in ("bash", "zsh", "fish"):
        env = {**os.environ, "_MESHCTL_COMPLETE": f"{shell}_source"}
        out = subprocess.run([sys.executable, "-m", "meshctl.cli"], env=env,
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0 and "meshctl" in out.stdout, shell


def test_completion_of_zones_nodes_and_models(served: Served, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    def complete(words: str) -> str:
        env = {**os.environ, "_MESHCTL_COMPLETE": "bash_complete", "COMP_WORDS": words,
               "COMP_CWORD": str(len(words.split()) - 1), "MESHCOMMONS_URL": served.url,
               "XDG_CONFIG_HOME": str(tmp_path)}
        done = subprocess.run([sys.executable, "-m", "meshctl.cli"], env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "plain,gorham" in complete("meshctl node register --zone gor")
    assert "plain,Ubiquiti LiteBeam 5AC Gen2" in complete("meshctl node register --model lite")
    assert "plain,gorham-library" in complete("meshctl node show gorham-lib")
