"""A buddy allocator over one pool prefix, for IPv4 or IPv6.

The pool is a sparse binary tree: a block is either a leaf (free, used or held down)
or split into two buddy halves. Only split blocks and their children are stored, so
an IPv6 /48 costs nothing until it is used. Every split block keeps a bit mask of the
free block sizes somewhere below it (bit ``d`` set = a free block ``d`` levels below
the pool exists), so:

* allocation takes the *smallest* free block that fits (best fit keeps big blocks
  whole), the lowest-addressed one of that size, and splits it down: O(address bits);
* release coalesces a freed block with its free buddy, repeatedly: O(address bits);
* neither looks at the other allocations, so cost does not grow with their number.

A block is keyed by its heap index: the pool is 1, the halves of block ``i`` are
``2i`` and ``2i + 1``, so the buddy is ``i ^ 1`` and the parent ``i >> 1``. Neighbouring
blocks get neighbouring ints, which spread evenly in a dict (network-based keys all
share their low bits and collide) and keep the hot path to shifts.

Released blocks are *held down* until an expiry and only then freed by
:meth:`BuddyPool.reclaim`; time is always passed in, never read here.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum

from topology.ipam.errors import AddressConflict, InvalidPrefix, OutsidePools, UnknownAllocation
from topology.ipam.prefix import BITS, format_prefix, parse_prefix


class BlockState(IntEnum):
    FREE = 0
    USED = 1
    HELD = 2  # released, waiting for its hold-down to expire


FREE, USED, HELD = BlockState.FREE, BlockState.USED, BlockState.HELD


@dataclass(frozen=True, slots=True)
class BuddyStats:
    """Address counts of one pool; ``total == used + held + free``."""

    total: int
    used: int
    held: int
    free: int
    largest_free: str | None  # the lowest-addressed of the biggest free blocks


class BuddyPool:
    """Free/used/held space of one pool prefix (``"10.0.0.0/8"``, ``"fd00::/48"``)."""

    def __init__(self, prefix: str) -> None:
        self.version, self.network, self.prefixlen = parse_prefix(prefix)
        self.bits = BITS[self.version]
        self.prefix = format_prefix(self.version, self.network, self.prefixlen)
        self._split: dict[int, int] = {}  # split block -> mask of free depths below it
        self._leaf: dict[int, BlockState] = {1: FREE}
        self._held: list[tuple[datetime, int]] = []  # heap of (expiry, block)
        self._until: dict[int, datetime] = {}  # held block -> its expiry
        self._used = 0
        self._held_addrs = 0

    # ------------------------------------------------------------------ queries

    def __repr__(self) -> str:
        return f"BuddyPool({self.prefix!r})"

    @property
    def has_free(self) -> bool:
        """Whether any free block is left (of any size)."""
        return self._mask(1) != 0

    def contains(self, prefix: str) -> bool:
        """Whether ``prefix`` lies inside this pool (the pool itself counts)."""
        version, network, plen = parse_prefix(prefix)
        return self.contains_net(version, network, plen)

    def contains_net(self, version: int, network: int, prefixlen: int) -> bool:
        if version != self.version or prefixlen < self.prefixlen or prefixlen > self.bits:
            return False
        shift = self.bits - self.prefixlen
        return network >> shift == self.network >> shift

    def stats(self) -> BuddyStats:
        total = 1 << (self.bits - self.prefixlen)
        held = self._held_addrs
        return BuddyStats(total, self._used, held, total - self._used - held, self._largest_free())

    def held_until(self, network: int, prefixlen: int) -> datetime | None:
        """Expiry of a held block, None if the block is not held."""
        return self._until.get(self._index(network, prefixlen))

    def blocks(self) -> Iterator[tuple[int, int, BlockState]]:
        """Every leaf block as ``(network, prefixlen, state)``, in address order."""
        return self._below(1)

    def overlaps_net(self, network: int, prefixlen: int) -> list[tuple[int, int, BlockState]]:
        """Used or held blocks that overlap a prefix inside the pool: O(bits + hits)."""
        target = self._index(network, prefixlen)
        depth = prefixlen - self.prefixlen
        for d in range(depth + 1):
            i = target >> (depth - d)
            state = self._leaf.get(i)
            if state is not None:
                return [] if state is FREE else [(*self._block(i), state)]
        return [(n, p, s) for n, p, s in self._below(target) if s is not FREE]

    # ------------------------------------------------------------------ changes

    def allocate(self, prefixlen: int) -> str | None:
        """Take a free /prefixlen (best fit, lowest address); None when none is free."""
        network = self.allocate_net(prefixlen)
        return None if network is None else format_prefix(self.version, network, prefixlen)

    def allocate_net(self, prefixlen: int) -> int | None:
        """Like :meth:`allocate`, returning the network as an int."""
        if not 0 <= prefixlen <= self.bits:
            raise InvalidPrefix(f"/{prefixlen}", f"IPv{self.version} lengths are 0..{self.bits}")
        depth = prefixlen - self.prefixlen
        if depth < 0:
            return None  # bigger than the whole pool
        fits = self._mask(1) & ((2 << depth) - 1)
        if not fits:
            return None
        level = fits.bit_length() - 1  # the smallest free block that is big enough
        want = 1 << level
        split, leaf = self._split, self._leaf
        i = 1
        for d in range(1, level + 1):  # the lowest free block at ``level``: left if it can
            i <<= 1
            mask = split.get(i)
            if mask is None:
                mask = 1 << d if leaf[i] is FREE else 0
            if not mask & want:
                i |= 1
        target = i << (depth - level)  # its first sub-block of the asked size
        self._split_down(i, target)
        self._used += 1 << (self.bits - prefixlen)
        return self.network + ((target - (1 << depth)) << (self.bits - prefixlen))

    def reserve(self, prefix: str) -> None:
        """Mark a given prefix used; raises AddressConflict naming what it overlaps."""
        version, network, plen = parse_prefix(prefix)
        self.reserve_net(version, network, plen)

    def reserve_net(self, version: int, network: int, prefixlen: int) -> None:
        if not self.contains_net(version, network, prefixlen):
            shown = format_prefix(version, network, prefixlen)
            raise OutsidePools(shown, f"pool {self.prefix}")
        hits = self.overlaps_net(network, prefixlen)
        if hits:
            raise AddressConflict(
                format_prefix(version, network, prefixlen),
                [f"{format_prefix(version, n, p)} ({s.name.lower()})" for n, p, s in hits],
                f"in pool {self.prefix}",
            )
        target = self._index(network, prefixlen)
        depth = prefixlen - self.prefixlen
        d = 0
        while (target >> (depth - d)) in self._split:
            d += 1
        self._split_down(target >> (depth - d), target)
        self._used += 1 << (self.bits - prefixlen)

    def release(self, prefix: str, now: datetime, holddown_s: float) -> datetime:
        """Hold a used prefix down until ``now + holddown_s``; returns that expiry."""
        _, network, plen = parse_prefix(prefix)
        return self.release_net(network, plen, now, holddown_s)

    def release_net(
        self, network: int, prefixlen: int, now: datetime, holddown_s: float
    ) -> datetime:
        i = self._index(network, prefixlen)
        if self._leaf.get(i) is not USED:
            raise UnknownAllocation(
                format_prefix(self.version, network, prefixlen), f"not in use in pool {self.prefix}"
            )
        if holddown_s <= 0:
            self.free_net(network, prefixlen)
            return now
        until = now + timedelta(seconds=holddown_s)
        size = 1 << (self.bits - prefixlen)
        self._leaf[i] = HELD
        self._used -= size
        self._held_addrs += size
        self._until[i] = until
        heapq.heappush(self._held, (until, i))
        return until

    def reclaim(self, now: datetime) -> list[tuple[int, int]]:
        """Free every held block whose hold-down has expired; returns them (network, len)."""
        freed: list[tuple[int, int]] = []
        while self._held and self._held[0][0] <= now:
            until, i = heapq.heappop(self._held)
            if self._until.get(i) != until:
                continue  # freed otherwise since it was queued
            network, plen = self._block(i)
            freed.append((network, plen))
            self.free_net(network, plen)
        return freed

    def next_expiry(self) -> datetime | None:
        """When the next held block becomes free (may be stale-early, never late)."""
        return self._held[0][0] if self._held else None

    def free_net(self, network: int, prefixlen: int) -> None:
        """Free a used or held block at once (no hold-down) and coalesce buddies."""
        i = self._index(network, prefixlen)
        state = self._leaf.get(i)
        if state is None or state is FREE:
            raise UnknownAllocation(
                format_prefix(self.version, network, prefixlen), f"not taken in pool {self.prefix}"
            )
        size = 1 << (self.bits - prefixlen)
        if state is HELD:
            self._held_addrs -= size
            del self._until[i]
        else:
            self._used -= size
        leaf = self._leaf
        leaf[i] = FREE
        while i > 1 and leaf.get(i ^ 1) is FREE:  # coalesce with the free buddy
            del leaf[i], leaf[i ^ 1]
            i >>= 1
            del self._split[i]
            leaf[i] = FREE
        self._refresh(i >> 1)

    # ------------------------------------------------------------------ internals

    def _index(self, network: int, prefixlen: int) -> int:
        depth = prefixlen - self.prefixlen
        return (1 << depth) | ((network - self.network) >> (self.bits - prefixlen))

    def _block(self, i: int) -> tuple[int, int]:
        """(network, prefixlen) of block ``i``."""
        depth = i.bit_length() - 1
        plen = self.prefixlen + depth
        return self.network + ((i - (1 << depth)) << (self.bits - plen)), plen

    def _mask(self, i: int) -> int:
        m = self._split.get(i)
        if m is not None:
            return m
        return 1 << (i.bit_length() - 1) if self._leaf[i] is FREE else 0

    def _split_down(self, i: int, target: int) -> None:
        """Split the free leaf ``i`` until its descendant ``target`` is a used leaf."""
        leaf = self._leaf
        del leaf[i]
        steps = target.bit_length() - i.bit_length()
        for k in range(steps - 1, -1, -1):  # the other half at each level stays free
            leaf[(target >> k) ^ 1] = FREE
        leaf[target] = USED
        self._refresh(target >> 1)

    def _refresh(self, i: int) -> None:
        """Recompute the free-depth masks from split block ``i`` up to the pool.

        Only one subtree changed, so once a stored mask comes out the same, every mask
        above it is unchanged too. Inlined: this is the hot loop of every change.
        """
        split, leaf = self._split, self._leaf
        while i:
            child_bit = 1 << i.bit_length()  # a free child, one level below ``i``
            left = split.get(2 * i)
            if left is None:
                left = child_bit if leaf[2 * i] is FREE else 0
            right = split.get(2 * i + 1)
            if right is None:
                right = child_bit if leaf[2 * i + 1] is FREE else 0
            mask = left | right
            if split.get(i) == mask:
                break
            split[i] = mask
            i >>= 1

    def _below(self, top: int) -> Iterator[tuple[int, int, BlockState]]:
        """Leaf blocks under block ``top`` (itself if a leaf), in address order."""
        stack = [top]
        while stack:
            i = stack.pop()
            if i in self._split:
                stack.extend((2 * i + 1, 2 * i))
            else:
                yield (*self._block(i), self._leaf[i])

    def _largest_free(self) -> str | None:
        mask = self._mask(1)
        if not mask:
            return None
        level = (mask & -mask).bit_length() - 1  # lowest depth = biggest block
        want = 1 << level
        i = 1
        for _ in range(level):
            i <<= 1
            if not self._mask(i) & want:
                i |= 1
        return format_prefix(self.version, *self._block(i))

    def verify(self) -> list[str]:
        """Check the tree's invariants (for tests); returns one message per problem."""
        problems: list[str] = []
        expected = self.network
        used = held = 0
        for n, p, state in self.blocks():
            size = 1 << (self.bits - p)
            if n != expected:
                problems.append(f"gap or overlap before {format_prefix(self.version, n, p)}")
            expected = n + size
            used += size if state is USED else 0
            held += size if state is HELD else 0
            i = self._index(n, p)
            if state is FREE and i > 1 and self._leaf.get(i ^ 1) is FREE:
                problems.append(f"free buddies not coalesced at {n}/{p}")
        if expected != self.network + (1 << (self.bits - self.prefixlen)):
            problems.append("blocks do not cover the pool")
        if (used, held) != (self._used, self._held_addrs):
            problems.append(f"counters {self._used},{self._held_addrs} != {used},{held}")
        for i, mask in self._split.items():
            if mask != self._mask(2 * i) | self._mask(2 * i + 1):
                problems.append(f"stale mask at block {i}")
        return problems
