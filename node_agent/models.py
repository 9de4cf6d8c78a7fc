"""The typed shapes the agent passes around (napalm style: one documented contract each).

Every collector's pure parser returns one of the ``*State`` dicts below; the report
builder (:mod:`node_agent.report`) turns them into the body of ``POST
/api/v1/nodes/{node}/reports`` (:class:`ReportBody`, see docs/api.md). Keys are always
present unless the class is declared ``total=False``; a value the source did not give is
``None``.

Units: costs in the daemon's own units unless named ``cost`` (ETX-like, 1.0 = one perfect
transmission); dBm; Mbit/s; seconds unless suffixed ``_ms``; counters in octets.
"""

from __future__ import annotations

from typing import Literal, TypedDict

# --------------------------------------------------------------------------- report body


class ReportLink(TypedDict, total=False):
    """One neighbour in a report. ``neighbour`` (a node id) or ``address`` is required.

    Example: ``{"address": "fe80::1", "interface": "wlan0", "rx_cost": 256, "tx_cost": 256,
    "cost": 1.0, "signal_dbm": -61, "rtt_ms": 2.1, "loss": 0.0}``
    """

    neighbour: str
    address: str
    interface: str
    rx_cost: float
    tx_cost: float
    cost: float
    signal_dbm: float
    noise_dbm: float
    rate_mbps: float
    rtt_ms: float
    loss: float


class ReportInterface(TypedDict, total=False):
    """Example: ``{"name": "wlan0", "rx_bytes": 123, "tx_bytes": 456, "rx_errors": 0,
    "tx_errors": 0, "oper_up": True, "speed_mbps": 300.0}``"""

    name: str
    rx_bytes: int
    tx_bytes: int
    rx_errors: int
    tx_errors: int
    oper_up: bool
    speed_mbps: float


class ReportSystem(TypedDict, total=False):
    """Example: ``{"uptime_s": 86400, "load1": 0.1, "memory_used_pct": 40, "clients": 5}``"""

    uptime_s: float
    load1: float
    memory_used_pct: float
    clients: int


class ReportRoute(TypedDict):
    """Example: ``{"destination": "10.228.16.0/27", "next": "fe80::1", "cost": 1.06,
    "device": "wlan0"}``"""

    destination: str
    next: str
    cost: float | None
    device: str


class CollectorStatus(TypedDict):
    """Example: ``{"name": "snmp", "ok": False, "error": "RetrievalError: timed out"}``"""

    name: str
    ok: bool
    error: str


class ReportBody(TypedDict, total=False):
    """The whole report; ``seq`` and ``time`` are always set (see docs/api.md)."""

    seq: int
    time: str
    interval_s: int
    links: list[ReportLink]
    interfaces: list[ReportInterface]
    system: ReportSystem
    routes: list[ReportRoute]
    dropped_reports: int
    collectors: list[CollectorStatus]


# --------------------------------------------------------------------------- topology


class TopologyLink(TypedDict):
    """One undirected edge of a daemon's whole-mesh view (``source`` < ``target``)."""

    source: str
    target: str
    cost: float | None


class Topology(TypedDict):
    """The mesh as one daemon sees it: unique node ids and unique undirected links.

    Example: ``{"nodes": ["10.150.0.2", "10.150.0.3"], "links": [{"source": "10.150.0.2",
    "target": "10.150.0.3", "cost": 27.669}]}``
    """

    nodes: list[str]
    links: list[TopologyLink]


# --------------------------------------------------------------------------- babeld


class BabelNeighbour(TypedDict):
    """``add neighbour <id> address A if I reach R ureach U rxcost N txcost N [rtt T] cost N``.

    Example: ``{"address": "fe80::2c4d:7aff:fe34:9ac7", "interface": "veth0", "reach": 0xF800,
    "ureach": 0, "rxcost": 96, "txcost": 96, "cost": 96, "rtt_ms": None}``
    """

    address: str
    interface: str
    reach: int
    ureach: int
    rxcost: int
    txcost: int
    cost: int
    rtt_ms: float | None


class BabelRoute(TypedDict):
    """``add route <id> prefix P from F installed yes id R metric M refmetric M via A if I``.

    Example: ``{"prefix": "10.99.0.2/32", "source_prefix": "0.0.0.0/0", "installed": True,
    "router_id": "f8:9e:8e:6a:91:d3:f4:04", "metric": 96, "refmetric": 0,
    "via": "fe80::2c4d:7aff:fe34:9ac7", "interface": "veth0"}``
    """

    prefix: str
    source_prefix: str
    installed: bool
    router_id: str
    metric: int
    refmetric: int
    via: str
    interface: str


class BabelXroute(TypedDict):
    """A locally redistributed prefix: ``add xroute ... prefix P from F metric M``."""

    prefix: str
    source_prefix: str
    metric: int


class BabelInterface(TypedDict):
    """``add interface I up true|false [ipv6 A] [ipv4 A]``."""

    name: str
    up: bool
    ipv6: str | None
    ipv4: str | None


class BabelState(TypedDict):
    """What babeld's ``dump`` shows (plus ``my-id`` and ``version`` of its greeting)."""

    router_id: str
    version: str
    interfaces: list[BabelInterface]
    neighbours: list[BabelNeighbour]
    routes: list[BabelRoute]
    xroutes: list[BabelXroute]


# --------------------------------------------------------------------------- olsrd


class OlsrLink(TypedDict):
    """A link of this node (jsoninfo ``/links`` or txtinfo ``Table: Links``).

    ``cost`` is the ETX (1.0 perfect), ``None`` when infinite.
    Example: ``{"local_ip": "10.150.0.4", "remote_ip": "176.62.53.97", "lq": 1.0,
    "nlq": 1.0, "cost": 1.0}``
    """

    local_ip: str
    remote_ip: str
    lq: float
    nlq: float
    cost: float | None


class OlsrEdge(TypedDict):
    """A topology (TC) edge: ``last_hop`` announces ``destination`` with this LQ/NLQ/ETX."""

    last_hop: str
    destination: str
    lq: float
    nlq: float
    cost: float | None


class OlsrState(TypedDict):
    """jsoninfo (old and new MID format) or txtinfo, in one shape.

    ``mid`` maps a main address to its aliases; ``format`` says which input it came from.
    """

    format: Literal["jsoninfo", "txtinfo"]
    main_ip: str | None
    links: list[OlsrLink]
    neighbours: list[str]
    topology: list[OlsrEdge]
    mid: dict[str, list[str]]


# --------------------------------------------------------------------------- batman-adv


class BatmanNeighbour(TypedDict):
    """``router`` (one of the node's interfaces) hears ``neighbour`` with an ETX-like
    ``metric`` (batadv-vis prints 255/TQ; 1.0 perfect)."""

    router: str
    neighbour: str
    metric: float | None


class BatmanVisNode(TypedDict):
    """One ``vis[]`` entry of batadv-vis JSON; ``clients`` deduplicated, order kept."""

    primary: str
    secondary: list[str]
    neighbours: list[BatmanNeighbour]
    clients: list[str]


class BatmanOriginator(TypedDict):
    """A line of ``batctl o``: the best next hop towards ``originator``, with its TQ
    (0..255, BATMAN_IV) or its throughput (Mbit/s, BATMAN_V)."""

    originator: str
    last_seen_s: float
    tq: int | None
    throughput_mbps: float | None
    next_hop: str
    interface: str


class BatmanState(TypedDict):
    """batadv-vis JSON, its text form (``Table: Topology``), or ``batctl o``."""

    format: Literal["vis-json", "vis-text", "batctl"]
    version: str | None
    own: str | None  # this node's primary MAC, when the source says (batctl's header)
    nodes: list[BatmanVisNode]
    originators: list[BatmanOriginator]


# --------------------------------------------------------------------------- bmx6 / bmx7


class BmxLink(TypedDict):
    """A link to ``name`` with receive/transmit rates in percent (100 = perfect)."""

    name: str
    rx_rate: float
    tx_rate: float
    address: str | None
    interface: str


class BmxNode(TypedDict):
    name: str
    links: list[BmxLink]


class BmxState(TypedDict):
    """A whole-mesh list (``[{name, links[]}]``) or one node's ``{"links": [...]}``
    (bmx6 ``json/links``, bmx7 ``--jshow links``), in one shape."""

    nodes: list[BmxNode]


# --------------------------------------------------------------------------- SNMP


class SnmpSystem(TypedDict):
    """MIB-II system group. ``uptime_s`` from sysUpTime (hundredths of a second)."""

    descr: str | None
    object_id: str | None
    uptime_s: float | None
    name: str | None


class SnmpInterface(TypedDict):
    """IF-MIB row; octets from ifXTable (64-bit) when present, else ifTable (32-bit).

    ``counter_bits`` says which (64 or 32), for the wrap of :func:`counter_rate`.
    """

    index: int
    name: str
    descr: str
    oper_up: bool
    in_octets: int
    out_octets: int
    in_errors: int
    out_errors: int
    speed_mbps: float | None
    counter_bits: int


class InterfaceRate(TypedDict):
    """Bits per second over the last interval; ``None`` when it cannot be known (first
    sample, reboot, counter reset)."""

    name: str
    in_bps: float | None
    out_bps: float | None


class WirelessRadio(TypedDict):
    """One radio / SSID (MikroTik AP table, MikroTik 60 GHz table, airOS radio and stats).

    Values a vendor does not give are ``None``. ``distance_km`` from airOS / MikroTik 60G.
    """

    index: str
    ssid: str | None
    clients: int | None
    frequency_mhz: float | None
    noise_dbm: float | None
    ccq_pct: float | None
    signal_dbm: float | None
    rssi: float | None
    tx_rate_mbps: float | None
    rx_rate_mbps: float | None
    distance_km: float | None
    tx_power_dbm: float | None
    capacity_pct: float | None
    utilisation_pct: float | None


class WirelessStation(TypedDict):
    """One associated station (MikroTik registration table): MAC, radio ifIndex, signal."""

    mac: str
    if_index: int
    signal_dbm: float | None


class SnmpState(TypedDict):
    """One SNMP poll of one device."""

    vendor: Literal["mikrotik", "ubiquiti", "generic"]
    system: SnmpSystem
    interfaces: list[SnmpInterface]
    rates: list[InterfaceRate]  # filled by the collector from the previous poll
    radios: list[WirelessRadio]
    stations: list[WirelessStation]


# --------------------------------------------------------------------------- system (/proc)


class NetDev(TypedDict):
    """A row of ``/proc/net/dev``."""

    name: str
    rx_bytes: int
    rx_errors: int
    tx_bytes: int
    tx_errors: int


class SystemState(TypedDict):
    """Example: ``{"uptime_s": 86400.0, "load1": 0.1, "memory_used_pct": 40.2,
    "interfaces": [...], "oper_up": {"wlan0": True}, "speed_mbps": {"eth0": 1000.0}}``"""

    uptime_s: float | None
    load1: float | None
    memory_used_pct: float | None
    interfaces: list[NetDev]
    oper_up: dict[str, bool]
    speed_mbps: dict[str, float]


# --------------------------------------------------------------------------- probes


class PingResult(TypedDict):
    """ICMP echo to ``target``: ``loss`` 0..1, RTTs in ms (``None`` when nothing came back)."""

    target: str
    sent: int
    received: int
    loss: float
    rtt_ms: float | None
    rtt_min_ms: float | None
    rtt_max_ms: float | None


class ArpEntry(TypedDict):
    """A neighbour's MAC from an ARP reply (or the kernel's neighbour table)."""

    address: str
    mac: str
    interface: str


class ProbeState(TypedDict):
    """``raw_sockets`` false means no CAP_NET_RAW: nothing was sent, ``error`` says why."""

    raw_sockets: bool
    error: str
    pings: list[PingResult]
    arp: list[ArpEntry]
