"""Output formats: one golden output per format, plus structural checks of SARIF, GitHub
annotations and JUnit XML.

The golden project is tests/golden/project; the expected outputs are tests/golden/<format>.out.
After an intended change of a format (or of a message), regenerate them with
``UPDATE_GOLDEN=1 python -m pytest tests/test_reporters.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from multus_lint import registry
from multus_lint.report import FORMATS

GOLDEN = Path(__file__).parent / "golden"
ARGS = ["--select", "ML101,ML201,ML203", "--nodes", "3", "--no-color"]


def lint(tmp_path: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    project = tmp_path / "project"
    if not project.exists():
        shutil.copytree(GOLDEN / "project", project)
        (project / ".git").mkdir()
    full_env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "multus_lint", *ARGS, *args, "."], cwd=project,
                          capture_output=True, text=True, env=full_env, timeout=120)


def _normalise_sarif(text: str) -> str:
    """The rule descriptors come from the registry (checked in test_sarif_structure): keep
    only their ids here, so a reworded rule doc does not break the golden file."""
    doc = json.loads(text)
    driver = doc["runs"][0]["tool"]["driver"]
    driver["version"] = "<version>"
    driver["rules"] = [{"id": r["id"]} for r in driver["rules"]]
    return json.dumps(doc, indent=2) + "\n"


# html embeds the rule docs and the drawings: tests/test_html_report.py checks its structure
@pytest.mark.parametrize("fmt", sorted(f for f in FORMATS if f != "html"))
def test_golden_output(fmt, tmp_path):
    proc = lint(tmp_path, "--format", fmt)
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout
    if fmt == "sarif":
        out = _normalise_sarif(out)
    golden = GOLDEN / f"{fmt}.out"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(out, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}: run with UPDATE_GOLDEN=1"
    assert out == golden.read_text(encoding="utf-8")


def test_output_file(tmp_path):
    target = tmp_path / "report.sarif"
    proc = lint(tmp_path, "--format", "sarif", "--output-file", str(target))
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert _normalise_sarif(target.read_text()) == (GOLDEN / "sarif.out").read_text()


def test_sarif_structure(tmp_path):
    doc = json.loads(lint(tmp_path, "--format", "sarif").stdout)
    assert doc["version"] == "2.1.0" and "sarif-2.1.0" in doc["$schema"]
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "multus-lint"
    ids = [r["id"] for r in driver["rules"]]
    assert ids == sorted({r["ruleId"] for r in run["results"]})
    for desc in driver["rules"]:
        rule = registry.get(desc["id"])
        assert rule is not None and desc["name"] == rule.name
        assert desc["shortDescription"]["text"] == rule.summary
        assert desc["fullDescription"]["text"]
        assert desc["defaultConfiguration"]["level"] == {"error": "error", "warning": "warning",
                                                         "info": "note"}[rule.severity]
        assert desc["helpUri"].startswith("https://")
    lines = set()
    for res in run["results"]:
        assert ids[res["ruleIndex"]] == res["ruleId"]
        assert res["level"] in ("error", "warning", "note") and res["message"]["text"]
        loc = res["locations"][0]["physicalLocation"]
        uri = loc["artifactLocation"]["uri"]
        assert not uri.startswith("/") and "\\" not in uri and uri.endswith(".yaml")
        region = loc["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert (region["endLine"], region["endColumn"]) > (region["startLine"], region["startColumn"])
        lines.add((uri, region["startLine"]))
    assert len(lines) >= 3, "results on several distinct lines"
    assert ("multus.yaml", 12) in lines  # the binDir key inside valuesContent, in the outer file


def test_github_is_default_on_actions(tmp_path):
    proc = lint(tmp_path, env={"GITHUB_ACTIONS": "true"})
    lines = proc.stdout.splitlines()
    assert lines and all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    assert "::error file=multus.yaml,line=12,col=9,endLine=12,endColumn=15,title=ML101 k3s-cni-bin-dir::" in proc.stdout
    # an explicit --format wins over the environment
    assert lint(tmp_path, "--format", "concise", env={"GITHUB_ACTIONS": "true"}).stdout.startswith("multus.yaml:")
    assert not lint(tmp_path).stdout.startswith("::")


def test_github_escapes_properties():
    import io

    from multus_lint.findings import Finding, Span
    from multus_lint.report.github import report

    out = io.StringIO()
    report([Finding("ML101", "k3s-cni-bin-dir", "warning", "50% off\nnext", "a,b:c.yaml", Span(1, 2, 1, 5))],
           out, sources={}, files=1, color=False)
    assert out.getvalue() == ("::warning file=a%2Cb%3Ac.yaml,line=1,col=2,endLine=1,endColumn=5,"
                              "title=ML101 k3s-cni-bin-dir::50%25 off%0Anext\n")


def test_junit_parses_with_one_failure_per_finding(tmp_path):
    findings = json.loads(lint(tmp_path, "--format", "json").stdout)["findings"]
    root = ET.fromstring(lint(tmp_path, "--format", "junit").stdout)
    cases = root.findall(".//testcase")
    assert sorted(c.get("name") for c in cases) == ["clean.yaml", "multus.yaml", "nads.yaml"]
    failures = root.findall(".//failure")
    assert len(failures) == len(findings) >= 3
    per_file = {c.get("name"): len(c.findall("failure")) for c in cases}
    assert per_file["clean.yaml"] == 0
    assert per_file["nads.yaml"] == sum(1 for f in findings if f["path"] == "nads.yaml")
    assert int(root.get("failures")) == len(findings)


def test_concise_one_line_per_finding(tmp_path):
    findings = json.loads(lint(tmp_path, "--format", "json").stdout)["findings"]
    lines = lint(tmp_path, "--format", "concise").stdout.splitlines()
    assert lines == [f"{f['path']}:{f['line']}:{f['column']}: {f['code']} [{f['rule']}] {f['message']}"
                     for f in findings]


def test_paths_are_relative_to_the_repository_root(tmp_path):
    lint(tmp_path, "--format", "json")  # creates the project
    sub = tmp_path / "project"
    (sub / "deploy").mkdir()
    (sub / "nads.yaml").rename(sub / "deploy" / "nads.yaml")
    proc = subprocess.run([sys.executable, "-m", "multus_lint", *ARGS, "--format", "sarif", "."],
                          cwd=sub / "deploy", capture_output=True, text=True, timeout=120)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(proc.stdout)["runs"][0]["results"]}
    assert uris == {"deploy/nads.yaml"}
    proc = subprocess.run([sys.executable, "-m", "multus_lint", *ARGS, "--format", "github", "."],
                          cwd=sub / "deploy", capture_output=True, text=True, timeout=120)
    assert proc.stdout.startswith("::error file=deploy/nads.yaml,line=12,")
