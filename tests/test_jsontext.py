"""``report.jsontext.dumps`` writes exactly what ``json.dumps(indent=2)`` writes (issue 16: the
JSON, SARIF and GitLab reports must not change a byte when they get faster)."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from multus_lint.report.jsontext import dumps

scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
           | st.text() | st.sampled_from(["\ud800", "é\x00\x1f\u2028", "\"\\/"]))
keys = st.text() | st.integers() | st.floats() | st.booleans() | st.none()
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=5)
                      | st.tuples(inner, inner) | st.dictionaries(keys, inner, max_size=5), max_leaves=40)


@settings(max_examples=500, deadline=None)
@given(obj=values, ensure_ascii=st.booleans(), indent=st.sampled_from([0, 2, 4]))
def test_dumps_is_json_dumps(obj: object, ensure_ascii: bool, indent: int) -> None:
    assert dumps(obj, indent=indent, ensure_ascii=ensure_ascii) == json.dumps(
        obj, indent=indent, ensure_ascii=ensure_ascii)


def test_special_floats_and_empty_containers() -> None:
    obj = {"a": [math.nan, math.inf, -math.inf, 0.1, -0.0, 1e300], "b": {}, "c": [], "d": [[], {}],
           1.5: True, 2: None, True: False, None: 1}
    assert dumps(obj) == json.dumps(obj, indent=2)


def test_what_json_refuses_raises_as_json_does() -> None:
    for bad in ({"a": {1, 2}}, {(1, 2): 3}, [object()]):
        with pytest.raises(TypeError):
            json.dumps(bad, indent=2)
        with pytest.raises(TypeError):
            dumps(bad)


# records of a few shapes, repeated at several levels (the report's findings and objects):
# the per-shape prefixes must give the same text as the first time, whatever the values
few_keys = st.sampled_from(["code", "line", "object", "é", ""]) | st.integers(0, 2)
records = st.recursive(scalars, lambda inner: st.lists(inner, max_size=6)
                       | st.dictionaries(few_keys, inner, max_size=4), max_leaves=60)


@settings(max_examples=400, deadline=None)
@given(obj=st.lists(records, max_size=8), ensure_ascii=st.booleans(), indent=st.sampled_from([0, 2]))
def test_repeated_shapes_are_json_dumps(obj: object, ensure_ascii: bool, indent: int) -> None:
    assert dumps(obj, indent=indent, ensure_ascii=ensure_ascii) == json.dumps(
        obj, indent=indent, ensure_ascii=ensure_ascii)


def test_many_shapes_and_wide_records() -> None:
    # past the shape cache's bounds (256 shapes, 32 keys) the plain loop writes the same text
    obj = [{f"k{i}": i, f"j{i % 7}": [{"a": i}]} for i in range(600)] + [{str(i): i for i in range(40)}] * 3
    assert dumps(obj) == json.dumps(obj, indent=2)


@settings(max_examples=300, deadline=None)
@given(obj=values, level=st.integers(min_value=1, max_value=3))
def test_dumps_nested_is_the_value_inside_json_dumps(obj: object, level: int) -> None:
    """``level``: the text ``obj`` has nested that deep in json.dumps's document (the JSON
    report writes its findings itself and the rest with this)."""
    doc: object = obj
    for _ in range(level):
        doc = [doc]
    whole = json.dumps(doc, indent=2)
    head = "".join("[\n" + "  " * (i + 1) for i in range(level))
    tail = "".join("\n" + "  " * i + "]" for i in reversed(range(level)))
    assert whole.startswith(head) and whole.endswith(tail)
    assert dumps(obj, indent=2, level=level) == whole[len(head):len(whole) - len(tail)]
