"""Every fixture's findings are exactly the ones marked in it: presence and absence."""

from __future__ import annotations

import pytest
from harness import FIXTURES, all_fixtures, lint_fixture, strip_markers

from multus_lint import registry

FIXTURE_LIST = all_fixtures()


def _fmt(items):
    return "\n".join(f"  {e.path}:{e.line}:{e.column} {e.code}" for e in sorted(
        items, key=lambda e: (e.path, e.line, e.column, e.code))) or "  (none)"


@pytest.mark.parametrize("fixture", FIXTURE_LIST, ids=[f"{p.parent.name}/{p.name}" for p in FIXTURE_LIST])
def test_fixture(fixture, tmp_path):
    expected, actual, data, rc = lint_fixture(fixture, tmp_path)
    missing = expected - actual
    unexpected = actual - expected
    assert not missing and not unexpected, (
        f"\nmissing (marked, not reported):\n{_fmt(missing)}\n"
        f"unexpected (reported, not marked):\n{_fmt(unexpected)}\n"
        + "\n".join(f"  reported: {f['path']}:{f['line']}:{f['column']} {f['code']} {f['message']}"
                    for f in data.get("findings", [])))
    if not expected:
        assert rc == 0


def _marked_codes() -> set[str]:
    codes = set()
    for p in FIXTURES.rglob("*"):
        if p.is_file():
            try:
                _, exp, _ = strip_markers(p.read_text(encoding="utf-8"), p.name)
            except UnicodeDecodeError:
                continue
            codes |= {e.code for e in exp}
    return codes


def test_every_rule_has_a_failing_fixture():
    marked = _marked_codes()
    missing = [r.code for r in registry.all_rules() if r.code not in marked and r.code != "ML000"]
    assert not missing, f"rules without a fixture that expects them: {missing}"
