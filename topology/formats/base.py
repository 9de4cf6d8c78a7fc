"""The parser interface (one class per format, netdiff-style) and small shared helpers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from enum import Enum
from pathlib import Path
from typing import ClassVar, TypeVar

from topology.formats.parsed import ParsedNetwork
from topology.formats.source import read_capped

E = TypeVar("E", bound=Enum)


class Parser(ABC):
    """Turns the bytes of one format into a :class:`ParsedNetwork`; pure (no I/O but
    :meth:`parse_file`). Instances hold state only while :meth:`parse` runs: use one
    instance per thread."""

    name: ClassVar[str]
    description: ClassVar[str]

    @abstractmethod
    def parse(self, data: bytes, source: str = "<input>") -> ParsedNetwork:
        """Parse ``data``; ``source`` names it in errors (a file name)."""

    def parse_file(self, path: Path) -> ParsedNetwork:
        return self.parse(read_capped(path), str(path))


def enum_value(kind: type[E], text: str | None, default: E, net: ParsedNetwork, place: str) -> E:
    """``kind`` member whose value is ``text`` (any case); else ``default`` and a warning."""
    if not text:
        return default
    for member in kind:
        if str(member.value).lower() == text.lower():
            return member
    net.warnings.append(f"{place}: {kind.__name__.lower()} {text!r} read as {default.value}")
    return default
