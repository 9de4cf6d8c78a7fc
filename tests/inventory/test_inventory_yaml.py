"""The YAML layer: the fast reader agrees with PyYAML's SafeLoader, the writer's text
reads back as the data it was given, marks and duplicate keys are found."""

from __future__ import annotations

import math
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from topology.inventory import yamlio
from topology.inventory.emitter import emit, quote
from topology.inventory.export import FlowMap
from topology.inventory.scan import scan

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False), st.text(max_size=15),
    st.sampled_from(["yes", "off", "~", "null", "0o17", "0x1F", "1_000", "1:20", "2024-01-02",
                     "2024-01-02 03:04:05", ".inf", "-.Inf", "<<", "=", "!x", "&a", "*a",
                     "- a", "? q", "a #b", "a: b", "%x", "@x", "'", '"', "\\", "\t"]),
)  # fmt: skip
keys = st.one_of(st.text(max_size=8), st.sampled_from(["id", "yes", "1", "null", "a b"]))
data = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=25,
)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_same, a, b))
    return type(a) is type(b) and a == b


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data, st.sampled_from([None, True, False]))
def test_fast_reader_matches_safe_loader(value: Any, flow: bool | None) -> None:
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    got, duplicates = yamlio.parse(text)
    assert _same(got, yaml.safe_load(text)) and not duplicates


@pytest.mark.parametrize("text", [
    "", "a", "- 1\n- [2, 3]\n- {a: b}\n", "a: &x {b: 1}\nc: *x\n", "a: !!str 3\n",
    "base: &b {x: 1, y: 2}\nnode:\n  <<: *b\n  y: 3\n", "a: [[], {}]\n", "~\n",
    "x: .inf\ny: 0o17\nz: 0x1F\nw: 2024-01-01\nv: 2024-01-01T00:00:00Z\nu: 1:20\n",
    "%YAML 1.1\n---\na: b\n...\n", "? complex\n: value\n",
    "a: |\n  block\n  text\nb: >\n  folded\n",
    "\ufeffa: bom\n", "a: 'it''s'\nb: \"\\u00e9\\n\"\n",
])  # fmt: skip
def test_fast_reader_corner_cases(text: str) -> None:
    assert _same(yamlio.parse(text)[0], yaml.safe_load(text))


@pytest.mark.parametrize(
    "text",
    [
        "--- 1\n--- 2\n",  # two documents
        "a: *nowhere\n",  # undefined alias
        "a: [\n",  # unclosed
        "? [1]\n: x\n",  # unhashable key
        "a: !!python/name:os.system\n",  # unsafe tag
        "a: 2024-13-01\n",  # a timestamp that is no date
    ],
)
def test_fast_reader_errors_are_yaml_errors(text: str) -> None:
    with pytest.raises(yaml.YAMLError):
        yamlio.parse(text)


def test_duplicates_are_noticed_and_placed() -> None:
    text = "a: 1\nb:\n  - {x: 1, y: 2, x: 3}\na: 2\n"
    data, duplicates = yamlio.parse(text)
    assert duplicates and data == {"a": 2, "b": [{"x": 3, "y": 2}]}
    found = scan(text).duplicates
    assert found == [(("b", 0, "x"), (2, 17), (2, 5)), (("a",), (3, 0), (0, 0))]
    merged = "base: &b {x: 1}\nnode: {<<: *b, x: 2}\n"
    assert yamlio.parse(merged)[1]  # suspected (a merged key overridden) ...
    assert scan(merged).duplicates == []  # ... but not a duplicate


def test_marks() -> None:
    text = "nodes:\n  - id: a\n    position: {lat: 1, lon: 2}\n  - id: b\n"
    wanted = [("nodes", 0, "position", "lon"), ("nodes", 1, "position", "lat"), ("nodes", 9)]
    result = scan(text, wanted)
    assert result.mark(("nodes", 0, "position", "lon")) == (2, 23)
    assert result.mark(("nodes", 1)) == (3, 4)
    assert result.mark(("nodes", 1, "position", "lat")) == (3, 4)  # its nearest parent
    assert result.mark(("nodes", 9)) == (0, 0)  # "nodes" itself
    assert result.mark(("other",)) == (0, 0)


def test_alias_sizes() -> None:
    result = scan("a: &x [1, 2, 3]\nb: *x\nc: [*x, *x]\n")
    assert (result.distinct, result.expanded, result.recursive) == (9, 21, False)
    assert scan("a: &x [1, *x]\n").recursive


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.dictionaries(keys, data, max_size=5), st.booleans())
def test_writer_text_reads_back(value: dict[str, Any], flow: bool) -> None:
    if flow:
        value = {k: FlowMap(v) if isinstance(v, dict) else v for k, v in value.items()}
    text = emit(value)
    assert _same(yaml.safe_load(text) or {}, dict(value))
    assert _same(yamlio.parse(text)[0] or {}, dict(value))


@given(st.text())
def test_quote_reads_back(text: str) -> None:
    assert yaml.safe_load("k: " + quote(text))["k"] == text


def test_writer_wraps_long_flow_mappings() -> None:
    row = FlowMap({f"key{k}": "value" * 3 for k in range(10)})
    text = emit({"radio": row})
    lines = text.splitlines()
    assert len(lines) > 1 and all(len(line) <= 100 for line in lines)
    assert yaml.safe_load(text) == {"radio": dict(row)}
