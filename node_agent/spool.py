"""Durable agent state: sequence numbers that survive restarts, and the spool of reports
not yet delivered.

* :class:`State` keeps ``state.json`` in the state directory: the sequence numbers
  reserved so far and the count of reports dropped but not yet announced. Numbers are
  reserved in blocks (64 by default), so the file is written once per block, not once
  per report (flash storage on routers wears out): after a restart, ``seq`` jumps to the
  next block, still above every number used, which is all the service needs.
* :class:`Spool` is a folder of ``<seq>.json.gz`` files, the gzipped bodies, written
  atomically (temporary file, fsync, rename). It is bounded by count and bytes; when
  full, the oldest report is dropped and counted (its own ``dropped_reports`` too), and
  the next report built announces the total in ``dropped_reports``. Replay goes in
  ``seq`` order; the service's ``seq`` idempotency makes a replayed duplicate harmless.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from node_agent.report import decode

SUFFIX = ".json.gz"


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class State:
    """``state.json``: ``{"reserved": N, "dropped": D}``; see the module docstring."""

    def __init__(self, folder: Path, block: int = 64) -> None:
        self.path = folder / "state.json"
        self.block = max(1, block)
        folder.mkdir(parents=True, exist_ok=True)
        reserved, dropped = 0, 0
        try:
            data = json.loads(self.path.read_text())
            reserved, dropped = int(data.get("reserved", 0)), int(data.get("dropped", 0))
        except FileNotFoundError:
            pass
        except (ValueError, OSError, AttributeError):
            reserved = 0  # unreadable: the spool's newest file still bounds it below
        self.reserved = max(reserved, _newest_spooled(folder / "spool"))
        self.next_seq = self.reserved + 1  # everything up to `reserved` may have been used
        self.dropped = dropped

    def _save(self) -> None:
        data = json.dumps({"reserved": self.reserved, "dropped": self.dropped})
        _atomic_write(self.path, data.encode())

    def take_seq(self) -> int:
        """The next sequence number (strictly above every one given before)."""
        seq = self.next_seq
        if seq > self.reserved:
            self.reserved = seq + self.block - 1
            self._save()
        self.next_seq = seq + 1
        return seq

    def skip_past(self, seq: int) -> None:
        """Never give a number up to ``seq`` again: for an agent whose state was lost
        while the service still remembers the last ``seq`` it accepted."""
        if seq >= self.next_seq:
            self.next_seq = seq + 1
            self.reserved = max(self.reserved, seq)
            self._save()

    def add_dropped(self, n: int) -> None:
        if n:
            self.dropped += n
            self._save()

    def take_dropped(self) -> int:
        """The dropped count to announce in the next report (then zero)."""
        n, self.dropped = self.dropped, 0
        if n:
            self._save()
        return n


def _newest_spooled(folder: Path) -> int:
    seqs = [int(p.name[: -len(SUFFIX)]) for p in _files(folder)]
    return max(seqs, default=0)


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [p for p in folder.iterdir() if p.name.endswith(SUFFIX) and p.name[0].isdigit()]


@dataclass(frozen=True)
class Spooled:
    seq: int
    path: Path

    def read(self) -> bytes:
        return self.path.read_bytes()


class Spool:
    """Reports waiting for delivery, oldest first; bounded (see the module docstring)."""

    def __init__(
        self, folder: Path, state: State, max_reports: int = 1440, max_bytes: int = 4 << 20
    ) -> None:
        self.folder = folder
        self.state = state
        self.max_reports = max(1, max_reports)
        self.max_bytes = max(1, max_bytes)
        folder.mkdir(parents=True, exist_ok=True)
        for tmp in folder.glob(".tmp-*"):  # a write cut short by a crash
            tmp.unlink(missing_ok=True)

    def pending(self) -> list[Spooled]:
        """Spooled reports in ``seq`` order."""
        items = [Spooled(int(p.name[: -len(SUFFIX)]), p) for p in _files(self.folder)]
        return sorted(items, key=lambda s: s.seq)

    def __len__(self) -> int:
        return len(_files(self.folder))

    def size(self) -> int:
        return sum(p.stat().st_size for p in _files(self.folder))

    def put(self, seq: int, data: bytes) -> int:
        """Spool one encoded report; returns how many old reports were dropped for room."""
        _atomic_write(self.folder / f"{seq:020d}{SUFFIX}", data)
        dropped = 0
        items = self.pending()
        total = sum(s.path.stat().st_size for s in items)
        while len(items) > 1 and (len(items) > self.max_reports or total > self.max_bytes):
            oldest = items.pop(0)
            total -= oldest.path.stat().st_size
            dropped += 1 + _announced(oldest)
            oldest.path.unlink(missing_ok=True)
        self.state.add_dropped(dropped)
        return dropped

    def remove(self, item: Spooled) -> None:
        item.path.unlink(missing_ok=True)


def _announced(item: Spooled) -> int:
    """The ``dropped_reports`` a spooled report carried (lost with it, so re-counted)."""
    try:
        return int(decode(item.read()).get("dropped_reports", 0))
    except (OSError, ValueError, EOFError):
        return 0
