"""Pods rendered from Helm values: their Multus annotations, judged like any pod's (issue 15 item 2).

The most common homelab pattern writes the pod annotations into chart values, not into a pod
template: the bjw-s ``app-template`` chart (bjw-s/helm-charts charts/library/common: a
controller's pod gets ``defaultPodOptions.annotations`` merged with
``controllers.<name>.pod.annotations``; ``controllers.<name>.annotations`` go on the
controller's own metadata, where Multus never looks), and the conventional ``podAnnotations``
of well-known charts (bitnami charts' templates put it on the pod template). The values may be
a Flux HelmRelease's ``spec.values``, a HelmChart's ``valuesContent``/``values`` or an Argo CD
Application's ``helm.valuesObject``/``helm.values``; the pods run in the release's target
namespace (Flux ``spec.targetNamespace``, else the HelmRelease's; HelmChart
``spec.targetNamespace``, else its own; Argo CD ``spec.destination.namespace``).

Each values pod is a ``ValuesWorkload`` whose document is the values layer, so ML401-ML411
report at the annotation's true line in the file.
"""

from __future__ import annotations

from typing import Any

from multus_lint.load.document import Document, get_path
from multus_lint.load.positions import Path
from multus_lint.model.project import Project, Workload


class ValuesWorkload(Workload):
    """A pod (template) described by chart values instead of a manifest."""

    def __init__(self, located: Any, meta: Path, namespace: str, label: str, owner: Document,
                 key: str = "annotations", pod_path: Path | None = None, kind: str = "Deployment") -> None:
        super().__init__(located, meta)
        self._kind = kind
        self.annotations_path: Path = meta + (key,)  # where the annotations are written
        self._pod_path = pod_path or self.annotations_path  # where the pod's belong
        self._namespace = namespace
        self.label = label  # for messages: "app-template controller home-assistant"
        self.owner = owner  # the HelmRelease / HelmChart / Application

    @property
    def kind(self) -> str:
        return self._kind  # the app-template controller's type (controller_kind); a pod template in any case

    @property
    def is_controller(self) -> bool:
        return True

    @property
    def namespace(self) -> str:
        return self._namespace

    @property
    def replicas(self) -> int | None:
        return None

    @property
    def pod_annotations_path(self) -> Path:
        return self._pod_path

    @property
    def pod_annotations(self) -> dict[str, Any]:
        a = get_path(self.doc.data, self.annotations_path)
        return a if isinstance(a, dict) else {}


# bjw-s common library: controllers.<name>.type (values.schema.json enum; "deployment" when unset)
CONTROLLER_KINDS = {"deployment": "Deployment", "daemonset": "DaemonSet", "statefulset": "StatefulSet",
                    "cronjob": "CronJob", "job": "Job"}


def controller_kind(controller: dict[str, Any]) -> str:
    """The kind an app-template controller renders (its ``type``; Deployment when unset or unknown)."""
    t = controller.get("type")
    return CONTROLLER_KINDS.get(t.lower(), "Deployment") if isinstance(t, str) else "Deployment"


def _layers(project: Project) -> list[tuple[Any, Path, str, Document, str]]:
    """(located, values root path in it, target namespace, owner, chart name) of every values
    layer a release hands to helm."""
    from multus_lint.model.gitops import ARGO_GROUP, FLUX_GROUP, argo_sources, flux_source_url

    out: list[tuple[Any, Path, str, Document, str]] = []
    for doc in project.of_kind("HelmRelease"):
        if not doc.api_version.startswith(FLUX_GROUP):
            continue
        ns = get_path(doc.data, ("spec", "targetNamespace")) or doc.namespace or "default"
        name, url = flux_source_url(doc, project)
        chart = f"{url or ''}/{name or ''}"
        if isinstance(get_path(doc.data, ("spec", "values")), dict):
            out.append((doc, ("spec", "values"), str(ns), doc, chart))
    for doc in project.of_kind("Application"):
        if not doc.api_version.startswith(ARGO_GROUP):
            continue
        ns = get_path(doc.data, ("spec", "destination", "namespace")) or "default"
        for base in argo_sources(doc):
            chart = f"{get_path(doc.data, base + ('repoURL',)) or ''}/{get_path(doc.data, base + ('chart',)) or ''}"
            helm = base + ("helm",)
            if isinstance(get_path(doc.data, helm + ("valuesObject",)), dict):
                out.append((doc, helm + ("valuesObject",), str(ns), doc, chart))
            elif isinstance(get_path(doc.data, helm + ("values",)), str):
                for emb in _embedded(doc, helm + ("values",), project):
                    out.append((emb, (), str(ns), doc, chart))
    for doc in project.helmcharts:
        ns = get_path(doc.data, ("spec", "targetNamespace")) or doc.namespace or "default"
        chart = f"{get_path(doc.data, ('spec', 'repo')) or ''}/{get_path(doc.data, ('spec', 'chart')) or ''}"
        if isinstance(get_path(doc.data, ("spec", "valuesContent")), str):
            for emb in _embedded(doc, ("spec", "valuesContent"), project):
                out.append((emb, (), str(ns), doc, chart))
        if isinstance(get_path(doc.data, ("spec", "values")), dict):
            out.append((doc, ("spec", "values"), str(ns), doc, chart))
    return out


def _embedded(doc: Document, path: Path, project: Project) -> list[Any]:
    """The YAML values held as a string at ``path``, positioned in the file (problems in it
    are reported by the chart builders, not again here)."""
    from multus_lint.load.document import Embedded

    try:
        parsed = doc.embedded_yaml(path, project.limits, "ML601")
    except Exception:  # noqa: BLE001 - unreadable values: no pods to judge
        return []
    if any(item.problems for item in parsed):
        return []
    return [Embedded(doc, item.tree) for item in parsed[:1]
            if item.tree is not None and isinstance(item.tree.data, dict)]


def values_workloads(project: Project) -> list[tuple[ValuesWorkload, bool]]:
    """(workload, annotations on the controller's own metadata) of every pod in chart values."""

    def build() -> list[tuple[ValuesWorkload, bool]]:
        out: list[tuple[ValuesWorkload, bool]] = []
        for located, root, ns, owner, chart in _layers(project):
            values = get_path(located.data, root)
            if not isinstance(values, dict):
                continue
            controllers = values.get("controllers")
            app_template = "app-template" in chart or (
                isinstance(controllers, dict) and any(isinstance(c, dict) and "containers" in c
                                                     for c in controllers.values()))
            if app_template:
                if isinstance(get_path(values, ("defaultPodOptions", "annotations")), dict):
                    out.append((ValuesWorkload(located, root + ("defaultPodOptions",), ns,
                                               "app-template defaultPodOptions", owner), False))
                for name, c in (controllers.items() if isinstance(controllers, dict) else []):
                    if not isinstance(c, dict):
                        continue
                    kind = controller_kind(c)
                    if isinstance(get_path(c, ("pod", "annotations")), dict):
                        out.append((ValuesWorkload(located, root + ("controllers", name, "pod"), ns,
                                                   f"app-template controller {name}", owner, kind=kind), False))
                    if isinstance(c.get("annotations"), dict):
                        out.append((ValuesWorkload(located, root + ("controllers", name), ns,
                                                   f"app-template controller {name}", owner,
                                                   pod_path=root + ("controllers", name, "pod",
                                                                    "annotations"), kind=kind), True))
            # app-template 2+ (controllers:) renders a pod's annotations from defaultPodOptions
            # and controllers.<name>.pod only (common lib/pod/metadata/_annotations.tpl): a
            # top-level podAnnotations (the 1.x spelling) reaches no pod. Like a controller's
            # own metadata it is a place Multus never reads (ML403), not a pod to judge
            if isinstance(values.get("podAnnotations"), dict):
                dead = app_template and isinstance(controllers, dict)
                out.append((ValuesWorkload(located, root, ns, "podAnnotations", owner, "podAnnotations",
                                           pod_path=root + ("defaultPodOptions", "annotations") if dead else None),
                            dead))
        return out

    return project.cached("values-workloads", build)  # type: ignore[no-any-return]
