"""Typed results of the address manager: allocation results, pool usage, import reports."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from topology.model import Allocation, Pool


@dataclass(frozen=True, slots=True)
class AllocationResult:
    """A new allocation, plus the blocks its zone borrowed to make it (to persist)."""

    allocation: Allocation
    new_pools: tuple[Pool, ...] = ()

    @property
    def prefix(self) -> str:
        return self.allocation.prefix


@dataclass(frozen=True, slots=True)
class PoolUsage:
    """Address counts of one pool: ``total == allocated + delegated + held + free``.

    ``delegated`` is space lent to zones as their own pools (blocks nested in this one);
    ``largest_free`` is the lowest-addressed of the biggest free blocks, or None.
    """

    pool: Pool
    total: int
    allocated: int
    delegated: int
    held: int
    free: int
    largest_free: str | None

    @property
    def largest_free_prefixlen(self) -> int | None:
        return None if self.largest_free is None else int(self.largest_free.rsplit("/", 1)[1])


class ConflictKind(StrEnum):
    INVALID = "invalid"  # unparseable prefix, host bits set, or wrong IP family for purpose
    OUTSIDE_POOLS = "outside-pools"  # not inside any pool of its purpose
    OVERLAP = "overlap"  # overlaps taken space


class OverlapKind(StrEnum):
    ALLOCATION = "allocation"  # a live allocation that existed before the import
    HELD = "held"  # a released allocation still in its hold-down
    IMPORTED = "imported"  # an entry accepted earlier in the same import
    ZONE_BLOCK = "zone-block"  # a zone's pool, i.e. space lent to a zone


@dataclass(frozen=True, slots=True)
class Overlap:
    """One party an imported entry overlaps."""

    kind: OverlapKind
    prefix: str
    allocation: Allocation | None = None  # for ALLOCATION, HELD and IMPORTED
    pool: Pool | None = None  # for ZONE_BLOCK
    import_index: int | None = None  # for IMPORTED: index of the earlier entry
    description: str = ""


@dataclass(frozen=True, slots=True)
class ImportConflict:
    """An entry that was not stored, and why."""

    index: int  # position of the entry in the imported sequence
    entry: Allocation
    kind: ConflictKind
    message: str
    overlaps: tuple[Overlap, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportReport:
    """Outcome of an import: stored entries (normalised), conflicts, exact repeats."""

    accepted: tuple[Allocation, ...]
    conflicts: tuple[ImportConflict, ...]
    already_present: tuple[Allocation, ...] = ()  # repeats of stored allocations: no-op

    @property
    def ok(self) -> bool:
        return not self.conflicts

    def messages(self) -> list[str]:
        return [c.message for c in self.conflicts]
