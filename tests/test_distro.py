"""cluster.distro / --distro (issue 15 item 6): RKE2 and generic nodes keep containerd's default
CNI dirs (rancher/rke2 pkg/cli/defaults/defaults.go Set: FlannelBackend "none"), RKE2 installs
rke2-multus itself from `cni: multus,<cni>` (pkg/cli/cmds/server.go validateCNI) and a
HelmChartConfig named rke2-multus configures it (charts/chart_versions.yaml ships the chart)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from multus_lint.config import ConfigError
from multus_lint.model.profile import Profile, apply

CORPUS = Path(__file__).parent.parent.parent / "shared" / "corpus"
# RKE2 files of the shared corpora (SOURCES.tsv: RKE2 labs, RKE2's own e2e files, an RKE2 test
# framework's HelmChartConfig)
RKE2_FILES = ["real2/08-csrx-rke2-bridge", "real2/09-harvester-kubeovn-demo",
              "real2/11-rke2-e2e-multus-pods",
              "real/32-endawkins-distros-test-framework-rke2-multus-config.yaml"]
K3S_PATH_RULES = {"ML101", "ML102", "ML103", "ML104", "ML105", "ML108", "ML201", "ML510", "ML603"}


def _lint(*args: str) -> list[dict]:
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--format", "json", *args],
                          capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout)["findings"]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_rke2_corpus_files_get_no_k3s_path_findings():
    paths = [str(CORPUS / p) for p in RKE2_FILES]
    rke2 = {f["code"] for f in _lint("--distro", "rke2", *paths)}
    assert not rke2 & K3S_PATH_RULES, rke2 & K3S_PATH_RULES
    # without --distro the files say it themselves: the HelmChartConfig of RKE2's packaged
    # rke2-multus (real/32), with nothing deploying that chart, means RKE2 nodes
    inferred = {f["code"] for f in _lint(*paths)}
    assert not inferred & K3S_PATH_RULES, inferred & K3S_PATH_RULES
    k3s = {f["code"] for f in _lint("--distro", "k3s", *paths)}
    assert {"ML603", "ML510"} <= k3s  # judged as K3s they are K3s mistakes


def test_profile_paths_by_distro():
    p = Profile()
    apply(p, {"distro": "rke2"}, "test")
    assert (p.bin_dir, p.conf_dir, p.data_dir, p.name) == (
        "/opt/cni/bin", "/etc/cni/net.d", "/var/lib/rancher/rke2", "RKE2")
    p = Profile()
    apply(p, {"data-dir": "/srv/rke2"}, "config")
    apply(p, {"distro": "rke2"}, "command line")
    assert p.data_dir == "/srv/rke2"  # an explicit data dir is kept
    g = Profile()
    apply(g, {"distro": "generic"}, "test")
    assert (g.bin_dir, g.conf_dir) == ("/opt/cni/bin", "/etc/cni/net.d")
    with pytest.raises(ConfigError):
        apply(Profile(), {"distro": "k8s"}, "config")


def test_rke2_config_file_sets_the_distro(tmp_path):
    (tmp_path / ".git").mkdir()
    cfg = tmp_path / "etc" / "rancher" / "rke2"
    cfg.mkdir(parents=True)
    (cfg / "config.yaml").write_text("cni: multus,canal\n")
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--print-profile", "."], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    # after the root and scope lines (issue 12), the profile's rows
    first = next(line for line in proc.stdout.splitlines() if line.startswith("distro"))
    assert first.split()[:2] == ["distro", "rke2"] and "config.yaml" in first


def test_cluster_distro_in_the_config_file(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".multus-lint.yaml").write_text("cluster:\n  distro: generic\n")
    (tmp_path / "v.yaml").write_text("config:\n  cni_conf:\n    multusAutoconfigDir: /etc/cni/net.d\n")
    assert _lint_in(tmp_path) == []
    (tmp_path / ".multus-lint.yaml").write_text("cluster:\n  distro: k3s\n")
    assert {f["code"] for f in _lint_in(tmp_path)} >= {"ML101", "ML103"}


def _lint_in(root: Path) -> list[dict]:
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--format", "json", "."], cwd=root,
                          capture_output=True, text=True, timeout=60)
    assert "Traceback" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout)["findings"]
