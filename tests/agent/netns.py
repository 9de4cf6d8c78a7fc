"""Network-namespace helpers of the live tests (root only).

A :class:`Mesh` creates its own namespaces (``<prefix><pid>-<i>``), joins them with veth
pairs along the given edges, puts ``10.99.<net>.<i+1>/32`` on each one's loopback, and
can run babeld in each. With ``management=True`` a hub namespace holds a bridge on
``10.99.254.0/24`` that every node reaches through an extra veth (``m0``): the service
listens there, on a socket opened inside the hub (:func:`socket_in`). Every address
lives inside namespaces the test created; nothing is sent anywhere else. ``close()``
(or leaving the ``with``) kills what it started and deletes every namespace.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest

from node_agent.collectors.babeld import parse_dump
from node_agent.models import BabelState

CLONE_NEWNET = 0x40000000
BABEL_PORT = 33123
PYTHON = sys.executable


def skip_reason() -> str | None:
    """Why the live namespace tests cannot run here, or ``None``."""
    if sys.platform != "linux":
        return "network namespaces need Linux"
    if os.geteuid() != 0:
        return "network namespaces need root (run the suite as root to include them)"
    for tool in ("ip", "babeld"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install iproute2 babeld)"
    name = f"mcprobe{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", name], capture_output=True)
    if made.returncode != 0:
        return f"cannot create a network namespace: {made.stderr.decode().strip()}"
    subprocess.run(["ip", "netns", "del", name], capture_output=True)
    return None


def require() -> None:
    reason = skip_reason()
    if reason:
        pytest.skip(reason)


def run(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {done.stderr.strip()}")
    return done


def socket_in(namespace: str, host: str, port: int = 0) -> socket.socket:
    """A listening TCP socket opened inside ``namespace`` (it stays bound there), while
    this process stays where it is: a helper thread enters the namespace with setns(2)."""
    libc = ctypes.CDLL(None, use_errno=True)
    result: list[Any] = []

    def work() -> None:
        own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        target = os.open(f"/var/run/netns/{namespace}", os.O_RDONLY)
        try:
            if libc.setns(target, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns failed")
            try:
                result.append(socket.create_server((host, port)))
            finally:
                libc.setns(own, CLONE_NEWNET)
        except BaseException as e:
            result.append(e)
        finally:
            os.close(own)
            os.close(target)

    t = threading.Thread(target=work)
    t.start()
    t.join()
    if isinstance(result[0], BaseException):
        raise result[0]
    sock: socket.socket = result[0]
    return sock


class Mesh:
    def __init__(
        self,
        folder: Path,
        nodes: int,
        edges: list[tuple[int, int]],
        prefix: str = "mc",
        net: int = 1,
        management: bool = False,
    ) -> None:
        self.folder = folder
        self.tag = f"{prefix}{os.getpid() % 10000}"
        self.n = nodes
        self.edges = edges
        self.net = net
        self.management = management
        self.names = [f"{self.tag}-{i}" for i in range(nodes)]
        self.hub = f"{self.tag}-hub"
        self.processes: list[subprocess.Popen[bytes]] = []
        self.babeld: dict[int, subprocess.Popen[bytes]] = {}
        self.ifaces: dict[int, list[str]] = {i: [] for i in range(nodes)}
        self.edge_ifaces: dict[tuple[int, int], tuple[str, str]] = {}

    # -------------------------------------------------------------- life cycle

    def __enter__(self) -> Mesh:
        try:
            self.create()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def address(self, i: int) -> str:
        return f"10.99.{self.net}.{i + 1}"

    def mgmt_address(self, i: int | None = None) -> str:
        return "10.99.254.1" if i is None else f"10.99.254.{10 + i}"

    def exec(self, i: int, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run("ip", "netns", "exec", self.names[i], *argv, check=check)

    def create(self) -> None:
        for i, name in enumerate(self.names):
            run("ip", "netns", "add", name)
            self.exec(i, "ip", "link", "set", "lo", "up")
            self.exec(i, "ip", "addr", "add", f"{self.address(i)}/32", "dev", "lo")
        for k, (a, b) in enumerate(self.edges):
            ia, ib = f"e{k}n{a}", f"e{k}n{b}"
            run("ip", "link", "add", ia, "netns", self.names[a], "type", "veth",
                "peer", "name", ib, "netns", self.names[b])  # fmt: skip
            self.exec(a, "ip", "link", "set", ia, "up")
            self.exec(b, "ip", "link", "set", ib, "up")
            self.ifaces[a].append(ia)
            self.ifaces[b].append(ib)
            self.edge_ifaces[(a, b)] = (ia, ib)
        if self.management:
            run("ip", "netns", "add", self.hub)
            hub = ("ip", "netns", "exec", self.hub)
            run(*hub, "ip", "link", "set", "lo", "up")
            run(*hub, "ip", "link", "add", "br0", "type", "bridge")
            run(*hub, "ip", "addr", "add", f"{self.mgmt_address()}/24", "dev", "br0")
            run(*hub, "ip", "link", "set", "br0", "up")
            for i in range(self.n):
                run("ip", "link", "add", "m0", "netns", self.names[i], "type", "veth",
                    "peer", "name", f"h{i}", "netns", self.hub)  # fmt: skip
                run(*hub, "ip", "link", "set", f"h{i}", "master", "br0", "up")
                self.exec(i, "ip", "addr", "add", f"{self.mgmt_address(i)}/24", "dev", "m0")
                self.exec(i, "ip", "link", "set", "m0", "up")

    def close(self) -> None:
        for p in [*self.babeld.values(), *self.processes]:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in [*self.babeld.values(), *self.processes]:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
        for name in [*self.names, self.hub]:
            run("ip", "netns", "del", name, check=False)

    # -------------------------------------------------------------- babeld

    def start_babeld(self, i: int | None = None, options: tuple[str, ...] = ()) -> None:
        """babeld in node ``i`` (or every node) on its mesh interfaces; it redistributes
        the node's own 10.99.<net>.0/24 loopback address only."""
        for k in range(self.n) if i is None else [i]:
            state = self.folder / f"babel-{k}"
            args = [
                "ip", "netns", "exec", self.names[k], "babeld", "-I", f"{state}.pid",
                "-S", f"{state}.state", "-G", str(BABEL_PORT), "-h", "1",
                "-C", f"redistribute local ip 10.99.{self.net}.0/24 allow",
                "-C", "redistribute local deny", *options, *self.ifaces[k],
            ]  # fmt: skip
            with (self.folder / f"babel-{k}.log").open("ab") as log:
                self.babeld[k] = subprocess.Popen(args, stdout=log, stderr=log)

    def dump(self, i: int) -> BabelState:
        code = "from node_agent.collectors.babeld import fetch_dump; print(fetch_dump(), end='')"
        done = self.exec(i, PYTHON, "-c", code, check=False)
        if done.returncode != 0:
            raise RuntimeError(
                done.stderr.strip().splitlines()[-1] if done.stderr else "dump failed"
            )
        return parse_dump(done.stdout)

    def wait_for_routes(self, i: int, expected: int, timeout: float = 30.0) -> BabelState:
        """babeld's state in node ``i`` once it has installed ``expected`` routes."""
        deadline = time.monotonic() + timeout
        state: BabelState | None = None
        while time.monotonic() < deadline:
            with contextlib.suppress(RuntimeError):
                state = self.dump(i)
                if sum(1 for r in state["routes"] if r["installed"]) >= expected:
                    return state
            time.sleep(0.5)
        raise AssertionError(f"node {i} did not get {expected} routes in {timeout} s: {state}")

    def spawn(self, i: int, argv: list[str], log: Path) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            p = subprocess.Popen(
                ["ip", "netns", "exec", self.names[i], *argv], stdout=out, stderr=out
            )
        self.processes.append(p)
        return p
