"""Access tokens: generation, hashing, parsing. Pure: no store, no clock.

A token reads ``mc_<id>_<secret>``: the recognisable prefix ``mc_`` (so secret scanners
and people can tell it apart), the public token id (12 hex digits: it names the token in
listings and revocations), and 43 characters of ``secrets.token_urlsafe(32)`` (256 random
bits). Only the SHA-256 of the whole token is stored; a high-entropy secret needs no slow
password hash. Checking looks the row up by id and compares hashes with
:func:`hmac.compare_digest`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from topology.auth.principal import AccessRole, Principal

TOKEN_PREFIX = "mc_"
ID_HEX_DIGITS = 12
SECRET_BYTES = 32
_TOKEN_RE = re.compile(rf"^{TOKEN_PREFIX}([0-9a-f]{{{ID_HEX_DIGITS}}})_([A-Za-z0-9_-]{{20,128}})$")


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A stored token, without its secret (which is never stored)."""

    id: str
    role: AccessRole
    name: str  # account name (a volunteer's owner name) or a label
    zones: tuple[str, ...] = ()  # steward
    node_id: str | None = None  # agent
    note: str = ""
    created_at: datetime | None = None
    created_by: str | None = None  # id of the token that created it; None = bootstrap/CLI
    revoked_at: datetime | None = None

    @property
    def live(self) -> bool:
        return self.revoked_at is None

    def principal(self) -> Principal:
        return Principal(
            role=self.role,
            token_id=self.id,
            name=self.name,
            zones=frozenset(self.zones),
            node_id=self.node_id,
        )


def new_token_id() -> str:
    return secrets.token_hex(ID_HEX_DIGITS // 2)


def make_token(token_id: str) -> str:
    """A new random token text for ``token_id``."""
    return f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(SECRET_BYTES)}"


def hash_token(token: str) -> str:
    """Hex SHA-256 of the whole token text: what the store keeps."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_token(text: str) -> str | None:
    """The token id of a well-formed token text, else ``None``."""
    m = _TOKEN_RE.match(text)
    return m.group(1) if m else None


def hash_matches(token: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented token with a stored hash."""
    return hmac.compare_digest(hash_token(token), stored_hash)
