"""The installed version, read from package metadata (no heavy imports)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def version_string() -> str:
    try:
        return version("meshcommons")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"
