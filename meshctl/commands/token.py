"""``meshctl token``: create, list and revoke API tokens."""

from __future__ import annotations

import os
from pathlib import Path

import click

from meshctl.commands.common import client, console, emit_json, json_option, with_service
from meshctl.errors import friendly_errors


@click.group("token")
def token_group() -> None:
    """Create, list and revoke tokens (a secret is shown once, when created).

    \b
    Examples:
      meshctl token create volunteer --name adoe
      meshctl token create steward --name sg --zone gorham
      meshctl token create agent --node gorham-home-01 --replace
      meshctl token revoke 0123456789ab
    """


@token_group.command("create")
@click.argument("role", type=click.Choice(["admin", "steward", "volunteer", "agent"]))
@click.option("--name", default=None, help="Account (a volunteer's owner name) or label.")
@click.option("--zone", "zones", multiple=True, help="Stewards: a zone (repeatable).")
@click.option("--node", default=None, help="Agents: the node.")
@click.option("--note", default="", help="A note for whoever reads the token list.")
@click.option("--replace", is_flag=True, help="Agents: revoke the node's current token.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the secret to this file (mode 600) instead of printing it.")
@json_option
@with_service
@friendly_errors
def create(
    role: str, name: str | None, zones: tuple[str, ...], node: str | None, note: str,
    replace: bool, out: Path | None, as_json: bool, url: str | None, token: str | None,
) -> None:
    """Create a ROLE token and print its secret (shown only this once).

    \b
    Example:
      meshctl token create volunteer --name adoe --out adoe.token
    """
    label = name or (f"agent-{node.split(':')[-1]}" if node else role)
    with client(url, token) as api:
        made = api.create_token(role, label, node=node, zones=list(zones) or None, note=note,
                                replace=replace)
    if out is not None:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(made["token"] + "\n")
        os.chmod(out, 0o600)
    if as_json:
        emit_json({k: v for k, v in made.items() if k != "token"} if out else made)
        return
    click.echo(f"created {made.get('role')} token {made.get('id')} ({made.get('name')})")
    if out is not None:
        click.echo(f"secret written to {out} (mode 600)")
    else:
        click.echo(f"secret (shown once): {made['token']}")


@token_group.command("list")
@json_option
@with_service
@friendly_errors
def token_list(as_json: bool, url: str | None, token: str | None) -> None:
    """Tokens you may see (admins: all; others: those they created). Never secrets.

    \b
    Example:
      meshctl token list --json
    """
    with client(url, token) as api:
        found = api.tokens()
    if as_json:
        emit_json(found)
        return
    from rich.table import Table

    t = Table(title=f"{len(found)} tokens", title_justify="left")
    for col in ("id", "role", "name", "scope", "created", "revoked"):
        t.add_column(col)
    for tk in found:
        scope = tk.get("node") or ", ".join(tk.get("zones") or []) or "-"
        t.add_row(tk["id"], tk.get("role", ""), tk.get("name", ""), scope,
                  (tk.get("created_at") or "")[:16], (tk.get("revoked_at") or "")[:16])
    console().print(t)


@token_group.command("revoke")
@click.argument("token_id")
@json_option
@with_service
@friendly_errors
def revoke(token_id: str, as_json: bool, url: str | None, token: str | None) -> None:
    """Revoke token TOKEN_ID: it answers 401 from then on.

    \b
    Example:
      meshctl token revoke 0123456789ab
    """
    with client(url, token) as api:
        api.revoke_token(token_id)
    if as_json:
        emit_json({"revoked": token_id})
    else:
        click.echo(f"revoked {token_id}")
