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


# A node config kept elsewhere than /etc/rancher/rke2 (a repository's rke2/config.yaml, an Ansible
# role's files/): its keys, or an RKE2-only HelmChartConfig beside it, say whose it is
# (model.profile.apply_node_distro)
HCC_CANAL = ("apiVersion: helm.cattle.io/v1\nkind: HelmChartConfig\nmetadata:\n  name: rke2-canal\n"
             "  namespace: kube-system\nspec:\n  valuesContent: |-\n    flannel:\n      iface: eth1\n")
NAD = ('apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata:\n  name: net-a\n'
       '  namespace: apps\nspec:\n  config: \'{"cniVersion": "0.3.1", "type": "macvlan", "master": "eth1", '
       '"ipam": {"type": "whereabouts", "range": "10.1.0.0/24", "configuration_path": '
       '"/etc/cni/net.d/whereabouts.d/whereabouts.conf"}}\'\n')


def _profile_of(root: Path, files: dict[str, str], *args: str) -> dict[str, tuple[str, str]]:
    """--print-profile of a project of ``files``: setting -> (value, source)."""
    (root / ".git").mkdir(exist_ok=True)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--no-cache", "--print-profile", *args, "."],
                          cwd=root, capture_output=True, text=True, timeout=60)
    assert "Traceback" not in proc.stderr, proc.stderr
    rows = {}
    for line in proc.stdout.splitlines():
        parts = line.split(None, 1)
        if len(parts) == 2 and "(" in parts[1] and not line.startswith(("root:", "scopes:")):
            value, _, source = parts[1].partition("  ")
            rows[parts[0]] = (value.strip(), source.strip().removeprefix("(").removesuffix(")"))
    return rows


@pytest.mark.parametrize("rel", ["rke2/config.yaml", "ansible/roles/rke2/files/config.yaml",
                                 "cluster/server-config.yaml"])
def test_rke2_only_keys_say_rke2_anywhere_but_a_k3s_place(tmp_path, rel):
    # cni is RKE2's own server flag (rancher/rke2 pkg/cli/cmds/server.go CNIFlag): K3s has none
    rows = _profile_of(tmp_path, {rel: "cni: multus,canal\ntls-san:\n  - a.example.com\ntoken: x\n",
                                  "apps/nad.yaml": NAD})
    assert rows["distro"][0] == "rke2" and rel in rows["distro"][1] and "cni:" in rows["distro"][1]
    assert rows["data-dir"][0] == "/var/lib/rancher/rke2"
    assert _lint_in(tmp_path) == []  # /etc/cni/net.d/whereabouts.d is RKE2's: no ML201


def test_other_rke2_only_keys_make_a_node_config(tmp_path):
    # profile: and audit-policy-file: are flags of RKE2's commands (root.go commonFlag) only;
    # with them the mapping was no node config at all
    rows = _profile_of(tmp_path, {"nodes/server.yaml": "token: x\nprofile: cis\naudit-policy-file: /etc/a.yaml\n"})
    assert rows["distro"][0] == "rke2" and "nodes/server.yaml" in rows["distro"][1]


def test_rke2_helmchartconfig_makes_a_shared_keys_config_rke2s(tmp_path):
    rows = _profile_of(tmp_path, {"ansible/roles/rke2/files/config.yaml": "token: x\nwrite-kubeconfig-mode: '0644'\n",
                                  "rke2/rke2-canal-config.yaml": HCC_CANAL})
    assert rows["distro"][0] == "rke2"
    assert "ansible/roles/rke2/files/config.yaml" in rows["distro"][1] and "rke2-canal" in rows["distro"][1]
    # without that HelmChartConfig nothing says RKE2
    (tmp_path / "rke2" / "rke2-canal-config.yaml").unlink()
    assert _profile_of(tmp_path, {})["distro"] == ("k3s", "default")


@pytest.mark.parametrize("files", [
    # K3s's place, whatever keys it holds (cni: there is ML604)
    {"etc/rancher/k3s/config.yaml": "cni: multus,canal\n"},
    {"etc/rancher/k3s/config.yaml.d/10-net.yaml": "cni: multus,canal\n"},
    {"k3s/config.yaml": "cni: multus,canal\n"},
    # a key only K3s has (RKE2 drops flannel-backend, cluster-init: server.go K3SFlagSet dropFlag)
    {"cluster/server-config.yaml": "cni: multus,canal\nflannel-backend: host-gw\n"},
    {"rke2/config.yaml": "cluster-init: true\ntoken: x\n"},
    # a K3s config anywhere in the scope keeps it K3s's
    {"rke2/config.yaml": "cni: multus,canal\n", "etc/rancher/k3s/config.yaml": "token: x\n"},
    # PyratLabs/ansible-role-k3s writes k3s_server as /etc/rancher/k3s/config.yaml
    {"group_vars/all.yml": "k3s_server:\n  cni: multus,canal\n  token: x\n"},
])
def test_k3s_place_or_k3s_only_keys_stay_k3s(tmp_path, files):
    rows = _profile_of(tmp_path, {**files, "rke2/rke2-canal-config.yaml": HCC_CANAL})
    assert rows["distro"] == ("k3s", "default"), rows["distro"]
    assert rows["data-dir"][0] == "/var/lib/rancher/k3s"


@pytest.mark.parametrize("rel", ["etc/rancher/rke2/config.yaml", "rke2/config.yaml"])
def test_distro_flag_over_an_rke2_config_takes_k3s_dirs(tmp_path, rel):
    # the RKE2 data dir the config's distro brought is not kept under --distro k3s
    rows = _profile_of(tmp_path, {rel: "cni: canal\n"}, "--distro", "k3s")
    assert rows["distro"][0] == "k3s" and rows["data-dir"] == ("/var/lib/rancher/k3s", "default")
