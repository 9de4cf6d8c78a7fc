"""Errors of an inventory load: every issue names its file, line, column and field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: The most issues one load reports; the rest are only counted.
MAX_ISSUES = 200


@dataclass(frozen=True, slots=True)
class InventoryIssue:
    """One problem found in an inventory.

    ``line`` and ``column`` are 1-based; ``None`` when the problem has no place in a
    file (a directory without YAML files, a community defined nowhere). ``field`` is
    the path inside the file, e.g. ``nodes[3].position.lat`` (list indexes count from
    0 within that file); empty for the file as a whole.
    """

    file: str
    line: int | None
    column: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        if self.field:
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"


class InventoryError(ValueError):
    """An inventory could not be loaded. Carries every issue found (up to a cap)."""

    def __init__(self, issues: Sequence[InventoryIssue], omitted: int = 0) -> None:
        self.issues: tuple[InventoryIssue, ...] = tuple(issues)
        self.omitted = omitted
        super().__init__(str(self))

    def __str__(self) -> str:
        n = len(self.issues) + self.omitted
        head = f"inventory has {n} error{'s' if n != 1 else ''}:"
        lines = [head, *(f"  {issue}" for issue in self.issues)]
        if self.omitted:
            lines.append(f"  ... and {self.omitted} more")
        return "\n".join(lines)


def format_path(path: Sequence[str | int]) -> str:
    """``("nodes", 3, "position", "lat")`` -> ``nodes[3].position.lat``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
