"""Fixtures of the federation tests: three real services A-B-C in a line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fed_support import FedService, Line, line_model, write_registry


@pytest.fixture(scope="module")
def line(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Line]:
    """alpha - beta - gamma, each its own service and store; border links alpha:n2 -
    beta:n0 (published by alpha) and beta:n2 - gamma:n0 (published by beta). A and C
    peer with B, B with both; A learns gamma's feed through B (and C alpha's)."""
    root = tmp_path_factory.mktemp("line")
    a = FedService(root, line_model("alpha", 1, "beta"), 1)
    b = FedService(root, line_model("beta", 2, "gamma"), 2)
    c = FedService(root, line_model("gamma", 3), 3)
    keys = [s.prepare() for s in (a, b, c)]
    registry = write_registry(
        root / "registry.yaml",
        [(s.slug, k, [f"10.{s.octet}.0.0/16"]) for s, k in zip((a, b, c), keys, strict=True)],
    )
    started = []
    try:
        for s in (a, b, c):
            started.append(s.start(registry))
        yield Line(a, b, c, registry)
    finally:
        for s in started:
            s.stop()
