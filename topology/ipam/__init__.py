"""Address management core: pure, in-memory, no I/O and no clock reads.

:class:`AddressManager` hands out LAN, backbone and IPv6 prefixes from hierarchical
pools (community, zone, node) over :class:`BuddyPool` allocators, holds released space
down before reuse, answers who holds an address, and imports existing allocations
with a precise conflict report.
"""

from topology.ipam.buddy import BlockState, BuddyPool, BuddyStats
from topology.ipam.errors import (
    AddressConflict,
    InvalidPrefix,
    IpamError,
    OutsidePools,
    PoolExhausted,
    UnknownAllocation,
    UnknownZone,
)
from topology.ipam.ledger import family
from topology.ipam.manager import AddressManager
from topology.ipam.prefix import (
    first_host,
    format_address,
    format_prefix,
    link_ends,
    parse_address,
    parse_prefix,
)
from topology.ipam.results import (
    AllocationResult,
    ConflictKind,
    ImportConflict,
    ImportReport,
    Overlap,
    OverlapKind,
    PoolUsage,
)

__all__ = [
    "AddressConflict",
    "AddressManager",
    "AllocationResult",
    "BlockState",
    "BuddyPool",
    "BuddyStats",
    "ConflictKind",
    "ImportConflict",
    "ImportReport",
    "InvalidPrefix",
    "IpamError",
    "OutsidePools",
    "Overlap",
    "OverlapKind",
    "PoolExhausted",
    "PoolUsage",
    "UnknownAllocation",
    "UnknownZone",
    "family",
    "first_host",
    "format_address",
    "format_prefix",
    "link_ends",
    "parse_address",
    "parse_prefix",
]
