"""--format html: the page holds the network map and the address plan of every scope.

The report is parsed as HTML (stdlib html.parser, strict about the tree) and its SVG checked
for the NADs, edges, pools and findings the model has: examples/ (one scope) and two
projects drawn as two scopes of one report.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytest.importorskip("jinja2")

from multus_lint.config import Config  # noqa: E402
from multus_lint.model.network_map import report_context  # noqa: E402
from multus_lint.report.html import render  # noqa: E402
from multus_lint.runner import Options, run  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VOID = {"meta", "br", "input", "img", "link", "hr", "col", "source", "wbr", "area", "base",
        "embed", "param", "track", "circle", "rect", "line", "path"}


class Tree(HTMLParser):
    """Elements with their attributes and parents; fails on a tag closed out of order."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.elements: list[tuple[str, dict[str, str], tuple[str, ...]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.elements.append((tag, a, tuple(t for t, _ in self.stack)))
        if tag not in VOID:
            self.stack.append((tag, a))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}, tuple(t for t, _ in self.stack)))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        assert self.stack and self.stack[-1][0] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def find(self, tag: str, cls: str | None = None) -> list[dict[str, str]]:
        return [a for t, a, _ in self.elements
                if t == tag and (cls is None or cls in a.get("class", "").split())]


def parse(page: str) -> Tree:
    tree = Tree()
    tree.feed(page)
    tree.close()
    assert not tree.stack, f"unclosed: {tree.stack}"
    return tree


def lint(folder: Path) -> object:
    (folder / ".git").mkdir(exist_ok=True)  # each folder is its own project
    return run(Options(paths=[str(folder)]), Config())


def test_examples_report(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples" / "k3s-repo", tmp_path / "k3s-repo")
    (tmp_path / ".git").mkdir()
    out = tmp_path / "report.html"
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--format", "html",
                           "--output-file", str(out), "k3s-repo"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    page = out.read_text(encoding="utf-8")
    tree = parse(page)
    # self-contained: nothing is fetched when the page opens
    assert not [a for t, a, _ in tree.elements if t in ("link", "img", "iframe")
                or (t == "script" and a.get("src"))]
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") \
        .replace("http://www.w3.org", "")
    nodes = {a["data-id"] for a in tree.find("g", "node")}
    for nad in ("cameras", "iot", "lan", "fast-storage", "storage"):
        assert f"nad:apps/{nad}" in nodes
    assert "wl:Deployment/apps/mqtt" in nodes
    assert {"master:eth1", "master:eth2", "resource:intel.com/intel_sriov_netdevice"} <= nodes
    # mqtt names lan and the misspelt 'storag': one edge, one broken edge to a missing node
    edges = {(a["data-from"], a["data-to"]): a["class"] for a in tree.find("path", "edge")
             if "data-from" in a}
    assert edges[("wl:Deployment/apps/mqtt", "nad:apps/lan")] == "edge ref"
    assert edges[("wl:Deployment/apps/mqtt", "missing:apps/storag")] == "edge dangling"
    assert "missing:apps/storag" in {a["data-id"] for a in tree.find("g", "missing")}
    assert edges[("nad:apps/lan", "master:eth1")] == "edge attach"
    # the address plan: one row per pool, the gateway outside its range marked as such
    cidrs = {a["data-cidr"] for a in tree.find("g", "pool")}
    assert {"192.168.30.0/24", "192.168.40.0/24", "192.168.45.0/24", "2001:db8::/116"} <= cidrs
    assert tree.find("line", "outside"), "ML301's gateway outside the range is drawn"
    # findings grouped by file, with a frame, a rule link and filter data
    findings = tree.find("div", "finding")
    assert len(findings) == 14
    assert {"ML402", "ML301", "ML101"} <= {a["data-rule"] for a in findings}
    assert {a["id"] for a in tree.find("details", "rule")} >= {"rule-ML402", "rule-ML301"}
    assert {a["value"] for a in tree.find("input") if a.get("name") == "sev"} == {"error", "warning", "info"}


def test_two_scopes_in_one_report(tmp_path: Path) -> None:
    """Two clusters: each scope has its own map, plan and profile; nothing crosses over."""
    lab, prod = tmp_path / "lab", tmp_path / "prod"
    lab.mkdir()
    prod.mkdir()
    nad = """apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata: {{name: {name}, namespace: net}}
spec:
  config: '{{"cniVersion": "0.3.1", "type": "macvlan", "master": "{master}",
    "ipam": {{"type": "whereabouts", "range": "{cidr}", "gateway": "{gw}"}}}}'
"""
    (lab / "nad.yaml").write_text(nad.format(name="lab-net", master="eth1", cidr="10.10.0.0/24", gw="10.10.0.1"))
    (prod / "nad.yaml").write_text(nad.format(name="prod-net", master="bond0", cidr="10.20.0.0/24", gw="10.30.0.1"))
    (prod / "pod.yaml").write_text("""apiVersion: v1
kind: Pod
metadata:
  name: app
  namespace: net
  annotations: {k8s.v1.cni.cncf.io/networks: prod-net, k8s.v1.cni.cncf.io/networks-x: y}
spec: {containers: [{name: c, image: busybox}]}
""")
    runs = [("lab", lint(lab)), ("prod", lint(prod))]
    findings = []
    for name, result in runs:
        for f in result.findings:
            f.extra["scope"] = name
            findings.append(f)
    ctx = report_context([(n, r.project, r.profile) for n, r in runs], findings)
    page = render(findings, sources={s.path: s for _, r in runs for s in r.project.sources},
                  files=3, context=ctx)
    tree = parse(page)
    sections = [a["data-scope"] for a in tree.find("section", "scope")]
    assert sections == ["lab", "prod"]
    lab_scope, prod_scope = ctx["scopes"]
    assert [n["id"] for n in lab_scope["nads"]] == ["nad:net/lab-net"]
    assert [n["id"] for n in prod_scope["nads"]] == ["nad:net/prod-net"]
    assert prod_scope["edges"] == [{"from": "wl:Pod/net/app", "to": "nad:net/prod-net",
                                    "dangling": False, "label": "net/prod-net"}]
    assert lab_scope["edges"] == []
    assert [p["cidr"] for p in lab_scope["pools"]] == ["10.10.0.0/24"]
    assert [p["cidr"] for p in prod_scope["pools"]] == ["10.20.0.0/24"]
    # prod's gateway 10.30.0.1 lies outside 10.20.0.0/24: ML301 on prod's NAD node only
    prod_nad = prod_scope["nads"][0]
    assert "ML301" in {f["code"] for f in prod_nad["findings"]}
    assert "ML301" not in {f["code"] for f in lab_scope["nads"][0]["findings"]}
    assert len(tree.find("line", "outside")) == 1
    assert {a["data-id"] for a in tree.find("g", "node")} >= {"nad:net/lab-net", "nad:net/prod-net",
                                                              "master:eth1", "master:bond0"}


def test_two_declared_clusters_through_the_cli(tmp_path: Path) -> None:
    """The same, from the command line: a `clusters:` config makes two scopes, and the page
    draws one map and one plan per scope, each with its own NADs and pools."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".multus-lint.yaml").write_text(
        "clusters:\n  - name: lab\n    paths: [lab/**]\n  - name: prod\n    paths: [prod/**]\n")
    nad = ("apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\n"
           "metadata: {{name: {name}, namespace: net}}\nspec:\n"
           "  config: '{{\"cniVersion\": \"0.3.1\", \"type\": \"macvlan\", \"master\": \"eth1\", "
           "\"ipam\": {{\"type\": \"whereabouts\", \"range\": \"{cidr}\"}}}}'\n")
    for name, cidr in (("lab", "10.10.0.0/24"), ("prod", "10.20.0.0/24")):
        (repo / name).mkdir()
        (repo / name / "nad.yaml").write_text(nad.format(name=f"{name}-net", cidr=cidr))
    out = repo / "report.html"
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--format", "html", "--output-file",
                           str(out), "."], cwd=repo, capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    tree = parse(out.read_text(encoding="utf-8"))
    assert sorted(a["data-scope"] for a in tree.find("section", "scope")) == ["lab", "prod"]
    # each scope's section holds its own NAD node and pool row only
    current, seen = None, {}
    for tag, a, _ in tree.elements:
        if tag == "section" and "scope" in a.get("class", "").split():
            current = a["data-scope"]
        elif current and tag == "g" and "node" in a.get("class", "").split():
            seen.setdefault(current, set()).add(a["data-id"])
        elif current and tag == "g" and "pool" in a.get("class", "").split():
            seen.setdefault(current, set()).add(a["data-cidr"])
        elif tag == "section" and a.get("id") == "findings":
            current = None
    assert seen["lab"] >= {"nad:net/lab-net", "10.10.0.0/24"} and "nad:net/prod-net" not in seen["lab"]
    assert seen["prod"] >= {"nad:net/prod-net", "10.20.0.0/24"} and "nad:net/lab-net" not in seen["prod"]


def test_pods_in_chart_values_are_drawn_as_their_release(tmp_path: Path) -> None:
    """A network reference from app-template values (an Embedded values document, no
    namespace of its own) is drawn from the HelmRelease that holds it; it made the report
    raise AttributeError ('Embedded' object has no attribute 'namespace')."""
    shutil.copytree(ROOT / "tests" / "fixtures" / "ML4xx" / "values-pods", tmp_path / "p")
    (tmp_path / ".git").mkdir()
    out = tmp_path / "report.html"
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--format", "html",
                           "--output-file", str(out), "p"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr and proc.returncode in (0, 1), proc.stderr
    page = out.read_text(encoding="utf-8")
    parse(page)
    assert "HelmRelease" in page
