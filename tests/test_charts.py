"""Chart values resolution as helm-controller does it, and the deployment checks end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from multus_lint.load.read import Limits, decode
from multus_lint.model.charts import build_releases, set_key_parts, set_value
from multus_lint.model.project import build_project

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real"

HC = """apiVersion: helm.cattle.io/v1
kind: HelmChart
metadata: {name: multus, namespace: kube-system}
spec:
  chart: rke2-multus
  repo: https://rke2-charts.rancher.io
"""
HCC = """apiVersion: helm.cattle.io/v1
kind: HelmChartConfig
metadata: {name: multus, namespace: kube-system}
spec:
"""


def releases(*files: tuple[str, str]):
    limits = Limits()
    sources = [decode(name, text.encode(), limits) for name, text in files]
    project = build_project(sources, ".", limits)
    return project, project.releases


def test_precedence_valuescontent_values_config_set() -> None:
    hc = HC + """  valuesContent: |-
    a: {hc_content: 1, x: hc_content, l: [1, 2]}
  values:
    a: {hc_values: 1, x: hc_values}
  set:
    a.x: set
    a.n: 5
    a.t: "true"
    a.s: "01"
"""
    hcc = HCC + """  valuesContent: |-
    a: {hcc_content: 1, x: hcc_content, l: [3]}
  values:
    a: {hcc_values: 1}
"""
    _, (rel,) = releases(("hc.yaml", hc), ("hcc.yaml", hcc))
    a = rel.values["a"]
    # maps deep-merge: every layer's own key survives
    assert {k: a[k] for k in ("hc_content", "hc_values", "hcc_content", "hcc_values")} == \
        {"hc_content": 1, "hc_values": 1, "hcc_content": 1, "hcc_values": 1}
    assert a["x"] == "set"  # spec.set wins over everything
    assert a["l"] == [3]  # lists replace, not append
    assert a["n"] == 5 and a["t"] is True and a["s"] == "01"  # --set typed, --set-string kept
    # where the winning value is: spec.set in the HelmChart's file
    site = rel.site(("a", "x"))
    assert site.source.path == "hc.yaml" and site.span.line == hc.splitlines().index("    a.x: set") + 1
    # a key only the HelmChartConfig sets is found in its file
    assert rel.site(("a", "hcc_content")).source.path == "hcc.yaml"


def test_values_only_in_helmchartconfig_are_judged_there() -> None:
    hcc = HCC + """  valuesContent: |-
    config:
      cni_conf:
        binDir: /opt/cni/bin
"""
    _, (rel,) = releases(("hc.yaml", HC), ("hcc.yaml", hcc))
    assert rel.config_doc is not None
    assert rel.get(("config", "cni_conf", "binDir")) == "/opt/cni/bin"
    site = rel.site(("config", "cni_conf", "binDir"))
    assert (site.source.path, site.span.line) == ("hcc.yaml", 8)
    # a missing key points at the nearest enclosing key of the layer that has the most of it
    missing = rel.site(("config", "cni_conf", "confDir"))
    assert (missing.source.path, missing.span.line) == ("hcc.yaml", 7)


def test_config_of_another_name_or_namespace_does_not_apply() -> None:
    other = HCC.replace("namespace: kube-system", "namespace: default") + """  valuesContent: |-
    x: 1
"""
    _, (rel,) = releases(("hc.yaml", HC), ("hcc.yaml", other))
    assert rel.config_doc is None and "x" not in rel.values


def test_set_keys_and_values() -> None:
    assert set_key_parts(r"a.b\.c.d") == ["a", "b.c", "d"]
    assert set_value("TRUE") is True and set_value("false") is False and set_value("null") is None
    assert set_value("yes") == "yes" and set_value(3) == 3


def test_values_secrets_cannot_be_read_and_findings_say_so(tmp_path: Path) -> None:
    (tmp_path / "hc.yaml").write_text(HC + "  valuesSecrets:\n    - name: multus-values\n")
    out = lint(tmp_path, "--select", "ML101", "hc.yaml")
    (finding,) = out["findings"]
    assert "valuesSecrets (multus-values)" in finding["message"]
    assert "cannot read" in finding["message"]


def test_unparsable_values_are_not_judged() -> None:
    hc = HC + "  valuesContent: |-\n    config: [\n"
    project, (rel,) = releases(("hc.yaml", hc))
    assert not rel.values_known and rel not in project.judged_releases
    assert [p.code for _, p in project.problems] == ["ML601"]


def test_builders_are_extensible(monkeypatch: pytest.MonkeyPatch) -> None:
    from multus_lint.model import charts

    project, rels = releases(("hc.yaml", HC))
    assert [r.source_kind for r in rels] == ["HelmChart"]
    extra = charts.ChartRelease(project.helmcharts[0], "custom", "rke2-multus", None)
    monkeypatch.setattr(charts, "RELEASE_BUILDERS", charts.RELEASE_BUILDERS + [lambda p: [extra]])
    assert [r.source_kind for r in build_releases(project)] == ["HelmChart", "custom"]


def lint(cwd: Path, *args: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--format", "json", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("tab", ["host-local", "whereabouts", "dhcp"])
def test_k3s_docs_chart_has_no_warning_or_error(tmp_path: Path, tab: str) -> None:
    """Every rule (not only ML1/ML6), on the docs' HelmChart of each IPAM tab."""
    text = (FIXTURES / "ML1xx" / f"k3s-docs-{tab}.yaml").read_text()
    chart = text.split("\n---\n")[0]
    chart = "\n".join(line.split("  #!")[0] for line in chart.splitlines() if not line.startswith("#!"))
    (tmp_path / "multus.yaml").write_text(chart + "\n")
    findings = lint(tmp_path, "multus.yaml")["findings"]
    assert findings, "expected the info findings (ML109 unpinned, ML110 fullnameOverride)"
    assert {f["severity"] for f in findings} == {"info"}, findings
    assert {f["code"] for f in findings} == {"ML109", "ML110"}
    # without the multusAutoconfigDir line (unpinned): ML105
    (tmp_path / "multus.yaml").write_text(
        "\n".join(line for line in chart.splitlines() if "multusAutoconfigDir" not in line) + "\n")
    codes = [f["code"] for f in lint(tmp_path, "multus.yaml")["findings"] if f["severity"] == "error"]
    assert codes == ["ML105"]
    # pinned to v4.2.106 without it: nothing for ML105
    pinned = "\n".join(line for line in chart.splitlines() if "multusAutoconfigDir" not in line)
    pinned = pinned.replace("  chart: rke2-multus\n", "  chart: rke2-multus\n  version: v4.2.106\n")
    (tmp_path / "multus.yaml").write_text(pinned + "\n")
    assert not [f for f in lint(tmp_path, "multus.yaml")["findings"] if f["code"] == "ML105"]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/real not present")
def test_upstream_thin_daemonset() -> None:
    path = next(CORPUS.glob("06-*"))
    default = lint(CORPUS, "--select", "ML1", path.name)["findings"]
    assert sorted({f["code"] for f in default}) == ["ML101", "ML103", "ML104"]
    assert len(default) == 3  # one each: the two hostPaths, and the args of the multus container
    flannel_off = lint(CORPUS, "--select", "ML1", "--flannel-backend", "none", path.name)["findings"]
    assert flannel_off == []


def test_chart_identity_of_values_files_is_printed(tmp_path):
    """Issue 13 class 4: a values file is judged by rke2-multus rules only when keys only that
    chart has identify it (lint/model/chart_ids.py); --print-profile says which chart each
    file is for, and why an unidentified one gets no chart findings."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    src = Path(__file__).parent / "fixtures" / "ML1xx" / "values-other-charts-ok"
    shutil.copytree(src, tmp_path / "v")
    (tmp_path / ".git").mkdir()
    out = subprocess.run([sys.executable, "-m", "multus_lint", "--print-profile", "v"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60).stdout
    lines = {line.split(":")[0].strip(): line for line in out.splitlines() if line.startswith("  v/")}
    assert "not identified, no chart findings" in lines["v/k8snp-legacy-values.yaml"]
    assert "config.cni_conf.cniDir" in lines["v/k8snp-legacy-values.yaml"]
    assert "not identified" in lines["v/shared-keys-only-values.yaml"]
    assert "bjw-s multus" in lines["v/bjw-s-helmrelease.yaml"]


def test_identify_values_by_keys_only_one_chart_has():
    from multus_lint.model import chart_ids as ci

    assert ci.identify_values({"config": {"cni_conf": {"multusAutoconfigDir": "/x"}}}).chart == ci.RKE2
    assert ci.identify_values({"rke2-whereabouts": {"enabled": True}}).chart == ci.RKE2
    assert ci.identify_values({"hostCNIBinDir": "/opt/cni/bin"}).chart == ci.BITNAMI
    assert ci.identify_values({"args": {"cniBinDir": "/host/opt/cni/bin"}}).chart == ci.K8SNP
    assert ci.identify_values({"config": {"cni_conf": {"delegates": []}}}).chart is None
    # keys of two charts: not identified
    assert ci.identify_values({"hostCNIBinDir": "/x", "rke2-whereabouts": {}}).chart is None
    assert ci.identify_values({"cni": {"binPath": "/opt/cni/bin"}}) is None  # cilium, not multus
    assert ci.identify_chart("multus-cni", "oci://registry-1.docker.io/bitnamicharts").chart == ci.BITNAMI
    assert ci.identify_chart("rke2-multus-crd") is None


def test_identify_the_bjw_s_chart_and_its_successor():
    """bjw-s-labs/helm-charts charts/other/multus values.yaml (cni.binPath, cni.netPath, multus)
    and home-operations/helm-charts charts/multus values.yaml (cni.binDir, cni.netDir, cniPlugins,
    extraArgs); Cilium's cni.binPath/confPath without a multus section is neither."""
    from multus_lint.model import chart_ids as ci

    assert ci.identify_values({"cni": {"binPath": "/opt/cni/bin"}, "multus": {}}).chart == ci.BJWS
    assert ci.identify_values({"cni": {"netDir": "/etc/cni/net.d"}, "extraArgs": []}).chart == ci.HOMEOPS
    assert ci.identify_values({"cni": {"binPath": "/opt/cni/bin", "confPath": "/etc/cni/net.d"}}) is None
    assert ci.identify_chart("multus", "oci://ghcr.io/home-operations/charts/multus").chart == ci.HOMEOPS
    assert ci.identify_chart("multus", "oci://ghcr.io/bjw-s-labs/helm/multus").chart == ci.BJWS
