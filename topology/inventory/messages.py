"""Messages for pydantic's validation errors, worded for a volunteer editing YAML."""

from __future__ import annotations

import difflib
from datetime import date
from typing import Any

from pydantic_core import ErrorDetails

from .schema import fields_at


def describe(value: Any) -> str:
    """A short description of a value for a message."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def message(err: ErrorDetails) -> str:
    """One line saying what is wrong with the value at ``err["loc"]``."""
    kind, loc, value = err["type"], tuple(err["loc"]), err["input"]
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        allowed = fields_at(loc[:-1]) or []
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
        if close:
            return f"unknown field (did you mean {close[0]!r}?)"
        return "unknown field" + (f"; allowed: {', '.join(allowed)}" if allowed else "")
    if kind == "enum":
        return f"{describe(value)} is not one of {ctx.get('expected', '?')}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping of fields (key: value), got {describe(value)}"
    if kind == "list_type":
        return f"expected a list (items starting with '- '), got {describe(value)}"
    if kind == "string_type":
        quoted = isinstance(value, (bool, int, float, date))
        return f"expected text, got {describe(value)}" + (" (write it in quotes)" if quoted else "")
    if kind == "bool_type":
        return f"expected true or false, got {describe(value)}"
    if kind in ("out_of_range", "not_finite", "bad_prefix", "bad_address", "bad_mac"):
        return err["msg"]
    msg = err["msg"]
    msg = msg[:1].lower() + msg[1:]
    return f"{msg}, got {describe(value)}"
