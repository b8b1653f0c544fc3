"""After ``pip install .`` the only new top-level import is ``multus_lint``."""

from __future__ import annotations

import subprocess
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    env = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True).create(env)
    py = env / "bin" / "python"
    # No dependencies: only the installed layout is under test. The build backend comes from
    # the package index, as for any user's `pip install .`.
    proc = subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--no-deps", str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0 and ("NewConnectionError" in proc.stderr or "No matching distribution" in proc.stderr):
        pytest.skip(f"package index unreachable for the build backend: {proc.stderr[-200:]}")
    assert proc.returncode == 0, proc.stderr
    return env


def _py(env: Path, code: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(env / "bin" / "python"), "-c", code], capture_output=True, text=True,
                          cwd=env)


def test_only_multus_lint_is_importable(installed: Path) -> None:
    found = _py(installed, "import importlib.util as u; print([u.find_spec(m) is not None for m in "
                           "('multus_lint', 'multus_lint.rules', 'multus_lint.report', 'multus_lint.schemas')])")
    assert found.stdout.strip() == "[True, True, True, True]", found.stderr
    for name in ("lint", "rules", "schemas", "reporters"):
        proc = _py(installed, f"import {name}")
        assert proc.returncode != 0 and "ModuleNotFoundError" in proc.stderr, name


def test_console_script_and_schemas(installed: Path) -> None:
    proc = subprocess.run([str(installed / "bin" / "multus-lint"), "--version"], capture_output=True,
                          text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("multus-lint ")
    proc = _py(installed, "import importlib.resources as r; "
                          "print(sorted(p.name for p in r.files('multus_lint.schemas').iterdir()))")
    assert proc.returncode == 0
    shipped = {p.name for p in (ROOT / "schemas").glob("*.json")}
    assert shipped <= set(eval(proc.stdout))  # every schema in the repo is package data
