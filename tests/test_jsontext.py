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
