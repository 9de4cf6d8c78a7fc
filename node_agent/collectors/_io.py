"""Thin I/O helpers of the collectors; every failure becomes a :class:`RetrievalError`."""

from __future__ import annotations

import shlex
import socket
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from node_agent.errors import RetrievalError

MAX_BYTES = 8 * 1024 * 1024


def fetch_tcp(host: str, port: int, request: bytes, timeout: float = 5.0) -> str:
    """Send ``request`` to ``host:port`` and read the answer until the peer closes.

    Used for olsrd's jsoninfo/txtinfo plugins, which answer a ``GET /path`` (or a bare
    ``/path``) and close. An HTTP header block, if the plugin sends one, is removed.
    """
    chunks: list[bytes] = []
    size = 0
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(request)
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_BYTES:
                    raise RetrievalError(f"answer of {host}:{port} is over {MAX_BYTES} bytes")
                chunks.append(chunk)
    except TimeoutError:
        raise RetrievalError(f"{host}:{port} did not answer within {timeout} s") from None
    except OSError as e:
        raise RetrievalError(f"cannot read {host}:{port}: {e}") from None
    text = b"".join(chunks).decode("utf-8", "replace")
    if text.startswith("HTTP/"):
        _, _, text = text.partition("\r\n\r\n") if "\r\n\r\n" in text else text.partition("\n\n")
    return text


def run_command(argv: Sequence[str] | str, timeout: float = 10.0) -> str:
    """Standard output of a command (a list, or a string split like a shell would)."""
    args = shlex.split(argv) if isinstance(argv, str) else list(argv)
    if not args:
        raise RetrievalError("empty command")
    try:
        done = subprocess.run(
            args, capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL
        )
    except FileNotFoundError:
        raise RetrievalError(f"command not found: {args[0]}") from None
    except subprocess.TimeoutExpired:
        raise RetrievalError(f"{args[0]} did not finish within {timeout} s") from None
    except OSError as e:
        raise RetrievalError(f"cannot run {args[0]}: {e}") from None
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace").strip().splitlines()
        why = err[-1] if err else f"exit status {done.returncode}"
        raise RetrievalError(f"{args[0]} failed: {why}")
    return done.stdout.decode("utf-8", "replace")


def read_file(path: str | Path) -> str:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise RetrievalError(f"cannot read {path}: {e.strerror or e}") from None
    if len(data) > MAX_BYTES:
        raise RetrievalError(f"{path} is over {MAX_BYTES} bytes")
    return data.decode("utf-8", "replace")


def source_text(settings: Mapping[str, Any], name: str, default_command: str | None) -> str:
    """The raw text of a collector whose source is a ``file`` or a ``command`` setting."""
    if settings.get("file"):
        return read_file(str(settings["file"]))
    command = settings.get("command", default_command)
    if not command:
        raise RetrievalError(f"{name}: neither 'file' nor 'command' is configured")
    return run_command(command, float(settings.get("timeout", 10.0)))
