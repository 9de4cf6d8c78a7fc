"""``babeld.conf`` for a node: babel on its mesh interfaces, announcing its prefixes.

babeld announces the node's LAN /27 and IPv6 /64 (connected routes on ``br-lan``) and
nothing else from the kernel; the node agent reads babeld's state on the local port
(read only: ``local-port``, not ``local-port-readwrite``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from meshctl.routerconfig.inputs import RouterInputs

#: Where node-agent's babeld collector reads (docs/agent.md).
LOCAL_PORT = 33123


def babel_interfaces(config: dict[str, Any]) -> list[tuple[str, str]]:
    """(Linux interface, babel type) of the DeviceConfiguration's mesh interfaces."""
    out: list[tuple[str, str]] = []
    for iface in config["interfaces"]:
        if iface["name"] in ("lo", "lan") or iface.get("network") == "wan":
            continue
        kinds = {"wireless": "wireless", "virtual": "tunnel"}
        out.append((iface["name"], kinds.get(iface["type"], "wired")))
    return out


def _prefix_line(prefix: str) -> str:
    length = prefix.split("/")[1]
    return f"redistribute ip {prefix} eq {length} allow"


def babeld_conf(inputs: RouterInputs, interfaces: Sequence[tuple[str, str]]) -> str:
    """The text of ``/etc/babeld.conf`` (babeld 1.8 or later)."""
    lines = [
        f"# babeld.conf for {inputs.node_id} ({inputs.name}), written by meshctl.",
        "# Regenerate with: meshctl node config " + inputs.node_id,
        f"local-port {LOCAL_PORT}",
        "",
    ]
    lines += [f"interface {name} type {kind}" for name, kind in interfaces]
    lines.append("")
    prefixes = [p for p in (inputs.lan, inputs.ipv6) if p]
    lines += [_prefix_line(p) for p in prefixes]
    lines += [f"redistribute local ip {p} allow" for p in prefixes]
    lines += ["redistribute local deny", "redistribute deny", ""]
    return "\n".join(lines)
