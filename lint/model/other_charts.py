"""Releases of Multus charts other than rke2-multus, judged by their own keys (issue 15 item 1).

Each chart's node paths come from its own templates, not from rke2-multus's keys:

- bitnami ``multus-cni`` (bitnami/charts ``bitnami/multus-cni/templates/daemonset.yaml``): the
  hostPath volumes are ``hostCNIBinDir`` (default /opt/cni/bin) and ``hostCNINetDir`` (default
  /etc/cni/net.d); the thin entrypoint gets ``--cni-conf-dir``/``--cni-bin-dir`` under
  ``CNIMountPath`` and NO ``--multus-kubeconfig-file-host``, unless ``args`` replaces the whole
  argument list. So with K3s dirs the generated Multus config still names
  /etc/cni/net.d/multus.d/multus.kubeconfig (bitnami/charts#30606). A fork with the same keys
  and ``daemonConfig``/``daemonConfigMap`` (startechnica/apps ``charts/multus-cni``) runs the
  thick daemon instead, which needs no host kubeconfig (rules/paths.py ``_thick_fork``).
- k8snetworkplumbingwg ``multus`` (k8snetworkplumbingwg/helm-charts ``multus/templates/daemonSet.yaml``):
  the hostPath volumes are hard-coded /etc/cni/net.d and /opt/cni/bin; ``args.*`` only become
  thin-entrypoint flags (``args.multusKubeConfigFileHost`` -> ``--multus-kubeconfig-file-host``).
- bjw-s ``multus`` (bjw-s-labs/helm-charts ``charts/other/multus/templates/common.yaml``, on the
  bjw-s common library; oci://ghcr.io/bjw-s-labs/helm/multus): the hostPath volumes are
  ``cni.binPath`` (default /opt/cni/bin) and ``cni.netPath`` (default /etc/cni/net.d), mounted
  at the thin entrypoint's defaults /host/opt/cni/bin and /host/etc/cni/net.d; the multus
  container's args are the chart's own (``--cleanup-config-on-exit --multus-cni-conf-dir=/tmp``,
  merged over the release's values with ``mergeOverwrite``), so no value passes
  ``--multus-kubeconfig-file-host``: its default /etc/cni/net.d/multus.d/multus.kubeconfig goes
  into the Multus config (multus-cni ``cmd/thin_entrypoint/main.go`` ``addFlags``).
- home-operations ``multus`` (home-operations/helm-charts ``charts/multus/templates/daemonset.tpl``):
  the same DaemonSet with ``cni.binDir`` / ``cni.netDir`` as the hostPaths and ``extraArgs``
  appended to the fixed args, so ``--multus-kubeconfig-file-host`` can be given there.
- angelnu ``multus`` (angelnu/helm-charts ``charts/apps/multus/templates/common.yaml``, on the
  bjw-s common library): the hostPath volumes are ``cni.paths.bin`` and ``cni.paths.config``,
  and the Multus config follows them (the thick daemon's daemon-config.json ``binDir`` and
  ``confDir``; the thin entrypoint's ``--multus-kubeconfig-file-host`` under
  ``cni.paths.config`` in the chart's earlier versions). The defaults are K3s's dirs, and
  changed between versions (data/current/bin, then data/cni), so only values a release sets
  are judged.

A release is a ``ChartRelease`` (same layers and locations as rke2-multus's), with ``chart`` set
to the chart_ids name; they are kept apart in ``project.other_releases`` so no rke2-multus rule
ever reads them.
"""

from __future__ import annotations

from typing import Any

from multus_lint.load.document import get_path
from multus_lint.model.chart_ids import ANGELNU, BITNAMI, BJWS, HOMEOPS, K8SNP, identify_values
from multus_lint.model.charts import (
    ChartRelease,
    Layer,
    _Sub,
    chart_defaults,
    unread_layers,
    values_layers,
)

JUDGED = (BITNAMI, K8SNP, BJWS, HOMEOPS, ANGELNU)


def other_releases(project: Any) -> list[ChartRelease]:
    """Releases of the charts in JUDGED: HelmCharts, values files, Flux and Argo CD releases
    whose chart was identified (project.chart_ids) as one of them."""
    out: list[ChartRelease] = []
    for doc, ident in project.chart_ids:
        if ident.chart not in JUDGED:
            continue
        rel = None
        if doc.kind == "HelmChart":
            rel = ChartRelease(doc, "HelmChart", ident.chart, _str(get_path(doc.data, ("spec", "version"))))
            rel.layers, rel.values_known = values_layers(doc, "HelmChart", project.limits, project.problems)
            rel.unread += unread_layers(doc, "HelmChart")
        elif doc.kind == "HelmRelease":
            rel = ChartRelease(doc, "HelmRelease", ident.chart, None, chart_path=("spec",))
            if isinstance(get_path(doc.data, ("spec", "values")), dict):
                rel.layers.append(Layer("HelmRelease values", _Sub(doc, ("spec", "values"))))
            if get_path(doc.data, ("spec", "valuesFrom")):
                rel.unread.append(("the HelmRelease's valuesFrom", doc))
        elif doc.kind == "Application":
            rel = _argo(doc, ident.chart, project)
        elif not doc.kind and identify_values(doc.data) == ident and not chart_defaults(doc.source.path):
            # (a chart's own values.yaml is its defaults for every cluster, not an install:
            # charts.chart_defaults, as for rke2-multus's)
            rel = ChartRelease(doc, "values file", ident.chart, None, [Layer("values file", doc)])
        if rel is not None:
            rel.merge()
            out.append(rel)
    return out


def _argo(doc: Any, chart: str, project: Any) -> ChartRelease | None:
    from multus_lint.model.gitops import argo_sources

    for base in argo_sources(doc):
        if get_path(doc.data, base + ("chart",)) is None:
            continue
        rel = ChartRelease(doc, "Application", chart, _str(get_path(doc.data, base + ("targetRevision",))),
                           chart_path=base + ("chart",))
        helm = base + ("helm",)
        if isinstance(get_path(doc.data, helm + ("valuesObject",)), dict):
            rel.layers.append(Layer("Application valuesObject", _Sub(doc, helm + ("valuesObject",))))
        elif get_path(doc.data, helm + ("values",)) is not None:
            # a YAML string, read as the rke2-multus builder reads it (positions in the file)
            from multus_lint.model.gitops import embedded_values

            layer, rel.values_known = embedded_values(doc, helm + ("values",), "Application values", project)
            if layer is not None:
                rel.layers.append(layer)
        if get_path(doc.data, helm + ("valueFiles",)) or get_path(doc.data, helm + ("parameters",)):
            rel.unread.append(("the Application's helm valueFiles/parameters", doc))
        return rel
    return None


def _str(value: Any) -> str | None:
    return str(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None
