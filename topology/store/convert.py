"""Domain objects to table rows (plain dicts), and the value checks on the way in."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from typing import Any

from topology.model import (
    ID_SEP,
    AddressPlan,
    Allocation,
    Community,
    Link,
    LinkMetrics,
    Node,
    Pool,
    Zone,
)
from topology.store.errors import InvalidValue

RowDict = dict[str, Any]


def utc(value: datetime | None, what: str) -> datetime | None:
    """``value`` in UTC; naive datetimes are refused (their instant is unknown)."""
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValue(f"{what}: datetime {value.isoformat()} has no timezone; use UTC")
    return value.astimezone(UTC)


def net_range(prefix: str) -> tuple[int, bytes, bytes]:
    """(family, first address, last address) of a network, addresses as 16-byte keys."""
    try:
        net = ipaddress.ip_network(prefix, strict=True)
    except ValueError as e:
        raise InvalidValue(f"{prefix!r} is not a network prefix: {e}") from None
    first = int(net.network_address).to_bytes(16, "big")
    last = int(net.broadcast_address).to_bytes(16, "big")
    return net.version, first, last


def local_end(end: str, community: str | None) -> str | None:
    """The FK value for a link end: the id when the node is ours, else None."""
    if community is None or end.partition(ID_SEP)[0] == community:
        return end
    return None


# --------------------------------------------------------------------------- to rows


def community_row(community: Community, plan: AddressPlan) -> RowDict:
    return {
        "id": 1,
        "slug": community.slug,
        "name": community.name,
        "url": community.url,
        "licence": community.licence,
        "ipv4_lan": plan.ipv4_lan,
        "ipv4_backbone": plan.ipv4_backbone,
        "ipv6_ula": plan.ipv6_ula,
        "lan_prefixlen": plan.lan_prefixlen,
        "p2p_prefixlen": plan.p2p_prefixlen,
        "zone_block_min_prefixlen": plan.zone_block_min_prefixlen,
        "zone_block_max_prefixlen": plan.zone_block_max_prefixlen,
        "ipv6_zone_prefixlen": plan.ipv6_zone_prefixlen,
        "ipv6_node_prefixlen": plan.ipv6_node_prefixlen,
        "holddown_s": plan.holddown_s,
    }


def zone_row(zone: Zone, seq: int) -> RowDict:
    box = zone.bbox
    return {
        "id": zone.id,
        "seq": seq,
        "name": zone.name,
        "parent_id": zone.parent_id,
        "min_lat": box.min_lat if box else None,
        "min_lon": box.min_lon if box else None,
        "max_lat": box.max_lat if box else None,
        "max_lon": box.max_lon if box else None,
        "dns_servers": list(zone.dns_servers),
        "ntp_servers": list(zone.ntp_servers),
    }


def node_row(node: Node, seq: int) -> RowDict:
    contact = node.contact
    return {
        "id": node.id,
        "seq": seq,
        "name": node.name,
        "zone_id": node.zone_id,
        "lat": node.position.lat,
        "lon": node.position.lon,
        "antenna_height_m": node.position.antenna_height_m,
        "status": node.status.value,
        "role": node.role.value,
        "gateway": node.gateway,
        "contact_name": contact.name if contact else None,
        "contact_email": contact.email if contact else None,
        "contact_phone": contact.phone if contact else None,
        "private_position": node.private_position,
        "owner": node.owner,
        "created": utc(node.created, f"node {node.id} created"),
        "updated": utc(node.updated, f"node {node.id} updated"),
    }


def device_rows(node: Node) -> list[RowDict]:
    return [
        {
            "node_id": node.id,
            "id": d.id,
            "idx": i,
            "name": d.name,
            "type": d.type.value,
            "model": d.model,
            "firmware": d.firmware,
            "status": d.status.value,
        }
        for i, d in enumerate(node.devices)
    ]


def interface_rows(node: Node) -> list[RowDict]:
    rows = []
    for d in node.devices:
        for i, f in enumerate(d.interfaces):
            r = f.radio
            rows.append(
                {
                    "node_id": node.id,
                    "device_id": d.id,
                    "idx": i,
                    "name": f.name,
                    "type": f.type.value,
                    "mac": f.mac,
                    "ipv4": f.ipv4,
                    "ipv6": f.ipv6,
                    "radio_mode": r.mode.value if r else None,
                    "ssid": r.ssid if r else None,
                    "channel": r.channel if r else None,
                    "frequency_mhz": r.frequency_mhz if r else None,
                    "protocol": r.protocol if r else None,
                    "antenna_gain_dbi": r.antenna_gain_dbi if r else None,
                    "azimuth_deg": r.azimuth_deg if r else None,
                }
            )
    return rows


def metrics_row(link_id: str, m: LinkMetrics) -> RowDict:
    return {
        "cost": m.cost,
        "rx_cost": m.rx_cost,
        "tx_cost": m.tx_cost,
        "signal_dbm": m.signal_dbm,
        "rate_mbps": m.rate_mbps,
        "last_seen": utc(m.last_seen, f"link {link_id} last_seen"),
    }


def link_row(link: Link, seq: int, community: str | None) -> RowDict:
    return {
        "id": link.id,
        "seq": seq,
        "a": link.a,
        "b": link.b,
        "a_node": local_end(link.a, community),
        "b_node": local_end(link.b, community),
        "type": link.type.value,
        "status": link.status.value,
        "a_interface": link.a_interface,
        "b_interface": link.b_interface,
        **metrics_row(link.id, link.metrics),
    }


def pool_row(pool: Pool) -> RowDict:
    family, first, last = net_range(pool.prefix)
    return {
        "prefix": pool.prefix,
        "purpose": pool.purpose.value,
        "zone_id": pool.zone_id,
        "family": family,
        "net_first": first,
        "net_last": last,
    }


def allocation_row(a: Allocation) -> RowDict:
    family, first, last = net_range(a.prefix)
    return {
        "prefix": a.prefix,
        "purpose": a.purpose.value,
        "holder_kind": a.holder_kind.value,
        "holder_id": a.holder_id,
        "pool": a.pool,
        "allocated_at": utc(a.allocated_at, f"allocation {a.prefix} allocated_at"),
        "released_at": utc(a.released_at, f"allocation {a.prefix} released_at"),
        "note": a.note,
        "family": family,
        "net_first": first,
        "net_last": last,
    }
