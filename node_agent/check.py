"""``node-agent check``: run every collector once and say what each sees.

Nothing is posted and no state is written (the report shown has ``seq`` 0).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from node_agent.config import Config
from node_agent.loop import Collected, collect_all, make_collectors
from node_agent.report import build_report, encode


def _babeld(s: dict[str, Any]) -> list[str]:
    out = [f"router id {s['router_id'] or '?'}, {s['version'] or 'babeld'}"]
    for n in s["neighbours"]:
        out.append(
            f"neighbour {n['address']} on {n['interface']}: reach {n['reach']:04x} "
            f"rxcost {n['rxcost']} txcost {n['txcost']} cost {n['cost']}"
        )
    installed = sum(1 for r in s["routes"] if r["installed"])
    out.append(
        f"{len(s['routes'])} routes ({installed} installed), {len(s['xroutes'])} local prefixes"
    )
    out += [f"local prefix {x['prefix']}" for x in s["xroutes"]]
    return out


def _olsrd(s: dict[str, Any]) -> list[str]:
    out = [f"{s['format']}: {len(s['links'])} links, {len(s['topology'])} topology edges"]
    out += [
        f"link {lk['local_ip']} -> {lk['remote_ip']}: "
        f"LQ {lk['lq']} NLQ {lk['nlq']} ETX {lk['cost']}"
        for lk in s["links"]
    ]
    out += [f"MID {main}: {', '.join(aliases)}" for main, aliases in s["mid"].items()]
    return out


def _batman(s: dict[str, Any]) -> list[str]:
    if s["format"] == "batctl":
        return [
            f"originator {o['originator']} via {o['next_hop']} on {o['interface']}: "
            f"TQ {o['tq']} throughput {o['throughput_mbps']}"
            for o in s["originators"]
        ]
    return [
        f"node {n['primary']}: {len(n['neighbours'])} neighbours, {len(n['clients'])} clients"
        for n in s["nodes"]
    ]


def _bmx(s: dict[str, Any]) -> list[str]:
    return [
        f"{n['name'] or 'this node'} -> {lk['name']}: rx {lk['rx_rate']} tx {lk['tx_rate']}"
        for n in s["nodes"]
        for lk in n["links"]
    ]


def _system(s: dict[str, Any]) -> list[str]:
    return [
        f"uptime {s['uptime_s']} s, load {s['load1']}, memory {s['memory_used_pct']} % used",
        f"interfaces: {', '.join(d['name'] for d in s['interfaces'])}",
    ]


def _snmp(s: dict[str, Any]) -> list[str]:
    sysinfo = s["system"]
    out = [f"{s['vendor']}: {sysinfo['descr']!r}, uptime {sysinfo['uptime_s']} s"]
    for itf in s["interfaces"]:
        out.append(
            f"interface {itf['name']}: {'up' if itf['oper_up'] else 'down'}, in "
            f"{itf['in_octets']} out {itf['out_octets']} octets ({itf['counter_bits']}-bit)"
        )
    for r in s["radios"]:
        shown = {k: v for k, v in r.items() if v is not None and k != "index"}
        out.append(f"radio {r['index']}: {shown}")
    out += [
        f"station {st['mac']} on if {st['if_index']}: {st['signal_dbm']} dBm"
        for st in s["stations"]
    ]
    out.append("(rates need two polls: `node-agent run` reports them)")
    return out


def _probes(s: dict[str, Any]) -> list[str]:
    out = [
        f"ping {p['target']}: {p['received']}/{p['sent']} replies, rtt {p['rtt_ms']} ms"
        for p in s["pings"]
    ]
    out += [f"arp {e['address']} is {e['mac']} on {e['interface']}" for e in s["arp"]]
    return out or ["no targets"]


DESCRIBE: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "babeld": _babeld,
    "olsrd": _olsrd,
    "batman": _batman,
    "bmx": _bmx,
    "system": _system,
    "snmp": _snmp,
    "probes": _probes,
}


def run_check(config: Config) -> tuple[Collected, dict[str, Any], int]:
    """Collect once; returns what was collected, the report it would send, and its
    gzipped size."""
    collectors = make_collectors(config)
    try:
        collected = collect_all(collectors)
    finally:
        for c in collectors:
            c.close()
    body = build_report(
        seq=0,
        time=datetime.now(UTC),
        interval_s=config.interval,
        parts=collected.parts,
        statuses=collected.statuses,
        neighbour_map=config.neighbours,
        routes=config.routes,
        max_routes=config.max_routes,
    )
    return collected, dict(body), len(encode(body))


def render(config: Config, as_json: bool) -> tuple[str, bool]:
    """The check's text (human-readable or JSON) and whether every collector worked."""
    collected, body, size = run_check(config)
    ok = all(s["ok"] for s in collected.statuses)
    kinds = {c.name: c.kind for c in config.collectors}
    if as_json:
        doc = {
            "ok": ok,
            "collectors": {
                s["name"]: {
                    "ok": s["ok"],
                    "error": s["error"],
                    "elapsed_ms": round(collected.elapsed_ms.get(s["name"], 0.0), 2),
                    "state": collected.states.get(s["name"]),
                }
                for s in collected.statuses
            },
            "report": body,
            "report_gzip_bytes": size,
        }
        return json.dumps(doc, indent=2, default=str), ok
    lines = [f"node {config.node} -> {config.service}"]
    for s in collected.statuses:
        ms = collected.elapsed_ms.get(s["name"], 0.0)
        if not s["ok"]:
            lines.append(f"[FAIL] {s['name']} ({ms:.0f} ms): {s['error']}")
            continue
        lines.append(f"[ ok ] {s['name']} ({ms:.0f} ms)")
        describe = DESCRIBE.get(kinds.get(s["name"], s["name"]))
        if describe is not None:
            lines += [f"       {line}" for line in describe(collected.states[s["name"]])]
    lines.append(
        f"report: {len(body.get('links', []))} links, {len(body.get('interfaces', []))} "
        f"interfaces, {len(body.get('routes', []))} routes, {size} bytes gzipped"
    )
    for link in body.get("links", []):
        lines.append(f"       link {json.dumps(link, sort_keys=True)}")
    return "\n".join(lines), ok
