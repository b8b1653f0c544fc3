"""Suppressions: the comment parser, and end-to-end behaviour not covered by the fixtures
(tests/fixtures/ML0xx/suppress-*)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from multus_lint.filter.suppress import scan_comments

CHART = """\
apiVersion: helm.cattle.io/v1
kind: HelmChart
metadata:
  name: multus
  namespace: kube-system
spec:
  chart: rke2-multus
  valuesContent: |-
    config:
      cni_conf:
        binDir: /opt/cni/bin{comment}
        confDir: /var/lib/rancher/k3s/agent/etc/cni/net.d
"""


def lint(tmp_path: Path, text: str, *args: str, name: str = "m.yaml") -> list[tuple[str, int]]:
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / name).write_text(text)
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--format", "json", *args, name],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    return [(f["code"], f["line"]) for f in json.loads(proc.stdout)["findings"]]


@pytest.mark.parametrize("line,codes,scope", [
    ("a: 1  # multus-lint: disable=ML101", ["ML101"], {1}),
    ("a: 1  # multus-lint: disable=k3s-cni-bin-dir, ML102 -- reason here", ["ML101", "ML102"], {1}),
    ("a: 1  #multus-lint:disable=ml101 # reason", ["ML101"], {1}),
    ("# multus-lint: disable=ML101", ["ML101"], {3}),  # skips the comment line below
])
def test_directives(line, codes, scope):
    sups, bad = scan_comments("f.yaml", f"{line}\n# another comment\nb: 2\n")
    assert bad == []
    assert [(s.kind, s.codes, s.lines) for s in sups] == [("line", codes, scope)]


@pytest.mark.parametrize("line,why", [
    ("# multus-lint: disable ML101", "malformed"),
    ("# multus-lint: enable=ML101", "malformed"),
    ("# multus-lint: disable=", "malformed"),
    ("# multus-lint disable=ML101", "malformed"),
    ("# multus-lint: disable=ML101,,ML102", "malformed"),
    ("# multus-lint: disable=ML1O1", "unknown rule 'ML1O1'"),
    ("# multus-lint: disable-file=no-such-rule", "unknown rule 'no-such-rule'"),
])
def test_invalid_directives(line, why):
    sups, bad = scan_comments("f.yaml", f"a: 1\n{line}\nb: 2\n")
    assert sups == []
    assert len(bad) == 1 and bad[0].code == "ML005" and why in bad[0].message
    assert (bad[0].span.line, bad[0].span.column) == (2, 1)


def test_not_comments():
    text = ('url: https://example.com/#multus-lint: disable=ML101\n'
            'x: "a#multus-lint: disable=ML101"\n')
    assert scan_comments("f.yaml", text) == ([], [])
    # JSON files have no comments
    assert scan_comments("f.json", '{"a": "b # multus-lint: disable=ML101"}') == ([], [])


def test_line_comment_suppresses_inside_values_content(tmp_path):
    assert lint(tmp_path, CHART.format(comment=""), "--select", "ML101,ML006") == [("ML101", 11)]
    assert lint(tmp_path, CHART.format(comment="  # multus-lint: disable=ML101"),
                "--select", "ML101,ML006") == []


def test_comment_on_another_line_does_not_suppress(tmp_path):
    text = CHART.format(comment="") + "        # multus-lint: disable=ML101\n"
    assert ("ML101", 11) in lint(tmp_path, text, "--select", "ML101")


def test_unused_only_for_rules_that_ran(tmp_path):
    text = CHART.format(comment="  # multus-lint: disable=ML101,ML203")
    # ML203 did not run (not selected): not unused; ML006 not selected: never reported
    assert lint(tmp_path, text, "--select", "ML101,ML006") == []
    assert lint(tmp_path, text, "--select", "ML101,ML203,ML006") == [("ML006", 11)]
    assert lint(tmp_path, text, "--select", "ML101,ML203") == []


def test_suppression_findings_are_not_suppressible(tmp_path):
    text = "# multus-lint: disable-file=ML005,ML006\n" + CHART.format(comment="  # multus-lint: disable=ML1O1")
    # the file-wide directive can suppress neither, so it is itself unused
    assert sorted(lint(tmp_path, text, "--select", "ML101,ML005,ML006")) == \
        [("ML005", 12), ("ML006", 1), ("ML101", 12)]


def test_per_path_ignores_from_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.multus-lint]\nselect = ["ML101"]\n[tool.multus-lint.per-path-ignores]\n"charts/*" = ["ML101"]\n')
    (tmp_path / "charts").mkdir()
    assert lint(tmp_path, CHART.format(comment=""), name="charts/m.yaml") == []
    assert lint(tmp_path, CHART.format(comment=""), name="m.yaml") == [("ML101", 11)]
