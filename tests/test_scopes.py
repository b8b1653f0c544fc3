"""Cluster scopes (issue 12): objects of two clusters are never paired, each cluster has its
own profile, a file reached from several clusters is judged in each.

How entry points are followed is the controllers' own: Flux kustomize-controller joins
``spec.path`` to the source root (internal/controller/kustomization_controller.go,
``securejoin.SecureJoin(tmpDir, obj.Spec.Path)``) and, without a kustomization file, applies
every .yaml/.yml below it (fluxcd/pkg kustomize/kustomize_generator.go,
``generateKustomization``); Argo CD resolves ``spec.source.path`` against the repository root
(argo-cd reposerver/repository/repository.go, ``apppathutil.Path``) and names the cluster in
``spec.destination``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from test_root import K3S_DOCS_HELMCHART, absolute, lint

PATH_RULES = "ML101,ML102,ML103,ML104,ML105"


def nad(name: str, cidr: str = "10.10.0.0/24", gateway: str | None = None) -> str:
    gw = f', "gateway": "{gateway}"' if gateway else ""
    return f"""\
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: {name}
  namespace: net
spec:
  config: |
    {{"cniVersion": "1.0.0", "type": "macvlan", "master": "eth1",
     "ipam": {{"type": "whereabouts", "range": "{cidr}", "network_name": "{name}"{gw}}}}}
"""


def flux_kustomization(name: str, path: str) -> str:
    return f"""\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: {name}
  namespace: flux-system
spec:
  interval: 10m
  path: {path}
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


def issue_repo(tmp: Path) -> Path:
    """The issue's reproduction, plus a lab HelmChart so the lab's own findings show."""
    repo = tmp / "repo"
    (repo / ".git").mkdir(parents=True)
    return write(repo, {
        "clusters/lab/k3s/config.yaml": "data-dir: /srv/k3s\n",
        "clusters/prod/k3s/config.yaml": 'write-kubeconfig-mode: "0644"\n',
        "clusters/prod/apps/multus.yaml": K3S_DOCS_HELMCHART,
        "clusters/lab/apps/multus.yaml": K3S_DOCS_HELMCHART,
    })


def test_issue_reproduction_prod_is_judged_with_its_own_profile(tmp_path: Path) -> None:
    repo = issue_repo(tmp_path)
    rc, prod, err = lint("clusters/prod/apps/", cwd=repo)
    assert rc == 0, err
    assert not [f for f in prod if f["severity"] != "info"], prod
    assert all(f["scope"] == "prod" for f in prod)
    # the same as if the lab cluster were not in the repository at all
    alone = tmp_path / "alone"
    shutil.copytree(repo, alone)
    shutil.rmtree(alone / "clusters" / "lab")
    _, without_lab, _ = lint("clusters/prod/apps/", cwd=alone)
    assert {(f["code"], f["line"]) for f in prod} == {(f["code"], f["line"]) for f in without_lab}
    # --diff: nothing to rewrite in prod
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--diff", "clusters/prod/apps/"], cwd=repo,
                          capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stdout) == (0, ""), proc.stderr
    # the lab cluster's own findings are intact: its data dir is /srv/k3s
    _, lab, _ = lint("--select", PATH_RULES, "clusters/lab/", cwd=repo)
    assert {f["code"] for f in lab} == {"ML101", "ML103", "ML104", "ML105"}
    assert all("/srv/k3s" in f["message"] and f["scope"] == "lab" for f in lab)
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--diff", "."], cwd=repo,
                          capture_output=True, text=True, timeout=120)
    assert "+++ b/clusters/lab/apps/multus.yaml" in proc.stdout
    assert "clusters/prod" not in proc.stdout


def flux_repo(tmp: Path) -> Path:
    """Flux's monorepo layout: clusters/<name> with the sync and an infrastructure
    Kustomization each; infrastructure/<name> overlays on a shared base."""
    repo = tmp / "fleet"
    (repo / ".git").mkdir(parents=True)
    return write(repo, {
        "clusters/lab/flux-system/gotk-sync.yaml": flux_kustomization("flux-system", "./clusters/lab"),
        "clusters/lab/infrastructure.yaml": flux_kustomization("infrastructure", "./infrastructure/lab"),
        "clusters/prod/flux-system/gotk-sync.yaml": flux_kustomization("flux-system", "./clusters/prod"),
        "clusters/prod/infrastructure.yaml": flux_kustomization("infrastructure", "./infrastructure/prod"),
        # both clusters use 10.10.0.0/24 for their own storage network: no overlap, they never meet
        "infrastructure/lab/kustomization.yaml": "resources:\n  - storage.yaml\n  - ../base\n",
        "infrastructure/lab/storage.yaml": nad("storage-lab"),
        "infrastructure/prod/kustomization.yaml": "resources:\n  - networks\n  - ../base\n",
        # a folder without a kustomization file: kustomize reads it as a resource only if
        # it has one, so it gets one here (networks/kustomization.yaml)
        "infrastructure/prod/networks/kustomization.yaml": "resources:\n  - storage.yaml\n",
        "infrastructure/prod/networks/storage.yaml": nad("storage-prod"),
        # shared by both: its mistake (gateway outside the range) is one finding, in both scopes
        "infrastructure/base/kustomization.yaml": "resources:\n  - shared.yaml\n",
        "infrastructure/base/shared.yaml": nad("shared", "10.20.0.0/24", "10.21.0.1"),
        # reached by nothing: its own scope
        "docs/example.yaml": nad("example", "10.30.0.0/24"),
    })


def test_flux_clusters_are_separate_scopes(tmp_path: Path) -> None:
    repo = flux_repo(tmp_path)
    rc, findings, err = lint("--select", "ML301,ML304", ".", cwd=repo)
    by_code = {}
    for f in findings:
        by_code.setdefault(f["code"], []).append(f)
    assert "ML304" not in by_code, by_code  # lab's and prod's 10.10.0.0/24 never meet
    [shared] = by_code["ML301"]
    assert shared["path"] == "infrastructure/base/shared.yaml"
    assert shared["scope"] == "lab, prod" and shared["message"].endswith("[cluster scopes: lab, prod]")
    # the control: the same files as one cluster (no clusters/ folder) overlap
    shutil.rmtree(repo / "clusters")
    _, one, _ = lint("--select", "ML301,ML304", ".", cwd=repo)
    assert "ML304" in {f["code"] for f in one}
    assert all("scope" not in f for f in one)  # one scope: the JSON contract is unchanged


def test_print_profile_lists_root_scopes_and_files(tmp_path: Path) -> None:
    repo = flux_repo(tmp_path)
    write(repo, {"clusters/lab/k3s/config.yaml": "data-dir: /srv/k3s\n"})
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--print-profile", "."], cwd=repo,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert f"root: {repo}" in out and "git repository" in out
    assert "scopes: 3" in out
    lines = out.splitlines()
    lab = next(i for i, line in enumerate(lines) if line.startswith("scope lab:"))
    assert "clusters/lab/" in lines[lab]
    # lab: gotk-sync, infrastructure.yaml, k3s config, the overlay's kustomization and NAD,
    # the base's kustomization and NAD
    assert lines[lab].split(":")[1].split()[0] == "7"
    data_dir = next(line for line in lines[lab:] if line.strip().startswith("data-dir"))
    assert "/srv/k3s" in data_dir and "clusters/lab/k3s/config.yaml" in data_dir
    assert any(line.startswith("scope (rest):") for line in lines)


def test_same_findings_from_three_working_directories(tmp_path: Path) -> None:
    repo = flux_repo(tmp_path)
    want = absolute(lint(".", cwd=repo)[1], repo)
    assert want
    assert absolute(lint(str(repo), cwd="/")[1], "/") == want
    inside = repo / "clusters" / "lab"
    assert absolute(lint("../..", cwd=inside)[1], inside) == want


def test_declared_clusters(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo, {
        ".multus-lint.yaml": "clusters:\n"
                             "  - name: edge\n    paths: [sites/edge/**]\n    cluster: {data-dir: /srv/k3s}\n"
                             "  - name: core\n    paths: [sites/core]\n",
        "sites/edge/multus.yaml": K3S_DOCS_HELMCHART,
        "sites/core/multus.yaml": K3S_DOCS_HELMCHART,
        "sites/edge/storage.yaml": nad("storage-edge"),
        "sites/core/storage.yaml": nad("storage-core"),
    })
    _, findings, err = lint("--select", PATH_RULES + ",ML304", ".", cwd=repo)
    assert {(f["path"].split("/")[1], f["code"]) for f in findings} == {
        ("edge", "ML101"), ("edge", "ML103"), ("edge", "ML104"), ("edge", "ML105")}, err
    assert {f["scope"] for f in findings} == {"edge"}
    out = subprocess.run([sys.executable, "-m", "multus_lint", "--print-profile", "."], cwd=repo,
                         capture_output=True, text=True, timeout=120).stdout
    assert "scope edge: 2 files" in out and "declared in" in out
    assert "clusters[edge].cluster" in out


def test_declared_clusters_config_errors(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "nad.yaml").write_text(nad("a"))
    for text, needle in [("clusters: {a: 1}\n", "must be a list"),
                         ("clusters:\n  - name: a\n", "paths is required"),
                         ("clusters:\n  - name: a\n    paths: [x]\n    cluster: {data_dir: /x}\n", "data-dir"),
                         ("clusters:\n  - name: a\n    path: [x]\n", "did you mean 'paths'"),
                         ("clusters:\n  - {name: a, paths: [x]}\n  - {name: a, paths: [y]}\n", "used twice")]:
        (tmp_path / ".multus-lint.yaml").write_text(text)
        rc, _, err = lint("nad.yaml", cwd=tmp_path)
        assert rc == 2 and needle in err, (text, err)


def argo_app(name: str, path: str, server: str) -> str:
    return f"""\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {name}
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://git.example.com/fleet.git
    targetRevision: HEAD
    path: {path}
  destination:
    server: {server}
    namespace: net
"""


def test_argo_applications_scoped_by_destination(tmp_path: Path) -> None:
    repo = tmp_path / "argo"
    (repo / ".git").mkdir(parents=True)
    write(repo, {
        "argocd/lab.yaml": argo_app("lab-net", "envs/lab", "https://lab.example.com:6443"),
        "argocd/prod.yaml": argo_app("prod-net", "envs/prod", "https://prod.example.com:6443"),
        "envs/lab/storage.yaml": nad("storage-lab"),
        "envs/prod/storage.yaml": nad("storage-prod"),
    })
    _, findings, _ = lint("--select", "ML304", ".", cwd=repo)
    assert findings == []
    # both Applications to one cluster: the ranges do meet
    (repo / "argocd/prod.yaml").write_text(argo_app("prod-net", "envs/prod", "https://lab.example.com:6443"))
    _, findings, _ = lint("--select", "ML304", ".", cwd=repo)
    assert {f["code"] for f in findings} == {"ML304"}


def test_fix_never_writes_another_scopes_profile(tmp_path: Path) -> None:
    """A HelmChart shared by two clusters whose data dirs differ: ML101 in one scope only, so
    its fix (the /srv/k3s path) would break the other cluster: --diff writes nothing."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo, {
        "clusters/lab/k3s/config.yaml": "data-dir: /srv/k3s\n",
        "clusters/lab/apps.yaml": flux_kustomization("apps", "./apps/base"),
        "clusters/prod/apps.yaml": flux_kustomization("apps", "./apps/base"),
        "apps/base/multus.yaml": K3S_DOCS_HELMCHART,
    })
    _, findings, _ = lint("--select", PATH_RULES, "apps/base", cwd=repo)
    assert findings and {f["scope"] for f in findings} == {"lab"}
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--select", PATH_RULES, "--diff", "apps/base"],
                          cwd=repo, capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stdout) == (0, ""), proc.stderr
    # a single cluster with that data dir: the fix is offered
    shutil.rmtree(repo / "clusters" / "prod")
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--select", PATH_RULES, "--diff", "apps/base"],
                          cwd=repo, capture_output=True, text=True, timeout=120)
    assert "+        binDir: /srv/k3s/data/cni" in proc.stdout


def test_scope_field_absent_in_single_scope_runs() -> None:
    repo = Path(__file__).resolve().parent.parent
    _, findings, _ = lint("examples/", cwd=repo)
    assert findings and all("scope" not in f for f in findings)
    assert not any("cluster scope" in f["message"] for f in findings)
    assert json.dumps(findings)  # still the version-1 contract
    assert os.path.isdir(repo / "examples")


def test_argo_applicationset_git_directories_and_recurse(tmp_path: Path) -> None:
    """An ApplicationSet's git directory generator makes one app per matching folder (path
    "{{path}}"), all to the template's destination; a plain directory source reads its
    folder only, sub-folders with directory.recurse (argo-cd findManifests)."""
    repo = tmp_path / "argo"
    (repo / ".git").mkdir(parents=True)
    appset = """\
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: edge
  namespace: argocd
spec:
  generators:
    - git:
        repoURL: https://git.example.com/fleet.git
        revision: HEAD
        directories:
          - path: sites/*
          - path: sites/skip
            exclude: true
  template:
    metadata:
      name: '{{path.basename}}'
    spec:
      project: default
      source:
        repoURL: https://git.example.com/fleet.git
        targetRevision: HEAD
        path: '{{path}}'
      destination:
        server: https://edge.example.com:6443
        namespace: net
"""
    write(repo, {
        "argocd/edge.yaml": appset,
        "argocd/core.yaml": argo_app("core-net", "core", "https://core.example.com:6443"),
        "sites/a/storage.yaml": nad("storage-a", "10.40.0.0/24"),
        "sites/b/storage.yaml": nad("storage-b", "10.40.0.0/24"),  # same cluster as a: overlap
        "sites/skip/storage.yaml": nad("storage-skip", "10.50.0.0/24"),
        "core/storage.yaml": nad("storage-core", "10.50.0.0/24"),  # only meets sites/skip: excluded
        "core/sub/storage.yaml": nad("storage-core-sub", "10.40.0.0/24"),  # not read: no recurse
    })
    _, findings, err = lint("--select", "ML304", ".", cwd=repo)
    assert {(f["path"], f["scope"]) for f in findings} == {
        ("sites/a/storage.yaml", "https://edge.example.com:6443"),
        ("sites/b/storage.yaml", "https://edge.example.com:6443")}, (findings, err)


def test_disabled_app_joins_the_cluster_whose_folder_holds_it(tmp_path: Path) -> None:
    """An app whose ks.yaml is commented out of its parent kustomization is applied by
    nothing: it is judged with the cluster whose folder holds it, not alone (realworld FP-15:
    a false ML402 'not in the project' for a NAD that is there)."""
    repo = tmp_path / "home"
    (repo / ".git").mkdir(parents=True)
    pod = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: busybox\n  namespace: kube-system\n"
           "  annotations:\n    k8s.v1.cni.cncf.io/networks: iot-vlan\nspec:\n  containers: []\n")
    write(repo, {
        "kubernetes/flux/cluster.yaml": flux_kustomization("cluster-apps", "./kubernetes/apps"),
        "kubernetes/apps/kustomization.yaml": "resources:\n  - ./net/ks.yaml\n  # - ./busybox/ks.yaml\n",
        "kubernetes/apps/net/ks.yaml": flux_kustomization("net", "./kubernetes/apps/net/app"),
        "kubernetes/apps/net/app/nad.yaml": nad("iot-vlan").replace("namespace: net", "namespace: kube-system"),
        "kubernetes/apps/busybox/ks.yaml": flux_kustomization("busybox", "./kubernetes/apps/busybox/app"),
        "kubernetes/apps/busybox/app/pod.yaml": pod,
        # a second cluster, so that scopes are in play
        "kubernetes/other/cluster.yaml": flux_kustomization("other", "./kubernetes/other/apps"),
        "kubernetes/other/apps/nad.yaml": nad("elsewhere"),
    })
    _, findings, err = lint("--select", "ML402", "kubernetes/apps/busybox", cwd=repo)
    assert findings == [], (findings, err)
    # the control: a network that is really missing is still reported, in that cluster
    (repo / "kubernetes/apps/busybox/app/pod.yaml").write_text(pod.replace("iot-vlan", "nope"))
    _, findings, _ = lint("--select", "ML402", "kubernetes/apps/busybox", cwd=repo)
    assert [(f["code"], f["scope"]) for f in findings] == [("ML402", "kubernetes/apps")]


def test_cluster_folder_beside_a_named_file_is_not_a_scope(tmp_path: Path) -> None:
    """No config file, no repository: the named paths are the project and nothing else is
    read (load.discover.find_root). A clusters/ folder elsewhere in the named file's folder
    (leftovers in /tmp, another checkout) made scopes of files never read, and the named
    file then a member of "(rest)", its findings labelled so: the output must be the one of
    the same file alone."""
    pod = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: apps\n  annotations:\n"
           "    k8s.v1.cni.cncf.io/networks: missing\nspec:\n  containers:\n    - name: c\n      image: x\n")
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "pod.yaml").write_text(pod)
    crowded = tmp_path / "crowded"
    for cluster in ("lab", "prod"):
        (crowded / "other" / "clusters" / cluster).mkdir(parents=True)
        (crowded / "other" / "clusters" / cluster / "ks.yaml").write_text(nad("net-a"))
    (crowded / "pod.yaml").write_text(pod)
    want = lint("pod.yaml", cwd=alone)
    assert want[1] and all("cluster scope" not in f["message"] for f in want[1])
    assert lint("pod.yaml", cwd=crowded) == want
    # the named folder is the project: its cluster folders are scopes, as always
    _, findings, _ = lint("other", "pod.yaml", cwd=crowded)
    assert any("cluster scope" in f["message"] for f in findings)
