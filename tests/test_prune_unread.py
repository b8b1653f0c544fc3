"""What a released object loses (model.project.prune_unread) is what no rule reads.

An ordinary Deployment or Service (no Multus annotation: its YAML nodes are released as it
is parsed) drops its containers' resources, environment, ports and probes, its pod
scheduling and a Service's ports: most of a large audit's memory. A rule that came to read
one of them would silently see nothing, so: no module of the linter may name one of those
keys but where it is known not to read them from a pruned object, and every fixture gives
the same output with and without the pruning.
"""

from __future__ import annotations

import ast
import io
import json
import pathlib
import sys
from contextlib import redirect_stdout

import pytest

from multus_lint.model import project as project_module

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
PRUNED = set(project_module.UNREAD_KEYS)

# (module, key) where the name is known not to be a read of a pruned field
NOT_READS = {
    # strategic-merge keys: how kustomize merges lists of a patch (their merge key), and a
    # kustomization's own `resources:` list
    ("lint/model/kustomize.py", "env"), ("lint/model/kustomize.py", "ports"),
    ("lint/model/kustomize.py", "tolerations"), ("lint/model/kustomize.py", "resources"),
    ("lint/model/scopes.py", "resources"),  # a kustomization's `resources:`
    # DaemonSets are never pruned
    ("lint/model/multus_daemonset.py", "env"), ("lint/model/multus_daemonset.py", "hostPath"),
    ("lint/model/multus_daemonset.py", "configMap"), ("lint/model/installed_plugins.py", "hostPath"),
    ("rules/paths.py", "hostPath"),  # the text of a Flux post-renderer
    ("lint/model/profile.py", "hostPath"),  # a DaemonSet's volumes (a primary CNI's conf dir)
    # words the context prefilter and git grep look for in a file's text (runner.is_context)
    ("lint/runner.py", "hostPath"),
    # a workload's spec.selector stays (only its matchLabels/matchExpressions go); ML008
    # asks it of workloads only, never of a Service
    ("lint/model/api_versions.py", "selector"),
    ("rules/annotations.py", "ports"),  # a CNI capability name in the networks annotation
    # the lists themselves
    *((("lint/model/project.py", k)) for k in PRUNED),
}


def _named_keys() -> set[tuple[str, str]]:
    found = set()
    for path in sorted((ROOT / "lint").rglob("*.py")) + sorted((ROOT / "rules").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in PRUNED:
                found.add((rel, node.value))
    return found


def test_no_module_reads_a_pruned_key():
    unexpected = _named_keys() - NOT_READS
    assert not unexpected, (
        f"{sorted(unexpected)}: a module names a field prune_unread drops from released objects; "
        "if a rule reads it, take it off the lists in lint/model/project.py (else add it here with why)")


def test_prune_drops_only_those_keys():
    data = {"kind": "Deployment", "apiVersion": "apps/v1", "metadata": {"name": "a"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "a"}}, "template": {
                "metadata": {"labels": {"app": "a"}},
                "spec": {"affinity": {"x": 1}, "volumes": [{"name": "v", "configMap": {"name": "c"}}],
                         "containers": [{"name": "a", "image": "i", "command": ["x"], "env": [{"name": "E"}],
                                         "resources": {"limits": {}}, "ports": [{"containerPort": 1}],
                                         "volumeMounts": [{"name": "v", "mountPath": "/v"}]}, "junk"]}}}}
    project_module.prune_unread(data)
    assert data == {"kind": "Deployment", "apiVersion": "apps/v1", "metadata": {"name": "a"},
                    "spec": {"replicas": 2, "selector": {}, "template": {
                        "metadata": {"labels": {"app": "a"}},
                        "spec": {"volumes": [{"name": "v"}],
                                 "containers": [{"name": "a", "image": "i", "command": ["x"],
                                                 "volumeMounts": [{"name": "v", "mountPath": "/v"}]},
                                                "junk"]}}}}
    cron = {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {
        "containers": [{"name": "c", "env": []}]}}}}}}
    project_module.prune_unread(cron)
    assert cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"] == [{"name": "c"}]
    daemonset = {"kind": "DaemonSet", "spec": {"template": {"spec": {"containers": [{"name": "c", "env": []}]}}}}
    project_module.prune_unread(daemonset)
    assert daemonset["spec"]["template"]["spec"]["containers"] == [{"name": "c", "env": []}]
    service = {"kind": "Service", "spec": {"selector": {"app": "a"}, "ports": [{"port": 80}]}}
    project_module.prune_unread(service)
    assert service == {"kind": "Service", "spec": {}}
    for odd in ({"kind": ["Deployment"]}, {"kind": "Pod", "spec": []}, [], "text"):
        project_module.prune_unread(odd)  # never raises


def _audit(path: pathlib.Path) -> tuple[int, str]:
    from multus_lint.cli import main

    out = io.StringIO()
    with redirect_stdout(out):
        rc = main(["--format", "json", "--no-cache", "--isolated", str(path)])
    return rc, out.getvalue()


CORPUS = ROOT.parent / "shared" / "corpus"
FOLDERS = sorted(p for p in FIXTURES.iterdir() if p.is_dir()) + [ROOT / "examples"] + (
    [CORPUS / "real"] + sorted(p for p in (CORPUS / "real2").iterdir() if p.is_dir())
    + sorted(p for p in (CORPUS / "issues").iterdir() if p.is_dir()) if CORPUS.is_dir() else [])


@pytest.mark.parametrize("folder", FOLDERS, ids=[p.relative_to(p.parent.parent).as_posix() for p in FOLDERS])
def test_audits_say_the_same_unpruned(folder, monkeypatch):
    pruned = _audit(folder)
    monkeypatch.setattr(project_module, "prune_unread", lambda data: None)
    unpruned = _audit(folder)
    assert pruned == unpruned
    json.loads(pruned[1])  # a whole report


# ordinary workloads that kustomize patches: a Multus annotation added to one, its pruned
# fields changed by a strategic-merge and a JSON 6902 patch, a wrong-typed value beside them
KUSTOMIZED = {
    "kustomization.yaml": """resources: [nad.yaml, app.yaml]
namespace: apps
patches:
- path: add-network.yaml
- target: {kind: Deployment, name: app}
  patch: |-
    - op: add
      path: /spec/template/spec/containers/0/env/-
      value: {name: MORE, value: "1"}
    - op: replace
      path: /spec/template/spec/containers/0/resources/limits/memory
      value: 1Gi
    - op: add
      path: /spec/template/spec/containers/0/ports/0/name
      value: web
""",
    "nad.yaml": """apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata: {name: lan}
spec:
  config: '{"cniVersion": "0.3.1", "type": "macvlan", "master": "eth1", "ipam": {"type": "dhcp"}}'
""",
    "app.yaml": """apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  replicas: 3
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      affinity: {nodeAffinity: {}}
      containers:
      - name: app
        image: 7
        env: [{name: A, value: "1"}]
        ports: [{containerPort: 80}]
        resources: {limits: {memory: 1Mi}}
        livenessProbe: {httpGet: {port: 80}}
---
apiVersion: extensions/v1beta1
kind: Deployment
metadata: {name: old}
spec:
  template:
    spec:
      containers: [{name: old, image: x, args: [1], env: [{name: B}]}]
---
apiVersion: v1
kind: Service
metadata: {name: app, labels: {n: 1}}
spec: {ports: [{port: 80}], selector: {app: app}}
""",
    "add-network.yaml": """apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  template:
    metadata:
      annotations: {k8s.v1.cni.cncf.io/networks: lan, wrong}
    spec:
      containers:
      - name: app
        ports: [{containerPort: 81}]
        env: [{name: C, value: "2"}]
""",
}


@pytest.mark.parametrize("case", ["kustomized", "realistic"])
def test_generated_audits_say_the_same_unpruned(case, tmp_path, monkeypatch):
    if case == "realistic":
        sys.path.insert(0, str(ROOT / "benchmarks"))
        try:
            from generate import generate
        finally:
            sys.path.remove(str(ROOT / "benchmarks"))
        generate(str(tmp_path), 600, mix="realistic")
    else:
        for name, text in KUSTOMIZED.items():
            (tmp_path / name).write_text(text, encoding="utf-8")
    prune, lost = project_module.prune_unread, []

    def counting(data):  # the comparison means something: fields were dropped
        before = repr(data)
        prune(data)
        lost.append(repr(data) != before)

    monkeypatch.setattr(project_module, "prune_unread", counting)
    pruned = _audit(tmp_path)
    assert sum(lost) >= (2 if case == "kustomized" else 200), sum(lost)
    monkeypatch.setattr(project_module, "prune_unread", lambda data: None)
    assert pruned == _audit(tmp_path)
    codes = {f["code"] for f in json.loads(pruned[1])["findings"]}
    assert codes >= ({"ML009", "ML008"} if case == "kustomized" else {"ML402"}), codes
