"""``agent.yaml`` for node-agent (docs/agent.md) on the node's router."""

from __future__ import annotations

import json

from meshctl.routerconfig.babel import LOCAL_PORT
from meshctl.routerconfig.inputs import RouterInputs

TOKEN_FILE = "/etc/node-agent/token"


def agent_yaml(inputs: RouterInputs, token: str | None) -> str:
    """The agent's configuration. With ``token`` the secret is written inline (the file
    must stay private); without, it points at ``/etc/node-agent/token``."""

    def q(text: str) -> str:
        return json.dumps(text)  # a JSON string is a valid YAML scalar

    lines = [
        f"# node-agent configuration for {inputs.node_id} ({inputs.name}), written by meshctl.",
        "# Check it on the router with: node-agent check --config /etc/node-agent/agent.yaml",
        f"service: {q(inputs.service_url)}",
        f"node: {q(inputs.node_id)}",
    ]
    if token:
        lines.append(f"token: {q(token)}  # secret: keep this file private (mode 600)")
    else:
        lines.append(f"token_file: {q(TOKEN_FILE)}")
    lines += [
        "interval: 60",
        "state_dir: /var/lib/node-agent",
        "collectors:",
        f"  babeld: {{port: {LOCAL_PORT}}}",
        "  system: {}",
    ]
    return "\n".join(lines) + "\n"
