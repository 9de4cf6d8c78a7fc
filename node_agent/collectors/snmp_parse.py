"""Pure SNMP parsing: a walked ``{oid: value}`` map to an :class:`SnmpState`, and rates.

Values are plain Python: integers (Integer32, Counter32/64, Gauge32, TimeTicks), bytes
(OCTET STRING), str (OBJECT IDENTIFIER, dotted). OIDs are dotted, without a leading dot.
The OID of every vendor value is the one LibreNMS uses (its ``sensor_oids``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from node_agent.models import SnmpInterface, SnmpState, SnmpSystem, WirelessRadio, WirelessStation

SYSTEM = "1.3.6.1.2.1.1"
SYS_DESCR, SYS_OBJECT_ID, SYS_UPTIME, SYS_NAME = (f"{SYSTEM}.{i}.0" for i in (1, 2, 3, 5))
IF_TABLE = "1.3.6.1.2.1.2.2.1"
IF_X_TABLE = "1.3.6.1.2.1.31.1.1.1"
#: ifTable columns: descr, speed, operStatus, inOctets, inErrors, outOctets, outErrors
IF_COLUMNS = tuple(f"{IF_TABLE}.{c}" for c in (2, 5, 8, 10, 14, 16, 20))
#: ifXTable columns: name, HCInOctets, HCOutOctets, highSpeed
IF_X_COLUMNS = tuple(f"{IF_X_TABLE}.{c}" for c in (1, 6, 10, 15))
#: columns that rarely change (names, speeds): walked every few polls only
STATIC_COLUMNS = tuple(f"{IF_TABLE}.{c}" for c in (2, 5)) + tuple(
    f"{IF_X_TABLE}.{c}" for c in (1, 15)
)
#: columns read every poll: operStatus, errors, 64-bit octets (32-bit ones when needed)
DYNAMIC_COLUMNS = tuple(f"{IF_TABLE}.{c}" for c in (8, 14, 20)) + tuple(
    f"{IF_X_TABLE}.{c}" for c in (6, 10)
)
OCTETS_32 = tuple(f"{IF_TABLE}.{c}" for c in (10, 16))

MIKROTIK = "1.3.6.1.4.1.14988"
MT_AP = f"{MIKROTIK}.1.1.1.3.1"  # AP table, index ifIndex
MT_REG = f"{MIKROTIK}.1.1.1.2.1"  # registration table, index MAC(6).ifIndex
MT_60G = f"{MIKROTIK}.1.1.1.8.1"  # 60 GHz interface table
MT_60G_STA = f"{MIKROTIK}.1.1.1.9.1"  # 60 GHz station table
UBNT = "1.3.6.1.4.1.41112.1.4"
UB_RADIO, UB_WSTAT, UB_AIRMAX = f"{UBNT}.1.1", f"{UBNT}.5.1", f"{UBNT}.6.1"
#: The subtrees to walk per vendor.
VENDOR_TREES = {
    "mikrotik": (MT_AP, MT_REG, MT_60G, MT_60G_STA),
    "ubiquiti": (UB_RADIO, UB_WSTAT, UB_AIRMAX),
    "generic": (),
}


def vendor_of(object_id: str | None) -> str:
    """``mikrotik``, ``ubiquiti`` or ``generic`` from sysObjectID (airOS says 10002)."""
    oid = (object_id or "").lstrip(".")
    if oid.startswith(MIKROTIK):
        return "mikrotik"
    if oid.startswith(("1.3.6.1.4.1.41112", "1.3.6.1.4.1.10002")):
        return "ubiquiti"
    return "generic"


def text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def number(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    try:
        return int(text(value) or "")
    except ValueError:
        return None


def column(data: Mapping[str, Any], col: str) -> dict[str, Any]:
    """Rows of one table column: ``{index suffix: value}``."""
    prefix = col + "."
    return {oid[len(prefix) :]: v for oid, v in data.items() if oid.startswith(prefix)}


def parse_system(data: Mapping[str, Any]) -> SnmpSystem:
    ticks = number(data.get(SYS_UPTIME))
    return SnmpSystem(
        descr=text(data.get(SYS_DESCR)),
        object_id=text(data.get(SYS_OBJECT_ID)),
        uptime_s=None if ticks is None else ticks / 100.0,
        name=text(data.get(SYS_NAME)),
    )


def parse_interfaces(data: Mapping[str, Any]) -> list[SnmpInterface]:
    """IF-MIB rows, sorted by ifIndex. 64-bit octets when the ifXTable has them."""
    cols = {c: column(data, c) for c in (*IF_COLUMNS, *IF_X_COLUMNS)}
    descr, speed, oper, in_oct, in_err, out_oct, out_err = (cols[c] for c in IF_COLUMNS)
    name, hc_in, hc_out, high = (cols[c] for c in IF_X_COLUMNS)
    out: list[SnmpInterface] = []
    for index in sorted(set(descr) | set(name), key=lambda i: number(i) or 0):
        hc = index in hc_in and index in hc_out
        high_speed = number(high.get(index))
        low_speed = number(speed.get(index))
        if high_speed:
            speed_mbps: float | None = float(high_speed)
        elif low_speed and low_speed < 0xFFFFFFFF:
            speed_mbps = low_speed / 1e6
        else:
            speed_mbps = None
        out.append(
            SnmpInterface(
                index=number(index) or 0,
                name=text(name.get(index)) or text(descr.get(index)) or f"if{index}",
                descr=text(descr.get(index)) or "",
                oper_up=number(oper.get(index)) == 1,
                in_octets=number((hc_in if hc else in_oct).get(index)) or 0,
                out_octets=number((hc_out if hc else out_oct).get(index)) or 0,
                in_errors=number(in_err.get(index)) or 0,
                out_errors=number(out_err.get(index)) or 0,
                speed_mbps=speed_mbps,
                counter_bits=64 if hc else 32,
            )
        )
    return out


def _radio(index: str) -> WirelessRadio:
    return WirelessRadio(
        index=index, ssid=None, clients=None, frequency_mhz=None, noise_dbm=None,
        ccq_pct=None, signal_dbm=None, rssi=None, tx_rate_mbps=None, rx_rate_mbps=None,
        distance_km=None, tx_power_dbm=None, capacity_pct=None, utilisation_pct=None,
    )  # fmt: skip


def _scaled(value: Any, divisor: float) -> float | None:
    n = number(value)
    return None if n is None else n / divisor


def parse_mikrotik(data: Mapping[str, Any]) -> tuple[list[WirelessRadio], list[WirelessStation]]:
    """AP table (clients .6, frequency .7, noise floor .9, CCQ .10, tx/rx rate .2/.3 in
    bit/s), the 60 GHz table (frequency .6, RSSI .12, rate .13 in Mbit/s), the 60 GHz
    station distance (.10, 1/100000 km) and the registration table (signal .3)."""
    radios: dict[str, WirelessRadio] = {}
    for idx, ssid in column(data, f"{MT_AP}.4").items():
        r = radios.setdefault(idx, _radio(idx))
        r["ssid"] = text(ssid)
        r["clients"] = number(data.get(f"{MT_AP}.6.{idx}"))
        r["frequency_mhz"] = _scaled(data.get(f"{MT_AP}.7.{idx}"), 1)
        r["noise_dbm"] = _scaled(data.get(f"{MT_AP}.9.{idx}"), 1)
        r["ccq_pct"] = _scaled(data.get(f"{MT_AP}.10.{idx}"), 1)
        r["tx_rate_mbps"] = _scaled(data.get(f"{MT_AP}.2.{idx}"), 1e6)
        r["rx_rate_mbps"] = _scaled(data.get(f"{MT_AP}.3.{idx}"), 1e6)
    for idx, freq in column(data, f"{MT_60G}.6").items():
        r = radios.setdefault(f"60g.{idx}", _radio(f"60g.{idx}"))
        r["ssid"] = text(data.get(f"{MT_60G}.3.{idx}"))
        r["frequency_mhz"] = _scaled(freq, 1)
        r["rssi"] = _scaled(data.get(f"{MT_60G}.12.{idx}"), 1)
        r["signal_dbm"] = r["rssi"]
        r["tx_rate_mbps"] = _scaled(data.get(f"{MT_60G}.13.{idx}"), 1)
        dist = [v for k, v in column(data, f"{MT_60G_STA}.10").items()]
        if dist:
            r["distance_km"] = _scaled(dist[0], 100000)
    stations: list[WirelessStation] = []
    for idx, strength in column(data, f"{MT_REG}.3").items():
        parts = idx.split(".")
        if len(parts) != 7:
            continue
        mac = ":".join(f"{int(p):02x}" for p in parts[:6])
        stations.append(
            WirelessStation(mac=mac, if_index=int(parts[6]), signal_dbm=_scaled(strength, 1))
        )
    return list(radios.values()), stations


def parse_ubiquiti(data: Mapping[str, Any]) -> list[WirelessRadio]:
    """airOS: radio (frequency .4, tx power .6, distance .7 in m), wireless statistics
    (signal .5, RSSI .6, CCQ .7, noise .8, tx/rx rate .9/.10 in bit/s, clients .15) and
    airMAX (capacity .4, utilisation .7 in tenths of a percent)."""
    radios: dict[str, WirelessRadio] = {}
    indices = set(column(data, f"{UB_RADIO}.4")) | set(column(data, f"{UB_WSTAT}.5"))
    for idx in sorted(indices):
        r = radios.setdefault(idx, _radio(idx))
        r["frequency_mhz"] = _scaled(data.get(f"{UB_RADIO}.4.{idx}"), 1)
        r["tx_power_dbm"] = _scaled(data.get(f"{UB_RADIO}.6.{idx}"), 1)
        r["distance_km"] = _scaled(data.get(f"{UB_RADIO}.7.{idx}"), 1000)
        r["signal_dbm"] = _scaled(data.get(f"{UB_WSTAT}.5.{idx}"), 1)
        r["rssi"] = _scaled(data.get(f"{UB_WSTAT}.6.{idx}"), 1)
        r["ccq_pct"] = _scaled(data.get(f"{UB_WSTAT}.7.{idx}"), 1)
        r["noise_dbm"] = _scaled(data.get(f"{UB_WSTAT}.8.{idx}"), 1)
        r["tx_rate_mbps"] = _scaled(data.get(f"{UB_WSTAT}.9.{idx}"), 1e6)
        r["rx_rate_mbps"] = _scaled(data.get(f"{UB_WSTAT}.10.{idx}"), 1e6)
        r["clients"] = number(data.get(f"{UB_WSTAT}.15.{idx}"))
        r["capacity_pct"] = _scaled(data.get(f"{UB_AIRMAX}.4.{idx}"), 1)
        r["utilisation_pct"] = _scaled(data.get(f"{UB_AIRMAX}.7.{idx}"), 10)
    return list(radios.values())


def parse_snmp(data: Mapping[str, Any], vendor: str | None = None) -> SnmpState:
    """The whole state of one device from its walked values."""
    system = parse_system(data)
    kind = vendor or vendor_of(system["object_id"])
    radios: list[WirelessRadio] = []
    stations: list[WirelessStation] = []
    if kind == "mikrotik":
        radios, stations = parse_mikrotik(data)
    elif kind == "ubiquiti":
        radios = parse_ubiquiti(data)
    return SnmpState(
        vendor="mikrotik"
        if kind == "mikrotik"
        else "ubiquiti"
        if kind == "ubiquiti"
        else "generic",
        system=system,
        interfaces=parse_interfaces(data),
        rates=[],
        radios=radios,
        stations=stations,
    )


# --------------------------------------------------------------------------- rates


@dataclass(frozen=True, slots=True)
class CounterSample:
    """One reading of a counter: its value, the device's uptime (s) and the agent's
    monotonic clock (s) when it was read."""

    value: int
    uptime_s: float | None
    at_s: float


def counter_rate(
    prev: CounterSample | None,
    cur: CounterSample,
    bits: int = 64,
    max_bps: float | None = None,
) -> float | None:
    """Bits per second between two readings of an octet counter, or ``None``.

    * a counter below its previous value wrapped once (add 2**bits) - unless the device
      rebooted (its uptime went down), which restarts counters: no rate this time;
    * a 64-bit counter never wraps in practice: going down is a reset, no rate;
    * a "wrap" implying a rate above ``max_bps`` (the interface speed, with 10 % slack)
      is really a reset (counters cleared, interface re-created): no rate rather than a
      spike. Plain increases are never discarded (agents that cache their counters,
      like net-snmp, legitimately show bursts).

    >>> counter_rate(CounterSample(100, 10, 0), CounterSample(1100, 20, 10))
    800.0
    >>> counter_rate(CounterSample(2**32 - 100, 10, 0), CounterSample(900, 20, 10), bits=32)
    800.0
    >>> counter_rate(CounterSample(5000, 900, 0), CounterSample(100, 5, 10)) is None
    True
    """
    if prev is None:
        return None
    if cur.uptime_s is not None and prev.uptime_s is not None:
        if cur.uptime_s < prev.uptime_s:
            return None  # rebooted (or sysUpTime wrapped after 497 days): start again
        elapsed = cur.uptime_s - prev.uptime_s
        if elapsed <= 0:
            elapsed = cur.at_s - prev.at_s
    else:
        elapsed = cur.at_s - prev.at_s
    if elapsed <= 0:
        return None
    delta = cur.value - prev.value
    if delta >= 0:
        return delta * 8 / elapsed
    if bits >= 64:
        return None
    rate = (delta + (1 << bits)) * 8 / elapsed
    if max_bps is not None and max_bps > 0 and rate > max_bps * 1.1:
        return None  # not a wrap: a reset (counters cleared, interface re-created)
    return rate


def unwrapped_total(
    prev_raw: int | None, prev_total: int | None, raw: int, bits: int, rebooted: bool
) -> int:
    """A monotonic total from a wrapping counter (for the report's ``rx_bytes``): adds
    the wrapped-around amount; a reboot or a 64-bit decrease restarts from ``raw``.

    >>> unwrapped_total(2**32 - 10, 2**32 - 10, 5, 32, False)
    4294967301
    >>> unwrapped_total(500, 900, 100, 32, True)
    100
    """
    if prev_raw is None or prev_total is None or rebooted:
        return raw
    delta = raw - prev_raw
    if delta < 0:
        if bits >= 64:
            return raw
        delta += 1 << bits
    return prev_total + delta
