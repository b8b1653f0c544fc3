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


def test_a_gateway_nothing_reads_is_info_and_a_used_one_an_error(tmp_path: Path) -> None:
    """containernetworking/plugins pkg/ipam/ipam_linux.go ConfigureIface takes the IPAM gateway
    only as the next hop of a result route without `gw` (whereabouts cmd/whereabouts.go only
    copies it into the result): with no such route, no sbr and no bridge gateway the pod works,
    so an off-link or reserved gateway is info; once a route, sbr or isDefaultGateway uses it,
    the route fails at pod start: error."""
    for sub in ("unused", "outside", "reserved"):
        (tmp_path / sub).mkdir()
    unused = _severities("ML3xx/gateway-unused.yaml", tmp_path / "unused")
    # line 44: host-local refuses an off-subnet gateway itself (allocator range.go Canonicalize),
    # so nothing downstream matters: error
    assert unused == {("ML301", 21): "info", ("ML301", 44): "error", ("ML302", 60): "info",
                      ("ML301", 77): "info"}
    outside = _severities("ML3xx/gateway-outside.yaml", tmp_path / "outside")
    assert set(outside.values()) == {"error"} and len(outside) == 7
    reserved = _severities("ML3xx/gateway-reserved.yaml", tmp_path / "reserved")
    assert set(reserved.values()) == {"error"} and len(reserved) == 5


def test_a_wrong_label_that_flux_applies_is_a_warning(tmp_path: Path) -> None:
    """fluxcd/pkg ssa/manager.go SetOwnerLabels reads an object's labels with unstructured
    GetLabels (apimachinery NestedStringMap: no map when a value is not a string) and sets its
    own two: the object is created without its labels (warning). The pod template's labels,
    and an object applied with kubectl, still fail to decode (error)."""
    base = "ML0xx/k8s-field-type-flux-labels"
    _, _, data, _ = lint_fixture(FIXTURES / base, tmp_path)
    sev = {(f["path"].split("/", 1)[1], f["line"]): f["severity"] for f in data["findings"]}
    # (an unquoted `yes` is a string to kustomize's YAML 1.2 reader, apps/namespace.yaml:9, and a
    # boolean to kubectl's YAML 1.1 one, loose/namespace.yaml:9)
    assert sev == {("apps/namespace.yaml", 7): "warning", ("apps/router.yaml", 8): "warning",
                   ("apps/router.yaml", 16): "error", ("loose/namespace.yaml", 7): "error",
                   ("loose/namespace.yaml", 9): "error"}
