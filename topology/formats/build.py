"""A :class:`ParsedNetwork` becomes a :class:`~topology.model.NetworkModel` (pure).

* Ids: the file's ids become local ids (``10.150.0.2`` stays, ``a0:f3:c1:96:94:06``
  becomes ``a0-f3-c1-96-94-06``); the original is kept as the node's name when it has
  none. Global ids are ``<community>:<local>``.
* Zones: the file's zones; nodes without one go to a zone named after the format.
* Positions: nodes without one (routing daemons) are placed at 0,0 and counted in the
  warnings. Imported positions are already public, so they are not marked private.
* Addresses: one allocation per distinct prefix seen on interfaces. Its holder is the
  link whose two ends carry it (a point-to-point /30 or /31), else its only node, else (an
  access point's range shared with its clients) the node with the lowest address in it.
  Entries that overlap, or lie outside the plan's pools, are left out and reported.
"""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from dataclasses import dataclass, replace

from topology.formats.parsed import ParsedAddress, ParsedNetwork
from topology.ipam import AddressManager
from topology.model import (
    AddressPlan,
    Allocation,
    Community,
    HolderKind,
    Link,
    LinkMetrics,
    LinkType,
    NetworkModel,
    Node,
    Position,
    Purpose,
    Zone,
    make_id,
)

_BAD = re.compile(r"[^A-Za-z0-9._-]+")


def local_id(text: str) -> str:
    """A valid local id for ``text``: other characters become ``-``, ends trimmed."""
    out = _BAD.sub("-", text).strip("-._")[:128].rstrip("-._")
    return out or "x"


@dataclass(frozen=True, slots=True)
class BuildResult:
    model: NetworkModel
    warnings: tuple[str, ...]
    address_conflicts: tuple[str, ...]


class _Ids:
    def __init__(self, community: str) -> None:
        self.used: set[str] = set()
        self.own = f"{community}:"

    def take(self, text: str) -> str:
        # Our own exports name nodes by global id: take back the local part.
        base = local_id(text.removeprefix(self.own))
        got, n = base, 1
        while got in self.used:
            n += 1
            got = f"{base[:120]}-{n}"
        self.used.add(got)
        return got


def build_model(
    parsed: ParsedNetwork,
    community: str,
    *,
    name: str = "",
    licence: str = "ODbL-1.0",
    plan: AddressPlan | None = None,
) -> BuildResult:
    """The model of ``parsed`` in the namespace ``community`` (see the module docstring)."""
    plan = plan or parsed.plan or AddressPlan()
    warnings = list(parsed.warnings)
    zone_ids = {z.id for z in parsed.zones}
    zones = [
        z if z.parent_id is None or z.parent_id in zone_ids else Zone(
            z.id, z.name, None, z.bbox, z.dns_servers, z.ntp_servers
        )
        for z in parsed.zones
    ]
    fallback = local_id(parsed.format).lower()
    if any(n.zone is None for n in parsed.nodes.values()) and fallback not in zone_ids:
        zones.append(Zone(fallback, f"Imported from {parsed.format}"))
    ids = _Ids(community)
    node_ids: dict[str, str] = {}
    nodes: list[Node] = []
    unplaced = 0
    for key, p in parsed.nodes.items():
        gid = node_ids[key] = make_id(community, ids.take(key))
        if p.lat is None or p.lon is None:
            unplaced += 1
        nodes.append(
            Node(
                id=gid,
                name=p.name or key,
                zone_id=p.zone or fallback,
                position=Position(p.lat or 0.0, p.lon or 0.0, p.antenna_height_m),
                status=p.status,
                role=p.role,
                gateway=p.gateway,
                devices=p.devices,
                private_position=p.private_position,
            )
        )
    if unplaced:
        warnings.append(f"{unplaced} nodes have no position in the file: placed at 0,0")
    link_ids = _Ids(community)
    links: list[Link] = []
    for lk in parsed.links:
        # An end that is another community's global id is a border link: kept as is.
        a, b = node_ids.get(lk.a, lk.a), node_ids.get(lk.b, lk.b)
        lid = make_id(community, link_ids.take(lk.id or f"{local_id(lk.a)}-{local_id(lk.b)}"))
        links.append(
            Link(
                id=lid,
                a=a,
                b=b,
                type=lk.type or LinkType.MESH,
                status=lk.status,
                metrics=LinkMetrics(cost=lk.cost),
                a_interface=lk.a_interface,
                b_interface=lk.b_interface,
            )
        )
    carried: dict[tuple[str, str], set[str]] = defaultdict(set)  # (node, iface) -> links
    for lk, link in zip(parsed.links, links, strict=True):
        for end, iface in ((lk.a, lk.a_interface), (lk.b, lk.b_interface)):
            if iface:
                carried[(end, iface)].add(link.id)
    if parsed.allocations is not None:
        entries = [_global(a, community) for a in parsed.allocations]
    else:
        entries = _allocations(parsed.addresses, node_ids, carried, plan)
    ipam = AddressManager(plan, zones, parsed.pools)
    report = ipam.import_allocations(entries)
    conflicts = tuple(c.message for c in report.conflicts)
    model = NetworkModel(
        community=Community(community, name or parsed.label or community, licence=licence),
        address_plan=plan,
        zones=tuple(zones),
        nodes=tuple(nodes),
        links=tuple(links),
        pools=tuple(parsed.pools),
        allocations=report.accepted,
    )
    return BuildResult(model, tuple(warnings), conflicts)


def _global(a: Allocation, community: str) -> Allocation:
    """An allocation as our own export states it: node and link holders are local ids."""
    if a.holder_kind in (HolderKind.NODE, HolderKind.LINK) and ":" not in a.holder_id:
        return replace(a, holder_id=make_id(community, local_id(a.holder_id)))
    return a


def _allocations(
    addresses: list[ParsedAddress],
    node_ids: dict[str, str],
    carried: dict[tuple[str, str], set[str]],
    plan: AddressPlan,
) -> list[Allocation]:
    by_prefix: dict[str, list[ParsedAddress]] = defaultdict(list)
    for a in addresses:
        if a.node in node_ids:
            by_prefix[a.prefix].append(a)
    backbone = ipaddress.ip_network(plan.ipv4_backbone)
    out: list[Allocation] = []
    # In address order, not file order: which of two overlapping entries is refused
    # must not depend on how an export happened to order its nodes.
    ordered = sorted((ipaddress.ip_network(p), p) for p in by_prefix if "." in p)
    ordered += sorted((ipaddress.ip_network(p), p) for p in by_prefix if "." not in p)
    for net, prefix in ordered:
        seen = by_prefix[prefix]
        purpose = Purpose.IPV6 if net.version == 6 else (
            Purpose.BACKBONE if net.subnet_of(backbone) else Purpose.LAN  # type: ignore[arg-type]
        )
        holders = {a.node for a in seen}
        if len(holders) == 2 and net.max_prefixlen - net.prefixlen <= 2:
            # A point-to-point prefix whose two ends carry the same link: the link's.
            common = set.intersection(*(carried.get((a.node, a.interface), set()) for a in seen))
            if len(common) == 1:
                lid = common.pop()
                out.append(Allocation(prefix, purpose, HolderKind.LINK, lid, note="imported"))
                continue
        first = min(seen, key=lambda a: ipaddress.ip_address(a.address))
        out.append(
            Allocation(prefix, purpose, HolderKind.NODE, node_ids[first.node], note="imported")
        )
    return out
