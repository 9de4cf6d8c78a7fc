"""The README a volunteer finds next to their router's files: what to do next."""

from __future__ import annotations

from meshctl.routerconfig.inputs import RouterInputs


def readme_text(inputs: RouterInputs, files: list[str], token_inline: bool) -> str:
    addresses = [
        f"- LAN: {inputs.lan} (router {inputs.router_ipv4})" if inputs.lan else "- LAN: none yet",
        f"- IPv6: {inputs.ipv6} (router {inputs.router_ipv6})" if inputs.ipv6 else "",
    ]
    links = [
        f"- {e.type} link to {e.peer} on {e.ifname}"
        + (f": {e.address} in {e.prefix}" if e.prefix else "")
        for e in inputs.links
    ] or ["- none yet: a steward or you adds one with `meshctl link add`"]
    model = inputs.model
    firmware = (
        f"The {model.name} runs OpenWrt: the UCI files apply as they are."
        if model.openwrt
        else f"The {model.name} does not run OpenWrt by default: use the UCI files as "
        "a reference of the settings (addresses, SSIDs, channels) for its own firmware."
    )
    token = (
        "agent.yaml holds your agent token, shown only once: keep it private."
        if token_inline
        else "agent.yaml reads the agent token from /etc/node-agent/token; if you lost it, "
        f"issue a new one: `meshctl token create agent --node {inputs.node_id} --replace`."
    )
    lines = [
        f"# {inputs.name} ({inputs.node_id})",
        "",
        f"Your node is registered with the {inputs.community} network (status Planned).",
        "",
        "## Addresses",
        "",
        *[a for a in addresses if a],
        "",
        "## Links",
        "",
        *links,
        "",
        "## Files",
        "",
        *[f"- `{f}`" for f in files],
        "",
        "## Next steps",
        "",
        f"1. Flash OpenWrt on the router. {firmware}",
        "2. Copy the configuration: `scp -O uci/* root@192.168.1.1:/etc/config/` (one file "
        "per UCI package; `openwrt.uci` holds them all), `babeld.conf` to "
        "`/etc/babeld.conf`, and install babeld: `opkg update && opkg install babeld`.",
        "3. Install the node agent and copy `agent.yaml` to `/etc/node-agent/agent.yaml` "
        "(mode 600). Check it with `node-agent check --config /etc/node-agent/agent.yaml`. "
        + token,
        "4. Mount the antenna, aim it at your link's other end and reboot the router.",
        f"5. Tell your steward it works, or run `meshctl node set-status {inputs.node_id} "
        "Reserved` while you are still building (stewards set it Working).",
        "6. Check: `meshctl node show " + inputs.node_id + "` and `meshctl routes "
        + inputs.node_id + "`.",
        "",
        "Regenerate these files after a change (a new link): `meshctl node config "
        + inputs.node_id + "`.",
        "",
    ]
    return "\n".join(lines)
