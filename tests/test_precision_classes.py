"""Severity of findings whose truth depends on something only known when the manifests are
applied: the fixture harness checks (code, line, column), these check the severity too."""

from __future__ import annotations

from pathlib import Path

from harness import FIXTURES, lint_fixture


def _by_line(data: dict, code: str) -> dict[tuple[str, int, int], str]:
    return {(f["path"].split("/")[-1], f["line"], f["column"]): f["severity"]
            for f in data["findings"] if f["code"] == code}


def test_unqualified_network_of_namespace_less_pod_is_info(tmp_path: Path) -> None:
    """multus-cni pkg/k8sclient/k8sclient.go getKubernetesDelegate resolves an unqualified
    name in the pod's namespace; a manifest without metadata.namespace gets it at apply time
    (kubectl -n / the context), so a NAD of that name in another namespace may be the one meant."""
    _, _, data, _ = lint_fixture(FIXTURES / "ML4xx" / "network-not-found-namespace-unset", tmp_path)
    sev = _by_line(data, "ML402")
    assert sev == {("pod.yaml", 6, 34): "info",    # 'ctrl' exists in lab: applied there, it works
                   ("pod.yaml", 6, 40): "error",   # 'nowhere' exists in no namespace
                   ("pod.yaml", 17, 34): "error"}  # the pod says apps: 'ctrl' is not there


def test_plugin_not_installed_names_the_multus_bin_dir(tmp_path: Path) -> None:
    """multus-cni pkg/multus multus.go runs a delegate from the Multus config's binDir first,
    then from CNI_PATH (the runtime's dir): ML507 names both, not K3s's dir alone (found on
    lf-edge/eve, whose Multus config sets binDir /var/lib/cni/bin)."""
    _, _, data, _ = lint_fixture(FIXTURES / "ML5xx" / "plugin-not-installed-multus-bindir", tmp_path)
    messages = [f["message"] for f in data["findings"] if f["code"] == "ML507"]
    assert len(messages) == 1
    assert "installed into /var/lib/cni/bin or /var/lib/rancher/k3s/data/cni by nothing" in messages[0]


def test_network_of_namespace_less_nad_is_info(tmp_path: Path) -> None:
    """A NAD whose manifest, and every kustomization deploying it, sets no namespace lands
    where it is applied (niloysh/open5gs-k8s deploy-core.sh: `kubectl apply -k networks5g -n
    open5gs`): a pod of open5gs naming it starts when applied there, so ML402 is info, not an
    error (multus-cni pkg/k8sclient getKubernetesDelegate looks the NAD up in the pod's
    namespace)."""
    _, _, data, _ = lint_fixture(FIXTURES / "ML4xx" / "network-not-found-nad-namespace-unset", tmp_path)
    assert _by_line(data, "ML402") == {("amf-deployment.yaml", 13, 11): "info"}


def test_annotation_on_controller_names_the_controller_kind(tmp_path: Path) -> None:
    """bjw-s app-template renders controllers.<name> as its ``type`` says (deployment,
    daemonset, statefulset, cronjob, job): ML403 names that kind (chaijunkin/home-ops ytdl-sub,
    a cronjob, was called a Deployment)."""
    _, _, data, _ = lint_fixture(FIXTURES / "ML4xx" / "values-controller-cronjob.yaml", tmp_path)
    messages = [f["message"] for f in data["findings"] if f["code"] == "ML403"]
    assert len(messages) == 1 and "spec.values.controllers.ytdl-sub.annotations, which app-template puts on the CronJob's own metadata" \
        in messages[0]
