"""After ``pip install .`` the only new top-level import is ``multus_lint``; the metadata
declares the licence as SPDX with its file, and the project's URLs; the sdist carries what
its tests need. (Slow: each builds the package in a fresh virtualenv.)"""

from __future__ import annotations

import subprocess
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


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
    # read from the installed package's folder (validate.schemas.read_package_schema)
    proc = _py(installed, "from multus_lint.validate.schemas import read_package_schema as r; "
                          "print(r('cni-config.json') == __import__('json').load(open("
                          f"{str(ROOT / 'schemas' / 'cni-config.json')!r})))")
    assert proc.stdout.strip() == "True", proc.stderr


def test_metadata_licence_and_urls(installed: Path) -> None:
    from multus_lint.report import HOMEPAGE

    proc = _py(installed, "import importlib.metadata as m; d = m.metadata('multus-lint'); "
                          "print(d.get('License-Expression')); print(d.get_all('Project-URL')); "
                          "print(d.get_all('License-File'))")
    expression, urls, files = proc.stdout.splitlines()
    assert expression == "Apache-2.0", proc.stderr
    assert f"Homepage, {HOMEPAGE}" in urls and "LICENSE" in files
    assert "Apache License" in (ROOT / "LICENSE").read_text() and "Version 2.0" in (ROOT / "LICENSE").read_text()


def test_sdist_carries_what_its_tests_need(installed: Path, tmp_path: Path) -> None:
    import tarfile

    py = str(installed / "bin" / "python")
    proc = subprocess.run([py, "-m", "pip", "install", "--quiet", "setuptools>=77"], capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run([py, "-c", f"from setuptools import build_meta as b; print(b.build_sdist({str(tmp_path)!r}))"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with tarfile.open(tmp_path / proc.stdout.strip().splitlines()[-1]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    for needed in ("LICENSE", "tests/conftest.py", "tests/harness.py", "tests/golden/text.out",
                   "tests/golden/project/nads.yaml", "tests/schemas/junit.xsd", "docs/rules.md",
                   "tests/fixtures/ML1xx/helmchart-bin-dir.yaml", "examples"):
        assert needed in names or any(n.startswith(needed + "/") for n in names), needed
    assert not any("__pycache__" in n for n in names)
