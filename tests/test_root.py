"""The project root and config discovery (issue 12 "Project root", issue 14 "Config discovery").

The root is the config file's folder, else the git repository holding the named paths, else
the named paths alone; never the current directory by default. So the same paths give the
same findings from any working directory, and nothing outside the root is read.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# The K3s docs' rke2-multus HelmChart (https://docs.k3s.io/networking/multus-ipams), correct on
# a K3s node with the default data dir.
K3S_DOCS_HELMCHART = """\
apiVersion: helm.cattle.io/v1
kind: HelmChart
metadata:
  name: multus
  namespace: kube-system
spec:
  repo: https://rke2-charts.rancher.io
  chart: rke2-multus
  targetNamespace: kube-system
  valuesContent: |-
    config:
      fullnameOverride: multus
      cni_conf:
        confDir: /var/lib/rancher/k3s/agent/etc/cni/net.d
        binDir: /var/lib/rancher/k3s/data/cni/
        kubeconfig: /var/lib/rancher/k3s/agent/etc/cni/net.d/multus.d/multus.kubeconfig
        multusAutoconfigDir: /var/lib/rancher/k3s/agent/etc/cni/net.d
    rke2-whereabouts:
      fullnameOverride: whereabouts
      enabled: true
      cniConf:
        confDir: /var/lib/rancher/k3s/agent/etc/cni/net.d
        binDir: /var/lib/rancher/k3s/data/cni/
"""

# The route without gw makes the off-link gateway an ML301 error (pkg/ipam ConfigureIface uses
# the gateway only as such a route's next hop).
BAD_NAD = """\
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: wb
spec:
  config: |
    {"cniVersion": "1.0.0", "type": "macvlan",
     "ipam": {"type": "host-local", "subnet": "10.5.0.0/24", "gateway": "10.6.0.1",
              "routes": [{"dst": "10.77.0.0/16"}]}}
"""


def lint(*args: str, cwd: Path | str) -> tuple[int, list[dict], str]:
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--format", "json", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    data = json.loads(proc.stdout) if proc.stdout.strip() else {"findings": []}
    return proc.returncode, data["findings"], proc.stderr


def absolute(findings: list[dict], cwd: Path | str) -> set[tuple]:
    """Findings with their paths made absolute: what must not depend on the working directory."""
    return {(os.path.normpath(os.path.join(cwd, f["path"])), f["code"], f["line"], f["column"],
             f["message"]) for f in findings}


def test_no_repository_no_config_reads_only_the_named_paths(tmp_path: Path) -> None:
    """Run from a folder holding unrelated work: its K3s config must not become the profile
    (the issue's 63 s / ML101 report). No .git anywhere: the named folder is the project."""
    (tmp_path / "other" / "k3s").mkdir(parents=True)
    (tmp_path / "other" / "k3s" / "config.yaml").write_text("data-dir: /srv/k3s\n")
    (tmp_path / "apps").mkdir()
    (tmp_path / "apps" / "multus.yaml").write_text(K3S_DOCS_HELMCHART)
    rc, findings, err = lint("--select", "ML101,ML102,ML103,ML104,ML105", "apps", cwd=tmp_path)
    assert (rc, findings) == (0, []), err


def test_config_in_a_shared_parent_folder_does_not_apply(tmp_path: Path) -> None:
    """Issue 14, security 5: with no repository the search stops at the named path's folder."""
    (tmp_path / ".multus-lint.yaml").write_text("ignore: [ALL]\n")
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "nad.yaml").write_text(BAD_NAD)
    rc, findings, _ = lint("--select", "ML301", "work/nad.yaml", cwd=tmp_path)
    assert rc == 1 and {f["code"] for f in findings} == {"ML301"}
    # in the named path's own folder it applies
    (tmp_path / "work" / ".multus-lint.yaml").write_text("ignore: [ML301]\n")
    assert lint("--select", "ML301", "work/nad.yaml", cwd=tmp_path)[1] == []


def test_config_search_stops_at_the_repository_top(tmp_path: Path) -> None:
    (tmp_path / ".multus-lint.yaml").write_text("ignore: [ALL]\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "nets").mkdir()
    (repo / "nets" / "nad.yaml").write_text(BAD_NAD)
    assert {f["code"] for f in lint("--select", "ML301", "nets", cwd=repo)[1]} == {"ML301"}
    (repo / ".multus-lint.yaml").write_text("ignore: [ML301]\n")  # inside the repository: applies
    assert lint("--select", "ML301", "nets", cwd=repo)[1] == []
    assert lint("--select", "ML301", str(repo / "nets"), cwd="/")[1] == []  # from anywhere


def test_isolated_ignores_every_config_file(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".multus-lint.yaml").write_text("ignore: [ML301]\n")
    (tmp_path / "pyproject.toml").write_text('[tool.multus-lint]\nignore = ["ML301"]\n')
    (tmp_path / "nad.yaml").write_text(BAD_NAD)
    assert lint("--select", "ML301", "nad.yaml", cwd=tmp_path)[1] == []
    assert {f["code"] for f in lint("--select", "ML301", "--isolated", "nad.yaml", cwd=tmp_path)[1]} == {"ML301"}
    rc, _, err = lint("--isolated", "--config", ".multus-lint.yaml", "nad.yaml", cwd=tmp_path)
    assert rc == 2 and "--isolated" in err


def test_same_findings_from_any_working_directory() -> None:
    """`cd <repo> && multus-lint examples/` == `cd / && multus-lint <repo>/examples/` == from
    inside the tree: only the displayed paths differ."""
    here = lint("examples/", cwd=REPO)[1]
    assert here, "examples/ should have findings"
    want = absolute(here, REPO)
    assert absolute(lint(str(REPO / "examples"), cwd="/")[1], "/") == want
    inside = REPO / "examples" / "k3s-repo" / "networks"
    assert absolute(lint("../..", cwd=inside)[1], inside) == want


AUDIT = textwrap.dedent("""
    import os, sys
    sys.path[:] = [p for p in sys.path if p]  # `python -c` lists the working directory itself
    seen = []
    done = False
    def hook(event, args):
        if not done and event in ("open", "os.scandir", "os.listdir") and args and isinstance(args[0], (str, bytes)):
            seen.append(os.fsdecode(args[0]))
    sys.addaudithook(hook)
    from multus_lint.cli import main
    rc = main(sys.argv[2:])
    done = True
    with open(sys.argv[1], "w") as fh:
        fh.write("\\n".join(seen))
    sys.exit(rc)
""")


def test_reads_no_file_outside_the_repository(tmp_path: Path) -> None:
    """Every open and directory listing of a run from `/` (sys.addaudithook, PEP 578) is
    inside the repository, or Python's own installation (imports)."""
    log = tmp_path / "opened.txt"
    # as users run it: the cache in its default place, the repository's .multus-lint_cache/
    env = {k: v for k, v in os.environ.items() if k != "MULTUS_LINT_CACHE_DIR"}
    proc = subprocess.run([sys.executable, "-c", AUDIT, str(log), "--format", "json",
                           str(REPO / "examples")], cwd="/", capture_output=True, text=True, timeout=120,
                          env=env)
    assert proc.returncode == 1, proc.stderr
    assert absolute(json.loads(proc.stdout)["findings"], "/") == absolute(lint("examples/", cwd=REPO)[1], REPO)
    allowed = [str(REPO)] + sorted({os.path.realpath(p) for p in
                                    (sys.prefix, sys.base_prefix, sys.exec_prefix, *sys.path) if p})
    opened = {os.path.realpath(os.path.join("/", p)) for p in log.read_text().splitlines() if p}
    # /proc/stat: the kernel's CPU counters (load.parallel_parse.idle_core: whether a
    # second process would have a core of its own), no file of anyone's
    outside = sorted(p for p in opened if not any(p == a or p.startswith(a.rstrip("/") + "/")
                                                  for a in allowed) and not p.startswith("/dev/")
                     and p != "/proc/stat")
    assert outside == []
    assert any(p.endswith("examples/k3s-repo/networks/lan.yaml") for p in opened)  # the hook saw reads


@pytest.mark.parametrize("named", ["nets/nad.yaml", "nets"])
def test_named_paths_in_no_repository_are_their_own_root(tmp_path: Path, named: str) -> None:
    """A pod next to the NADs it names resolves them only when they are named too."""
    (tmp_path / "nets").mkdir()
    (tmp_path / "nets" / "nad.yaml").write_text(BAD_NAD)
    (tmp_path / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
                                       "    k8s.v1.cni.cncf.io/networks: wb\nspec: {containers: []}\n")
    def codes(*paths: str) -> set[str]:
        return {f["code"] for f in lint("--select", "ML301,ML402", *paths, cwd=tmp_path)[1]}

    assert codes(named) == {"ML301"}
    # the pod alone: its network is not in the project (the NAD folder is not read)
    assert codes("pod.yaml") == {"ML402"}
    assert codes("pod.yaml", named) == {"ML301"}
