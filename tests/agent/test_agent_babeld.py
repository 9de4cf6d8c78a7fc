"""babeld: the dump parser on a real capture (tests/agent/data/babeld-dump.txt, taken
from babeld 1.12.1 in a 3-namespace triangle), the I/O against a fake local interface,
and the whole collector against a real babeld in two network namespaces."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from node_agent.collectors.babeld import (
    BabeldCollector,
    fetch_dump,
    links_of,
    mac_from_link_local,
    parse_dump,
    routes_of,
)
from node_agent.collectors.base import Cycle
from node_agent.errors import ParseError, RetrievalError
from tests.agent.support import DATA, free_port

DUMP = (DATA / "babeld-dump.txt").read_text()


class TestParseDump:
    def test_counts_and_header(self) -> None:
        s = parse_dump(DUMP)
        assert s["router_id"] == "00:43:09:5f:34:a6:45:00"
        assert s["version"] == "babeld-1.12.1"
        assert [i["name"] for i in s["interfaces"]] == ["cxa1", "cxc1"]
        assert len(s["neighbours"]) == 2
        assert len(s["routes"]) == 4
        assert [x["prefix"] for x in s["xroutes"]] == ["10.99.210.1/32", "fd99:210::1/128"]

    def test_neighbour_fields(self) -> None:
        nb = parse_dump(DUMP)["neighbours"][1]
        assert nb == {
            "address": "fe80::546d:deff:fe24:9e87",
            "interface": "cxc1",
            "reach": 0xFFFF,
            "ureach": 0,
            "rxcost": 256,
            "txcost": 256,
            "cost": 256,
            "rtt_ms": 1.952,
        }

    def test_route_fields(self) -> None:
        routes = parse_dump(DUMP)["routes"]
        installed = [r for r in routes if r["installed"]]
        assert [r["prefix"] for r in installed] == ["10.99.210.2/32", "10.99.210.3/32"]
        r = routes[3]
        assert (r["metric"], r["refmetric"], r["router_id"]) == (
            514,
            258,
            "d4:49:4b:4e:ba:41:9c:c0",
        )
        assert (r["via"], r["interface"], r["source_prefix"]) == (
            "fe80::ec2e:7dff:fef0:a66c", "cxa1", "0.0.0.0/0",
        )  # fmt: skip

    def test_report_links_use_routed_address_and_keys(self) -> None:
        links = links_of(parse_dump(DUMP))
        assert [d.link["address"] for d in links] == ["10.99.210.2", "10.99.210.3"]
        first = links[0]
        assert first.link == {
            "address": "10.99.210.2", "interface": "cxa1", "rx_cost": 256, "tx_cost": 256,
            "cost": 1.0, "rtt_ms": 0.266,
        }  # fmt: skip
        assert "d0:a0:bd:43:8e:10:d7:9e" in first.keys  # the neighbour's router id
        assert "ee:2e:7d:f0:a6:6c" in first.keys  # its MAC, from the EUI-64 address

    def test_routes_only_installed(self) -> None:
        routes = routes_of(parse_dump(DUMP))
        assert routes == [
            {"destination": "10.99.210.2/32", "next": "fe80::ec2e:7dff:fef0:a66c", "cost": 1.0,
             "device": "cxa1"},
            {"destination": "10.99.210.3/32", "next": "fe80::546d:deff:fe24:9e87", "cost": 1.0,
             "device": "cxc1"},
        ]  # fmt: skip

    def test_unreachable_neighbour_is_not_a_link(self) -> None:
        text = DUMP.replace("rxcost 256 txcost 256 rtt 0.266 rttcost 0 cost 256",
                            "rxcost 65535 txcost 256 cost 65535")  # fmt: skip
        assert [d.link["address"] for d in links_of(parse_dump(text))] == ["10.99.210.3"]

    def test_wired_cost_is_one(self) -> None:
        line = "add neighbour 1 address fe80::1 if eth0 reach ffff rxcost 96 txcost 96 cost 96"
        (link,) = links_of(parse_dump(line))
        assert link.link["cost"] == 1.0 and link.link["address"] == "fe80::1"

    def test_monitor_change_and_flush(self) -> None:
        text = DUMP + (
            "change neighbour 55abfbd21e60 address fe80::ec2e:7dff:fef0:a66c if cxa1 "
            "reach ff00 rxcost 512 txcost 256 cost 512\n"
            "flush neighbour 55abfbd215e0 address fe80::546d:deff:fe24:9e87 if cxc1\n"
        )
        (nb,) = parse_dump(text)["neighbours"]
        assert (nb["reach"], nb["cost"], nb["rtt_ms"]) == (0xFF00, 512, None)

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "hello world\n",
            "add neighbour 1 address fe80::1 if eth0 reach zz rxcost 1 txcost 1 cost 1",
            "add neighbour 1 address fe80::1 if eth0 reach ffff rxcost 1 txcost 1",
            "add route 2 prefix 10.0.0.0/8 installed yes metric x via fe80::1 if eth0",
            "add neighbour 1 address",
        ],
    )
    def test_garbage_is_a_parse_error(self, text: str) -> None:
        with pytest.raises(ParseError):
            parse_dump(text)

    def test_unknown_kinds_are_ignored(self) -> None:
        s = parse_dump(DUMP + "add future-thing 7 colour blue\n")
        assert len(s["neighbours"]) == 2


def test_mac_from_link_local() -> None:
    assert mac_from_link_local("fe80::546d:deff:fe24:9e87") == "56:6d:de:24:9e:87"
    assert mac_from_link_local("fe80::1%eth0") is None
    assert mac_from_link_local("not an address") is None


# --------------------------------------------------------------------------- I/O


def _fake_babeld(port: int, answer: str, ready: threading.Event) -> None:
    """One connection: greeting, then the dump after 'dump'."""
    greeting, _, rest = answer.partition("ok\n")
    with socket.create_server(("127.0.0.1", port)) as srv:
        ready.set()
        conn, _ = srv.accept()
        with conn, conn.makefile("rwb") as f:
            f.write((greeting + "ok\n").encode())
            f.flush()
            assert f.readline() == b"dump\n"
            f.write(rest.encode())
            f.flush()
            f.readline()


@pytest.fixture
def fake_babeld() -> Iterator[int]:
    port = free_port()
    ready = threading.Event()
    t = threading.Thread(target=_fake_babeld, args=(port, DUMP, ready), daemon=True)
    t.start()
    ready.wait(5)
    yield port
    t.join(5)


def test_fetch_dump_reads_until_ok(fake_babeld: int) -> None:
    text = fetch_dump("127.0.0.1", fake_babeld, timeout=5)
    assert parse_dump(text) == parse_dump(DUMP)


def test_collector_against_fake_interface(fake_babeld: int) -> None:
    c = BabeldCollector({"host": "127.0.0.1", "port": fake_babeld})
    part = c.part(c.collect(Cycle()))
    assert len(part.links) == 2 and len(part.routes) == 2


def test_daemon_down_is_a_retrieval_error() -> None:
    with pytest.raises(RetrievalError, match="cannot connect to babeld"):
        fetch_dump("127.0.0.1", free_port(), timeout=1)


def test_silent_daemon_times_out() -> None:
    with socket.create_server(("127.0.0.1", 0)) as srv:
        port = srv.getsockname()[1]
        with pytest.raises(RetrievalError, match="did not answer"):
            fetch_dump("127.0.0.1", port, timeout=0.3)


# --------------------------------------------------------------------------- real babeld


def test_real_babeld_in_namespaces(tmp_path: Path) -> None:
    """Two namespaces joined by a veth, a real babeld in each: the collector sees the
    neighbour, its routed address and the installed route."""
    from tests.agent import netns

    netns.require()
    with netns.Mesh(tmp_path, nodes=2, edges=[(0, 1)], prefix="nat") as mesh:
        mesh.start_babeld()
        state = mesh.wait_for_routes(0, expected=1, timeout=30)
        (link,) = links_of(state)
        assert link.link["address"] == mesh.address(1)
        assert link.link["cost"] == 1.0  # a perfect wired hop (96)
        assert [r["destination"] for r in routes_of(state)] == [f"{mesh.address(1)}/32"]
