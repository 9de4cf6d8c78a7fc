"""Access control, pure: roles, principals, permission rules and token texts.

* :mod:`topology.auth.principal`: :class:`AccessRole`, :class:`Principal`, :data:`PUBLIC`
* :mod:`topology.auth.permissions`: :class:`Action`, :class:`Target`, :func:`allowed`,
  :func:`allowed_any`, :func:`status_action`
* :mod:`topology.auth.tokens`: token generation (``mc_<id>_<secret>``), SHA-256 hashing,
  constant-time checks, :class:`TokenInfo`

Tokens are kept by :mod:`topology.store.tokens`; the HTTP layer
(:mod:`topology.api.deps`) turns an ``Authorization: Bearer`` header into a principal.
"""

from topology.auth.permissions import (
    NOTHING,
    PLANNING,
    Action,
    Target,
    allowed,
    allowed_any,
    in_zones,
    owns,
    status_action,
)
from topology.auth.principal import PUBLIC, AccessRole, Principal
from topology.auth.tokens import (
    TOKEN_PREFIX,
    TokenInfo,
    hash_matches,
    hash_token,
    make_token,
    new_token_id,
    parse_token,
)

__all__ = [
    "NOTHING",
    "PLANNING",
    "PUBLIC",
    "TOKEN_PREFIX",
    "AccessRole",
    "Action",
    "Principal",
    "Target",
    "TokenInfo",
    "allowed",
    "allowed_any",
    "hash_matches",
    "hash_token",
    "in_zones",
    "make_token",
    "new_token_id",
    "owns",
    "parse_token",
    "status_action",
]
