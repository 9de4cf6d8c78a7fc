"""Fetch what a node's router files need from the service, and write them to a folder.

The pure part (what the files say) is :mod:`meshctl.routerconfig`; this module is the
edge: requests through :class:`~topology.client.MeshClient` and the file system.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import click

from meshctl.routerconfig import SECRET_FILES as SECRETS
from meshctl.routerconfig import (
    DeviceModel,
    RouterInputs,
    bundle,
    find_model,
    load_catalogue,
    router_inputs,
)
from topology.client import API, MeshClient
from topology.client_models import NodeInfo, ZoneInfo

DEFAULT_MODEL = "Ubiquiti NanoStation M5"


def zone_chain(zones: list[ZoneInfo], zone_id: str) -> list[ZoneInfo]:
    """The zone and its ancestors, nearest first."""
    by_id = {z["id"]: z for z in zones}
    chain: list[ZoneInfo] = []
    current: str | None = zone_id
    while current is not None and current in by_id and len(chain) < 64:
        chain.append(by_id[current])
        current = by_id[current].get("parent")
    return chain


def inherited(chain: list[ZoneInfo], key: str) -> Any:
    """The first zone in ``chain`` that sets ``key`` (dns_servers, bbox...) decides."""
    for zone in chain:
        value = dict(zone).get(key)
        if value:
            return value
    return None


def node_model(node: NodeInfo, catalogue: dict[str, DeviceModel]) -> DeviceModel:
    """The catalogue model of the node's devices: one with a radio first (the config has
    one router; on a site with a wired router and radios, the radios carry the links)."""
    known: list[DeviceModel] = []
    for device in node.get("devices") or []:
        name = str(device.get("model") or "")
        if name:
            try:
                known.append(find_model(catalogue, name))
            except ValueError:
                continue
    with_radio = [m for m in known if m.band]
    return (with_radio or known or [catalogue[DEFAULT_MODEL]])[0]


def gather(
    api: MeshClient, node_id: str, *, model: DeviceModel | None = None,
    catalogue: dict[str, DeviceModel] | None = None, agent_url: str | None = None,
) -> RouterInputs:
    """Everything the node's router config is made of, as the service knows it now.
    ``agent_url``: the service as the router reaches it (default: as meshctl does)."""
    node = api.node(node_id)
    allocations = api.node_addresses(node["id"])
    links: list[tuple[dict[str, Any], str | None]] = []
    for link in api.all_links(node=node["id"]):
        held = api.request(
            "GET", f"{API}/addresses", params={"holder": link["id"], "purpose": "backbone"}
        )
        prefix = held[0]["prefix"] if isinstance(held, list) and held else None
        links.append((dict(link), prefix))
    chain = zone_chain(api.zones(), node["zone"])
    zone = {
        "dns_servers": inherited(chain, "dns_servers") or [],
        "ntp_servers": inherited(chain, "ntp_servers") or [],
    }
    slug = node["id"].split(":", 1)[0] if ":" in node["id"] else api.community()["slug"]
    return router_inputs(
        community=slug,
        node=dict(node),
        allocations=[dict(a) for a in allocations],
        links=links,
        zone=zone,
        model=model or node_model(node, catalogue or load_catalogue()),
        service_url=(agent_url or api.base_url).rstrip("/"),
    )


def existing_token(folder: Path) -> str | None:
    """The agent token an earlier run wrote inline in ``folder/agent.yaml``, if any."""
    try:
        text = (folder / "agent.yaml").read_text()
    except OSError:
        return None
    found = re.search(r'^token: "([^"]+)"', text, flags=re.MULTILINE)
    return found.group(1) if found else None


def write_files(folder: Path, files: dict[str, str]) -> list[Path]:
    """Write the files (secrets with mode 600, the rest 644); returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = 0o600 if name in SECRETS else 0o644
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "w") as out:
            out.write(text)
        os.chmod(path, mode)
        written.append(path)
    return written


def files_for(inputs: RouterInputs, token: str | None) -> dict[str, str]:
    """:func:`~meshctl.routerconfig.bundle`, its refusals as one-line CLI errors."""
    try:
        return bundle(inputs, token)
    except ValueError as exc:  # RouterConfigError, CatalogueError
        raise click.ClickException(f"{inputs.node_id}: {exc}") from None


def regenerate(
    api: MeshClient, node_id: str, folder: Path, *, token: str | None = None,
    model: DeviceModel | None = None, agent_url: str | None = None,
) -> list[Path]:
    """Write the node's files to ``folder``; keep an agent token written there before."""
    inputs = gather(api, node_id, model=model, agent_url=agent_url)
    return write_files(folder, files_for(inputs, token or existing_token(folder)))
