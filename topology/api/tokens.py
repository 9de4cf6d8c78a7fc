"""Access tokens: create (the secret is shown once), list (never secrets), revoke.

Admins manage every token. Stewards create agent tokens for nodes in their zones and
volunteers for their own nodes; a non-admin lists and revokes the tokens they created,
and may revoke their own. A revoked token answers 401 from then on.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, status

from topology.api.deps import (
    API_PREFIX,
    NetworkDep,
    PrincipalDep,
    TokensDep,
    authorize,
    deny,
    known_node,
    node_target,
)
from topology.api.errors import ApiError, invalid, not_found
from topology.api.schemas import TokenCreated, TokenIn, TokenOut
from topology.auth import AccessRole, Action, Principal, Target, TokenInfo, allowed
from topology.store import NotFound
from topology.store.tokens import TokenStore

router = APIRouter(prefix=API_PREFIX, tags=["tokens"])


@router.post("/tokens", response_model=TokenCreated, status_code=status.HTTP_201_CREATED)
def create_token(
    body: TokenIn, network: NetworkDep, tokens: TokensDep, principal: PrincipalDep
) -> TokenCreated:
    """Create a token. The response holds its secret (``token``): the only time it is
    shown; only its hash is stored. An agent token is bound to one node, and a node has
    one live agent token (``replace: true`` revokes the current one)."""
    role = AccessRole(body.role)
    node_id = None
    if role is AccessRole.AGENT:
        if body.node is None:
            raise invalid("an agent token needs its node", ("body", "node"))
        try:
            node = known_node(network, body.node)
        except ApiError as e:
            raise invalid(e.message, ("body", "node")) from None
        node_id = node.id
        authorize(principal, Action.TOKEN_CREATE_AGENT, node_target(network, node))
    else:
        authorize(principal, Action.TOKEN_CREATE)
        if body.node is not None:
            raise invalid("only an agent token has a node", ("body", "node"))
    if role is AccessRole.STEWARD and not body.zones:
        raise invalid("a steward token needs at least one zone", ("body", "zones"))
    if role is not AccessRole.STEWARD and body.zones:
        raise invalid("only a steward token has zones", ("body", "zones"))
    for i, zone in enumerate(body.zones):
        if zone not in network.zones:
            raise invalid(f"zone {zone!r} does not exist", ("body", "zones", i))
    name = body.name or (node_id.partition(":")[2] if node_id else None)
    if name is None:
        raise invalid("a name is needed (the account name of a volunteer)", ("body", "name"))
    info, secret = tokens.create(
        role,
        name,
        now=datetime.now(UTC),
        zones=body.zones,
        node_id=node_id,
        note=body.note,
        created_by=principal.token_id,
        replace=body.replace,
    )
    return TokenCreated(**TokenOut.of(info).model_dump(), token=secret)


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(tokens: TokensDep, principal: PrincipalDep) -> list[TokenOut]:
    """Every token for admins; the tokens they created for others. Never a secret."""
    if principal.is_public:
        raise deny(principal, "list tokens")
    if allowed(principal, Action.TOKEN_LIST):
        return [TokenOut.of(t) for t in tokens.list()]
    return [TokenOut.of(t) for t in tokens.list(created_by=principal.token_id)]


def _visible(tokens: TokenStore, principal: Principal, token_id: str) -> TokenInfo:
    """The token, if the caller may see it (else 404, as if it did not exist)."""
    try:
        info = tokens.get(token_id)
    except NotFound:
        info = None
    target = Target(token_id=token_id, created_by=info.created_by if info else None)
    if info is None or not (
        allowed(principal, Action.TOKEN_LIST) or allowed(principal, Action.TOKEN_REVOKE, target)
    ):
        if principal.is_public:
            raise deny(principal, "see tokens")
        raise not_found(f"token {token_id!r} does not exist")
    return info


@router.get("/tokens/{token_id}", response_model=TokenOut)
def get_token(token_id: str, tokens: TokensDep, principal: PrincipalDep) -> TokenOut:
    return TokenOut.of(_visible(tokens, principal, token_id))


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def revoke_token(token_id: str, tokens: TokensDep, principal: PrincipalDep) -> TokenOut:
    """Revoke a token: from now on it answers 401. Revoking twice changes nothing."""
    info = _visible(tokens, principal, token_id)
    authorize(principal, Action.TOKEN_REVOKE, Target(token_id=info.id, created_by=info.created_by))
    return TokenOut.of(tokens.revoke(info.id, now=datetime.now(UTC)))
