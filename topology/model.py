"""The domain model of a community network: pure, frozen dataclasses with no I/O.

Everything else (store, live graph, routing, address management, inventories, API)
speaks in these types. Changes are made with :func:`dataclasses.replace`, so a value
that has been handed out never changes under its holder.

Identity: every node and link id is *global*: ``<community-slug>:<local-id>``. Two
communities that federate later can never clash, and an id alone says whose it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
LOCAL_ID_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$")
ID_SEP = ":"


class ModelError(ValueError):
    """A value breaks a rule of the domain model (bad id, bad position, ...)."""


class Status(StrEnum):
    """Guifi.net's lifecycle, shared by nodes, devices and links."""

    PLANNED = "Planned"
    RESERVED = "Reserved"
    BUILDING = "Building"
    TESTING = "Testing"
    WORKING = "Working"
    DROPPED = "Dropped"
    INACTIVE = "Inactive"


class Role(StrEnum):
    CLIENT = "client"
    SUPERNODE = "supernode"


class LinkType(StrEnum):
    WDS = "wds"  # point-to-point backbone ("wds/p2p" in CNML)
    AP_CLIENT = "ap/client"
    CABLE = "cable"
    TUNNEL = "tunnel"
    MESH = "mesh"


class DeviceType(StrEnum):
    RADIO = "radio"
    ROUTER = "router"
    SERVER = "server"
    NAT = "nat"
    ADSL = "adsl"
    SWITCH = "switch"
    GENERIC = "generic"


class RadioMode(StrEnum):
    AP = "ap"
    CLIENT = "client"
    MESH = "mesh"
    WDS = "wds"


class InterfaceType(StrEnum):
    LAN = "lan"
    WLAN = "wlan"
    WAN = "wan"
    WDS = "wds/p2p"
    MESH = "mesh"
    VLAN = "vlan"
    TUNNEL = "tunnel"
    LOOPBACK = "loopback"


class Purpose(StrEnum):
    """What an address pool and its allocations are for."""

    LAN = "lan"  # IPv4 node LANs (a /27 each by default)
    BACKBONE = "backbone"  # IPv4 point-to-point links (/30, or /31)
    IPV6 = "ipv6"  # ULA prefixes for zones and nodes


class HolderKind(StrEnum):
    NODE = "node"
    LINK = "link"
    ZONE = "zone"
    EXTERNAL = "external"  # imported space whose holder we do not manage


# --------------------------------------------------------------------------- ids


def check_slug(slug: str, what: str = "slug") -> str:
    if not SLUG_RE.match(slug):
        raise ModelError(
            f"{what} {slug!r} is not a valid slug: use 1-64 lowercase letters, digits and "
            "'-', not starting or ending with '-'"
        )
    return slug


def make_id(community: str, local: str) -> str:
    """Global id of a node or link: ``community:local``."""
    check_slug(community, "community slug")
    if not LOCAL_ID_RE.match(local):
        raise ModelError(
            f"local id {local!r} is not valid: use letters, digits, '.', '_' and '-' "
            "(1-128 characters, starting and ending with a letter or digit)"
        )
    return f"{community}{ID_SEP}{local}"


def split_id(global_id: str) -> tuple[str, str]:
    """Split ``community:local`` into its parts, checking both."""
    community, sep, local = global_id.partition(ID_SEP)
    if not sep:
        raise ModelError(f"id {global_id!r} has no community part ('community:local')")
    make_id(community, local)
    return community, local


def local_part(global_id: str) -> str:
    """``community:local`` -> ``local``, unchecked; an id without a community stays whole."""
    return global_id.partition(ID_SEP)[2] or global_id


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class Position:
    lat: float
    lon: float
    antenna_height_m: float = 0.0

    def __post_init__(self) -> None:
        if not -90.0 <= self.lat <= 90.0:
            raise ModelError(f"latitude {self.lat} is outside -90..90")
        if not -180.0 <= self.lon <= 180.0:
            raise ModelError(f"longitude {self.lon} is outside -180..180")
        if not 0.0 <= self.antenna_height_m <= 1000.0:
            raise ModelError(f"antenna height {self.antenna_height_m} m is outside 0..1000")


@dataclass(frozen=True, slots=True)
class BBox:
    """A zone's box: min/max latitude and longitude (CNML's ``box`` is minx,miny,maxx,maxy)."""

    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float

    def __post_init__(self) -> None:
        if self.min_lat > self.max_lat or self.min_lon > self.max_lon:
            raise ModelError(f"box {self} has a minimum above its maximum")

    def contains(self, lat: float, lon: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon


@dataclass(frozen=True, slots=True)
class Contact:
    """The owner's contact. Private: never in public output, never leaves the home service."""

    name: str = ""
    email: str = ""
    phone: str = ""


# --------------------------------------------------------------------------- entities


@dataclass(frozen=True, slots=True)
class AddressPlan:
    """A community's address space and the sizes it hands out.

    Defaults follow Guifi.net: LANs from 10/8 in /27s, backbone /30s from a separate
    172.16/12 range; a zone borrowing from its parent takes a /24 first, growing up to a
    /20. IPv6: a ULA /48 split into zone /56s (256 node /64s each, more blocks as a
    zone grows).
    """

    ipv4_lan: str = "10.0.0.0/8"
    ipv4_backbone: str = "172.16.0.0/12"
    ipv6_ula: str = "fd00::/48"
    lan_prefixlen: int = 27
    p2p_prefixlen: int = 30  # 31 is accepted too (RFC 3021)
    zone_block_min_prefixlen: int = 24  # first block a zone borrows
    zone_block_max_prefixlen: int = 20  # the biggest block a growing zone borrows
    ipv6_zone_prefixlen: int = 56
    ipv6_node_prefixlen: int = 64
    holddown_s: int = 24 * 3600


@dataclass(frozen=True, slots=True)
class Community:
    slug: str
    name: str
    # Federation identity arrives later (public key, URL); the slug is already the
    # namespace of every id, so nothing needs renaming then.
    url: str = ""
    licence: str = "ODbL-1.0"

    def __post_init__(self) -> None:
        check_slug(self.slug, "community slug")


@dataclass(frozen=True, slots=True)
class Zone:
    id: str  # slug, unique in the community
    name: str
    parent_id: str | None = None
    bbox: BBox | None = None
    dns_servers: tuple[str, ...] = ()
    ntp_servers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_slug(self.id, "zone id")


@dataclass(frozen=True, slots=True)
class Radio:
    mode: RadioMode
    ssid: str = ""
    channel: int | None = None
    frequency_mhz: int | None = None
    protocol: str = ""  # 802.11n, 802.11ac, ...
    antenna_gain_dbi: float | None = None
    azimuth_deg: float | None = None


@dataclass(frozen=True, slots=True)
class Interface:
    name: str
    type: InterfaceType = InterfaceType.LAN
    mac: str = ""
    ipv4: str = ""  # address with prefix length, "10.1.2.33/27"
    ipv6: str = ""
    radio: Radio | None = None


@dataclass(frozen=True, slots=True)
class Device:
    id: str  # unique within its node
    name: str
    type: DeviceType = DeviceType.ROUTER
    model: str = ""
    firmware: str = ""
    status: Status = Status.PLANNED
    interfaces: tuple[Interface, ...] = ()


@dataclass(frozen=True, slots=True)
class Node:
    id: str  # global: community:local
    name: str
    zone_id: str
    position: Position
    status: Status = Status.PLANNED
    role: Role = Role.CLIENT
    gateway: bool = False  # offers an exit to the Internet
    devices: tuple[Device, ...] = ()
    contact: Contact | None = None  # private
    private_position: bool = True  # home positions are rounded in public output
    owner: str = ""  # volunteer account that may change this node (private)
    created: datetime | None = None
    updated: datetime | None = None

    def __post_init__(self) -> None:
        split_id(self.id)

    @property
    def community(self) -> str:
        return self.id.partition(ID_SEP)[0]

    def public(self) -> Node:
        """The node as anyone may see it: no contact, no owner account."""
        return replace(self, contact=None, owner="")


@dataclass(frozen=True, slots=True)
class LinkMetrics:
    cost: float | None = None  # ETX-like, from the routing daemon; None = not measured
    rx_cost: float | None = None
    tx_cost: float | None = None
    signal_dbm: float | None = None
    rate_mbps: float | None = None
    last_seen: datetime | None = None


@dataclass(frozen=True, slots=True)
class Link:
    id: str  # global: community:local
    a: str  # node ids; the pair is unordered for routing
    b: str
    type: LinkType = LinkType.WDS
    status: Status = Status.PLANNED
    metrics: LinkMetrics = field(default_factory=LinkMetrics)
    a_interface: str = ""  # "device/interface" at each end, when known
    b_interface: str = ""

    def __post_init__(self) -> None:
        split_id(self.id)
        if self.a == self.b:
            raise ModelError(f"link {self.id} joins node {self.a} to itself")

    def other(self, node_id: str) -> str:
        if node_id == self.a:
            return self.b
        if node_id == self.b:
            return self.a
        raise ModelError(f"node {node_id} is not an end of link {self.id}")


@dataclass(frozen=True, slots=True)
class Pool:
    """A block of address space owned by the community (zone_id None) or a zone."""

    prefix: str  # "10.0.0.0/8"
    purpose: Purpose
    zone_id: str | None = None


@dataclass(frozen=True, slots=True)
class Allocation:
    prefix: str  # "10.1.2.32/27"
    purpose: Purpose
    holder_kind: HolderKind
    holder_id: str
    pool: str = ""  # prefix of the pool it came from
    allocated_at: datetime | None = None
    released_at: datetime | None = None  # set = held down, reusable after the hold-down
    note: str = ""


@dataclass(frozen=True, slots=True)
class NetworkModel:
    """A whole community network: what an inventory holds and the store persists."""

    community: Community
    address_plan: AddressPlan = field(default_factory=AddressPlan)
    zones: tuple[Zone, ...] = ()
    nodes: tuple[Node, ...] = ()
    links: tuple[Link, ...] = ()
    pools: tuple[Pool, ...] = ()
    allocations: tuple[Allocation, ...] = ()

    def node(self, node_id: str) -> Node:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def validate(self) -> list[str]:
        """Cross-reference checks; returns one message per problem (empty = valid)."""
        problems: list[str] = []
        zone_ids = _unique(problems, "zone", (z.id for z in self.zones))
        for z in self.zones:
            if z.parent_id is not None and z.parent_id not in zone_ids:
                problems.append(f"zone {z.id}: parent zone {z.parent_id!r} does not exist")
        problems.extend(_zone_cycles(self.zones))
        node_ids = _unique(problems, "node", (n.id for n in self.nodes))
        for n in self.nodes:
            if n.community != self.community.slug:
                problems.append(
                    f"node {n.id}: id is not in this community's namespace "
                    f"({self.community.slug}:...)"
                )
            if n.zone_id not in zone_ids:
                problems.append(f"node {n.id}: zone {n.zone_id!r} does not exist")
            _unique(problems, f"device of node {n.id}", (d.id for d in n.devices))
        _unique(problems, "link", (lk.id for lk in self.links))
        for lk in self.links:
            for end in (lk.a, lk.b):
                # Border links may end at another community's node (federation).
                if end not in node_ids and end.partition(ID_SEP)[0] == self.community.slug:
                    problems.append(f"link {lk.id}: node {end!r} does not exist")
        return problems


def _unique(problems: list[str], what: str, ids: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            problems.append(f"{what} id {i!r} is used more than once")
        seen.add(i)
    return seen


def _zone_cycles(zones: Iterable[Zone]) -> list[str]:
    parent = {z.id: z.parent_id for z in zones}
    problems = []
    for start in parent:
        seen = {start}
        cur = parent.get(start)
        while cur is not None:
            if cur in seen:
                problems.append(f"zone {start}: parent chain loops back to {cur}")
                break
            seen.add(cur)
            cur = parent.get(cur)
    return problems


def zone_ancestry(zones: Iterable[Zone], zone_id: str) -> list[str]:
    """``zone_id`` followed by its parents up to the root."""
    parent = {z.id: z.parent_id for z in zones}
    chain = [zone_id]
    cur = parent.get(zone_id)
    while cur is not None and cur not in chain:
        chain.append(cur)
        cur = parent.get(cur)
    return chain
