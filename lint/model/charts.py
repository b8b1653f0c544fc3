"""rke2-multus chart releases and their values, resolved as helm-controller does.

A release is the chart deployed by one object (a HelmChart, a plain values file, and
later Flux or Argo CD objects) with its values as layers, weakest first, as helm-controller
passes them to ``helm install`` (k3s-io/helm-controller ``pkg/controllers/chart/chart.go``:
``values-01_HelmChart.yaml``, ``values-10_HelmChartConfig.yaml``, then ``--set``): chart
defaults (known to the rules, not stored here), the HelmChart's ``valuesContent``, its
``values``, its ``valuesSecrets``, the HelmChartConfig of the same name and namespace
(``valuesContent``, ``values``, ``valuesSecrets``), then the HelmChart's ``spec.set``.
Maps deep-merge; lists and scalars replace. ``valuesSecrets`` live in Secrets a static
linter cannot read: the release records them (``unread``) so rules can say so.

Rules read the merged values and ask the release where a value came from, so a finding
lands in the document that supplied the value, or at the nearest enclosing key when it is
missing. New kinds of release (Flux, Argo CD) are one more function in ``RELEASE_BUILDERS``.
"""

from __future__ import annotations

import os
import re
from typing import Any

from multus_lint.findings import Span
from multus_lint.load.document import Document, Embedded, Located, Site, get_path
from multus_lint.load.parse import Problem
from multus_lint.load.positions import Path
from multus_lint.records import dataclass, field

MULTUS_CHART = "rke2-multus"
MULTUS_CRD_CHART = "rke2-multus-crd"
_CHART_RE = re.compile(r"(?:^|/)(?:rke2-)?multus(?:-(v?\d+\.\d+\.\d+[^/]*?))?(?:\.tgz)?$")


def chart_name_version(chart: Any) -> tuple[str | None, str | None]:
    """(chart name, version from a .tgz URL) when ``chart`` is the rke2-multus chart."""
    if not isinstance(chart, str):
        return None, None
    c = chart.strip()
    if c == MULTUS_CHART or c.endswith("/" + MULTUS_CHART):
        return MULTUS_CHART, None
    if c.endswith(".tgz"):
        if "rke2-multus-crd" in c:
            return None, None
        m = _CHART_RE.search(c)
        if m and ("rke2-multus" in c or "/static/charts/" in c):
            return MULTUS_CHART, m.group(1)
    return None, None


def is_crd_chart(chart: Any) -> bool:
    """``chart`` names the rke2-multus-crd chart (by name, repo/name or .tgz URL)."""
    if not isinstance(chart, str):
        return False
    c = chart.strip()
    return c == MULTUS_CRD_CHART or c.endswith("/" + MULTUS_CRD_CHART) or (
        c.endswith(".tgz") and f"/{MULTUS_CRD_CHART}" in c)


def set_value(value: Any) -> Any:
    """A ``spec.set`` value as helm receives it: helm-controller passes ints and the strings
    true/false/null with ``--set`` (typed), everything else with ``--set-string``."""
    if isinstance(value, str):
        low = value.lower()
        if low in ("true", "false"):
            return low == "true"
        if low == "null":
            return None
    return value


_UNESCAPED_DOT = re.compile(r"(?<!\\)\.")


def set_key_parts(key: str) -> list[str]:
    """``a.b\\.c`` -> ["a", "b.c"]: helm's --set splits on dots not escaped with ``\\``."""
    return [p.replace("\\.", ".") for p in _UNESCAPED_DOT.split(key)]


@dataclass(repr=False, eq=False)
class Layer:
    label: str
    located: Located  # the document or embedded values; its base is the values root
    flat: bool = False  # ``spec.set``: dotted keys

    @property
    def data(self) -> dict[str, Any]:
        d = get_path(self.located.tree.data, self.located.base)
        return d if isinstance(d, dict) else {}

    def get(self, path: Path, default: Any = None) -> Any:
        if self.flat:
            return set_value(self.data.get(self._flat_key(path), default))
        return get_path(self.data, path, default)

    def depth(self, path: Path) -> int:
        """How many leading parts of ``path`` this layer defines."""
        if self.flat:
            return len(path) if self._flat_key(path) in self.data else 0
        data: Any = self.data
        for i, part in enumerate(path):
            if not isinstance(data, dict) or part not in data:
                return i
            data = data[part]
        return len(path)

    def site(self, path: Path, value: bool = False) -> Site:
        if self.flat:
            key = self._flat_key(path)
            return self.located.site(key, value=value)
        return self.located.site(*path, value=value)

    def _flat_key(self, path: Path) -> str:
        want = [str(p) for p in path]
        for key in self.data:
            if set_key_parts(str(key)) == want:
                return str(key)
        return ".".join(want)


@dataclass(repr=False, eq=False)
class ChartRelease:
    doc: Document  # the object that deploys the chart
    source_kind: str  # "HelmChart", "values file", ...
    chart: str
    version: str | None
    layers: list[Layer] = field(default_factory=list)
    config_doc: Document | None = None  # the HelmChartConfig merged into a HelmChart
    chart_path: Path = ("spec", "chart")  # where the chart is named (Flux, Argo CD: elsewhere)
    values: dict[str, Any] = field(default_factory=dict)
    # False when a values layer could not be read (templated or invalid YAML): the merged
    # values are then incomplete, and rules must not judge them.
    values_known: bool = True
    # Values layers that exist but cannot be read statically: (label, document), e.g. the
    # Secrets named in spec.valuesSecrets. Rules that report a missing value mention them.
    unread: list[tuple[str, Document]] = field(default_factory=list)

    def merge(self) -> None:
        merged: dict[str, Any] = {}
        for layer in self.layers:
            if layer.flat:
                for key, value in layer.data.items():
                    _set_dotted(merged, set_key_parts(str(key)), set_value(value))
            else:
                _deep_merge(merged, layer.data)
        self.values = merged

    def get(self, path: Path, default: Any = None) -> Any:
        return get_path(self.values, path, default)

    def unread_note(self) -> str:
        """A clause for findings about missing values when some values cannot be read."""
        if not self.unread:
            return ""
        labels = ", ".join(label for label, _ in self.unread)
        return f" (unless {labels}, which a static linter cannot read, sets it)"

    def has(self, path: Path) -> bool:
        sentinel = object()
        return get_path(self.values, path, sentinel) is not sentinel

    def site(self, path: Path, value: bool = False) -> Site:
        """Where ``path`` is set (the strongest layer), or its nearest enclosing key."""
        best: tuple[int, Layer] | None = None
        for layer in reversed(self.layers):
            depth = layer.depth(path)
            if depth == len(path):
                return layer.site(path, value)
            if depth and (best is None or depth > best[0]):
                best = (depth, layer)
        if best is not None:
            return best[1].site(path[:best[0]])
        if self.layers:
            layer = self.layers[-1]
            whole = layer.located.site()  # the values as a whole, in the file that holds them
            return Site(whole.source, whole.span, self.doc.object_ref())
        return self.chart_site()

    def chart_site(self) -> Site:
        site, found = self.doc.find_site(self.chart_path)
        return site if found else self.doc.name_site()

    def located(self, path: Path) -> tuple[Site, bool]:
        return self.site(path), self.has(path)


def _deep_merge(into: dict[str, Any], src: dict[str, Any]) -> None:
    for k, v in src.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            into[k] = dict(into[k])
            _deep_merge(into[k], v)
        elif isinstance(v, dict):
            into[k] = {}
            _deep_merge(into[k], v)
        else:
            into[k] = v


def _set_dotted(into: dict[str, Any], parts: list[str], value: Any) -> None:
    for part in parts[:-1]:
        nxt = into.get(part)
        if not isinstance(nxt, dict):
            nxt = into[part] = {}
        into = nxt
    into[parts[-1]] = value


def values_layers(doc: Document, owner_label: str, limits: Any,
                  problems: list[tuple[Any, Problem]]) -> tuple[list[Layer], bool]:
    """``spec.valuesContent`` then ``spec.values`` of a HelmChart or HelmChartConfig,
    and whether all of them could be read."""
    layers: list[Layer] = []
    ok = True
    content = get_path(doc.data, ("spec", "valuesContent"))
    if isinstance(content, str) and content.strip():
        parsed = doc.embedded_yaml(("spec", "valuesContent"), limits, "ML601")
        bad = [p for item in parsed for p in item.problems]
        good = [item for item in parsed if item.tree is not None]
        ok = not bad
        for prob in bad:
            if prob.code == "ML601":
                prob = _values_problem(doc, prob)
            prob.object = doc.object_ref()
            problems.append((doc.source, prob))
        if good and not bad:
            tree = good[0].tree
            assert tree is not None
            emb = Embedded(doc, tree)
            if isinstance(tree.data, dict):
                layers.append(Layer(f"{owner_label} valuesContent", emb))
                for dpath, later, earlier in good[0].duplicates:
                    problems.append((doc.source, Problem(
                        "ML007", _dup_message(dpath, earlier), later, doc.object_ref())))
            elif tree.data is not None:
                ok = False
                problems.append((doc.source, Problem(
                    "ML601", f"valuesContent is a {_type_name(tree.data)}, not a mapping of values: "
                    "helm cannot use it as a values file",
                    doc.span("spec", "valuesContent"), doc.object_ref())))
    elif content is not None and not isinstance(content, str):
        ok = False
        problems.append((doc.source, Problem(
            "ML601", "valuesContent must be a string holding YAML (use `valuesContent: |-`), "
            f"not a {'mapping' if isinstance(content, dict) else _type_name(content)}",
            doc.span("spec", "valuesContent"), doc.object_ref())))
    values = get_path(doc.data, ("spec", "values"))
    if isinstance(values, dict):
        layers.append(Layer(f"{owner_label} values", _Sub(doc, ("spec", "values"))))
    elif values is not None:
        ok = False
        hint = " (use valuesContent for YAML text)" if isinstance(values, str) else ""
        problems.append((doc.source, Problem(
            "ML601", f"spec.values must be a mapping of values, not a {_type_name(values)}{hint}",
            doc.span("spec", "values"), doc.object_ref())))
    return layers, ok


def _type_name(value: Any) -> str:
    return {str: "string", list: "list", int: "number", float: "number", bool: "boolean"}.get(
        type(value), type(value).__name__)


def unread_layers(doc: Document, owner_label: str) -> list[tuple[str, Document]]:
    """``spec.valuesSecrets`` of a HelmChart or HelmChartConfig: values kept in Secrets."""
    secrets = get_path(doc.data, ("spec", "valuesSecrets"))
    if not isinstance(secrets, list) or not secrets:
        return []
    names = [str(s.get("name")) for s in secrets if isinstance(s, dict) and s.get("name")]
    what = f"the {owner_label}'s valuesSecrets" + (f" ({', '.join(names)})" if names else "")
    return [(what, doc)]


def _values_problem(doc: Document, prob: Problem) -> Problem:
    from multus_lint.load.parse import has_placeholder

    text = get_path(doc.data, ("spec", "valuesContent")) or ""
    if has_placeholder(text):
        return Problem("ML003", "valuesContent holds template placeholders (%{NAME}%, {{ }}) and is "
                       f"not YAML until rendered ({prob.message}); its values are not judged", prob.span)
    return Problem("ML601", f"valuesContent is not valid YAML: {prob.message}", prob.span)


def _dup_message(path: Path, earlier: Span) -> str:
    return (f"key '{path[-1]}' appears again (first on line {earlier.line}); "
            "the last one silently wins")


class _Sub(Located):
    """A sub-mapping of a document treated as a values root."""

    def __init__(self, doc: Document, base: Path) -> None:
        self.doc = doc
        self.source = doc.source
        self.tree = doc.tree
        self.base = doc.base + base

    def object_ref(self) -> dict[str, Any] | None:
        return self.doc.object_ref()


def helmchart_releases(project: Any) -> list[ChartRelease]:
    """rke2-multus HelmCharts, each merged with its HelmChartConfig (same name and namespace)."""
    releases: list[ChartRelease] = []
    configs: dict[tuple[str, str], Document] = {}
    for hcc in project.helmchartconfigs:
        configs[(hcc.namespace or "default", hcc.name)] = hcc
    from multus_lint.model.chart_ids import identify_chart

    for hc in project.helmcharts:
        chart, url_version = chart_name_version(get_path(hc.data, ("spec", "chart")))
        ident = identify_chart(get_path(hc.data, ("spec", "chart")), get_path(hc.data, ("spec", "repo")))
        if ident is not None:
            project.chart_ids.append((hc, ident))
        if chart is None:
            continue
        version = get_path(hc.data, ("spec", "version"))
        rel = ChartRelease(hc, "HelmChart", chart, str(version) if version else url_version)
        rel.layers, rel.values_known = values_layers(hc, "HelmChart", project.limits, project.problems)
        rel.unread += unread_layers(hc, "HelmChart")
        hcc = configs.get((hc.namespace or "default", hc.name))
        if hcc is not None:
            rel.config_doc = hcc
            layers, ok = values_layers(hcc, "HelmChartConfig", project.limits, project.problems)
            rel.layers += layers
            rel.values_known = rel.values_known and ok
            rel.unread += unread_layers(hcc, "HelmChartConfig")
        if isinstance(get_path(hc.data, ("spec", "set")), dict):
            rel.layers.append(Layer("HelmChart set", _Sub(hc, ("spec", "set")), flat=True))
        rel.merge()
        releases.append(rel)
    return releases


def chart_defaults(path: str) -> bool:
    """Whether ``path`` is a chart's own values.yaml (beside its Chart.yaml): the chart's
    defaults, which helm reads under every release's values (helm pkg/chart/loader
    load.go ``LoadFiles``: ``values.yaml`` of the chart root is ``chart.Values``), not a
    deployment of its own. Linting rancher/rke2-charts, the rke2-multus chart's RKE2
    defaults are not a K3s install; a release (HelmChart, HelmRelease, values file) that
    leaves a key unset is judged with those defaults instead."""
    folder = os.path.dirname(os.path.abspath(path))
    return os.path.basename(path) in ("values.yaml", "values.yml") and any(
        os.path.isfile(os.path.join(folder, name)) for name in ("Chart.yaml", "Chart.yml"))


def values_file_releases(project: Any) -> list[ChartRelease]:
    """Plain values files (``helm install -f``) of the rke2-multus chart: only those whose keys
    say they are for it (lint/model/chart_ids.py); the others are recorded, not judged."""
    from multus_lint.model.chart_ids import identify_values

    releases = []
    for doc in project.values_files:
        ident = identify_values(doc.data)
        if ident is None:
            continue
        project.chart_ids.append((doc, ident))
        if not ident.is_rke2 or chart_defaults(doc.source.path):
            continue
        rel = ChartRelease(doc, "values file", MULTUS_CHART, None, [Layer("values file", doc)])
        rel.merge()
        releases.append(rel)
    return releases


def gitops_releases(project: Any) -> list[ChartRelease]:
    """Flux HelmReleases and Argo CD Applications of the chart (built in lint/gitops.py)."""
    from multus_lint.model.gitops import gitops_releases as build  # gitops imports this module

    return build(project)


# One function per way a release reaches the cluster; each returns merged releases.
RELEASE_BUILDERS: list[Any] = [helmchart_releases, values_file_releases, gitops_releases]


def build_releases(project: Any) -> list[ChartRelease]:
    """Every rke2-multus release of the project, with merged values."""
    releases: list[ChartRelease] = []
    project.chart_ids.clear()  # filled again by the builders (a contained re-run starts afresh)
    for build in RELEASE_BUILDERS:
        releases += build(project)
    return releases


def crd_charts(project: Any) -> list[Document]:
    """HelmCharts of the rke2-multus-crd chart (the NAD CRD from chart v4.3.009 on)."""
    return [hc for hc in project.helmcharts if is_crd_chart(get_path(hc.data, ("spec", "chart")))]


def orphan_configs(project: Any) -> list[Document]:
    """HelmChartConfigs with no HelmChart of the same name and namespace."""
    charts = {(hc.namespace or "default", hc.name) for hc in project.helmcharts}
    return [c for c in project.helmchartconfigs if (c.namespace or "default", c.name) not in charts]


# Charts RKE2 ships itself (rancher/rke2 charts/chart_versions.yaml @6ce1a80); their HelmCharts
# are written by RKE2 into its server/manifests dir, so a HelmChartConfig of one of these names
# in kube-system configures the packaged chart (docs.rke2.io, "Using the Helm Controller").
RKE2_PACKAGED_CHARTS = frozenset("""
rke2-cilium rke2-canal rke2-calico rke2-calico-crd rke2-coredns rke2-ingress-nginx rke2-traefik
rke2-traefik-crd rke2-metrics-server rke2-multus rke2-flannel rancher-vsphere-cpi
rancher-vsphere-csi harvester-cloud-provider harvester-csi-driver rke2-ovirt-csi-driver
rke2-snapshot-controller rke2-snapshot-controller-crd rke2-snapshot-validation-webhook
rke2-runtimeclasses rke2-security-responder
""".split())


def rke2_config_evidence(project: Any) -> Document | None:
    """A HelmChartConfig in kube-system for a chart only RKE2 ships, where nothing in the
    project deploys that chart (no HelmChart of its name, no release of the chart: on K3s
    the rke2-multus chart is deployed by hand, and a HelmChartConfig beside that is ML603's
    mistake): it is written for RKE2's nodes. What the profile takes distro rke2 from when
    no node config says otherwise."""
    deployed = {r.chart for r in [*project.releases, *project.other_releases]}
    return next((c for c in orphan_configs(project)
                 if (c.namespace or "default") == "kube-system" and c.name in RKE2_PACKAGED_CHARTS
                 and c.name not in deployed), None)


def packaged_configs(project: Any, profile: Any) -> list[Document]:
    """On RKE2, the HelmChartConfigs (kube-system) of charts RKE2 ships: not orphans."""
    if getattr(profile, "distro", "k3s") != "rke2":
        return []
    return [c for c in orphan_configs(project)
            if (c.namespace or "default") == "kube-system" and c.name in RKE2_PACKAGED_CHARTS]


def add_packaged_releases(project: Any, profile: Any) -> None:
    """On RKE2 (``cni: multus,...`` in its config.yaml), RKE2 installs rke2-multus itself and a
    HelmChartConfig named rke2-multus in kube-system is how it is configured: that config is
    the release's values (the chart version is the one the RKE2 release bundles: unknown)."""
    from multus_lint.model.chart_ids import RKE2, ChartIdentity

    for hcc in packaged_configs(project, profile):
        if hcc.name != MULTUS_CHART:
            continue
        rel = ChartRelease(hcc, "HelmChartConfig (RKE2's packaged rke2-multus)", MULTUS_CHART, None,
                           chart_path=("metadata", "name"))
        rel.layers, rel.values_known = values_layers(hcc, "HelmChartConfig", project.limits, [])
        rel.unread += unread_layers(hcc, "HelmChartConfig")
        rel.merge()
        project.releases.append(rel)
        project.chart_ids.append((hcc, ChartIdentity(RKE2, "RKE2's packaged chart, configured by "
                                                     "this HelmChartConfig")))
