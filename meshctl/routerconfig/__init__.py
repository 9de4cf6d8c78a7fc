"""Router configuration of a node, pure: node -> NetJSON DeviceConfiguration -> OpenWrt
UCI (netjsonconfig), plus ``babeld.conf``, node-agent's ``agent.yaml`` and a README.

:func:`bundle` returns every file as ``{relative path: text}``; writing them is the
caller's job (``meshctl node register`` / ``meshctl node config``).
"""

from __future__ import annotations

import json

from meshctl.routerconfig.agent import agent_yaml
from meshctl.routerconfig.babel import babel_interfaces, babeld_conf
from meshctl.routerconfig.catalogue import (
    CatalogueError,
    DeviceModel,
    find_model,
    load_catalogue,
)
from meshctl.routerconfig.inputs import LinkEnd, RouterInputs, router_inputs
from meshctl.routerconfig.netjson import device_configuration, render_uci
from meshctl.routerconfig.readme import readme_text

__all__ = [
    "CatalogueError",
    "DeviceModel",
    "LinkEnd",
    "RouterInputs",
    "bundle",
    "device_configuration",
    "find_model",
    "load_catalogue",
    "render_uci",
    "router_inputs",
]

#: Files that hold the agent's secret (written with mode 600).
SECRET_FILES = ("agent.yaml",)


def split_uci(text: str) -> dict[str, str]:
    """netjsonconfig's rendered text as one file per UCI package (``/etc/config/<name>``)."""
    out: dict[str, str] = {}
    name = ""
    for line in text.splitlines():
        if line.startswith("package "):
            name = line.split()[1]
            out[name] = ""
            continue
        if name:
            out[name] += line + "\n"
    return {k: v.strip("\n") + "\n" for k, v in out.items()}


def bundle(inputs: RouterInputs, token: str | None) -> dict[str, str]:
    """Every file of the node's directory: ``device.json`` (the NetJSON
    DeviceConfiguration), ``openwrt.uci`` (all packages), ``uci/<package>``,
    ``babeld.conf``, ``agent.yaml`` and ``README.md``."""
    config = device_configuration(inputs)
    uci = render_uci(config)
    files = {
        "device.json": json.dumps(config, indent=2) + "\n",
        "openwrt.uci": uci,
        **{f"uci/{name}": text for name, text in split_uci(uci).items()},
        "babeld.conf": babeld_conf(inputs, babel_interfaces(config)),
        "agent.yaml": agent_yaml(inputs, token),
    }
    files["README.md"] = readme_text(inputs, [*files, "README.md"], token is not None)
    return files
