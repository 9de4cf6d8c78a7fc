"""The examples in the docstrings of the graph, routing and generator modules run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "topology.graph",
    "topology.generate",
    "topology.routing.costs",
    "topology.routing.paths",
    "topology.routing.table",
    "topology.routing.netjson",
    "topology.routing.gateways",
    "topology.routing.whatif",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
