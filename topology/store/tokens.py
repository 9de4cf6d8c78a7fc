"""Persistence of access tokens: only their SHA-256 hashes are stored.

The ``tokens`` table sits on the store's :class:`~topology.store.tables.Base` (so the
migration check sees it; migration ``0002_tokens`` creates it). :class:`TokenStore`
works on the store's engine, each method in its own committed transaction::

    tokens = TokenStore(store.engine)
    info, secret = tokens.create(AccessRole.ADMIN, "alice", now=now)  # secret: shown once
    tokens.authenticate(secret)   # -> TokenInfo, or None if unknown, wrong or revoked
    tokens.revoke(info.id, now=now)

An agent token is bound to one node, and a node has at most one live agent token (a
partial unique index enforces it on both backends).

Revocations are counted (:func:`revocations`, process-wide, after each revoking commit),
so a cache of checked tokens can tell that it may be stale: the reports route keeps
agent principals a while (:class:`topology.api.reports.AgentCache`) and checks again
once the count moved, so a revoked token is refused at once.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text, insert, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapped, mapped_column

from topology.auth.principal import AccessRole
from topology.auth.tokens import TokenInfo, hash_matches, hash_token, make_token, new_token_id
from topology.auth.tokens import parse_token as parse_token_id
from topology.store.engine import transaction
from topology.store.errors import Conflict, InvalidValue, NotFound
from topology.store.tables import ENUM_LEN, Base, UTCDateTime

LIVE_TOKEN = text("revoked_at IS NULL")

_revocations = 0
_revocations_lock = threading.Lock()


def revocations() -> int:
    """How many revocations this process has committed (through any :class:`TokenStore`).

    A cache of tokens read from the store reads this *before* reading a token, keeps it
    with the token, and trusts the token only while it is unchanged: a revocation
    increments it after its commit, so any token read before that commit is re-read.
    """
    return _revocations


def _revoked() -> None:
    global _revocations
    with _revocations_lock:
        _revocations += 1


class TokenRow(Base):
    __tablename__ = "tokens"
    __table_args__ = (
        # One live agent token per node (NULL node ids never collide).
        Index(
            "uq_tokens_live_node",
            "node_id",
            unique=True,
            postgresql_where=LIVE_TOKEN,
            sqlite_where=LIVE_TOKEN,
        ),
    )

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    token_hash: Mapped[str] = mapped_column(Text, unique=True)
    role: Mapped[str] = mapped_column(String(ENUM_LEN))
    name: Mapped[str] = mapped_column(Text)
    zones: Mapped[list[str]] = mapped_column(JSON)
    node_id: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str | None] = mapped_column(Text)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def _info(row: Any) -> TokenInfo:
    return TokenInfo(
        id=row.id,
        role=AccessRole(row.role),
        name=row.name,
        zones=tuple(row.zones or ()),
        node_id=row.node_id,
        note=row.note,
        created_at=row.created_at,
        created_by=row.created_by,
        revoked_at=row.revoked_at,
    )


class TokenStore:
    """Tokens of one store (thread-safe, like the engine)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _tx(self, write: bool) -> AbstractContextManager[Connection]:
        return transaction(self._engine, write)

    def create(
        self,
        role: AccessRole,
        name: str,
        *,
        now: datetime,
        zones: Sequence[str] = (),
        node_id: str | None = None,
        note: str = "",
        created_by: str | None = None,
        replace: bool = False,
    ) -> tuple[TokenInfo, str]:
        """Store a new token; returns it and its secret text (the only time it exists).

        An agent token needs ``node_id``; if the node already has a live agent token,
        that is a :class:`Conflict` unless ``replace`` (which revokes the old one).
        """
        role = AccessRole(role)
        if role is AccessRole.PUBLIC:
            raise InvalidValue("a public principal has no token")
        if (role is AccessRole.AGENT) != (node_id is not None):
            raise InvalidValue("an agent token needs a node, and only an agent token has one")
        token_id = new_token_id()
        secret = make_token(token_id)
        values = {
            "id": token_id,
            "token_hash": hash_token(secret),
            "role": role.value,
            "name": name,
            "zones": list(zones),
            "node_id": node_id,
            "note": note,
            "created_at": now,
            "created_by": created_by,
            "revoked_at": None,
        }
        replaced = False
        with self._tx(write=True) as conn:
            if node_id is not None:
                old = conn.execute(
                    select(TokenRow.id).where(TokenRow.node_id == node_id, LIVE_TOKEN)
                ).scalar_one_or_none()
                if old is not None and not replace:
                    raise Conflict(
                        f"node {node_id} already has a live agent token ({old}): revoke it "
                        "first, or ask to replace it"
                    )
                if old is not None:
                    conn.execute(update(TokenRow).where(TokenRow.id == old).values(revoked_at=now))
                    replaced = True
            conn.execute(insert(TokenRow).values(**values))
            row = conn.execute(select(TokenRow.__table__).where(TokenRow.id == token_id)).one()
        if replaced:
            _revoked()  # committed: the replaced token is dead from now on
        return _info(row), secret

    def authenticate(self, token: str) -> TokenInfo | None:
        """The live token ``token`` names, or ``None`` (malformed, unknown, wrong, revoked)."""
        token_id = parse_token_id(token)
        if token_id is None:
            return None
        with self._tx(write=False) as conn:
            row = conn.execute(
                select(TokenRow.__table__).where(TokenRow.id == token_id)
            ).one_or_none()
        if row is None or not hash_matches(token, row.token_hash) or row.revoked_at is not None:
            return None
        return _info(row)

    def get(self, token_id: str) -> TokenInfo:
        with self._tx(write=False) as conn:
            row = conn.execute(
                select(TokenRow.__table__).where(TokenRow.id == token_id)
            ).one_or_none()
        if row is None:
            raise NotFound(f"token {token_id!r} does not exist")
        return _info(row)

    def list(self, *, created_by: str | None = None, live_only: bool = False) -> list[TokenInfo]:
        """Tokens, oldest first; only those made by token ``created_by`` when given."""
        query = select(TokenRow.__table__).order_by(TokenRow.created_at, TokenRow.id)
        if created_by is not None:
            query = query.where(TokenRow.created_by == created_by)
        if live_only:
            query = query.where(LIVE_TOKEN)
        with self._tx(write=False) as conn:
            return [_info(r) for r in conn.execute(query)]

    def revoke(self, token_id: str, *, now: datetime) -> TokenInfo:
        """Revoke a token (revoking a revoked one changes nothing); returns it."""
        with self._tx(write=True) as conn:
            conn.execute(
                update(TokenRow).where(TokenRow.id == token_id, LIVE_TOKEN).values(revoked_at=now)
            )
            row = conn.execute(
                select(TokenRow.__table__).where(TokenRow.id == token_id)
            ).one_or_none()
        _revoked()  # committed (or nothing to revoke): caches must read tokens again
        if row is None:
            raise NotFound(f"token {token_id!r} does not exist")
        return _info(row)

    def has_live_admin(self) -> bool:
        query = select(TokenRow.id).where(TokenRow.role == AccessRole.ADMIN.value, LIVE_TOKEN)
        with self._tx(write=False) as conn:
            return conn.execute(query.limit(1)).first() is not None
