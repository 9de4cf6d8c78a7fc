"""The built-in alert rules: pure functions over plain inputs (no I/O, no clock reads).

Each rule answers "is this cause present now?" with a :class:`Finding`, or ``None``.
The engine (:mod:`topology.alerts.engine`) decides when to ask and keeps the alerts; a
cause that is no longer found clears its alert.

>>> from datetime import UTC, datetime, timedelta
>>> from topology.model import Node, Position, Status
>>> n = Node("c:a", "A", "z", Position(44.5, -71.2), Status.WORKING)
>>> now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
>>> node_down(n, now - timedelta(minutes=5), now, AlertConfig()).message
'node A (c:a) has not reported for 5 min (down after 3 missed reports of 60 s)'
>>> node_down(n, now - timedelta(minutes=1), now, AlertConfig()) is None
True
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from topology.alerts.config import AlertConfig
from topology.alerts.model import AlertKind, Finding, Severity
from topology.model import Allocation, HolderKind, Link, Node, Status
from topology.routing import link_is_routable, node_is_active

#: Liveness values (from the ingestion) that raise an alert; anything else is "fresh".
STALE = "stale"
DOWN = "down"


def _ago(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _node_name(node: Node) -> str:
    return f"node {node.name} ({node.id})" if node.name and node.name != node.id else node.id


# --------------------------------------------------------------------------- nodes


def node_down(
    node: Node, last_report: datetime | None, now: datetime, cfg: AlertConfig
) -> Finding | None:
    """A node whose agent reported before and has been silent for too long.

    Nodes that never reported (no agent) and retired nodes (Dropped, Inactive) never
    alert. Gateways are critical: their silence may cut others off.
    """
    if last_report is None or not node_is_active(node):
        return None
    silent = (now - last_report).total_seconds()
    if silent <= cfg.node_down_after_s:
        return None
    return Finding(
        AlertKind.NODE_DOWN,
        node.id,
        Severity.CRITICAL if node.gateway else Severity.WARNING,
        f"{_node_name(node)} has not reported for {_ago(silent)} (down after "
        f"{cfg.node_down_missed_intervals} missed reports of {cfg.report_interval_s:g} s)",
        node.zone_id,
        {"last_report": last_report.isoformat(), "silent_s": round(silent, 1)},
    )


# --------------------------------------------------------------------------- links


def link_degraded(
    link: Link, loss: float | None, cfg: AlertConfig, zone: str | None = None
) -> Finding | None:
    """A routable link whose measured cost, loss or signal is past its threshold.

    ``loss`` is a fraction (0.25 = 25 %) or None when not measured; so are the link's
    cost and signal. Unmeasured values never alert.
    """
    if not link_is_routable(link):
        return None
    m = link.metrics
    reasons: list[str] = []
    if m.cost is not None and m.cost > cfg.link_max_cost:
        reasons.append(f"cost {m.cost:g} > {cfg.link_max_cost:g}")
    if loss is not None and loss > cfg.link_max_loss:
        reasons.append(f"loss {loss:.0%} > {cfg.link_max_loss:.0%}")
    if m.signal_dbm is not None and m.signal_dbm < cfg.link_min_signal_dbm:
        reasons.append(f"signal {m.signal_dbm:g} dBm < {cfg.link_min_signal_dbm:g} dBm")
    if not reasons:
        return None
    return Finding(
        AlertKind.LINK_DEGRADED,
        link.id,
        Severity.WARNING,
        f"link {link.id} ({link.a} - {link.b}) is degraded: {', '.join(reasons)}",
        zone,
        {"cost": m.cost, "loss": loss, "signal_dbm": m.signal_dbm},
    )


def link_liveness(link: Link, liveness: str | None, zone: str | None = None) -> Finding | None:
    """A routable link the ingestion found stale or down (``liveness`` "stale"/"down")."""
    if not link_is_routable(link) or liveness not in (STALE, DOWN):
        return None
    down = liveness == DOWN
    return Finding(
        AlertKind.LINK_DOWN if down else AlertKind.LINK_STALE,
        link.id,
        Severity.WARNING if down else Severity.INFO,
        f"link {link.id} ({link.a} - {link.b}) is {'down' if down else 'stale'}: "
        f"{'not reported for long' if down else 'missing from recent reports'}",
        zone,
        {"liveness": liveness},
    )


# --------------------------------------------------------------------------- gateways


def gateway_lost(
    nodes: Mapping[str, Node],
    unreachable: Iterable[str],
    had_gateway: Container[str],
    already_lost: Container[str],
    network_has_gateways: bool,
) -> list[Finding]:
    """Nodes cut off from every Internet gateway.

    ``unreachable``: the nodes that reach no gateway now (``nearest_gateways(...)``).
    A node alerts when it is active (not Dropped/Inactive) and either had a gateway at
    the previous evaluation (``had_gateway``), is Working, or already has this alert
    (``already_lost``: it stays until the node reaches a gateway again or retires). A
    network that has never had a gateway (``network_has_gateways`` False) alerts nothing.
    """
    if not network_has_gateways:
        return []
    found = []
    for node_id in unreachable:
        node = nodes.get(node_id)
        if node is None or not node_is_active(node):
            continue
        if node_id in had_gateway or node_id in already_lost or node.status is Status.WORKING:
            found.append(
                Finding(
                    AlertKind.GATEWAY_LOST,
                    node_id,
                    Severity.CRITICAL,
                    f"{_node_name(node)} has no path to any Internet gateway",
                    node.zone_id,
                )
            )
    return found


# --------------------------------------------------------------------------- addresses


@dataclass(frozen=True, slots=True)
class AddressClaim:
    """An address configured on a node's interface."""

    node_id: str
    interface: str  # "device/interface"
    address: str  # the host address, normalised ("10.1.2.33", "fd00::1")


def address_claims(nodes: Iterable[Node]) -> list[AddressClaim]:
    """Every IPv4/IPv6 host address configured on the nodes' interfaces (bad text skipped:
    the inventory validation reports it)."""
    claims = []
    for node in nodes:
        if not node_is_active(node):
            continue
        for device in node.devices:
            for iface in device.interfaces:
                for text in (iface.ipv4, iface.ipv6):
                    if not text:
                        continue
                    try:
                        address = str(ipaddress.ip_interface(text).ip)
                    except ValueError:
                        continue
                    claims.append(AddressClaim(node.id, f"{device.id}/{iface.name}", address))
    return claims


def _foreign_holder(claim: AddressClaim, held: Allocation, links: Mapping[str, Link]) -> bool:
    """Whether ``held`` (the allocation containing the claimed address) belongs elsewhere."""
    if held.holder_kind is HolderKind.NODE:
        return held.holder_id != claim.node_id
    if held.holder_kind is HolderKind.LINK:
        link = links.get(held.holder_id)
        return link is not None and claim.node_id not in (link.a, link.b)
    return held.holder_kind is HolderKind.EXTERNAL  # zone blocks are anyone's in the zone


def address_conflicts(
    claims: Iterable[AddressClaim],
    whois: Callable[[str], Allocation | None],
    links: Mapping[str, Link],
    zone_of: Callable[[str], str | None],
) -> list[Finding]:
    """Addresses configured on two nodes, or inside space allocated to someone else.

    ``whois(address)`` gives the live allocation containing an address; ``links`` says
    which nodes may use a link's point-to-point prefix; ``zone_of(node_id)`` the zone.
    One finding per address (the subject), naming every party.
    """
    by_address: dict[str, list[AddressClaim]] = {}
    for c in claims:
        by_address.setdefault(c.address, []).append(c)
    found = []
    for address, users in by_address.items():
        nodes = sorted({c.node_id for c in users})
        problems = []
        if len(nodes) > 1:
            problems.append(f"configured on {len(nodes)} nodes: {', '.join(nodes)}")
        held = whois(address)
        if held is not None:
            strangers = sorted({c.node_id for c in users if _foreign_holder(c, held, links)})
            if strangers:
                problems.append(
                    f"{', '.join(strangers)} use{'s' if len(strangers) == 1 else ''} it but "
                    f"{held.prefix} is allocated to {held.holder_kind.value} {held.holder_id}"
                )
        if problems:
            found.append(
                Finding(
                    AlertKind.ADDRESS_CONFLICT,
                    address,
                    Severity.CRITICAL,
                    f"address {address} conflicts: {'; '.join(problems)}",
                    zone_of(nodes[0]),
                    {"nodes": nodes, "allocation": held.prefix if held else None},
                )
            )
    return found


def allocation_index(allocations: Iterable[Allocation]) -> Callable[[str], Allocation | None]:
    """A ``whois(address)`` over live ``allocations``: one dict probe per prefix length.

    >>> from topology.model import Purpose
    >>> whois = allocation_index([Allocation("10.1.0.0/27", Purpose.LAN, HolderKind.NODE, "c:a")])
    >>> whois("10.1.0.31").holder_id, whois("10.1.0.32")
    ('c:a', None)
    """
    table: dict[tuple[int, int], dict[int, Allocation]] = {}
    for a in allocations:
        if a.released_at is not None:
            continue
        try:
            net = ipaddress.ip_network(a.prefix)
        except ValueError:
            continue
        table.setdefault((net.version, net.prefixlen), {})[int(net.network_address)] = a
    # Longest prefixes first: the most specific holder wins.
    lengths = sorted(table, key=lambda k: -k[1])

    def whois(address: str) -> Allocation | None:
        ip = ipaddress.ip_address(address)
        bits = ip.max_prefixlen
        value = int(ip)
        for version, plen in lengths:
            if version != ip.version:
                continue
            found = table[(version, plen)].get(value >> (bits - plen) << (bits - plen))
            if found is not None:
                return found
        return None

    return whois
