"""The one error every parser and importer raises: what went wrong, in which file, where."""

from __future__ import annotations

from topology.model import ModelError


class FormatError(ModelError):
    """A file cannot be read as the format asked for.

    The message names the file, the place in it (line and column, or the element path)
    and why, on one line: ``2525.cnml: zone 2525 > node 15549: latitude 'x' is not a
    number``.
    """

    def __init__(self, source: str, message: str, place: str = "") -> None:
        self.source = source
        self.place = place
        self.reason = message
        where = f"{source}: {place}: " if place else f"{source}: "
        super().__init__(where + message)
