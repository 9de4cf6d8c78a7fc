"""One pass over a file's YAML events, for the error path: where fields are (line and
column), which keys repeat, and how far aliases expand the document.

libyaml gives the events; nothing is constructed, so this is much cheaper than
composing PyYAML's node tree, and it is only run for a file that has a problem to
place (or that holds a possible duplicate key or an alias).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    StreamEndEvent,
)

from .yamlio import Path, event_source

Mark = tuple[int, int]  # 0-based line, column
_NO_KEY = object()
_COMPLEX = object()  # a mapping key that is itself a mapping or list


@dataclass
class _Frame:
    is_map: bool
    path: Path | None  # None inside a complex key: not addressable
    anchor: str | None
    start: int  # expanded node count when the collection started
    index: int = 0  # sequence: next item's index
    key: Any = _NO_KEY  # mapping: the pending key
    seen: dict[str, Mark] = field(default_factory=dict)  # mapping: first mark of each key


@dataclass
class Scan:
    marks: dict[Path, Mark]
    duplicates: list[tuple[Path, Mark, Mark]]  # (path of the repeat, its mark, first mark)
    distinct: int  # nodes written in the file
    expanded: int  # nodes once every alias is replaced by what it names
    recursive: bool  # an alias names a collection that contains it

    def mark(self, path: Path) -> Mark:
        """Mark of ``path``, or of its nearest recorded parent (a missing field)."""
        for k in range(len(path), -1, -1):
            found = self.marks.get(path[:k])
            if found is not None:
                return found
        return (0, 0)


def scan(data: str | bytes, wanted: Collection[Path] = ()) -> Scan:
    """Scan one YAML document. Records the marks of ``wanted`` paths and their parents:
    a mapping entry at its key, a list item at the item.

    Raises :class:`yaml.YAMLError` when the text is not YAML.
    """
    want = {tuple(p[:k]) for p in wanted for k in range(len(p) + 1)}
    result = Scan({}, [], 0, 0, False)
    marks = result.marks
    frames: list[_Frame] = []
    anchor_size: dict[str, int] = {}
    open_anchors: set[str] = set()
    for event in event_source(data):
        kind = type(event)
        if issubclass(kind, CollectionEndEvent):
            done = frames.pop()
            if done.anchor is not None:
                anchor_size[done.anchor] = result.expanded - done.start
                open_anchors.discard(done.anchor)
            continue
        if not issubclass(kind, NodeEvent):
            if kind is StreamEndEvent:
                break
            continue
        start = event.start_mark
        here: Mark = (start.line, start.column)
        path: Path | None = ()
        if frames:
            parent = frames[-1]
            if not parent.is_map:
                path = None if parent.path is None else (*parent.path, parent.index)
                parent.index += 1
                if path in want:
                    marks[path] = here
            elif parent.key is _NO_KEY:  # this node is a key
                path = None
                if kind is ScalarEvent:
                    key = event.value
                    parent.key = key
                    if not (key == "<<" and event.implicit[0]):  # not a merge key
                        first = parent.seen.get(key)
                        where = (*(parent.path or ()), key)
                        if first is not None:
                            result.duplicates.append((where, here, first))
                        else:
                            parent.seen[key] = here
                        if parent.path is not None and where in want:
                            marks[where] = here
                else:
                    parent.key = _COMPLEX
            else:  # this node is a value
                key, parent.key = parent.key, _NO_KEY
                path = None if parent.path is None or key is _COMPLEX else (*parent.path, key)
        elif () in want:
            marks[()] = here
        if kind is AliasEvent:
            if event.anchor in open_anchors:
                result.recursive = True
            result.expanded += anchor_size.get(event.anchor, 1)
            continue
        result.distinct += 1
        result.expanded += 1
        if kind is ScalarEvent:
            if event.anchor is not None:
                anchor_size[event.anchor] = 1
            continue
        frames.append(_Frame(kind is MappingStartEvent, path, event.anchor, result.expanded - 1))
        if event.anchor is not None:
            open_anchors.add(event.anchor)
    return result
