"""The fuzz reproducers of issue 14 (../shared/fuzz-repro/, one folder per failure class):
each ends as findings of the rule that owns the bad value, or a clean usage error; never
ML000, a traceback or a hang. Skipped when the shared folder is not there; the classes are
also fixtures of their own that always run (tests/fixtures/ML0xx/yaml-tag-mismatch.yaml,
recursive-alias.yaml, k8s-field-type.yaml, configmap-json-too-deep.yaml,
ML2xx/host-local-mixed-family-range.yaml, ML5xx/plugin-type-not-string.yaml) and tests in
tests/test_hostile_issue14.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPRO = Path(__file__).resolve().parent.parent.parent / "shared" / "fuzz-repro"
CASES = sorted(p.name for p in REPRO.iterdir() if p.is_dir()) if REPRO.is_dir() else []

# what each class must end as now: the rule that owns the value (None: no finding is true,
# the value is valid as Kubernetes reads it)
EXPECTED = {
    "ML000-KeyError_reading": {"ML001"},  # !!bool on empty text: go-yaml "cannot decode"
    "ML000-KeyError_resolving": {"ML601"},  # the same inside valuesContent
    "ML000-RecursionError_decoder.py_353": {"ML004"},  # daemon-config.json 5,000 deep
    "ML000-TypeError_ipaddress.py_588": {"ML205"},  # rangeEnd of the other family
    "ML000-TypeError_ipam.py_294": {"ML503"},  # ipam "type": []
    "ML000-TypeError_multus_ds.py_180": {"ML009"},  # volumeMounts name is a mapping
    "ML000-TypeError_nad.py_213": {"ML503"},  # plugin "type": {}
    "ML000-TypeError_nad.py_218": {"ML503"},
    "ML000-TypeError_paths.py_433": {"ML009"},  # name: !!pairs [...] (a list)
    "ML000-TypeError_reading": {"ML009"},  # containers: a string
    "ML000-ValueError_nad.py_376": {"ML508"},  # resourceName 1:1:...: a string to go-yaml
    # image: 0xFFF... (3,600 hex digits) is a string to go-yaml (past 64 bits): a valid,
    # if odd, image name of a DaemonSet that is not Multus's: nothing to report
    "ML000-ValueError_reading": None,
    "hang-loader.py_expanded_size": {"ML001"},  # &r [*r]: go-yaml "anchor value contains itself"
}


@pytest.mark.skipif(not CASES, reason=f"{REPRO} is not here (the shared fuzz reproducers)")
@pytest.mark.parametrize("case", CASES)
def test_fuzz_reproducer(tmp_path: Path, case: str) -> None:
    src = REPRO / case
    work = tmp_path / case
    shutil.copytree(src, work)
    for p in [work, *work.rglob("*")]:  # the shared copies are read-only
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    if (work / "gen.py").exists():
        subprocess.run([sys.executable, str(work / "gen.py")], check=True, timeout=60)
    proj = work / "proj"
    (proj / ".git").mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--format", "json", "."], cwd=proj,
                          capture_output=True, text=True, timeout=60)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1, 2), proc.stderr
    if proc.returncode == 2:
        assert proc.stderr.startswith("multus-lint: error:"), proc.stderr  # a clean usage error
        return
    codes = {f["code"] for f in json.loads(proc.stdout)["findings"]}
    assert "ML000" not in codes, proc.stdout
    want = EXPECTED.get(case, set())
    if want is None:
        return
    assert want <= codes, (case, codes)
