"""Permission rules: pure functions over (principal, action, target).

A :class:`Target` describes what an action touches, as plain data the caller looks up
first: the zone chain of the thing (its zone followed by the zone's ancestors, see
:func:`topology.model.zone_ancestry`), the owner account of a node, a node id, a token's
creator. The rules:

* ``admin`` may do everything.
* Anyone (public included) may ``READ``.
* ``steward``: zones, nodes, links, addresses and alerts whose zone chain meets one of
  their zones (so a zone's steward also stewards its sub-zones); creates agent tokens
  for nodes there.
* ``volunteer``: registers nodes; changes, retires and allocates addresses for nodes
  whose ``owner`` is their account name; moves their node's status only between Planned
  and Reserved; adds links from their nodes; creates agent tokens for their nodes.
* ``agent``: posts reports for its own node only.
* Tokens: a non-admin may list and revoke the tokens they created, and revoke their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from topology.auth.principal import AccessRole, Principal
from topology.model import Status


class Action(StrEnum):
    READ = "read"
    SEE_PRIVATE = "see_private"  # a node's contact, owner and exact position
    ZONE_CREATE = "zone.create"  # target: the parent's chain
    ZONE_WRITE = "zone.write"  # target: the zone's chain
    NODE_CREATE = "node.create"  # target: the zone's chain
    NODE_WRITE = "node.write"  # change fields
    NODE_PLAN = "node.plan"  # status change between Planned and Reserved only
    NODE_STATUS = "node.status"  # any other status change
    NODE_RETIRE = "node.retire"
    NODE_SET_OWNER = "node.set_owner"
    LINK_CREATE = "link.create"  # target: one end (allowed if either end allows)
    LINK_WRITE = "link.write"
    ADDRESS_ALLOCATE = "address.allocate"
    ADDRESS_RELEASE = "address.release"
    ALERT_ACK = "alert.ack"
    REPORT_POST = "report.post"  # target: node_id
    TOKEN_CREATE = "token.create"  # admin, steward and volunteer tokens: admin only
    TOKEN_CREATE_AGENT = "token.create_agent"  # target: the node
    TOKEN_LIST = "token.list"  # all tokens: admin only (others see their own)
    TOKEN_REVOKE = "token.revoke"  # target: token_id, created_by


#: Planned and Reserved: the statuses an owner may move their node between.
PLANNING = frozenset({Status.PLANNED, Status.RESERVED})


@dataclass(frozen=True, slots=True)
class Target:
    """What an action touches; fields that do not apply stay empty."""

    zones: tuple[str, ...] = ()  # zone chain: the zone, then its ancestors
    owner: str = ""  # owner account of the node
    node_id: str | None = None
    token_id: str | None = None
    created_by: str | None = None  # id of the token that created the target token


NOTHING = Target()

_ZONE_ACTIONS = frozenset(
    {
        Action.SEE_PRIVATE,
        Action.ZONE_CREATE,
        Action.ZONE_WRITE,
        Action.NODE_CREATE,
        Action.NODE_WRITE,
        Action.NODE_PLAN,
        Action.NODE_STATUS,
        Action.NODE_RETIRE,
        Action.NODE_SET_OWNER,
        Action.LINK_CREATE,
        Action.LINK_WRITE,
        Action.ADDRESS_ALLOCATE,
        Action.ADDRESS_RELEASE,
        Action.ALERT_ACK,
        Action.TOKEN_CREATE_AGENT,
    }
)
_OWNER_ACTIONS = frozenset(
    {
        Action.SEE_PRIVATE,
        Action.NODE_WRITE,
        Action.NODE_PLAN,
        Action.NODE_RETIRE,
        Action.LINK_CREATE,
        Action.ADDRESS_ALLOCATE,
        Action.TOKEN_CREATE_AGENT,
    }
)


def in_zones(principal: Principal, target: Target) -> bool:
    """The target's zone chain meets one of the principal's zones."""
    return bool(principal.zones) and not principal.zones.isdisjoint(target.zones)


def owns(principal: Principal, target: Target) -> bool:
    """The principal is the owner of the target node (an empty owner belongs to nobody)."""
    return bool(principal.name) and principal.name == target.owner


def allowed(principal: Principal, action: Action, target: Target = NOTHING) -> bool:
    """May ``principal`` do ``action`` to ``target``? (The rules are in the module doc.)"""
    role = principal.role
    if action is Action.READ or role is AccessRole.ADMIN:
        return True
    if action is Action.TOKEN_REVOKE:
        mine = principal.token_id is not None
        return mine and principal.token_id in (target.token_id, target.created_by)
    if role is AccessRole.STEWARD:
        return action in _ZONE_ACTIONS and in_zones(principal, target)
    if role is AccessRole.VOLUNTEER:
        if action is Action.NODE_CREATE:
            return True
        return action in _OWNER_ACTIONS and owns(principal, target)
    if role is AccessRole.AGENT:
        return action is Action.REPORT_POST and principal.node_id == target.node_id
    return False


def allowed_any(principal: Principal, action: Action, targets: Iterable[Target]) -> bool:
    """``allowed`` for at least one of ``targets`` (e.g. either end of a link); with no
    targets at all, as for :data:`NOTHING` (so only an admin)."""
    return any(allowed(principal, action, t) for t in (list(targets) or [NOTHING]))


def status_action(old: Status, new: Status) -> Action:
    """The action a status change needs: ``NODE_PLAN`` between Planned and Reserved
    (and for no change within them), ``NODE_STATUS`` otherwise."""
    return Action.NODE_PLAN if old in PLANNING and new in PLANNING else Action.NODE_STATUS
