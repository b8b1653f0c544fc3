"""Every place the project names a network, parsed once per run and shared by the ML4xx rules.

``annotation_uses`` finds the Multus annotations on every workload (pod templates, and the
controller metadata where Multus never looks); ``network_refs`` turns them into resolved
NAD references. Other sources of references (KubeVirt VMs, ...) are functions of the
project appended to ``REF_SOURCES``: ``network_refs`` concatenates them all.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from multus_lint.findings import Span
from multus_lint.load.document import Document, Site, get_path
from multus_lint.load.positions import LineIndex, Path
from multus_lint.model.kustomize import replaced
from multus_lint.model.project import (
    DEFAULT_NETWORK_ANNOTATION,
    NETWORKS_ANNOTATION,
    Project,
    Workload,
)
from multus_lint.net.annotation import ParsedAnnotation, Selection, parse
from multus_lint.records import dataclass, field

# Multus resolves an unqualified default-network name in its multusNamespace.
MULTUS_NAMESPACE = "kube-system"
NETWORK_STATUS_ANNOTATION = "k8s.v1.cni.cncf.io/network-status"
OLD_NETWORKS_STATUS_ANNOTATION = "k8s.v1.cni.cncf.io/networks-status"


@dataclass(repr=False, eq=False)
class AnnotationUse:
    """One annotation on a workload: on its pod (template) or on the controller itself."""

    workload: Workload
    key: str
    path: Path  # of the annotation in the document
    value: Any
    parsed: ParsedAnnotation | None  # None when not a networks/default-network string
    on_controller: bool  # on the controller's (or a CronJob's job template's) own metadata
    _map: Any = field(default=None, repr=False)
    _lines: LineIndex | None = field(default=None, repr=False)
    _block: bool | None = field(default=None, repr=False)
    _spans: dict[int, Span] = field(default_factory=dict, repr=False)  # offset -> span in the file
    _at: tuple[Any, Any] = field(default=(None, None), repr=False)  # (source, object) of its sites

    @property
    def doc(self) -> Document:
        return self.workload.doc

    def key_site(self) -> Site:
        return self.doc.site(*self.path)

    def _located(self) -> tuple[Any, Path]:
        """The document and path where the value is written (a kustomize patch may set it)."""
        from multus_lint.model.kustomize import origin

        return origin(self.doc, self.path)

    def _block_map(self) -> Any:
        """A map into the value when it is a multi-line block scalar (computed once)."""
        if self._block is None:
            self._block = False
            where, path = self._located()
            tree = where.tree
            full = tuple(where.base) + tuple(path)
            find = getattr(tree, "find_node", None)
            if find is not None and isinstance(self.value, str):
                _, node, depth = find(full)
                # a folded (>) value has no newlines left, so count the lines of the source:
                # the header line and at least one line of content
                raw = tree.text[node.start_mark.index:node.end_mark.index] if depth == len(full) else ""
                style = getattr(node, "style", None)
                # a block (even of one line: `|-` then one JSON list), a value on one line, or
                # a quoted one over several lines (folded: ScalarMap aligns it with the text)
                if ((style in ("|", ">") and raw.rstrip().count("\n") >= 1)
                        or (style in (None, "") and raw and "\n" not in raw)
                        or (style in ("'", '"') and raw)) \
                        and raw_value(where, path) == self.value:
                    self._map, self._lines, self._spans = _shared_value_map(tree, full, node, self.value)
                    self._block = self._map is not None
                    # once per use, not per entry located (one pod's 900 entries)
                    self._at = (where.source, self.doc.object_ref())
        return self._map if self._block else None

    def entry_site(self, offset: int | None) -> Site:
        """The key line, or inside a multi-line block scalar the line holding ``offset``."""
        smap = self._block_map()
        if smap is None or offset is None or self._lines is None:
            return self.key_site()
        at = max(0, min(offset, len(self.value) - 1))
        span = self._spans.get(at)
        if span is None:
            ol, oc = smap.to_outer(*self._lines.position(at))
            span = self._spans[at] = Span(ol, oc, ol, oc + 1)
        return Site(self._at[0], span, self._at[1])

    def selection_site(self, sel: Selection, offset: int | None = None) -> Site:
        return self.entry_site(sel.offset if offset is None else offset)


def _shared_value_map(tree: Any, full: Path, node: Any, value: str) -> tuple[Any, LineIndex, dict[int, Span]]:
    """The map into an annotation value, its lines and the spans worked out so far, once per
    scalar of the file: pods aliasing one anchored value (250 pods, 900 entries) share them,
    as their entries are at the same places (the anchor's text)."""
    cache = getattr(tree, "embedded_cache", None)
    # the node find_node gave for ``full``: its map without searching for it again
    smap = tree.node_scalar_map if hasattr(tree, "node_scalar_map") else lambda _: tree.scalar_map(full)
    if cache is None or "*" not in tree.text:  # no alias in the file: no value is shared
        return smap(node), LineIndex(value), {}
    key = ("annotation-value", node.start_mark.index, node.end_mark.index)
    if key not in cache:
        cache[key] = (smap(node), LineIndex(value), {})
    return cache[key]  # type: ignore[no-any-return]


@dataclass(slots=True, repr=False, eq=False)  # one per pod and entry: 225,000 for 250 pods aliasing 900 entries
class NetworkRef:
    """A reference to a NAD: an annotation entry, a KubeVirt network, ..."""

    doc: Document
    name: str
    namespace: str  # resolved
    explicit_namespace: bool
    # located only when reported (positions cost a scan); None: the annotation entry's place
    where: Callable[[], Site] | None
    origin: str  # "annotation", "default-network" or "kubevirt"
    use: AnnotationUse | None = None
    selection: Selection | None = None

    @property
    def site(self) -> Site:
        if self.where is None:
            assert self.use is not None and self.selection is not None
            return self.use.selection_site(self.selection)
        return self.where()

    @property
    def pod_namespace(self) -> str:
        """The namespace of the pod (or VM) that makes the reference."""
        if self.use is not None:
            return self.use.workload.namespace
        return self.doc.namespace or "default"


MULTUS_KEYS = (NETWORKS_ANNOTATION, DEFAULT_NETWORK_ANNOTATION)


def raw_value(where: Any, path: Path) -> Any:
    """The value as written at ``path`` of ``where`` (a Flux substitution may have changed
    the judged one: offsets in it are then not offsets in the file)."""
    from multus_lint.load.document import get_path

    return get_path(where.data, path)


def _annotation_spots(w: Workload) -> list[tuple[Path, dict[str, Any], bool]]:
    from multus_lint.load.document import get_path

    spots: list[tuple[Path, dict[str, Any], bool]] = [(w.pod_annotations_path, w.pod_annotations, False)]
    if w.is_controller:
        spots.append((("metadata", "annotations"), w.doc.annotations, True))
        # a CronJob's job template has metadata of its own, which is not the pod's either
        if w.template_meta[:2] == ("spec", "jobTemplate"):
            path = ("spec", "jobTemplate", "metadata", "annotations")
            found = get_path(w.doc.data, path)
            if isinstance(found, dict):
                spots.append((path, found, True))
    return spots


def annotation_uses(project: Project, keys: tuple[str, ...] = (NETWORKS_ANNOTATION,)) -> list[AnnotationUse]:
    """Uses of the annotations ``keys`` on every workload (parsed for the Multus keys)."""

    def build() -> list[AnnotationUse]:
        out = []
        limit = project.limits.max_annotation_entries
        # one parse per distinct value: a parse depends on the text alone, and pods that
        # alias one anchored annotation (250 pods x 900 entries) share it (never mutated)
        parses: dict[str, ParsedAnnotation] = {}
        for w in project.workloads:
            for base, found, on_controller in _annotation_spots(w):
                for key, value in found.items():
                    if not isinstance(key, str) or not key.startswith(("k8s.v1.cni.cncf.io/", "v1.multus-cni.io/")):
                        continue
                    if replaced(w.doc, base + (key,)) or replaced(w.doc, ("metadata", "namespace")):
                        continue  # a kustomize `replacements` writes it: the deployed value is unknown
                    parsed = None
                    if isinstance(value, str) and key in MULTUS_KEYS:
                        parsed = parses.get(value)
                        if parsed is None:
                            parsed = parses[value] = parse(value, limit)
                    out.append(AnnotationUse(w, key, base + (key,), value, parsed, on_controller))
        for source in USE_SOURCES:
            out += source(project)
        return out

    uses = project.cached("annotation-uses", build)
    return [u for u in uses if u.key in keys]


def _annotation_refs(project: Project) -> list[NetworkRef]:
    """References from pod(-template) annotations: valid entries only (ML401 judges the rest)."""
    refs = []
    for use in annotation_uses(project, MULTUS_KEYS):
        if use.on_controller or use.parsed is None or use.parsed.error:
            continue
        default_net = use.key == DEFAULT_NETWORK_ANNOTATION
        if default_net and len(use.parsed.entries) != 1:
            continue  # ML407: Multus reads no network from it
        origin = "default-network" if default_net else "annotation"
        home = MULTUS_NAMESPACE if default_net else use.workload.namespace
        for sel in use.parsed.entries:
            if not sel.ok:
                continue
            refs.append(NetworkRef(use.doc, sel.name, sel.namespace or home, sel.namespace is not None,
                                   None, origin, use, sel))
    return refs


def kubevirt_refs(project: Project) -> list[NetworkRef]:
    """KubeVirt ``networks[].multus.networkName`` (model/kubevirt.py): ``name`` in the VM's
    namespace, or ``namespace/name``."""
    from multus_lint.model.kubevirt import vm_attachments

    return [NetworkRef(a.doc, a.name, a.namespace, a.explicit_namespace,
                       functools.partial(a.doc.site, *a.network_name_path), "kubevirt")
            for a in vm_attachments(project)]


def values_pod_uses(project: Project) -> list[AnnotationUse]:
    """Multus annotations of pods described by chart values (model/values_pods.py): the
    bjw-s app-template's controllers and defaultPodOptions, the conventional podAnnotations."""
    from multus_lint.model.values_pods import values_workloads

    limit = project.limits.max_annotation_entries
    out = []
    for w, on_controller in values_workloads(project):
        base = w.annotations_path
        found = get_path(w.doc.data, base)
        for key, value in (found.items() if isinstance(found, dict) else []):
            if not isinstance(key, str) or not key.startswith(("k8s.v1.cni.cncf.io/", "v1.multus-cni.io/")):
                continue
            parsed = parse(value, limit) if isinstance(value, str) and key in MULTUS_KEYS else None
            use = AnnotationUse(w, key, base + (key,), value, parsed, on_controller)
            if not isinstance(w.doc, Document):
                use._block = False  # embedded values: the key's line (no map into block scalars)
            out.append(use)
    return out


# Producers of annotation uses beyond the manifests' own workloads.
USE_SOURCES: list[Callable[[Project], list[AnnotationUse]]] = [values_pod_uses]

# Producers of references; each takes the project and returns NetworkRefs.
REF_SOURCES: list[Callable[[Project], list[NetworkRef]]] = [_annotation_refs, kubevirt_refs]


def network_refs(project: Project, origins: tuple[str, ...] | None = None) -> list[NetworkRef]:
    """Every resolved NAD reference of the project (all origins unless ``origins`` is given)."""

    def build() -> list[NetworkRef]:
        refs: list[NetworkRef] = []
        for source in REF_SOURCES:
            refs += source(project)
        return refs

    refs = project.cached("network-refs", build)
    if origins is None:
        return refs  # type: ignore[no-any-return]
    return [r for r in refs if r.origin in origins]
