"""Helpers of the agent tests: snmprec loading, free ports, the snmpsim handle, and a tiny
stdlib report server that can go down and come back on its port."""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
VENV_BIN = Path(sys.executable).parent
#: pysnmp 7 imports old pysmi names when pysmi (needed by snmpsim) is installed
PYSMI_WARNING = "ignore:.* is deprecated. Please use .* instead:DeprecationWarning"


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_snmprec(path: Path) -> dict[str, Any]:
    """An .snmprec file as the ``{oid: value}`` map the pure SNMP parser takes."""
    out: dict[str, Any] = {}
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        oid, tag, value = line.split("|", 2)
        if tag in ("2", "65", "66", "67", "70"):
            out[oid] = int(value)
        elif tag == "4x":
            out[oid] = bytes.fromhex(value)
        elif tag == "4":
            out[oid] = value.encode()
        elif tag == "6":
            out[oid] = value
        elif tag == "64":
            out[oid] = bytes(int(p) for p in value.split("."))
    return out


# --------------------------------------------------------------------------- snmpsim


@dataclass
class SnmpSim:
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    v3_user: str = "agent"
    v3_auth: str = "authkey123"
    v3_priv: str = "privkey123"


# --------------------------------------------------------------------------- report server


@dataclass
class Received:
    """What the stdlib report server saw: bodies by seq, in arrival order."""

    bodies: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    accepted: list[int] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class ReportServer:
    """A minimal service: ``POST /api/v1/nodes/<node>/reports`` with a bearer token,
    gzip, and seq idempotency like the real one. ``stop()`` and ``start()`` take it down
    and bring it back on the same port."""

    def __init__(self, token: str = "t0ken", status: int | None = None) -> None:
        self.token = token
        self.forced_status = status
        self.received = Received()
        self.last_seq = -1
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.httpd: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None
        self.connections: set[socket.socket] = set()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                server.connections.add(self.connection)

            def finish(self) -> None:
                server.connections.discard(self.connection)
                super().finish()

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if server.forced_status is not None:
                    return self._answer(server.forced_status, {"error": "forced"})
                if self.headers.get("Authorization") != f"Bearer {server.token}":
                    return self._answer(401, {"error": "token"})
                if self.headers.get("Content-Encoding") == "gzip":
                    raw = gzip.decompress(raw)
                body = json.loads(raw)
                r = server.received
                with r.lock:
                    r.bodies.append(body)
                    r.headers.append(dict(self.headers))
                    if body["seq"] <= server.last_seq:
                        r.duplicates.append(body["seq"])
                        return self._answer(200, {"status": "duplicate", "seq": body["seq"]})
                    server.last_seq = body["seq"]
                    r.accepted.append(body["seq"])
                self._answer(202, {"status": "accepted", "seq": body["seq"]})

            def _answer(self, status: int, doc: dict[str, Any]) -> None:
                data = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if status == 503:
                    self.send_header("Retry-After", "0")
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def start(self) -> None:
        self.httpd = _QuietServer(("127.0.0.1", self.port), self._handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Down for real: the listening socket and every kept-alive connection close."""
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None
        for conn in list(self.connections):
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _QuietServer(ThreadingHTTPServer):
    """The stand-in service: it drops connections on purpose (going down), so a reset
    connection is expected, not a traceback to print."""

    allow_reuse_address = True
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass
