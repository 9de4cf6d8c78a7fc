"""What a router's configuration is made from, gathered from the service's JSON.

:func:`router_inputs` is pure: it takes the node, its allocations, its links with their
allocations and the zone as the API answers them, and returns a :class:`RouterInputs`
(the node's addresses, and one :class:`LinkEnd` per link seen from this node).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from meshctl.routerconfig.catalogue import DeviceModel
from topology.ipam.prefix import first_host, link_ends

#: Link types that are radio links (the others are cables or tunnels).
RADIO_LINKS = ("wds", "ap/client", "mesh")


@dataclass(frozen=True, slots=True)
class LinkEnd:
    """One link of the node, from the node's side."""

    link_id: str
    type: str  # wds, ap/client, cable, tunnel, mesh
    peer: str  # the other end's node id
    ifname: str  # the interface at this end (``bb0``, ``cab0``...)
    prefix: str | None  # the link's /30 or /31, when allocated
    address: str | None  # this end's address in it
    mode: str  # access_point, station, or "" for a cable
    ssid: str = ""
    channel: int | None = None


@dataclass(frozen=True, slots=True)
class RouterInputs:
    community: str  # slug
    node_id: str  # global id
    name: str
    role: str  # client, supernode
    gateway: bool
    model: DeviceModel
    lan: str | None  # the LAN /27
    ipv6: str | None  # the node's /64
    links: tuple[LinkEnd, ...] = ()
    dns_servers: tuple[str, ...] = ()
    ntp_servers: tuple[str, ...] = ()
    service_url: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def local_id(self) -> str:
        return self.node_id.split(":", 1)[-1]

    @property
    def router_ipv4(self) -> str | None:
        return first_host(self.lan) if self.lan else None

    @property
    def router_ipv6(self) -> str | None:
        return first_host(self.ipv6) if self.ipv6 else None


def _held(allocations: Sequence[Mapping[str, Any]], purpose: str) -> str | None:
    live = [a for a in allocations if a.get("purpose") == purpose and not a.get("released_at")]
    return str(live[0]["prefix"]) if live else None


def _radio_of(node: Mapping[str, Any], ifname: str) -> Mapping[str, Any]:
    """The radio settings recorded on the node's interface ``ifname`` (or ``{}``)."""
    for device in node.get("devices") or []:
        for iface in device.get("interfaces") or []:
            if iface.get("name") == ifname and iface.get("radio"):
                radio: Mapping[str, Any] = iface["radio"]
                return radio
    return {}


def interface_name(kind: str, taken: set[str]) -> str:
    """The first free ``bb<n>`` (radio links) or ``cab<n>`` (cables) name."""
    stem = "cab" if kind == "cable" else "tun" if kind == "tunnel" else "bb"
    n = 0
    while f"{stem}{n}" in taken:
        n += 1
    return f"{stem}{n}"


def recorded_interface(node_id: str, link: Mapping[str, Any]) -> str:
    """The interface name recorded for ``node_id``'s end (``device/ifname``), or ``""``."""
    recorded = str(link.get("a_interface" if link["a"] == node_id else "b_interface") or "")
    return recorded.rsplit("/", 1)[-1]


def link_end(
    node: Mapping[str, Any],
    link: Mapping[str, Any],
    prefix: str | None,
    reserved: set[str],
    used: set[str],
) -> LinkEnd:
    """``link`` seen from ``node``: which end it is, its interface, address and mode.

    The recorded interface name is kept when no other link of the node records it
    (``reserved``: such names); otherwise (one radio per link on a multi-device site,
    or nothing recorded) the end gets the first free ``bb<n>``/``cab<n>``. ``used``
    collects the names given so far.
    """
    here_a = link["a"] == node["id"]
    ifname = recorded_interface(str(node["id"]), link)
    if not ifname or ifname not in reserved or ifname in used:
        ifname = interface_name(str(link["type"]), used | reserved)
    used.add(ifname)
    address = None
    if prefix:
        first, second = link_ends(prefix)
        address = first if here_a else second
    kind = str(link["type"])
    radio = _radio_of(node, ifname)
    if kind == "ap/client":
        mode = "access_point" if node.get("role") == "supernode" else "station"
    elif kind in ("wds", "mesh"):
        mode = "access_point" if here_a else "station"
    else:
        mode = ""
    if radio.get("mode") in ("ap", "client"):
        mode = "access_point" if radio["mode"] == "ap" else "station"
    channel = radio.get("channel")
    return LinkEnd(
        str(link["id"]),
        kind,
        str(link["b"] if here_a else link["a"]),
        ifname,
        prefix,
        address,
        mode,
        str(radio.get("ssid") or ""),
        int(channel) if isinstance(channel, int) and channel > 0 else None,
    )


def router_inputs(
    *,
    community: str,
    node: Mapping[str, Any],
    allocations: Sequence[Mapping[str, Any]],
    links: Sequence[tuple[Mapping[str, Any], str | None]],
    zone: Mapping[str, Any] | None,
    model: DeviceModel,
    service_url: str = "",
) -> RouterInputs:
    """The inputs of a node's router config; ``links``: (link, its p2p prefix or None)."""
    live = [(lk, p) for lk, p in links if lk.get("status") != "Dropped"]
    recorded = Counter(recorded_interface(str(node["id"]), lk) for lk, _ in live)
    reserved = {name for name, count in recorded.items() if name and count == 1}
    used: set[str] = set()
    ordered = sorted(live, key=lambda x: str(x[0]["id"]))
    ends = tuple(link_end(node, lk, p, reserved, used) for lk, p in ordered)
    return RouterInputs(
        community=community,
        node_id=str(node["id"]),
        name=str(node.get("name", node["id"])),
        role=str(node.get("role", "client")),
        gateway=bool(node.get("gateway", False)),
        model=model,
        lan=_held(allocations, "lan"),
        ipv6=_held(allocations, "ipv6"),
        links=ends,
        dns_servers=tuple((zone or {}).get("dns_servers") or ()),
        ntp_servers=tuple((zone or {}).get("ntp_servers") or ()),
        service_url=service_url,
    )
