"""Severities that depend on the finding, not only on the rule: the fixture markers give
(code, line, column); these tests pin the severity where a rule reports at two levels."""

from __future__ import annotations

from pathlib import Path

from harness import FIXTURES, lint_fixture


def _severities(fixture: str, tmp_path: Path) -> dict[tuple[str, int], str]:
    _, _, data, _ = lint_fixture(FIXTURES / fixture, tmp_path)
    return {(f["code"], f["line"]): f["severity"] for f in data["findings"]}


def test_malformed_resource_name_is_an_error_only_where_a_device_is_injected(tmp_path: Path) -> None:
    """multus-cni pkg/k8sclient/k8sclient.go getKubernetesDelegate reads the resourceName only to
    look up the allocated device: on sriov it matters (error), on ovs it is inert (info)."""
    sev = _severities("ML5xx/sriov-resource-name.yaml", tmp_path)
    assert sev[("ML508", 14)] == "error"  # sriov
    assert sev[("ML508", 33)] == "info"  # ovs
