"""Reading input safely: size caps, JSON with a place on error, XML through defusedxml."""

from __future__ import annotations

import gc
import json
import zlib
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
import orjson
from defusedxml import DefusedXmlException

from topology.formats.errors import FormatError

#: Largest file a parser accepts (the biggest real export we know, guifi.net's whole
#: world, is ~1 MB of zones; a 20,000-node NetJSON graph is ~10 MB).
MAX_BYTES = 256 * 1024 * 1024
#: Largest inflated respondd packet (real ones are a few kB).
MAX_INFLATED = 1024 * 1024


def read_capped(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """The file's bytes, refusing an empty file or one above ``max_bytes``."""
    size = path.stat().st_size
    if size > max_bytes:
        raise FormatError(str(path), f"file is {size:,} bytes, above the {max_bytes:,} limit")
    data = path.read_bytes()
    check_size(data, str(path), max_bytes)
    return data


def check_size(data: bytes, source: str, max_bytes: int = MAX_BYTES) -> None:
    if not data or data.isspace():
        raise FormatError(source, "file is empty")
    if len(data) > max_bytes:
        raise FormatError(source, f"input is {len(data):,} bytes, above the {max_bytes:,} limit")


def load_json(data: bytes, source: str) -> Any:
    """Parsed JSON, or a FormatError naming the line and column of the fault."""
    check_size(data, source)
    try:
        # orjson: 2-3x the standard decoder on big meshes (half of a 20k-node OLSR
        # import was decoding); it takes UTF-8 bytes only, as RFC 8259 wants.
        return orjson.loads(data)
    except json.JSONDecodeError as err:  # orjson's errors are json's, with line and column
        raise FormatError(source, err.msg, f"line {err.lineno} column {err.colno}") from None
    except UnicodeDecodeError as err:
        raise FormatError(source, f"not UTF-8 text ({err.reason})", f"byte {err.start}") from None


def load_xml(data: bytes, source: str) -> Element:
    """The root element, parsed without DTDs, external entities or entity expansion."""
    check_size(data, source)
    try:
        root: Element = SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True)
    except SafeET.ParseError as err:
        line, col = err.position
        msg = str(err).split(":")[0]
        raise FormatError(source, f"broken XML ({msg})", f"line {line} column {col}") from None
    except DefusedXmlException as err:
        raise FormatError(source, f"unsafe XML refused ({err})") from None
    return root


def inflate(data: bytes, source: str, max_bytes: int = MAX_INFLATED) -> bytes:
    """Raw-deflate (no zlib header, as respondd sends) with a cap on the inflated size."""
    d = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        out = d.decompress(data, max_bytes)
    except zlib.error as err:
        raise FormatError(source, f"not a raw-deflate packet ({err})") from None
    if d.unconsumed_tail:
        raise FormatError(source, f"inflates to more than {max_bytes:,} bytes")
    return out


def number(value: Any, what: str, source: str, place: str) -> float:
    """A float from a JSON number or a numeric string, else a FormatError."""
    if isinstance(value, bool):
        raise FormatError(source, f"{what} {value!r} is not a number", place)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise FormatError(source, f"{what} {value!r} is not a number", place) from None


def obj(parent: Any, key: str) -> dict[str, Any]:
    """``parent[key]`` when both are JSON objects, else an empty dict."""
    got = parent.get(key) if isinstance(parent, dict) else None
    return got if isinstance(got, dict) else {}


class bulk:
    """Pause the cyclic garbage collector while a parser builds many small objects.

    Parsing allocates hundreds of thousands of tuples and dataclasses and frees none;
    each collection would walk the whole parsed document again (it doubles the time of
    a 20,000-node graph). Reference counting still frees everything as usual. A class,
    not a generator: small files are parsed in microseconds.
    """

    __slots__ = ("was",)

    def __enter__(self) -> None:
        self.was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.was:
            gc.enable()
