"""The compiled schema check agrees with jsonschema on every instance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from multus_lint.validate.compiled import Unsupported, compile_schema

SCHEMAS = sorted((Path(__file__).resolve().parents[1] / "schemas").glob("*.json"))

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5000, 70000),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
                    st.sampled_from(["bridge", "l2", "l3s", "passthru", "1.0.0", "eth0", "10.0.0.0/24",
                                     "vepa", "whereabouts", "host-local", "0.3.1", "auto", "true"]))


def values_for(schema: dict) -> st.SearchStrategy:
    """Instances shaped like the schema (its keys, with any values), plus arbitrary JSON."""
    props = schema.get("properties") or {}
    keys = st.sampled_from(sorted(props) or ["x"]) | st.text(max_size=6)
    json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                               | st.dictionaries(keys, inner, max_size=4), max_leaves=12)
    shaped = st.fixed_dictionaries({}, optional={k: json_values for k in props}) if props else json_values
    return shaped | json_values


@pytest.mark.parametrize("path", SCHEMAS, ids=[p.name for p in SCHEMAS])
def test_compiled_check_agrees_with_jsonschema(path: Path) -> None:
    schema = json.loads(path.read_text())
    try:
        quick = compile_schema(schema)
    except Unsupported:
        pytest.skip("uses keywords the compiler leaves to jsonschema")
    validator = Draft202012Validator(schema)

    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
    @given(values_for(schema))
    def agree(instance):
        assert quick(instance) == validator.is_valid(instance), instance

    agree()


def test_semantics_that_differ_from_python() -> None:
    check = compile_schema({"type": "integer", "minimum": 0})
    assert check(3) and check(3.0) and not check(3.5) and not check(True) and not check(-1)
    assert compile_schema({"enum": [1, "a"]})(1.0) and not compile_schema({"enum": [1]})(True)
    with pytest.raises(Unsupported):
        compile_schema({"format": "ipv4"})


@settings(max_examples=300, deadline=None)
@given(st.recursive(scalars, lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2),
                    max_leaves=4) | st.sampled_from([float("nan"), float("inf"), -0.0, 2.0, 1 << 70]))
def test_one_type_checks_are_is_type(value: object) -> None:
    # the single-type closures (the compiled fast path) answer as _is_type does for every name
    from multus_lint.validate.compiled import _ONE_TYPE, _is_type

    for name, check in _ONE_TYPE.items():
        assert check(value) == _is_type(value, name), (name, value)
