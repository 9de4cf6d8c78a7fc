"""Open data formats of community networks: parsers (one class per format) and exporters.

Import: ``parse_file(path)`` (format detected, or named) gives a
:class:`~topology.formats.parsed.ParsedNetwork`; :func:`build_model` makes it a
:class:`~topology.model.NetworkModel` for :meth:`CommunityNetwork.import_model`.
Everything here is pure but :func:`parse_file` (reads the file). See docs/formats.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from topology.formats.base import Parser
from topology.formats.build import BuildResult, build_model, local_id
from topology.formats.cnml import CnmlParser
from topology.formats.daemons import (
    BatmanJsonParser,
    BatmanTxtParser,
    BmxParser,
    OlsrJsonParser,
    OlsrTxtParser,
)
from topology.formats.detect import HEAD, detect_format
from topology.formats.errors import FormatError
from topology.formats.gml import GmlParser
from topology.formats.meshviewer import MeshviewerParser
from topology.formats.netjson_in import NetJsonParser
from topology.formats.parsed import ParsedAddress, ParsedLink, ParsedNetwork, ParsedNode
from topology.formats.respondd import RespondParser
from topology.formats.source import bulk, read_capped

#: Below this size a parse makes too few objects for the collector pause to pay.
SMALL = 64 * 1024

PARSERS: dict[str, type[Parser]] = {
    p.name: p
    for p in (
        CnmlParser,
        GmlParser,
        MeshviewerParser,
        RespondParser,
        NetJsonParser,
        OlsrJsonParser,
        OlsrTxtParser,
        BatmanJsonParser,
        BatmanTxtParser,
        BmxParser,
    )
}


def parser_for(name: str, source: str = "<input>") -> Parser:
    cls = PARSERS.get(name)
    if cls is None:
        raise FormatError(source, f"unknown format {name!r}; known: {', '.join(PARSERS)}")
    return cls()


def parse_bytes(data: bytes, source: str = "<input>", fmt: str = "auto") -> ParsedNetwork:
    name = detect_format(data, source) if fmt == "auto" else fmt
    parser = parser_for(name, source)
    if len(data) < SMALL:
        return parser.parse(data, source)
    with bulk():
        return parser.parse(data, source)


def parse_file(path: Path, fmt: str = "auto") -> ParsedNetwork:
    """Parse one file (a GML nodes file brings its links file along, when beside it)."""
    data = read_capped(path)
    name = detect_format(data, str(path)) if fmt == "auto" else fmt
    parser = parser_for(name, str(path))
    with bulk():
        if isinstance(parser, GmlParser):
            return parser.parse_file(path)
        return parser.parse(data, str(path))


def parse_files(paths: Sequence[Path], fmt: str = "auto") -> ParsedNetwork:
    """Parse several files of one network: a GML pair, or respondd answers of many nodes."""
    if len(paths) == 1:
        return parse_file(paths[0], fmt)
    blobs = [(read_capped(p), str(p)) for p in paths]
    names = {detect_format(d, s) if fmt == "auto" else fmt for d, s in blobs}
    if names == {"respondd"}:
        with bulk():
            return RespondParser().parse_many(blobs)
    if names == {"gml"} and len(blobs) == 2:
        blobs.sort(key=lambda b: b"<dnodes" not in b[0][:HEAD])  # the nodes file first
        gml = GmlParser()
        with bulk():
            net = gml.parse(*blobs[0])
            gml.add(net, *blobs[1])
        return net
    raise FormatError(
        str(paths[0]),
        f"several files are read together only as respondd answers or a GML pair "
        f"(these are {', '.join(sorted(names))})",
    )


__all__ = [
    "PARSERS",
    "BuildResult",
    "FormatError",
    "ParsedAddress",
    "ParsedLink",
    "ParsedNetwork",
    "ParsedNode",
    "Parser",
    "build_model",
    "detect_format",
    "local_id",
    "parse_bytes",
    "parse_file",
    "parse_files",
    "parser_for",
]
