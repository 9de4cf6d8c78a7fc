"""Ids as an inventory writes them, and the located problem type of the conversion."""

from __future__ import annotations

from dataclasses import dataclass

from topology.model import ID_SEP, make_id, split_id

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem at ``path`` of document number ``source`` (None: the inventory as a whole).

    ``first`` points at the earlier definition that a duplicate clashes with.
    """

    source: int | None
    path: Path
    message: str
    first: tuple[int, Path] | None = None


def local_part(slug: str, global_id: str) -> str:
    """How an id is written in this community's inventory: local when it is ours."""
    community, sep, local = global_id.partition(ID_SEP)
    return local if sep and community == slug else global_id


def global_id(slug: str, written: str) -> str:
    """The global id of a written id: ``local`` -> ``slug:local``; ``other:x`` stays.

    Raises :class:`~topology.model.ModelError` when either part is invalid.
    """
    if ID_SEP in written:
        split_id(written)
        return written
    return make_id(slug, written)


def derived_link_id(slug: str, a: str, b: str) -> str:
    """The local id of a link written without one: ``<a>--<b>`` (a border end in another
    community is written ``other.node``)."""
    return "--".join(local_part(slug, end).replace(ID_SEP, ".") for end in (a, b))
