"""Shared plumbing of the benchmarks: argument parsing and printing figures.

Every benchmark prints human-readable figures with a ratio against a reference
measured in the same run, or with ``--json`` one JSON object of figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--json", action="store_true", help="print one JSON object of figures")
    return p


def report(figures: dict[str, Any], as_json: bool, title: str) -> None:
    """Print the figures: one JSON object, or an aligned table."""
    if as_json:
        json.dump(figures, sys.stdout, sort_keys=True)
        sys.stdout.write("\n")
        return
    print(title)
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        shown = f"{value:.4g}" if isinstance(value, float) else str(value)
        print(f"  {key:<{width}}  {shown}")


def progress(quiet: bool) -> Callable[[str], None]:
    """``say(message)``: a progress line on stderr, none when ``quiet`` (``--json``)."""

    def say(message: str) -> None:
        if not quiet:
            print(message, file=sys.stderr)

    return say


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """Best wall time of ``repeat`` runs, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


@contextmanager
def timed() -> Iterator[list[float]]:
    """``with timed() as t: ...`` then ``t[0]`` is the elapsed seconds."""
    out: list[float] = [0.0]
    t0 = time.perf_counter()
    try:
        yield out
    finally:
        out[0] = time.perf_counter() - t0
