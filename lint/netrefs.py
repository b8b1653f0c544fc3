"""Every place the project names a network: pod annotations (and, later, KubeVirt VMs).

Parsed once per run and shared by the ML4xx rules (existence, namespaces, names).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from multus_lint.document import Document, Site
from multus_lint.findings import Span
from multus_lint.model import NETWORKS_ANNOTATION, Project, Workload
from multus_lint.netannot import ParsedAnnotation, Selection, parse
from multus_lint.tree import Path


@dataclass
class AnnotationUse:
    """One ``k8s.v1.cni.cncf.io/networks`` (or default-network) annotation on a workload."""

    workload: Workload
    key: str
    path: Path  # of the annotation in the document
    value: Any
    parsed: ParsedAnnotation | None  # None when the value is not a string
    on_controller: bool  # on the controller's own metadata, where Multus never looks

    @property
    def doc(self) -> Document:
        return self.workload.doc

    def key_site(self) -> Site:
        return self.doc.site(*self.path)

    def entry_site(self, offset: int) -> Site:
        """The key line, or inside a multi-line block scalar the line holding ``offset``."""
        tree = self.doc.tree
        full = self.doc.base + self.path
        find = getattr(tree, "find_node", None)
        if find is not None:
            _, node, depth = find(full)
            if depth == len(full) and getattr(node, "style", None) in ("|", ">") and \
                    "\n" in str(self.value).strip():
                smap = tree.scalar_map(full)
                if smap is not None:
                    text = str(self.value)
                    line = text.count("\n", 0, offset)
                    col = offset - (text.rfind("\n", 0, offset) + 1)
                    ol, oc = smap.to_outer(line, col)
                    return Site(self.doc.source, Span(ol, oc, ol, oc + 1), self.doc.object_ref())
        return self.key_site()


@dataclass
class NetworkRef:
    """A reference to a NAD: from an annotation entry or (later) a KubeVirt network."""

    doc: Document
    name: str
    namespace: str  # resolved
    explicit_namespace: bool
    site: Site
    origin: str  # "annotation" or "kubevirt"
    use: AnnotationUse | None = None
    selection: Selection | None = None


def annotation_uses(project: Project, keys: tuple[str, ...] = (NETWORKS_ANNOTATION,)) -> list[AnnotationUse]:
    def build() -> list[AnnotationUse]:
        out = []
        limit = project.limits.max_annotation_entries
        for w in project.workloads:
            spots: list[tuple[Path, dict[str, Any], bool]] = [
                (w.pod_annotations_path, w.pod_annotations, False)]
            if w.is_controller:
                spots.append((("metadata", "annotations"), w.doc.annotations, True))
            for base, found, on_controller in spots:
                for key, value in found.items():
                    if not isinstance(key, str):
                        continue
                    parsed = parse(value, limit) if isinstance(value, str) else None
                    out.append(AnnotationUse(w, key, base + (key,), value, parsed, on_controller))
        return out

    uses = project.cached("annotation-uses", build)
    return [u for u in uses if u.key in keys]


def network_refs(project: Project) -> list[NetworkRef]:
    """Resolved references from pod-template ``networks`` annotations (valid entries only)."""

    def build() -> list[NetworkRef]:
        refs = []
        for use in annotation_uses(project):
            if use.on_controller or use.parsed is None or use.parsed.error:
                continue
            for sel in use.parsed.entries:
                if not sel.ok or not sel.name:
                    continue
                ns = sel.namespace or use.workload.namespace
                refs.append(NetworkRef(use.doc, sel.name, ns, sel.namespace is not None,
                                       use.entry_site(sel.offset), "annotation", use, sel))
        return refs

    return project.cached("network-refs", build)  # type: ignore[no-any-return]
