"""runner.distinct keeps each (code, path, span, message) once, the first one met, in the
order met (objects aliasing one anchored value repeat a finding per object; the report
shows it once). Counted with one hash per finding since issue 16."""

from __future__ import annotations

from multus_lint.findings import Finding, Span
from multus_lint.runner import distinct


def _f(code: str, line: int, message: str = "m", severity: str = "error", obj: dict | None = None) -> Finding:
    return Finding(code, "rule", severity, message, "/p.yaml", Span(line, 1, line, 2), obj)


def test_first_of_each_kept_in_order() -> None:
    first = _f("ML402", 3, obj={"name": "a"})
    again = _f("ML402", 3, severity="info", obj={"name": "b"})  # equal key, other details
    other_line = _f("ML402", 4)
    other_code = _f("ML401", 3)
    other_message = _f("ML402", 3, message="n")
    found = distinct([first, other_line, again, other_code, other_message, _f("ML402", 4)])
    assert found == [first, other_line, other_code, other_message]
    assert found[0] is first and again not in found
    assert distinct([]) == []
