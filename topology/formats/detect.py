"""Telling a file's format from its first bytes (and its name, for the GML pair)."""

from __future__ import annotations

import re

from topology.formats.errors import FormatError
from topology.formats.source import load_json

HEAD = 64 * 1024
_MAC = re.compile(rb"\b[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}\b")


def detect_format(data: bytes, source: str = "<input>") -> str:
    """The parser name for ``data`` (see :data:`topology.formats.PARSERS`)."""
    head = data[:HEAD].lstrip()
    if not head:
        raise FormatError(source, "file is empty")
    first = head[:1]
    if first == b"<":
        if b"<cnml" in head:
            return "cnml"
        if b"FeatureCollection" in head and (b"dnodes" in head or b"dlinks" in head):
            return "gml"
        raise FormatError(source, "XML, but neither CNML nor Guifi GML")
    if first in (b"{", b"["):
        return _json_kind(head, data, source)
    if b"Table: Topology" in head or b"Table: Links" in head:
        return "batman-txt" if _MAC.search(head) else "olsr-txt"
    if not _printable(head[:256]):
        return "respondd"  # a raw-deflate respondd packet
    raise FormatError(source, "cannot tell the format: give it with --format")


def _printable(b: bytes) -> bool:
    return all(c in (9, 10, 13) or 32 <= c < 127 or c >= 128 for c in b) and b.isascii()


def _json_kind(head: bytes, data: bytes, source: str) -> str:
    compact = re.sub(rb"\s+", b"", head)
    if b'"type":"NetworkGraph"' in compact or b'"type":"NetworkCollection"' in compact:
        return "netjson"
    if any(k in compact for k in (b'"lastHopIP"', b'"lastHopIpAddress"', b'"tcEdgeCost"')):
        return "olsr"
    if any(k in compact for k in (b'"topology":', b'"mid":')) and b'"nodes"' not in compact:
        return "olsr"
    if b'"vis":' in compact or b'"primary":' in compact:
        return "batman"
    if compact.startswith(b"[") and b'"rxRate"' in compact:
        return "bmx6"
    if b'"links":[{"name"' in compact or b'"rxRate"' in compact:
        return "bmx6"
    if b'"nodes":[' in compact and (b'"node_id"' in compact or b'"links"' in compact):
        return "meshviewer"
    if b'"nodeinfo"' in compact or b'"neighbours"' in compact or b'"statistics"' in compact:
        return "respondd"
    if b'"node_id"' in compact and b'"links"' not in compact and b'"hostname"' in compact:
        return "respondd"
    if b'"nodes"' in compact and (b'"node_id"' in compact or b'"source_tq"' in compact):
        return "meshviewer"
    if b'"node_id"' in compact:
        return "respondd"
    load_json(data, source)  # a syntax error is the better message, with its place
    raise FormatError(source, "JSON, but of no format known here: give it with --format")
