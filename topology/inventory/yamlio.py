"""Reading YAML: safe loading only, fast on big files.

:func:`parse` builds the data straight from libyaml's events (falling back to PyYAML's
``SafeLoader`` semantics and messages for anything unusual) and notes duplicate keys.
Marks of fields are not kept here: :mod:`topology.inventory.scan` finds them when
something is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import Any, cast

import yaml
from yaml.constructor import ConstructorError
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, ScalarNode

_CParser: Any
try:
    from yaml._yaml import CParser as _CParser
except ImportError:  # PyYAML built without libyaml
    _CParser = None

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

Path = tuple[str | int, ...]


class _Loader(_BaseLoader):
    """Safe loader that notes possible duplicate keys and places bad timestamps."""

    def __init__(self, stream: str | bytes) -> None:
        super().__init__(stream)
        self.suspect_duplicates = False

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        if len(mapping) != len(node.value):  # a duplicate, or keys overridden after a merge
            self.suspect_duplicates = True
        return mapping

    def construct_timestamp(self, node: ScalarNode) -> Any:
        try:
            return self.construct_yaml_timestamp(node)
        except ValueError as exc:
            raise ConstructorError(
                None, None, f"invalid date/time {node.value!r}: {exc}", node.start_mark
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_timestamp)


def parse(data: str | bytes) -> tuple[Any, bool]:
    """The document's data and whether a mapping may hold a duplicate key.

    Same result as ``yaml.load(data, yaml.SafeLoader)``. Raises :class:`yaml.YAMLError`
    on bad YAML (with ``problem_mark`` when it can be placed).
    """
    if _CParser is not None and not _ANY_FIRST:
        try:
            return _fast_parse(_CParser(data))
        except _Fallback:
            pass
    loader = _Loader(data)
    try:
        return loader.get_single_data(), loader.suspect_duplicates
    finally:
        loader.dispose()


# --------------------------------------------------------------------------- fast path
# libyaml's parser gives events; building the data from them directly, with a cached
# YAML 1.1 scalar resolution, is several times faster than composing a node tree and
# constructing it. Whatever it does not handle (tags, merge keys, complex keys, several
# documents, undefined aliases) is left to the full safe loader, which also gives the
# exact error messages.


class _Fallback(Exception):
    """The fast path leaves this document to the full loader."""


# PyYAML's own YAML 1.1 implicit resolution (untyped in its stubs).
_resolve = cast("Callable[[Any, str, tuple[bool, bool]], str]", yaml.resolver.Resolver().resolve)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"
_RESOLVED_FIRST = frozenset(k for k in yaml.resolver.Resolver.yaml_implicit_resolvers if k)
_ANY_FIRST = None in yaml.resolver.Resolver.yaml_implicit_resolvers
_CACHE_MAX = 200_000
_NO_KEY = object()


def _plain(value: str, event: Any, cache: dict[str, Any]) -> Any:
    """The value of a plain (unquoted) scalar, resolved as YAML 1.1 / SafeLoader does."""
    tag = _resolve(ScalarNode, value, (True, False))
    if tag == _STR:
        result: Any = value
    elif tag in (
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:timestamp",
    ):
        node = ScalarNode(tag, value, event.start_mark, event.end_mark)
        try:
            result = _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, node)
        except ValueError as exc:
            raise ConstructorError(
                None, None, f"invalid value {value!r}: {exc}", event.start_mark
            ) from None
    else:  # merge keys ('<<'), '=' values ...
        raise _Fallback
    if len(cache) < _CACHE_MAX:
        cache[value] = result
    return result


def _fast_parse(parser: Any) -> tuple[Any, bool]:
    get = parser.get_event
    resolved_first = _RESOLVED_FIRST
    no_key = _NO_KEY
    try:
        get()  # stream start
        if isinstance(get(), StreamEndEvent):
            return None, False
        cache: dict[str, Any] = {}
        anchors: dict[str, Any] = {}
        stack: list[tuple[Any, bool, Any]] = []  # enclosing (collection, is_map, key)
        parent: Any = None  # the open collection
        is_map = False
        key: Any = no_key  # a mapping's pending key
        duplicates = False
        root: Any = None
        while True:
            event = get()
            kind = type(event)
            if kind is ScalarEvent:
                if event.tag is not None:
                    raise _Fallback
                value: Any = event.value
                if event.implicit[0] and (not value or value[0] in resolved_first):
                    value = cache.get(value, no_key)
                    if value is no_key:
                        value = _plain(event.value, event, cache)
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                if not stack:
                    root = parent
                    break
                parent, is_map, key = stack.pop()
                continue
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if event.tag is not None:
                    raise _Fallback
                value = {} if kind is MappingStartEvent else []
            elif kind is AliasEvent:
                if event.anchor not in anchors:
                    raise _Fallback
                value = anchors[event.anchor]
            elif kind is DocumentEndEvent:
                break  # a scalar document
            else:
                raise _Fallback
            if kind is not AliasEvent and event.anchor is not None:
                anchors[event.anchor] = value
            if is_map:
                if key is no_key:
                    if isinstance(value, (dict, list)):
                        raise _Fallback  # unhashable key: the full loader reports it
                    key = value
                else:
                    if key in parent:
                        duplicates = True
                    parent[key] = value
                    key = no_key
            elif parent is not None:
                parent.append(value)
            if kind is MappingStartEvent or kind is SequenceStartEvent:
                if parent is not None:
                    stack.append((parent, is_map, key))
                parent, is_map, key = value, kind is MappingStartEvent, no_key
            elif parent is None:
                root = value
        if kind is not DocumentEndEvent and not isinstance(get(), DocumentEndEvent):
            raise _Fallback
        if not isinstance(get(), StreamEndEvent):
            raise _Fallback  # several documents: the full loader says so
        return root, duplicates
    finally:
        parser.dispose()


def event_source(data: str | bytes) -> Iterator[Any]:
    """The YAML events of ``data`` (libyaml's parser when PyYAML has it)."""
    loader = _Loader(data)
    try:
        while loader.check_event():
            yield loader.get_event()
    finally:
        loader.dispose()
