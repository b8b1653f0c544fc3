"""``--diff`` patches apply with ``git apply`` (issue 17): for every fixture with something
to fix, as written, without a final newline (the ``\\ No newline at end of file`` case that
difflib alone gets wrong) and with CRLF line ends; and for the fix repository of
tests/test_fix.py. Each tree is linted in one run; its whole patch must pass
``git apply --check`` and then apply."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from harness import FIXTURES, strip_markers

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _tree(dest: Path, transform) -> int:
    """The fixtures, markers stripped, written through ``transform``; the file count."""
    count = 0
    for src in sorted(FIXTURES.rglob("*")):
        if not src.is_file() or src.suffix not in (".yaml", ".yml", ".json", ".conf", ".conflist"):
            continue
        rel = src.relative_to(FIXTURES)
        text, _, _ = strip_markers(src.read_text(encoding="utf-8"), str(rel))
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(transform(text).encode("utf-8"))
        count += 1
    return count


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def _lint(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    # bytes, decoded without newline translation: a CRLF file's patch keeps its CRs
    # All fixtures are one project here, so their K3s configs disagree (ML605) and would
    # leave the path rules unjudged: the flags settle the profile for the whole tree.
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--isolated", "--nodes", "3",
                           "--data-dir", "/var/lib/rancher/k3s", "--flannel-backend", "vxlan", *args, "."],
                          cwd=cwd, capture_output=True, timeout=300)
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8"),
                                       proc.stderr.decode("utf-8", "replace"))


@pytest.mark.parametrize("variant", ["as-written", "no-final-newline", "crlf"])
def test_every_fixture_diff_applies(tmp_path, variant):
    transform = {"as-written": lambda t: t,
                 "no-final-newline": lambda t: t.rstrip("\n"),
                 "crlf": lambda t: t.replace("\r\n", "\n").replace("\n", "\r\n")}[variant]
    repo = tmp_path / "repo"
    assert _tree(repo, transform) > 50
    assert _git(repo, "init", "-q").returncode == 0
    proc = _lint(repo, "--diff")
    assert proc.returncode == 1, proc.stderr  # there is something to fix
    patch = proc.stdout
    files = patch.count("\n+++ b/") + patch.startswith("+++ b/")
    assert files >= 5, patch[:2000]
    if variant == "no-final-newline":
        assert "\n\\ No newline at end of file\n" in patch
    (tmp_path / "fix.patch").write_text(patch, encoding="utf-8", newline="")
    check = _git(repo, "apply", "--check", "-v", str(tmp_path / "fix.patch"))
    assert check.returncode == 0, check.stderr[-3000:]
    # applied, what the patch fixed is no longer offered (--fix makes further passes; one
    # --diff shows the first)
    assert _git(repo, "apply", str(tmp_path / "fix.patch")).returncode == 0
    again = _lint(repo, "--diff").stdout
    assert again.count("\n+++ b/") + again.startswith("+++ b/") < files


def test_fix_repository_diff_applies(tmp_path):
    from test_fix import REPO

    repo = tmp_path / "repo"
    repo.mkdir()
    for name, (before, _after) in REPO.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(before.rstrip("\n"), encoding="utf-8")  # no final newline
    _git(repo, "init", "-q")
    proc = _lint(repo, "--diff")
    assert proc.returncode == 1 and proc.stdout, proc.stderr
    (tmp_path / "p.patch").write_text(proc.stdout, encoding="utf-8", newline="")
    check = _git(repo, "apply", "--check", str(tmp_path / "p.patch"))
    assert check.returncode == 0, check.stderr
