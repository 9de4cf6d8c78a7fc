"""Load an inventory (one YAML file, or a directory of them) into a NetworkModel.

The edge of the package: it reads files. Parsing is safe-loader only; every problem
becomes an :class:`InventoryIssue` placed at file:line:column and field path, and a
load with any problem raises one :class:`InventoryError` (nothing partial is returned).
Lines are looked up only when something is wrong, with one scan per file.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path as FsPath

import yaml
from pydantic import ValidationError

from topology.model import NetworkModel

from . import yamlio
from .convert import build_model
from .errors import MAX_ISSUES, InventoryError, InventoryIssue, format_path
from .ids import Path, Problem
from .messages import describe, message
from .scan import Scan, scan
from .schema import INVENTORY_FILE, InventoryFile

#: Largest YAML file accepted.
MAX_FILE_BYTES = 64 * 1024 * 1024
YAML_SUFFIXES = (".yaml", ".yml")
#: Aliases may make a document at most this many times bigger (plus a margin).
MAX_ALIAS_GROWTH = 10


@dataclass
class _Source:
    name: str  # as shown in messages
    data: str | bytes

    def scan(self, wanted: Collection[Path] = ()) -> Scan | None:
        try:
            return scan(self.data, wanted)
        except yaml.YAMLError:
            return None


@dataclass
class _Pending:
    """A problem at ``path`` of ``src`` (None: the inventory as a whole), placed once all
    problems are known."""

    src: _Source | None
    path: Path
    message: str
    first: tuple[_Source, Path] | None = None  # the earlier definition a duplicate clashes with


_Found = InventoryIssue | _Pending


# --------------------------------------------------------------------------- public


def load_inventory(path: str | os.PathLike[str]) -> NetworkModel:
    """Load a YAML inventory file, or every ``*.yaml``/``*.yml`` under a directory
    (recursively, in sorted path order; hidden files and folders are skipped).

    Raises :class:`InventoryError` listing every problem found.
    """
    top = FsPath(path)
    files = [top]
    if top.is_dir():
        files = sorted(
            (
                f
                for f in top.rglob("*")
                if f.suffix in YAML_SUFFIXES
                and f.is_file()
                and not any(part.startswith(".") for part in f.relative_to(top).parts)
            ),
            key=lambda f: f.relative_to(top).parts,
        )
        if not files:
            message = "no .yaml or .yml files in this directory"
            raise InventoryError([InventoryIssue(str(top), None, None, "", message)])
    sources: list[_Source] = []
    found: list[_Found] = []
    for f in files:
        try:
            size = f.stat().st_size
            if size > MAX_FILE_BYTES:
                found.append(_too_big(str(f), size))
                continue
            sources.append(_Source(str(f), f.read_bytes()))
        except OSError as exc:
            message = f"cannot read the file: {exc.strerror or exc}"
            found.append(InventoryIssue(str(f), None, None, "", message))
    return _load(sources, found, str(top))


def loads_inventory(text: str | bytes, name: str = "<inventory>") -> NetworkModel:
    """Load an inventory from YAML text (one file's content); ``name`` is used in messages."""
    if len(text) > MAX_FILE_BYTES:
        raise InventoryError([_too_big(name, len(text))])
    return _load([_Source(name, text)], [], name)


# --------------------------------------------------------------------------- stages


def _too_big(name: str, size: int) -> InventoryIssue:
    message = (
        f"the file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} "
        "(split the inventory into several files)"
    )
    return InventoryIssue(name, None, None, "", message)


def _load(sources: Sequence[_Source], found: list[_Found], top: str) -> NetworkModel:
    docs: list[InventoryFile] = []
    for src in sources:
        doc = _read(src, found)
        if doc is not None:
            docs.append(doc)
    if found:
        _raise(found, top)
    model, problems = build_model(docs)
    if model is None:
        _raise([_pending(p, sources) for p in problems], top)
        raise AssertionError("unreachable")  # pragma: no cover
    return model


def _pending(problem: Problem, sources: Sequence[_Source]) -> _Pending:
    src = None if problem.source is None else sources[problem.source]
    first = None if problem.first is None else (sources[problem.first[0]], problem.first[1])
    return _Pending(src, problem.path, problem.message, first)


def _read(src: _Source, found: list[_Found]) -> InventoryFile | None:
    """Parse and schema-check one file; add what is wrong with it to ``found``."""
    try:
        data, maybe_duplicates = yamlio.parse(src.data)
    except yaml.YAMLError as exc:
        found.append(_yaml_issue(src, exc))
        return None
    has_alias = "*" in src.data if isinstance(src.data, str) else b"*" in src.data
    if (maybe_duplicates or has_alias) and not _structure_ok(src, found):
        return None
    if data is None:
        text = "the file is empty (expected sections such as community:, zones:, nodes:, links:)"
        found.append(InventoryIssue(src.name, 1, 1, "", text))
        return None
    if not isinstance(data, dict):
        text = (
            "the top level must be a mapping of sections "
            f"(community:, zones:, nodes:, links: ...), not {describe(data)}"
        )
        found.append(_Pending(src, (), text))
        return None
    try:
        return INVENTORY_FILE.validate_python(data)
    except ValidationError as exc:
        for k, err in enumerate(exc.errors(include_url=False)):  # word the shown ones only
            text = message(err) if len(found) + k < MAX_ISSUES else err["msg"]
            found.append(_Pending(src, tuple(err["loc"]), text))
        return None


def _structure_ok(src: _Source, found: list[_Found]) -> bool:
    """No duplicate key, no alias bomb (reported into ``found``)."""
    result = src.scan()
    if result is None:
        return True
    for path, (line, column), (first, _) in result.duplicates:
        text = f"duplicate key {path[-1]!r} (first at line {first + 1})"
        found.append(InventoryIssue(src.name, line + 1, column + 1, format_path(path), text))
    too_big = result.expanded > MAX_ALIAS_GROWTH * result.distinct + 100_000
    if result.recursive:
        text = "an alias (*name) refers to the mapping or list that contains it"
        found.append(InventoryIssue(src.name, 1, 1, "", text))
    elif too_big:
        text = (
            f"aliases (*name) expand the document from {result.distinct:,} to "
            f"{result.expanded:,} values; write the values out instead"
        )
        found.append(InventoryIssue(src.name, 1, 1, "", text))
    return not (result.duplicates or result.recursive or too_big)


def _yaml_issue(src: _Source, exc: yaml.YAMLError) -> InventoryIssue:
    if isinstance(exc, yaml.MarkedYAMLError):
        text = ", ".join(s for s in (exc.context, exc.problem) if s) or str(exc)
        syntax = not isinstance(exc, yaml.constructor.ConstructorError)
        text = f"{'YAML syntax error' if syntax else 'YAML error'}: {text}"
        mark = exc.problem_mark or exc.context_mark
        if mark is not None:
            return InventoryIssue(src.name, mark.line + 1, mark.column + 1, "", text)
        return InventoryIssue(src.name, None, None, "", text)
    if isinstance(exc, yaml.reader.ReaderError):
        data = src.data if isinstance(src.data, str) else src.data.decode("utf-8", "replace")
        line = data.count("\n", 0, exc.position) + 1
        return InventoryIssue(src.name, line, None, "", f"unreadable text: {exc.reason}")
    return InventoryIssue(src.name, None, None, "", f"YAML error: {exc}")


# --------------------------------------------------------------------------- placing


def _raise(found: list[_Found], top: str) -> None:
    """Raise the first :data:`MAX_ISSUES` problems, placed, in file and line order."""
    issues = _place(found[:MAX_ISSUES], top)
    order = {name: i for i, name in enumerate(dict.fromkeys(issue.file for issue in issues))}
    issues.sort(key=lambda s: (order[s.file], s.line or 0, s.column or 0))
    raise InventoryError(issues, omitted=max(0, len(found) - MAX_ISSUES))


def _place(found: Sequence[_Found], top: str) -> list[InventoryIssue]:
    wanted: dict[int, tuple[_Source, set[Path]]] = {}
    for item in found:
        if isinstance(item, _Pending):
            for src, path in ((item.src, item.path), item.first or (None, ())):
                if src is not None:
                    wanted.setdefault(id(src), (src, set()))[1].add(path)
    scans = {key: src.scan(paths) for key, (src, paths) in wanted.items()}

    def where(src: _Source | None, path: Path) -> tuple[int | None, int | None]:
        result = None if src is None else scans.get(id(src))
        if result is None:
            return None, None
        line, column = result.mark(path)
        return line + 1, column + 1

    out: list[InventoryIssue] = []
    for item in found:
        if isinstance(item, InventoryIssue):
            out.append(item)
            continue
        text = item.message
        if item.first is not None:
            first_src, first_path = item.first
            first_line = where(first_src, first_path)[0]
            at = f"line {first_line}" if first_src is item.src else f"{first_src.name}:{first_line}"
            text += f" (first at {at})"
        name = top if item.src is None else item.src.name
        out.append(InventoryIssue(name, *where(item.src, item.path), format_path(item.path), text))
    return out
