"""The command line: inputs, exit codes, config, profile and the JSON contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# The route without gw is what makes the off-link gateway an error: pkg/ipam ConfigureIface
# uses the gateway only as such a route's next hop (rules/addressing.py ML301).
BAD_NAD = """\
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: wb
spec:
  config: |
    {
      "cniVersion": "1.0.0",
      "type": "macvlan",
      "ipam": {
        "type": "whereabouts",
        "range": "10.5.0.0/24",
        "gateway": "10.6.0.1", "routes": [{"dst": "10.77.0.0/16"}]
      }
    }
"""


def run(*args: str, cwd: Path, stdin: str | None = None, env: dict | None = None):
    return subprocess.run([sys.executable, "-m", "multus_lint", *args], cwd=cwd, capture_output=True,
                          text=True, input=stdin, timeout=60, env=env)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    return tmp_path


def test_json_contract(repo: Path) -> None:
    (repo / "nad.yaml").write_text(BAD_NAD)
    proc = run("--format", "json", "nad.yaml", cwd=repo)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["version"] == 1
    assert set(doc["summary"]) >= {"files", "findings", "errors", "warnings", "infos"}
    by_code = {f["code"]: f for f in doc["findings"]}
    assert set(by_code) == {"ML201", "ML301"}
    gw = by_code["ML301"]
    for key in ("code", "rule", "severity", "message", "path", "line", "column", "end_line",
                "end_column", "object"):
        assert key in gw
    assert (gw["rule"], gw["severity"], gw["path"]) == ("gateway-outside-range", "error", "nad.yaml")
    assert (gw["line"], gw["column"], gw["end_line"], gw["end_column"]) == (13, 9, 13, 18)
    assert gw["object"] == {"kind": "NetworkAttachmentDefinition", "namespace": None, "name": "wb"}


def test_stdin_with_filename(repo: Path) -> None:
    proc = run("--format", "json", "--stdin-filename", "nets/wb.yaml", "-", cwd=repo, stdin=BAD_NAD)
    assert proc.returncode == 1, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    assert {(f["path"], f["code"], f["line"]) for f in findings} == {
        ("nets/wb.yaml", "ML201", 10), ("nets/wb.yaml", "ML301", 13)}


def test_stdin_sees_the_project(repo: Path) -> None:
    """A piped manifest resolves its networks against the NADs of the project on disk."""
    (repo / "nad.yaml").write_text(BAD_NAD)
    pod = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
           "    k8s.v1.cni.cncf.io/networks: wb, nope\nspec:\n  containers: []\n")
    proc = run("--format", "json", "--select", "ML402", "-", cwd=repo, stdin=pod)
    findings = json.loads(proc.stdout)["findings"]
    assert [(f["path"], f["message"].split("'")[1]) for f in findings] == [("<stdin>", "nope")]


def test_exit_codes_and_fail_level(repo: Path) -> None:
    (repo / "nad.yaml").write_text(BAD_NAD.replace('"10.6.0.1"', '"10.5.0.1"').replace(
        '"type": "whereabouts"', '"type": "host-local"').replace('"range"', '"subnet"'))
    # only ML203 (warning: node count unknown) remains
    assert run("nad.yaml", cwd=repo).returncode == 1
    assert run("--fail-level", "error", "nad.yaml", cwd=repo).returncode == 0
    assert run("--nodes", "1", "nad.yaml", cwd=repo).returncode == 0
    assert run("--nodes", "3", "--fail-level", "error", "nad.yaml", cwd=repo).returncode == 1


def test_select_and_ignore_by_code_name_prefix(repo: Path) -> None:
    (repo / "nad.yaml").write_text(BAD_NAD)

    def codes(*args: str) -> set[str]:
        return {f["code"] for f in json.loads(run("--format", "json", *args, "nad.yaml",
                                                  cwd=repo).stdout)["findings"]}

    assert codes("--select", "ML3") == {"ML301"}
    assert codes("--select", "whereabouts-k3s-paths") == {"ML201"}
    assert codes("--ignore", "ML2,gateway-outside-range") == set()


def test_usage_errors_exit_2(repo: Path) -> None:
    assert run("missing.yaml", cwd=repo).returncode == 2
    proc = run("--select", "ML999", "x", cwd=repo)
    assert proc.returncode == 2
    (repo / "empty").mkdir()
    assert run("empty", cwd=repo).returncode == 2
    proc = run("--nodes", "zero", "--print-profile", cwd=repo)
    assert proc.returncode == 2 and "nodes" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_nothing_readable_exits_2(repo: Path) -> None:
    (repo / "bin.yaml").write_bytes(b"\x00\x01\x02")
    proc = run("--format", "json", "bin.yaml", cwd=repo)
    assert proc.returncode == 2
    assert [f["code"] for f in json.loads(proc.stdout)["findings"]] == ["ML002"]


def test_config_unknown_key_did_you_mean(repo: Path) -> None:
    (repo / ".multus-lint.yaml").write_text("known-network: [a/b]\n")
    (repo / "nad.yaml").write_text(BAD_NAD)
    proc = run("nad.yaml", cwd=repo)
    assert proc.returncode == 2
    assert "unknown key 'known-network'" in proc.stderr and "did you mean 'known-networks'" in proc.stderr
    (repo / ".multus-lint.yaml").write_text("cluster:\n  node: 3\n")
    proc = run("nad.yaml", cwd=repo)
    assert proc.returncode == 2 and "did you mean 'nodes'" in proc.stderr


def test_config_from_pyproject(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.multus-lint]\nignore = ["ML201"]\n[tool.multus-lint.cluster]\nnodes = 1\n')
    (repo / "nad.yaml").write_text(BAD_NAD)
    findings = json.loads(run("--format", "json", "nad.yaml", cwd=repo).stdout)["findings"]
    assert [f["code"] for f in findings] == ["ML301"]


def test_print_profile_sources(repo: Path) -> None:
    k3s = repo / "etc" / "rancher" / "k3s"
    k3s.mkdir(parents=True)
    (k3s / "config.yaml").write_text("data-dir: /srv/k3s\nserver: https://a:6443\n")
    (repo / ".multus-lint.yaml").write_text("cluster:\n  k3s-version: v1.30.5+k3s1\n")
    (repo / "nad.yaml").write_text(BAD_NAD)
    proc = run("--print-profile", "--service-cidr", "10.96.0.0/12", ".", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    rows = {line.split()[0]: line for line in proc.stdout.splitlines() if line.strip()}
    assert "/srv/k3s" in rows["data-dir"] and "etc/rancher/k3s/config.yaml" in rows["data-dir"]
    assert "v1.30.5+k3s1" in rows["k3s-version"] and "config" in rows["k3s-version"]
    assert "10.96.0.0/12" in rows["service-cidr"] and "command line" in rows["service-cidr"]
    assert "2" in rows["nodes"] and "server:" in rows["nodes"]
    assert "/srv/k3s/data/current/bin" in proc.stdout  # pre-gate bin dir under the custom data dir


def test_flags_beat_config_beat_discovered(repo: Path) -> None:
    (repo / "k3s").mkdir()
    (repo / "k3s" / "config.yaml").write_text("data-dir: /a\n")
    (repo / ".multus-lint.yaml").write_text("cluster:\n  data-dir: /b\n")
    out = run("--print-profile", ".", cwd=repo).stdout
    assert "/b " in out
    out = run("--print-profile", "--data-dir", "/c", ".", cwd=repo).stdout
    assert "/c " in out


def test_text_output_has_code_frame_and_no_colour_when_piped(repo: Path) -> None:
    (repo / "nad.yaml").write_text(BAD_NAD)
    out = run("nad.yaml", cwd=repo).stdout
    assert "nad.yaml:13:9: error: ML301 [gateway-outside-range]" in out  # severity without colour
    assert '   13 |         "gateway": "10.6.0.1"' in out
    assert "      |         ^^^^^^^^^" in out
    assert "\x1b[" not in out
    assert out.rstrip().endswith("in 1 of 1 file).")


def test_only_named_files_are_reported(repo: Path) -> None:
    """pre-commit passes changed files: the others are context, never reported."""
    (repo / "nad.yaml").write_text(BAD_NAD)
    (repo / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
                                   "    k8s.v1.cni.cncf.io/networks: wb\nspec: {containers: []}\n")
    proc = run("--format", "json", "pod.yaml", cwd=repo)
    assert proc.returncode == 0, proc.stdout
    assert json.loads(proc.stdout)["findings"] == []


def test_version() -> None:
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("multus-lint ")


@pytest.mark.parametrize("config, kind", [("null", "null"), ("[1]", "list"), ('"x"', "string"),
                                          ("7", "integer"), ("true", "boolean")])
def test_config_not_an_object_names_its_json_type(repo: Path, config: str, kind: str) -> None:
    (repo / "nad.yaml").write_text("apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\n"
                                   f"metadata:\n  name: n\nspec:\n  config: '{config}'\n")
    [finding] = json.loads(run("--format", "json", "--select", "ML501", "nad.yaml", cwd=repo).stdout)["findings"]
    assert finding["message"].startswith(f"spec.config is a JSON {kind}, not an object")
