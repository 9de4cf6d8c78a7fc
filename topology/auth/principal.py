"""Who is asking: access roles and the principal a request acts as.

A principal is what a token resolves to (or :data:`PUBLIC` without one). It carries
everything the permission rules need, so checking a permission is a pure function of
(principal, action, target): see :mod:`topology.auth.permissions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AccessRole(StrEnum):
    """What a token lets its holder do (``public`` = no token)."""

    ADMIN = "admin"  # everything, including tokens
    STEWARD = "steward"  # zones, nodes, links, addresses inside their zones and sub-zones
    VOLUNTEER = "volunteer"  # registers nodes (becomes their owner), changes only those
    AGENT = "agent"  # posts reports for its one node
    PUBLIC = "public"  # reads public data only


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of a request.

    * ``token_id``: the id of the token used (``None`` for public);
    * ``name``: the account name; for a volunteer it is the owner name written into
      :attr:`topology.model.Node.owner` of the nodes they register;
    * ``zones``: a steward's zones (each includes its sub-zones);
    * ``node_id``: an agent's node.
    """

    role: AccessRole
    token_id: str | None = None
    name: str = ""
    zones: frozenset[str] = frozenset()
    node_id: str | None = None

    @property
    def is_public(self) -> bool:
        return self.role is AccessRole.PUBLIC

    @property
    def is_admin(self) -> bool:
        return self.role is AccessRole.ADMIN


PUBLIC = Principal(AccessRole.PUBLIC)
