"""Checks of the address sections (plan, pools, allocations): pure, message lists."""

from __future__ import annotations

import ipaddress

from topology.model import AddressPlan, Purpose


def plan_problems(plan: AddressPlan) -> list[tuple[str, str]]:
    """(field, message) for each inconsistency of an address plan."""
    out: list[tuple[str, str]] = []
    for key, version in (("ipv4_lan", 4), ("ipv4_backbone", 4), ("ipv6_ula", 6)):
        value = getattr(plan, key)
        if ipaddress.ip_network(value).version != version:
            out.append((key, f"{value!r} is not an IPv{version} prefix"))
    if not plan.zone_block_max_prefixlen <= plan.zone_block_min_prefixlen <= plan.lan_prefixlen:
        out.append(
            (
                "zone_block_min_prefixlen",
                "need zone_block_max_prefixlen <= zone_block_min_prefixlen <= lan_prefixlen",
            )
        )
    if plan.ipv6_zone_prefixlen > plan.ipv6_node_prefixlen:
        out.append(("ipv6_zone_prefixlen", "must not be longer than ipv6_node_prefixlen"))
    return out


def purpose_problem(prefix: str, purpose: Purpose) -> str | None:
    """A message when the prefix's IP version does not fit the purpose."""
    version = ipaddress.ip_network(prefix).version
    want = 6 if purpose is Purpose.IPV6 else 4
    if version != want:
        return f"{prefix} is IPv{version}, but purpose {purpose.value!r} takes IPv{want}"
    return None
