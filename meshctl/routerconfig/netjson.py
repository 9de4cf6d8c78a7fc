"""A node's NetJSON DeviceConfiguration, and its OpenWrt UCI text via netjsonconfig.

The LAN is a bridge on the model's first Ethernet port holding the node's LAN /27 (the
router takes the first address) and its IPv6 /64. Each link is one interface holding
this end of the link's /30: a wireless interface on ``radio0`` for radio links (access
point or station, WDS on backbone links), an Ethernet port for cables, a virtual
interface for tunnels (their daemon makes it). A node without links gets an 802.11s
``mesh0`` interface so babeld can find neighbours. Firewall zones:
``lan`` and ``mesh`` forward to each other; babel (UDP 6696) is accepted from the mesh;
a gateway node also has a ``wan`` (DHCP, masqueraded).
"""

from __future__ import annotations

import re
from typing import Any

from meshctl.routerconfig.inputs import RADIO_LINKS, LinkEnd, RouterInputs

BABEL_PORT = 6696
MESH_IF = "mesh0"


def hostname(inputs: RouterInputs) -> str:
    """A valid host name (letters, digits, hyphens; 2..63 characters) from the id."""
    name = re.sub(r"[^a-z0-9-]+", "-", inputs.local_id.lower()).strip("-")[:63].strip("-")
    return name if len(name) >= 2 else f"node-{name or 'x'}"


def ssid_of(inputs: RouterInputs, end: LinkEnd) -> str:
    if end.ssid:
        return end.ssid
    ap = inputs.local_id if end.mode == "access_point" else end.peer.split(":", 1)[-1]
    return f"{inputs.community}-{ap}"[:32]


def _v4(address: str, mask: int) -> dict[str, Any]:
    return {"family": "ipv4", "proto": "static", "address": address, "mask": mask}


def _lan(inputs: RouterInputs) -> dict[str, Any]:
    addresses = []
    if inputs.lan and inputs.router_ipv4:
        addresses.append(_v4(inputs.router_ipv4, int(inputs.lan.split("/")[1])))
    if inputs.ipv6 and inputs.router_ipv6:
        addresses.append(
            {"family": "ipv6", "proto": "static", "address": inputs.router_ipv6,
             "mask": int(inputs.ipv6.split("/")[1])}
        )
    return {
        "name": "lan",
        "type": "bridge",
        "bridge_members": [inputs.model.ports[0]],
        "addresses": addresses,
    }


def _link_interface(inputs: RouterInputs, end: LinkEnd, free_ports: list[str]) -> dict[str, Any]:
    addresses = []
    if end.prefix and end.address:
        addresses.append(_v4(end.address, int(end.prefix.split("/")[1])))
    elif inputs.router_ipv4:  # babeld needs an IPv4 address to route IPv4 through it
        addresses.append(_v4(inputs.router_ipv4, 32))
    if end.type in RADIO_LINKS and inputs.model.band:
        wireless: dict[str, Any] = {
            "radio": "radio0",
            "mode": end.mode or "station",
            "ssid": ssid_of(inputs, end),
            "network": [end.ifname],
        }
        if end.type == "wds":
            wireless["wds"] = True
        return {"name": end.ifname, "type": "wireless", "wireless": wireless,
                "addresses": addresses}
    if end.type == "tunnel":  # made by the tunnel's daemon (WireGuard, OpenVPN...)
        return {"name": end.ifname, "type": "virtual", "addresses": addresses}
    if end.ifname in free_ports:  # recorded as the port itself ("router/eth1")
        free_ports.remove(end.ifname)
        port = end.ifname
    else:
        port = free_ports.pop(0) if free_ports else end.ifname
    return {"name": end.ifname, "type": "ethernet", "network": end.ifname, "mtu": 1500,
            "addresses": addresses, "_port": port}


def _radios(inputs: RouterInputs) -> list[dict[str, Any]]:
    """One radio; its channel is the first link's recorded one (its band decides 2.4
    or 5 GHz, whatever the model's usual band), else the band's first channel."""
    if not inputs.model.band:
        return []
    channels = [e.channel for e in inputs.links if e.channel]
    band, protocol = inputs.model.band, inputs.model.protocol
    channel = channels[0] if channels else {"5g": 36, "2g": 1, "60g": 2}[band]
    if channel <= 14 and band != "60g":
        band, protocol = "2g", "802.11n"
    elif band == "2g" or band == "60g" or not 32 <= channel <= 177:
        band, protocol, channel = "5g", "802.11n", channel if 32 <= channel <= 177 else 36
    return [
        {
            "name": "radio0",
            "phy": "phy0",
            "driver": "mac80211",
            "protocol": protocol,
            "channel": channel,
            "channel_width": _width(protocol, band),
            "country": "US",
        }
    ]


def _width(protocol: str, band: str) -> int:
    """A channel width the OpenWrt schema accepts for this protocol and band."""
    if band == "2g" or protocol in ("802.11a", "802.11g", "802.11b"):
        return 20
    if protocol in ("802.11ac", "802.11ax") and band == "5g":
        return 80
    return 40 if band == "5g" else 20


def _firewall(inputs: RouterInputs, mesh: list[str]) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = [
        {"config_name": "defaults", "config_value": "defaults", "input": "ACCEPT",
         "output": "ACCEPT", "forward": "REJECT"},
        {"config_name": "zone", "config_value": "zone_lan", "name": "lan", "network": ["lan"],
         "input": "ACCEPT", "output": "ACCEPT", "forward": "ACCEPT"},
        {"config_name": "zone", "config_value": "zone_mesh", "name": "mesh", "network": mesh,
         "input": "ACCEPT", "output": "ACCEPT", "forward": "ACCEPT"},
        {"config_name": "forwarding", "config_value": "lan_mesh", "src": "lan", "dest": "mesh"},
        {"config_name": "forwarding", "config_value": "mesh_lan", "src": "mesh", "dest": "lan"},
        {"config_name": "rule", "config_value": "allow_babel", "name": "Allow-Babel",
         "src": "mesh", "proto": "udp", "dest_port": str(BABEL_PORT), "target": "ACCEPT"},
    ]
    if inputs.gateway:
        rules += [
            {"config_name": "zone", "config_value": "zone_wan", "name": "wan",
             "network": ["wan"], "input": "REJECT", "output": "ACCEPT", "forward": "REJECT",
             "masq": "1", "mtu_fix": "1"},
            {"config_name": "forwarding", "config_value": "lan_wan", "src": "lan",
             "dest": "wan"},
            {"config_name": "forwarding", "config_value": "mesh_wan", "src": "mesh",
             "dest": "wan"},
        ]
    return rules


def device_configuration(inputs: RouterInputs) -> dict[str, Any]:
    """The node's NetJSON DeviceConfiguration (OpenWrt flavour)."""
    free_ports = list(inputs.model.ports[1:])
    wan_port = free_ports.pop() if inputs.gateway and free_ports else None
    interfaces: list[dict[str, Any]] = [{"name": "lo", "type": "loopback",
        "addresses": [_v4("127.0.0.1", 8)]}, _lan(inputs)]
    for end in inputs.links:
        iface = _link_interface(inputs, end, free_ports)
        port = iface.pop("_port", None)
        if port is not None:
            iface["name"] = port  # an Ethernet interface is named by its port
            iface["network"] = end.ifname
        interfaces.append(iface)
    if not inputs.links:
        addresses = [_v4(inputs.router_ipv4, 32)] if inputs.router_ipv4 else []
        if inputs.model.band:
            interfaces.append(
                {"name": MESH_IF, "type": "wireless", "addresses": addresses,
                 "wireless": {"radio": "radio0", "mode": "802.11s", "network": [MESH_IF],
                              "mesh_id": f"{inputs.community}-mesh"[:32]}}
            )
        else:
            port = free_ports.pop(0) if free_ports else "eth1"
            interfaces.append({"name": port, "type": "ethernet", "network": MESH_IF,
                               "addresses": addresses})
    if wan_port is not None:
        interfaces.append({"name": wan_port, "type": "ethernet", "network": "wan",
            "addresses": [{"family": "ipv4", "proto": "dhcp"}]})
    networks = [str(i.get("network", i["name"])) for i in interfaces[2:]]
    mesh = [n for n in networks if n != "wan"]
    config: dict[str, Any] = {
        "type": "DeviceConfiguration",
        "general": {"hostname": hostname(inputs), "description": inputs.name[:200]},
        "interfaces": interfaces,
        "radios": _radios(inputs),
        "firewall": _firewall(inputs, mesh),
    }
    if inputs.dns_servers:
        # On the LAN only: a top-level dns_servers would repeat on every interface.
        interfaces[1]["dns"] = " ".join(inputs.dns_servers)
    if inputs.ntp_servers:
        config["ntp"] = {"enabled": True, "enable_server": False,
                         "server": list(inputs.ntp_servers)}
    return config


class RouterConfigError(ValueError):
    """netjsonconfig refused the DeviceConfiguration (one line: where and why)."""


def render_uci(config: dict[str, Any]) -> str:
    """Validate ``config`` with netjsonconfig and render it as OpenWrt UCI text.

    Raises :class:`RouterConfigError` for a configuration the OpenWrt schema refuses.
    """
    from netjsonconfig import OpenWrt
    from netjsonconfig.exceptions import ValidationError

    backend = OpenWrt(_without_type(config))
    try:
        backend.validate()
    except ValidationError as exc:
        cause = getattr(exc, "details", None)
        where = "/".join(str(p) for p in getattr(cause, "path", [])) or "(top)"
        why = getattr(cause, "message", str(exc).splitlines()[0])
        raise RouterConfigError(f"router config {where}: {why}"[:300]) from None
    text: str = backend.render()
    return text


def _without_type(config: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in config.items() if k != "type"}
