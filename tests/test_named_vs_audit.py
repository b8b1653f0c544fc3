"""A file named alone gets exactly the findings the audit of its whole project gives it.

Pre-commit names only the changed files; the rest of the repository is read as context so
that cross-file rules (ML206 static addresses, ML402 resolution, ML410 unused networks, ...)
see what the audit sees. Every multi-file fixture project and examples/ are linted once as a
whole and once per file; for each file the two sets of findings must be identical.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from harness import FIXTURES, prepare

ROOT = Path(__file__).resolve().parent.parent


def projects() -> list[Path]:
    dirs = sorted(p for p in FIXTURES.glob("*/*") if p.is_dir())
    return [ROOT / "examples" / "k3s-repo", *dirs]


def _lint(args: list[str], cwd: Path) -> list[tuple]:
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--format", "json", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1, 2), proc.stderr  # 2: a named file that cannot be read
    data = json.loads(proc.stdout)
    return sorted((f["path"], f["code"], f["line"], f["column"], f["message"])
                  for f in data["findings"])


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, tuple[Path, Path, list[str]]]:
    """Every project copied into a repository of its own, its files tracked, as pre-commit
    sees one (the context is then listed, and searched by git grep, as in a real run),
    and then left alone past the racy margin (load.cache.RACY_NS): a file changed just now
    is read whatever git grep said of it, so a search that misses a marker would go unseen."""
    import time

    out = {}
    for i, project in enumerate(projects()):
        root = tmp_path_factory.mktemp(f"project{i}")
        if project.is_relative_to(FIXTURES):
            target, _, args = prepare(project, root)
        else:
            target, args = root / project.name, []
            shutil.copytree(project, target)
        subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)
        subprocess.run(["git", "-C", str(root), "add", "-A"], check=True, capture_output=True)
        out[project] = (root, target, args)
    time.sleep(2.1)
    return out


@pytest.mark.parametrize("project", projects(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_each_file_alone_matches_the_audit(project: Path, prepared: dict) -> None:
    tmp_path, target, args = prepared[project]
    audit = _lint([*args, target.name], tmp_path)
    files = sorted(p for p in target.rglob("*") if p.is_file())
    for f in files:
        rel = f.relative_to(tmp_path).as_posix()
        alone = _lint([*args, rel], tmp_path)
        expected = [x for x in audit if x[0] == rel]
        assert alone == expected, f"{rel}: named alone differs from the audit"


@pytest.mark.parametrize(("rel", "text", "context"), [
    # a K3s/RKE2 config by its place, whatever it says (model.project.k3s_config_place)
    ("etc/rancher/rke2/config.yaml", "tls-san:\n  - a.example.com\n", True),
    ("nodes/k3s/config.yml", "node-label:\n  - zone=a\n", True),
    ("etc/rancher/k3s/config.yaml.d/10-extra.yaml", "kubelet-arg+:\n  - max-pods=200\n", True),
    # by a top-level key that makes a mapping of K3s flags a node config
    ("hosts/agent.yaml", "token: abc\nnode-ip: 10.0.0.5\n", True),
    ("hosts/agent.yaml", '"write-kubeconfig-mode": "0644"\n', True),
    ("hosts/agent.yaml", "cluster-init: true\n", True),
    # keys only RKE2 has (model.profile.RKE2_ONLY_KEYS): they say the nodes run RKE2
    ("rke2/config.yaml", "cni: multus,canal\n", True),
    ("hosts/server.yaml", "ingress-controller:\n  - traefik\n", True),
    # the same words below the top level, or as values, are not
    ("apps/app.yaml", "kind: ConfigMap\ndata:\n  token: abc\n", False),
    ("apps/app.yaml", "kind: ConfigMap\ndata:\n  note: node-ip is set\n", False),
])
def test_k3s_configs_are_context_by_place_or_keys(rel: str, text: str, context: bool) -> None:
    """Any K3s config of the scope changes the profile (RKE2 by its place, other nodes'
    runtimes, no Talos or kind guess beside one), so a pre-commit run must read it as the
    audit does, even when it holds none of the context marker words."""
    from multus_lint.runner import is_context

    assert is_context(rel, text) is context
