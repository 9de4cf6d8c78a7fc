"""Questions about the network, asked of the service or of a local store: summary,
route, routes, gateways, what-if."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from meshctl.commands.common import emit_json, fail, json_option, with_service
from meshctl.errors import friendly_errors
from meshctl.local import console as _console
from meshctl.local import open_network, remote, with_store

if TYPE_CHECKING:
    from topology.client import MeshClient


@click.command()
@with_store
@friendly_errors
def summary(data_dir: Path | None, db_url: str | None) -> None:
    """Nodes by status, links by type, gateways and address use."""
    from meshctl import render

    net = open_network(data_dir, db_url)
    render.summary(_console(), net)


@click.command()
@click.argument("source")
@click.argument("target")
@with_store
@with_service
@json_option
@friendly_errors
def route(
    source: str, target: str, data_dir: Path | None, db_url: str | None, url: str | None,
    token: str | None, as_json: bool,
) -> None:
    """Explain the cheapest path from SOURCE to TARGET, hop by hop.

    Node ids are local or global. Asks the service when one is configured (meshctl
    login, --url); --data-dir or --db-url read a local store instead. An id of another
    community (community:local) routes across communities through the service's
    federation, marking where the path crosses a border; a route through a stale peer
    is unavailable (exit 1).

    \b
    Examples:
      meshctl route gorham-library berlin-city-hall
      meshctl route alpha:n0 gamma:n2 --url http://127.0.0.1:8470
    """
    if (api := remote(data_dir, db_url, url, token)) is not None:
        with api:
            if other := _foreign(api.community().get("slug", ""), source, target):
                _federated_route(api, source, target, other, as_json)
                return
            found = api.route(source, target)
        if as_json:
            emit_json(found)
        else:
            from meshctl.commands import display

            display.route(_console(), found)
        return
    from meshctl import render

    net = open_network(data_dir, db_url)
    if other := _foreign(net.community.slug, source, target):
        fail(
            f"{other} is in community {other.partition(':')[0]}: routes across communities "
            "need a federated service (--url or meshctl login), not a local store"
        )
    if as_json:
        path = net.route(net.resolve_node(source), net.resolve_node(target))
        from topology.api.schemas_routing import PathOut

        emit_json(PathOut.of(path).model_dump(mode="json"))
        return
    path = net.route(net.resolve_node(source), net.resolve_node(target))
    render.route(_console(), net, path)


def _foreign(community: str, *ids: str) -> str | None:
    """The first of ``ids`` that names another community than ``community``."""
    return next((i for i in ids if ":" in i and i.partition(":")[0] != community), None)


def _federated_route(
    api: MeshClient, source: str, target: str, other: str, as_json: bool
) -> None:
    """``meshctl route`` across communities: the federation's route, border crossings
    marked (the table of ``meshctl federation route``); unavailable exits 1."""
    from meshctl.commands.common import console
    from meshctl.commands.federation import show_route
    from topology.client import NotFound

    try:
        found = api.federated_route(source, target)
    except NotFound as exc:
        if "does not federate" not in str(exc):
            raise
        fail(
            f"{other} is in another community, and the service at {api.base_url} does not "
            "federate (no federation section in its config)"
        )
        return
    if as_json:
        emit_json(found)
    elif found.get("status") == "ok":
        show_route(console(), found)
    if found.get("status") != "ok":
        fail(f"route {source} → {target} unavailable: {found.get('reason') or 'unknown reason'}")


@click.command()
@click.argument("node")
@with_store
@with_service
@friendly_errors
def routes(
    node: str, data_dir: Path | None, db_url: str | None, url: str | None, token: str | None
) -> None:
    """Print NODE's routing table as NetJSON NetworkRoutes (JSON).

    \b
    Example:
      meshctl routes gorham-library | jq '.routes | length'
    """
    import json

    if (api := remote(data_dir, db_url, url, token)) is not None:
        with api:
            emit_json(api.node_routes(node))
        return
    net = open_network(data_dir, db_url)
    click.echo(json.dumps(net.routing_table(net.resolve_node(node)), indent=2))


@click.command()
@with_store
@with_service
@json_option
@friendly_errors
def gateways(
    data_dir: Path | None, db_url: str | None, url: str | None, token: str | None, as_json: bool
) -> None:
    """The nearest gateway of every node, and who has none.

    \b
    Example:
      meshctl gateways --json
    """
    if (api := remote(data_dir, db_url, url, token)) is not None:
        with api:
            found = api.gateways()
        if as_json:
            emit_json(found)
        else:
            from meshctl.commands import display

            display.gateways(_console(), found)
        return
    from meshctl import render

    if as_json:
        from topology.api.schemas_routing import GatewaysOut

        emit_json(GatewaysOut.of(open_network(data_dir, db_url).gateways()).model_dump(mode="json"))
        return

    render.gateways(_console(), open_network(data_dir, db_url))


@click.command()
@click.argument("kind", type=click.Choice(["remove", "node", "link"]))
@click.argument("ident")
@with_store
@with_service
@json_option
@friendly_errors
def whatif(
    kind: str, ident: str, data_dir: Path | None, db_url: str | None, url: str | None,
    token: str | None, as_json: bool,
) -> None:
    """What if a node or link failed: who loses reach or their gateway.

    KIND is node, link, or remove (a node if IDENT is one, else a link). Nothing changes.

    \b
    Examples:
      meshctl whatif remove mount-forist-relay
      meshctl whatif link gorham-town-hall--mount-hayes-relay --json
    """
    if (api := remote(data_dir, db_url, url, token)) is not None:
        with api:
            if kind == "remove":
                from topology.client import NotFound

                try:
                    api.node(ident)
                    kind = "node"
                except NotFound:
                    kind = "link"
            found = api.whatif(node=ident) if kind == "node" else api.whatif(link=ident)
        if as_json:
            emit_json(found)
        else:
            from meshctl.commands import display

            display.whatif(_console(), found)
        return
    from meshctl import render

    net = open_network(data_dir, db_url)
    if kind == "remove":
        node_id = ident if ":" in ident else f"{net.community.slug}:{ident}"
        kind = "node" if node_id in net.graph.nodes else "link"
    if kind == "node":
        result = net.what_if(node=net.resolve_node(ident))
    else:
        result = net.what_if(link=net.resolve_link(ident))
    if as_json:
        from topology.api.schemas_routing import WhatIfOut

        emit_json(WhatIfOut.of(result).model_dump(mode="json"))
        return
    render.whatif(_console(), net, kind, ident, result)
