"""Persistence of address management, under one lock.

:meth:`topology.store.Store.ipam_transaction` yields an :class:`IpamTransaction`: the
transaction is open and holds the address-management lock (``SELECT ... FOR UPDATE`` of
the ``ipam_state`` row on PostgreSQL; ``BEGIN IMMEDIATE``, the database write lock, on
SQLite) until the ``with`` block ends. It commits when the block ends normally and rolls
back when it raises. The allocation logic lives above this layer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import ParamSpec, TypeVar

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.engine import Engine

from topology.model import Allocation, Pool
from topology.store import bulk, convert, readers
from topology.store.engine import translate_errors
from topology.store.errors import Conflict, NotFound, StoreError
from topology.store.tables import AllocationRow, PoolRow

P = ParamSpec("P")
T = TypeVar("T")


def _guarded(method: Callable[P, T]) -> Callable[P, T]:
    """Refuse use after the block, and translate driver errors at the call."""

    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        self = args[0]
        assert isinstance(self, IpamTransaction)
        if self._closed:
            raise StoreError("this ipam_transaction has ended; open a new one")
        with translate_errors(self._engine):
            return method(*args, **kwargs)

    wrapper.__name__ = method.__name__
    wrapper.__doc__ = method.__doc__
    return wrapper


class IpamTransaction:
    """Address-management reads and writes inside one locked transaction."""

    def __init__(self, conn: Connection, engine: Engine) -> None:
        self._conn = conn
        self._engine = engine
        self._closed = False
        self._version = bulk.lock_ipam(conn)

    @property
    def version(self) -> int:
        """The ``ipam_state`` version: as read when the lock was taken, or as last bumped."""
        return self._version

    @_guarded
    def load_pools(self) -> list[Pool]:
        rows = self._conn.execute(select(PoolRow).order_by(PoolRow.id)).all()
        return [readers.pool_from(r) for r in rows]

    @_guarded
    def load_allocations(self, include_released: bool = True) -> list[Allocation]:
        """Allocations in the order they were added; held-down ones too unless told."""
        q = select(*readers.ALLOCATION_COLUMNS).order_by(AllocationRow.id)
        if not include_released:
            q = q.where(AllocationRow.released_at.is_(None))
        return [readers.allocation_from(r) for r in self._conn.execute(q).all()]

    @_guarded
    def overlapping(self, prefix: str, include_released: bool = False) -> list[Allocation]:
        """Allocations whose network overlaps ``prefix`` (an indexed range query)."""
        family, first, last = convert.net_range(prefix)
        q = (
            select(*readers.ALLOCATION_COLUMNS)
            .where(
                AllocationRow.family == family,
                AllocationRow.net_first <= last,
                AllocationRow.net_last >= first,
            )
            .order_by(AllocationRow.id)
        )
        if not include_released:
            q = q.where(AllocationRow.released_at.is_(None))
        return [readers.allocation_from(r) for r in self._conn.execute(q).all()]

    @_guarded
    def add_pools(self, pools: Iterable[Pool]) -> None:
        """Add pools; a prefix that already is a pool raises :class:`Conflict`."""
        rows = [convert.pool_row(p) for p in pools]
        if rows:
            with self._conn.begin_nested():
                self._conn.execute(insert(PoolRow), rows)

    @_guarded
    def add_allocation(self, allocation: Allocation) -> None:
        """Record an allocation. A network that is already live raises :class:`Conflict`;
        the transaction stays usable after it (the insert runs in a savepoint)."""
        row = convert.allocation_row(allocation)
        try:
            with translate_errors(self._engine), self._conn.begin_nested():
                self._conn.execute(insert(AllocationRow), [row])
        except Conflict:
            raise Conflict(f"{allocation.prefix} is already allocated (live)") from None

    @_guarded
    def mark_released(self, prefix: str, released_at: datetime) -> None:
        """Start the hold-down of the live allocation of ``prefix``."""
        family, first, last = convert.net_range(prefix)
        result = self._conn.execute(
            update(AllocationRow)
            .where(
                AllocationRow.family == family,
                AllocationRow.net_first == first,
                AllocationRow.net_last == last,
                AllocationRow.released_at.is_(None),
            )
            .values(released_at=convert.utc(released_at, f"release of {prefix}"))
        )
        if result.rowcount == 0:
            raise NotFound(f"{prefix} has no live allocation")

    @_guarded
    def delete_allocation(self, prefix: str, *, live: bool | None = None) -> int:
        """Forget the allocations of ``prefix``: all of them (``live=None``), only the live
        one (``True``) or only the held-down ones (``False``). Returns how many."""
        family, first, last = convert.net_range(prefix)
        q = delete(AllocationRow).where(
            AllocationRow.family == family,
            AllocationRow.net_first == first,
            AllocationRow.net_last == last,
        )
        if live is True:
            q = q.where(AllocationRow.released_at.is_(None))
        elif live is False:
            q = q.where(AllocationRow.released_at.is_not(None))
        count = self._conn.execute(q).rowcount
        if count == 0:
            raise NotFound(f"{prefix} has no allocation to delete")
        return count

    @_guarded
    def bump_version(self) -> int:
        """Increment the version (tells other processes' caches to reload); returns it."""
        self._version = bulk.bump_ipam(self._conn)
        return self._version

    def _close(self) -> None:
        self._closed = True
