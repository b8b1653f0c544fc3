"""Severities the fixture markers cannot express (they name code, line and column only):
findings that precision6's real-repository measurements showed were stated too strongly.
Each case lints a fixture of tests/fixtures and asserts the severity at a marked position."""

from __future__ import annotations

from pathlib import Path

from harness import FIXTURES, lint_fixture


def _severities(fixture: str, tmp: Path) -> dict[tuple[str, int, int], str]:
    _, _, data, _ = lint_fixture(FIXTURES / fixture, tmp)
    return {(Path(f["path"]).name, f["line"], f["column"]): f["severity"] for f in data["findings"]}


def test_udn_nad_in_another_namespace_is_info_for_a_vm_without_namespace(tmp_path: Path) -> None:
    """ovn-kubernetes renders a UserDefinedNetwork's NAD in the UDN's namespace
    (go-controller pkg/clustermanager/userdefinednetwork/template RenderNetAttachDefManifest);
    a VM that sets no namespace resolves the unqualified name wherever it is applied
    (KubeVirt: the VMI's namespace), so with the NAD in demo-sandbox it is not certain to fail."""
    sev = _severities("ML4xx/network-not-found-udn-elsewhere", tmp_path)
    assert sev[("vm.yaml", 23, 13)] == "info"
    assert sev[("vm.yaml", 42, 13)] == "error"  # namespace apps given: no NAD there
