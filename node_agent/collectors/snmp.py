"""SNMP (v2c and v3) with pysnmp 7's asyncio API: MIB-II system, IF-MIB counters and
rates, MikroTik and Ubiquiti airOS wireless tables.

The pure part is :mod:`node_agent.collectors.snmp_parse` (``{oid: value}`` to
:class:`~node_agent.models.SnmpState`, rates). This module is the I/O: one
``get_cmd`` for the system group, then GETBULK walks of every wanted column at once
(``bulk_cmd`` with one varbind per column, so a table of 20 interfaces costs one or two
round trips). pysnmp is imported when the collector is created, never by a babeld-only
agent. The engine and an event loop live as long as the collector.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any, ClassVar

from node_agent.collectors.base import Collector, Cycle, Part
from node_agent.collectors.snmp_parse import (
    DYNAMIC_COLUMNS,
    IF_COLUMNS,
    IF_TABLE,
    IF_X_COLUMNS,
    IF_X_TABLE,
    OCTETS_32,
    STATIC_COLUMNS,
    SYS_DESCR,
    SYS_NAME,
    SYS_OBJECT_ID,
    SYS_UPTIME,
    VENDOR_TREES,
    CounterSample,
    column,
    counter_rate,
    parse_snmp,
    unwrapped_total,
    vendor_of,
)
from node_agent.errors import MissingDependency, RetrievalError
from node_agent.models import InterfaceRate, ReportInterface, ReportLink, SnmpState

AUTH = {
    "md5": "USM_AUTH_HMAC96_MD5",
    "sha": "USM_AUTH_HMAC96_SHA",
    "sha224": "USM_AUTH_HMAC128_SHA224",
    "sha256": "USM_AUTH_HMAC192_SHA256",
    "sha384": "USM_AUTH_HMAC256_SHA384",
    "sha512": "USM_AUTH_HMAC384_SHA512",
}
PRIV = {
    "des": "USM_PRIV_CBC56_DES",
    "3des": "USM_PRIV_CBC168_3DES",
    "aes": "USM_PRIV_CFB128_AES",
    "aes128": "USM_PRIV_CFB128_AES",
    "aes192": "USM_PRIV_CFB192_AES",
    "aes256": "USM_PRIV_CFB256_AES",
}


def _hlapi() -> Any:
    try:
        from pysnmp.hlapi.v3arch import (  # type: ignore[import-untyped,unused-ignore]
            asyncio as hlapi,
        )
    except ImportError:
        raise MissingDependency("pysnmp") from None
    return hlapi


def _oid_key(oid: str) -> tuple[int, ...]:
    return tuple(int(p) for p in oid.split("."))


def plain(value: Any) -> Any:
    """A pysnmp value as plain Python: int, bytes or a dotted OID string; ``None`` for
    the exception values (noSuchObject, noSuchInstance, endOfMibView) and Null."""
    from pyasn1.type import univ  # type: ignore[import-untyped,unused-ignore]

    if isinstance(value, univ.Null):
        return None
    if isinstance(value, univ.Integer):
        return int(value)
    if isinstance(value, univ.OctetString):
        return bytes(value.asOctets())
    if isinstance(value, univ.ObjectIdentifier):
        return str(value)
    return None


class SnmpClient:
    """One device: ``get`` scalars and ``walk`` several subtrees with GETBULK."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.h = _hlapi()
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.engine = self.h.SnmpEngine()
        context = settings.get("context")
        self.context = (
            self.h.ContextData(contextName=str(context)) if context else self.h.ContextData()
        )
        self.auth = self._auth()
        self.target: Any = None
        self.max_repetitions = int(settings.get("max_repetitions", 25))

    def _auth(self) -> Any:
        s, h = self.settings, self.h
        if str(s.get("version", "2c")) != "3":
            return h.CommunityData(str(s.get("community", "public")), mpModel=1)
        auth_key, priv_key = s.get("auth_key"), s.get("priv_key")
        return h.UsmUserData(
            str(s["user"]),
            authKey=str(auth_key) if auth_key else None,
            privKey=str(priv_key) if priv_key else None,
            authProtocol=getattr(h, AUTH[str(s.get("auth_protocol", "sha")).lower()])
            if auth_key
            else h.USM_AUTH_NONE,
            privProtocol=getattr(h, PRIV[str(s.get("priv_protocol", "aes")).lower()])
            if priv_key
            else h.USM_PRIV_NONE,
        )

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    async def _target(self) -> Any:
        if self.target is None:
            host = str(self.settings.get("host", "127.0.0.1"))
            port = int(self.settings.get("port", 161))
            cls = self.h.Udp6TransportTarget if ":" in host else self.h.UdpTransportTarget
            self.target = await cls.create(
                (host, port),
                timeout=float(self.settings.get("timeout", 2.0)),
                retries=int(self.settings.get("retries", 1)),
            )
        return self.target

    def _check(self, error_indication: Any, error_status: Any, error_index: Any) -> None:
        if error_indication:
            host = self.settings.get("host", "127.0.0.1")
            raise RetrievalError(f"SNMP {host}: {error_indication}")
        if error_status and int(error_status):
            raise RetrievalError(f"SNMP error {error_status.prettyPrint()} at {error_index}")

    async def get(self, oids: Sequence[str]) -> dict[str, Any]:
        h = self.h
        target = await self._target()
        ei, es, ex, var_binds = await h.get_cmd(
            self.engine, self.auth, target, self.context,
            *(h.ObjectType(h.ObjectIdentity(o)) for o in oids), lookupMib=False,
        )  # fmt: skip
        self._check(ei, es, ex)
        return {str(name): plain(value) for name, value in var_binds}

    async def walk(self, trees: Sequence[str]) -> dict[str, Any]:
        """Every value under each of ``trees``, walked side by side with GETBULK."""
        h = self.h
        target = await self._target()
        out: dict[str, Any] = {}
        cursors = {t: t for t in trees}
        while cursors:
            cols = list(cursors)
            ei, es, ex, var_binds = await h.bulk_cmd(
                self.engine, self.auth, target, self.context, 0, self.max_repetitions,
                *(h.ObjectType(h.ObjectIdentity(cursors[c])) for c in cols), lookupMib=False,
            )  # fmt: skip
            self._check(ei, es, ex)
            finished = set() if var_binds else set(cols)
            for i, (name, value) in enumerate(var_binds):
                col = cols[i % len(cols)]
                if col in finished:
                    continue
                oid = str(name)
                val = plain(value)
                if (
                    val is None
                    or not oid.startswith(col + ".")
                    or _oid_key(oid) <= _oid_key(cursors[col])
                ):
                    finished.add(col)
                    continue
                out[oid] = val
                cursors[col] = oid
            for col in finished:
                cursors.pop(col, None)
        return out

    async def poll(
        self, vendor: str | None, static: dict[str, Any] | None
    ) -> tuple[dict[str, Any], str]:
        """System group, interfaces and the vendor's tables. With ``static`` (the values
        of :data:`STATIC_COLUMNS` from an earlier poll) only the changing columns are
        walked: half the work."""
        data = await self.get([SYS_DESCR, SYS_OBJECT_ID, SYS_UPTIME, SYS_NAME])
        kind = vendor or vendor_of(data.get(SYS_OBJECT_ID))
        if static is None:
            columns = [*IF_COLUMNS, *IF_X_COLUMNS]
        else:
            has_hc = any(k.startswith(f"{IF_X_TABLE}.6.") for k in static)
            columns = [*DYNAMIC_COLUMNS, *(() if has_hc else OCTETS_32)]
        data.update(await self.walk([*columns, *VENDOR_TREES[kind]]))
        if static is not None:
            data.update(static)
        return data, kind

    def close(self) -> None:
        """Close the transports, let the dispatcher's timer task end, close the loop."""
        try:
            self.engine.close_dispatcher()
            pending = asyncio.all_tasks(self.loop)
            for task in pending:
                task.cancel()
            if pending:
                self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        finally:
            self.loop.close()


class SnmpCollector(Collector[SnmpState]):
    """Settings: ``host``, ``port`` (161), ``version`` (``2c`` or ``3``), ``community``;
    v3: ``user``, ``auth_protocol`` (md5, sha, sha256, ...), ``auth_key``,
    ``priv_protocol`` (des, aes, aes256, ...), ``priv_key``; ``vendor`` (auto by
    sysObjectID: ``mikrotik``, ``ubiquiti``, ``generic``); ``timeout`` (2 s), ``retries``
    (1); ``context`` (v3 context name); ``link_interface``: the local interface whose
    links this radio carries (its signal, noise and rate go onto them);
    ``static_every`` (10): interface names and speeds are read every that many polls
    (and after a reboot or a new interface), the counters every poll."""

    name: ClassVar[str] = "snmp"

    def __init__(self, settings: dict[str, Any]) -> None:
        super().__init__(settings)
        self.client: SnmpClient | None = None
        self._static: dict[str, Any] | None = None
        self._polls = 0
        self._samples: dict[tuple[int, str], CounterSample] = {}
        self._totals: dict[tuple[int, str], int] = {}
        self._uptime: float | None = None

    def collect(self, cycle: Cycle) -> SnmpState:
        if self.client is None:
            self.client = SnmpClient(self.settings)
        vendor = self.settings.get("vendor")
        every = int(self.settings.get("static_every", 10))
        static = self._static if self._polls % every else None
        self._polls += 1
        data, kind = self.client.run(
            self.client.poll(None if vendor in (None, "auto") else vendor, static)
        )
        state = parse_snmp(data, kind)
        if self._uptime is not None and (state["system"]["uptime_s"] or 0) < self._uptime:
            self._polls = 0  # rebooted: read names and speeds again next time
        if static is None:
            prefixes = tuple(c + "." for c in STATIC_COLUMNS)
            self._static = {k: v for k, v in data.items() if k.startswith(prefixes)}
        else:
            named = set(column(static, f"{IF_TABLE}.2")) | set(column(static, f"{IF_X_TABLE}.1"))
            if set(column(data, f"{IF_TABLE}.8")) - named:
                self._polls = 0  # a new interface appeared: read its name next time
        self._rates(state, time.monotonic())
        return state

    def _rates(self, state: SnmpState, now: float) -> None:
        """Rates since the previous poll, and monotonic totals for the report."""
        uptime = state["system"]["uptime_s"]
        rebooted = uptime is not None and self._uptime is not None and uptime < self._uptime
        self._uptime = uptime
        rates: list[InterfaceRate] = []
        for itf in state["interfaces"]:
            bits = itf["counter_bits"]
            max_bps = itf["speed_mbps"] * 1e6 if itf["speed_mbps"] else None
            rate: dict[str, float | None] = {}
            for direction, value in (("in", itf["in_octets"]), ("out", itf["out_octets"])):
                key = (itf["index"], direction)
                cur = CounterSample(value, uptime, now)
                prev = self._samples.get(key)
                rate[direction] = counter_rate(prev, cur, bits, max_bps)
                self._totals[key] = unwrapped_total(
                    None if prev is None else prev.value,
                    self._totals.get(key),
                    value,
                    bits,
                    rebooted,
                )
                self._samples[key] = cur
            rates.append(InterfaceRate(name=itf["name"], in_bps=rate["in"], out_bps=rate["out"]))
        state["rates"] = rates

    def part(self, state: SnmpState) -> Part:
        part = Part()
        for itf in state["interfaces"]:
            row = ReportInterface(
                name=itf["name"][:64],
                rx_bytes=self._totals.get((itf["index"], "in"), itf["in_octets"]),
                tx_bytes=self._totals.get((itf["index"], "out"), itf["out_octets"]),
                rx_errors=itf["in_errors"],
                tx_errors=itf["out_errors"],
                oper_up=itf["oper_up"],
            )
            if itf["speed_mbps"] is not None:
                row["speed_mbps"] = itf["speed_mbps"]
            part.interfaces.append(row)
        uptime = state["system"]["uptime_s"]
        if uptime is not None:
            part.system["uptime_s"] = uptime
        clients = [r["clients"] for r in state["radios"] if r["clients"] is not None]
        if clients:
            part.system["clients"] = sum(clients)
        radios = {r["index"]: r for r in state["radios"]}
        for sta in state["stations"]:
            extra = ReportLink()
            if sta["signal_dbm"] is not None:
                extra["signal_dbm"] = sta["signal_dbm"]
            radio = radios.get(str(sta["if_index"]))
            if radio is not None and radio["noise_dbm"] is not None and radio["noise_dbm"] < 0:
                extra["noise_dbm"] = radio["noise_dbm"]
            part.enrich[sta["mac"]] = extra
        iface = self.settings.get("link_interface")
        if iface and len(state["radios"]) == 1:
            r = state["radios"][0]
            extra = ReportLink()
            for key, value in (
                ("signal_dbm", r["signal_dbm"]),
                ("noise_dbm", r["noise_dbm"]),
                ("rate_mbps", r["tx_rate_mbps"]),
            ):
                if value is not None:
                    extra[key] = value  # type: ignore[literal-required]
            part.enrich[f"iface:{iface}"] = extra
        return part

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
