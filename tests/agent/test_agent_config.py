"""The YAML configuration: defaults, every collector, and errors with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from node_agent.config import load_config, parse_config
from node_agent.errors import ConfigError

FULL = """\
service: https://mesh.example.org/
node: androscoggin:gorham-home-01
token_file: /etc/node-agent/token
interval: 30
jitter: 0.2
state_dir: /tmp/agent
spool: {max_reports: 100, max_bytes: 65536}
backoff: {initial: 1, max: 60}
neighbours:
  10.228.16.1: androscoggin:mount-forist-relay
  "02:ba:7a:10:00:02": gorham-library
collectors:
  babeld: {port: 33124}
  olsrd: {format: txtinfo, addresses: [10.150.0.4]}
  batman: {source: batctl}
  bmx: {command: bmx7 -c --jshow links}
  snmp:
    - {host: 192.168.88.1, community: public, vendor: mikrotik}
    - {host: 192.168.1.20, version: 3, user: agent, auth_key: authkey123, priv_key: privkey123}
  probes: {gateway: 10.228.16.1, count: 5}
"""


def test_full_config() -> None:
    c = parse_config(FULL, "agent.yaml")
    assert c.service == "https://mesh.example.org"
    assert (c.interval, c.jitter, c.spool_max_reports, c.backoff_max) == (30, 0.2, 100, 60.0)
    assert c.neighbours["02:ba:7a:10:00:02"] == "gorham-library"
    names = [(x.kind, x.name) for x in c.collectors]
    assert names == [
        ("system", "system"), ("babeld", "babeld"), ("olsrd", "olsrd"), ("batman", "batman"),
        ("bmx", "bmx"), ("snmp", "snmp:192.168.88.1"), ("snmp", "snmp:192.168.1.20"),
        ("probes", "probes"),
    ]  # fmt: skip
    v3 = c.collectors[6].settings
    assert v3["version"] == "3" and v3["user"] == "agent"


def test_minimal_config_defaults() -> None:
    c = parse_config("service: http://10.0.0.1:8000\nnode: n1\ntoken: abc\n")
    assert (c.interval, c.jitter, c.state_dir, c.routes) == (60, 0.1, "/var/lib/node-agent", True)
    assert [x.kind for x in c.collectors] == ["system"]  # on by default
    assert c.read_token() == "abc"


def test_collector_switches() -> None:
    c = parse_config("service: http://h\nnode: n\ntoken: t\n"
                     "collectors: {system: false, babeld: true, probes: null}\n")  # fmt: skip
    assert [(x.kind, x.settings) for x in c.collectors] == [("babeld", {})]


def test_token_file(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("s3cret\n")
    config = tmp_path / "agent.yaml"
    config.write_text(f"service: http://h\nnode: n\ntoken_file: {token}\n")
    assert load_config(config).read_token() == "s3cret"
    token.write_text("")
    with pytest.raises(ConfigError, match="is empty"):
        load_config(config).read_token()


def errors_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as e:
        parse_config(text, "agent.yaml")
    return str(e.value).splitlines()


def test_errors_name_file_line_and_field() -> None:
    text = """\
service: ftp://nope
node: n1
token: t
interval: 0
colectors: {}
collectors:
  babeld:
    port: 70000
    hostt: x
  snmp: {version: 3, auth_key: short}
  quagga: {}
  probes: {targets: [10.0.0.1, not-an-ip]}
"""
    assert errors_of(text) == [
        "agent.yaml:5: colectors: unknown setting (known: service, node, token_file, token, "
        "interval, jitter, state_dir, timeout, routes, max_routes, seq_block, spool, backoff, "
        "neighbours, collectors)",
        "agent.yaml:1: service: 'ftp://nope' must be an http:// or https:// URL",
        "agent.yaml:4: interval: 0 is outside 1..86400",
        "agent.yaml:8: collectors.babeld.port: 70000 is outside 1..65535",
        "agent.yaml:9: collectors.babeld.hostt: unknown setting (known: host, port, socket, "
        "timeout)",
        "agent.yaml:10: collectors.snmp: SNMPv3 needs 'user'",
        "agent.yaml:10: collectors.snmp.auth_key: SNMPv3 keys have at least 8 characters",
        "agent.yaml:11: collectors.quagga: unknown collector (known: babeld, olsrd, batman, bmx, "
        "system, snmp, simulated, probes)",
        "agent.yaml:12: collectors.probes.targets: 'not-an-ip' is not an IP address",
    ]


def test_required_keys() -> None:
    assert errors_of("interval: 5\n") == [
        "agent.yaml:1: (top): 'service' is required",
        "agent.yaml:1: (top): 'node' is required",
        "agent.yaml:1: (top): 'token_file' (or 'token') is required",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("service: [unclosed\n", "agent.yaml:2: not valid YAML"),
        ("- a list\n", "agent.yaml:1: the configuration must be a mapping"),
        ("", "agent.yaml:1: the configuration must be a mapping"),
    ],
)
def test_not_a_config(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(text, "agent.yaml")


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "absent.yaml")
