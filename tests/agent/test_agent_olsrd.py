"""olsrd: jsoninfo (old and new MID format) and txtinfo parsers on every real sample in
../shared/realdata/routing (netdiff's captures). Node and link counts were checked by
hand against the files: a link is an undirected pair of main addresses."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from node_agent.collectors.base import Cycle
from node_agent.collectors.olsrd import (
    OlsrdCollector,
    links_of,
    local_links,
    parse_jsoninfo,
    parse_txtinfo,
    topology_of,
)
from node_agent.errors import ParseError, RetrievalError
from tests.agent.support import free_port

# file: (nodes, links), counted by hand
COUNTS = {
    "olsr-2-links.json": (3, 2),
    "olsr-2-links-cost-changed.json": (3, 2),
    "olsr-2-links-newformat.json": (3, 2),
    "olsr-3-links.json": (4, 3),
    "olsr-5-links.json": (5, 5),
    "olsr-5-links-cost-changed.json": (5, 5),
    "olsr-2-links.txt": (3, 2),
    "olsr-2-links-cost-changed.txt": (3, 2),
    "olsr-3-links.txt": (4, 3),
    "olsr-5-links.txt": (5, 5),
}


def parse(path: Path):  # type: ignore[no-untyped-def]
    text = path.read_text()
    return parse_txtinfo(text) if path.suffix == ".txt" else parse_jsoninfo(text)


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_counts_of_every_sample(routing: Path, name: str) -> None:
    topo = topology_of(parse(routing / name))
    assert (len(topo["nodes"]), len(topo["links"])) == COUNTS[name]


def test_every_olsr_sample_is_covered(routing: Path) -> None:
    assert {p.name for p in routing.glob("olsr-*")} == set(COUNTS)


def test_jsoninfo_costs_are_scaled_by_1024(routing: Path) -> None:
    topo = topology_of(parse_jsoninfo((routing / "olsr-5-links-cost-changed.json").read_text()))
    costs = {(lk["source"], lk["target"]): lk["cost"] for lk in topo["links"]}
    assert costs == {
        ("10.150.0.2", "10.150.0.3"): 1.0,
        ("10.150.0.3", "10.150.0.4"): 2.0,
        ("10.150.0.3", "10.150.0.6"): 1.0,
        ("10.150.0.3", "10.150.0.7"): 1.5039,  # 1540 / 1024
        ("10.150.0.6", "10.150.0.7"): 3.5156,  # 3600 / 1024
    }


def test_txtinfo_costs_are_etx(routing: Path) -> None:
    s = parse_txtinfo((routing / "olsr-2-links-cost-changed.txt").read_text())
    assert [e["cost"] for e in s["topology"]] == [1.302, 1.023]
    assert s["topology"][0] == {
        "last_hop": "10.150.0.2", "destination": "10.150.0.3", "lq": 0.195, "nlq": 0.184,
        "cost": 1.302,
    }  # fmt: skip


def test_old_and_new_mid_formats_agree(routing: Path) -> None:
    old = parse_jsoninfo((routing / "olsr-2-links.json").read_text())
    new = parse_jsoninfo((routing / "olsr-2-links-newformat.json").read_text())
    assert (
        old["mid"]
        == new["mid"]
        == {
            "10.150.0.2": ["172.16.192.2", "192.168.0.2"],
            "10.150.0.3": ["172.16.192.3"],
            "10.150.0.4": ["172.16.192.4"],
        }
    )
    assert old["main_ip"] == new["main_ip"] == "10.0.1.77"


def test_txtinfo_tables(routing: Path) -> None:
    s = parse_txtinfo((routing / "olsr-2-links.txt").read_text())
    assert s["links"] == [
        {"local_ip": "10.150.0.4", "remote_ip": "176.62.53.97", "lq": 1.0, "nlq": 1.0, "cost": 1.0}
    ]
    assert s["neighbours"] == ["10.150.0.3"]
    assert s["mid"]["10.150.0.2"] == ["172.16.192.2", "192.168.0.2"]
    assert parse_txtinfo((routing / "olsr-3-links.txt").read_text())["mid"] == {}


def test_links_table_gives_report_links(routing: Path) -> None:
    (draft,) = links_of(parse_txtinfo((routing / "olsr-2-links.txt").read_text()))
    assert draft.link == {
        "address": "176.62.53.97",
        "rx_cost": 256.0,
        "tx_cost": 256.0,
        "cost": 1.0,
    }


def test_without_links_table_own_edges_are_the_links(routing: Path) -> None:
    s = parse_jsoninfo((routing / "olsr-2-links.json").read_text())
    assert local_links(s) == []  # the main address 10.0.1.77 announces no edge
    # 172.16.192.2 is a MID alias of 10.150.0.2, which announces 10.150.0.3
    (draft,) = links_of(s, own={"172.16.192.2"})
    assert draft.link["address"] == "10.150.0.3"
    assert draft.link["cost"] == pytest.approx(27.6699, abs=1e-3)  # 28334 / 1024
    assert draft.link["rx_cost"] == pytest.approx(256 / 0.195, abs=0.01)
    assert {"10.150.0.3", "172.16.192.3"} <= draft.keys


def test_jsoninfo_links_endpoint() -> None:
    text = """{"links": [{"localIP": "10.0.0.1", "remoteIP": "10.0.0.2", "validityTime": 1,
      "linkQuality": 0.5, "neighborLinkQuality": 1.0, "linkCost": 2048},
      {"localIP": "10.0.0.1", "remoteIP": "10.0.0.3", "linkQuality": 0, "neighborLinkQuality": 0,
       "linkCost": 4194304}]}"""
    s = parse_jsoninfo(text)
    assert [lk["cost"] for lk in s["links"]] == [2.0, None]
    drafts = links_of(s)
    assert drafts[0].link == {
        "address": "10.0.0.2",
        "rx_cost": 512.0,
        "tx_cost": 256.0,
        "cost": 2.0,
    }
    assert drafts[1].link == {"address": "10.0.0.3"}  # broken: no cost


@pytest.mark.parametrize(
    "text",
    ["", "not json", "[]", '{"test": "test"}', '{"topology": [{"a": "a"}]}',
     '{"topology": [{"lastHopIP": "1", "destinationIP": "2", "linkQuality": "x"}]}'],
)  # fmt: skip
def test_jsoninfo_garbage(text: str) -> None:
    with pytest.raises(ParseError):
        parse_jsoninfo(text)


def test_txtinfo_garbage() -> None:
    with pytest.raises(ParseError):
        parse_txtinfo("<html>not olsrd</html>")
    with pytest.raises(ParseError):
        parse_txtinfo("Table: Topology\nDest. IP\tLast hop IP\tLQ\tNLQ\tCost\n1\t2\tx\ty\tz\n")


def _serve_once(port: int, payload: bytes, ready: threading.Event) -> None:
    with socket.create_server(("127.0.0.1", port)) as srv:
        ready.set()
        conn, _ = srv.accept()
        with conn:
            conn.recv(4096)
            conn.sendall(payload)


@pytest.mark.parametrize(
    "header", [b"", b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n"]
)
def test_collector_over_tcp(routing: Path, header: bytes) -> None:
    port = free_port()
    ready = threading.Event()
    payload = header + (routing / "olsr-5-links.json").read_bytes()
    t = threading.Thread(target=_serve_once, args=(port, payload, ready), daemon=True)
    t.start()
    ready.wait(5)
    c = OlsrdCollector({"host": "127.0.0.1", "port": port, "addresses": ["10.150.0.3"]})
    part = c.part(c.collect(Cycle()))
    assert sorted(d.link["address"] for d in part.links) == [
        "10.150.0.2",
        "10.150.0.6",
        "10.150.0.7",
    ]
    t.join(5)


def test_collector_daemon_down() -> None:
    c = OlsrdCollector({"host": "127.0.0.1", "port": free_port(), "timeout": 1})
    with pytest.raises(RetrievalError):
        c.collect(Cycle())
