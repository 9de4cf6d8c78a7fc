"""Building the report: assembly, enrichment, limits, and the body validated by the
service's own schema (topology.ingest.report.Report, the server side of docs/api.md)."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

import pytest

from node_agent.collectors.babeld import links_of, parse_dump, routes_of
from node_agent.collectors.base import LinkDraft, Part
from node_agent.models import CollectorStatus, ReportInterface, ReportLink, ReportRoute
from node_agent.report import build_report, decode, encode
from tests.agent.support import DATA

T = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
OK = [CollectorStatus(name="babeld", ok=True, error="")]


def babel_part() -> Part:
    state = parse_dump((DATA / "babeld-dump.txt").read_text())
    return Part(links=links_of(state), routes=routes_of(state))


def test_body_shape_is_accepted_by_the_service_schema() -> None:
    report_model = pytest.importorskip("topology.ingest.report").Report
    system = Part(
        interfaces=[ReportInterface(name="wlan0", rx_bytes=10, tx_bytes=20, oper_up=True)],
        system={"uptime_s": 86400.0, "load1": 0.1, "memory_used_pct": 40.0},
    )
    body = build_report(seq=7, time=T, interval_s=60, parts=[babel_part(), system],
                        statuses=OK, dropped_reports=2)  # fmt: skip
    assert body["time"] == "2026-11-27T14:00:00Z"
    parsed = report_model.model_validate_json(gzip.decompress(encode(body)))
    assert (parsed.seq, parsed.dropped_reports, len(parsed.links)) == (7, 2, 2)
    assert parsed.links[0].address == "10.99.210.2" and parsed.links[0].cost == 1.0
    assert parsed.system.uptime_s == 86400.0
    assert [r.destination for r in parsed.routes] == ["10.99.210.2/32", "10.99.210.3/32"]


def test_enrichment_and_neighbour_ids() -> None:
    probes = Part(enrich={"10.99.210.3": ReportLink(rtt_ms=4.2, loss=0.25)},
                  macs={"10.99.210.2": "aa:bb:cc:00:00:01"})  # fmt: skip
    snmp = Part(
        enrich={
            "aa:bb:cc:00:00:01": ReportLink(signal_dbm=-61.0, noise_dbm=-95.0),
            "iface:cxc1": ReportLink(rate_mbps=150.0, signal_dbm=-70.0),
        },
        system={"uptime_s": 1.0, "clients": 4},
    )
    body = build_report(
        seq=1, time=T, interval_s=60, parts=[babel_part(), snmp, probes], statuses=OK,
        neighbour_map={"D4:49:4B:4E:BA:41:9C:C0": "mesh:n3"},  # babeld router id of .3
    )  # fmt: skip
    a, b = body["links"]
    assert a["signal_dbm"] == -61.0 and a["noise_dbm"] == -95.0  # matched by the ARP MAC
    assert "neighbour" not in a and a["rtt_ms"] == 0.266  # babeld's own RTT is kept
    assert b["neighbour"] == "mesh:n3"
    assert (b["loss"], b["rate_mbps"], b["signal_dbm"]) == (0.25, 150.0, -70.0)
    assert body["system"] == {"uptime_s": 1.0, "clients": 4}


def test_limits_and_cleaning() -> None:
    many = Part(
        links=[LinkDraft(ReportLink(address=f"10.0.{i // 256}.{i % 256}", cost=float("inf")))
               for i in range(600)],
        interfaces=[ReportInterface(name=f"if{i}") for i in range(300)]
        + [ReportInterface(name="if1"), ReportInterface(name="")],
        routes=[ReportRoute(destination=f"10.{i}.0.0/16", next="", cost=None, device="")
                for i in range(30)],
    )  # fmt: skip
    weird = Part(links=[LinkDraft(ReportLink(address="bad\x00name" + "x" * 80)),
                        LinkDraft(ReportLink(interface="wlan0"))])  # fmt: skip
    body = build_report(seq=1, time=T, interval_s=60, parts=[weird, many], statuses=OK,
                        max_routes=10)  # fmt: skip
    assert len(body["links"]) == 512 and len(body["interfaces"]) == 256
    assert len(body["routes"]) == 10
    first = body["links"][0]
    assert first["address"] == "badname" + "x" * 57 and len(first["address"]) == 64
    assert all("cost" not in lk for lk in body["links"][1:])  # infinite costs dropped
    assert all(lk.get("interface") != "wlan0" for lk in body["links"])  # no address: dropped


def test_routes_can_be_left_out() -> None:
    body = build_report(seq=1, time=T, interval_s=60, parts=[babel_part()], statuses=OK,
                        routes=False)  # fmt: skip
    assert "routes" not in body and "system" not in body


def test_encode_is_deterministic_and_compact() -> None:
    body = build_report(seq=3, time=T, interval_s=60, parts=[babel_part()], statuses=OK)
    data = encode(body)
    assert data == encode(body) and decode(data) == body
    assert b" " not in gzip.decompress(data).replace(b"babeld", b"")
    assert json.loads(gzip.decompress(data))["seq"] == 3


def test_ten_neighbours_fit_in_4_kb() -> None:
    drafts = [
        LinkDraft(ReportLink(address=f"10.228.{i}.1", interface=f"wlan{i % 2}", rx_cost=256 + i,
                             tx_cost=300 + i, cost=1.2 + i / 10, signal_dbm=-60 - i,
                             noise_dbm=-95, rate_mbps=150, rtt_ms=2.5 + i, loss=0.01 * i))
        for i in range(10)
    ]  # fmt: skip
    routes = [ReportRoute(destination=f"10.228.{i}.0/27", next=f"fe80::{i:x}", cost=1.0 + i,
                          device="wlan0") for i in range(40)]  # fmt: skip
    body = build_report(seq=123456, time=T, interval_s=60, parts=[Part(links=drafts,
                        routes=routes)], statuses=OK)  # fmt: skip
    assert len(encode(body)) <= 4096
