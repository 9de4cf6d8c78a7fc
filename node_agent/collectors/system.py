"""The machine the agent runs on (an OpenWrt router, usually): ``/proc`` figures.

Pure parsers of ``/proc/uptime``, ``/proc/loadavg``, ``/proc/meminfo`` and
``/proc/net/dev``; the I/O reads them and each interface's ``operstate`` and ``speed``.
Cheap (no library), so it is on by default.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from node_agent.collectors._io import read_file
from node_agent.collectors.base import Collector, Cycle, Part
from node_agent.errors import ParseError
from node_agent.models import NetDev, ReportInterface, ReportSystem, SystemState


def parse_uptime(text: str) -> float:
    try:
        return float(text.split()[0])
    except (IndexError, ValueError):
        raise ParseError(f"/proc/uptime: unexpected {text[:40]!r}") from None


def parse_loadavg(text: str) -> float:
    try:
        return float(text.split()[0])
    except (IndexError, ValueError):
        raise ParseError(f"/proc/loadavg: unexpected {text[:40]!r}") from None


def parse_meminfo(text: str) -> float | None:
    """Used memory in percent: ``100 * (1 - MemAvailable / MemTotal)`` (MemFree plus
    buffers and cache on kernels without MemAvailable)."""
    kb: dict[str, int] = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            kb[key] = int(parts[0])
    total = kb.get("MemTotal")
    if not total:
        return None
    available = kb.get("MemAvailable")
    if available is None:
        available = kb.get("MemFree", 0) + kb.get("Buffers", 0) + kb.get("Cached", 0)
    return round(100.0 * (1 - available / total), 2)


def parse_net_dev(text: str) -> list[NetDev]:
    """``/proc/net/dev``: bytes and errors per interface (loopback included)."""
    out: list[NetDev] = []
    for line in text.splitlines()[2:]:
        name, sep, rest = line.partition(":")
        cols = rest.split()
        if not sep or len(cols) < 16:
            raise ParseError(f"/proc/net/dev: unexpected line {line.strip()[:60]!r}")
        try:
            rx_bytes, rx_errors, tx_bytes, tx_errors = (int(cols[i]) for i in (0, 2, 8, 10))
        except ValueError:
            raise ParseError(f"/proc/net/dev: not numbers in {line.strip()[:60]!r}") from None
        out.append(
            NetDev(
                name=name.strip(),
                rx_bytes=rx_bytes,
                rx_errors=rx_errors,
                tx_bytes=tx_bytes,
                tx_errors=tx_errors,
            )
        )
    return out


def _sys_net(root: Path, name: str, leaf: str) -> str | None:
    try:
        return (root / name / leaf).read_text().strip()
    except OSError:
        return None


class SystemCollector(Collector[SystemState]):
    """Settings: ``interfaces`` (report these only; default all but ``lo``),
    ``proc`` (``/proc``) and ``sys_net`` (``/sys/class/net``) for tests."""

    name: ClassVar[str] = "system"

    def collect(self, cycle: Cycle) -> SystemState:
        proc = Path(str(self.settings.get("proc", "/proc")))
        sys_net = Path(str(self.settings.get("sys_net", "/sys/class/net")))
        devs = parse_net_dev(read_file(proc / "net" / "dev"))
        oper: dict[str, bool] = {}
        speed: dict[str, float] = {}
        for d in devs:
            state = _sys_net(sys_net, d["name"], "operstate")
            oper[d["name"]] = state in ("up", "unknown") if state is not None else True
            raw = _sys_net(sys_net, d["name"], "speed")
            if raw is not None and raw.lstrip("-").isdigit() and int(raw) > 0:
                speed[d["name"]] = float(raw)
        return SystemState(
            uptime_s=parse_uptime(read_file(proc / "uptime")),
            load1=parse_loadavg(read_file(proc / "loadavg")),
            memory_used_pct=parse_meminfo(read_file(proc / "meminfo")),
            interfaces=devs,
            oper_up=oper,
            speed_mbps=speed,
        )

    def part(self, state: SystemState) -> Part:
        wanted = self.settings.get("interfaces")
        system = ReportSystem()
        if state["uptime_s"] is not None:
            system["uptime_s"] = state["uptime_s"]
        if state["load1"] is not None:
            system["load1"] = state["load1"]
        if state["memory_used_pct"] is not None:
            system["memory_used_pct"] = min(max(state["memory_used_pct"], 0.0), 100.0)
        rows: list[ReportInterface] = []
        for d in state["interfaces"]:
            if (wanted and d["name"] not in wanted) or (not wanted and d["name"] == "lo"):
                continue
            row = ReportInterface(
                name=d["name"][:64],
                rx_bytes=d["rx_bytes"],
                tx_bytes=d["tx_bytes"],
                rx_errors=d["rx_errors"],
                tx_errors=d["tx_errors"],
                oper_up=state["oper_up"].get(d["name"], True),
            )
            if d["name"] in state["speed_mbps"]:
                row["speed_mbps"] = state["speed_mbps"][d["name"]]
            rows.append(row)
        return Part(interfaces=rows, system=system)
