"""Errors of the address manager: each says what failed, where, and why."""

from __future__ import annotations

from collections.abc import Sequence


class IpamError(Exception):
    """Base of every address-management error."""


class InvalidPrefix(IpamError, ValueError):
    """A prefix or address text cannot be used (unparseable, host bits set, wrong size...)."""

    def __init__(self, text: str, why: str) -> None:
        self.text = text
        self.why = why
        super().__init__(f"invalid prefix {text!r}: {why}")


class PoolExhausted(IpamError):
    """No free block of the asked size in the zone, its ancestors, or the community pool."""

    def __init__(
        self, zone_id: str | None, purpose: str, prefixlen: int, searched: Sequence[str]
    ) -> None:
        self.zone_id = zone_id
        self.purpose = purpose
        self.prefixlen = prefixlen
        self.searched = tuple(searched)
        where = f"zone {zone_id!r}" if zone_id is not None else "the community pools"
        tried = ", ".join(self.searched) or "none exist"
        super().__init__(
            f"no free /{prefixlen} {purpose} block for {where}: searched {tried}; "
            "free space or add a pool to the address plan"
        )


class AddressConflict(IpamError):
    """A prefix overlaps space that is already taken; names both parties."""

    def __init__(self, prefix: str, parties: Sequence[str], context: str = "") -> None:
        self.prefix = prefix
        self.parties = tuple(parties)
        where = f" ({context})" if context else ""
        super().__init__(f"{prefix}{where} overlaps {'; '.join(self.parties) or 'taken space'}")


class OutsidePools(IpamError):
    """A prefix lies outside every pool of its purpose."""

    def __init__(self, prefix: str, purpose: str, detail: str = "") -> None:
        self.prefix = prefix
        self.purpose = purpose
        extra = f"; {detail}" if detail else ""
        super().__init__(f"{prefix} lies outside every {purpose} pool{extra}")


class UnknownAllocation(IpamError):
    """No live allocation has this exact prefix."""

    def __init__(self, prefix: str, why: str = "no live allocation has this prefix") -> None:
        self.prefix = prefix
        super().__init__(f"cannot release {prefix}: {why}")


class UnknownZone(IpamError):
    """The zone id is not in the zone tree the manager was built with."""

    def __init__(self, zone_id: str) -> None:
        self.zone_id = zone_id
        super().__init__(f"zone {zone_id!r} is unknown to the address manager")
