"""rke2-multus releases deployed by GitOps controllers instead of helm-controller.

A Flux ``HelmRelease`` or an Argo CD ``Application`` that installs the rke2-multus chart is
a ``ChartRelease`` like a HelmChart, so every rule that reads chart values (ML1xx, ML202,
ML507, ...) judges it through the same code path. Only the layers differ (DOMAIN.md [GITOPS]):

- Flux (``helm.toolkit.fluxcd.io/v2``, ``v2beta1``, ``v2beta2``): ``spec.chart.spec.chart``
  names the chart; ``spec.valuesFrom`` (ConfigMaps and Secrets, merged first) then
  ``spec.values`` (merged on top). The referenced ConfigMaps/Secrets are not read: values set
  in ``spec.values`` are final and judged, and findings about a missing value say that
  ``valuesFrom`` might set it (``ChartRelease.unread``).
- Argo CD (``argoproj.io/v1alpha1``): ``spec.source`` or, when present, each entry of
  ``spec.sources`` (Argo then ignores ``spec.source``). Helm gets ``helm.valueFiles``
  (files in a repository: unread), then ``helm.valuesObject`` if set, else the YAML string
  ``helm.values`` (argo-cd ``ApplicationSourceHelm.ValuesYAML``: one replaces the other, they
  are not merged), then ``helm.parameters`` (``--set``, strongest).

HelmChartConfigs never apply to these releases (helm-controller only patches its own
HelmCharts), so none is merged here.
"""

from __future__ import annotations

import re
from typing import Any

from multus_lint.load.document import Document, Embedded, Site, get_path
from multus_lint.load.parse import Problem, has_placeholder
from multus_lint.load.positions import Path
from multus_lint.model.charts import (
    ChartRelease,
    Layer,
    _dup_message,
    _set_dotted,
    _Sub,
    chart_name_version,
    set_key_parts,
)

FLUX_GROUP = "helm.toolkit.fluxcd.io/"
ARGO_GROUP = "argoproj.io/"
_INT = re.compile(r"^-?[0-9]+$")


def _seq(value: object) -> list:
    """A list field as a list (any other type is read as empty: never iterated)."""
    return value if isinstance(value, list) else []


def gitops_releases(project: Any) -> list[ChartRelease]:
    """Every rke2-multus release deployed by a Flux HelmRelease or an Argo CD Application."""
    releases: list[ChartRelease] = []
    for doc in project.of_kind("HelmRelease"):
        if doc.api_version.startswith(FLUX_GROUP):
            rel = flux_release(doc, project)
            if rel is not None:
                releases.append(rel)
    for doc in project.of_kind("Application"):
        if doc.api_version.startswith(ARGO_GROUP):
            releases += argo_releases(doc, project)
    return releases


def _pinned(version: Any) -> str | None:
    """A chart version as given, or None when it is a wildcard (Flux's default ``*``)."""
    if isinstance(version, (int, float)) and not isinstance(version, bool):
        version = str(version)
    if not isinstance(version, str) or not version.strip() or version.strip() in ("*", "x"):
        return None
    return version.strip()


def flux_source_url(doc: Document, project: Any) -> tuple[Any, Any]:
    """(chart name, repository URL) of a Flux HelmRelease: ``spec.chart.spec`` with its
    ``sourceRef`` (a HelmRepository), or ``spec.chartRef`` (an OCIRepository whose URL names
    the chart), looked up in the project when it holds the source."""
    ns = doc.namespace
    ref = get_path(doc.data, ("spec", "chart", "spec", "sourceRef"))
    name = get_path(doc.data, ("spec", "chart", "spec", "chart"))
    if not isinstance(ref, dict):
        ref = get_path(doc.data, ("spec", "chartRef"))
        name = None
    if not isinstance(ref, dict):
        return name, None
    kind, ref_name = ref.get("kind"), ref.get("name")
    ref_ns = ref.get("namespace") or ns
    for src in project.of_kind(str(kind)):
        if src.name == ref_name and src.namespace == ref_ns:
            url = get_path(src.data, ("spec", "url"))
            if name is None and isinstance(url, str):
                name = url.rstrip("/").rsplit("/", 1)[-1]
            return name, url
    return name, ref_name


def flux_release(doc: Document, project: Any) -> ChartRelease | None:
    from multus_lint.model.chart_ids import identify_chart

    chart_path: Path = ("spec", "chart", "spec", "chart")
    name, url = flux_source_url(doc, project)
    ident = identify_chart(name, url)
    if ident is None and name is None:
        # a chartRef to an OCIRepository the project does not hold: the values' own keys may
        # still tell one of the other judged charts (bjw-s ``cni.binPath`` with ``multus``...)
        from multus_lint.model.chart_ids import identify_values
        from multus_lint.model.other_charts import JUDGED

        by_values = identify_values(get_path(doc.data, ("spec", "values")))
        if by_values is not None and by_values.chart in JUDGED:
            ident = by_values
    if ident is not None:
        project.chart_ids.append((doc, ident))
    chart, url_version = chart_name_version(_chart_dir(get_path(doc.data, chart_path)))
    if chart is None:
        return None
    version = _pinned(get_path(doc.data, ("spec", "chart", "spec", "version"))) or url_version
    rel = ChartRelease(doc, "HelmRelease", chart, version, chart_path=chart_path)
    refs = get_path(doc.data, ("spec", "valuesFrom"))
    if isinstance(refs, list) and refs:
        names = [f"{r.get('kind', '?')} {r.get('name', '?')}" for r in refs if isinstance(r, dict)]
        rel.unread.append(("the HelmRelease's valuesFrom" + (f" ({', '.join(names)})" if names else ""),
                           doc))
    values = get_path(doc.data, ("spec", "values"))
    if isinstance(values, dict):
        rel.layers.append(Layer("HelmRelease values", _Sub(doc, ("spec", "values"))))
    elif values is not None:
        rel.values_known = False
        project.problems.append((doc.source, Problem(
            "ML601", f"spec.values must be a mapping of chart values, not a {_type(values)}",
            doc.span("spec", "values"), doc.object_ref())))
    rel.merge()
    return rel


def argo_sources(doc: Document) -> list[Path]:
    """Paths of the sources Argo CD renders: each of ``spec.sources``, else ``spec.source``."""
    many = get_path(doc.data, ("spec", "sources"))
    if isinstance(many, list) and many:
        return [("spec", "sources", i) for i, s in enumerate(many) if isinstance(s, dict)]
    if isinstance(get_path(doc.data, ("spec", "source")), dict):
        return [("spec", "source")]
    return []


def argo_releases(doc: Document, project: Any) -> list[ChartRelease]:
    out = []
    for base in argo_sources(doc):
        key = "chart" if get_path(doc.data, base + ("chart",)) is not None else "path"
        from multus_lint.model.chart_ids import identify_chart

        ident = identify_chart(_chart_dir(get_path(doc.data, base + (key,))),
                               get_path(doc.data, base + ("repoURL",)))
        if ident is not None and (key == "chart" or ident.is_rke2):  # a Git path is not always a chart
            project.chart_ids.append((doc, ident))
        chart, url_version = chart_name_version(_chart_dir(get_path(doc.data, base + (key,))))
        if chart is None:
            continue
        # a chart from a Helm repository is pinned by targetRevision; from Git, that is a branch
        revision = get_path(doc.data, base + ("targetRevision",)) if key == "chart" else None
        version = _pinned(revision) or url_version
        rel = ChartRelease(doc, "Application", chart, version, chart_path=base + (key,))
        helm = base + ("helm",)
        where = ".".join(str(p) for p in helm)
        files = get_path(doc.data, helm + ("valueFiles",))
        if isinstance(files, list) and files:
            rel.unread.append((f"the Application's {where}.valueFiles", doc))
        if isinstance(get_path(doc.data, helm + ("valuesObject",)), dict):
            rel.layers.append(Layer("Application valuesObject", _Sub(doc, helm + ("valuesObject",))))
        elif get_path(doc.data, helm + ("values",)) is not None:
            layer, ok = embedded_values(doc, helm + ("values",), "Application values", project)
            rel.values_known = ok
            if layer is not None:
                rel.layers.append(layer)
        params = get_path(doc.data, helm + ("parameters",))
        if isinstance(params, list) and params:
            rel.layers.append(ParametersLayer("Application parameters", doc, helm + ("parameters",)))
        if get_path(doc.data, helm + ("fileParameters",)):
            rel.unread.append((f"the Application's {where}.fileParameters", doc))
        rel.merge()
        out.append(rel)
    return out


def _chart_dir(path: Any) -> Any:
    """A chart directory in Git: ``charts/rke2-multus``, or ``packages/rke2-multus/charts`` as
    in rancher/rke2-charts."""
    if isinstance(path, str) and path.rstrip("/").endswith("/rke2-multus/charts"):
        return path.rstrip("/")[: -len("/charts")]
    return path.rstrip("/") if isinstance(path, str) else path


def embedded_values(doc: Document, path: Path, label: str, project: Any) -> tuple[Layer | None, bool]:
    """Chart values held as a YAML string at ``path`` (like ``valuesContent``), positioned in
    the file; and whether they could be read. Problems go to the project."""
    problems = project.problems
    text = get_path(doc.data, path)
    key = ".".join(str(p) for p in path)
    if not isinstance(text, str):
        problems.append((doc.source, Problem(
            "ML601", f"{key} must be a string holding YAML (use `values: |`, or valuesObject for a "
            f"mapping), not a {_type(text)}", doc.span(*path), doc.object_ref())))
        return None, False
    if not text.strip():
        return None, True
    parsed = doc.embedded_yaml(path, project.limits, "ML601")
    bad = [p for item in parsed for p in item.problems]
    for prob in bad:
        if prob.code == "ML601":
            if has_placeholder(text):
                prob = Problem("ML003", f"{key} holds template placeholders (%{{NAME}}%, {{{{ }}}}) and is "
                               f"not YAML until rendered ({prob.message}); its values are not judged",
                               prob.span)
            else:
                prob = Problem("ML601", f"{key} is not valid YAML: {prob.message}", prob.span)
        prob.object = doc.object_ref()
        problems.append((doc.source, prob))
    good = [item for item in parsed if item.tree is not None]
    if bad or not good:
        return None, not bad
    tree = good[0].tree
    assert tree is not None
    for dpath, later, earlier in good[0].duplicates:
        problems.append((doc.source, Problem("ML007", _dup_message(dpath, earlier), later,
                                             doc.object_ref())))
    if isinstance(tree.data, dict):
        return Layer(label, Embedded(doc, tree)), True
    if tree.data is None:
        return None, True
    problems.append((doc.source, Problem(
        "ML601", f"{key} is a {_type(tree.data)}, not a mapping of values", doc.span(*path),
        doc.object_ref())))
    return None, False


def parameter_value(value: Any, force_string: bool) -> Any:
    """A ``--set`` value as helm parses it (``--set-string`` with ``forceString``)."""
    if force_string or not isinstance(value, str):
        return value
    low = value.lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "null":
        return None
    if _INT.match(value) and (value == "0" or not value.lstrip("-").startswith("0")):
        return int(value)
    return value


class ParametersLayer(Layer):
    """Argo CD ``helm.parameters``: a list of ``{name, value, forceString}`` given to helm as
    ``--set name=value`` (``--set-string`` with forceString). Held as a nested mapping (typed
    here, so ``forceString`` survives the merge) and located at each parameter's ``value``."""

    def __init__(self, label: str, doc: Document, path: Path) -> None:
        super().__init__(label, _Sub(doc, path))
        self.doc = doc
        self.path = path
        self.params: list[tuple[list[str], int]] = []  # (dotted name split, index)
        self.nested: dict[str, Any] = {}
        for i, p in enumerate(_seq(get_path(doc.data, path))):
            if isinstance(p, dict) and isinstance(p.get("name"), str) and p["name"]:
                parts = set_key_parts(p["name"])
                self.params.append((parts, i))  # helm applies them in order: the last one wins
                _set_dotted(self.nested, parts, parameter_value(p.get("value"), p.get("forceString") is True))

    @property
    def data(self) -> dict[str, Any]:
        return self.nested

    def site(self, path: Path, value: bool = False) -> Site:
        want = [str(x) for x in path]
        hits = [i for parts, i in self.params if parts[:len(want)] == want]
        if not hits:
            return self.doc.site(*self.path)
        i = hits[-1]
        key = "value" if "value" in get_path(self.doc.data, self.path + (i,)) else "name"
        return self.doc.site(*self.path, i, key, value=value)


def _type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {dict: "mapping", list: "list", str: "string"}.get(type(value), type(value).__name__)
