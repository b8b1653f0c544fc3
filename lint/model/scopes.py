"""Cluster scopes: the files deployed to one cluster, judged with that cluster's profile and
against that cluster's objects only (issue 12).

A monorepo often holds several clusters. Objects of two clusters never meet, so cross-file
rules (overlapping ranges, shared masters, network resolution ...) must pair objects only
within one scope, and a K3s ``config.yaml`` describes the nodes of its own cluster only.

Where scopes come from, first match wins:

* **declared**: the config's ``clusters:`` list, ``{name, paths: [globs], cluster: {...}}``;
* **discovered**: the Flux layout's ``clusters/<name>/`` trees (the folder ``flux bootstrap``
  writes each cluster's sync into), and Flux ``Kustomization`` / Argo CD ``Application`` /
  ``ApplicationSet`` objects whose path points into the repository: what a cluster's entry
  points reach is that cluster's scope (Argo CD Applications grouped by destination);
* otherwise the whole root is one scope, as before.

Files that no scope reaches form one more scope of their own (``(rest)``), so nothing named
goes unjudged. How a path is followed is the controllers' own:

* Flux kustomize-controller joins ``spec.path`` to the source's root
  (internal/controller/kustomization_controller.go, ``securejoin.SecureJoin(tmpDir,
  obj.Spec.Path)``: a leading ``/`` or ``..`` never leaves it), and without a
  kustomization file there generates one holding every ``.yaml``/``.yml`` file below the
  folder, taking a sub-folder that has a kustomization file as one resource without descending
  into it (fluxcd/pkg kustomize/kustomize_generator.go, ``generateKustomization``);
* Argo CD resolves ``spec.source.path`` (and ``sources[].path``) against the repository root
  (reposerver/repository/repository.go, ``apppathutil.Path(repoRoot, source.Path)``); a plain
  directory source reads the ``.yaml``/``.yml``/``.json`` files of that folder only, and its
  sub-folders with ``directory.recurse: true`` (``findManifests``);
* a kustomization follows ``resources``, ``bases``, ``components`` and patch files relative to
  its own folder (kubernetes-sigs/kustomize api/internal/target/kusttarget.go); remote ones
  are never fetched.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Iterator
from typing import Any

from multus_lint.findings import Finding
from multus_lint.load.discover import SKIP_DIRS, absolute, working_directory
from multus_lint.load.parse import Parsed, parse_file
from multus_lint.load.read import Limits, SourceFile, read
from multus_lint.records import dataclass, field

# konfig.RecognizedKustomizationFileNames()
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
FLUX_GROUP = "kustomize.toolkit.fluxcd.io/"
ARGO_GROUP = "argoproj.io/"
FLUX_SUFFIXES = (".yaml", ".yml")  # the Flux generator's extensions
ARGO_SUFFIXES = (".yaml", ".yml", ".json")
REST = "(rest)"
IN_CLUSTER = "https://kubernetes.default.svc"
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@|github\.com/|gitlab\.com/|bitbucket\.org/)|\?ref=|//")


@dataclass(repr=False, eq=False)
class Scope:
    """The files deployed to one cluster."""

    name: str
    origin: str  # why these files, for --print-profile
    files: set[int] = field(default_factory=set)  # indices into the run's sources
    cluster: dict[str, Any] = field(default_factory=dict)  # declared profile keys
    cluster_source: str = ""  # where those keys were declared
    homes: list[str] = field(default_factory=list)  # folders whose files belong here (absolute)
    # files that are here by their folder, not because an entry point deploys them (an app
    # whose ks.yaml is commented out of its parent, the rest of a one-cluster run)
    adopted: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class EntryPoint:
    """A Flux Kustomization or an Argo CD Application source: a folder applied to a cluster."""

    what: str  # "Flux Kustomization flux-system/apps"
    source: int  # index of the file declaring it
    folder: str  # absolute folder its path names
    mode: str  # "flux", "argo" or "argo-recurse"
    destination: str | None = None  # Argo CD: the cluster (name or server)


class Files:
    """The run's sources by absolute path, with the folder queries reachability needs."""

    def __init__(self, sources: list[SourceFile], root: str, limits: Limits,
                 parsed: dict[int, list[Parsed]] | None = None) -> None:
        self.root = root
        self.parsed = parsed or {}
        self.real_root = os.path.realpath(root)
        self.limits = limits
        self.index: dict[str, int] = {}
        here = working_directory()
        for i, s in enumerate(sources):
            if not s.path.startswith("<"):
                self.index.setdefault(absolute(s.path, here), i)
        self.paths = sorted(self.index)
        self._kustomizations: dict[str, Any] = {}
        # reached() by (folder, mode): the same folders are reached from many entry points and
        # again each time a scope is closed (13,000 walks of the kustomize graph, 67,000 stats,
        # a second of every pre-commit run in a home-ops repository of 97 Flux Kustomizations)
        self._reached: dict[tuple[str, str], frozenset[int]] = {}
        self._paths_of: dict[int, str] | None = None

    def path_of(self, source: int) -> str:
        """The absolute path of source ``source`` ("" for standard input)."""
        if self._paths_of is None:
            self._paths_of = {}
            for path, i in self.index.items():
                self._paths_of.setdefault(i, path)
        return self._paths_of.get(source, "")

    def reached(self, point: EntryPoint) -> frozenset[int]:
        """The sources ``point`` applies (``reach``: a walk of the files, which never change
        during a run, so each folder and mode is walked once)."""
        key = (point.folder, point.mode)
        found = self._reached.get(key)
        if found is None:
            found = self._reached[key] = frozenset(
                self.index[f] for f in reach(self, point.folder, point.mode) if f in self.index)
        return found

    def below(self, folder: str, suffixes: tuple[str, ...], recurse: bool) -> Iterator[str]:
        prefix = folder.rstrip(os.sep) + os.sep
        import bisect

        start = bisect.bisect_left(self.paths, prefix)
        for path in self.paths[start:]:
            if not path.startswith(prefix):
                break
            if path.lower().endswith(suffixes) and (recurse or os.sep not in path[len(prefix):]):
                yield path

    def kustomization(self, folder: str) -> tuple[str, dict[str, Any]] | None:
        """(file, data) of the folder's kustomization file, read once; None without one."""
        if folder in self._kustomizations:
            return self._kustomizations[folder]
        found = None
        for name in KUSTOMIZATION_FILES:
            path = os.path.join(folder, name)
            # a symlink out of the root is never read (issue 14): its real path must be inside
            if os.path.isfile(path) and _inside(os.path.realpath(path), self.real_root):
                data = self._data(path)
                found = (path, data if isinstance(data, dict) else {})
                break
        self._kustomizations[folder] = found
        return found

    def _data(self, path: str) -> Any:
        # a source's parse, the run's (a kustomization.yaml is context by its name: parsed,
        # or taken from the cache, with the run's other files); else read through the
        # loader (its size limits), as for a "Kustomization" file (no suffix: no source)
        i = self.index.get(path)
        parsed = self.parsed.get(i) if i is not None else None
        if parsed is None:
            try:
                parsed = parse_file(read(path, path, self.limits), self.limits)
            except Exception:
                return None
        return parsed[0].tree.data if parsed and parsed[0].tree is not None else None


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _rel(path: str, root: str) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/")


def resolve_in_root(root: str, path: str) -> str:
    """``path`` (as written in a Flux or Argo CD object) joined to the repository root the
    way securejoin does: ``..`` and a leading ``/`` never climb out of it."""
    parts: list[str] = []
    for part in str(path).replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return os.path.join(root, *parts)


# ------------------------------------------------------------------ reachability


def reach(files: Files, folder: str, mode: str) -> set[str]:
    """The files a controller applies from ``folder`` (see the module docstring)."""
    out: set[str] = set()
    _reach(files, folder, mode, out, set())
    return out


def _reach(files: Files, folder: str, mode: str, out: set[str], seen: set[str]) -> None:
    if folder in seen or not _inside(folder, files.root):
        return
    seen.add(folder)
    kust = files.kustomization(folder)
    if kust is not None:
        _kustomize(files, folder, kust, out, seen)
        return
    if mode == "flux":
        nested = set()
        for path in files.below(folder, FLUX_SUFFIXES, recurse=True):
            sub = os.path.dirname(path)
            if any(_inside(sub, n) for n in nested):
                continue
            kdir = _kustomized_parent(files, folder, sub)
            if kdir is not None:  # a sub-folder with a kustomization: one resource, not walked
                nested.add(kdir)
                _reach(files, kdir, mode, out, seen)
                continue
            out.add(path)
        return
    if os.path.isfile(os.path.join(folder, "Chart.yaml")):
        return  # Argo CD renders a chart folder with Helm: its files are templates
    out.update(files.below(folder, ARGO_SUFFIXES, recurse=mode == "argo-recurse"))


def _kustomized_parent(files: Files, top: str, folder: str) -> str | None:
    """The outermost folder between ``top`` (excluded) and ``folder`` with a kustomization."""
    chain = []
    here = folder
    while here != top and _inside(here, top):
        chain.append(here)
        here = os.path.dirname(here)
    for f in reversed(chain):
        if files.kustomization(f) is not None:
            return f
    return None


def _kustomize(files: Files, folder: str, kust: tuple[str, dict[str, Any]], out: set[str],
               seen: set[str]) -> None:
    path, data = kust
    out.add(path)
    for entry in _kustomize_refs(data):
        if _REMOTE.search(entry):
            continue  # a remote base: never fetched
        target = os.path.normpath(os.path.join(folder, entry))
        if not _inside(target, files.root):
            continue
        if os.path.isdir(target):
            _reach(files, target, "flux", out, seen)
        else:
            out.add(target)


def _kustomize_refs(data: dict[str, Any]) -> Iterator[str]:
    for key in ("resources", "bases", "components", "crds", "patchesStrategicMerge"):
        items = data.get(key)
        if isinstance(items, list):
            for item in items:
                if isinstance(item, str) and "\n" not in item:
                    yield item
    for key in ("patches", "patchesJson6902"):
        items = data.get(key)
        if isinstance(items, list):
            for item in items:
                if isinstance(item, dict) and isinstance(item.get("path"), str):
                    yield item["path"]


# ------------------------------------------------------------------ entry points


def entry_points(sources: list[SourceFile], parsed: dict[int, list[Parsed]], root: str) -> list[EntryPoint]:
    """Every Flux Kustomization and Argo CD Application(Set) whose path is a folder of the
    repository, in source order."""
    out: list[EntryPoint] = []
    for i in sorted(parsed):
        for item in parsed[i]:
            data = item.tree.data if item.tree is not None else None
            for obj in _objects(data):
                api = obj.get("apiVersion")
                # every object of the project passes here, and most are neither Flux's nor
                # Argo CD's (10,000 objects: 20 ms of the serial model build, now 9)
                if isinstance(api, str) and api.startswith((FLUX_GROUP, ARGO_GROUP)):
                    out.extend(_entry(obj, i, root))
    return out


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(data, dict):
        return
    if data.get("kind") in ("List", "ResourceList") and isinstance(data.get("items"), list):
        yield from (o for o in data["items"] if isinstance(o, dict))
    else:
        yield data


def _entry(obj: dict[str, Any], index: int, root: str) -> Iterator[EntryPoint]:
    api, kind = obj.get("apiVersion"), obj.get("kind")
    if not isinstance(api, str) or not isinstance(kind, str):
        return
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    name = f"{meta.get('namespace') or 'default'}/{meta.get('name')}"
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    if api.startswith(FLUX_GROUP) and kind == "Kustomization":
        path = spec.get("path", "./")  # optional: the source's root
        if isinstance(path, str) and "${" not in path:
            folder = resolve_in_root(root, path)
            if os.path.isdir(folder):
                yield EntryPoint(f"Flux Kustomization {name}", index, folder, "flux")
        return
    if not api.startswith(ARGO_GROUP):
        return
    if kind == "Application":
        yield from _argo_sources(spec, f"Argo CD Application {name}", index, root, {})
    elif kind == "ApplicationSet":
        template = spec.get("template") if isinstance(spec.get("template"), dict) else {}
        tspec = template.get("spec") if isinstance(template.get("spec"), dict) else {}
        yield from _argo_sources(tspec, f"Argo CD ApplicationSet {name}", index, root, spec)


def _argo_sources(spec: dict[str, Any], what: str, index: int, root: str,
                  appset: dict[str, Any]) -> Iterator[EntryPoint]:
    dest = spec.get("destination") if isinstance(spec.get("destination"), dict) else {}
    destination = dest.get("name") or dest.get("server") or IN_CLUSTER
    if destination in ("in-cluster", IN_CLUSTER):
        destination = "in-cluster"
    if not isinstance(destination, str) or "{{" in destination:
        destination = None  # templated per generated app: grouped by the generator's paths
    sources = []
    if isinstance(spec.get("source"), dict):
        sources.append(spec["source"])
    if isinstance(spec.get("sources"), list):
        sources += [s for s in spec["sources"] if isinstance(s, dict)]
    for src in sources:
        path = src.get("path")
        if not isinstance(path, str) or src.get("chart"):
            continue  # a Helm repository chart, or no folder of this repository
        directory = src.get("directory") if isinstance(src.get("directory"), dict) else {}
        mode = "argo-recurse" if directory.get("recurse") is True else "argo"
        for folder in _argo_folders(root, path, appset):
            yield EntryPoint(what, index, folder, mode, destination)


def _argo_folders(root: str, path: str, appset: dict[str, Any]) -> Iterator[str]:
    if "{{" not in path:
        folder = resolve_in_root(root, path)
        if os.path.isdir(folder):
            yield folder
        return
    # An ApplicationSet's git directory generator: one app per folder its globs match
    # (the path is then "{{path}}" / "{{.path.path}}"); other templates are not followed.
    if not re.fullmatch(r"\{\{\s*\.?path(?:\.path)?\s*\}\}", path.strip()):
        return
    for gen in appset.get("generators") or []:
        git = gen.get("git") if isinstance(gen, dict) else None
        dirs = git.get("directories") if isinstance(git, dict) else None
        if not isinstance(dirs, list):
            continue
        include = [d["path"] for d in dirs if isinstance(d, dict) and isinstance(d.get("path"), str)
                   and not d.get("exclude")]
        exclude = [d["path"] for d in dirs if isinstance(d, dict) and isinstance(d.get("path"), str)
                   and d.get("exclude")]
        for dirpath, dirnames, _ in os.walk(root):  # symlinked folders are not followed
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SKIP_DIRS)
            rel = _rel(dirpath, root)
            if any(fnmatch.fnmatchcase(rel, g) for g in include) and \
                    not any(fnmatch.fnmatchcase(rel, g) for g in exclude):
                yield dirpath


# ------------------------------------------------------------------ scopes


def find_scopes(sources: list[SourceFile], parsed: dict[int, list[Parsed]], root: str,
                declared: list[dict[str, Any]], limits: Limits, config_path: str | None = None,
                within: list[str] | None = None) -> list[Scope]:
    """The run's cluster scopes; [] when the whole root is one. ``within``: the folders that
    make up the project when nothing else is read (the named folders; none when only files
    were named): a cluster folder elsewhere below the root holds none of the project."""
    files = Files(sources, root, limits, parsed)
    points = entry_points(sources, parsed, root)
    if declared:
        scopes = _declared(files, declared, config_path)
    else:
        scopes = _cluster_trees(files)
        if within is not None:
            scopes = [s for s in scopes if any(_inside(h, w) for h in s.homes for w in within)]
    for scope in scopes:
        _close(files, scope, points)
        if not declared and scope.homes:
            # a cluster folder holds every file below it, but Flux applies only what its sync
            # of that folder reaches: an app left out of its parent kustomization is not deployed
            scope.adopted |= scope.files - _deployed_from(files, scope.homes[0], points)
    if not declared:
        scopes += _root_entry_points(files, scopes, points)
    if not scopes:
        return []
    placed = set().union(*(s.files for s in scopes))
    _adopt(files, scopes, placed)
    rest = {i for i in range(len(sources)) if i not in placed}
    if rest and not declared:
        # K3s node configs outside every scope (an Ansible inventory's k3s_server/k3s_agent,
        # a config.yaml under an ansible/ or nodes/ tree) describe the repository's nodes:
        # when no scope holds one of its own, they join every cluster scope
        nodes = {i for i in rest if _node_config(sources[i], parsed.get(i), root)}
        if nodes and not any(_node_config(sources[j], parsed.get(j), root) for s in scopes for j in s.files):
            for scope in scopes:
                scope.files |= nodes
            rest -= nodes
    if rest and len(scopes) == 1 and not declared:
        # One cluster: files its entry points do not reach (a copy of part of a repository, an
        # app whose Flux Kustomization lives elsewhere) can only be that cluster's. Judged
        # alone they would miss the NADs they name and report them as dangling.
        scopes[0].files |= rest
        scopes[0].adopted |= rest
        scopes[0].origin += "; and the files no entry point reaches (one cluster only)"
        return scopes
    if rest:
        scopes.append(Scope(REST, "files no cluster scope reaches", rest))
    return scopes


def _node_config(source: SourceFile, parsed: list[Parsed] | None, root: str) -> bool:
    """A K3s config by its place (model.project.k3s_config_place), K3s configs held in
    Ansible variables (model.foreign_formats.ANSIBLE_K3S_KEYS), or Ansible variables passing
    K3s flags (model.foreign_formats.holds_k3s_flags)."""
    from multus_lint.model.foreign_formats import ANSIBLE_K3S_KEYS, holds_k3s_flags
    from multus_lint.model.project import k3s_config_place

    if source.path.startswith("<"):
        return False
    if k3s_config_place(_rel(os.path.abspath(source.path), root)):
        return True
    return any(isinstance(item.tree.data, dict) and (
        any(isinstance(item.tree.data.get(k), dict) for k in ANSIBLE_K3S_KEYS)
        or holds_k3s_flags(item.tree.data, source.path, source.text or ""))
        for item in parsed or () if item.tree is not None)


def _home_of(path: str, scopes: list[Scope]) -> list[Scope]:
    """The scopes with the deepest home folder holding ``path`` (several on a tie)."""
    best: list[Scope] = []
    depth = -1
    for scope in scopes:
        for home in scope.homes:
            if _inside(path, home) and len(home) >= depth:
                if len(home) > depth:
                    best, depth = [], len(home)
                if scope not in best:
                    best.append(scope)
    return best


def _adopt(files: Files, scopes: list[Scope], placed: set[int]) -> None:
    """A file no entry point reaches but that lies in a scope's folder belongs to that
    cluster: a K3s config of ``clusters/lab/``, an app whose ``ks.yaml`` is commented out
    of its parent kustomization (judged with the cluster it joins when enabled, not alone)."""
    for path, i in files.index.items():
        if i in placed:
            continue
        for scope in _home_of(path, scopes):
            scope.files.add(i)
            scope.adopted.add(i)
            placed.add(i)


def _declared(files: Files, declared: list[dict[str, Any]], config_path: str | None) -> list[Scope]:
    out = []
    for entry in declared:
        globs = [g.strip("/") for g in entry["paths"]]
        members = {i for path, i in files.index.items() if _matches(_rel(path, files.root), globs)}
        out.append(Scope(entry["name"], f"declared in {config_path or 'the config'} (clusters:)", members,
                         dict(entry.get("cluster") or {}),
                         f"config {config_path or ''} clusters[{entry['name']}].cluster".replace("  ", " ")))
    return out


def _matches(rel: str, globs: list[str]) -> bool:
    for g in globs:
        if rel == g or rel.startswith(g + "/") or fnmatch.fnmatchcase(rel, g) \
                or fnmatch.fnmatchcase(rel, g + "/*"):
            return True
    return False


def _cluster_trees(files: Files) -> list[Scope]:
    """One scope per ``clusters/<name>/`` folder (at the root, or one folder down)."""
    out = []
    for parent in _clusters_folders(files.root):
        for name in sorted(os.listdir(parent)):
            tree = os.path.join(parent, name)
            if name.startswith(".") or not os.path.isdir(tree):
                continue
            members = {files.index[p] for p in files.below(tree, ("",), recurse=True)}
            out.append(Scope(name, f"the cluster folder {_rel(tree, files.root)}/", members, homes=[tree]))
    return out


def _clusters_folders(root: str) -> Iterator[str]:
    top = os.path.join(root, "clusters")
    if os.path.isdir(top):
        yield top
        return
    try:
        entries = sorted(e.name for e in os.scandir(root) if e.is_dir() and not e.name.startswith("."))
    except OSError:
        return
    for name in entries:
        candidate = os.path.join(root, name, "clusters")
        if os.path.isdir(candidate):
            yield candidate


def _deployed_from(files: Files, home: str, points: list[EntryPoint]) -> set[int]:
    """What Flux deploys from the cluster folder ``home`` (``flux bootstrap``'s sync has
    spec.path ./clusters/<name>): its generated kustomization, then what every Kustomization
    or Application in there reaches, until nothing new is reached."""
    synced = Scope("", "", set(files.reached(EntryPoint(f"the cluster folder {home}", -1, home, "flux"))))
    _close(files, synced, points)
    return synced.files


def _close(files: Files, scope: Scope, points: list[EntryPoint], flux_only: bool = False) -> None:
    """Add what the scope's own entry points reach, until nothing new is reached."""
    done: set[EntryPoint] = set()
    while True:
        new = [p for p in points if p.source in scope.files and p not in done
               and not (flux_only and p.mode != "flux")]
        if not new:
            return
        for p in new:
            done.add(p)
            scope.files.update(files.reached(p))


def _root_entry_points(files: Files, scopes: list[Scope], points: list[EntryPoint]) -> list[Scope]:
    """Scopes of the entry points outside every cluster folder.

    A Flux Kustomization applies to the cluster its controller runs in, so what it reaches,
    and what the Kustomizations found there reach, is one cluster: the roots (those no other
    Kustomization reaches) outside the cluster folders are all one scope, the cluster of the
    Flux that syncs this repository. An Argo CD Application names its cluster
    (``spec.destination``): the Applications of one destination are one scope, whichever
    Application (an app of apps) created them.
    """
    placed = set().union(*(s.files for s in scopes)) if scopes else set()
    outside = [p for p in points if p.source not in placed]
    flux = [p for p in outside if p.mode == "flux"]
    reached = {p: files.reached(p) for p in flux}
    groups: dict[str, Scope] = {}
    # a root is reached by no other Kustomization, or only by ones it reaches itself: a cycle
    # (a `flux` Kustomization with path ./ of its OCIRepository, read here as this repository's
    # root, and the `cluster` one that applies it) has no other way in, and without this every
    # Kustomization of the cycle's cluster was a non-root, leaving that cluster unscoped
    roots = [p for p in flux if not any(p.source in r and q.source not in reached[p]
                                        for q, r in reached.items() if q.source != p.source)]
    # shallowest first: a Kustomization nothing applies (its ks.yaml commented out of the
    # parent kustomization) that lies in another root's folder joins that root's cluster
    roots.sort(key=lambda p: (p.folder.count(os.sep), p.folder))
    by_file: dict[int, str] = {}  # the file declaring a root -> its scope
    for p in roots:
        path = files.path_of(p.source)
        home = [g for g in _home_of(path, list(groups.values())) if path]
        joined = home[:1]
        if not home and path:
            # a Kustomization nothing applies (its ks.yaml commented out of the parent's
            # kustomization) declared inside a folder a cluster's Kustomizations apply (a
            # cluster-apps Kustomization with path ./kubernetes/apps) is that cluster's app
            # once enabled: it joins that cluster. When several clusters apply the folder
            # (clusters/<name>/ trees sharing kubernetes/apps) it is judged with each of them:
            # alone it would miss the NADs those clusters deploy and call them missing
            joined = [g for g in [*scopes, *groups.values()] if any(
                _inside(path, q.folder) for q in points if q.mode == "flux" and q.source in g.files)] \
                or _listing_scopes(files, path, [*scopes, *groups.values()])
        if joined:
            for g in joined:
                before = set(g.files)
                g.files.add(p.source)
                _close(files, g, points, flux_only=True)
                g.adopted |= g.files - before  # what only that Kustomization (nothing applies) reaches
            continue
        # Roots declared in one file (a ks.yaml holding two Kustomizations, "multus" and
        # "multus-networks") are applied by the same parent: one cluster, not one each.
        key = by_file.setdefault(p.source, _rel(p.folder, files.root))
        scope = groups.get(key)
        if scope is None:
            scope = groups[key] = Scope(key, p.what, {p.source}, homes=[p.folder])
        else:
            scope.homes.append(p.folder)
            if p.what not in scope.origin:
                scope.origin += f", {p.what}"
        _close(files, scope, points, flux_only=True)
    for p in outside:
        if p.mode == "flux":
            continue
        key = p.destination or _rel(p.folder, files.root)
        scope = groups.get(key)
        if scope is None:
            scope = groups[key] = Scope(key, p.what, set())
        elif p.what not in scope.origin:
            scope.origin += f", {p.what}"
        scope.homes.append(p.folder)
        # the Application itself too: its destination namespace applies to what it deploys
        # there (lint/model/kustomize.py reads it from the scope's own files)
        scope.files |= files.reached(p) | {p.source}
        _close(files, scope, [q for q in points if q.mode == "flux"], flux_only=True)
    return [s for s in groups.values() if s.files]


def _listing_scopes(files: Files, path: str, scopes: list[Scope]) -> list[Scope]:
    """The scopes holding the kustomization that would list ``path`` when enabled: the
    nearest one in a folder above it (k8s/apps/common/kustomization.yaml with
    ``# - qbittorrent/ks.yaml``), reached by a cluster through kustomize ``resources``
    rather than a Flux ``spec.path`` into that folder."""
    folder = os.path.dirname(path)
    while _inside(folder, files.root) and folder != os.path.dirname(folder):
        kust = files.kustomization(folder)
        if kust is not None:
            i = files.index.get(os.path.abspath(kust[0]))
            return [s for s in scopes if i is not None and i in s.files]
        if os.path.abspath(folder) == os.path.abspath(files.root):
            break
        folder = os.path.dirname(folder)
    return []


def labelled(scopes: Iterable[Scope]) -> bool:
    """Whether findings name their scope: when the run has two clusters or more (the rest
    of the files, judged on their own, is not one)."""
    return sum(1 for s in scopes if s.name != REST) > 1


# ------------------------------------------------------------------ findings of several scopes


def merge_scope_findings(judged: list[tuple[Scope, list[Finding]]], sources: list[SourceFile],
                         label: bool = True) -> list[Finding]:
    """One list from the findings of each judged scope.

    A finding every scope reports alike is kept once, naming them all. Its message says
    which scope(s) (and ``scope`` in JSON), since a file reached from two clusters can be
    right in one and wrong in the other. Where only some of the scopes holding the file
    report it, the verdict depends on the scope: its fix is dropped (``--fix`` never
    writes a value that came from another scope's profile), and an unused-suppression
    (ML006) is not reported, since the suppression is used in another scope. ``label``:
    whether findings name their scope (not with one cluster and the rest: which files are
    named must not change a finding's text).
    """
    holders: dict[str, list[str]] = {}
    for scope, _ in judged:
        for i in scope.files:
            holders.setdefault(sources[i].path, []).append(scope.name)
    merged: dict[tuple, tuple[Finding, list[str], list[Any]]] = {}
    for scope, findings in judged:
        for f in findings:
            key = (f.code, f.path, f.span, f.message, f.severity)
            if key in merged:
                merged[key][1].append(scope.name)
                merged[key][2].append(f.extra.get("fix"))
            else:
                merged[key] = (f, [scope.name], [f.extra.get("fix")])
    out = []
    for f, names, fixes in merged.values():
        held = holders.get(f.path, names)
        everywhere = set(names) >= set(held)
        if f.code == "ML006" and not everywhere:
            continue
        if "fix" in f.extra and not (everywhere and all(x == fixes[0] for x in fixes)):
            del f.extra["fix"]
        if label:
            where = ", ".join(names)
            f.extra["scope"] = where
            f.message = f"{f.message} [cluster scope{'s' * (len(names) > 1)}: {where}]"
        out.append(f)
    out.sort(key=Finding.sort_key)
    return out
