"""What kustomize, Flux and Argo CD deploy from the files: entry points, and each object as
the cluster gets it, positioned in the SOURCE files (nothing is rendered).

An *entry point* is what one tool builds and applies: a kustomization that no other one
includes, a Flux ``Kustomization`` (``spec.path``) or an Argo CD ``Application``
(``spec.source.path`` / ``spec.sources[].path``). Building it follows kustomize:

- ``resources`` (files, folders holding a kustomization, nested to any depth) and
  ``components`` (kustomize api/internal/target/kusttarget.go ``AccumulateTarget``:
  resources, then components, which transform everything accumulated so far);
- the builtin transformers in kustomize's order (kusttarget_configplugin.go
  ``configureBuiltinTransformers``): ``patchesStrategicMerge``, ``patches``, ``namespace``,
  ``namePrefix``, ``nameSuffix``, ``patchesJson6902``;
- ``namespace`` is the namespace filter (api/filters/namespace/namespace.go
  ``metaNamespaceHack``): it sets ``metadata.namespace`` of every object, overriding the
  file, except kinds certainly cluster-scoped (kyaml/openapi ``IsCertainlyClusterScoped``:
  built-in cluster-scoped types; a CRD's objects such as NADs are namespaced). RoleBinding
  subjects are set only for a subject named ``default``; nothing here reads them.
- ``namePrefix``/``nameSuffix`` rename every object but CRDs, APIServices and Namespaces
  (plugin/builtin/prefixtransformer ``prefixFieldSpecsToSkip``); kustomize then rewrites the
  references listed in its name-reference config
  (api/internal/konfig/builtinpluginconsts/namereference.go), which has no entry for the
  Multus network annotations: ``Instance.renamed_from`` keeps the name a pod still uses.

Flux (fluxcd/pkg kustomize/kustomize_generator.go ``GenerateManifest``): ``spec.path`` from
the repository root; without a kustomization file there, one is generated listing every
``.yaml``/``.yml`` below it (a sub-folder with a kustomization is included as a whole,
``scanManifests``); ``spec.targetNamespace``, ``namePrefix``, ``nameSuffix``, ``patches``
and ``components`` are set on that kustomization. ``postBuild.substitute`` then replaces
``${VAR}`` in every string (kustomize_varsub.go ``SubstituteVariables``); a variable that
may come from ``substituteFrom`` (or is not given) stays a placeholder, not judged.

Argo CD: ``spec.destination.namespace`` for namespaced objects that have none;
``spec.source.kustomize`` ``namespace``/``namePrefix``/``nameSuffix`` like kustomize's.

Remote bases, generators and plugins are recorded as ``Unread`` and never fetched.
"""

from __future__ import annotations

import copy
import os
import re
import stat
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from multus_lint.findings import Span
from multus_lint.load.document import Document, EmbeddedMap, Located, Site, get_path
from multus_lint.load.parse import Parsed, parse_json, parse_yaml
from multus_lint.load.positions import LineIndex, Path, TextMap
from multus_lint.load.read import Limits, SourceFile
from multus_lint.records import dataclass, field

# konfig.RecognizedKustomizationFileNames(), in kustomize's order of preference
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
KUSTOMIZE_GROUP = "kustomize.config.k8s.io/"
FLUX_KS_GROUP = "kustomize.toolkit.fluxcd.io/"
ARGO_GROUP = "argoproj.io/"
# a context file holding one of these is read: entry points set the namespace and name of
# what they deploy (kustomization files are read by their name too)
ENTRY_MARKERS = ("kustomize.config.k8s.io", "kustomize.toolkit.fluxcd.io", "argoproj.io")

# kyaml/openapi/openapi.go precomputedIsNamespaceScoped: the built-in types whose value is
# false (cluster-scoped). Keyed by (apiVersion, kind) as kustomize keys them: a kind is
# cluster-scoped only with its API version, anything else (CRDs' objects) is namespaced.
CLUSTER_SCOPED: frozenset[tuple[str, str]] = frozenset({
    ("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"),
    ("admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration"),
    ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy"),
    ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding"),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"),
    ("apiregistration.k8s.io/v1", "APIService"),
    ("apiregistration.k8s.io/v1beta1", "APIService"),
    ("certificates.k8s.io/v1", "CertificateSigningRequest"),
    ("certificates.k8s.io/v1beta1", "CertificateSigningRequest"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration"),
    ("networking.k8s.io/v1", "IngressClass"),
    ("networking.k8s.io/v1beta1", "IngressClass"),
    ("node.k8s.io/v1", "RuntimeClass"),
    ("node.k8s.io/v1beta1", "RuntimeClass"),
    ("policy/v1beta1", "PodSecurityPolicy"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding"),
    ("scheduling.k8s.io/v1", "PriorityClass"),
    ("scheduling.k8s.io/v1beta1", "PriorityClass"),
    ("storage.k8s.io/v1", "CSIDriver"),
    ("storage.k8s.io/v1", "CSINode"),
    ("storage.k8s.io/v1", "StorageClass"),
    ("storage.k8s.io/v1", "VolumeAttachment"),
    ("storage.k8s.io/v1beta1", "CSIDriver"),
    ("storage.k8s.io/v1beta1", "CSINode"),
    ("storage.k8s.io/v1beta1", "StorageClass"),
    ("storage.k8s.io/v1beta1", "VolumeAttachment"),
    ("v1", "ComponentStatus"),
    ("v1", "Namespace"),
    ("v1", "Node"),
    ("v1", "NodeProxyOptions"),
    ("v1", "PersistentVolume"),
})
# plugin/builtin/prefixtransformer/PrefixTransformer.go prefixFieldSpecsToSkip (the suffix
# transformer has the same list): matched by kind (and group for APIService) only
NOT_RENAMED_KINDS = frozenset({"CustomResourceDefinition", "APIService", "Namespace"})

# Kustomization fields whose output is not read here (recorded, never fetched or run)
UNREAD_FIELDS = {
    "configMapGenerator": "configMapGenerator (generated ConfigMaps are not read)",
    "secretGenerator": "secretGenerator (generated Secrets are not read)",
    "helmCharts": "helmCharts (charts are not inflated)",
    "helmChartInflationGenerator": "helmChartInflationGenerator (charts are not inflated)",
    "generators": "generators (plugins are not run)",
    "transformers": "transformers (plugins are not run)",
    "validators": "validators (plugins are not run)",
    "replacements": "replacements (values they copy are not applied)",
    "vars": "vars (values they substitute are not applied)",
    "configurations": "configurations (custom transformer configs are not applied)",
    "crds": "crds (custom name-reference specs are not applied)",
}
MULTUS_ANNOTATION_PREFIXES = ("k8s.v1.cni.cncf.io/", "v1.multus-cni.io/")
# of those, the ones that can change the values of objects already there
VALUE_CHANGING = frozenset({"transformers", "replacements", "vars", "configurations", "crds"})
REMOTE_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@|github\.com/|gitlab\.com/|bitbucket\.org/)|\?ref=|//",
                       re.IGNORECASE)
# k8s.io/api types' patchMergeKey for the lists a strategic merge patch merges by key;
# other lists are replaced (apimachinery strategicpatch, default list strategy "replace")
MERGE_KEYS = {"containers": "name", "initContainers": "name", "ephemeralContainers": "name",
              "volumes": "name", "env": "name", "imagePullSecrets": "name",
              "volumeMounts": "mountPath", "volumeDevices": "devicePath", "ports": "containerPort",
              "hostAliases": "ip", "tolerations": None, "finalizers": None}
# fields that identify an object in a patch (they select, they do not change anything)
IDENTITY = {("apiVersion",), ("kind",), ("metadata", "name"), ("metadata", "namespace")}


def _seq(value: object) -> list:
    """A list field as a list (any other type is read as empty: never iterated)."""
    return value if isinstance(value, list) else []


@dataclass(repr=False, eq=False)
class Unread:
    """Something an entry point deploys that is not read: a remote base, a generator, a
    missing file. Reported with --verbose / --print-profile, never as a finding."""

    what: str
    # where it is written, located only when shown (a position may compose the file's YAML
    # again: every Flux Kustomization of a home-ops repository reads substituteFrom)
    site_of: Callable[[], Site | None] | None = None

    @property
    def site(self) -> Site | None:
        return self.site_of() if self.site_of is not None else None

    def describe(self) -> str:
        site = self.site
        where = f" ({site.source.path}:{site.span.line})" if site else ""
        return f"{self.what}{where}"


class Instance(Document):
    """One object as an entry point deploys it: the source document's positions with the
    effective data (namespace, name, patched values). Values a patch sets are located in
    the patch (``origin``), so a finding about them lands on the patch's line."""

    def __init__(self, doc: Document) -> None:
        base = doc.original if isinstance(doc, Instance) else doc
        super().__init__(base.source, base.tree, base.base, base.index)
        self.original: Document = base
        self.data = doc.data  # shared until a transform changes it (copy on write)
        self.origins: dict[Path, tuple[Document, Path]] = {}
        self.names: list[str] = [base.name]  # every name it had, oldest first (patch targets)
        self.namespaces: list[str | None] = [base.namespace]
        self.renamed_by: list[Site] = []  # namePrefix/nameSuffix settings that renamed it
        # the setting that gave its namespace (located when asked: namespace_by)
        self._namespace_setting: tuple[Document, Path] | None = None
        self.via: list[str] = []  # kustomization files (and entry objects) it went through, inner first
        self.substituted: dict[Path, list[tuple[int, int, int, int]]] = {}
        self.placeholders: set[str] = set()  # ${VAR}s Flux substitutes with values not known here
        self.filled: set[str] = set()  # ${VAR}s substituted with the values given
        # a kustomization on its way ran transformers not applied here (replacements, vars,
        # plugins): its values may differ from what is judged
        self.unsure: list[str] = []
        # fields a kustomize `replacements` entry writes (not applied here): their values are
        # not known, () when the targets could not be read (every field may change)
        self.replaced: set[Path] = set()
        self._owned: set[int] = set()
        self._all_owned = False  # data is this instance's own deep copy

    @property
    def namespace_by(self) -> Site | None:
        """Where the namespace it was given is set (a kustomization's ``namespace:``)."""
        where = self._namespace_setting
        return where[0].site(*where[1], value=True) if where is not None else None

    # ---- copy on write
    def own(self, path: Path) -> dict[str, Any]:
        """The mapping at ``path`` (created when missing), copied so this instance may change it."""
        if self._all_owned:
            node = self.data
            for part in path:
                if not isinstance(node.get(part), dict):
                    node[part] = {}
                node = node[part]
            return node
        if id(self.data) not in self._owned:
            self.data = dict(self.data)
            self._owned.add(id(self.data))
        node = self.data
        for part in path:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
            elif id(child) not in self._owned:
                child = dict(child)
            else:
                node = child
                continue
            self._owned.add(id(child))
            node[part] = child
            node = child
        return node

    def replace_data(self, data: dict[str, Any]) -> None:
        """A wholly new (deep-copied) data, owned by this instance."""
        self.data = data
        self._all_owned = True

    # ---- positions
    @property
    def renamed_from(self) -> str | None:
        """The name in the source file when kustomize renamed the object."""
        return self.names[0] if self.renamed_by and self.names[0] != self.name else None

    def origin(self, path: Path) -> tuple[Document, Path]:
        """The document and path where the value at ``path`` is written."""
        path = tuple(path)
        if self.origins:
            for n in range(len(path), 0, -1):
                hit = self.origins.get(path[:n])
                if hit is not None:
                    return hit[0], hit[1] + path[n:]
        return self.original, path

    def locate(self, path: Path, value: bool = False) -> tuple[Span, bool]:
        doc, p = self.origin(path)
        return doc.tree.locate(doc.base + tuple(p), value)

    def span(self, *path: Any, value: bool = False) -> Span:
        return self.locate(path, value)[0]

    def source_of(self, path: Path) -> SourceFile:
        return self.origin(path)[0].source

    def find_site(self, path: Path, value: bool = False) -> tuple[Site, bool]:
        doc, p = self.origin(path)  # the patch's file when a patch wrote it
        span, found = doc.tree.locate(doc.base + tuple(p), value)
        return Site(doc.source, span, self.object_ref()), found

    def name_site(self) -> Site:
        span, found = self.original.locate(("metadata", "name"))
        if not found:
            span = self.original.span("kind")
        return Site(self.original.source, span, self.object_ref())

    def fix_target(self, path: Path) -> tuple[Document, Path] | None:
        """Where a fix of the value at ``path`` is written, or None when no single edit
        there is right: a value Flux substituted, a namespace or name a kustomization set
        (the setting serves every object of it)."""
        path = tuple(path)
        if any(path[:len(p)] == p for p in self.substituted):
            return None
        if path[:2] == ("metadata", "namespace") and ("metadata", "namespace") in self.origins:
            return None
        if path[:2] == ("metadata", "name") and self.renamed_by:
            return None
        return self.origin(path)

    def text_map(self, path: Path) -> TextMap:
        """Positions of the string at ``path`` as judged (substituted) text, in its file."""
        doc, p = self.origin(path)
        inner: TextMap = EmbeddedMap(doc, p)
        edits = self.substituted.get(tuple(path))
        if edits:
            before = get_path(doc.data, p)
            inner = SubstitutedMap(inner, before if isinstance(before, str) else "",
                                   get_path(self.data, path) or "", edits)
        return inner

    def embedded_json(self, path: Path, limits: Limits, syntax_code: str, what: str) -> Parsed:
        value = get_path(self.data, path)
        return parse_json(value, limits, self.text_map(path), syntax_code=syntax_code, what=what)

    def embedded_yaml(self, path: Path, limits: Limits, syntax_code: str) -> list[Parsed]:
        value = get_path(self.data, path)
        return parse_yaml(value, limits, self.text_map(path), syntax_code=syntax_code)

    def __repr__(self) -> str:
        return f"<Instance {self.kind} {self.namespace}/{self.name} {self.source.path}#{self.index}>"


def _containers(data: Any) -> Iterator[Any]:
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            yield x
            stack.extend(x.values())
        elif isinstance(x, list):
            yield x
            stack.extend(x)


def origin(doc: Located, path: Path) -> tuple[Located, Path]:
    """Where the value at ``path`` of ``doc`` is written (a patch, for a patched value)."""
    if isinstance(doc, Instance):
        return doc.origin(path)
    return doc, tuple(path)


def source_of(doc: Located, path: Path) -> SourceFile:
    return origin(doc, path)[0].source


class SubstitutedMap(TextMap):
    """Positions in a string after ``${VAR}`` substitution, mapped to the string as written
    (a position inside a substituted value goes to the ``${`` that produced it)."""

    def __init__(self, inner: TextMap, before: str, after: str,
                 edits: list[tuple[int, int, int, int]]) -> None:
        self.inner = inner
        self.edits = edits  # (start, end) in before, (start, end) in after, in order
        self.after_lines = LineIndex(after)
        self.before = before
        self.before_lines = LineIndex(before)

    def to_outer(self, line: int, column: int) -> tuple[int, int]:
        # 0-based (line, column) in the substituted text, as every TextMap receives them
        starts = self.after_lines.starts
        off = (starts[line] if 0 <= line < len(starts) else starts[-1]) + column
        orig = off
        for b0, b1, a0, a1 in self.edits:
            if off < a0:
                break
            if off < a1:
                orig = b0  # inside a substituted value: where its ${ is written
                break
            orig = off + (b1 - a1)
        ln, col = self.before_lines.position(max(0, min(orig, len(self.before))))
        return self.inner.to_outer(ln, col)


# ------------------------------------------------------------------ kustomization files


@dataclass(repr=False, eq=False)
class KFile:
    """One kustomization (a file, or the one Flux generates for a folder without one)."""

    folder: str  # absolute
    doc: Document | None  # None when generated
    component: bool = False

    @property
    def data(self) -> dict[str, Any]:
        return self.doc.data if self.doc is not None else {}

    @property
    def path(self) -> str:
        return self.doc.source.path if self.doc is not None else self.folder

    def site(self, *path: Any, value: bool = False) -> Site | None:
        return self.doc.site(*path, value=value) if self.doc is not None else None

    def located(self, path: Path) -> tuple[Document | None, Path]:
        """The document holding the kustomization's ``path``, and the path in it."""
        return self.doc, tuple(path)

    def strings(self, key: str) -> list[tuple[int, str]]:
        items = self.data.get(key)
        return [(i, s) for i, s in enumerate(items) if isinstance(s, str) and s.strip()] \
            if isinstance(items, list) else []


def is_kustomization_doc(doc: Document) -> bool:
    """A kustomization file's document (by its name; its apiVersion is optional)."""
    if os.path.basename(doc.source.path) not in KUSTOMIZATION_FILES:
        return False
    api = doc.api_version
    return not api or api.startswith(KUSTOMIZE_GROUP)


def is_flux_kustomization(doc: Document) -> bool:
    return doc.kind == "Kustomization" and doc.api_version.startswith(FLUX_KS_GROUP)


def is_argo_application(doc: Document) -> bool:
    return doc.kind == "Application" and doc.api_version.startswith(ARGO_GROUP)


def is_cluster_scoped(doc: Document | dict[str, Any]) -> bool:
    data = doc.data if isinstance(doc, Document) else doc
    return (str(data.get("apiVersion", "")), str(data.get("kind", ""))) in CLUSTER_SCOPED


# ------------------------------------------------------------------ entry points


@dataclass(repr=False, eq=False)
class EntryPoint:
    """What one tool builds and applies, and every object of it as the cluster gets it."""

    kind: str  # "kustomize", "flux" or "argo"
    folder: str  # absolute folder it builds
    doc: Document | None  # the root kustomization's document, the Flux Kustomization, the Application
    instances: list[Instance] = field(default_factory=list)
    files: set[str] = field(default_factory=set)  # absolute paths of every file read to build it
    unread: list[Unread] = field(default_factory=list)
    parent: EntryPoint | None = None  # the entry point that applies this one's object
    children: list[EntryPoint] = field(default_factory=list)
    # NAD names in the folders a spec.path with a variable not known here may name
    # (``./kubernetes/apps/${CLUSTER}/network``): it may deploy any of them (unresolved_nads)
    maybe_nads: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        if self.kind == "kustomize" or self.doc is None:
            return f"kustomization {self.doc.source.path if self.doc else self.folder}"
        what = "Flux Kustomization" if self.kind == "flux" else "Argo CD Application"
        return f"{what} {self.doc.namespace or ''}{'/' if self.doc.namespace else ''}{self.doc.name} " \
            f"({self.doc.source.path})"


@dataclass(repr=False, eq=False)
class Graph:
    """Every entry point of the project, and which documents they consume or deploy."""

    root: str
    entries: list[EntryPoint] = field(default_factory=list)
    consumed: set[int] = field(default_factory=set)  # ids of kustomization and patch documents
    # files a configMapGenerator / secretGenerator embeds (absolute): data, not manifests
    data_files: set[str] = field(default_factory=set)
    resource_files: set[str] = field(default_factory=set)  # files some kustomization lists as resources
    reached: dict[int, list[Instance]] = field(default_factory=dict)  # id(source doc) -> instances
    extra_sources: list[SourceFile] = field(default_factory=list)  # read to build, not given

    def instances_of(self, doc: Document) -> list[Instance]:
        return self.reached.get(id(doc), [])

    def entry_of(self, path: str) -> list[EntryPoint]:
        """The entry points that read ``path`` (absolute)."""
        return [e for e in self.entries if path in e.files]

    def filled_placeholders(self) -> dict[str, frozenset[str]]:
        """Display path -> the Flux ``${VAR}``s of that file that postBuild.substitute fills
        in for every object deployed from it: values judged as substituted, so they are not
        placeholders there (the others stay placeholders, ML003)."""
        filled: dict[str, set[str]] = {}
        left: dict[str, set[str]] = {}
        for e in self.entries:
            for inst in e.instances:
                if not (inst.filled or inst.placeholders):
                    continue
                for p in {inst.source.path} | {d.source.path for d, _ in inst.origins.values()}:
                    filled.setdefault(p, set()).update(inst.filled)
                    left.setdefault(p, set()).update(inst.placeholders)
        return {p: frozenset(vs - left.get(p, set())) for p, vs in filled.items()}


def entry_of_instance(project: Any, doc: Document) -> EntryPoint | None:
    """The entry point that deploys ``doc``, when it is one of an entry point's instances
    (None: a document no kustomization, Flux Kustomization or Application reaches)."""
    graph = project.graph
    if graph is None or not isinstance(doc, Instance):
        return None
    by_instance = project.cached("entry-of-instance", lambda: {
        id(inst): e for e in graph.entries for inst in e.instances})
    return by_instance.get(id(doc))


def needs_graph(sources: list[SourceFile]) -> bool:
    """Whether any source can define an entry point (kustomization, Flux, Argo CD)."""
    for s in sources:
        if os.path.basename(s.path) in KUSTOMIZATION_FILES:
            return True
        t = s.text or ""
        if FLUX_KS_GROUP in t or (ARGO_GROUP in t and "Application" in t):
            return True
    return False


Loader = Callable[[str], list[Document]]
# A resource file the run did not load (not named, no context marker) is read for the graph
# only when it holds one of these: objects without them are not read by any rule (the
# runner's context markers, lint/runner.py CONTEXT_MARKERS, and the entry points').
# the kustomization keys whose patches rewrite the resources it builds (and components,
# which may hold patches of their own)
PATCH_KEYS = ("patches", "patchesStrategicMerge", "patchesJson6902", "components", "replacements")
RELEVANT_MARKERS = ("cni.cncf.io", "multus", "kubevirt", "helm.cattle.io", "k3s", "whereabouts",
                    "sriov", "mellanox", "data-dir", "cluster-cidr", "flannel") + ENTRY_MARKERS


def _relevant(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 20)
    except OSError:
        return False
    text = head.decode("utf-8", "replace")
    return any(m in text for m in RELEVANT_MARKERS)


class _Build:
    """The state of building every entry point of a project."""

    def __init__(self, root: str, documents: list[Document], load: Loader,
                 note: Callable[[str], None] | None = None) -> None:
        self.root = os.path.abspath(root)
        self.note = note  # told every file read here (lint/replay.py checks them again)
        self.by_file: dict[str, list[Document]] = {}
        for d in documents:
            self.by_file.setdefault(os.path.abspath(d.source.path), []).append(d)
        self.load = load
        self.graph = Graph(root)
        self.inlined: dict[tuple[int, Path], list[Document]] = {}
        self._ignored: tuple[frozenset[str], tuple[str, ...]] | None | bool = False  # False: not asked yet
        self._loaded_dirs: set[str] | None = None
        self._modes: dict[str, int] = {}  # path -> st_mode (0: none), see is_file / is_dir
        # kustomizations being built that patch what they build: their resources are read
        # whatever they hold (a patch may add the Multus annotation to a plain Deployment)
        self._patching = 0

    # ---- the file system, asked once per path (it does not change during a run; the same
    # folders are resolved from every entry point that reaches them: 16,000 stats in the
    # warm pre-commit run of a home-ops repository)
    def _mode(self, path: str) -> int:
        mode = self._modes.get(path)
        if mode is None:
            try:
                mode = os.stat(path).st_mode
            except (OSError, ValueError):
                mode = 0
            self._modes[path] = mode
        return mode

    def is_file(self, path: str) -> bool:
        """``os.path.isfile``."""
        return stat.S_ISREG(self._mode(path))

    def is_dir(self, path: str) -> bool:
        """``os.path.isdir``."""
        return stat.S_ISDIR(self._mode(path))

    # ---- files
    def docs(self, path: str, relevant_only: bool = False) -> list[Document]:
        """The documents of the file at ``path`` (absolute), reading it when not loaded.
        With ``relevant_only`` (a resource, not a kustomization or patch), a file not loaded
        is read only when it holds something a rule reads (RELEVANT_MARKERS)."""
        found = self.by_file.get(path)
        if found is None:
            found = []
            if self.inside(path) and self.is_file(path) and not (relevant_only and not self.relevant(path)):
                try:
                    found = self.load(path)
                except Exception:  # an unreadable file deploys nothing we can judge
                    found = []
            self.by_file[path] = found
        return found

    def relevant(self, path: str) -> bool:
        if self.note is not None:
            self.note(path)
        return _relevant(path)

    def git_ignores(self, path: str) -> bool:
        """Whether git ignores ``path`` (an untracked file or folder below the root): Flux
        and Argo CD build from the repository, whose artifact never holds it (a build's
        output folder, a vendored tree). Asked only of files no run loaded."""
        if self._ignored is False:
            from multus_lint.load.discover import git_ignored_below, is_repo_root

            self._ignored = git_ignored_below(self.root) if is_repo_root(self.root) else None
        if not self._ignored:
            return False
        files, folders = self._ignored  # type: ignore[misc]
        rel = os.path.relpath(path, self.root).replace(os.sep, "/")
        return rel in files or any((rel + "/").startswith(f) for f in folders)

    def by_folder(self) -> set[str]:
        """Every folder holding, at any depth, a file the run loaded (a folder git ignores is
        still walked when a named file is in it: the user named it)."""
        if self._loaded_dirs is None:
            self._loaded_dirs = set()
            for p in self.by_file:
                d = os.path.dirname(p)
                while d not in self._loaded_dirs and len(d) > len(self.root):
                    self._loaded_dirs.add(d)
                    d = os.path.dirname(d)
        return self._loaded_dirs

    def inside(self, path: str) -> bool:
        return path == self.root or path.startswith(self.root.rstrip(os.sep) + os.sep)

    def kfile(self, folder: str) -> KFile | None:
        """The kustomization of ``folder``, in kustomize's order of names."""
        for name in KUSTOMIZATION_FILES:
            p = os.path.join(folder, name)
            if self.is_file(p) or p in self.by_file:
                docs = [d for d in self.docs(p) if isinstance(d.data, dict)]
                doc = docs[0] if docs else None
                if doc is None:
                    return KFile(folder, None)
                if not is_kustomization_doc(doc):
                    return None  # another API's object in a file of that name (a Flux Kustomization)
                self.graph.consumed.add(id(doc))
                return KFile(folder, doc, doc.kind == "Component")
        return None

    # ---- one kustomization
    def build(self, k: KFile, entry: EntryPoint, stack: tuple[str, ...]) -> list[Instance]:
        if k.folder in stack:
            entry.unread.append(Unread(f"kustomization cycle through {k.folder}", partial(k.site)))
            return []
        stack = stack + (k.folder,)
        if k.doc is not None:
            entry.files.add(os.path.abspath(k.doc.source.path))
        out: list[Instance] = []
        patching = any(k.data.get(key) for key in PATCH_KEYS)
        self._patching += patching
        try:
            for key in ("resources", "bases"):
                for i, res in k.strings(key):
                    out += self.resource(k, key, i, res, entry, stack)
            for i, comp in k.strings("components"):
                out = self.component(k, i, comp, out, entry, stack)
        finally:
            self._patching -= patching
        self.transform(k, out, entry)
        for inst in out:
            inst.via.append(k.path)
        return out

    def resource(self, k: KFile, key: str, i: int, res: str, entry: EntryPoint,
                 stack: tuple[str, ...]) -> list[Instance]:
        path = os.path.normpath(os.path.join(k.folder, res))
        if self.is_dir(path):
            if not self.inside(path):
                entry.unread.append(Unread(f"resource {res} (outside the project root, not read)", partial(k.site, key, i)))
                return []
            sub = self.kfile(path)
            if sub is None:
                entry.unread.append(Unread(f"resource folder {res} has no kustomization (kustomize refuses it)",
                                           partial(k.site, key, i)))
                return []
            return self.build(sub, entry, stack)
        if self.is_file(path) or path in self.by_file:
            if not self.inside(path):
                entry.unread.append(Unread(f"resource {res} (outside the project root, not read)", partial(k.site, key, i)))
                return []
            entry.files.add(path)
            self.graph.resource_files.add(path)
            # a resource is read only when it holds what a rule reads, unless a kustomization
            # building it patches (a run naming only the patch must see what it patches, as
            # the audit of the repository does)
            return [Instance(d) for d in self.docs(path, relevant_only=not self._patching) if d.data]
        if REMOTE_RE.search(res):
            entry.unread.append(Unread(f"remote resource {res} (never fetched)", partial(k.site, key, i)))
        else:
            entry.unread.append(Unread(f"resource {res} not found", partial(k.site, key, i)))
        return []

    def component(self, k: KFile, i: int, comp: str, acc: list[Instance], entry: EntryPoint,
                  stack: tuple[str, ...]) -> list[Instance]:
        path = os.path.normpath(os.path.join(k.folder, comp))
        sub = self.kfile(path) if self.is_dir(path) and self.inside(path) else None
        if sub is None:
            what = "remote component" if REMOTE_RE.search(comp) else "component"
            entry.unread.append(Unread(f"{what} {comp} (not read)", partial(k.site, "components", i)))
            return acc
        if sub.doc is not None:
            entry.files.add(os.path.abspath(sub.doc.source.path))
        # a component adds its resources, then transforms everything accumulated so far
        # (kusttarget.go accumulateComponents -> accumulateTarget on the parent's resources)
        out = list(acc)
        for j, res in sub.strings("resources"):
            out += self.resource(sub, "resources", j, res, entry, stack + (k.folder,))
        for j, c in sub.strings("components"):
            out = self.component(sub, j, c, out, entry, stack + (k.folder,))
        self.transform(sub, out, entry)
        return out

    # ---- transformers, in kustomize's order
    def transform(self, k: KFile, res: list[Instance], entry: EntryPoint) -> None:
        data = k.data
        common = data.get("commonAnnotations")
        if isinstance(common, dict) and any(isinstance(a, str) and a.startswith(MULTUS_ANNOTATION_PREFIXES)
                                            for a in common):
            # AnnotationsTransformer (builtinpluginconsts/commonannotations.go) would put them on
            # every object and pod template: not applied here, so what pods name is not known
            entry.unread.append(Unread("commonAnnotations with Multus keys (not applied)",
                                       partial(k.site, "commonAnnotations")))
            for inst in res:
                inst.unsure.append(f"commonAnnotations in {k.path}")
        for key in ("configMapGenerator", "secretGenerator"):
            for gen in _seq(data.get(key)):
                self.generator_sources(k, gen)
        for key, what in UNREAD_FIELDS.items():
            if data.get(key):
                entry.unread.append(Unread(what, partial(k.site, key)))
                if key in VALUE_CHANGING:
                    for inst in res:
                        inst.unsure.append(f"{key} in {k.path}")
        for i, p in enumerate(_seq(data.get("patchesStrategicMerge"))):
            for pdoc in self.patch_docs(k, ("patchesStrategicMerge", i), p, entry):
                self.strategic(pdoc, None, res, entry, k, ("patchesStrategicMerge", i))
        for i, p in enumerate(_seq(data.get("patches"))):
            if isinstance(p, dict):
                self.patch_entry(k, ("patches", i), p, res, entry)
        ns = data.get("namespace")
        if isinstance(ns, str) and ns:
            set_namespace(res, ns, (k.doc, ("namespace",)) if k.doc else None)
        for key, front in (("namePrefix", True), ("nameSuffix", False)):
            text = data.get(key)
            if isinstance(text, str) and text:
                rename(res, text, front, k.site(key, value=True) if k.doc else None)
        for i, p in enumerate(_seq(data.get("patchesJson6902"))):
            if isinstance(p, dict):
                self.patch_entry(k, ("patchesJson6902", i), p, res, entry, json6902=True)
        for i, img in enumerate(_seq(data.get("images"))):
            if isinstance(img, dict):
                set_images(res, img, k.located(("images", i)))
        # ReplacementTransformer runs after the builtin patches, namespace, prefix and images
        # (api/internal/target/kusttarget_configplugin.go transformer order); values are not
        # copied here, only where they land
        for i, r in enumerate(_seq(data.get("replacements"))):
            self.replacement(k, ("replacements", i), r, res, entry)

    def generator_sources(self, k: KFile, gen: Any) -> None:
        """The files a generator embeds: ``files`` (``path`` or ``key=path``), ``envs`` and
        ``env``. kustomize reads them as bytes into the ConfigMap's or Secret's data (api/kv
        kv.go keyValuesFromFileSources / keyValuesFromEnvFiles), never as manifests, so
        whatever they hold (a JSONC app config, a YAML file of another program) is not judged."""
        if not isinstance(gen, dict):
            return
        paths = [f.split("=", 1)[-1] for f in _seq(gen.get("files")) if isinstance(f, str)]
        paths += [e for e in _seq(gen.get("envs")) if isinstance(e, str)]
        if isinstance(gen.get("env"), str):
            paths.append(gen["env"])
        for p in paths:
            path = os.path.normpath(os.path.join(k.folder, p.strip()))
            if p.strip() and self.inside(path):
                self.graph.data_files.add(path)

    def replacement(self, k: KFile, where: Path, r: Any, res: list[Instance], entry: EntryPoint) -> None:
        """Mark the fields a `replacements` entry writes (api/filters/replacement Filter:
        each target's select, then its fieldPaths) as not known on the instances it selects.
        An entry whose targets cannot be read marks every instance wholly unknown."""
        items: list[Any] = [r]
        if isinstance(r, dict) and isinstance(r.get("path"), str):
            # api/internal/builtins/ReplacementTransformer.go Config: one replacement or a list
            docs = self.patch_docs(k, where + ("path",), r["path"], entry)
            items = []
            for d in docs:
                items.extend(d.data if isinstance(d.data, list) else [d.data])
            if not docs:
                items = [None]
        for item in items:
            targets = item.get("targets") if isinstance(item, dict) else None
            if not isinstance(targets, list):
                for inst in res:
                    inst.replaced.add(())
                continue
            for t in targets:
                sel = t.get("select") if isinstance(t, dict) else None
                paths = t.get("fieldPaths") if isinstance(t, dict) else None
                hits = select(res, sel, entry, partial(k.site, *where)) if isinstance(sel, dict) else list(res)
                fields = [field_path(p) for p in paths] if isinstance(paths, list) else [()]
                for inst in hits:  # `reject` is not evaluated: marking more is only quieter
                    inst.replaced.update(fields)

    def patch_docs(self, k: KFile, where: Path, p: Any, entry: EntryPoint) -> list[Document]:
        """The documents of a patch: a file path, or YAML written inline."""
        if not isinstance(p, str) or not p.strip():
            return []
        if "\n" not in p.strip() and not p.lstrip().startswith(("{", "[", "-")) and ":" not in p:
            path = os.path.normpath(os.path.join(k.folder, p.strip()))
            if not (self.is_file(path) and self.inside(path)):
                entry.unread.append(Unread(f"patch {p.strip()} not found", partial(k.site, *where)))
                return []
            entry.files.add(path)
            docs = self.docs(path)
            self.graph.consumed.update(id(d) for d in docs)
            return docs
        return self.inline(k, where)

    def inline(self, k: KFile, where: Path) -> list[Document]:
        """Inline YAML in the kustomization (a ``patch: |`` string), positioned in its file."""
        doc, where = k.located(where)
        if doc is None:
            return []
        key = (id(doc), where)
        if key not in self.inlined:  # a Flux Kustomization is built again from its instance
            parsed = doc.embedded_yaml(where, Limits(), "ML001")
            self.inlined[key] = [Document(doc.source, item.tree, (), n) for n, item in enumerate(parsed)
                                 if item.tree is not None and not item.problems]
        return self.inlined[key]

    def patch_entry(self, k: KFile, where: Path, p: dict[str, Any], res: list[Instance],
                    entry: EntryPoint, json6902: bool = False) -> None:
        target = p.get("target") if isinstance(p.get("target"), dict) else None
        if "path" in p:
            docs = self.patch_docs(k, where + ("path",), p.get("path"), entry)
        elif "patch" in p:
            docs = self.inline(k, where + ("patch",)) if isinstance(p.get("patch"), str) else []
        else:
            return
        for pdoc in docs:
            raw = pdoc.tree.data if not pdoc.base else pdoc.data
            if isinstance(raw, list) or json6902:
                if target is None:
                    entry.unread.append(Unread("JSON 6902 patch without a target", partial(k.site, *where)))
                    continue
                ops = raw if isinstance(raw, list) else []
                for inst in select(res, target, entry, partial(k.site, *where, "target")):
                    json_patch(inst, pdoc, ops)
            elif isinstance(pdoc.data, dict):
                self.strategic(pdoc, target, res, entry, k, where)

    def strategic(self, pdoc: Document, target: dict[str, Any] | None, res: list[Instance],
                  entry: EntryPoint, k: KFile, where: Path) -> None:
        patch = pdoc.data
        if not isinstance(patch, dict) or not patch:
            return
        if target is not None:
            hits = select(res, target, entry, partial(k.site, *where, "target"))
        else:
            name = get_path(patch, ("metadata", "name"))
            ns = get_path(patch, ("metadata", "namespace"))
            hits = [r for r in res if r.kind == patch.get("kind") and name in r.names
                    and (not ns or ns in r.namespaces or ns == r.namespace)]
        if not hits:
            entry.unread.append(Unread(f"patch {pdoc.source.path} matches no resource", partial(k.site, *where)))
        # the patch's own identity never changes the target (api/resource/resource.go
        # ApplySmPatch restores the target's name, namespace and kind after the merge)
        # what the patch writes, taken before its identity is dropped: a metadata holding only
        # the name and namespace sets nothing below metadata (as an empty mapping it would
        # claim all of it, the NAD's annotations and labels among them)
        leaves = [leaf for leaf in _leaves(patch, ()) if leaf not in IDENTITY and leaf[:1] != ("$patch",)]
        patch = {k: v for k, v in patch.items() if k not in ("apiVersion", "kind")}
        if isinstance(patch.get("metadata"), dict):
            patch["metadata"] = {k: v for k, v in patch["metadata"].items() if k not in ("name", "namespace")}
        for inst in hits:
            merged = strategic_merge(copy.deepcopy(inst.data), patch)
            if not isinstance(merged, dict) or not merged:
                res.remove(inst)  # `$patch: delete`: the object is not deployed
                continue
            inst.replace_data(merged)
            for leaf in leaves:
                inst.origins[leaf] = (pdoc, leaf)


def field_path(text: Any) -> Path:
    """The plain mapping keys at the front of a kustomize fieldPath (``spec.config``,
    ``spec.template.spec.containers.[name=x].image``): up to the first list step or
    wildcard, which stands for the whole field below it."""
    if not isinstance(text, str):
        return ()
    out: list[str] = []
    # kyaml splits on dots outside brackets (kustomize api/internal/utils SmarterPathSplitter):
    # `[k8s.v1.cni.cncf.io/networks]` is one map key, `[name=x]` a list step
    for part in re.findall(r"\[[^\]]*\]|[^.\[]+", text):
        if part.startswith("["):
            key = part[1:-1]
            if not key or "=" in key or "*" in key:
                break
            out.append(key)
            continue
        if "*" in part:
            break
        out.append(part)
    return tuple(out)


def replaced(doc: Any, path: Path) -> bool:
    """A `replacements` entry not applied here writes ``path`` (or a field around or
    inside it): its value as deployed is not known."""
    marks = getattr(doc, "replaced", None)
    if not marks:
        return False
    path = tuple(path)
    return any(m == path[:len(m)] or path == m[:len(path)] for m in marks)


def _leaves(data: Any, path: Path) -> Iterator[Path]:
    """Paths of every scalar (and list, which a merge replaces) the patch sets."""
    if isinstance(data, dict) and data:
        for k, v in data.items():
            if isinstance(k, str) and k.startswith("$"):
                continue
            yield from _leaves(v, path + (k,))
    else:
        yield path


def strategic_merge(target: Any, patch: Any) -> Any:
    """A strategic merge patch (apimachinery strategicpatch), for the cases manifests use:
    maps merge, ``null`` deletes, ``$patch: delete``/``replace``, lists of the known merge
    keys merge by key, other lists are replaced."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "delete":
        return None
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if isinstance(key, str) and key.startswith("$"):
            continue
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict):
            merged = strategic_merge(out.get(key), value)
            if merged is None:
                out.pop(key, None)
            else:
                out[key] = merged
        elif isinstance(value, list) and isinstance(out.get(key), list) and MERGE_KEYS.get(key):
            out[key] = _merge_list(out[key], value, MERGE_KEYS[key])  # type: ignore[arg-type]
        else:
            out[key] = copy.deepcopy(value)
    return out


def _merge_list(items: list[Any], patch: list[Any], key: str) -> list[Any]:
    out = list(items)
    for p in patch:
        if not isinstance(p, dict) or key not in p:
            out.append(copy.deepcopy(p))
            continue
        at = next((i for i, x in enumerate(out) if isinstance(x, dict) and x.get(key) == p[key]), None)
        if at is None:
            out.append({k: copy.deepcopy(v) for k, v in p.items() if k != "$patch"})
        elif p.get("$patch") == "delete":
            del out[at]
        else:
            out[at] = strategic_merge(out[at], p)
    return out


def _pointer(data: Any, path: str) -> list[Any] | None:
    """A JSON pointer (RFC 6901) resolved against ``data``: list indexes as ints (``-`` is
    kept, the end of a list); None when a parent is missing."""
    if not path.startswith("/"):
        return None
    parts: list[Any] = []
    node = data
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in path[1:].split("/")]
    for n, tok in enumerate(tokens):
        if isinstance(node, list):
            if tok == "-" and n == len(tokens) - 1:
                parts.append("-")
                break
            if not tok.isdigit():
                return None
            parts.append(int(tok))
            node = node[int(tok)] if int(tok) < len(node) else None
        elif isinstance(node, dict):
            parts.append(tok)
            node = node.get(tok)
        else:
            return None
        if node is None and n < len(tokens) - 1:
            return None
    return parts


def json_patch(inst: Instance, pdoc: Document, ops: list[Any]) -> None:
    """RFC 6902 ``add``/``replace``/``remove`` (kustomize's patchesJson6902 and ``patches``
    holding a list of operations); values are located at each operation's ``value``."""
    data = copy.deepcopy(inst.data)
    origins: dict[Path, tuple[Document, Path]] = {}
    for i, op in enumerate(ops):
        if not isinstance(op, dict) or not isinstance(op.get("path"), str):
            continue
        parts = _pointer(data, op["path"])
        if not parts:
            continue
        path = tuple(parts)
        parent = get_path(data, path[:-1])
        last = path[-1]
        kind = op.get("op")
        if kind in ("add", "replace") and "value" in op:
            value = copy.deepcopy(op["value"])
            if isinstance(parent, dict):
                parent[str(last)] = value
            elif isinstance(parent, list):
                if last == "-":
                    last = len(parent)
                    parent.append(value)
                elif isinstance(last, int) and 0 <= last <= len(parent):
                    if kind == "add":
                        parent.insert(last, value)
                    elif last < len(parent):
                        parent[last] = value
                else:
                    continue
            else:
                continue
            where = path[:-1] + (last,)
            loc = (i, "value") if not pdoc.base else pdoc.base + (i, "value")
            for leaf in _leaves(value, ()):
                origins[where + leaf] = (_Ops(pdoc), loc + leaf)
        elif kind == "remove":
            if isinstance(parent, dict):
                parent.pop(str(last), None)
            elif isinstance(parent, list) and isinstance(last, int) and 0 <= last < len(parent):
                del parent[last]
    inst.replace_data(data)
    inst.origins.update(origins)


class _Ops(Document):
    """A JSON 6902 patch document (a list of operations): positions from its tree's root."""

    def __init__(self, doc: Document) -> None:
        self.source = doc.source
        self.tree = doc.tree
        self.base = ()
        self.index = doc.index
        self.data = doc.tree.data  # type: ignore[assignment]  # the list of operations


_SEL_TERM = re.compile(r"^\s*(!?)\s*([A-Za-z0-9_./-]+)\s*(?:(==|=|!=)\s*([A-Za-z0-9_.-]*)|\s(in|notin)\s*"
                       r"\(([^)]*)\))?\s*$")


def _selector_matches(sel: str, labels: dict[str, Any]) -> bool | None:
    """A label selector as apimachinery labels.Parse reads it: ``k``, ``!k``, ``k=v``,
    ``k==v``, ``k!=v``, ``k in (a,b)``, ``k notin (a,b)``, terms joined by commas (a
    ``!=``/``notin`` term matches a missing label). None for a form not understood."""
    terms, depth, cur = [], 0, ""
    for ch in sel:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            terms.append(cur)
            cur = ""
        else:
            cur += ch
    terms.append(cur)
    for term in terms:
        if not term.strip():
            continue
        m = _SEL_TERM.match(term)
        if m is None:
            return None
        neg, key, op, value, setop, values = m.groups()
        have = key in labels
        got = str(labels.get(key)) if have else None
        if neg:
            if op or setop:
                return None
            ok = not have
        elif op in ("=", "=="):
            ok = got == value
        elif op == "!=":
            ok = got != value
        elif setop:
            choices = {v.strip() for v in values.split(",") if v.strip()}
            ok = (got in choices) if setop == "in" else (got not in choices)
        else:
            ok = have
        if not ok:
            return False
    return True


def _regex(pattern: Any, value: Any) -> bool:
    """kustomize types/selector.go ``anchorRegex``: an empty pattern matches all."""
    if not pattern:
        return True
    try:
        return re.fullmatch(f"(?:{pattern})", str(value or "")) is not None
    except re.error:
        return pattern == value


def select(res: list[Instance], target: dict[str, Any], entry: EntryPoint,
           site_of: Callable[[], Site | None]) -> list[Instance]:
    """The resources a patch target selects (kustomize resmap ``Select``: original or
    current name and namespace, regular expressions anchored at both ends); ``site_of``
    locates the target, for what is left unread (Unread)."""
    out = []
    for r in res:
        group, _, version = r.api_version.rpartition("/")
        if not (_regex(target.get("kind"), r.kind) and _regex(target.get("group"), group)
                and _regex(target.get("version"), version)):
            continue
        if not any(_regex(target.get("name"), n) for n in r.names):
            continue
        if target.get("namespace") and not any(_regex(target.get("namespace"), n or "default")
                                               for n in r.namespaces + [r.namespace]):
            continue
        ok = True
        for key, where in (("labelSelector", ("metadata", "labels")),
                           ("annotationSelector", ("metadata", "annotations"))):
            sel = target.get(key)
            if isinstance(sel, str) and sel.strip():
                found = get_path(r.data, where)
                verdict = _selector_matches(sel, found if isinstance(found, dict) else {})
                if verdict is None:
                    entry.unread.append(Unread(f"patch target {key} '{sel}' (not evaluated; the patch "
                                               "is not applied)", site_of))
                    return []
                ok = ok and verdict
        if ok:
            out.append(r)
    return out


def _image_split(image: str) -> tuple[str, str, str]:
    """(name, tag, digest) of an image reference, as kustomize api/image Split: a ``:`` in the
    registry host (before the first ``/``) is no tag separator."""
    slash = image.find("/")
    slash = slash if slash > 0 else 0
    search = image[slash:]
    at, colon = search.find("@"), search.find(":")
    if at < 0 and colon < 0:
        return image, "", ""
    if at >= 0 and (at < colon or colon < 0):
        return image[:slash + at], "", image[slash + at + 1:]
    if at >= 0:
        return image[:slash + colon], image[slash + colon + 1:slash + at], image[slash + at + 1:]
    return image[:slash + colon], image[slash + colon + 1:], ""


def _image_text(value: Any) -> str:
    return str(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""


def set_images(res: list[Instance], img: dict[str, Any], where: tuple[Document | None, Path]) -> None:
    """kustomize's ``images`` (ImageTagTransformer, api/filters/imagetag updater.go SetImageValue):
    a container image whose name matches ``name`` (api/image IsImageMatched: the name, then an
    optional tag and sha256 digest) gets ``newName``, and ``newTag`` and/or ``digest`` replace
    both its tag and digest. The changed value is located at the images entry."""
    name = _image_text(img.get("name"))
    new_name, new_tag, digest = (_image_text(img.get(k)) for k in ("newName", "newTag", "digest"))
    if not name or not (new_name or new_tag or digest):
        return
    try:
        pattern = re.compile("^" + name + r"(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$")
    except re.error:
        return  # Go's regexp.Compile fails too: the pattern matches nothing
    doc, path = where
    key = "newTag" if new_tag else "digest" if digest else "newName"
    for inst in res:
        if inst.kind == "CustomResourceDefinition":
            continue
        hits: list[tuple[Path, str]] = []
        for base in (("spec",), ("spec", "template", "spec")):
            spec = get_path(inst.data, base)
            for field_name in ("containers", "initContainers"):
                items = spec.get(field_name) if isinstance(spec, dict) else None
                for j, c in enumerate(items if isinstance(items, list) else []):
                    image = c.get("image") if isinstance(c, dict) else None
                    if not isinstance(image, str) or not pattern.match(image):
                        continue
                    n, tag, dig = _image_split(image)
                    if new_tag and digest:
                        tag, dig = new_tag, digest
                    elif new_tag:
                        tag, dig = new_tag, ""
                    elif digest:
                        tag, dig = "", digest
                    value = (new_name or n) + (":" + tag if tag else "") + ("@" + dig if dig else "")
                    hits.append((base + (field_name, j, "image"), value))
        if not hits:
            continue
        data = copy.deepcopy(inst.data)
        for p, value in hits:
            get_path(data, p[:-1])["image"] = value
        inst.replace_data(data)
        if doc is not None:
            for p, _ in hits:
                inst.origins[p] = (doc, tuple(path) + (key,))


def set_namespace(res: list[Instance], ns: str, where: tuple[Document, Path] | None,
                  unset_only: bool = False) -> None:
    """The namespace filter (api/filters/namespace ``metaNamespaceHack``) on every object
    that is not certainly cluster-scoped; ``unset_only`` as Argo CD does for objects that
    name none. The namespace is then located at the setting (``where``)."""
    for inst in res:
        if is_cluster_scoped(inst):
            continue
        if unset_only and inst.namespace:
            continue
        inst.own(("metadata",))["namespace"] = ns
        inst.namespaces.append(ns)
        if where is not None:
            # not located here: a position may compose the setting's file again, for every
            # object of every Flux Kustomization of a repository on every run
            inst._namespace_setting = where
            inst.origins[("metadata", "namespace")] = where


def rename(res: list[Instance], text: str, front: bool, site: Site | None) -> None:
    """namePrefix / nameSuffix (plugin/builtin/prefixtransformer, suffixtransformer)."""
    for inst in res:
        if inst.kind in NOT_RENAMED_KINDS:
            continue
        name = inst.name
        if not name:
            continue
        inst.own(("metadata",))["name"] = text + name if front else name + text
        inst.names.append(inst.name)
        if site is not None:
            inst.renamed_by.append(site)


# ------------------------------------------------------------------ Flux postBuild


_VAR = re.compile(r"\$\$|\$\{([_A-Za-z][_A-Za-z0-9]*)(?:(:?[-=])([^}$]*))?\}")
_ANY_VAR = re.compile(r"\$\{[^}]*\}")


def substitute_text(text: str, values: dict[str, str], unknown_source: bool
                    ) -> tuple[str, list[tuple[int, int, int, int]], list[str]]:
    """fluxcd/pkg envsubst on one string: ``${VAR}``, ``${VAR:=default}`` (and ``:-``,
    ``=``, ``-``: each uses the default for an empty value, envsubst funcs.go
    ``toDefault``), ``$$`` escapes a ``$``. A variable not given is left in place (its
    default too, when ``unknown_source``: ``substituteFrom`` may set it); so is any other form
    (``${VAR:1}``, ``${VAR/a/b}``...). Returns the text, the edits (start and end in the
    text, then in the result) and the placeholders left in it."""
    out: list[str] = []
    edits: list[tuple[int, int, int, int]] = []
    left: list[str] = []
    pos = 0
    length = 0
    for m in _VAR.finditer(text):
        start, end = m.span()
        chunk = text[pos:start]
        out.append(chunk)
        length += len(chunk)
        if m.group(0) == "$$":
            new = "$"  # $${VAR} keeps ${VAR} as text: only the escape goes
        else:
            name, op, default = m.group(1), m.group(2), m.group(3)
            value = values.get(name)
            if value is not None and (value or op is None):
                new = value  # set (an empty value without a default stays empty)
            elif op is not None and "$" not in (default or "") and (value is not None or not unknown_source):
                new = default or ""  # unset or empty: the default (funcs.go toDefault)
            else:
                new = m.group(0)  # its value is not known here: a placeholder, never judged
                left.append(new)
        if new != m.group(0):
            edits.append((start, end, length, length + len(new)))
        out.append(new)
        length += len(new)
        pos = end
    out.append(text[pos:])
    result = "".join(out)
    for m in _ANY_VAR.finditer(text):
        # forms not evaluated here (${VAR:1:2}, ${VAR/a/b}, ${#VAR}): never judged
        if not _VAR.fullmatch(m.group(0)):
            left.append(m.group(0))
    return result, edits, left


def flux_substitute(inst: Instance, values: dict[str, str], unknown_source: bool) -> None:
    """``postBuild.substitute`` on every string of the object (kustomize_varsub.go), unless
    it is labelled or annotated ``kustomize.toolkit.fluxcd.io/substitute: disabled``."""
    key = "kustomize.toolkit.fluxcd.io/substitute"
    meta = inst.data.get("metadata") if isinstance(inst.data.get("metadata"), dict) else {}
    for where in ("labels", "annotations"):
        found = meta.get(where) if isinstance(meta, dict) else None
        if isinstance(found, dict) and found.get(key) == "disabled":
            return
    texts = [inst.source.text or ""] + [d.source.text or "" for d, _ in inst.origins.values()]
    if not any("$" in t for t in texts):
        return  # nothing written here to substitute (cheaper than walking every string)
    if not any(isinstance(s, str) and ("${" in s or "$$" in s) for s in _strings(inst.data)):
        return
    # copy on write: only the mappings and lists on the way to a changed string are new
    # (marked as this instance's own, as ``own`` does); the rest stays shared with the
    # source document. A deep copy of every object of every Flux Kustomization, and a path
    # tuple for every string of it, were most of a home-ops repository's model.
    owned = inst._owned
    trail: list[Any] = []

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            if "$" not in value:
                return value
            new, edits, left = substitute_text(value, values, unknown_source)
            inst.placeholders.update(left)
            inst.filled.update(value[b0:b1] for b0, b1, _, _ in edits if value[b0:b1] != "$$")
            if new == value:
                return value
            if edits:
                inst.substituted[tuple(trail)] = edits
            return new
        if isinstance(value, dict):
            items: Any = value.items()
        elif isinstance(value, list):
            items = enumerate(value)
        else:
            return value
        out = None
        for key, child in items:
            trail.append(key)
            changed = walk(child)
            trail.pop()
            if changed is not child:
                if out is None:
                    out = dict(value) if isinstance(value, dict) else list(value)
                    owned.add(id(out))
                out[key] = changed
        return value if out is None else out

    data = walk(inst.data)
    if data is not inst.data:
        inst.data = data


def _strings(data: Any) -> Iterator[Any]:
    for x in _containers(data):
        yield from (x.values() if isinstance(x, dict) else x)


# ------------------------------------------------------------------ the whole graph


def build_graph(root: str, documents: list[Document], load: Loader,
                note: Callable[[str], None] | None = None) -> Graph:
    """Every entry point of the project: Flux Kustomizations and Argo CD Applications whose
    path is in the project, then the kustomizations no other one (nor those) includes."""
    b = _Build(root, documents, load, note)
    g = b.graph
    objects = [d for d in documents if is_flux_kustomization(d) or is_argo_application(d)]
    built: dict[int, list[EntryPoint]] = {}
    for doc in objects:
        built[id(doc)] = _entries_of(b, doc)
    # A Flux Kustomization (or Application) is deployed by another entry point, whose
    # patches may change it (a cluster's root Kustomization adding postBuild.substituteFrom
    # to every child is common): such a child is built again from the object as deployed,
    # parents before children.
    deployed: dict[int, Instance] = {}
    for doc in objects:
        for e in built[id(doc)]:
            for inst in e.instances:
                if id(inst.original) in built and inst.original is not doc:
                    deployed.setdefault(id(inst.original), inst)
    done: set[int] = set()
    # the object whose entries hold an instance (each instance is made by one object's
    # build), kept up to date as objects are built again: a scan of every object's entries
    # per object was quadratic (800 Flux Kustomizations: half of a warm pre-commit run)
    owner: dict[int, Document] = {}

    def own(doc: Document) -> None:
        for e in built[id(doc)]:
            for i in e.instances:
                owner.setdefault(id(i), doc)

    for doc in objects:
        own(doc)

    def final(doc: Document, depth: int = 0) -> None:
        if id(doc) in done or depth > 20:
            return
        done.add(id(doc))
        inst = deployed.get(id(doc))
        if inst is None:
            return
        parent = owner.get(id(inst))
        if parent is not None:
            final(parent, depth + 1)
            # the parent may have been built again: take its instance of this object
            fresh = next((i for e in built[id(parent)] for i in e.instances if i.original is doc), None)
            inst = fresh or inst
        if inst.data.get("spec") != doc.data.get("spec") or _spec_unsure(inst):
            for e in built[id(doc)]:  # its old instances are no one's from now on
                for i in e.instances:
                    if owner.get(id(i)) is doc:
                        del owner[id(i)]
            built[id(doc)] = _entries_of(b, inst)
            own(doc)

    for doc in objects:
        final(doc)
    for doc in objects:
        g.entries.extend(built[id(doc)])
    reached = set()
    for e in g.entries:
        reached |= e.files
    # kustomizations named by others (resources, components) are not roots themselves
    kdocs = [d for d in documents if is_kustomization_doc(d)]
    included: set[str] = set()
    for d in kdocs:
        folder = os.path.dirname(os.path.abspath(d.source.path))
        for key in ("resources", "bases", "components"):
            items = d.data.get(key)
            for item in items if isinstance(items, list) else []:
                if isinstance(item, str):
                    included.add(os.path.normpath(os.path.join(folder, item)))
    for d in sorted(kdocs, key=lambda d: d.source.path):
        path = os.path.abspath(d.source.path)
        folder = os.path.dirname(path)
        if path in reached or folder in included or d.kind == "Component":
            g.consumed.add(id(d))
            continue
        k = b.kfile(folder)
        if k is None or k.doc is not d:
            g.consumed.add(id(d))
            continue
        e = EntryPoint("kustomize", folder, d)
        e.instances = b.build(k, e, ())
        g.entries.append(e)
    for e in g.entries:
        for inst in e.instances:
            g.reached.setdefault(id(inst.original), []).append(inst)
    # a generator's file is data unless some kustomization also deploys it as a resource
    g.data_files -= g.resource_files
    for path in g.data_files:
        g.consumed.update(id(d) for d in b.by_file.get(path, []))
    _link(g)
    return g


def is_data_file(graph: Graph | None, source: SourceFile) -> bool:
    """Whether a kustomize generator embeds this file as ConfigMap/Secret data."""
    return graph is not None and bool(graph.data_files) and os.path.abspath(source.path) in graph.data_files


def unlisted_json(graph: Graph, source: SourceFile) -> bool:
    """A .json file in a kustomization's folder that no kustomization lists or reads: nothing
    applies it. kustomize builds only what ``resources`` names (api/internal/target
    kusttarget.go accumulateResources), Flux's generated kustomization never takes .json
    (fluxcd/pkg kustomize_generator.go: .yaml/.yml), and Argo CD builds such a folder with
    kustomize: another tool's data kept beside the manifests (a notification template), whose
    JSON syntax is no finding."""
    path = source.path
    if not path.lower().endswith(".json") or path.startswith("<"):
        return False
    full = os.path.abspath(path)
    folder = os.path.dirname(full)
    if not any(os.path.isfile(os.path.join(folder, name)) for name in KUSTOMIZATION_FILES):
        return False
    return full not in graph.resource_files and not any(full in e.files for e in graph.entries)


def _entries_of(b: _Build, doc: Document) -> list[EntryPoint]:
    if is_flux_kustomization(doc):
        e = flux_entry(b, doc)
        return [e] if e is not None else []
    return argo_entries(b, doc)


def _link(g: Graph) -> None:
    """Parent and children: the entry point that deploys another's Flux/Argo object."""
    by_doc = {id(getattr(e.doc, "original", e.doc)): e for e in g.entries
              if e.kind in ("flux", "argo") and e.doc is not None}
    for e in g.entries:
        for inst in e.instances:
            child = by_doc.get(id(inst.original))
            if child is not None and child is not e and child.parent is None:
                child.parent = e
                e.children.append(child)


def _repo_path(b: _Build, path: Any) -> str | None:
    if path is None or path == "":
        return b.root
    if not isinstance(path, str):
        return None
    return os.path.normpath(os.path.join(b.root, path.strip().lstrip("/")))


def flux_entry(b: _Build, doc: Document) -> EntryPoint | None:
    spec = doc.data.get("spec")
    if not isinstance(spec, dict):
        return None
    folder = _repo_path(b, spec.get("path"))
    e = EntryPoint("flux", folder or b.root, doc)
    if folder is None or not b.is_dir(folder) or not b.inside(folder):
        e.unread.append(Unread(f"spec.path {spec.get('path')!r} is not a folder of this repository "
                               "(another source?)", partial(doc.site, "spec", "path") if "path" in spec else None))
        if isinstance(spec.get("path"), str) and "${" in spec["path"]:
            e.maybe_nads = _nads_below_candidates(b, spec["path"])
        return e
    k = b.kfile(folder) or KFile(folder, None)
    res = b.build(k, e, ()) if k.doc is not None else generated(b, folder, e)
    synthetic = {key: spec[key] for key in ("patches", "components") if isinstance(spec.get(key), list)}
    if synthetic:
        # spec.patches and spec.components are added to the folder's kustomization
        fk = _SpecKFile(folder, doc, synthetic)
        for i, comp in fk.strings("components"):
            res = b.component(fk, i, comp, res, e, ())
        for i, p in enumerate(synthetic.get("patches", [])):
            if isinstance(p, dict):
                b.patch_entry(fk, ("patches", i), p, res, e)
    ns = spec.get("targetNamespace")
    if isinstance(ns, str) and ns:
        set_namespace(res, ns, (doc, ("spec", "targetNamespace")))
    for key, front in (("namePrefix", True), ("nameSuffix", False)):
        if isinstance(spec.get(key), str) and spec[key]:
            rename(res, spec[key], front, doc.site("spec", key, value=True))
    post = spec.get("postBuild")
    if isinstance(post, dict):
        values = post.get("substitute") if isinstance(post.get("substitute"), dict) else {}
        values = {str(k): str(v).replace("\n", "") for k, v in values.items()
                  if isinstance(v, (str, int, float, bool))}
        if post.get("substituteFrom"):
            e.unread.append(Unread("postBuild.substituteFrom (variables from ConfigMaps/Secrets are "
                                   "placeholders)", partial(doc.site, "spec", "postBuild", "substituteFrom")))
        if values or post.get("substituteFrom") or post.get("substituteStrategy") == "Always":
            for inst in res:
                flux_substitute(inst, values, unknown_source=bool(post.get("substituteFrom")))
    unsure = _spec_unsure(doc)
    for inst in res:
        inst.via.append(f"{doc.source.path} ({doc.kind} {doc.name})")
        inst.unsure += unsure
    e.instances = res
    return e


def _spec_unsure(doc: Document) -> list[str]:
    """Why the spec of a Flux Kustomization object, as deployed, may not be what is read:
    it went through transformers not applied here (a ``transformers:`` NamespaceTransformer
    config setting ``spec/targetNamespace``, plugins, vars). What it deploys then has a
    namespace or values not known here (commonAnnotations on it reach no pod: not counted)."""
    return [f"{u} (on {doc.kind} {doc.name})" for u in getattr(doc, "unsure", [])
            if not u.startswith("commonAnnotations")]


def _nads_below_candidates(b: _Build, path: str) -> set[str]:
    """The NAD names in the folders ``path`` may name once Flux substitutes its variables
    (fluxcd/pkg kustomize kustomize_varsub.go: a parent's postBuild substitutes ``${VAR}`` in
    the child Kustomization object, ``spec.path`` included): each ``${...}`` read as any one
    folder name. Values from ``substituteFrom`` ConfigMaps are not read, so which folder is
    meant is not known."""
    import glob

    pattern = _ANY_VAR.sub("*", path.strip().lstrip("/"))
    if "**" in pattern or pattern.count("*") > 3:
        return set()
    names: set[str] = set()
    for folder in sorted(glob.glob(os.path.join(b.root, pattern)))[:20]:
        if not b.is_dir(folder) or not b.inside(os.path.abspath(folder)):
            continue
        for d, _, fnames in os.walk(folder):
            for fname in fnames:
                if fname.lower().endswith((".yaml", ".yml")):
                    for doc in b.docs(os.path.abspath(os.path.join(d, fname)), relevant_only=True):
                        if doc.kind == "NetworkAttachmentDefinition" and doc.name:
                            names.add(doc.name)
    return names


def unresolved_nads(project: Any) -> set[str]:
    """NAD names an entry point of the project may deploy from a folder its spec.path names
    only through a variable (``maybe_nads``)."""
    graph = getattr(project, "graph", None)
    return set().union(*(e.maybe_nads for e in graph.entries)) if graph is not None and graph.entries else set()


class _SpecKFile(KFile):
    """The patches/components of a Flux Kustomization's spec, read as a kustomization."""

    def __init__(self, folder: str, doc: Document, data: dict[str, Any]) -> None:
        super().__init__(folder, None)
        self.owner = doc
        self._data = data

    @property
    def data(self) -> dict[str, Any]:
        return self._data

    @property
    def path(self) -> str:
        return self.owner.source.path

    def site(self, *path: Any, value: bool = False) -> Site | None:
        return self.owner.site("spec", *path, value=value)

    def located(self, path: Path) -> tuple[Document | None, Path]:
        return self.owner, ("spec",) + tuple(path)


def generated(b: _Build, folder: str, e: EntryPoint, recurse: bool = True,
              suffixes: tuple[str, ...] = (".yaml", ".yml")) -> list[Instance]:
    """Flux's generated kustomization (kustomize_generator.go ``scanManifests``): every
    manifest below ``folder``; a sub-folder holding a kustomization is built as one."""
    out: list[Instance] = []
    stack = [folder]
    while stack:
        d = stack.pop()
        try:
            entries = sorted(os.scandir(d), key=lambda x: x.name)
        except OSError:
            continue
        subdirs = []
        for ent in entries:
            path = os.path.join(d, ent.name)
            if ent.is_dir(follow_symlinks=False):
                if ent.name.startswith(".") or not recurse:
                    continue
                sub = b.kfile(path)
                if sub is not None:
                    out += b.build(sub, e, ())
                elif path not in b.by_folder() and b.git_ignores(path):
                    continue  # not in the repository Flux builds from
                else:
                    subdirs.append(path)
            elif ent.name.lower().endswith(suffixes) and ent.is_file():
                if ent.name in KUSTOMIZATION_FILES or path not in b.by_file and b.git_ignores(path):
                    continue
                e.files.add(path)
                out += [Instance(doc) for doc in b.docs(path, relevant_only=True) if doc.data]
        stack.extend(reversed(subdirs))
    return out


def argo_entries(b: _Build, doc: Document) -> list[EntryPoint]:
    """An Argo CD Application's sources with a ``path`` in this repository."""
    from multus_lint.model.gitops import argo_sources

    out = []
    dest = get_path(doc.data, ("spec", "destination", "namespace"))
    for base in argo_sources(doc):
        src = get_path(doc.data, base)
        if not isinstance(src, dict) or "path" not in src or src.get("chart"):
            continue
        folder = _repo_path(b, src.get("path"))
        e = EntryPoint("argo", folder or b.root, doc)
        out.append(e)
        if folder is None or not b.is_dir(folder) or not b.inside(folder):
            e.unread.append(Unread(f"{'.'.join(map(str, base))}.path {src.get('path')!r} is not a folder "
                                   "of this repository (another repoURL?)", partial(doc.site, *base, "path")))
            continue
        if os.path.isfile(os.path.join(folder, "Chart.yaml")):
            e.unread.append(Unread("a Helm chart (rendered by Argo CD, not read here)", partial(doc.site, *base, "path")))
            continue
        k = b.kfile(folder)
        if k is not None:
            res = b.build(k, e, ())
            opts = src.get("kustomize") if isinstance(src.get("kustomize"), dict) else {}
            if isinstance(opts.get("namespace"), str) and opts["namespace"]:
                set_namespace(res, opts["namespace"], (doc, base + ("kustomize", "namespace")))
            for key, front in (("namePrefix", True), ("nameSuffix", False)):
                if isinstance(opts.get(key), str) and opts[key]:
                    rename(res, opts[key], front, doc.site(*base, "kustomize", key, value=True))
        else:
            directory = src.get("directory") if isinstance(src.get("directory"), dict) else {}
            res = generated(b, folder, e, recurse=directory.get("recurse") is True,
                            suffixes=(".yaml", ".yml", ".json"))
        if isinstance(dest, str) and dest:
            set_namespace(res, dest, (doc, ("spec", "destination", "namespace")), unset_only=True)
        for inst in res:
            inst.via.append(f"{doc.source.path} (Application {doc.name})")
        e.instances = res
    return out


def renamed_nad(project: Any, namespace: str, name: str) -> Instance | None:
    """The NAD a kustomization renamed from ``namespace/name`` (namePrefix/nameSuffix): a
    pod annotation still naming it dangles, since kustomize's name-reference config
    (api/internal/konfig/builtinpluginconsts/namereference.go) has no field spec for the
    Multus annotations and so never rewrites them."""

    def build() -> dict[tuple[str, str], Instance]:
        out: dict[tuple[str, str], Instance] = {}
        for nad in project.nads:
            doc = nad.doc
            if isinstance(doc, Instance) and doc.renamed_by:
                for old in doc.names[:-1]:
                    out.setdefault((nad.namespace, old), doc)
        return out

    index = project.cached("kustomize-renamed-nads", build)
    return index.get((namespace, name))  # type: ignore[no-any-return]


def describe(graph: Graph) -> list[str]:
    """Lines for --verbose / --print-profile: each entry point, what it reads, what it does not."""
    lines = []
    for e in graph.entries:
        lines.append(f"{e.label}: {len(e.files)} files, {len(e.instances)} objects")
        for u in e.unread:
            lines.append(f"  unread: {u.describe()}")
    return lines
