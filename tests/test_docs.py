"""Rule docs: --list-rules, --explain and docs/rules.md come from the registry; the
committed docs/rules.md must be current (regenerate: python -m multus_lint.report.rule_docs)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from multus_lint import registry
from multus_lint.report import rule_docs as docs

RULES_MD = Path(__file__).parent.parent / "docs" / "rules.md"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "multus_lint", *args], capture_output=True, text=True,
                          timeout=60)


def test_rules_md_is_current():
    assert RULES_MD.exists(), "docs/rules.md is missing: run python -m multus_lint.report.rule_docs"
    assert RULES_MD.read_text(encoding="utf-8") == docs.markdown(), \
        "docs/rules.md is stale: run `python -m multus_lint.report.rule_docs` and commit the result"


def test_rules_md_has_every_rule_with_its_anchor():
    text = docs.markdown()
    for r in registry.all_rules():
        assert f"### {r.code} {r.name}\n" in text
        assert f"](#{r.code.lower()}-{r.name})" in text


def test_docs_module_writes_a_file(tmp_path):
    target = tmp_path / "rules.md"
    proc = subprocess.run([sys.executable, "-m", "multus_lint.report.rule_docs", str(target)], capture_output=True, text=True)
    assert proc.returncode == 0 and target.read_text() == docs.markdown()


@pytest.mark.parametrize("rule", registry.all_rules(), ids=lambda r: r.code)
def test_every_rule_is_documented(rule):
    for field in ("summary", "what", "why", "example", "fix"):
        assert getattr(rule, field).strip(), f"{rule.code} has no {field}"
    if not rule.code.startswith("ML0"):
        assert rule.refs and all(r.startswith("https://") for r in rule.refs), f"{rule.code} has no references"


def test_list_rules_json():
    proc = cli("--list-rules", "--format", "json")
    assert proc.returncode == 0
    rows = json.loads(proc.stdout)
    assert [r["code"] for r in rows] == [r.code for r in registry.all_rules()]
    for row in rows:
        rule = registry.get(row["code"])
        assert row == {"code": rule.code, "name": rule.name, "severity": rule.severity,
                       "fixable": rule.fixable, "summary": rule.summary}
    assert any(r["fixable"] for r in rows) and not all(r["fixable"] for r in rows)


def test_list_rules_table():
    lines = cli("--list-rules").stdout.splitlines()
    assert lines[0].split() == ["code", "name", "severity", "fix", "summary"]
    assert len(lines) == len(registry.all_rules()) + 1
    ml101 = next(line for line in lines if line.startswith("ML101"))
    assert "k3s-cni-bin-dir" in ml101 and " yes " in ml101


def test_explain_by_code_and_name():
    by_code = cli("--explain", "ML201")
    by_name = cli("--explain", "whereabouts-k3s-paths")
    assert by_code.returncode == 0 and by_code.stdout == by_name.stdout
    out = by_code.stdout
    for heading in ("What it does:", "Why it breaks on K3s:", "Example:", "Fix:", "References:"):
        assert f"\n{heading}\n" in out
    assert out.startswith("ML201 whereabouts-k3s-paths (error, fixable with --fix)")
    assert "configuration_path" in out


def test_explain_unknown_rule_suggests():
    proc = cli("--explain", "k3s-cni-bin-dri")
    assert proc.returncode == 2 and "did you mean 'k3s-cni-bin-dir'" in proc.stderr
