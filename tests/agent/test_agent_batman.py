"""batman-adv: batadv-vis JSON and its text table on every real sample in
../shared/realdata/routing (counts checked by hand: secondary interfaces fold into their
primary, links are undirected), and ``batctl o`` on hand-written captures in
tests/agent/data (the BATMAN_IV and BATMAN_V layouts of batctl 2021-2023)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from node_agent.collectors.base import Cycle
from node_agent.collectors.batman import (
    BatmanCollector,
    links_of,
    parse_originators,
    parse_vis_json,
    parse_vis_text,
    topology_of,
)
from node_agent.errors import ParseError, RetrievalError
from tests.agent.support import DATA

COUNTS = {  # file: (nodes, links), by hand
    "batman.json": (5, 4),
    "batman-1+1.json": (5, 4),
    "batman-duplicated.json": (5, 4),
    "batman.txt": (5, 4),
    "batman-1+1.txt": (5, 4),
}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_counts_of_every_sample(routing: Path, name: str) -> None:
    text = (routing / name).read_text()
    state = parse_vis_text(text) if name.endswith(".txt") else parse_vis_json(text)
    topo = topology_of(state)
    assert (len(topo["nodes"]), len(topo["links"])) == COUNTS[name]


def test_every_batman_sample_is_covered(routing: Path) -> None:
    assert {p.name for p in routing.glob("batman*")} == set(COUNTS)


def test_vis_json_fields(routing: Path) -> None:
    s = parse_vis_json((routing / "batman.json").read_text())
    assert s["version"] == "2014.3.0"
    hub = next(n for n in s["nodes"] if n["primary"] == "90:f6:52:f2:8c:2c")
    assert hub["secondary"] == ["90:f6:52:f2:8c:2b", "90:f6:52:f2:8c:2d"]
    first = s["nodes"][0]
    assert len(first["clients"]) == 4  # 5 listed, one twice
    links = {(lk["source"], lk["target"]): lk["cost"] for lk in topology_of(s)["links"]}
    assert links[("10:fe:ed:37:3a:39", "a0:f3:c1:ac:6c:44")] == 1.0  # 1.000 and 1.016: best


def test_duplicated_entries_merge(routing: Path) -> None:
    dup = parse_vis_json((routing / "batman-duplicated.json").read_text())
    assert len(dup["nodes"]) == 5
    first = dup["nodes"][0]
    assert first["primary"] == "a0:f3:c1:96:94:06" and len(first["neighbours"]) == 1


def test_links_of_own_node_through_a_secondary_mac(routing: Path) -> None:
    s = parse_vis_json((routing / "batman.json").read_text())
    drafts = links_of(s, own={"90:F6:52:F2:8C:2B"})
    assert sorted(d.link["address"] for d in drafts) == [
        "00:05:1c:06:35:8e", "10:fe:ed:37:3a:39", "a0:f3:c1:96:94:06",
    ]  # fmt: skip
    assert all(d.link["cost"] == 1.0 for d in drafts)
    assert links_of(s, own={"de:ad:be:ef:00:01"}) == []


def test_batctl_originators_iv() -> None:
    s = parse_originators((DATA / "batctl-o.txt").read_text())
    assert s["own"] == "02:ba:7a:10:00:01"
    assert [o["originator"] for o in s["originators"]] == [
        "02:ba:7a:10:00:02", "02:ba:7a:10:00:03", "02:ba:7a:10:00:04", "02:ba:7a:10:00:05",
    ]  # fmt: skip
    drafts = links_of(s, own=set())
    assert [(d.link["address"], d.link["interface"], d.link["cost"]) for d in drafts] == [
        ("02:ba:7a:10:00:02", "wlan0-mesh", round(255 / 251, 4)),
        ("02:ba:7a:10:00:03", "wlan0-mesh", round(255 / 240, 4)),
        ("02:ba:7a:10:00:05", "eth0.5", round(255 / 128, 4)),
    ]  # .04 is reached through .02: not a neighbour


def test_batctl_originators_v() -> None:
    s = parse_originators((DATA / "batctl-o-v.txt").read_text())
    assert [(o["tq"], o["throughput_mbps"]) for o in s["originators"]] == [
        (None, 144.4), (None, 52.0),
    ]  # fmt: skip
    (draft,) = links_of(s, own=set())
    assert draft.link == {"address": "02:ba:7a:20:00:02", "interface": "mesh0", "rate_mbps": 144.4}


def test_vis_json_lines_format() -> None:
    text = "\n".join(
        json.dumps(o)
        for o in (
            {"primary": "02:00:00:00:00:01"},
            {"secondary": "02:00:00:00:01:01", "of": "02:00:00:00:00:01"},
            {"router": "02:00:00:00:00:01", "neighbor": "02:00:00:00:00:02", "label": "1.250"},
            {"router": "02:00:00:00:00:01", "gateway": "66:00:00:00:00:09", "label": "TT"},
            {"primary": "02:00:00:00:00:02"},
        )
    )
    s = parse_vis_json(text)
    assert [n["primary"] for n in s["nodes"]] == ["02:00:00:00:00:01", "02:00:00:00:00:02"]
    (draft,) = links_of(s, own={"02:00:00:00:01:01"})
    assert draft.link == {"address": "02:00:00:00:00:02", "cost": 1.25}


@pytest.mark.parametrize(
    "text",
    ["", "{", '{ "test": "test" }', '{ "topology": [{ "a": "a" }] }', '{"vis": [{"a": 1}]}',
     '{"vis": [{"primary": "nope"}]}',
     '{"vis": [{"primary": "02:00:00:00:00:01", "neighbors": [{"router": "02:00:00:00:00:01",'
     ' "neighbor": "02:00:00:00:00:02", "metric": "fast"}]}]}'],
)  # fmt: skip
def test_vis_json_garbage(text: str) -> None:
    with pytest.raises(ParseError):
        parse_vis_json(text)


def test_text_and_batctl_garbage() -> None:
    with pytest.raises(ParseError):
        parse_vis_text("nothing here")
    with pytest.raises(ParseError):
        parse_originators("batctl: command not understood")


def test_collector_reads_a_file_and_runs_a_command(routing: Path, tmp_path: Path) -> None:
    c = BatmanCollector({"file": str(routing / "batman.json"), "own": ["a0:f3:c1:ac:6c:44"]})
    (draft,) = c.part(c.collect(Cycle())).links
    assert draft.link["address"] == "10:fe:ed:37:3a:39"
    cmd = f"{sys.executable} -c \"print(open('{DATA / 'batctl-o.txt'}').read())\""
    c = BatmanCollector({"source": "batctl", "command": cmd})
    assert len(c.part(c.collect(Cycle())).links) == 3


def test_collector_missing_tool_is_a_retrieval_error() -> None:
    c = BatmanCollector({"command": "/nonexistent/batadv-vis -f jsondoc"})
    with pytest.raises(RetrievalError, match="command not found"):
        c.collect(Cycle())
    failing = BatmanCollector({"command": f"{sys.executable} -c 'import sys; sys.exit(3)'"})
    with pytest.raises(RetrievalError, match="exit status 3"):
        failing.collect(Cycle())
