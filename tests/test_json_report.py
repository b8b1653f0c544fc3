"""The JSON report writes each finding from its fields (report/json_format.py, issue 16: 10,000
findings through the general encoder were most of the report's time); its text must stay
exactly ``json.dumps(doc, indent=2, ensure_ascii=True)`` of the documented shape, for plain
findings and for the odd ones that take the general encoder (a value of another type, an
object with non-string values, a scope)."""

from __future__ import annotations

import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from multus_lint.findings import Finding, Span
from multus_lint.report import ReportInput, summary
from multus_lint.report.json_format import report


class Str(str):
    pass


class Int(int):
    pass


texts = st.text() | st.sampled_from(["\ud800", "é\x00\x1f\u2028", "\"\\/", "pod 'a'", ""])
strs = texts | texts.map(Str)
numbers = st.integers(min_value=0, max_value=10**6) | st.integers(min_value=0, max_value=9).map(Int) \
    | st.booleans()
plain_objects = st.none() | st.dictionaries(texts, texts | st.none(), max_size=4) \
    | st.just({"kind": "Deployment", "namespace": "apps", "name": "app-1"})
odd_objects = st.dictionaries(texts, st.integers() | st.lists(st.integers(), max_size=2)
                              | st.dictionaries(texts, texts, max_size=2), max_size=3)


@st.composite
def findings(draw: st.DrawFn) -> Finding:
    plain = draw(st.booleans())
    s = texts if plain else strs
    n = st.integers(min_value=0, max_value=10**6) if plain else numbers
    f = Finding(draw(st.sampled_from(["ML402", "ML201"]) | s), draw(st.sampled_from(["network-not-found"]) | s),
                draw(st.sampled_from(["error", "warning", "info"])),
                draw(s), draw(st.sampled_from(["/a/b.yaml", "c.yaml"]) | s),
                Span(draw(n), draw(n), draw(n), draw(n)),
                draw(plain_objects if plain else plain_objects | odd_objects))
    if draw(st.integers(0, 9)) == 0:
        f.extra["scope"] = draw(texts)
    return f


def expected(fs: list[Finding], files: int) -> str:
    doc = {"version": 1, "findings": [f.to_json() for f in fs], "summary": summary(fs, files)}
    return json.dumps(doc, indent=2, ensure_ascii=True) + "\n"


def render(fs: list[Finding], files: int) -> str:
    out = io.StringIO()
    report(ReportInput(fs, files=files), out)
    return out.getvalue()


@settings(max_examples=400, deadline=None)
@given(fs=st.lists(findings(), max_size=6), files=st.integers(min_value=0, max_value=99))
def test_report_is_json_dumps(fs: list[Finding], files: int) -> None:
    assert render(fs, files) == expected(fs, files)


def test_findings_sharing_objects_and_paths() -> None:
    """The texts written once per distinct code, path and object are the right ones when
    they repeat and when an equal object follows an unequal one."""
    obj = {"kind": "Pod", "namespace": None, "name": "p"}
    fs = [Finding("ML402", "network-not-found", "error", f"m{i}", f"/r/{i % 2}.yaml",
                  Span(i, 1, i, 2), dict(obj) if i % 3 else {"kind": "Pod", "name": "p"})
          for i in range(7)]
    fs.append(Finding("ML402", "network-not-found", "warning", "w", "/r/0.yaml", Span(1, 1, 1, 1), None))
    fs.append(Finding("ML402", "network-not-found", "error", "x", "/r/0.yaml", Span(1, 1, 1, 1),
                      {"kind": "Pod", "namespace": [1], "name": "p"}))
    assert render(fs, 3) == expected(fs, 3)
    assert render([], 0) == expected([], 0)
