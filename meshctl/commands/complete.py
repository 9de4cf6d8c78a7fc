"""Shell completion of zones, nodes and device models (asks the service; never fails)."""

from __future__ import annotations

import click

from meshctl.commands.common import client


def complete_zone(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    from click.shell_completion import CompletionItem

    try:
        with client(ctx.params.get("url"), ctx.params.get("token")) as api:
            zones = api.zones()
    except Exception:  # completion must never fail loudly
        return []
    low = incomplete.lower()
    return [
        CompletionItem(z["id"], help=z.get("name", ""))
        for z in zones
        if low in z["id"].lower() or low in str(z.get("name", "")).lower()
    ]


def complete_model(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    from click.shell_completion import CompletionItem

    from meshctl.routerconfig import load_catalogue

    low = incomplete.lower()
    return [CompletionItem(name) for name in load_catalogue() if low in name.lower()]


def complete_node(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    from click.shell_completion import CompletionItem

    try:
        with client(ctx.params.get("url"), ctx.params.get("token")) as api:
            found = api.nodes(q=incomplete or None, limit=50)
    except Exception:
        return []
    return [CompletionItem(n["id"].split(":", 1)[-1], help=n.get("name", "")) for n in found]
