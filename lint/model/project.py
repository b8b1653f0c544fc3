"""The project model: typed views over every document, and indexes for cross-object rules.

Documents are classified once here; rules never re-discover what a document is.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from typing import Any

from multus_lint.findings import Span
from multus_lint.load.document import Document, Embedded, Site, get_path
from multus_lint.load.parse import JSON_SUFFIXES, Parsed, Problem, has_placeholder, parse_file
from multus_lint.load.positions import JsonTree, LineIndex, Path, YamlTree
from multus_lint.load.read import Limits, SourceFile
from multus_lint.model.foreign_formats import (
    ANSIBLE_K3S_KEYS,
    ansible_k3s_configs,
    at_template_error,
    flag_settings,
    jjb_alias_error,
    non_json_conf,
    written_k3s_configs,
)
from multus_lint.model.kustomize import replaced, source_of
from multus_lint.model.profile import K3S_RECOGNITION_KEYS, NODE_CONFIG_KEYS
from multus_lint.records import dataclass, field

NAD_KIND = "NetworkAttachmentDefinition"
NETWORKS_ANNOTATION = "k8s.v1.cni.cncf.io/networks"
DEFAULT_NETWORK_ANNOTATION = "v1.multus-cni.io/default-network"
RESOURCE_NAME_ANNOTATION = "k8s.v1.cni.cncf.io/resourceName"
LIST_KINDS = ("List", "ResourceList")

# kind -> path of the pod template's metadata inside the object
POD_TEMPLATE_META: dict[str, Path] = {
    "Pod": ("metadata",),
    "Deployment": ("spec", "template", "metadata"),
    "StatefulSet": ("spec", "template", "metadata"),
    "DaemonSet": ("spec", "template", "metadata"),
    "ReplicaSet": ("spec", "template", "metadata"),
    "ReplicationController": ("spec", "template", "metadata"),
    "Job": ("spec", "template", "metadata"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "metadata"),
}
CONTROLLER_KINDS = tuple(k for k in POD_TEMPLATE_META if k != "Pod")
# kinds whose composed YAML nodes stay in memory (keeps_nodes); "" is a plain file (CNI
# config, values, K3s config)
KEEP_NODES = frozenset({NAD_KIND, "HelmChart", "HelmChartConfig", ""})


def keeps_nodes(data: Any) -> bool:
    """Whether a document's composed YAML nodes stay in memory once it is read.

    Nodes are most of a large run's memory (~350 bytes each) and serve only to locate
    findings; released, they are composed again from the text if a position is asked, with
    the same result. Kept: the objects rules find most in (NADs, charts, plain files such as
    CNI configs, values and K3s configs, lists); released: every other object, workloads
    included, as soon as the file is parsed. A released workload keeps copies of the
    scalars its findings are most often at, its network annotations (``release``), as the
    forked parse's trees do (the nodes of the 1,355 Multus workloads of a 100,000-document
    audit took ~24 MiB in a serial run)."""
    if not isinstance(data, dict):
        return True
    kind = data.get("kind")
    return not isinstance(kind, str) or kind in KEEP_NODES or kind in LIST_KINDS


def release(tree: YamlTree) -> None:
    """Drop ``tree``'s nodes (keeps_nodes), keeping copies of the scalars at its hot paths
    (load.parallel_parse.hot_paths) so locating those composes nothing again."""
    if tree.root_composed():
        from multus_lint.load.parallel_parse import hot_paths
        from multus_lint.load.positions import keep_scalars

        paths = hot_paths(tree.data)
        if paths:
            keep_scalars(tree, paths)
    tree.release()


# ------------------------------------------------------------------ CNI configs


class CniConfig(Embedded):
    """A CNI network config (single plugin or conflist), from a NAD or a file."""

    def __init__(self, owner: Document, tree: Any, base: Path = (), kind: str = "nad") -> None:
        super().__init__(owner, tree, base)
        self.kind = kind  # "nad", "file"

    @property
    def is_dict(self) -> bool:
        return isinstance(self.data, dict)

    @property
    def is_list(self) -> bool:
        return self.is_dict and "plugins" in self.data

    @property
    def name(self) -> str | None:
        n = self.data.get("name") if self.is_dict else None
        return n if isinstance(n, str) else None

    def plugins(self) -> Iterator[tuple[Path, dict[str, Any]]]:
        """(path, plugin config) of every plugin, including Multus delegates."""
        if not self.is_dict:
            return
        # walked once: every rule about plugins or IPAM asks again (95,000 walks on a
        # 10,000-document run), and the data does not change during a run
        found = self.__dict__.get("_plugin_list")
        if found is None:
            # a plugin whose "type" is no string is the schema's finding (ML503, judged on
            # the whole config) and fails Go's decoding: no other rule judges it
            found = self.__dict__["_plugin_list"] = [
                (p, c) for p, c in _plugins(self.data, ()) if isinstance(c.get("type", ""), str)]
        yield from found

    def ipams(self) -> Iterator[tuple[Path, dict[str, Any], dict[str, Any]]]:
        """(path to ``ipam``, the ipam dict, its plugin) for every plugin with an ipam mapping
        (whose "type", if any, is a string: else ML503's alone)."""
        # listed once, as plugins() is: six rules and the IPAM model ask for every config
        # (30,000 calls on a 10,000-document run), and the data does not change during a run
        found = self.__dict__.get("_ipam_list")
        if found is None:
            from multus_lint.net.addresses import find_key, getk

            found = []
            for path, plugin in self.plugins():
                if getk(plugin, "type") in AGENT_IPAM_PLUGINS:
                    continue  # the plugin's agent allocates: this ipam is never run
                # Go's encoding/json matches the key case-insensitively: "IPAM" is the ipam config
                key = find_key(plugin, "ipam")
                ipam = plugin.get(key) if key is not None else None
                if isinstance(ipam, dict) and isinstance(getk(ipam, "type", ""), str):
                    found.append((path + (key,), ipam, plugin))
            self.__dict__["_ipam_list"] = found  # kept once complete
        yield from found


# Plugins that ignore the config's ipam: cilium-cni asks the Cilium agent for addresses
# (plugins/cilium-cni/cmd/cmd.go Add: allocateIPsWithCiliumAgent) unless the agent runs in
# ipam mode delegated-plugin, which is not its chart's default (cluster-pool); an IPAM rule
# judging that ipam (a gateway, a per-node pool) would judge a config that is never run.
AGENT_IPAM_PLUGINS = frozenset({"cilium-cni"})


def _plugins(conf: dict[str, Any], path: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    plugins = conf.get("plugins")
    if isinstance(plugins, list):
        for i, p in enumerate(plugins):
            if isinstance(p, dict):
                yield from _plugins(p, path + ("plugins", i))
        return
    yield path, conf
    delegates = conf.get("delegates")
    if isinstance(delegates, list):
        for i, d in enumerate(delegates):
            if isinstance(d, dict):
                yield from _plugins(d, path + ("delegates", i))


@dataclass(repr=False, eq=False)
class NAD:
    doc: Document
    config: CniConfig | None = None  # None when empty, invalid or not a string
    config_problem: Problem | None = None

    @property
    def name(self) -> str:
        return self.doc.name

    @property
    def namespace(self) -> str:
        return self.doc.namespace or "default"

    @property
    def key(self) -> tuple[str, str]:
        return self.namespace, self.name

    @property
    def raw_config(self) -> Any:
        return get_path(self.doc.data, ("spec", "config"))


# ------------------------------------------------------------------ workloads


@dataclass(slots=True, repr=False, eq=False)  # one per workload of the run
class Workload:
    """An object that runs pods: a Pod, or a controller with a pod template."""

    doc: Document
    template_meta: Path  # path of the pod template's metadata in the document

    @property
    def kind(self) -> str:
        return self.doc.kind

    @property
    def is_controller(self) -> bool:
        return self.doc.kind != "Pod"

    @property
    def namespace(self) -> str:
        """The pod's namespace, where Multus resolves unqualified network names."""
        return self.doc.namespace or "default"

    @property
    def pod_annotations(self) -> dict[str, Any]:
        a = get_path(self.doc.data, self.template_meta + ("annotations",))
        return a if isinstance(a, dict) else {}

    @property
    def pod_annotations_path(self) -> Path:
        return self.template_meta + ("annotations",)

    @property
    def pod_spec_path(self) -> Path:
        return self.template_meta[:-1] + ("spec",)

    @property
    def replicas(self) -> int | None:
        if self.kind in ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"):
            r = get_path(self.doc.data, ("spec", "replicas"), 1)
            return r if isinstance(r, int) else None
        if self.kind == "Pod":
            return 1
        return None  # DaemonSets, Jobs: one pod per node or per run


# ------------------------------------------------------------------ the project


@dataclass(repr=False, eq=False)
class Project:
    root: str
    limits: Limits
    sources: list[SourceFile] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    problems: list[tuple[SourceFile, Problem]] = field(default_factory=list)
    duplicates: list[tuple[SourceFile, tuple, Span, Span, dict | None]] = field(default_factory=list)
    nads: list[NAD] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)
    helmcharts: list[Document] = field(default_factory=list)
    helmchartconfigs: list[Document] = field(default_factory=list)
    daemonsets: list[Document] = field(default_factory=list)
    cni_files: list[CniConfig] = field(default_factory=list)
    k3s_configs: list[Document] = field(default_factory=list)
    # K3s settings passed as flags in Ansible variables (foreign_formats.K3sFlag), taken
    # into the profile beside the K3s configs (profile.apply_k3s_configs)
    k3s_flags: list[Any] = field(default_factory=list)
    values_files: list[Document] = field(default_factory=list)
    by_kind: dict[str, list[Document]] = field(default_factory=dict)
    releases: list[Any] = field(default_factory=list)  # charts.ChartRelease
    # (document, chart_ids.ChartIdentity) of every values file and chart release: which chart
    # each is for, or why it could not be identified (then no chart rule judges it)
    chart_ids: list[tuple[Document, Any]] = field(default_factory=list)
    graph: Any = None  # kustomize.Graph: entry points (kustomize, Flux, Argo CD), None without any
    other_releases: list[Any] = field(default_factory=list)  # other_charts: bitnami, k8snp multus
    _nad_index: dict[tuple[str, str], NAD] | None = None
    _cache: dict[str, Any] = field(default_factory=dict)
    # files the model read on its own (kustomize resources and patches that were not
    # sources): what a replayed run must find unchanged (lint/replay.py)
    extra_reads: set[str] = field(default_factory=set)
    # (path, text) of manifest templates that may install CNI plugins (installed_plugins.
    # template_installers): not sources, never linted; ML507 does not call what they name missing
    template_installers: list[tuple[str, str]] = field(default_factory=list)
    # the run's load.facts.FactCache (analyses kept between runs), None without a cache
    facts: Any = None
    # the (rest) scope only: names of the NADs the repository's cluster scopes deploy. A file no
    # entry point reaches is applied by hand to one of those clusters, where Multus finds the
    # NAD (multus-cni pkg/k8sclient/k8sclient.go getKubernetesDelegate asks that cluster's API)
    outside_nad_names: frozenset[str] = frozenset()
    # a cluster scope, when the (rest) scope exists: names of the networks its files' pods name
    # (applied by hand to one of the clusters, they may use this scope's NADs: ML410)
    outside_ref_names: frozenset[str] = frozenset()

    @property
    def nad_index(self) -> dict[tuple[str, str], NAD]:
        if self._nad_index is None:
            self._nad_index = {nad.key: nad for nad in self.nads}
        return self._nad_index

    @property
    def judged_releases(self) -> list[Any]:
        """Chart releases whose values could all be read (the others are not judged)."""
        return [r for r in self.releases if r.values_known]

    @property
    def has_multus_deployment(self) -> bool:
        """The project deploys Multus itself (a chart release or a Multus DaemonSet)."""
        return bool(self.releases or self.daemonsets)

    def cni_configs(self, nads_only: bool = False) -> Iterator[CniConfig]:
        """Every parsed CNI config: NADs' ``spec.config`` first, then CNI config files."""
        for nad in self.nads:
            if nad.config is not None:
                yield nad.config
        if not nads_only:
            yield from self.cni_files

    def of_kind(self, *kinds: str) -> list[Document]:
        return [d for k in kinds for d in self.by_kind.get(k, [])]

    def cached(self, key: str, build: Any) -> Any:
        """A value computed once per run and shared by rules (chart releases, pools...)."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def build_ahead(self, build: Callable[[Project], Any]) -> None:
        """``build(self)``, for the shared analyses it caches; if it raises, undone (the
        analyses it cached and the problems it appended dropped): the checker that first
        asks for them then meets the error inside its containment (model.contain), as if
        nothing had been built ahead."""
        cached, problems = set(self._cache), len(self.problems)
        try:
            build(self)
        except Exception:  # noqa: BLE001  (whatever it is, a checker meets it again)
            for key in set(self._cache) - cached:
                del self._cache[key]
            del self.problems[problems:]

    def problem(self, source: SourceFile, code: str, message: str, span: Span) -> None:
        self.problems.append((source, Problem(code, message, span)))


def root_relative(source: SourceFile, root: str) -> str:
    """The source's path below the project root, forward slashes: what a rule may read of a
    file's place (the displayed path depends on the working directory; this does not)."""
    if source.path.startswith("<"):
        return source.path
    try:
        rel = os.path.relpath(os.path.abspath(source.path), root)
    except ValueError:  # another drive
        rel = source.path
    return rel.replace(os.sep, "/")


def k3s_config_place(path: str) -> bool:
    """Whether a file at ``path`` (below the root, ``/``-separated) is a K3s (or RKE2)
    config.yaml by its place alone."""
    base = path.rpartition("/")[2]
    # /etc/rancher/rke2/config.yaml too: RKE2 reads the same keys (plus cni:), and the profile
    # takes distro rke2 from it (runner.resolve_profile)
    return (("/rancher/k3s/" in f"/{path}" or "/rancher/rke2/" in f"/{path}")
            and (base == "config.yaml" or "/config.yaml.d/" in path)) \
        or "/k3s/" in f"/{path.rpartition('/')[0]}/" and base in ("config.yaml", "config.yml")


def _is_k3s_config(source: SourceFile, data: dict[str, Any], root: str = ".") -> bool:
    """A K3s (or RKE2) config.yaml: by its place, or a mapping whose keys are K3s or RKE2 flags."""
    keys = {k.rstrip("+") for k in data if isinstance(k, str)}
    if not keys:
        return False
    if k3s_config_place(root_relative(source, root)):
        return True
    return keys <= NODE_CONFIG_KEYS and bool(keys & K3S_RECOGNITION_KEYS)


def joins_a_server(source: SourceFile, data: Any, root: str = ".") -> bool:
    """A K3s config (``_is_k3s_config``, or one kept in Ansible variables:
    model.foreign_formats.ansible_k3s_configs) with ``server:``: its node joins another one, so
    the cluster has more than one (model.profile.apply_k3s_configs)."""
    if not isinstance(data, dict):
        return False
    if ("server" in data or "server+" in data) and _is_k3s_config(source, data, root):
        return True
    return any(isinstance(m := data.get(key), dict) and ("server" in m or "server+" in m)
               and _is_k3s_config(source, m, root) for key in ANSIBLE_K3S_KEYS)


def _is_values_file(data: dict[str, Any]) -> bool:
    """Values of a Multus chart (rke2-multus or another one: lint/model/chart_ids.py), by shape."""
    from multus_lint.model.chart_ids import identify_values

    return identify_values(data) is not None


def _is_cni_config(doc: Document) -> bool:
    """A kind-less document read as a CNI network config (ML5xx/ML2xx judge it).

    libcni reads configs only as JSON files of the conf dir (containernetworking/cni
    libcni/conf.go ``ConfFiles(dir, [".conf", ".conflist", ".json"])``, ``ConfFromBytes`` is
    json.Unmarshal): a YAML document is never one, however it looks (app configs with a
    ``type:`` key are common: Thanos object stores, Grafana datasources). A ``.json`` file is
    one only with ``cniVersion`` or a ``plugins`` list, since ``"type"`` alone is everywhere
    (package.json, JSON Schemas)."""
    data = doc.data
    if not isinstance(data, dict) or "kind" in data or "apiVersion" in data:
        return False
    if not (isinstance(data.get("type"), str) or isinstance(data.get("plugins"), list)):
        return False
    path = doc.source.path.lower()
    if path.endswith((".conf", ".conflist")):
        return True
    if not isinstance(doc.tree, JsonTree):
        return False  # YAML (a .yaml file, or YAML on standard input)
    return "cniVersion" in data or isinstance(data.get("plugins"), list)


def pod_containers(spec: Any, keys: tuple[str, ...] = ("containers", "initContainers")) -> list[dict]:
    """The containers (mappings) of a pod spec's container lists; a list or item of the wrong
    type is ML009's finding, and judged by nothing else."""
    if not isinstance(spec, dict):
        return []
    return [c for key in keys if isinstance(spec.get(key), list) for c in spec[key] if isinstance(c, dict)]


def _is_multus_daemonset(doc: Document) -> bool:
    spec = get_path(doc.data, ("spec", "template", "spec"))
    if not isinstance(spec, dict):
        return False
    for c in pod_containers(spec):
        image = c.get("image")
        image = image if isinstance(image, str) else ""  # a number is no image (Go: a string field)
        words = c.get("command")
        command = " ".join(str(x) for x in words if isinstance(x, (str, int))) if isinstance(words, list) else ""
        if "multus-cni" in image or "/multus:" in image or image.endswith("/multus") or "nfvpe/multus" in image:
            return True
        # the programs of multus-cni's images (images/Dockerfile: /thin_entrypoint,
        # .../bin/multus-daemon; v3: /entrypoint.sh). Only the v3 script's own path counts:
        # "entrypoint.sh" is every image's name for its script (/sbin/entrypoint.sh of an ENI
        # attacher named eks-multus-daemonset is no Multus)
        words = command.replace(";", " ").replace("&", " ").replace("|", " ").split()
        if any(w.endswith(("/thin_entrypoint", "multus-daemon")) or w == "/entrypoint.sh" for w in words) \
                and "multus" in (image + command + doc.name):
            return True
    return False


# Files their tools read as "JSON with Comments" (comments, trailing commas): VS Code's
# workspace files (.vscode/settings.json, extensions.json, launch.json, tasks.json: jsonc),
# dev container configs (.devcontainer/devcontainer.json) and TypeScript/JavaScript project
# files (tsconfig*.json, jsconfig.json). No Kubernetes tool applies them (Flux's generated
# kustomization takes .yaml/.yml, fluxcd/pkg kustomize_generator.go scanManifests; kustomize
# reads only what a kustomization lists); strict JSON's complaint about them is no finding.
_JSONC_DIRS = frozenset({".vscode", ".devcontainer"})


def jsonc_tool_file(path: str) -> bool:
    parts = path.replace("\\", "/").split("/")
    name = parts[-1].lower()
    return name.endswith(".json") and (
        not _JSONC_DIRS.isdisjoint(parts[:-1]) or name in ("devcontainer.json", ".devcontainer.json", "jsconfig.json")
        or (name.startswith("tsconfig") and name.endswith(".json")))


class Builder:
    """Turns sources into the project model.

    With ``deferred``, documents are held until ``finish``: the kustomize graph must see
    every file before it can say which documents are kustomize input (kustomizations,
    patches) and how the others are deployed (namespace, name, patched values)."""

    def __init__(self, project: Project, deferred: bool = False) -> None:
        self.project = project
        self.pending: list[Document] | None = [] if deferred else None
        self._sources_by_path: dict[str, SourceFile] | None = None  # load_extra's look-up
        self._extra_docs: list[Document] = []  # what load_extra read (not sources of the run)

    def add_source(self, source: SourceFile, parsed: list[Parsed] | None = None) -> None:
        p = self.project
        p.sources.append(source)
        if source.error:
            code, message, span = source.error
            p.problem(source, code, message, span)
            return
        if not (source.text or "").strip():
            return
        if parsed is None:
            parsed = parse_file(source, p.limits)
        if not any(item.problems for item in parsed):
            # no syntax error (nearly every file): none of the foreign formats or templates
            # below applies, and the text is not searched for template syntax
            for index, item in enumerate(parsed):
                self.add_parsed(source, item, index, False)
            return
        if (jsonc_tool_file(source.path) or non_json_conf(source)) and \
                any(prob.code == "ML001" for item in parsed for prob in item.problems):
            return  # JSON with comments, or an INI .conf, as its tool reads it: no manifest (model.foreign_formats)
        if at_template_error(source, {prob.span.line for item in parsed for prob in item.problems
                                      if prob.code == "ML001"}):
            return  # an @NAME@ template a script renders (model.foreign_formats): not JSON yet
        if jjb_alias_error(source, [prob.message for item in parsed for prob in item.problems
                                    if prob.code == "ML001"]):
            return  # a Jenkins Job Builder file aliasing another file's anchor (model.foreign_formats)
        templated = source.templated
        real_errors: set[int] = set()
        if templated and any(prob.code == "ML001" for item in parsed for prob in item.problems):
            from multus_lint.load.placeholders import template_free_error_lines

            def error_lines(text: str) -> set[int]:
                return {prob.span.line for item in parse_file(SourceFile(source.path, text), p.limits)
                        for prob in item.problems if prob.code == "ML001"}

            # syntax errors stay errors whatever templates the file holds elsewhere
            real_errors = template_free_error_lines(source.text or "", error_lines)
        for index, item in enumerate(parsed):
            self.add_parsed(source, item, index, templated, real_errors)

    def add_parsed(self, source: SourceFile, item: Parsed, index: int, templated: bool,
                   real_errors: set[int] = frozenset()) -> None:  # type: ignore[assignment]
        p = self.project
        for prob in item.problems:
            if templated and prob.code == "ML001" and prob.span.line not in real_errors:
                prob = Problem("ML003", "template syntax ({{ }}, {% %} or %{NAME}%): the file does not "
                               f"parse until rendered ({prob.message} at line {prob.span.line}); render "
                               "it first, e.g. `helm template ... | multus-lint -`",
                               _first_placeholder(source) or prob.span)
            p.problems.append((source, prob))
        if item.tree is None:
            return
        for dpath, later, earlier in item.duplicates:
            p.duplicates.append((source, dpath, later, earlier, None))
        data = item.tree.data
        if isinstance(data, dict) and data.get("kind") in LIST_KINDS and isinstance(data.get("items"), list):
            for i, obj in enumerate(data["items"]):
                if isinstance(obj, dict):
                    self.emit(Document(source, item.tree, ("items", i), index))
            return
        if isinstance(data, dict):
            self.emit(Document(source, item.tree, (), index))

    def emit(self, doc: Document) -> None:
        if self.pending is not None:
            self.pending.append(doc)
        else:
            self.add_document(doc)

    def finish(self) -> None:
        """Build the kustomize graph over the held documents, then add each one as it is
        deployed: every instance of a document an entry point reaches, the others as written,
        kustomizations and patches not as objects."""
        if self.pending is None:
            return
        pending, self.pending = self.pending, None
        from multus_lint.model.kustomize import build_graph

        p = self.project
        try:
            graph = build_graph(p.root, pending, self.load_extra, p.extra_reads.add)
        except Exception as exc:  # a bug in the graph must not stop the run: judge as written
            p.problems.append((pending[0].source if pending else SourceFile("<multus-lint>"), Problem(
                "ML000", f"internal error while reading kustomizations: {type(exc).__name__}: {exc}; "
                "the files were linted as written. Please report this.", Span.point(1))))
            graph = None
        p.graph = graph
        if graph is not None and graph.data_files:
            # files a kustomize generator embeds are ConfigMap/Secret data, not manifests:
            # what they fail to parse as is not a finding (kustomize api/kv reads bytes)
            from multus_lint.model.kustomize import is_data_file

            p.problems = [(s, pr) for s, pr in p.problems if not is_data_file(graph, s)]
            p.duplicates = [d for d in p.duplicates if not is_data_file(graph, d[0])]
        if graph is not None and p.problems:
            from multus_lint.model.kustomize import unlisted_json

            p.problems = [(s, pr) for s, pr in p.problems if not (pr.code == "ML001" and unlisted_json(graph, s))]
        for doc in pending:
            if graph is None:
                self.add_document(doc)
                continue
            if id(doc) in graph.consumed:
                continue
            instances = graph.instances_of(doc)
            for inst in instances or [doc]:
                self.add_document(inst)
        if graph is not None:
            # the objects of files the build read on its own (a resource a patch rewrites,
            # in a run that did not name it): deployed as built, so a named patch or NAD is
            # judged with them as in the audit, where those files are sources
            for doc in self._extra_docs:
                if id(doc) not in graph.consumed:
                    for inst in graph.instances_of(doc):
                        self.add_document(inst)

    def load_extra(self, path: str) -> list[Document]:
        """The documents of a file kustomize reads that was not loaded (not named, and no
        context marker): parsed, kept out of the project's sources (never judged alone)."""
        from multus_lint.load.discover import display_path
        from multus_lint.load.read import read

        self.project.extra_reads.add(path)
        shown = display_path(path)
        # a dict, not a scan of every source per file: a Flux Kustomization whose path is the
        # repository's root reads every file below it (33,000 in a large one), which was
        # quadratic (an audit of one fixture folder in this repository never finished)
        if self._sources_by_path is None or len(self._sources_by_path) != len(self.project.sources):
            self._sources_by_path = {s.path: s for s in reversed(self.project.sources)}
        known = self._sources_by_path.get(shown)
        source = known or read(path, shown, self.project.limits)
        if known is None:
            source.named = False
        if source.error or not (source.text or "").strip():
            return []
        out = []
        for index, item in enumerate(parse_file(source, self.project.limits)):
            if item.tree is not None:
                out.append(Document(source, item.tree, (), index))
        if out and known is None:
            self.project.sources.append(source)
            self._extra_docs += out
        return out

    def add_document(self, doc: Document) -> None:
        """Add one object; a bug on it costs this object only (ML000 at it), not the file."""
        try:
            self._add_document(doc)
        except Exception as exc:
            from multus_lint.model.contain import forget, object_problem

            forget(self.project, doc)
            self.project.problems.append((doc.source, object_problem(doc, "reading this object", exc)))

    def _add_document(self, doc: Document) -> None:
        p = self.project
        p.documents.append(doc)
        kind = doc.kind
        p.by_kind.setdefault(kind, []).append(doc)
        if kind == NAD_KIND:
            p.nads.append(self.make_nad(doc))
        elif kind in POD_TEMPLATE_META:
            p.workloads.append(Workload(doc, POD_TEMPLATE_META[kind]))
            self.annotation_limit(doc, POD_TEMPLATE_META[kind] + ("annotations",))
            if kind == "DaemonSet" and _is_multus_daemonset(doc):
                p.daemonsets.append(doc)
        elif kind == "HelmChart":
            p.helmcharts.append(doc)
        elif kind == "HelmChartConfig":
            p.helmchartconfigs.append(doc)
        elif kind == "ConfigMap":
            self.configmap_duplicates(doc)
        elif not kind and "apiVersion" not in doc.data:
            if _is_cni_config(doc):
                p.cni_files.append(CniConfig(doc, doc.tree, doc.base, kind="file"))
            elif _is_values_file(doc.data):
                p.values_files.append(doc)
            elif _is_k3s_config(doc.source, doc.data, p.root):
                p.k3s_configs.append(doc)
            else:  # K3s configs in Ansible variables, Butane and cloud-init (model.foreign_formats)
                p.k3s_configs += ansible_k3s_configs(doc, lambda m: _is_k3s_config(doc.source, m, p.root))
                p.k3s_configs += written_k3s_configs(doc, p.limits)
                p.k3s_flags += flag_settings(doc)  # K3s flags in Ansible variables' strings
        if not doc.base and isinstance(doc.tree, YamlTree) and not keeps_nodes(doc.data):
            # The rules read other kinds rarely and find little in them: their YAML nodes
            # (most of a large run's memory) are composed again only if a position is asked.
            release(doc.tree)

    def annotation_limit(self, doc: Document, path: Path) -> None:
        """ML004 for a networks annotation with more entries than the rules judge (the
        parser stops at limits.max-annotation-entries, so time and memory stay bounded)."""
        annotations = get_path(doc.data, path)
        value = annotations.get(NETWORKS_ANNOTATION) if isinstance(annotations, dict) else None
        limit = self.project.limits.max_annotation_entries
        if not isinstance(value, str) or value.count(",") < limit:
            return  # fewer separators than the limit: fewer entries, in either form
        count = value.count(",") + 1
        if any(c in value for c in '[{"'):  # the JSON form: count the list's elements
            try:
                data = json.loads(value)
            except (ValueError, RecursionError):
                return  # ML401 reports the syntax
            if not isinstance(data, list):
                return
            count = len(data)
        if count > limit:
            self.project.problems.append((doc.source, Problem(
                "ML004", f"the {NETWORKS_ANNOTATION} annotation has {count:,} entries, over the limit "
                f"of {limit:,} (limits.max-annotation-entries): only the first {limit:,} are checked",
                doc.span(*path, NETWORKS_ANNOTATION), doc.object_ref())))

    def configmap_duplicates(self, doc: Document) -> None:
        """ML007 in the JSON files a ConfigMap carries (Multus's cni-conf.json and thick
        daemon-config.json, CNI .conf/.conflist): Go keeps the last of two equal keys too.
        Their syntax is not judged here."""
        data = doc.data.get("data")
        if not isinstance(data, dict):
            return
        for key, text in data.items():
            if not (isinstance(key, str) and key.endswith(JSON_SUFFIXES) and isinstance(text, str)
                    and "{" in text):
                continue
            parsed = doc.embedded_json(("data", key), self.project.limits, "ML001", f"JSON in {key}")
            for prob in parsed.problems:
                if prob.code == "ML004":  # over a limit: not linted, and said so (not syntax)
                    self.project.problems.append((doc.source, Problem(
                        prob.code, f"data.{key}: {prob.message}", prob.span, doc.object_ref())))
            for dpath, later, earlier in parsed.duplicates:
                self.project.duplicates.append((doc.source, ("data", key) + dpath, later, earlier,
                                                doc.object_ref()))

    def make_nad(self, doc: Document) -> NAD:
        nad = NAD(doc)
        raw = get_path(doc.data, ("spec", "config"))
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return nad  # ML502 judges an empty config
        if replaced(doc, ("spec", "config")):
            return nad  # a kustomize `replacements` entry writes it: the deployed config is not known
        # a config set by a kustomize patch is judged, and located, in the patch's file
        source = source_of(doc, ("spec", "config"))
        if not isinstance(raw, str):
            what = "a YAML mapping" if isinstance(raw, dict) else f"a {type(raw).__name__}"
            nad.config_problem = Problem(
                "ML501", f"spec.config is {what}, not a string: it must hold the CNI config as JSON "
                "text (use a block scalar `config: |` with the JSON inside)",
                doc.span("spec", "config"), doc.object_ref())
            self.project.problems.append((source, nad.config_problem))
            return nad
        parsed = doc.embedded_json(("spec", "config"), self.project.limits, "ML501", "JSON in spec.config")
        if parsed.problems:
            prob = parsed.problems[0]
            if prob.code == "ML501" and has_placeholder(raw):
                prob = Problem("ML003", "spec.config holds template placeholders and is not JSON until "
                               f"rendered ({prob.message}); render it first", prob.span)
            prob.object = doc.object_ref()
            nad.config_problem = prob
            self.project.problems.append((source, prob))
            return nad
        for dpath, later, earlier in parsed.duplicates:
            self.project.duplicates.append((source, ("spec", "config") + dpath, later, earlier,
                                            doc.object_ref()))
        assert parsed.tree is not None
        nad.config = CniConfig(doc, parsed.tree)
        nad.config.source = source
        return nad


def _first_placeholder(source: SourceFile) -> Span | None:
    from multus_lint.load.read import TEMPLATE_RE

    m = TEMPLATE_RE.search(source.text or "")
    if not m:
        return None
    line, col = LineIndex(source.text or "").position(m.start())
    line, col = line + 1, col + 1
    return Span(line, col, line, col + len(m.group(0).split("\n")[0]))


def parse_sources(sources: list[SourceFile], limits: Limits, cache: Any = None) -> dict[int, list[Parsed]]:
    """The parsed documents of every readable source, by index (parsed once per run, then
    shared by every cluster scope the source is judged in). With a cache (load.cache), a
    context file whose text was parsed before is taken from it, and the others are kept
    there for the next run."""
    from multus_lint.load.parallel_parse import pack, parse_all, unpack

    pre: dict[int, list[Parsed]] = {}
    cached = [i for i, s in enumerate(sources) if not s.named and s.digest and s.text] if cache is not None else []
    for i in cached:
        items = cache.parse_of(sources[i].digest)
        if items is not None:
            pre[i] = unpack(sources[i], items)
    pre.update(parse_all(sources, limits, skip=pre, after=_release_unkept) or {})
    for i, source in enumerate(sources):
        if i not in pre and source.error is None and (source.text or "").strip():
            try:
                pre[i] = _release_unkept(parse_file(source, limits))
            except Exception:  # reported where the model is built (it parses again there)
                continue
    for i in cached:
        source = sources[i]
        text = source.text or ""
        # an alias shares one value among many paths; kept as plain data each path gets a
        # copy, which no rule can tell apart (rules read values; a position is composed
        # again from the text, where the alias still names its anchor), and keep_parse
        # refuses a copy much larger than the text (an alias bomb). A home-ops repository's
        # app-template releases are full of anchors: 101 of its files were parsed afresh on
        # every pre-commit run
        if i in pre and source.digest not in cache.kept:
            packed = pack(source, pre[i])
            if packed is not None:
                cache.keep_parse(source.digest, packed, text)
    return pre


def _release_unkept(parsed: list[Parsed]) -> list[Parsed]:
    """Release, as each file is parsed, the nodes no rule is likely to ask for (keeps_nodes):
    the peak of a large audit was every document's nodes at once, before any was released.
    What no rule reads of those objects goes too (``prune_unread``)."""
    for item in parsed:
        tree = item.tree
        if isinstance(tree, YamlTree) and tree.composer is not None and not keeps_nodes(tree.data):
            release(tree)
            prune_unread(tree.data)
    return parsed


# What no rule reads of an object whose nodes are released (keeps_nodes): the fields of a
# container and of a pod spec that say how it runs (resources, probes, environment, ports,
# scheduling), a volume's source, a workload's label selector (the selector itself stays:
# ML008 asks whether there is one), a Service's ports and selector. In a large repository
# they are most of what its ordinary Deployments and Services hold (a third of a
# 100,000-document audit's memory). A rule that comes to read one of them must take it off
# these lists: tests/test_prune_unread.py fails while a module of the linter names one
# (and compares audits with and without the pruning). DaemonSets keep everything:
# installers are judged by their environment and volumes (multus_daemonset,
# installed_plugins), and whereabouts' by any mention (rules/paths.py).
UNREAD_CONTAINER_KEYS = ("resources", "env", "envFrom", "ports", "livenessProbe", "readinessProbe",
                         "startupProbe", "lifecycle", "securityContext")
UNREAD_POD_SPEC_KEYS = ("affinity", "tolerations", "topologySpreadConstraints", "securityContext")
UNREAD_VOLUME_KEYS = ("configMap", "secret", "emptyDir", "persistentVolumeClaim", "projected", "downwardAPI",
                      "hostPath", "csi", "ephemeral", "nfs")
UNREAD_SELECTOR_KEYS = ("matchLabels", "matchExpressions")
UNREAD_SERVICE_SPEC_KEYS = ("ports", "selector")
UNREAD_KEYS = (UNREAD_CONTAINER_KEYS + UNREAD_POD_SPEC_KEYS + UNREAD_VOLUME_KEYS + UNREAD_SELECTOR_KEYS
               + UNREAD_SERVICE_SPEC_KEYS)
_CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")


def _drop(mapping: Any, keys: tuple[str, ...]) -> None:
    if isinstance(mapping, dict):
        for key in keys:
            mapping.pop(key, None)


def prune_unread(data: Any) -> None:
    """Drop, in place, the fields of a released object that no rule reads (above). Only
    mapping keys go, never list items, so every other path stays where it was."""
    if not isinstance(data, dict):
        return
    kind = data.get("kind")
    if not isinstance(kind, str):
        return
    if kind == "Service":
        _drop(data.get("spec"), UNREAD_SERVICE_SPEC_KEYS)
        return
    if kind == "DaemonSet" or kind not in POD_TEMPLATE_META:
        return
    _drop(get_path(data, ("spec", "selector")), UNREAD_SELECTOR_KEYS)
    spec = get_path(data, POD_TEMPLATE_META[kind][:-1] + ("spec",))
    if not isinstance(spec, dict):
        return
    _drop(spec, UNREAD_POD_SPEC_KEYS)
    volumes = spec.get("volumes")
    if isinstance(volumes, list):
        for volume in volumes:
            _drop(volume, UNREAD_VOLUME_KEYS)
    for key in _CONTAINER_LISTS:
        containers = spec.get(key)
        if isinstance(containers, list):
            for c in containers:
                _drop(c, UNREAD_CONTAINER_KEYS)


def build_project(sources: list[SourceFile], root: str, limits: Limits,
                  parsed: dict[int, list[Parsed]] | None = None) -> Project:
    """The model of ``sources``; ``parsed``: their documents by index, when already parsed
    (consumed: each entry is taken out of the mapping as its file is modelled)."""
    from multus_lint.model.kustomize import needs_graph

    project = Project(root=root, limits=limits)
    builder = Builder(project, deferred=needs_graph(sources))
    if parsed is None:
        from multus_lint.load.parallel_parse import parse_all

        parsed = parse_all(sources, limits) or {}
    pre = parsed
    for i, source in enumerate(sources):
        try:
            # taken out as it is modelled: the wrappers (a few hundred bytes a document) go
            # as the model grows, not when the caller is done
            builder.add_source(source, pre.pop(i, None))
        except Exception as exc:  # a bug in the model must not stop the run: report, go on
            project.problem(source, "ML000", f"internal error while reading this file: "
                            f"{type(exc).__name__}: {exc}; the other files were linted. Please "
                            "report this.", Span.point(1))
    builder.finish()
    from multus_lint.model.charts import build_releases
    from multus_lint.model.contain import contained

    # a chart whose values layering raises loses its release only (ML000 at it)
    project.releases, errors = contained(project, build_releases, "resolving chart values", [])
    from multus_lint.model.other_charts import other_releases

    project.other_releases, more = contained(project, other_releases, "resolving other charts' values", [])
    for doc, prob in errors + more:
        source = doc.source if doc is not None else (sources[0] if sources else SourceFile("<multus-lint>"))
        project.problems.append((source, prob))
    return project


def site_of(source: SourceFile, span: Span, obj: dict | None = None) -> Site:
    return Site(source, span, obj)
