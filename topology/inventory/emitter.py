"""A small, fast YAML writer for inventory data (block style, fixed key order).

PyYAML's dumper builds a node for every value in Python and is slow on big networks;
the data written here has a known shape (mappings, lists, scalars, and ``FlowMap``
for short one-line mappings), so the text is produced directly. A string is written
plain only when it cannot be read back as anything else (checked with PyYAML's own
YAML 1.1 resolvers); otherwise it is quoted. Anything the reader could misread is
escaped. Tests check that ``yaml.safe_load`` of the output gives back the data.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, cast

import yaml

from .export import FlowMap

WIDTH = 100  # a flow mapping longer than this wraps after a comma

# PyYAML's own YAML 1.1 implicit resolution (untyped in its stubs).
_resolve = cast("Callable[[Any, str, tuple[bool, bool]], str]", yaml.resolver.Resolver().resolve)
_STR = "tag:yaml.org,2002:str"
_PLAIN_FIRST = re.compile(r"[^\W]|[/+(]")  # a letter, digit or _ (any script), / + (
_PLAIN_REST = re.compile(r"(?:[^\W]|[ ./@+()'-])*")
# Outside YAML's printable set, line breaks, quotes and backslash: escaped.
_ESCAPE = re.compile('[\x00-\x1f\x7f-\x9f"\\\\\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]')
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r", '"': '\\"', "\\": "\\\\", "\x00": "\\0"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    return _NAMED.get(ch) or f"\\u{ord(ch):04x}"


_RESOLVED_FIRST = frozenset(k for k in yaml.resolver.Resolver.yaml_implicit_resolvers if k)
_QUOTED: dict[str, str] = {}  # a cache: inventories repeat their words a lot
_QUOTED_MAX = 100_000


def _is_plain(text: str) -> bool:
    return (
        bool(text)
        and _PLAIN_FIRST.match(text) is not None
        and _PLAIN_REST.fullmatch(text, 1) is not None
        and not text.endswith(" ")
        and (
            text[0] not in _RESOLVED_FIRST or _resolve(yaml.ScalarNode, text, (True, False)) == _STR
        )
    )


def quote(text: str) -> str:
    """``text`` as a YAML scalar: plain when safe, else single or double quoted."""
    done = _QUOTED.get(text)
    if done is not None:
        return done
    if _is_plain(text):
        done = text
    elif _ESCAPE.search(text.replace('"', "").replace("\\", "")) is None:
        done = "'" + text.replace("'", "''") + "'"
    else:
        done = '"' + _ESCAPE.sub(_escape, text) + '"'
    if len(_QUOTED) < _QUOTED_MAX:
        _QUOTED[text] = done
    return done


def scalar(value: Any) -> str:
    """``value`` (str, int, float, bool, None, date or datetime) as a YAML scalar."""
    kind = type(value)
    if kind is str:
        return quote(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value)
        if "." not in text and "e" in text:  # YAML 1.1 floats need a dot: 1.0e+16
            text = text.replace("e", ".0e", 1)
        return text
    if isinstance(value, (datetime, date)):
        return quote(value.isoformat())
    if isinstance(value, str):
        return quote(str(value))
    raise TypeError(f"cannot write {type(value).__name__} as a YAML scalar")


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return scalar(value)


def _flow_lines(head: str, value: dict[str, Any]) -> list[str]:
    """``head{k: v, ...}`` wrapped after commas, continuation lines aligned after '{'."""
    parts = [f"{scalar(k)}: {_flow(v)}" for k, v in value.items()]
    if not parts:
        return [head + "{}"]
    lines: list[str] = []
    line = head + "{"
    pad = " " * len(line)
    for i, part in enumerate(parts):
        piece = part + ("}" if i == len(parts) - 1 else ",")
        if i and len(line) + 1 + len(piece) > WIDTH:
            lines.append(line)
            line = pad + piece
        else:
            line += (" " if i else "") + piece
    lines.append(line)
    return lines


def _mapping(data: dict[Any, Any], indent: int, out: list[str]) -> None:
    pad = " " * indent
    for key, value in data.items():
        head = f"{pad}{scalar(key)}:"
        if isinstance(value, FlowMap):
            out.extend(_flow_lines(head + " ", value))
        elif isinstance(value, dict):
            if value:
                out.append(head)
                _mapping(value, indent + 2, out)
            else:
                out.append(head + " {}")
        elif isinstance(value, (list, tuple)):
            if value:
                out.append(head)
                _sequence(value, indent + 2, out)
            else:
                out.append(head + " []")
        else:
            out.append(f"{head} {scalar(value)}")


def _sequence(items: list[Any] | tuple[Any, ...], indent: int, out: list[str]) -> None:
    pad = " " * indent
    for item in items:
        if isinstance(item, FlowMap):
            out.extend(_flow_lines(pad + "- ", item))
        elif isinstance(item, (dict, list, tuple)) and item:
            start = len(out)
            if isinstance(item, dict):
                _mapping(item, indent + 2, out)
            else:
                _sequence(item, indent + 2, out)
            out[start] = pad + "- " + out[start][indent + 2 :]
        elif isinstance(item, (dict, list, tuple)):
            out.append(pad + ("- {}" if isinstance(item, dict) else "- []"))
        else:
            out.append(f"{pad}- {scalar(item)}")


def emit(data: dict[str, Any], header: str = "") -> str:
    """YAML text of a mapping: block style, keys in the given order, a blank line between
    top-level sections."""
    out: list[str] = []
    for key, value in data.items():
        if out and isinstance(value, (dict, list, tuple)):
            out.append("")
        _mapping({key: value}, 0, out)
    return header + "\n".join(out) + "\n"
