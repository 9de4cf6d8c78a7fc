"""SNMP: the pure parser on LibreNMS's real recordings, checked against LibreNMS's own
expected results (an independent oracle); the same through a real snmpsim on loopback
(v2c and v3); net-snmp's snmpd on loopback for IF-MIB; and the rate arithmetic."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from node_agent.collectors.base import Cycle
from node_agent.collectors.snmp_parse import parse_snmp
from node_agent.errors import RetrievalError
from node_agent.models import SnmpState, WirelessRadio
from tests.agent.support import PYSMI_WARNING, SnmpSim, free_port, load_snmprec

pytestmark = pytest.mark.filterwarnings(PYSMI_WARNING)

DEVICES = ["airos-af", "airos_airos8", "openwrt", "routeros", "routeros_rb433gl", "routeros_wifi"]
#: LibreNMS's airFiber poller reads eth0 from the airFiber MIB, not from IF-MIB
NOT_IF_MIB = {("airos-af", 3)}
MT = ".1.3.6.1.4.1.14988.1.1.1"
UB = ".1.3.6.1.4.1.41112.1.4"
#: sensor OID column -> (our radio field, factor from our unit to LibreNMS's)
SENSORS: dict[str, tuple[str, float]] = {
    f"{MT}.3.1.6": ("clients", 1), f"{MT}.3.1.7": ("frequency_mhz", 1),
    f"{MT}.3.1.9": ("noise_dbm", 1), f"{MT}.3.1.10": ("ccq_pct", 1),
    f"{MT}.3.1.2": ("tx_rate_mbps", 1e6), f"{MT}.3.1.3": ("rx_rate_mbps", 1e6),
    f"{MT}.8.1.6": ("frequency_mhz", 1), f"{MT}.8.1.12": ("rssi", 1),
    f"{MT}.8.1.13": ("tx_rate_mbps", 1e6), f"{MT}.9.1.10": ("distance_km", 1),
    f"{UB}.1.1.4": ("frequency_mhz", 1), f"{UB}.1.1.6": ("tx_power_dbm", 1),
    f"{UB}.1.1.7": ("distance_km", 1), f"{UB}.5.1.5": ("signal_dbm", 1),
    f"{UB}.5.1.6": ("rssi", 1), f"{UB}.5.1.7": ("ccq_pct", 1), f"{UB}.5.1.8": ("noise_dbm", 1),
    f"{UB}.5.1.9": ("tx_rate_mbps", 1e6), f"{UB}.5.1.10": ("rx_rate_mbps", 1e6),
    f"{UB}.5.1.15": ("clients", 1), f"{UB}.6.1.4": ("capacity_pct", 1),
    f"{UB}.6.1.7": ("utilisation_pct", 1),
}  # fmt: skip


def expected(snmp_data: Path, device: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((snmp_data / "expected" / f"{device}.json").read_text())
    return doc


def check_ports(state: SnmpState, device: str, doc: dict[str, Any]) -> int:
    ours = {i["index"]: i for i in state["interfaces"]}
    checked = 0
    for port in doc["ports"]["poller"]["ports"]:
        if (device, port["ifIndex"]) in NOT_IF_MIB:
            continue
        itf = ours[port["ifIndex"]]
        assert itf["name"] == port["ifName"], port["ifIndex"]
        assert (itf["in_octets"], itf["out_octets"]) == (port["ifInOctets"], port["ifOutOctets"])
        assert (itf["in_errors"], itf["out_errors"]) == (port["ifInErrors"], port["ifOutErrors"])
        assert itf["oper_up"] == (port["ifOperStatus"] == "up")
        if port["ifSpeed"]:
            assert itf["speed_mbps"] is not None
            assert itf["speed_mbps"] * 1e6 == port["ifSpeed"]
        checked += 1
    return checked


def radio_for(state: SnmpState, oid: str) -> WirelessRadio:
    index = oid.rsplit(".", 1)[1]
    if oid.startswith(f"{MT}.8.1") or oid.startswith(f"{MT}.9.1"):
        return next(r for r in state["radios"] if r["index"].startswith("60g."))
    return next(r for r in state["radios"] if r["index"] == index)


def check_sensors(state: SnmpState, doc: dict[str, Any]) -> int:
    checked = 0
    for sensor in doc.get("wireless", {}).get("poller", {}).get("wireless_sensors", []):
        (oid,) = json.loads(sensor["sensor_oids"])
        column = oid.rsplit(".", 1)[0]
        if column not in SENSORS:
            continue
        field, factor = SENSORS[column]
        value = radio_for(state, oid)[field]  # type: ignore[literal-required]
        assert value is not None, sensor["sensor_descr"]
        assert value * factor == pytest.approx(sensor["sensor_current"]), sensor["sensor_descr"]
        checked += 1
    return checked


@pytest.mark.parametrize("device", DEVICES)
def test_parser_matches_librenms(snmp_data: Path, device: str) -> None:
    state = parse_snmp(load_snmprec(snmp_data / "snmprec" / f"{device}.snmprec"))
    doc = expected(snmp_data, device)
    assert check_ports(state, device, doc) >= 3
    sensors = check_sensors(state, doc)
    if device in ("routeros", "routeros_rb433gl", "routeros_wifi", "airos_airos8"):
        assert sensors >= 4


def test_system_and_vendor(snmp_data: Path) -> None:
    state = parse_snmp(load_snmprec(snmp_data / "snmprec" / "airos_airos8.snmprec"))
    assert state["vendor"] == "ubiquiti"
    assert state["system"]["uptime_s"] == 9644501.0
    assert state["system"]["object_id"] == "1.3.6.1.4.1.10002.1"
    assert all(i["counter_bits"] == 32 for i in state["interfaces"])  # no ifXTable
    rb = parse_snmp(load_snmprec(snmp_data / "snmprec" / "routeros_rb433gl.snmprec"))
    assert rb["vendor"] == "mikrotik" and all(i["counter_bits"] == 64 for i in rb["interfaces"])


def test_mikrotik_registration_table(snmp_data: Path) -> None:
    state = parse_snmp(load_snmprec(snmp_data / "snmprec" / "routeros.snmprec"))
    stations = {s["mac"]: s for s in state["stations"]}
    assert len(stations) == 11
    # 1.3.6.1.4.1.14988.1.1.1.2.1.3.0.39.16.50.237.96.9|2|-63 in the recording
    assert stations["00:27:10:32:ed:60"] == {
        "mac": "00:27:10:32:ed:60", "if_index": 9, "signal_dbm": -63.0,
    }  # fmt: skip


# --------------------------------------------------------------------------- snmpsim


@pytest.fixture(autouse=True)
def _pysnmp_for_live_tests(request: pytest.FixtureRequest) -> None:
    if "snmpsim" in request.fixturenames or "snmpd" in request.fixturenames:
        pytest.importorskip("pysnmp.hlapi.v3arch.asyncio", reason="pysnmp is not installed")


def poll(settings: dict[str, Any]) -> SnmpState:
    pytest.importorskip("pysnmp.hlapi.v3arch.asyncio", reason="pysnmp is not installed")
    from node_agent.collectors.snmp import SnmpCollector

    c = SnmpCollector({"host": "127.0.0.1", "timeout": 3, "retries": 1, **settings})
    try:
        return c.collect(Cycle())
    finally:
        c.close()


@pytest.mark.parametrize("device", ["airos_airos8", "openwrt", "routeros", "routeros_wifi"])
def test_snmpsim_v2c(snmpsim: SnmpSim, snmp_data: Path, device: str) -> None:
    state = poll({"port": snmpsim.port, "community": device})
    offline = parse_snmp(load_snmprec(snmp_data / "snmprec" / f"{device}.snmprec"))
    assert state["interfaces"] == offline["interfaces"]
    assert state["radios"] == offline["radios"] and state["stations"] == offline["stations"]
    doc = expected(snmp_data, device)
    assert check_ports(state, device, doc) >= 3
    check_sensors(state, doc)


def test_snmpsim_v3_auth_priv(snmpsim: SnmpSim, snmp_data: Path) -> None:
    state = poll(
        {"port": snmpsim.port, "version": "3", "user": snmpsim.v3_user, "context": "routeros",
         "auth_protocol": "sha", "auth_key": snmpsim.v3_auth, "priv_protocol": "aes",
         "priv_key": snmpsim.v3_priv},
    )  # fmt: skip
    assert state["system"]["descr"] == "router"
    assert check_ports(state, "routeros", expected(snmp_data, "routeros")) == 11


def test_snmpsim_v3_wrong_key(snmpsim: SnmpSim) -> None:
    with pytest.raises(RetrievalError):
        poll({"port": snmpsim.port, "version": "3", "user": "agent", "context": "routeros",
              "auth_key": "not-the-key", "priv_key": snmpsim.v3_priv, "timeout": 1})  # fmt: skip


def test_timeout_is_a_retrieval_error() -> None:
    with pytest.raises(RetrievalError, match="before timeout"):
        poll({"port": free_port(socket.SOCK_DGRAM), "timeout": 0.2, "retries": 0})


def test_collector_part(snmpsim: SnmpSim) -> None:
    from node_agent.collectors.snmp import SnmpCollector

    c = SnmpCollector({"host": "127.0.0.1", "port": snmpsim.port, "community": "airos_airos8",
                       "link_interface": "ath0"})  # fmt: skip
    try:
        part = c.part(c.collect(Cycle()))
    finally:
        c.close()
    assert part.system == {"uptime_s": 9644501.0, "clients": 1}
    assert part.enrich["iface:ath0"] == {"signal_dbm": -70.0, "noise_dbm": -91.0, "rate_mbps": 39.0}
    ath0 = next(i for i in part.interfaces if i["name"] == "ath0")
    assert (ath0["rx_bytes"], ath0["tx_bytes"]) == (2365946539, 707218017)


# --------------------------------------------------------------------------- net-snmp


@pytest.fixture
def snmpd(tmp_path: Path) -> Iterator[int]:
    exe = shutil.which("snmpd") or ("/usr/sbin/snmpd" if Path("/usr/sbin/snmpd").exists() else None)
    if exe is None:
        pytest.skip("net-snmp's snmpd is not installed (apt-get install snmpd)")
    port = free_port(socket.SOCK_DGRAM)
    conf = tmp_path / "snmpd.conf"
    conf.write_text("rocommunity meshtest 127.0.0.1\n")
    log = tmp_path / "snmpd.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [exe, "-f", "-Lo", "-C", "-c", str(conf), "-p", str(tmp_path / "pid"),
             f"udp:127.0.0.1:{port}"],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = time.monotonic() + 20
    while b"NET-SNMP version" not in log.read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"snmpd did not start: {log.read_text()[-500:]}")
        time.sleep(0.1)
    try:
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


def test_netsnmp_ifmib_rates(snmpd: int) -> None:
    """Counters of ``lo`` grow with traffic we send; net-snmp refreshes its interface
    cache every few seconds, so poll until the counter moves: that poll has a rate."""
    from node_agent.collectors.snmp import SnmpCollector

    c = SnmpCollector({"host": "127.0.0.1", "port": snmpd, "community": "meshtest",
                       "timeout": 2, "retries": 3})  # fmt: skip
    try:
        first = c.collect(Cycle())
        lo0 = next(i for i in first["interfaces"] if i["name"] == "lo")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:  # ~1 MB over loopback
            for _ in range(1000):
                s.sendto(b"x" * 1000, ("127.0.0.1", 9))
        deadline = time.monotonic() + 15
        while True:
            time.sleep(1.0)
            state = c.collect(Cycle())
            lo = next(i for i in state["interfaces"] if i["name"] == "lo")
            if lo["in_octets"] > lo0["in_octets"] or time.monotonic() > deadline:
                break
    finally:
        c.close()
    assert first["vendor"] == "generic" and "Linux" in (first["system"]["descr"] or "")
    assert all(r["in_bps"] is None for r in first["rates"])  # one poll: no rate yet
    assert lo["counter_bits"] == 64 and lo["oper_up"]
    assert lo["in_octets"] - lo0["in_octets"] >= 1_000_000
    rate = next(r for r in state["rates"] if r["name"] == "lo")
    assert rate["in_bps"] is not None and rate["in_bps"] > 0


def test_later_polls_reuse_names_and_speeds(snmpsim: SnmpSim) -> None:
    """Polls between full ones walk only the changing columns; the state is the same."""
    from node_agent.collectors.snmp import SnmpCollector

    c = SnmpCollector({"host": "127.0.0.1", "port": snmpsim.port, "community": "routeros",
                       "static_every": 3})  # fmt: skip
    try:
        states = [c.collect(Cycle()) for _ in range(4)]
    finally:
        c.close()
    for later in states[1:]:
        assert later["interfaces"] == states[0]["interfaces"]
        assert later["stations"] == states[0]["stations"]
    assert c._polls == 4 and c._static is not None and len(c._static) >= 2 * 12  # names, speeds
