"""Persistence of federation: peers (with their last good feed) and the own feed revision.

* ``federation_peers``: one row per peer community: where it is, the pinned key
  fingerprint, the last accepted feed document (signed bytes, re-verified on load), its
  revision and ETag, and how the last poll went. A rejected feed never replaces it.
* ``federation_state``: a single row (id 1): the revision of this service's own feed
  and the digest of its content. The revision grows only when the content changes, so
  an unchanged feed keeps its revision and ETag across restarts.

Every function runs in its own transaction, committed before it returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Integer,
    LargeBinary,
    String,
    Text,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from topology.store.engine import transaction
from topology.store.errors import Conflict, NotFound
from topology.store.repository import Store
from topology.store.tables import Base, UTCDateTime


class FederationPeerRow(Base):
    __tablename__ = "federation_peers"

    community: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(Text)
    via: Mapped[str | None] = mapped_column(String(64))  # relayed by this peer (None: direct)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revision: Mapped[int | None] = mapped_column(Integer)
    feed: Mapped[bytes | None] = mapped_column(LargeBinary)
    etag: Mapped[str | None] = mapped_column(Text)
    last_sync: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last successful contact
    last_attempt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(16))  # ok, rejected, unreachable
    error: Mapped[str | None] = mapped_column(Text)


class FederationStateRow(Base):
    __tablename__ = "federation_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    revision: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(Text)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True, slots=True)
class PeerRecord:
    community: str
    url: str
    fingerprint: str
    added_at: datetime
    via: str | None = None
    revision: int | None = None
    feed: bytes | None = None
    etag: str | None = None
    last_sync: datetime | None = None
    last_attempt: datetime | None = None
    outcome: str | None = None
    error: str | None = None


def _record(row: FederationPeerRow) -> PeerRecord:
    return PeerRecord(
        community=row.community,
        url=row.url,
        fingerprint=row.fingerprint,
        added_at=row.added_at,
        via=row.via,
        revision=row.revision,
        feed=row.feed,
        etag=row.etag,
        last_sync=row.last_sync,
        last_attempt=row.last_attempt,
        outcome=row.outcome,
        error=row.error,
    )


def list_peers(store: Store) -> list[PeerRecord]:
    with transaction(store.engine, write=False) as conn:
        rows = conn.execute(select(FederationPeerRow).order_by(FederationPeerRow.community))
        return [_record(r) for r in rows]  # type: ignore[arg-type]


def get_peer(store: Store, community: str) -> PeerRecord:
    with transaction(store.engine, write=False) as conn:
        row = conn.execute(
            select(FederationPeerRow).where(FederationPeerRow.community == community)
        ).first()
    if row is None:
        raise NotFound(f"{community!r} is not a peer")
    return _record(row)  # type: ignore[arg-type]


def add_peer(
    store: Store,
    community: str,
    url: str,
    fingerprint: str,
    at: datetime,
    *,
    via: str | None = None,
) -> PeerRecord:
    """Add a peer (``via``: a feed relayed by that peer); :class:`Conflict` if the
    community is a direct peer already. A direct peer replaces a relayed one."""
    with transaction(store.engine, write=True) as conn:
        held = conn.execute(
            select(FederationPeerRow.via).where(FederationPeerRow.community == community)
        ).first()
        if held is not None and (held.via is None or via is not None):
            raise Conflict(f"{community} is a peer already (remove it first to change it)")
        if held is not None:
            conn.execute(delete(FederationPeerRow).where(FederationPeerRow.community == community))
        conn.execute(
            insert(FederationPeerRow).values(
                community=community, url=url, fingerprint=fingerprint, added_at=at, via=via
            )
        )
    return PeerRecord(community, url, fingerprint, at, via)


def remove_peer(store: Store, community: str) -> None:
    with transaction(store.engine, write=True) as conn:
        gone = conn.execute(
            delete(FederationPeerRow).where(FederationPeerRow.community == community)
        )
    if gone.rowcount == 0:
        raise NotFound(f"{community!r} is not a peer")


def record_poll(
    store: Store,
    community: str,
    *,
    at: datetime,
    outcome: str,
    error: str | None = None,
    reached: bool = False,
    feed: bytes | None = None,
    revision: int | None = None,
    etag: str | None = None,
) -> None:
    """Note how a poll went; ``reached`` sets ``last_sync``; a ``feed`` replaces the
    last good one (with its revision and ETag)."""
    values: dict[str, object] = {"last_attempt": at, "outcome": outcome, "error": error}
    if reached:
        values["last_sync"] = at
    if feed is not None:
        values.update(feed=feed, revision=revision, etag=etag)
    with transaction(store.engine, write=True) as conn:
        conn.execute(
            update(FederationPeerRow)
            .where(FederationPeerRow.community == community)
            .values(**values)
        )


def next_revision(store: Store, digest: str, at: datetime) -> tuple[int, datetime]:
    """The revision for content ``digest``: the same as now when unchanged, else one more
    (stored). Returns (revision, generated at)."""
    with transaction(store.engine, write=True) as conn:
        row = conn.execute(select(FederationStateRow).where(FederationStateRow.id == 1)).first()
        if row is None:
            conn.execute(
                insert(FederationStateRow).values(id=1, revision=1, digest=digest, generated_at=at)
            )
            return 1, at
        if row.digest == digest:
            return row.revision, row.generated_at
        revision = row.revision + 1
        conn.execute(
            update(FederationStateRow)
            .where(FederationStateRow.id == 1)
            .values(revision=revision, digest=digest, generated_at=at)
        )
        return revision, at
