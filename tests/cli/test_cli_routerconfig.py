"""The pure router-config builder: catalogue, interface names, radios, firewall zones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from netjsonconfig import OpenWrt

from meshctl.commands.routerfiles import gather
from meshctl.routerconfig import (
    CatalogueError,
    bundle,
    device_configuration,
    find_model,
    load_catalogue,
    render_uci,
    router_inputs,
)
from tests.cli.support import Served
from topology.client import MeshClient

MODELS = load_catalogue()
NODE = {"id": "c:home-9", "name": "Home 9", "role": "client", "devices": []}
ADDRESSES = [{"purpose": "lan", "prefix": "10.1.0.32/27"},
             {"purpose": "ipv6", "prefix": "fd00:1::/64"}]


def link(ident: str, a: str, b: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"id": ident, "a": a, "b": b, "type": kind, "status": "Planned", **extra}


def test_catalogue_finds_models_loosely_and_refuses_unknown_ones(tmp_path: Path) -> None:
    assert find_model(MODELS, "nanostation m5").name == "Ubiquiti NanoStation M5"
    assert find_model(MODELS, "ubiquiti   LITEBEAM 5ac gen2").band == "5g"
    with pytest.raises(CatalogueError, match="did you mean"):
        find_model(MODELS, "ubiquiti")
    # names of the planning catalogue (inventories/equipment.yaml) work too
    assert find_model(MODELS, "PBE-5AC-500").name == "Ubiquiti PowerBeam 5AC 500"
    assert find_model(MODELS, "wAP 60G").band == "60g"
    equipment = tmp_path / "equipment.yaml"
    equipment.write_text("models:\n  - {name: Omni 2, vendor: Acme, frequency_mhz: 2437}\n")
    omni = find_model(load_catalogue(equipment=equipment), "omni 2")
    assert (omni.name, omni.band) == ("Acme Omni 2", "2g")
    extra = tmp_path / "models.yaml"
    extra.write_text("- {name: Acme Mesh 1, band: 2g, ports: [eth0, eth1]}\n")
    assert find_model(load_catalogue(extra), "acme mesh 1").ports == ("eth0", "eth1")
    extra.write_text("- {name: Bad, band: 7g}\n")
    with pytest.raises(CatalogueError, match="band '7g'"):
        load_catalogue(extra)


def test_link_ends_get_their_half_of_the_p2p_prefix_and_unique_names() -> None:
    links = [
        (link("c:a--home-9", "c:a", "c:home-9", "wds", a_interface="r/ath0",
              b_interface="r/ath0"), "172.16.0.0/30"),
        (link("c:home-9--b", "c:home-9", "c:b", "wds", a_interface="r/ath0"), "172.16.0.4/30"),
        (link("c:home-9--c", "c:home-9", "c:c", "cable"), "172.16.0.8/31"),
        (link("t", "c:home-9", "other:far-away", "tunnel"), None),
    ]
    inputs = router_inputs(community="c", node=NODE, allocations=ADDRESSES, links=links,
                           zone=None, model=MODELS["Ubiquiti NanoStation M5"])
    ends = {e.link_id: e for e in inputs.links}
    assert ends["c:a--home-9"].address == "172.16.0.2"  # end b
    assert ends["c:home-9--b"].address == "172.16.0.5"  # end a
    assert ends["c:home-9--c"].address == "172.16.0.8"  # a /31: both addresses usable
    names = [e.ifname for e in inputs.links]
    assert len(set(names)) == 4 and "ath0" not in names  # two links recorded ath0
    config = device_configuration(inputs)
    uci = render_uci(config)
    assert "option ipaddr '172.16.0.5'" in uci and "option wds '1'" in uci
    cable = next(i for i in config["interfaces"] if i.get("network") == "cab0")
    assert cable["name"] == "eth1"  # the model's second port
    assert ends["t"].peer == "other:far-away" and ends["t"].ifname == "tun0"
    files = bundle(inputs, token="mc_x_y")
    assert "interface tun0 type tunnel" in files["babeld.conf"]
    assert "interface eth1 type wired" in files["babeld.conf"]


def test_channel_decides_the_band_and_gateways_get_a_wan() -> None:
    node = {**NODE, "gateway": True, "role": "supernode", "devices": [
        {"id": "router", "interfaces": [{"name": "bb0", "radio": {"mode": "ap", "channel": 6}}]}
    ]}
    links = [(link("c:home-9--x", "c:home-9", "c:x", "ap/client",
                   a_interface="router/bb0"), None)]
    inputs = router_inputs(community="c", node=node, allocations=ADDRESSES, links=links,
                           zone={"dns_servers": ["10.1.0.1"]}, model=MODELS["MikroTik hAP ac2"])
    config = device_configuration(inputs)
    (radio,) = config["radios"]
    assert radio["channel"] == 6 and radio["protocol"] == "802.11n"
    zones = {r["name"] for r in config["firewall"] if r["config_name"] == "zone"}
    assert zones == {"lan", "mesh", "wan"}
    uci = render_uci(config)
    assert "option band '2g'" in uci and "option proto 'dhcp'" in uci
    assert "option dns '10.1.0.1'" in uci
    # a link without a /30 still gives babeld an IPv4 address: the router's /32
    bb0 = next(i for i in config["interfaces"] if i["name"] == "bb0")
    assert bb0["addresses"][0] == {"family": "ipv4", "proto": "static",
                                   "address": "10.1.0.33", "mask": 32}


def test_bundle_files_and_non_openwrt_models() -> None:
    inputs = router_inputs(community="c", node={**NODE, "id": "c:x"}, allocations=[],
                           links=[], zone=None, model=MODELS["MikroTik mANTBox 19s"])
    files = bundle(inputs, token=None)
    assert set(files) >= {"device.json", "openwrt.uci", "uci/network", "uci/wireless",
                          "uci/firewall", "babeld.conf", "agent.yaml", "README.md"}
    assert "does not run OpenWrt" in files["README.md"]
    assert "token_file:" in files["agent.yaml"]
    assert "hostname 'node-x'" in files["openwrt.uci"]  # one letter is no host name


def test_every_sample_node_gets_a_valid_configuration(served: Served) -> None:
    with MeshClient(served.url, served.admin) as api:
        nodes = api.all_nodes()
        for node in nodes:
            config = device_configuration(gather(api, node["id"]))
            OpenWrt({k: v for k, v in config.items() if k != "type"}).validate()
    assert len(nodes) >= 35
