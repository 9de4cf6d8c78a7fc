"""Parsing and formatting of prefixes at the edges; the core works on plain ints.

A prefix inside the core is ``(version, network, prefixlen)`` with ``network`` an int.
netaddr does the text work, so every accepted spelling is normalised the same way.
"""

from __future__ import annotations

import netaddr

from topology.ipam.errors import InvalidPrefix

PKey = tuple[int, int, int]  # (ip version, network as int, prefix length)

BITS = {4: 32, 6: 128}


def parse_prefix(text: str) -> PKey:
    """``"10.1.2.32/27"`` -> ``(4, 167838240, 27)``; host bits must be zero."""
    if "/" not in text:
        raise InvalidPrefix(text, "a prefix needs a length, e.g. 10.1.2.32/27")
    try:
        net = netaddr.IPNetwork(text)
    except (netaddr.AddrFormatError, ValueError, TypeError) as exc:
        raise InvalidPrefix(text, f"not an IPv4 or IPv6 prefix ({exc})") from None
    value, plen, version = int(net.value), int(net.prefixlen), int(net.version)
    network = int(net.first)
    if value != network:
        raise InvalidPrefix(
            text, f"host bits are set; the network is {format_prefix(version, network, plen)}"
        )
    return version, network, plen


def parse_address(text: str) -> tuple[int, int]:
    """``"10.1.2.33"`` (or interface notation ``"10.1.2.33/27"``) -> ``(4, int)``."""
    addr = text.partition("/")[0]
    try:
        ip = netaddr.IPAddress(addr)
    except (netaddr.AddrFormatError, ValueError, TypeError) as exc:
        raise InvalidPrefix(text, f"not an IPv4 or IPv6 address ({exc})") from None
    return int(ip.version), int(ip)


def format_prefix(version: int, network: int, prefixlen: int) -> str:
    return str(netaddr.IPNetwork((network, prefixlen), version=version))


def format_address(version: int, address: int) -> str:
    return str(netaddr.IPAddress(address, version))


def prefix_size(version: int, prefixlen: int) -> int:
    """Number of addresses in a prefix of this length."""
    return 1 << (BITS[version] - prefixlen)


def contains(outer: PKey, inner: PKey) -> bool:
    """Whether ``inner`` lies inside ``outer`` (equal counts)."""
    if outer[0] != inner[0] or inner[2] < outer[2]:
        return False
    shift = BITS[outer[0]] - outer[2]
    return inner[1] >> shift == outer[1] >> shift


def overlaps(a: PKey, b: PKey) -> bool:
    """Prefixes either nest or are disjoint, so overlap means one contains the other."""
    return contains(a, b) or contains(b, a)


def first_host(prefix: str) -> str:
    """The address the device takes: base+1, or the base for a /31, /32, /127 or /128."""
    version, network, plen = parse_prefix(prefix)
    if BITS[version] - plen <= 1:
        return format_address(version, network)
    return format_address(version, network + 1)


def link_ends(prefix: str) -> tuple[str, str]:
    """The two ends of a point-to-point prefix: base+1 and base+2, or both of a /31."""
    version, network, plen = parse_prefix(prefix)
    host_bits = BITS[version] - plen
    if host_bits == 0:
        raise InvalidPrefix(prefix, "a single address cannot hold both ends of a link")
    if host_bits == 1:  # RFC 3021: no network or broadcast address on a /31
        return format_address(version, network), format_address(version, network + 1)
    return format_address(version, network + 1), format_address(version, network + 2)
