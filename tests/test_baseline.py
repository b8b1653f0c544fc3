"""Baseline: keyed by path, object, rule and message fingerprint, never by line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from multus_lint.filter.baseline import fingerprint
from multus_lint.findings import Finding, Span

NAD = """\
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: {name}
  namespace: default
spec:
  config: |
    {{"cniVersion": "0.3.1", "type": "macvlan",
     "ipam": {{"type": "whereabouts", "range": "{range}"}}}}
"""
ARGS = ["--select", "ML201,ML203", "--nodes", "3"]


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "multus_lint", "--format", "json", *ARGS, *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120)


def codes(proc: subprocess.CompletedProcess) -> list[tuple[str, str, int]]:
    assert "Traceback" not in proc.stderr, proc.stderr
    return [(f["path"], f["code"], f["line"]) for f in json.loads(proc.stdout)["findings"]]


def setup(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "nads").mkdir(parents=True)
    (repo / ".git").mkdir()
    (repo / "nads" / "a.yaml").write_text(NAD.format(name="a", range="10.0.0.0/24"))
    return repo


def test_baseline_hides_old_findings_even_when_lines_move(tmp_path):
    repo = setup(tmp_path)
    assert codes(run(repo, ".")) == [("nads/a.yaml", "ML201", 9)]
    proc = run(repo, "--write-baseline", ".multus-lint-baseline.json", ".")
    assert proc.returncode == 0 and "wrote 1 finding" in proc.stderr
    entry = json.loads((repo / ".multus-lint-baseline.json").read_text())["findings"][0]
    assert entry["path"] == "nads/a.yaml" and entry["code"] == "ML201"
    assert entry["object"] == "NetworkAttachmentDefinition/default/a" and "line" not in entry
    base = run(repo, "--baseline", ".multus-lint-baseline.json", ".")
    assert codes(base) == [] and base.returncode == 0
    # an edit elsewhere moves the old finding down: still baselined
    path = repo / "nads" / "a.yaml"
    path.write_text("# a comment\n# and another\n" + path.read_text())
    assert codes(run(repo, "--baseline", ".multus-lint-baseline.json", ".")) == []
    # a new object with the same mistake is new; so is a new rule on the old object
    (repo / "nads" / "b.yaml").write_text(NAD.format(name="b", range="10.0.1.0/24"))
    new = run(repo, "--baseline", ".multus-lint-baseline.json", ".")
    assert codes(new) == [("nads/b.yaml", "ML201", 9)] and new.returncode == 1
    path.write_text(path.read_text().replace('"whereabouts"', '"host-local"').replace('"range"', '"subnet"'))
    assert ("nads/a.yaml", "ML203", 11) in codes(run(repo, "--baseline", ".multus-lint-baseline.json", "."))


def test_baseline_is_independent_of_the_working_directory(tmp_path):
    repo = setup(tmp_path)
    run(repo, "--write-baseline", "baseline.json", ".")
    proc = run(repo / "nads", "--baseline", "../baseline.json", "a.yaml")
    assert codes(proc) == []


def test_each_entry_absorbs_one_finding(tmp_path):
    repo = setup(tmp_path)
    run(repo, "--write-baseline", "b.json", ".")
    path = repo / "nads" / "a.yaml"
    path.write_text(path.read_text() + "---\n" + NAD.format(name="a", range="10.0.0.0/24"))
    assert len(codes(run(repo, "--baseline", "b.json", "."))) == 1


def test_bad_baseline_is_a_usage_error(tmp_path):
    repo = setup(tmp_path)
    (repo / "b.json").write_text("[1, 2]")
    proc = run(repo, "--baseline", "b.json", ".")
    assert proc.returncode == 2 and "not a multus-lint baseline" in proc.stderr
    proc = run(repo, "--baseline", "missing.json", ".")
    assert proc.returncode == 2 and "cannot read" in proc.stderr


def test_fingerprint_ignores_line_numbers_only():
    def f(msg: str, code: str = "ML007") -> Finding:
        return Finding(code, "duplicate-key", "warning", msg, "x.yaml", Span.point(3))

    assert fingerprint(f("key 'a' appears again (first on line 3)")) == \
        fingerprint(f("key 'a' appears again (first on line 30)"))
    assert fingerprint(f("key 'a' appears again")) != fingerprint(f("key 'b' appears again"))
    assert fingerprint(f("m", "ML101")) != fingerprint(f("m", "ML102"))
