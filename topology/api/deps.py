"""Dependencies shared by every router: the network, the caller, permission checks.

For authors of routers (reports, metrics, events, alerts, ...)::

    from typing import Annotated, Any
    from fastapi import APIRouter, Depends
    from topology.api.deps import (
        API_PREFIX, NetworkDep, PrincipalDep, authorize, require, require_agent_for,
        node_target, zone_target,
    )
    from topology.auth import Action, Principal

    router = APIRouter(prefix=API_PREFIX, tags=["alerts"])

    @router.post("/alerts/{alert_id}/ack")
    def ack(alert_id: str, network: NetworkDep, principal: PrincipalDep) -> ...:
        zone = ...  # the alert's zone
        authorize(principal, Action.ALERT_ACK, zone_target(network, zone))  # 401/403
        ...

    @router.post("/nodes/{node}/reports")
    def post_report(node: str, agent: Annotated[Principal, Depends(require_agent_for)]) -> ...:
        # agent.node_id is the node (global id); admins pass too (agent.node_id is None)
        ...

* ``get_network(request)`` / :data:`NetworkDep`: the app's
  :class:`~topology.network.CommunityNetwork`. ``get_tokens`` / :data:`TokensDep`: the
  :class:`~topology.store.tokens.TokenStore`. ``get_settings`` / :data:`SettingsDep`.
* ``current_principal`` / :data:`PrincipalDep`: the caller as a
  :class:`~topology.auth.Principal` (role, token id, name = a volunteer's owner name,
  zones of a steward, node id of an agent). No ``Authorization`` header: public. A
  malformed header, or an unknown or revoked token: 401.
* ``authorize(principal, action, target)`` and ``authorize_any``: raise 401 for public
  callers and 403 for others when :func:`topology.auth.allowed` says no.
* ``require(action)``: a dependency for actions that need no target (e.g.
  ``Depends(require(Action.TOKEN_LIST))``); ``require_role(*roles)`` likewise.
* ``require_agent_for``: the dependency of the reports route; 404 for an unknown node,
  then 401/403 unless the caller is that node's agent (or an admin).
* Lookups that answer 404 with a clear message: ``known_node``, ``known_link``,
  ``known_zone``; targets for permission checks: ``node_target``, ``zone_target``,
  ``zone_chain``, ``link_targets``; the node a caller may see: ``node_view`` /
  ``sees_private``; ``network.lock`` around reads that iterate the live graph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from topology.api.errors import ApiError, not_found
from topology.api.limits import DEFAULT_MAX_BODY_BYTES
from topology.auth import (
    NOTHING,
    PUBLIC,
    AccessRole,
    Action,
    Principal,
    Target,
    allowed,
    allowed_any,
)
from topology.inventory import public_node
from topology.model import ID_SEP, Link, Node, Zone, zone_ancestry
from topology.network import CommunityNetwork, NetworkError
from topology.store.tokens import TokenStore

API_PREFIX = "/api/v1"


@dataclass(frozen=True, slots=True)
class ApiSettings:
    """Settings of the HTTP service.

    * ``max_body_bytes``: larger request bodies get 413;
    * ``close_network_on_shutdown``: the app's lifespan closes the network (and its
      store) when the server stops;
    * ``title``: of the OpenAPI document.
    """

    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    close_network_on_shutdown: bool = True
    title: str = "meshcommons"


def get_network(request: Request) -> CommunityNetwork:
    network: CommunityNetwork = request.app.state.network
    return network


def get_tokens(request: Request) -> TokenStore:
    tokens: TokenStore = request.app.state.tokens
    return tokens


def get_settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


NetworkDep = Annotated[CommunityNetwork, Depends(get_network)]
TokensDep = Annotated[TokenStore, Depends(get_tokens)]
SettingsDep = Annotated[ApiSettings, Depends(get_settings)]

_bearer = HTTPBearer(
    auto_error=False,
    description="An access token: `Authorization: Bearer mc_...`. Without one you are public.",
)
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def current_principal(
    request: Request,
    tokens: TokensDep,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller: public without an ``Authorization`` header, else its token's principal."""
    header = request.headers.get("authorization")
    if header is None:
        return PUBLIC
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401, "the Authorization header must read 'Bearer <token>'", headers=_CHALLENGE
        )
    info = tokens.authenticate(token.strip())
    if info is None:
        raise ApiError(401, "unknown or revoked token", headers=_CHALLENGE)
    return info.principal()


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def deny(principal: Principal, what: str) -> ApiError:
    """401 for a public caller (a token may help), 403 for a token that is not enough."""
    if principal.is_public:
        return ApiError(401, f"{what} needs a token", headers=_CHALLENGE)
    return ApiError(403, f"a {principal.role} token may not {what}")


def authorize(principal: Principal, action: Action, target: Target = NOTHING) -> None:
    if not allowed(principal, action, target):
        raise deny(principal, _describe(action))


def authorize_any(principal: Principal, action: Action, targets: Iterable[Target]) -> None:
    if not allowed_any(principal, action, targets):
        raise deny(principal, _describe(action))


def _describe(action: Action) -> str:
    return f"{action.value.replace('.', ' ').replace('_', ' ')} here"


def require(action: Action) -> Callable[[Principal], Principal]:
    """A dependency that lets through callers allowed ``action`` without a target."""

    def dependency(principal: PrincipalDep) -> Principal:
        authorize(principal, action)
        return principal

    return dependency


def require_role(*roles: AccessRole) -> Callable[[Principal], Principal]:
    """A dependency that lets through only the given roles (admin always)."""

    def dependency(principal: PrincipalDep) -> Principal:
        if principal.role not in roles and not principal.is_admin:
            raise deny(principal, "do this")
        return principal

    return dependency


# --------------------------------------------------------------------------- lookups


def global_id(network: CommunityNetwork, text: str) -> str:
    """A global id from a path or body value: ``community:local`` as is, a local id of
    this community prefixed with its slug."""
    if ID_SEP in text:
        return text
    try:
        return f"{network.community.slug}{ID_SEP}{text}"
    except NetworkError:  # no network loaded yet: nothing is known anyway
        return text


def known_node(network: CommunityNetwork, text: str) -> Node:
    node = network.graph.nodes.get(global_id(network, text))
    if node is None:
        raise not_found(f"node {text!r} does not exist")
    return node


def known_link(network: CommunityNetwork, text: str) -> Link:
    link = network.graph.links.get(global_id(network, text))
    if link is None:
        raise not_found(f"link {text!r} does not exist")
    return link


def known_zone(network: CommunityNetwork, zone_id: str) -> Zone:
    zone = network.zones.get(zone_id)
    if zone is None:
        raise not_found(f"zone {zone_id!r} does not exist")
    return zone


def zone_chain(network: CommunityNetwork, zone_id: str | None) -> tuple[str, ...]:
    """``zone_id`` and its ancestors (empty for ``None``)."""
    if zone_id is None:
        return ()
    return tuple(zone_ancestry(network.zones.values(), zone_id))


def zone_target(network: CommunityNetwork, zone_id: str | None) -> Target:
    return Target(zones=zone_chain(network, zone_id))


def node_target(network: CommunityNetwork, node: Node) -> Target:
    return Target(zones=zone_chain(network, node.zone_id), owner=node.owner, node_id=node.id)


def link_targets(network: CommunityNetwork, link: Link) -> list[Target]:
    """One target per end of ``link`` that is a node we hold."""
    ends = (network.graph.nodes.get(end) for end in (link.a, link.b))
    return [node_target(network, n) for n in ends if n is not None]


def sees_private(principal: Principal, network: CommunityNetwork, node: Node) -> bool:
    return allowed(principal, Action.SEE_PRIVATE, node_target(network, node))


def node_view(principal: Principal, network: CommunityNetwork, node: Node) -> tuple[Node, bool]:
    """The node as ``principal`` may see it, and whether that includes private fields."""
    if sees_private(principal, network, node):
        return node, True
    return public_node(node), False


def require_agent_for(node: str, principal: PrincipalDep, network: NetworkDep) -> Principal:
    """The reports route's dependency: the caller must be the agent of ``node`` (or an
    admin). Unknown node: 404."""
    found = known_node(network, node)
    authorize(principal, Action.REPORT_POST, Target(node_id=found.id))
    return principal
