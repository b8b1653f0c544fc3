"""multus_lint.records against the standard dataclasses, and _records.py kept current.

records builds the package's data classes (lint/records.py says why): the same
declaration must give the same methods as ``dataclasses.dataclass``, whatever its fields
and flags, and the pre-compiled methods in _records.py must be the ones its declarations
make today (a stale file is only slower at start-up, so only this test notices it)."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from multus_lint import records

ROOT = Path(__file__).resolve().parent.parent

# one field: its kind (no default, a default, a default factory, a default left out of repr)
KINDS = ("plain", "default", "factory", "hidden")


@st.composite
def declarations(draw: st.DrawFn) -> tuple[list[str], dict]:
    kinds = draw(st.lists(st.sampled_from(KINDS), max_size=5))
    # as dataclasses demands: every field without a default comes first
    kinds.sort(key=lambda k: k != "plain")
    flags = {"repr": draw(st.booleans()), "eq": draw(st.booleans()), "frozen": draw(st.booleans()),
             "slots": draw(st.booleans())}
    if flags["frozen"]:
        flags["slots"] = False  # no class here is both; dataclasses' slots+frozen differs in __getstate__
    return kinds, flags


def build(module: object, kinds: list[str], flags: dict) -> type:
    lines = [f"@dataclass(repr={flags['repr']}, eq={flags['eq']}, frozen={flags['frozen']}, "
             f"slots={flags['slots']})", "class C:"]
    for i, kind in enumerate(kinds):
        lines.append({"plain": f"    f{i}: int",
                      "default": f"    f{i}: int = {i * 10}",
                      "factory": f"    f{i}: list = field(default_factory=list)",
                      "hidden": f"    f{i}: str = field(default='h{i}', repr=False)"}[kind])
    if not kinds:
        lines.append("    pass")
    env = {"dataclass": module.dataclass, "field": module.field}  # type: ignore[attr-defined]
    exec("\n".join(lines), env)  # noqa: S102
    return env["C"]  # type: ignore[no-any-return]


def hashed(a: object, b: object) -> object:
    """Whether two instances hash alike, or the error hashing them raises (a list field)."""
    try:
        return hash(a) == hash(b)
    except TypeError as exc:
        return str(exc)


@settings(max_examples=examples(300))
@given(declarations(), st.lists(st.integers(-3, 3), min_size=5, max_size=5), st.data())
def test_same_methods_as_dataclasses(decl: tuple[list[str], dict], values: list[int], data: st.DataObject) -> None:
    kinds, flags = decl
    std, ours = build(dataclasses, kinds, flags), build(records, kinds, flags)
    required = kinds.count("plain")
    n = data.draw(st.integers(required, len(kinds)), label="arguments given")
    args = values[:n]
    a_std, b_std = std(*args), std(*args)
    a_ours, b_ours = ours(*args), ours(*args)
    # the same fields, defaults and fresh default factories
    names = [f"f{i}" for i in range(len(kinds))]
    assert [getattr(a_ours, k) for k in names] == [getattr(a_std, k) for k in names]
    for i, kind in enumerate(kinds):
        if kind == "factory" and i >= n:
            assert getattr(a_ours, f"f{i}") is not getattr(b_ours, f"f{i}")
    # keywords, and the errors of a wrong call
    assert [getattr(ours(**dict(zip(names, args))), k) for k in names] == [getattr(a_std, k) for k in names]
    if required:
        with pytest.raises(TypeError):
            ours(*args[: required - 1])
    with pytest.raises(TypeError):
        ours(*values[: len(kinds) + 1], *([0] * (len(kinds) + 1 - len(values))))
    # repr, equality, hashing
    if flags["repr"]:
        assert repr(a_ours).replace("test_records.", "") == repr(a_std).replace("test_records.", "")
    else:
        assert repr(a_ours).startswith("<")
    assert (a_ours == b_ours) == (a_std == b_std)
    assert (a_ours == object()) == (a_std == object())
    assert (ours.__hash__ is None) == (std.__hash__ is None)
    if ours.__hash__ is not None:
        assert hashed(a_ours, b_ours) == hashed(a_std, b_std)
    # frozen: the same error, and the value kept
    if flags["frozen"] and kinds:
        for obj in (a_std, a_ours):
            with pytest.raises(AttributeError) as caught:
                obj.f0 = 99  # type: ignore[attr-defined]
            assert str(caught.value) == "cannot assign to field 'f0'"
            with pytest.raises(AttributeError):
                del obj.f0  # type: ignore[attr-defined]
        assert a_ours.f0 == a_std.f0  # type: ignore[attr-defined]
    elif kinds:
        a_ours.f0 = a_std.f0 = 7  # type: ignore[attr-defined]
    # slots: no instance dict
    assert hasattr(a_ours, "__dict__") == hasattr(a_std, "__dict__")
    # replace
    if kinds:
        r_std = dataclasses.replace(a_std, f0=5)
        r_ours = records.replace(a_ours, f0=5)
        assert [getattr(r_ours, k) for k in names] == [getattr(r_std, k) for k in names]
    with pytest.raises(TypeError):
        records.replace(a_ours, nope=1)


def test_post_init_and_refusals() -> None:
    calls = []

    @records.dataclass(repr=False, eq=False)
    class P:
        a: int

        def __post_init__(self) -> None:
            calls.append(self.a)

    P(3)
    records.replace(P(4), a=5)
    assert calls == [3, 4, 5]
    with pytest.raises(ValueError, match="mutable default"):
        @records.dataclass
        class Bad:
            a: list = []  # noqa: RUF012
    with pytest.raises(TypeError, match="non-default argument"):
        @records.dataclass
        class Order:
            a: int = 0
            b: int  # type: ignore[misc]
    with pytest.raises(ValueError):
        records.field(default=1, default_factory=list)


def test_own_methods_kept_as_dataclasses_keeps_them() -> None:
    for module in (dataclasses, records):
        @module.dataclass(frozen=True)
        class OwnEq:
            a: int

            def __eq__(self, other: object) -> bool:
                return True

        @module.dataclass
        class OwnHash:
            a: int

            def __hash__(self) -> int:
                return 7

            def __repr__(self) -> str:
                return "mine"

        assert OwnEq(1) == OwnEq(2)
        assert hash(OwnEq(1)) == hash(OwnEq(1)) and hash(OwnEq(1)) != hash(OwnEq(2))  # hashed by fields
        assert hash(OwnHash(1)) == 7 and repr(OwnHash(1)) == "mine" and OwnHash(1) == OwnHash(1)


def test_generated_module_is_current() -> None:
    """_records.py is what gen_records writes now, and no class of the package is compiled at
    start-up (in a fresh interpreter: this test module's own classes are not the package's)."""
    code = textwrap.dedent("""
        import sys
        from multus_lint import gen_records, records
        text = gen_records.generated_module()
        print(sorted(k for k in records.STALE if k.startswith("multus_lint.")))
        sys.stdout.write(text)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}).stdout
    stale, _, text = out.partition("\n")
    on_disk = (ROOT / "lint" / "_records.py").read_text(encoding="utf-8")
    assert text == on_disk, "lint/_records.py is stale: run python -m multus_lint.gen_records"
    assert stale == "[]", f"classes compiled at start-up: {stale}"
