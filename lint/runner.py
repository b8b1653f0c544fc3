"""The pipeline: discover, load, model, profile, rules, filter."""

from __future__ import annotations

import functools
import gc
import os
import re
import sys
from collections.abc import Iterable
from typing import Any

from multus_lint import judge_parallel, registry
from multus_lint.config import Config, ConfigError
from multus_lint.context import Context
from multus_lint.findings import SEVERITY_RANK, Finding, Span
from multus_lint.load.cache import FileCache, default_directory, digest, settled_before
from multus_lint.load.discover import (
    INVENTORY_FOLDERS,
    INVENTORY_NAMES,
    INVENTORY_YAML,
    SCRIPT_SUFFIXES,
    Candidate,
    ProjectRoot,
    absolute,
    display_path,
    drop_listings,
    find_root,
    inventory_place,
    maybe_inventory,
    named_locations,
    outside_root,
    walk,
    walk_order,
    working_directory,
)
from multus_lint.load.facts import FactCache
from multus_lint.load.placeholders import VALUE_FREE_CODES, placeholder_at, render_advice
from multus_lint.load.read import TEMPLATE_RE, SourceFile, decode, last_changed, read
from multus_lint.model.contain import contained
from multus_lint.model.installed_plugins import CHART_PLUGINS, IMAGE_PLUGINS
from multus_lint.model.kustomize import ENTRY_MARKERS, KUSTOMIZATION_FILES, RELEVANT_MARKERS
from multus_lint.model.profile import (
    GENERIC_NODE_MARKERS,
    K3S_RECOGNITION_KEYS,
    MAX_SCRIPTS,
    Profile,
    apply,
    apply_k3s_configs,
    apply_node_distro,
    apply_node_evidence,
    deployed_object_evidence,
    generic_node_evidence,
    leave_distro_unsettled,
    skipped_rules,
)
from multus_lint.model.project import (
    NAD_KIND,
    Project,
    build_project,
    k3s_config_place,
    parse_sources,
)
from multus_lint.model.scopes import REST, Scope, find_scopes, labelled, merge_scope_findings
from multus_lint.records import dataclass, field
from multus_lint.replay import Replay, file_state, findings_of, source_key

# A context file (not named, only there to resolve references) is parsed only when its
# text could matter to a cross-file rule: the rest of a large repository is skipped unread.
# "cni.cncf.io" covers both the NAD API group (k8s.cni.cncf.io) and the annotations
# (k8s.v1.cni.cncf.io/networks): a workload that names a NAD only through its annotation
# is context too (ML206, ML410 depend on it).
# What the installed-plugin model reads (model.installed_plugins: ML202, ML507, ML513 judge
# a named NAD against it): a plugin DaemonSet's image, a dhcp daemon, a plugin project's
# chart or operator resource. A DaemonSet that copies files into a host folder is context
# too (is_context): it may install any plugin.
PLUGIN_MARKERS = tuple(sorted({"whereabouts", "sriov", "dhcp", "operator.tigera.io", *CHART_PLUGINS,
                               *(needle for needle, _ in IMAGE_PLUGINS)}))


def _fewest(markers: Iterable[str]) -> tuple[str, ...]:
    """The markers without those holding another one (a text holding "sriov-cni" holds
    "sriov"): every marker is one scan of every context candidate's text."""
    unique = sorted(set(markers))
    return tuple(m for m in unique if not any(o != m and o in m for o in unique))


CONTEXT_MARKERS = _fewest((
    "cni.cncf.io", "sriovnetwork.openshift.io", "mellanox.com", "k8s.ovn.org", "helm.cattle.io",
    # operators that create NADs from their own resources (model.generated_nads)
    "flatnetwork.pandaria.io", "multinic.fms.io",
    "multus", "kubevirt", "k3s", "data-dir", "cluster-cidr", "flannel", "server:",
    # a K3s config on an external runtime (profile.external_runtime)
    "container-runtime-endpoint", *GENERIC_NODE_MARKERS, *PLUGIN_MARKERS,
    # what a kustomize or Flux build reads of a resource file (model.kustomize)
    *RELEVANT_MARKERS, *ENTRY_MARKERS))
# a top-level key that makes a mapping of K3s flags a K3s config (K3S_RECOGNITION_KEYS)
# (after a newline, not ``^`` with re.M: a literal first character is searched for, 3x faster)
K3S_KEY_LINE = re.compile(r"\n[\"']?(?:%s)\+?[\"']?[ \t]*:" % "|".join(sorted(K3S_RECOGNITION_KEYS)))


def _ere(text: str) -> str:
    """``text`` as a POSIX extended regular expression matching itself."""
    return "".join("\\" + c if c in ".[]()*+?{}|^$\\" else c for c in text)


# What git grep looks for when nothing is cached (load.discover.walk ``grep``): every text
# is_context would find, and more (a line-start K3s key, any hostPath): a file it finds
# nothing in is no context without being read. POSIX ERE, byte by byte (LC_ALL=C).
GREP_PATTERNS = ("|".join(_ere(m) for m in CONTEXT_MARKERS),
                 "^[\"']?(%s)\\+?[\"']?[ \t]*:" % "|".join(_ere(k) for k in sorted(K3S_RECOGNITION_KEYS)),
                 "hostPath")


@dataclass(repr=False, eq=False)
class Options:
    paths: list[str]
    stdin_filename: str | None = None
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    profile_flags: dict[str, Any] = field(default_factory=dict)
    baseline: str | None = None  # report only findings not in this baseline file
    progress: Any = None  # called as progress(stage, done, total) on long runs (cli's bar)
    all_scopes: bool = False  # model every cluster scope, even one holding no named file
    cache_dir: str | None = None  # --cache-dir (default: load.cache.default_directory)
    use_cache: bool = True  # --no-cache: False
    replay: bool = False  # the reporters need only the findings: a stored run may be replayed


@dataclass(repr=False, eq=False)
class Result:
    findings: list[Finding]
    project: Project
    profile: Profile
    named_files: int
    root: ProjectRoot | None = None
    baseline_hidden: int = 0  # findings the baseline absorbed
    baseline_stale: list[dict] = field(default_factory=list)  # its entries that matched nothing
    scopes: list[ScopeRun] = field(default_factory=list)

    def scope_models(self) -> list[tuple[str, Project, Profile]]:
        """(name, project, profile) of every cluster scope of the run that was judged."""
        judged = [(r.scope.name, r.project, r.profile) for r in self.scopes
                  if r.scope is not None and r.project is not None and r.profile is not None]
        return judged if len(self.scopes) > 1 and judged else [("cluster", self.project, self.profile)]

    @property
    def nothing_readable(self) -> bool:
        """No named input could be read at all (exit code 2)."""
        return all(s.error for s in self.project.sources if s.named)


@dataclass(repr=False, eq=False)
class ScopeRun:
    """One cluster scope of a run: its model and profile (None: not judged, nothing named)."""

    scope: Scope | None  # None: the whole root, no scope found
    project: Project | None
    profile: Profile | None


def project_root(config: Config, options: Options) -> ProjectRoot:
    """The project root (load.discover.find_root), the same from any working directory."""
    return find_root(named_locations(options.paths, options.stdin_filename), config.path)


def open_cache(options: Options, config: Config, where: ProjectRoot) -> FileCache | None:
    """The per-file cache of this project (load.cache), or None: turned off, or no project
    around the named paths (nothing is read as context, so nothing is worth keeping)."""
    if not options.use_cache or not where.context or not os.path.isdir(where.path):
        return None
    limits = config.limits
    settings = repr((sorted(vars(limits).items()), CONTEXT_MARKERS, ENTRY_MARKERS,
                     sorted(KUSTOMIZATION_FILES), K3S_KEY_LINE.pattern,
                     (sorted(INVENTORY_NAMES), sorted(INVENTORY_FOLDERS), INVENTORY_YAML)))
    return FileCache(options.cache_dir or default_directory(where.path), where.path, settings)


def context_by_place(rel: str) -> bool:
    """Whether a file is context by its path alone (a kustomization, a K3s config's place,
    an Ansible inventory's: the hosts it names may be the cluster's one node)."""
    return rel.rpartition("/")[2] in KUSTOMIZATION_FILES or k3s_config_place(rel) \
        or inventory_place(rel) is not None


def is_context(rel: str, text: str) -> bool:
    """Whether a file that was not named can matter to a named one (the context prefilter);
    ``rel``: its path below the root (``/``-separated). A K3s config is known by its place
    or its keys (model.project._is_k3s_config), whatever words it holds: any K3s config
    of the scope changes the profile (RKE2's place, other nodes' runtimes, no Talos guess)."""
    return any(m in text for m in CONTEXT_MARKERS) or context_by_place(rel) \
        or K3S_KEY_LINE.search("\n" + text[:64]) is not None or K3S_KEY_LINE.search(text) is not None \
        or ("DaemonSet" in text and "hostPath" in text)


def collect(options: Options, config: Config, where: ProjectRoot, cache: FileCache | None = None,
            listed: list[str] | None = None,
            deferred: list[tuple[SourceFile, Candidate, str, os.stat_result]] | None = None,
            templates: list[str] | None = None,
            inventories: list[str] | None = None) -> tuple[list[SourceFile], int]:
    """Named sources first, then the project's other files as context (none when the
    named paths are the whole project). With a cache, a context file whose stat matches a
    file already known to be no context is not read at all. ``listed`` gets every path the
    context listing gave (what a replay depends on besides the sources). With ``deferred``,
    a context file the cache knows unchanged is not read yet: its source has the known
    content hash and no text until ``read_deferred``. ``templates`` gets the manifest
    templates the walks pass (load.discover.TEMPLATE_SUFFIXES), named folders' and the
    context's alike, ``inventories`` the Ansible inventories that are not YAML
    (load.discover.inventory_place)."""
    root = where.path
    limits = config.limits
    sources: list[SourceFile] = []
    named_real: set[str] = set()
    candidates: list[Candidate] = []
    files = [p for p in options.paths if p != "-"]
    # A missing path among others is that path's ML002 and the run goes on; when nothing
    # named exists at all it stays a usage error.
    all_missing = bool(files) and len(files) == len(options.paths) and not any(os.path.lexists(p) for p in files)
    for p in options.paths:
        if p == "-":
            data = sys.stdin.buffer.read(limits.max_file_size + 1)
            name = options.stdin_filename or "<stdin>"
            src = decode(name, data, limits)
            sources.append(src)
            if options.stdin_filename:
                named_real.add(os.path.realpath(options.stdin_filename))
        elif os.path.isdir(p):
            candidates.extend(walk(p, root, config.exclude, named=True, templates=templates,
                                   inventories=inventories))
        elif os.path.lexists(p):
            # a named symlink out of the project is refused as the walker refuses it
            escape = outside_root(p, root) if os.path.islink(p) and os.path.exists(p) else None
            candidates.append(Candidate(display_path(p) if os.path.isabs(p) else os.path.normpath(p),
                                        p, True, escape))
        elif all_missing:
            raise ConfigError(f"{p}: no such file or directory")
        else:
            sources.append(SourceFile(os.path.normpath(p), error=("ML002", "no such file or directory",
                                                                  Span.point(1))))
    progress = options.progress
    for i, c in enumerate(candidates):
        if progress is not None and i % 64 == 0:
            progress("reading", i, len(candidates))
        real = c.canonical or os.path.realpath(c.real)
        if real in named_real:
            continue
        named_real.add(real)
        sources.append(_read(c, limits))
    named = len(sources)
    walked = {os.path.realpath(p) for p in options.paths if p != "-" and os.path.isdir(p)}
    # the root itself named (an audit of the whole project): every file there is named already
    if where.context and os.path.isdir(root) and os.path.realpath(root) not in walked:
        real_root = os.path.join(os.path.realpath(root), "")
        known = cache.known_no_context if cache is not None else None
        # the files the cache knows are examined while git lists the repository
        guess = cache.entries.keys() if cache is not None else ()
        git_known = cache.known_by_git if cache is not None else None
        # a cache that knows nothing (the first run, --no-cache): git grep looks for the
        # markers in every file while git lists, and only the files it finds are read
        cold = cache is None or not (cache.entries or cache.git_lines)
        settled = cache.note_git_lines if cache is not None else (lambda lines: None)
        for c in walk(root, root, config.exclude, named=False, known=known, guess=guess, skipped=listed,
                      git_known=git_known, grep=GREP_PATTERNS if cold else (), settled=settled,
                      by_place=context_by_place, templates=templates, inventories=inventories):
            if listed is not None:
                listed.append(c.path)
            real = c.canonical or os.path.realpath(c.real)
            if real in named_real or c.error:
                continue
            named_real.add(real)
            st = None
            rel = real[len(real_root):] if real.startswith(real_root) else real
            if os.sep != "/":
                rel = rel.replace(os.sep, "/")
            changed_ns = last_changed(c.stat) if c.no_match and c.stat is not None else None
            if changed_ns is not None and not context_by_place(rel) and settled_before(changed_ns, c.listed_ns):
                # no marker in what git grep read, and unchanged since before it read it: no
                # context, known without reading it (GREP_PATTERNS match all is_context does)
                if cache is not None:
                    cache.note(rel, c.stat, "-", False)  # type: ignore[arg-type]
                    if c.git_line is not None:
                        cache.note_git(c.git_line, changed_ns, c.listed_ns)
                continue
            if cache is not None:
                st = c.stat
                if st is None:
                    try:
                        st = os.stat(c.real)
                    except OSError:
                        st = None
                entry = cache.by_stat(rel, st) if st is not None else None
                if entry is not None and not entry[5]:
                    continue  # unchanged, and known to be no context
                if entry is not None and deferred is not None:
                    # unchanged context: read only if the run is not replayed (read_deferred)
                    src = SourceFile(c.path, named=False, digest=entry[4])
                    deferred.append((src, c, rel, st))
                    sources.append(src)
                    continue
            src = _read(c, limits, stamp=cache is not None and c.git_line is not None)
            relevant = src.text is not None and is_context(rel, src.text)
            if st is not None and cache is not None:
                # a file that is no context needs no hash: whenever its stat changes it is
                # read again anyway, and only the prefilter's verdict is kept of it
                src.digest = digest(src.text) if relevant else "-"
                cache.note(rel, st, src.digest, relevant)
                if not relevant and c.git_line is not None:
                    cache.note_git(c.git_line, src.changed_ns, c.listed_ns)  # known by its line from now on
            if relevant:
                src.named = False
                sources.append(src)
    return sources, named


def in_walk_order(sources: list[SourceFile], root: str) -> list[SourceFile]:
    """``sources`` in the order an audit of the root walks them (a folder's files by name,
    then its folders), whichever were named and in whatever order: where the model keeps
    the first of several (overlap partners up to a cap, the wording of a pair), a file named
    alone must be judged as the audit judges it. Inputs outside the root (stdin, another
    tree) come first, as given."""
    # the working directory is a real path; the root may have been found through a link
    bases = [os.path.join(os.path.abspath(root), ""), os.path.join(os.path.realpath(root), "")]
    here = working_directory()

    def key(src: SourceFile) -> tuple[int, str]:
        path = absolute(src.path, here)
        base = next((b for b in bases if path.startswith(b)), None)
        if base is None:
            return (0, "")
        *dirs, name = path[len(base):].split(os.sep)
        return (1, walk_order(dirs, name))

    return sorted(sources, key=key)  # stable: same-key inputs keep their order


def read_deferred(deferred: list[tuple[SourceFile, Candidate, str, os.stat_result]], limits: Any,
                  cache: FileCache | None) -> bool:
    """Read the sources ``collect`` deferred; False if one no longer holds what the cache
    said (changed between its stat and now: then the run's key is not its content's, and
    the cache is told what it holds now)."""
    same = True
    for src, c, rel, st in deferred:
        fresh = _read(c, limits)
        src.text, src.error = fresh.text, fresh.error
        now = digest(fresh.text) if fresh.text is not None else "-"
        if now != src.digest:
            src.digest = now
            same = False
            if cache is not None:
                cache.note(rel, st, src.digest, fresh.text is not None and is_context(rel, fresh.text),
                           racy=True)
    return same


def _read(c: Candidate, limits: Any, stamp: bool = False) -> SourceFile:
    if c.error:
        return SourceFile(c.path, error=("ML002", f"cannot be read: {c.error}", Span.point(1)))
    return read(c.real, c.path, limits, stamp)


def resolve_profile(config: Config, project: Project, flags: dict[str, Any],
                    scope: Scope | None = None, generic_nodes: tuple[str, ...] | None = None,
                    undeployed: frozenset[str] = frozenset(),
                    other_nodes: tuple[Any, str] | None = None,
                    inventory: tuple[str, str] | None = None) -> Profile:
    """The scope's profile: its K3s configs (ML605 where they disagree) and the distro they
    say (model.profile.apply_node_distro: RKE2's config dir, RKE2-only keys, or a config at no
    K3s place beside a HelmChartConfig of a chart RKE2 ships), else Talos or kind configs (the
    scope's, or ``generic_nodes``: the repository's), else that HelmChartConfig alone (distro
    rke2), then the config's ``cluster:``, the scope's declared ``clusters[].cluster:``, then
    flags. Objects in ``undeployed`` files (no entry point deploys them) and node evidence
    that may be another cluster's (``other_nodes``: (evidence, why)) say nothing certain of
    this scope's nodes: when they are all there is, the distro is left unsettled. One node
    when no node count is known yet and the project's Ansible inventories name one host
    (``inventory``: file, host; _one_inventory_host)."""
    from multus_lint.model.charts import rke2_config_evidence

    profile = Profile()
    configs = sorted(project.k3s_configs, key=lambda d: d.source.path)
    apply_k3s_configs(profile, configs, sorted(project.k3s_flags, key=lambda f: f.doc.source.path))
    apply_node_distro(profile, configs, project.root, lambda: rke2_config_evidence(project))
    counted = False  # kind or talhelper configs that say how many nodes (one, or several)
    if not project.k3s_configs:
        said = generic_node_evidence((d.data, d.source.path) for d in project.documents
                                     if d.source.path not in undeployed or not deployed_object_evidence(d.data)) \
            or generic_nodes
        unsure = None if said is not None or not undeployed else generic_node_evidence(
            (d.data, d.source.path) for d in project.documents if d.source.path in undeployed)
        if said is not None:  # not K3s's nodes: judged as a generic cluster (or OpenShift's)
            apply_node_evidence(profile, said)
            counted = len(said) > 3
        elif unsure is not None:
            leave_distro_unsettled(profile, unsure, "no entry point deploys that file")
        elif other_nodes is not None:
            leave_distro_unsettled(profile, *other_nodes)
        else:
            hcc = rke2_config_evidence(project)
            if hcc is not None:
                apply(profile, {"distro": "rke2"}, f"{hcc.source.path} (a HelmChartConfig of RKE2's packaged "
                      f"{hcc.name}: the nodes run RKE2)", strict=False)
    if inventory is not None and "nodes" not in profile.sources and not counted:
        # (a K3s agent config's server: said more than one already; several kind or talhelper
        # nodes leave the count unknown, and an inventory does not settle it against them)
        path, host = inventory
        apply(profile, {"nodes": 1}, f"{path} (the project's Ansible inventories name one host, {host}: "
              "a one-node cluster)", strict=False)
    apply(profile, config.cluster, f"config {config.path or ''} cluster:".replace("  ", " "))
    if scope is not None and scope.cluster:
        apply(profile, scope.cluster, scope.cluster_source)
    apply(profile, flags, "command line")
    return profile


def enabled_codes(config: Config, options: Options) -> set[str]:
    select = options.select or config.select
    codes, unknown = registry.expand(select or ["ALL"])
    if unknown:
        raise ConfigError(f"--select: unknown rule '{unknown[0]}'")
    ignored, unknown = registry.expand(config.ignore + options.ignore)
    if unknown:
        raise ConfigError(f"--ignore: unknown rule '{unknown[0]}'")
    return codes - ignored


def _without_gc(fn: Any) -> Any:
    """Run ``fn`` with the cyclic garbage collector paused.

    A run allocates millions of small objects (composed YAML nodes, data) that all live
    until the end; each automatic collection re-walks every one of them, which made the
    collector most of the run time on large inputs (4.7 s of 6 s on 10,000 documents).
    The run creates no garbage cycles worth collecting, so nothing is lost.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return wrapper


@_without_gc
def run(options: Options, config: Config) -> Result:
    registry.load_rules()
    codes = enabled_codes(config, options)
    root = project_root(config, options)
    progress = options.progress or (lambda stage, done, total: None)
    cache = open_cache(options, config, root)
    listed: list[str] = []
    deferred: list[tuple[SourceFile, Candidate, str, os.stat_result]] = []
    templates: list[str] = []
    inventory_texts: list[str] = []
    sources, named = collect(options, config, root, cache, listed, deferred, templates, inventory_texts)
    unlinted = sorted(set(templates))
    listed.extend(unlinted)  # a template or script added or removed changes what ML507 or the profile say
    inventory_texts = _distinct_paths(inventory_texts)
    listed.extend(inventory_texts)  # an inventory added or removed changes the node count
    # the walks list manifest templates and shell scripts together (load.discover.UNLINTED_SUFFIXES):
    # scripts are read for K3s settings only, under a cap of their own
    templates = [p for p in unlinted if not p.lower().endswith(SCRIPT_SUFFIXES)]
    scripts = [p for p in unlinted if p.lower().endswith(SCRIPT_SUFFIXES)]
    installers = functools.cache(functools.partial(_read_templates, templates, config.limits))  # once a run
    shell = functools.cache(functools.partial(_read_templates, scripts, config.limits, MAX_SCRIPTS))
    drop_listings()  # one started at start-up that this run did not need (cli._start_listing)
    if named < len(sources) or len(options.paths) > 1:  # one path alone is walked in this order
        sources = in_walk_order(sources, root.path)
    progress("modelling", 0, 1)
    if named == 0:
        raise ConfigError("no files to lint (no .yaml, .yml, .json, .conf or .conflist below the paths given)")
    stored = None
    if options.replay and cache is not None and "-" not in options.paths:
        stored = Replay(cache.directory, root.path, _run_key(options, config, root, sources, listed))
        replayed = _replayed(stored, sources, named, root, config)
        if replayed is not None:
            cache.save()
            return replayed
    if not read_deferred(deferred, config.limits, cache):
        stored = None  # a file changed under the run: its findings are not stored
    parsed = parse_sources(sources, config.limits, cache)
    if cache is not None:
        cache.save()
    # nothing else read (no config file, no repository): the project is what was named, and
    # a cluster folder beside a named file is not part of it (its files were never read)
    within = None if root.context else [os.path.abspath(p) for p in options.paths if p != "-" and os.path.isdir(p)]
    scopes = find_scopes(sources, parsed, root.path, config.clusters, config.limits, config.path, within)
    facts = FactCache(cache.directory, cache.key) if cache is not None else None
    inventory, inventory_reads = _one_inventory_host(sources, parsed, root.path, inventory_texts, config.limits,
                                                     scopes)
    if len(scopes) <= 1:  # the whole root is one cluster: judged as always, no scope named
        listed_nodes = _list_root_node_evidence(sources, parsed)  # before build_project takes the parses
        project = build_project(sources, root.path, config.limits, parsed)
        project.facts = facts
        project.extra_reads.update(inventory_reads)
        _attach_templates(project, installers)
        profile = _profile(config, project, options, scopes[0] if scopes else None, listed_nodes, installers,
                           inventory=inventory, undeployed=_undeployed(scopes[0] if scopes else None, sources),
                           scripts=shell)
        findings = judge(project, profile, config, codes, progress)
        runs = [ScopeRun(scopes[0] if scopes else None, project, profile)]
    else:
        project = Project(root=root.path, limits=config.limits, sources=sources)
        project.extra_reads.update(inventory_reads)
        runs, judged = [], []
        # Talos and kind configs often sit beside the clusters' manifests (talos/,
        # talconfig.yaml), in no scope, or in one cluster's folder: they could be any cluster's,
        # so a scope without node evidence of its own is judged neither against them nor as K3s
        in_clusters = set().union(*(s.files for s in scopes if s.name != REST))
        outside_nodes = _repo_generic_nodes(sources, parsed, in_clusters)
        other_nodes: tuple[Any, str] | None = None
        if outside_nodes is not None:
            other_nodes = (outside_nodes, "that file is in no cluster scope of a repository of several clusters")
        elif (anywhere := _repo_generic_nodes(sources, parsed)) is not None:
            other_nodes = (anywhere, "that file is another cluster's")
        outside = _scoped_nad_names(scopes, parsed)  # before build_project takes the parses
        rest_refs = _rest_network_names(scopes, sources, parsed)
        for scope in scopes:
            members = sorted(scope.files)
            if not options.all_scopes and not any(sources[i].named for i in members):
                runs.append(ScopeRun(scope, None, None))  # nothing named there: nothing to report
                continue
            sub = build_project([sources[i] for i in members], root.path, config.limits,
                                {j: parsed[i] for j, i in enumerate(members) if i in parsed})
            sub.facts = facts
            if scope.name == REST:
                sub.outside_nad_names = outside
            else:
                sub.outside_ref_names = rest_refs
            _attach_templates(sub, installers)
            profile = _profile(config, sub, options, scope, None, installers,
                               other_nodes, _undeployed(scope, sources), inventory,
                               scripts=shell)
            runs.append(ScopeRun(scope, sub, profile))
            judged.append((scope, judge(sub, profile, config, codes, progress)))
        findings = merge_scope_findings(judged, sources, labelled(scopes))
        profile = next((r.profile for r in runs if r.profile is not None), Profile())
    if facts is not None:
        facts.save()
    hidden, stale = 0, []
    if options.baseline:
        from multus_lint.filter.baseline import filter_counted

        before = len(findings)
        findings, stale = filter_counted(findings, options.baseline,
                                         {s.path for s in project.sources if s.named}, codes)
        hidden = before - len(findings)
    if stored is not None:
        from multus_lint.apply_fixes import fixable_findings  # what the text report counts

        extra: set[str] = set(project.extra_reads)
        for r in runs:
            if r.project is not None:
                extra |= r.project.extra_reads
        stored.save(findings, {id(f) for f in fixable_findings(findings, project.sources)},
                    {p: file_state(p) for p in sorted(extra)}, named, hidden, stale)
    return Result(findings, project, profile, named, root, hidden, stale, runs)


def _run_key(options: Options, config: Config, root: ProjectRoot, sources: list[SourceFile],
             listed: list[str]) -> list[str]:
    """Everything the findings of this run depend on (lint/replay.py), as text."""
    from multus_lint.load.digests import hexdigest

    baseline = f"{options.baseline}:{file_state(options.baseline)}" if options.baseline else ""
    listing = hexdigest("\0".join(sorted(listed)).encode("utf-8", "surrogatepass"), 32)
    try:
        cwd = os.getcwd()  # paths are shown relative to it
    except OSError:  # the working directory was deleted: nothing to replay against
        cwd = f"<none {os.getpid()} {id(options)}>"
    return [repr(config), cwd, repr((root.path, root.source, root.context)),
            repr((options.paths, options.stdin_filename, options.select, options.ignore,
                  sorted(options.profile_flags.items()), options.all_scopes)), baseline, listing,
            *(source_key(s) for s in sources)]


def _replayed(stored: Replay, sources: list[SourceFile], named: int, root: ProjectRoot,
              config: Config) -> Result | None:
    raw = stored.load()
    found = findings_of(raw) if raw is not None else None
    if raw is None or found is None or raw.get("named") != named:
        return None
    hidden = raw.get("hidden")
    stale = raw.get("stale")
    project = Project(root=root.path, limits=config.limits, sources=sources)
    return Result(found, project, Profile(), named, root, hidden if isinstance(hidden, int) else 0,
                  stale if isinstance(stale, list) else [], [ScopeRun(None, project, None)])


def _read_templates(templates: list[str], limits: Any, cap: int | None = None) -> tuple[list[tuple[str, str]], list[str]]:
    """model.installed_plugins.read_templates of the run's templates, or scripts with their
    ``cap`` (none: nothing read)."""
    if not templates:
        return [], []
    from multus_lint.model.installed_plugins import read_templates

    return read_templates(templates, limits) if cap is None else read_templates(templates, limits, cap)


def _attach_templates(project: Project, templates: Any) -> None:
    """The manifest templates that may install plugins (``templates()``: _read_templates,
    read once a run whatever the scopes), given only where ML507 can speak (a Multus
    deployment and NADs): their contents are then what a replayed run must find unchanged,
    as the model's other reads (Project.extra_reads)."""
    if not project.has_multus_deployment or not project.nads:
        return
    from multus_lint.model.installed_plugins import template_installers

    texts, read_paths = templates()
    project.template_installers = template_installers(texts)
    project.extra_reads.update(read_paths)


def _template_settings(profile: Profile, project: Project, templates: Any, scripts: Any, scope: Scope | None,
                       declared: set[str]) -> None:
    """K3s settings the scope's templates write (model.profile.template_k3s_settings), its
    shell scripts pass (script_k3s_settings) and its Ansible variables pass as flags that
    are not literal (model.foreign_formats.K3sFlag) that the K3s configs read here do not
    settle, and no ``cluster:`` or flag declares: the rules that read them are not run.
    Read only where those rules can speak (a Multus deployment or a NAD), as
    _attach_templates."""
    if not (project.has_multus_deployment or project.nads):
        return
    from multus_lint.model import profile as profiles

    homes = [os.path.join(h, "") for h in scope.homes] if scope is not None and scope.homes else None
    for reader, find, what in ((templates, profiles.template_k3s_settings, profiles.TEMPLATE_WHAT),
                               (scripts, profiles.script_k3s_settings, profiles.SCRIPT_WHAT)):
        if reader is None:
            continue
        texts, read_paths = reader()
        if not texts:
            continue
        mine = [(path, text) for path, text in texts
                if homes is None or any(os.path.abspath(path).startswith(h) for h in homes)]
        project.extra_reads.update(read_paths)
        profiles.apply_template_settings(profile, [s for s in find(mine) if s[2] not in declared], what)
    filled_in = [(f.doc.source.path, f.line, f.key, f.value)
                 for f in sorted(project.k3s_flags, key=lambda f: f.doc.source.path)
                 if not f.literal and f.key not in declared]
    profiles.apply_template_settings(profile, filled_in, profiles.FLAG_WHAT)


def _distinct_paths(paths: list[str]) -> list[str]:
    """``paths`` without a second spelling of one file (a named folder's walk and the root's
    listing both pass it), in order of their real paths."""
    seen: dict[str, str] = {}
    for path in paths:
        seen.setdefault(os.path.realpath(path), path)
    return [seen[real] for real in sorted(seen)]


def _one_inventory_host(sources: list[SourceFile], parsed: dict[int, Any], root: str, texts: list[str],
                        limits: Any, scopes: list[Scope]) -> tuple[tuple[str, str] | None, list[str]]:
    """(file, host) when the project's Ansible inventories together name one host
    (model.ansible_inventory): the YAML ones among ``sources`` (load.discover.inventory_place,
    whose documents are in ``parsed``), and ``texts``, the others, read here; with the paths
    read (what a replayed run depends on). None also when something says more than one node:
    several cluster scopes (one host cannot be the nodes of two clusters: the inventories do
    not list them all), or a K3s agent config anywhere in the repository (``server:``: its node
    joins another; a scope's own ones are model.profile.apply_k3s_configs')."""
    from multus_lint.model.ansible_inventory import MAX_FILES, read_inventories
    from multus_lint.model.project import joins_a_server, root_relative
    from multus_lint.model.scopes import REST

    if sum(s.name != REST for s in scopes) > 1:
        return None, []
    yaml_files: list[tuple[str, list[Any]]] = []
    unreadable: list[tuple[str, str | None]] = []
    for i, src in enumerate(sources):
        if src.path.startswith("<") or not maybe_inventory(src.path) \
                or inventory_place(root_relative(src, root)) != "yaml":
            continue
        trees = parsed.get(i)
        if src.error is not None or (src.text or "").strip() and (not trees or any(p.tree is None for p in trees)):
            unreadable.append((src.path, None))  # Ansible may read what this parse does not
        elif trees:
            yaml_files.append((src.path, [p.tree.data for p in trees]))
    if not yaml_files and not texts and not unreadable or len(yaml_files) + len(texts) > MAX_FILES:
        return None, []  # (too many to read: the count stays unknown)
    read_paths = texts
    found = read_inventories(yaml_files, [*unreadable, *((display_path(p), read(p, p, limits).text)
                                                        for p in read_paths)])
    one = found.one_host()
    if one is None:
        return None, read_paths
    for i, src in enumerate(sources):
        if any(p.tree is not None and joins_a_server(src, p.tree.data, root) for p in parsed.get(i) or ()):
            return None, read_paths
    return one, read_paths


def _list_root_node_evidence(sources: list[SourceFile], parsed: dict[int, Any]) -> tuple[str, ...] | None:
    """model.profile.generic_node_evidence over the parsed documents whose root is a list
    (an Ansible task list running kubeadm): the project keeps only mappings as documents, so
    the scope's own evidence never sees them (a multi-scope run reads them in
    ``_repo_generic_nodes``). No text is scanned: only list roots are looked at."""
    def items() -> Iterable[tuple[Any, str]]:
        for i, trees in parsed.items():
            for p in trees or ():
                if p.tree is not None and isinstance(p.tree.data, list):
                    yield p.tree.data, sources[i].path

    return generic_node_evidence(items())


def _scoped_nad_names(scopes: list[Scope], parsed: dict[int, Any]) -> frozenset[str]:
    """The names of the NADs in the files of the cluster scopes (the (rest) scope's files may
    be applied to any of those clusters). By name only: a kustomization or Flux
    targetNamespace may move a NAD into another namespace than it writes."""
    if not any(s.name == REST for s in scopes):
        return frozenset()
    names = set()
    for i in set().union(*(s.files for s in scopes if s.name != REST)):  # a file of two scopes once
        for p in parsed.get(i) or ():
            data = p.tree.data if p.tree is not None else None
            if isinstance(data, dict) and data.get("kind") == NAD_KIND:
                meta = data.get("metadata")
                name = meta.get("name") if isinstance(meta, dict) else None
                if isinstance(name, str):
                    names.add(name)
    return frozenset(names)


def _undeployed(scope: Scope | None, sources: list[SourceFile]) -> frozenset[str]:
    """The paths of the scope's files that no entry point deploys (model.scopes Scope.adopted)."""
    return frozenset(sources[i].path for i in scope.adopted) if scope is not None else frozenset()


_NETWORK_KEYS = ("k8s.v1.cni.cncf.io/networks", "networkName")


def _rest_network_names(scopes: list[Scope], sources: list[SourceFile], parsed: dict[int, Any]) -> frozenset[str]:
    """Names of the networks that the files of the (rest) scope name: a networks annotation's
    entries (``[ns/]name[@if]`` or JSON ``name``), a KubeVirt ``networkName``. Read from
    the parsed data directly (those files are not modelled with a cluster scope's): generous,
    as ML410, an info, may be."""
    from multus_lint.net.annotation import parse

    rest = next((s for s in scopes if s.name == REST), None)
    if rest is None:
        return frozenset()
    names: set[str] = set()

    def add(value: str) -> None:  # as Multus reads it (a JSON name may hold "namespace/name")
        names.update(sel.name.rpartition("/")[2] for sel in parse(value).entries)

    def walk(node: Any, depth: int = 0) -> None:
        if depth > 40:
            return
        if isinstance(node, dict):
            for key, value in node.items():
                if key in _NETWORK_KEYS and isinstance(value, str):
                    add(value)
                else:
                    walk(value, depth + 1)
        elif isinstance(node, list):
            for item in node:
                walk(item, depth + 1)

    for i in rest.files:
        text = sources[i].text
        if text is None or not any(k in text for k in _NETWORK_KEYS):
            continue
        for p in parsed.get(i) or ():
            if p.tree is not None:
                walk(p.tree.data)
    names.discard("")
    return frozenset(names)


def _repo_generic_nodes(sources: list[SourceFile], parsed: dict[int, Any],
                        leave_out: set[int] | None = None) -> tuple[str, ...] | None:
    """model.profile.generic_node_evidence over every file of the root (scopes or not), but
    those in ``leave_out``."""
    def items() -> Iterable[tuple[Any, str]]:
        for i, src in enumerate(sources):
            if leave_out and i in leave_out:
                continue
            if src.text is not None and any(m in src.text for m in GENERIC_NODE_MARKERS):
                for p in parsed.get(i) or ():
                    if p.tree is not None:
                        yield p.tree.data, src.path

    return generic_node_evidence(items())


def _profile(config: Config, project: Project, options: Options, scope: Scope | None,
             generic_nodes: tuple[str, ...] | None = None, templates: Any = None,
             other_nodes: tuple[Any, str] | None = None, undeployed: frozenset[str] = frozenset(),
             inventory: tuple[str, str] | None = None, scripts: Any = None) -> Profile:
    """The scope's profile, and the model parts that depend on it."""
    profile = resolve_profile(config, project, options.profile_flags, scope, generic_nodes, undeployed,
                              other_nodes, inventory)
    declared = {*config.cluster, *options.profile_flags, *(scope.cluster if scope is not None else ())}
    _template_settings(profile, project, templates, scripts, scope, declared)
    from multus_lint.model.charts import add_packaged_releases

    add_packaged_releases(project, profile)  # RKE2's own rke2-multus, configured by a HelmChartConfig
    return profile


def judge(project: Project, profile: Profile, config: Config, codes: set[str],
          progress: Any) -> list[Finding]:
    """Every enabled checker on one scope's model, then the filters."""
    skipped = skipped_rules(profile)
    if skipped:  # values the scope's K3s configs dispute (ML605): not judged against a guess
        codes = {c for c in codes if not c.startswith(tuple(skipped))}
    # local checkers see the named files' objects only: what they would say of the context
    # is never reported (one view, shared by all of them, so their shared analyses are too);
    # the others see the whole project, and iterate that view where they report per object
    named_ctx = _named_context(project, profile, config)
    ctx = Context(project, profile, config, named_ctx.project if named_ctx else None)
    findings: list[Finding] = []
    checkers = registry.all_checkers()
    # an audit with much to judge: the checkers on two cores (lint/judge_parallel.py); a
    # run naming some files only (pre-commit) stays serial
    found = None if named_ctx is not None else judge_parallel.run(
        project, [c for c in checkers if any(r.code in codes for r in c.rules)], ctx, run_checker, progress)
    if found is not None:
        findings = [f for part in found for f in part]
    else:
        for done, checker in enumerate(checkers):
            progress("checking", done, len(checkers))
            if not any(r.code in codes for r in checker.rules):
                continue
            findings.extend(run_checker(checker, named_ctx if checker.local and named_ctx else ctx))
    # after the checkers: a shared analysis they ran may have contained an error (ML000)
    findings[:0] = [_problem_finding(src, prob) for src, prob in project.problems]
    progress("checking", len(checkers), len(checkers))
    return filter_findings(findings, project, config, codes)


def _named_context(project: Project, profile: Profile, config: Config) -> Context | None:
    """A context whose object lists hold the named files' objects only (look-ups keep
    every object); None when every file is named (an audit)."""
    if all(s.named for s in project.sources):
        return None
    from multus_lint.model.contain import without

    # an object kustomize patched may be located in the patch's file (Instance.origins),
    # which may be named when the object's own file is not: kept
    context_docs = {id(d) for d in project.documents
                    if not d.source.named and not getattr(d, "origins", None)}
    view = without(project, context_docs)
    view.duplicates = [d for d in project.duplicates if d[0].named]
    return Context(view, profile, config)


def _problem_finding(source: SourceFile, prob: Any) -> Finding:
    rule = registry.get(prob.code)
    assert rule is not None, prob.code
    return Finding(rule.code, rule.name, rule.severity, prob.message, source.path, prob.span,
                   prob.object)


def distinct(findings: Iterable[Finding]) -> list[Finding]:
    """The findings, each (code, path, span, message) once, the first kept: what
    filter_findings keeps. Dropped as they come, since objects that alias one anchored
    value repeat the same finding per object (250 pods x 900 entries: 225,000 findings
    for 900 distinct ones, most of a run's memory)."""
    out: list[Finding] = []
    seen: set[tuple] = set()
    for f in findings:
        # one hash of the key (its Span hashes in Python), not a look-up and then an add
        size = len(seen)
        seen.add((f.code, f.path, f.span, f.message))
        if len(seen) != size:
            out.append(f)
    return out


def run_checker(checker: Any, ctx: Context) -> list[Finding]:
    """The checker's findings; a bug that raises on one object costs the verdicts on that
    object only (model.contain): ML000 there, and the checker runs again without it."""
    codes = ", ".join(r.code for r in checker.rules)

    def work(project: Project) -> list[Finding]:
        view = ctx if project is ctx.project else Context(project, ctx.profile, ctx.config,
                                                          _rerun_named(ctx, project))
        return distinct(checker.fn(view))

    found, errors = contained(ctx.project, work, f"the check for {codes}", [])
    rule = registry.get("ML000")
    assert rule is not None
    for doc, prob in errors:
        path = doc.source.path if doc is not None else "<multus-lint>"
        found.append(Finding(rule.code, rule.name, rule.severity, prob.message, path, prob.span,
                             prob.object))
    return found


def _rerun_named(ctx: Context, project: Project) -> Project | None:
    """The named view of a rerun's ``project`` (ctx.project without the objects a bug was
    blamed on): ctx.named without those objects too, or the rerun would meet them again."""
    if ctx.named is None:
        return None
    from multus_lint.model.contain import without

    kept = {id(d) for d in project.documents}
    return without(ctx.named, {id(d) for d in ctx.project.documents if id(d) not in kept})


def filter_findings(findings: list[Finding], project: Project, config: Config,
                    codes: set[str]) -> list[Finding]:
    named_paths = {s.path for s in project.sources if s.named}
    sources = {s.path: s for s in project.sources}
    overrides: dict[str, str] = {}
    for key, sev in config.severity.items():
        for code in registry.expand([key])[0]:
            overrides[code] = sev
    out: list[Finding] = []
    seen: set[tuple] = set()
    placeholder_lines: set[tuple[str, int]] = set()
    held_at: dict[tuple[str, int, int], str | None] = {}
    plain_lines: set[tuple[str, int]] = set()  # lines that hold no placeholder at all
    ml003 = registry.get("ML003")
    # per file, the Flux ${VAR}s substituted with known values (lint/model/kustomize.py)
    filled = project.graph.filled_placeholders() if getattr(project, "graph", None) else {}
    unjudged = VALUE_FREE_CODES | {"ML000", "ML001", "ML002", "ML003", "ML004"}
    unreported: list[Finding] = []  # (in files not named: they may use a named object's suppression)
    for f in findings:
        code = f.code
        if code != "ML000" and (code not in codes or f.path not in named_paths):
            if code in codes:
                unreported.append(f)
            continue
        if code not in unjudged:
            key3 = (f.path, f.span.line, f.span.column)
            if key3[:2] in plain_lines:
                held = None  # (most findings: one set look-up, no line text)
            elif key3 in held_at:
                held = held_at[key3]
            else:
                # once per line and value, not per finding: aliases put thousands of
                # findings on one long line (250 pods x a 900-entry annotation took 85 s)
                src = sources.get(f.path)
                line = src.line_text(f.span.line) if src is not None else ""
                if ("{" in line or "%" in line) and TEMPLATE_RE.search(line) or "$" in line \
                        or "<" in line or "__" in line:
                    held = placeholder_at(line, f.span.column, filled.get(f.path, frozenset()))
                else:
                    plain_lines.add((f.path, f.span.line))
                    held = None
                held_at[key3] = held
            if held is not None:
                # The value judged holds a template placeholder: say so once, judge nothing.
                if (f.path, f.span.line) not in placeholder_lines and ml003 and ml003.code in codes:
                    placeholder_lines.add((f.path, f.span.line))
                    out.append(Finding(ml003.code, ml003.name, ml003.severity,
                                       f"value holds the template placeholder {held} and is not judged "
                                       f"until rendered (would have been {f.code} {f.rule}); "
                                       f"{render_advice(held)}", f.path, f.span,
                                       f.object))
                continue
        if f.code in overrides:
            f.severity = overrides[f.code]
        size = len(seen)  # (as in distinct: one hash per finding)
        seen.add((f.code, f.path, f.span, f.message))
        if len(seen) == size:
            continue
        out.append(f)
    from multus_lint.filter import suppress  # comments, annotations, per-path-ignores; ML005/ML006

    out = suppress.apply(out, project, config, codes, unreported)
    for f in out:
        if f.code in overrides:
            f.severity = overrides[f.code]
    out.sort(key=Finding.sort_key)
    return out


def exit_code(findings: list[Finding], fail_level: str) -> int:
    bar = SEVERITY_RANK[fail_level]
    return 1 if any(SEVERITY_RANK[f.severity] >= bar for f in findings) else 0
