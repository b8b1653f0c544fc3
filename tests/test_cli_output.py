"""Command-line habits of issue 17: colour, exit codes, quiet, file listing, fixes listing,
missing paths, baseline accounting, --explain of a family, and the progress bar (a run in a
pseudo-terminal shows colour and the bar; the same run piped shows neither)."""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_cli import BAD_NAD

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
CLEAN_ENV = {k: v for k, v in os.environ.items()
             if k not in ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "GITHUB_ACTIONS", "CI")}


def run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "multus_lint", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env={**CLEAN_ENV, **(env or {})})


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "nad.yaml").write_text(BAD_NAD)
    return tmp_path


@pytest.mark.parametrize("args, env, coloured", [
    ([], {}, False),  # piped: auto is off
    (["--color", "always"], {}, True),
    (["--color", "auto"], {"FORCE_COLOR": "1"}, True),
    ([], {"CLICOLOR_FORCE": "1"}, True),
    ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),  # NO_COLOR wins in auto
    (["--color", "always"], {"NO_COLOR": "1"}, True),  # an explicit flag wins
    (["--color", "never"], {"FORCE_COLOR": "1"}, False),
    (["--no-color"], {"FORCE_COLOR": "1"}, False),
])
def test_color_choice(repo, args, env, coloured):
    out = run(*args, "nad.yaml", cwd=repo, env=env).stdout
    assert bool(ANSI.search(out)) is coloured
    assert "nad.yaml:13:9: error: ML301" in ANSI.sub("", out)  # the severity is in the words too


def test_color_never_reaches_machine_formats(repo):
    for fmt in ("json", "sarif", "github", "junit", "gitlab"):
        assert "\x1b" not in run("--color", "always", "--format", fmt, "nad.yaml", cwd=repo).stdout


def test_exit_zero_and_quiet(repo):
    assert run("nad.yaml", cwd=repo).returncode == 1
    proc = run("--exit-zero", "nad.yaml", cwd=repo)
    assert proc.returncode == 0 and "ML301" in proc.stdout
    assert run("--exit-zero", "missing.yaml", cwd=repo).returncode == 2  # usage errors stay 2
    quiet = run("-q", "nad.yaml", cwd=repo).stdout
    assert "ML301" in quiet and "Found" not in quiet and "fixable" not in quiet
    proc = run("-q", "--fix", "nad.yaml", cwd=repo)
    assert proc.stderr == ""  # no "fixed 1 file" note


def test_missing_path_among_several_is_ml002(repo):
    proc = run("--format", "json", "nad.yaml", "gone.yaml", cwd=repo)
    findings = json.loads(proc.stdout)["findings"]
    assert ("ML002", "gone.yaml") in {(f["code"], f["path"]) for f in findings}
    assert "ML301" in {f["code"] for f in findings}  # the run went on
    assert proc.returncode == 1
    proc = run("gone.yaml", "also-gone.yaml", cwd=repo)  # nothing at all: a usage error
    assert proc.returncode == 2 and "no such file or directory" in proc.stderr


def test_show_files(repo):
    (repo / "deploy").mkdir()
    (repo / "deploy" / "net.conflist").write_text("{}")
    (repo / "deploy" / "README.md").write_text("# notes")
    (repo / "deploy" / "values.yml.bak").write_text("x: 1")
    proc = run("--show-files", ".", cwd=repo)
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert "lint  nad.yaml" in lines and "lint  deploy/net.conflist" in lines
    assert any(ln.startswith("skip  deploy/README.md  (not .yaml") for ln in lines)
    assert any(ln.startswith("skip  deploy/values.yml.bak") for ln in lines)
    assert lines[-1] == "2 files to lint, 2 skipped"


def test_show_fixes(repo):
    wb = BAD_NAD.replace('"gateway": "10.6.0.1"', '"gateway": "10.5.0.1"')
    (repo / "nad.yaml").write_text(wb)
    out = run("--show-fixes", "nad.yaml", cwd=repo).stdout
    assert "Fixable with --fix (1):\n  nad.yaml:10:7: error: ML201" in out
    out = run("--show-fixes", "--fix", "nad.yaml", cwd=repo).stdout
    assert "Fixed (1):\n  nad.yaml:10:7: error: ML201" in out
    assert "configuration_path" in (repo / "nad.yaml").read_text()


def test_baseline_run_counts_hidden_and_stale(repo):
    assert run("--write-baseline", "base.json", "nad.yaml", cwd=repo).returncode == 0
    # fix the gateway: its baseline entry no longer matches anything
    (repo / "nad.yaml").write_text(BAD_NAD.replace('"gateway": "10.6.0.1"', '"gateway": "10.5.0.1"'))
    out = run("--baseline", "base.json", "nad.yaml", cwd=repo).stdout
    assert "Baseline: 1 finding hidden; 1 of its entries matches no finding" in out
    assert "Stale baseline entries:\n  nad.yaml  ML301 [gateway-outside-range]" in out
    proc = run("--baseline", "base.json", "--format", "json", "nad.yaml", cwd=repo)
    assert "the baseline hid 1 finding; 1 of its entries match nothing" in proc.stderr
    # a run of other rules does not call the unrun rule's entries stale
    out = run("--baseline", "base.json", "--select", "ML5", "nad.yaml", cwd=repo).stdout
    assert "Stale" not in out


def test_explain_family_lists_its_rules(repo):
    proc = run("--explain", "ML1", cwd=repo)
    assert proc.returncode == 0
    codes = [ln.split()[0] for ln in proc.stdout.splitlines()[1:]]
    assert codes and all(c.startswith("ML1") for c in codes) and "ML101" in codes
    assert run("--explain", "ML9", cwd=repo).returncode == 2


def test_help_names_every_format_and_option_group(repo):
    from multus_lint.report import FORMATS

    out = run("--help", cwd=repo).stdout
    for group in ("rules and failing:", "output:", "CI adoption and autofix:", "rule docs:", "cluster profile"):
        assert group in out
    for name in FORMATS:
        assert f"\n  {name} " in out
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    for name in FORMATS:  # the README's format table lists every format
        assert f"| `{name}` |" in readme, name


# --- a pseudo-terminal --------------------------------------------------------------------

def _in_pty(args: list[str], cwd: Path, env: dict) -> str:
    """Run with stdout and stderr on a pseudo-terminal; everything it wrote."""
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "multus_lint", *args], cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=slave, stderr=slave, env=env)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(timeout=30)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


def _big_repo(repo: Path) -> None:
    for i in range(40):
        (repo / f"nad{i}.yaml").write_text(BAD_NAD.replace("name: wb", f"name: wb{i}"))


def test_terminal_shows_colour_and_progress_pipe_shows_neither(repo):
    _big_repo(repo)
    env = {**CLEAN_ENV, "TERM": "xterm-256color", "MULTUS_LINT_PROGRESS_DELAY": "0", "COLUMNS": "100"}
    screen = _in_pty(["."], repo, env)
    assert "\x1b[1;31merror:" in screen  # coloured severity
    assert re.search(r"(reading|checking)\s.*\d+/\d+", ANSI.sub("", screen)), screen[:2000]  # the bar
    assert "ML301" in screen
    piped = subprocess.run([sys.executable, "-m", "multus_lint", "."], cwd=repo, capture_output=True,
                           text=True, timeout=120, env=env)
    assert "\x1b" not in piped.stdout and "\x1b" not in piped.stderr
    assert piped.stderr == ""  # no bar, no escape, nothing
    assert "ML301" in piped.stdout
    # CI set: no bar even on a terminal
    ci = _in_pty(["-q", "."], repo, {**env, "CI": "true"})
    assert not re.search(r"checking\s.*\d+/\d+", ANSI.sub("", ci))


def test_annotation_findings_point_at_the_entry(repo):
    """The offending entry's column, not the annotation key's (one-line values, plain and
    JSON); lint/model/network_refs.py AnnotationUse.entry_site."""
    (repo / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: default\n  annotations:\n"
        "    k8s.v1.cni.cncf.io/networks: good, missing-one@eth1\n"
        "spec:\n  containers: [{name: a, image: b}]\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: q\n  namespace: default\n  annotations:\n"
        "    k8s.v1.cni.cncf.io/networks: '[{\"name\": \"good\"}, {\"name\": \"gone\"}]'\n"
        "spec:\n  containers: [{name: a, image: b}]\n---\n"
        "apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata:\n  name: good\n"
        "  namespace: default\nspec:\n  config: '{\"cniVersion\": \"0.3.1\", \"type\": \"macvlan\", "
        "\"master\": \"eth0\", \"ipam\": {\"type\": \"dhcp\"}}'\n")
    found = json.loads(run("--format", "json", "--select", "ML402", "pod.yaml", cwd=repo).stdout)["findings"]
    line7 = "    k8s.v1.cni.cncf.io/networks: good, missing-one@eth1"
    line17 = "    k8s.v1.cni.cncf.io/networks: '[{\"name\": \"good\"}, {\"name\": \"gone\"}]'"
    assert [(f["line"], f["column"]) for f in found] == [
        (7, line7.index("missing-one") + 1), (17, line17.index('{"name": "gone"}') + 1)]


def test_readme_names_every_option():
    """docs and --help match the code: every long option of the parser is in the README."""
    from multus_lint.cli import build_parser

    readme = (Path(__file__).parents[1] / "README.md").read_text()
    options = {o for a in build_parser()._actions for o in a.option_strings if o.startswith("--")}
    missing = sorted(o for o in options - {"--help", "--version"} if f"`{o}" not in readme)
    assert not missing, f"options --help lists that the README does not: {missing}"
