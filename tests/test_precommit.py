"""A real ``pre-commit try-repo`` of this repository against a temporary git repository.

pre-commit installs the hook (language: python) into a fresh virtualenv with pip, which
builds this package and so needs setuptools (and the runtime dependencies) from the
package index. The tests skip, saying so, only when that index cannot be reached.

The hook repository is a snapshot of this work tree (tracked and untracked, not ignored,
files) committed into a temporary repository, so the test exercises the code on disk.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
pytestmark = pytest.mark.slow  # installs the hook into a fresh virtualenv

NAD = """\
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: macvlan-conf
  namespace: default
spec:
  config: |
    {"cniVersion": "0.3.1", "type": "macvlan", "master": "eth0",
     "ipam": {"type": "host-local", "subnet": "10.1.1.0/24"}}
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: default
spec:
  replicas: 1
  selector: {matchLabels: {app: app}}
  template:
    metadata:
      labels: {app: app}
      annotations:
        k8s.v1.cni.cncf.io/networks: macvlan-conf
    spec:
      containers:
        - name: app
          image: nginx
"""
CONFLIST = """\
{"cniVersion": "1.0.0", "name": "lan",
 "plugins": [{"type": "macvlan", "master": "eth0",
              "ipam": {"type": "whereabouts", "range": "10.3.0.0/24"}}]}
"""


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t",
                    "-c", "commit.gpgsign=false", *args], cwd=cwd, check=True, capture_output=True)


def _index_reachable(tmp: Path) -> bool:
    proc = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                           "setuptools>=64", "-d", str(tmp)], capture_output=True, text=True, timeout=120)
    return proc.returncode == 0


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> Path:
    pytest.importorskip("pre_commit", reason="pre-commit is in the test extra: pip install -e '.[test]'")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if not _index_reachable(tmp_path_factory.mktemp("probe")):
        pytest.skip("the package index is unreachable: pre-commit cannot install the hook's "
                    "environment (pip needs setuptools and the dependencies)")
    repo = tmp_path_factory.mktemp("hook") / "multus-lint"
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout.split("\0")
    for rel in filter(None, files):
        src = ROOT / rel
        if src.is_file() and not rel.startswith(("tests/", "benchmarks/")):
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, repo / rel)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "snapshot")
    return repo


@pytest.fixture(scope="module")
def pc_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")  # the hook env is built once per module


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    repo = tmp_path / "project"
    repo.mkdir()
    for name, text in files.items():
        (repo / name).write_text(text)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "init")
    return repo


def try_repo(hook_repo: Path, pc_home: Path, repo: Path, *files: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(pc_home), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "multus-lint",
                           "--files", *files], cwd=repo, env=env, capture_output=True, text=True, timeout=600)


def test_clean_change_passes_and_sees_the_unchanged_nad(hook_repo, pc_home, tmp_path):
    # The NAD file is unchanged (and has a host-local warning of its own): only the
    # Deployment is passed. Its reference resolves against the unchanged file (no ML402)
    # and the NAD's own finding is not reported.
    repo = project(tmp_path, {"nad.yaml": NAD, "app.yaml": DEPLOYMENT})
    (repo / "app.yaml").write_text(DEPLOYMENT.replace("image: nginx", "image: nginx:1.27"))
    proc = try_repo(hook_repo, pc_home, repo, "app.yaml")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "multus-lint" in out and "Passed" in out
    assert "ML402" not in out and "ML203" not in out


def test_mistake_in_a_changed_file_fails(hook_repo, pc_home, tmp_path):
    repo = project(tmp_path, {"nad.yaml": NAD, "app.yaml": DEPLOYMENT})
    (repo / "nad.yaml").write_text(NAD.replace("10.1.1.0/24", "10.1.2.0/24"))
    proc = try_repo(hook_repo, pc_home, repo, "nad.yaml")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Failed" in out, out
    assert "nad.yaml:9:" in out and "ML203" in out


def test_conflist_files_are_passed_to_the_hook(hook_repo, pc_home, tmp_path):
    repo = project(tmp_path, {"lan.conflist": CONFLIST})
    proc = try_repo(hook_repo, pc_home, repo, "lan.conflist")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "ML201" in out, out
