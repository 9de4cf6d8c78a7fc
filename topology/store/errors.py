"""Errors of the store. Messages are short and meant for people: no SQL, no traceback."""

from __future__ import annotations


class StoreError(Exception):
    """Base of every error the store raises."""


class NotFound(StoreError, LookupError):
    """An id (node, link, zone, allocation, ...) is not in the store."""


class Conflict(StoreError):
    """A write breaks an integrity rule: duplicate id, live prefix twice, node with links."""


class StoreUnavailable(StoreError):
    """The database cannot be reached or opened (bad URL, server down, data dir unusable)."""


class InvalidValue(StoreError, ValueError):
    """A value the store cannot keep faithfully (naive datetime, bad prefix, NUL in text)."""
