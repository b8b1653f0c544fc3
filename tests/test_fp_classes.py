"""Issue 13, false-positive classes 1, 2, 5 and 6: severities and messages the fixture markers
cannot pin (they carry code, line and column only). Each test names the upstream code it follows."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from harness import FIXTURES, lint_fixture

from multus_lint.model.versions import chart_assumed_newest, chart_assumption


def _findings(fixture: str, tmp_path: Path) -> list[dict]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    _, _, data, _ = lint_fixture(FIXTURES / fixture, tmp_path)
    return data["findings"]


def _lint(tmp_path: Path, text: str, *args: str) -> list[dict]:
    (tmp_path / "in.yaml").write_text(text)
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--format", "json", *args,
                           str(tmp_path / "in.yaml")], capture_output=True, text=True, timeout=60)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)["findings"]


def test_unknown_ipam_is_a_warning_a_case_miss_an_error(tmp_path: Path) -> None:
    """libcni FindInPath looks for a binary named exactly like the type: a case-only miss of a
    known name cannot be installed by accident (error); an unknown name may be (warning)."""
    sev = {(f["line"]): (f["severity"], f["message"]) for f in _findings("ML2xx/ipam-type-invalid.yaml", tmp_path)}
    assert sev[13][0] == "error" and "write 'whereabouts'" in sev[13][1]  # Whereabouts
    assert sev[49][0] == "warning" and "did you mean 'whereabouts'?" in sev[49][1]  # whereabout
    assert sev[58][0] == "warning" and "extra-plugins" in sev[58][1]  # infoblox
    assert sev[66][0] == "error" and "write 'calico-ipam'" in sev[66][1]  # Calico-IPAM


def test_second_default_route_message_says_what_the_kernel_does(tmp_path: Path) -> None:
    """containernetworking/plugins pkg/ipam/ipam_linux.go ConfigureIface -> netlink RouteAddEcmp
    (NLM_F_CREATE without NLM_F_EXCL): IPv4 fib_table_insert puts the new same-metric route ahead
    of eth0's; IPv6 fib6_add_rt2node makes an ECMP sibling. No `file exists`."""
    msgs = {f["line"]: f["message"] for f in _findings("ML3xx/default-route-chain.yaml", tmp_path)}
    assert msgs, "expected ML306 findings"
    assert not any("file exists" in m for m in msgs.values())
    assert "ahead of eth0's" in msgs[22] and "Service IPs" in msgs[22]
    assert "ECMP sibling" in msgs[24]


def test_current_bin_after_the_gate_is_an_error(tmp_path: Path) -> None:
    """k3s pkg/executor/embed Bootstrap: CNIBinDir = filepath.Dir(host-local) = D/data/cni after
    PR #10868, the only dir containerd searches: a plugin in data/current/bin is never found."""
    text = ("apiVersion: helm.cattle.io/v1\nkind: HelmChart\nmetadata: {name: multus, namespace: kube-system}\n"
            "spec:\n  repo: https://rke2-charts.rancher.io\n  chart: rke2-multus\n  version: v4.2.311\n"
            "  valuesContent: |-\n    config:\n      cni_conf:\n"
            "        binDir: /var/lib/rancher/k3s/data/current/bin\n")
    hits = [f for f in _lint(tmp_path, text, "--select", "ML102", "--k3s-version", "v1.31.2+k3s1")]
    assert [f["severity"] for f in hits] == ["error"]
    assert "never found" in hits[0]["message"] and "next K3s upgrade" not in hits[0]["message"]
    pre = _lint(tmp_path, text, "--select", "ML102", "--k3s-version", "v1.31.1+k3s1")
    assert pre == []  # before the gate data/current/bin is the right dir


def test_nad_conflist_without_name_is_info_and_cites_no_webhook(tmp_path: Path) -> None:
    """multus-cni pkg/k8sclient getCNIConfigFromSpec injects the NAD's name; K3s runs no NAD
    admission webhook."""
    text = ("apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata: {name: n}\n"
            "spec:\n  config: '{\"cniVersion\": \"1.0.0\", \"plugins\": [{\"type\": \"bridge\", \"bridge\": \"br1\"}]}'\n")
    hits = [f for f in _lint(tmp_path, text, "--select", "ML503")]
    assert [f["severity"] for f in hits] == ["info"]
    assert "webhook" not in hits[0]["message"]


def test_missing_network_suggests_only_close_names(tmp_path: Path) -> None:
    nads = "".join(
        f"---\napiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata: {{name: {n}}}\n"
        "spec:\n  config: '{\"cniVersion\": \"1.0.0\", \"type\": \"bridge\", \"bridge\": \"b\"}'\n"
        for n in ("n6network", "macvlan-conf"))
    pod = ("---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
           "    k8s.v1.cni.cncf.io/networks: {nets}\nspec:\n  containers: [{{name: c, image: i}}]\n")
    far = _lint(tmp_path, nads + pod.format(nets="macvtapnetwork"), "--select", "ML402")
    assert len(far) == 1 and "did you mean" not in far[0]["message"]
    near = _lint(tmp_path, nads + pod.format(nets="macvlan1-conf"), "--select", "ML402")
    assert len(near) == 1 and "did you mean 'macvlan-conf'?" in near[0]["message"]


def test_unpinned_chart_is_judged_as_the_newest_release_by_every_rule(tmp_path: Path) -> None:
    """One assumption (lint/model/versions.py chart_assumed_newest): helm installs the newest
    release when no version is given. ML105 and ML109 name it with the same words."""
    assert chart_assumed_newest(None) and chart_assumed_newest("") and chart_assumed_newest(">=4.2")
    assert not chart_assumed_newest("v4.2.202")
    unpinned = "the chart is unpinned (helm installs the newest release"
    assert chart_assumption(None, "v4.3.009").startswith(unpinned)
    text = ("apiVersion: helm.cattle.io/v1\nkind: HelmChart\nmetadata: {name: multus, namespace: kube-system}\n"
            "spec:\n  repo: https://rke2-charts.rancher.io\n  chart: rke2-multus\n"
            "  valuesContent: |-\n    config:\n      cni_conf:\n"
            "        confDir: /var/lib/rancher/k3s/agent/etc/cni/net.d\n"
            "        binDir: /var/lib/rancher/k3s/data/cni/\n"
            "        kubeconfig: /var/lib/rancher/k3s/agent/etc/cni/net.d/multus.d/multus.kubeconfig\n")
    by_code = {f["code"]: f["message"] for f in _lint(tmp_path, text, "--select", "ML105,ML109")}
    assert unpinned in by_code["ML105"] and unpinned in by_code["ML109"]


def test_k3s_docs_page_has_no_error(tmp_path: Path) -> None:
    """Every HelmChart and NAD of the K3s docs page, every rule: no error; the only warning is
    ML303 (true: whereabouts never skips the gateway), and the infos say why they matter."""
    for fixture in ("ML1xx/k3s-docs-page", "ML1xx/k3s-docs-host-local.yaml", "ML1xx/k3s-docs-dhcp.yaml"):
        found = _findings(fixture, tmp_path / fixture.replace("/", "_"))
        assert not [f for f in found if f["severity"] == "error"], found
        assert {f["code"] for f in found if f["severity"] == "warning"} <= {"ML303"}, found
    infos = [f for f in _findings("ML1xx/k3s-docs-page", tmp_path / "page2") if f["severity"] == "info"]
    assert any("harmless" in f["message"] for f in infos if f["code"] == "ML110")
    assert any("no longer ships" in f["message"] for f in infos if f["code"] == "ML109")


def test_range_bound_words_suggest_the_bound(tmp_path: Path) -> None:
    """host-local's Range (backend/allocator/config.go) has RangeStart/RangeEnd, whereabouts'
    IPAMConfig range_start/range_end: another word for a bound suggests that bound, not the
    closest spelling (`ranges` for rangeStop)."""
    msgs = {f["line"]: (f["severity"], f["message"]) for f in _findings("ML2xx/ipam-range-bound-words.yaml", tmp_path)}
    assert msgs[13] == ("warning", "'rangeStop' is not a host-local key and is silently ignored; did you mean 'rangeEnd'?")
    assert msgs[22][0] == "warning" and msgs[22][1].endswith("did you mean 'rangeStart'?")
    assert msgs[31][0] == "warning" and msgs[31][1].endswith("did you mean 'range_end'?")


def test_unset_values_beside_unread_value_files_are_info(tmp_path: Path) -> None:
    """argo-cd reposerver/repository/repository.go getResolvedValueFiles hands an Application's
    valueFiles to helm template: values this linter does not read may set every path, so the
    chart defaults are not certain (batch 11b, gyulaasztalos/ArgoCD: 4 errors)."""
    found = _findings("ML1xx/argo-valuefiles-unread", tmp_path)
    assert {f["code"] for f in found} == {"ML101", "ML103", "ML104", "ML105"}
    assert {f["severity"] for f in found} == {"info"}
    assert all("cannot read, sets it" in f["message"] for f in found)
