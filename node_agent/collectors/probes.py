"""Active probes with scapy: ICMP echo RTT and loss to neighbours and the gateway, ARP for
neighbours' MACs.

Raw sockets need CAP_NET_RAW. Without it the collector fails with a clear
:class:`RetrievalError` (the report says so) before scapy is even imported, and the
other collectors run as usual. Echo requests go out through a raw ICMP socket wrapped
as a scapy ``SuperSocket``: the kernel routes them (babeld's v4-via-v6 routes work) and
hands back only ICMP, so matching replies costs little; scapy builds, dissects and
matches the packets. Link-local IPv6 neighbours are pinged at their routed address
when the routing daemon gives one (babeld does), not at ``fe80::``.

Pure parts: :func:`summarise` (RTTs to a :class:`PingResult`) and :func:`parse_proc_arp`.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import socket
import struct
import time
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from node_agent.collectors._io import read_file
from node_agent.collectors.base import Collector, Cycle, Part
from node_agent.errors import MissingDependency, RetrievalError
from node_agent.lean import lean_scapy
from node_agent.models import ArpEntry, PingResult, ProbeState, ReportLink

log = logging.getLogger("node_agent")

NO_RAW = (
    "no CAP_NET_RAW: probes need raw sockets (run the agent as root, or grant "
    "CAP_NET_RAW: AmbientCapabilities=CAP_NET_RAW in its systemd unit)"
)


def summarise(target: str, sent: int, rtts_ms: Sequence[float]) -> PingResult:
    """A :class:`PingResult` from the RTTs of the replies that came back.

    >>> summarise("10.0.0.1", 4, [1.0, 3.0])["loss"]
    0.5
    """
    got = len(rtts_ms)
    return PingResult(
        target=target,
        sent=sent,
        received=got,
        loss=round(1 - got / sent, 4) if sent else 1.0,
        rtt_ms=round(sum(rtts_ms) / got, 3) if got else None,
        rtt_min_ms=round(min(rtts_ms), 3) if got else None,
        rtt_max_ms=round(max(rtts_ms), 3) if got else None,
    )


def parse_proc_arp(text: str) -> list[ArpEntry]:
    """The kernel's ARP table (``/proc/net/arp``); incomplete entries are skipped."""
    out: list[ArpEntry] = []
    for line in text.splitlines()[1:]:
        cols = line.split()
        if len(cols) < 6 or cols[3] == "00:00:00:00:00:00":
            continue
        out.append(ArpEntry(address=cols[0], mac=cols[3].lower(), interface=cols[5]))
    return out


def has_raw_sockets() -> bool:
    """Whether this process may open raw sockets (CAP_NET_RAW)."""
    try:
        socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close()
    except PermissionError:
        return False
    return True


def _is_ipv4(address: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(address), ipaddress.IPv4Address)
    except ValueError:
        return False


def _scapy() -> Any:
    # scapy logs route-table warnings at import (no default route in a namespace ...)
    logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
    lean_scapy()
    try:
        from scapy import sendrecv
        from scapy.config import conf
        from scapy.layers import inet, l2
        from scapy.supersocket import SimpleSocket
    except ImportError:
        raise MissingDependency("scapy") from None
    conf.verb = 0
    return sendrecv, inet, l2, SimpleSocket


SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)


def _kernel_time(ancillary: list[tuple[int, int, bytes]]) -> float:
    """The kernel's receive timestamp (SO_TIMESTAMPNS), else now."""
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
            sec, nsec = struct.unpack("qq", data[:16])
            return float(sec + nsec * 1e-9)
    return time.time()


def is_our_echo_reply(packet: bytes, ident: int) -> bool:
    """Whether a raw IPv4 packet is an ICMP echo reply with our identifier (a cheap test
    before scapy dissects it: a raw ICMP socket sees every ICMP packet of the host).

    >>> reply = bytes([0x45]) + bytes(19) + bytes([0, 0, 0, 0, 0x12, 0x34, 0, 1])
    >>> is_our_echo_reply(reply, 0x1234), is_our_echo_reply(reply, 0x4321)
    (True, False)
    """
    if len(packet) < 20:
        return False
    start = (packet[0] & 0x0F) * 4
    if len(packet) < start + 8 or packet[start] != 0:
        return False
    return int.from_bytes(packet[start + 4 : start + 6], "big") == ident


def source_for(target: str) -> str:
    """The source address the kernel picks towards ``target`` (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect((target, 9))
        except OSError as e:
            raise RetrievalError(f"no route to {target}: {e}") from None
        return str(s.getsockname()[0])


def ping(targets: Sequence[str], count: int, timeout: float) -> list[PingResult]:
    """``count`` rounds of one ICMP echo to every IPv4 target at once."""
    sendrecv, inet, _, simple_socket = _scapy()
    ident = os.getpid() & 0xFFFF

    class IcmpSocket(simple_socket):  # type: ignore[misc,valid-type]
        """A raw ICMP socket as a scapy SuperSocket: kernel routing, ICMP only."""

        def send(self, x: Any) -> int:
            x.sent_time = time.time()
            sent: int = self.outs.sendto(bytes(x[inet.ICMP]), (x[inet.IP].dst, 0))
            return sent

        def recv_raw(self, x: int = 65535) -> tuple[Any, bytes, float | None]:
            data, ancillary, _, _ = self.ins.recvmsg(x, socket.CMSG_SPACE(16))
            if not is_our_echo_reply(data, ident):
                return None, b"", None  # not ours: skip scapy's dissection
            return inet.IP, data, _kernel_time(ancillary)

    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    raw.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    sock = IcmpSocket(raw, basecls=inet.IP)
    rtts: dict[str, list[float]] = {t: [] for t in targets}
    reachable: list[tuple[str, str]] = []
    for t in targets:
        with contextlib.suppress(RetrievalError):  # no route: every echo counts as lost
            reachable.append((source_for(t), t))
    try:
        for seq in range(count):
            pkts = [inet.IP(src=s, dst=t) / inet.ICMP(id=ident, seq=seq) for s, t in reachable]
            answered, _ = sendrecv.sndrcv(sock, pkts, timeout=timeout, verbose=0, threaded=False)
            for sent, reply in answered:
                rtts[sent[inet.IP].dst].append((reply.time - sent.sent_time) * 1000.0)
    finally:
        sock.close()
    return [summarise(t, count, rtts[t]) for t in targets]


def arp(targets: Iterable[tuple[str, str]], timeout: float) -> list[ArpEntry]:
    """ARP requests for ``(address, interface)`` pairs, one broadcast batch per interface."""
    sendrecv, _, l2, _ = _scapy()
    by_iface: dict[str, list[str]] = {}
    for address, iface in targets:
        by_iface.setdefault(iface, []).append(address)
    out: list[ArpEntry] = []
    for iface, addresses in sorted(by_iface.items()):
        pkts = [l2.Ether(dst="ff:ff:ff:ff:ff:ff") / l2.ARP(pdst=a) for a in addresses]
        if not os.path.exists(f"/sys/class/net/{iface}"):
            continue  # a daemon's interface name that is not on this machine
        try:
            answered, _ = sendrecv.srp(pkts, iface=iface, timeout=timeout, verbose=0)
        except (OSError, ValueError) as e:  # best effort: pings and the kernel table remain
            log.warning("ARP on %s failed: %s", iface, e)
            continue
        for _, reply in answered:
            out.append(
                ArpEntry(
                    address=reply[l2.ARP].psrc, mac=reply[l2.ARP].hwsrc.lower(), interface=iface
                )
            )
    return out


class ProbesCollector(Collector[ProbeState]):
    """Settings: ``targets`` (addresses), ``gateway``, ``neighbours`` (true: also ping
    the IPv4 addresses of the links the routing collectors found), ``count`` (3),
    ``timeout`` (1 s per round), ``arp`` (true), ``arp_every`` (cycles, 10)."""

    name: ClassVar[str] = "probes"

    def __init__(self, settings: dict[str, Any]) -> None:
        super().__init__(settings)
        self._cycles = 0
        self._arp: dict[str, ArpEntry] = {}

    def _targets(self, cycle: Cycle) -> tuple[list[str], list[tuple[str, str]]]:
        targets = [str(t) for t in self.settings.get("targets", [])]
        if self.settings.get("gateway"):
            targets.append(str(self.settings["gateway"]))
        on_link: list[tuple[str, str]] = []
        if self.settings.get("neighbours", True):
            for draft in cycle.links:
                address = draft.link.get("address", "")
                if _is_ipv4(address):
                    targets.append(address)
                    if draft.link.get("interface"):
                        on_link.append((address, draft.link["interface"]))
        return [t for t in dict.fromkeys(targets) if _is_ipv4(t)], on_link

    def collect(self, cycle: Cycle) -> ProbeState:
        if not has_raw_sockets():
            raise RetrievalError(NO_RAW)
        targets, on_link = self._targets(cycle)
        count = int(self.settings.get("count", 3))
        timeout = float(self.settings.get("timeout", 1.0))
        pings = ping(targets, count, timeout) if targets else []
        every = int(self.settings.get("arp_every", 10))
        if self.settings.get("arp", True) and on_link and self._cycles % every == 0:
            self._arp.update({e["address"]: e for e in arp(on_link, min(timeout, 0.5))})
        self._cycles += 1
        try:
            kernel = parse_proc_arp(read_file("/proc/net/arp"))
        except RetrievalError:
            kernel = []
        entries = {e["address"]: e for e in kernel} | self._arp
        return ProbeState(raw_sockets=True, error="", pings=pings, arp=list(entries.values()))

    def part(self, state: ProbeState) -> Part:
        part = Part()
        for p in state["pings"]:
            extra = ReportLink(loss=p["loss"])
            if p["rtt_ms"] is not None:
                extra["rtt_ms"] = p["rtt_ms"]
            part.enrich[p["target"]] = extra
        part.macs = {e["address"]: e["mac"] for e in state["arp"]}
        return part
