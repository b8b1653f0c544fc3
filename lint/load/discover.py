"""Finding the files to lint, and the rest of the project they are linted against."""

from __future__ import annotations

import fnmatch
import os
import re
import stat
import time
from collections.abc import Callable, Iterable, Iterator

from multus_lint.records import dataclass

# .bu: a Butane config (YAML) that may write the node's K3s config (model.foreign_formats)
SUFFIXES = (".yaml", ".yml", ".json", ".conf", ".conflist", ".bu")
# Manifest templates a deployment tool renders (Ansible's Jinja, Go templates): never linted
# (they parse only once rendered), but listed: one may be the DaemonSet that installs a CNI
# plugin (model.installed_plugins.template_installers)
TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".tpl", ".tmpl", ".gotmpl")
# Ansible inventories by their place (model.ansible_inventory reads what they say of the
# nodes): a file named as inventories usually are, anywhere, or a file of an inventory folder
# (Ansible reads every file of a folder inventory but group_vars/, host_vars/ and
# vars_plugins/: lib/ansible/inventory/manager.py IGNORED_ALWAYS). The YAML ones are read as
# any manifest; the others (INI, no extension, a script, TOML) are listed as templates are:
# never linted (``inventories``)
INVENTORY_NAMES = frozenset({"hosts", "hosts.yml", "hosts.yaml", "hosts.ini", "inventory.yml", "inventory.yaml",
                             "inventory.ini"})
INVENTORY_FOLDERS = frozenset({"inventory", "inventories"})
_INVENTORY_VARS = frozenset({"group_vars", "host_vars", "vars_plugins"})
INVENTORY_YAML = (".yml", ".yaml", ".json")  # the yaml plugin's yaml_extensions
INVENTORY_TEXT = ("", ".ini", ".py", ".sh", ".toml")  # the ini, script and toml plugins'
# Shell scripts: never linted either, but listed beside the templates (the walks' ``templates``
# list holds both; the runner keeps them apart): one may install K3s with flags that move the
# CNI dirs (model.profile.script_k3s_settings)
SCRIPT_SUFFIXES = (".sh",)
UNLINTED_SUFFIXES = TEMPLATE_SUFFIXES + SCRIPT_SUFFIXES
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox",
             ".mypy_cache", ".ruff_cache", ".pytest_cache", ".multus-lint_cache"}
# a listed path that needs a closer look: a folder to skip, an empty, "." or ".." part, a
# trailing slash (git lists none of these today; the listing is still not trusted blindly)
_ODD_PATH = re.compile(r"(?:^|/)(?:\.{0,2}|%s)/|(?:^|/)\.{0,2}$" % "|".join(map(re.escape, sorted(SKIP_DIRS))))
_DOTS = {"", ".", ".."}


@dataclass(repr=False, eq=False)
class Candidate:
    path: str  # as the user should see it
    real: str  # where to read it
    named: bool
    error: str | None = None  # why it is not read: a broken or looping symlink, a link out...
    # its real path, when the walk already knows it; for a refused entry where the entry
    # itself is (two links to one place outside are two findings, not one)
    canonical: str | None = None
    stat: os.stat_result | None = None  # its stat, when the listing already took it
    # its line in ``git ls-files -s -v``, when git says the work tree holds what the index
    # does (tracked, unmodified, a regular file): what the cache may know it by (GitState)
    git_line: str | None = None
    listed_ns: int = 0  # when git began listing (time.time_ns), with git_line or no_match
    # git grep searched its work tree bytes for the caller's patterns and found none
    no_match: bool = False


def inventory_place(rel: str) -> str | None:
    """Whether a file at ``rel`` (below the root, ``/``-separated) may be an Ansible inventory
    by its place: "yaml" for one the linter reads as YAML, "text" for another, None if not."""
    if "inventor" not in rel and "hosts" not in rel:
        return None  # (asked of every file of a listing: every name and folder above holds one)
    folder, _, name = rel.rpartition("/")
    if name not in INVENTORY_NAMES and "inventor" not in folder or name[:1] in ("", "."):
        return None
    dot = name.rfind(".")
    ext = name[dot:].lower() if dot > 0 else ""
    kind = "yaml" if ext in INVENTORY_YAML else "text" if ext in INVENTORY_TEXT else None
    if kind is None:
        return None
    dirs = folder.split("/") if folder else []
    if not _INVENTORY_VARS.isdisjoint(dirs):
        return None
    return kind if name in INVENTORY_NAMES or not INVENTORY_FOLDERS.isdisjoint(dirs) else None


def maybe_inventory(path: str) -> bool:
    """Whether a file may be at an inventory place (``inventory_place``), by a test of its
    path as given (any form) that is cheaper than finding its path below the root."""
    return "inventor" in path or path.replace("\\", "/").rpartition("/")[2] in INVENTORY_NAMES


def walk_order(dirs: list[str], name: str) -> str:
    """The sort key of a walk's entry ``name`` in the folder ``dirs`` (below the root): a
    folder's files (by name), then its folders (by name); a folder itself is ``name`` "".
    "\0" and "\1" sort below any character of a name."""
    return "\1".join(dirs) + "\0" + name


def working_directory() -> str | None:
    """The working directory and a separator, as ``absolute`` takes it; None where it
    cannot be told (deleted) or paths are not POSIX ones."""
    if os.sep != "/":
        return None
    try:
        return os.path.join(os.getcwd(), "")
    except OSError:
        return None


def absolute(path: str, here: str | None) -> str:
    """``os.path.abspath(path)``; a plain relative path (no "." or ".." part, no doubled or
    trailing slash) is ``here`` and itself, without the normalisation (asked once per source
    of a run: 1,400 in a pre-commit run of a large repository)."""
    if here is not None and path[:1] not in ("/", ".", "") and "/." not in path and "//" not in path \
            and not path.endswith("/"):
        return here + path
    return os.path.abspath(path)


def display_path(path: str) -> str:
    """Relative to the current directory when below it, else as given."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


class _Patterns:
    """``exclude`` patterns compiled once: a path is excluded when a pattern matches it, a
    folder above it, or its base name (as fnmatch would, one pattern at a time). Literal
    patterns are set look-ups, the others one combined regex each for path and base name:
    20,000 patterns cost one compile, not several fnmatch calls per pattern per file."""

    def __init__(self, patterns: list[str]) -> None:
        self.source = patterns
        literal, wild = set(), []
        for pat in patterns:
            p = pat.rstrip("/")
            if any(c in p for c in "*?["):
                wild.append(p)
            else:
                literal.add(p)
        self.literal = literal
        # alternations of a few hundred patterns: one huge regex compiles far slower than
        # these chunks together, and each file is then a handful of matches
        chunks = [wild[i:i + 200] for i in range(0, len(wild), 200)]
        self.path_res = [re.compile("|".join(f"{fnmatch.translate(p)}|{fnmatch.translate(p + '/*')}"
                                             for p in chunk)) for chunk in chunks]
        bases = [p for p in wild if "/" not in p]  # only these can match a base name
        self.base_res = [re.compile("|".join(fnmatch.translate(p) for p in bases[i:i + 200]))
                         for i in range(0, len(bases), 200)]

    def match(self, rel: str) -> bool:
        base = rel.rsplit("/", 1)[-1]
        if base in self.literal:
            return True
        parts = rel.split("/")
        for i in range(1, len(parts) + 1):  # rel itself and every folder above it
            if "/".join(parts[:i]) in self.literal:
                return True
        return any(r.match(rel) for r in self.path_res) or any(r.match(base) for r in self.base_res)


_COMPILED: dict[int, _Patterns] = {}


def _compiled(patterns: list[str]) -> _Patterns:
    hit = _COMPILED.get(id(patterns))
    if hit is None or hit.source is not patterns:  # the same list object, not a reused id
        if len(_COMPILED) > 16:
            _COMPILED.clear()
        hit = _COMPILED[id(patterns)] = _Patterns(patterns)
    return hit


def excluded(path: str, root: str, patterns: list[str]) -> bool:
    if not patterns:
        return False
    rel = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    return _compiled(patterns).match(rel)


def walk(top: str, root: str, exclude: list[str], named: bool,
         known: Callable[[str, os.stat_result], bool] | None = None,
         guess: Iterable[str] = (), skipped: list[str] | None = None,
         git_known: Callable[[set[str]], set[str]] | None = None,
         grep: tuple[str, ...] = (), settled: Callable[[list[str]], None] | None = None,
         by_place: Callable[[str], bool] = lambda rel: False,
         templates: list[str] | None = None, inventories: list[str] | None = None) -> Iterator[Candidate]:
    """Manifest files below ``top``. Directory symlinks are followed only into places not
    already being walked (no loops, no climbing back up the tree).

    The project's context (``top`` is the root, nothing named) of a git repository is
    listed by ``git ls-files`` instead, which also honours .gitignore (a walk of 100,000
    documents took 0.9 s, the listing 0.03 s), with the walk's rules for what is kept.
    ``known(rel, stat)``: True for a listed regular file the caller already knows it does
    not need (load.cache: unchanged, and no context), left out before any other work, and
    its path added to ``skipped``. ``guess``: paths (below the root) the caller expects
    git to list; they are examined while git lists, in its own process.
    ``git_known(lines)``: of the index lines (``GitState``) of files git says are
    unmodified, those the caller knows it does not need; they are left out unexamined
    (no ``lstat``), and one entry standing for all of them is added to ``skipped``.
    ``grep``: extended regular expressions; ``git grep`` searches the work tree for them
    while git lists, and a listed file it searched without a match is yielded with
    ``Candidate.no_match`` (the caller need not read it to know it holds none). With
    ``settled``, such a file that git says is unmodified since the index was written, the
    index being older than the search by the racy margin, is not even yielded: its index
    line goes to ``settled`` (unless ``by_place(rel)``: a file that matters by its path).
    ``templates`` gets the path of every regular file with an UNLINTED_SUFFIXES name (a
    manifest template or a shell script) the walk keeps (not yielded: never linted),
    ``inventories`` that of every regular file that is an Ansible inventory by its place and
    not YAML (``inventory_place``: "text")."""
    if not named and top == root and is_repo_root(root):
        found = _git_listed(root, guess, git_known is not None or bool(grep), grep)
        if found is not None:
            listed, stats, clean, no_match = found.paths(git_known, skipped, settled, by_place)
            yield from _from_listing(root, listed, exclude, known, stats, skipped, clean,
                                     getattr(found, "started", 0), no_match, templates, inventories)
            return
    yield from _walk(top, root, exclude, named, templates=templates, inventories=inventories,
                     root_real=os.path.realpath(root) if inventories is not None else None)


# Clean and smudge filters (git-lfs, git-crypt) make the work tree's bytes something else
# than the blob the index names: where one may be in use, no file is known by its blob.
# core.trustctime=false and core.checkStat=minimal make git's clean check weaker than the
# cache's own (a same-size rewrite with the old mtime passes it): no line is trusted either.
_GIT_CONFIG = r"^(filter\..*|core\.attributesfile|core\.trustctime|core\.checkstat)$"


@dataclass(repr=False, eq=False)
class GitState:
    """What git says of the repository's files: ``ls-files -z -s -v -c -o`` (each tracked
    path with its tag, mode, blob and stage; each untracked one as ``? path``), the tracked
    paths ``diff-files`` finds changed in the work tree, and whether a clean/smudge filter
    may apply (``filters``).

    A tracked file whose index line is ``H <mode> <blob> 0`` and which diff-files does not
    name holds that blob's bytes (git compares the index's stat of it, and the content of a
    racily clean one, as git status does), unless a filter converts it: the cache then
    knows it by that line, without examining the file (load.cache: 33,784 ``lstat`` calls
    were most of a warm pre-commit run). ``H`` only: ``h`` (assume-unchanged) and ``S``
    (skip-worktree) are entries git does not check."""

    raw: str  # the listing, NUL-terminated lines
    changed: set[str]  # tracked paths whose work tree differs from the index
    filters: bool  # a filter may convert some file: no line is trusted
    stats: dict[str, os.stat_result]  # of the guesses, taken while git listed
    started: int = 0  # time.time_ns() before git was started
    # paths git grep found a pattern in; None: no grep was run
    matched: set[str] | None = None
    # the index was written before git was started, by the racy margin: a clean entry's
    # file (its stat the index's) last changed before that too
    index_settled: bool = False

    def paths(self, git_known: Callable[[set[str]], set[str]] | None, skipped: list[str] | None,
              settled: Callable[[list[str]], None] | None = None,
              by_place: Callable[[str], bool] = lambda rel: False,
              ) -> tuple[list[str], dict[str, os.stat_result], dict[str, str], set[str]]:
        """The listed paths still to examine (sorted), the guesses' stats, the index lines
        of those git says are unmodified regular files, and the paths git grep searched in
        the work tree without a match; the lines ``git_known`` knows are left out (set
        operations, not a loop in Python: 33,000 lines).

        git grep reads the work tree file of an ordinary index entry and of an untracked
        file (builtin/grep.c grep_cache, grep_directory); a skip-worktree entry's blob
        instead, and git does not promise what it reads for an assume-unchanged one: only
        ``H`` entries at stage 0 and ``?`` files count as searched."""
        lines: Iterable[str] = self.raw.split("\0")
        known: set[str] = set()
        if git_known is not None and not self.filters:
            current = set(lines)
            current.discard("")
            edited = self._lines_of(self.changed, current)
            current.difference_update(edited)
            known = git_known(current)
            if known:  # what is left to examine, by set operations (the order is not kept)
                current -= known
                current.update(edited)
                lines = current
        paths: set[str] = set()
        clean: dict[str, str] = {}
        no_match: set[str] = set()
        quiet: list[str] = []  # unmatched, unmodified since the settled index: not examined
        changed, matched = self.changed, self.matched
        settle = settled is not None and matched is not None and self.index_settled and not self.filters
        for line in lines:
            if not line:
                continue
            if line[:2] == "? ":
                paths.add(line[2:])
                if matched is not None and line[2:] not in matched:
                    no_match.add(line[2:])
                continue
            head, tab, rel = line.partition("\t")
            if not tab:
                continue
            paths.add(rel)
            fields = head.split(" ")
            ordinary = len(fields) == 4 and fields[0] == "H" and fields[3] == "0"
            if matched is not None and ordinary and rel not in matched:
                # (a manifest template or script is listed for the model: never left out)
                if settle and fields[1] in ("100644", "100755") and rel not in changed and not by_place(rel) \
                        and not rel[-7:].lower().endswith(UNLINTED_SUFFIXES):
                    quiet.append(line)
                    paths.discard(rel)
                    continue
                no_match.add(rel)
            if not self.filters and ordinary and fields[1] in ("100644", "100755") and rel not in changed:
                clean[rel] = line
        if quiet:
            settled(quiet)  # type: ignore[misc]
        if (known or quiet) and skipped is not None:
            # what a replay depends on: the listing itself (every path, every blob)
            from multus_lint.load.digests import hexdigest

            skipped.append("\0git:" + hexdigest(self.raw.encode("utf-8", "surrogateescape"), 32))
        return sorted(paths), self.stats, clean, no_match

    def _lines_of(self, rels: set[str], current: set[str]) -> list[str]:
        """The listing's lines of the paths ``rels`` (a few: the files being edited)."""
        if len(rels) > 256:
            return [line for line in current if line.partition("\t")[2] in rels]
        raw, out = self.raw, []
        for rel in rels:
            needle = "\t" + rel + "\0"
            at = raw.find(needle)
            while at != -1:
                out.append(raw[raw.rfind("\0", 0, at) + 1:at + len(needle) - 1])
                # a path's other lines (the stages of a conflict) follow it: git lists the
                # index in its order, by path then stage (not another scan of the whole
                # listing per path: 1 ms each in a 33,000-file repository)
                start = at + len(needle)  # the next line
                stop = raw.find("\0", start)
                at = raw.find("\t", start, stop) if stop != -1 else -1
                if at == -1 or raw[at:stop + 1] != needle:
                    break
        return out


def _git_env(root: str) -> dict[str, str]:
    """The environment git runs in for ``root``: GIT_* of a hook (GIT_DIR, GIT_INDEX_FILE,
    GIT_WORK_TREE) would point git elsewhere, and the ceiling keeps a fake or broken .git
    from sending it to a repository above the root."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_CEILING_DIRECTORIES"] = os.path.dirname(os.path.abspath(root))
    return env


class _GitRun:
    """The git processes of one listing (``_git_listed``), started at once and waited for
    when their output is needed: git lists on another core meanwhile."""

    def __init__(self, root: str, state: bool, grep: tuple[str, ...] = ()) -> None:
        env = _git_env(root)
        commands = [["ls-files", "-z", "-c", "-o", "--exclude-standard"]]
        if state:
            commands = [["ls-files", "-z", "-s", "-v", "-c", "-o", "--exclude-standard"],
                        ["diff-files", "-z", "--name-only"],
                        ["config", "-z", "--get-regexp", _GIT_CONFIG]]
        if grep:
            # bytes, not characters (LC_ALL=C): the patterns are ASCII; no pager, no
            # textconv, every file's name from the root, untracked files too (not ignored)
            env["LC_ALL"] = "C"
            # only the files the walk keeps (a repository's images and archives are not read)
            # --no-color: color.grep=always in a user's config wraps each name in escapes
            commands = [["-c", "grep.fallbackToNoIndex=false", "grep", "-l", "-z", "--full-name", "--no-color",
                         "--no-textconv", "--untracked", "-E", *(a for p in grep for a in ("-e", p)),
                         "--", *(f":(icase)*{suffix}" for suffix in SUFFIXES)]]
        self.grep = bool(grep)
        self.started = time.time_ns()
        self.jobs: list[_Spawned | _Piped] = []
        job = _Spawned if _Spawned.usable() else _Piped
        try:
            for args in commands:
                self.jobs.append(job(["git", "-C", root, *args], env))
        except (OSError, ValueError, ImportError):  # no git: the walk
            self.kill()
            self.jobs = []

    def kill(self) -> None:
        for job in self.jobs:
            job.kill()

    def wait(self) -> list[bytes] | None:
        """The outputs, or None where git could not say (did not start, did not finish in
        time, failed)."""
        if not self.jobs:
            return None
        try:
            results = [job.wait(65) for job in self.jobs]
        except BaseException:  # an interrupt: git is not left running
            self.kill()
            raise
        if any(r is None for r in results):
            self.kill()
            return None
        codes = [r[0] for r in results]  # type: ignore[index]
        # `git config --get-regexp` and `git grep` exit 1 when nothing matches
        if codes[0] not in ((0, 1) if self.grep else (0,)) \
                or len(codes) > 1 and (codes[1] != 0 or codes[2] not in (0, 1)):
            return None
        return [r[1] for r in results]  # type: ignore[index]


class _Spawned:
    """One git process writing into an anonymous memory file (Linux ``memfd_create``),
    read once git has exited: git never waits on a full pipe nobody reads yet, no thread
    reads it, no file is made (a temporary file would be outside the project, which the
    linter never touches), and ``posix_spawn`` needs neither the subprocess nor the
    threading module: their import, three reader threads and three Popen calls were
    25-50 ms of a warm pre-commit run (whose whole is ~300 ms)."""

    _usable: bool | None = None

    @staticmethod
    def usable() -> bool:
        """Whether this system has all three: Python names them on every Linux, but the
        kernel may not (memfd_create is Linux 3.17, pidfd_open 5.3: CentOS 7 runs 3.10),
        so each is tried once."""
        if _Spawned._usable is None:
            ok = hasattr(os, "memfd_create") and hasattr(os, "posix_spawnp") and hasattr(os, "pidfd_open")
            if ok:
                try:
                    os.close(os.pidfd_open(os.getpid()))
                    os.close(os.memfd_create("multus-lint-probe", os.MFD_CLOEXEC))
                except OSError:
                    ok = False
            _Spawned._usable = ok
        return _Spawned._usable

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.out = os.memfd_create("multus-lint-git", os.MFD_CLOEXEC)
        self.pid = 0
        try:
            self.pid = os.posix_spawnp(argv[0], argv, env, file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_DUP2, self.out, 1),  # dup2 clears close-on-exec on fd 1
                (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)])
        except BaseException:
            os.close(self.out)
            raise

    def wait(self, timeout: float) -> tuple[int, bytes] | None:
        """(exit code, output), or None if git did not end within ``timeout`` seconds."""
        import select

        if not self.pid:
            return None
        pidfd = os.pidfd_open(self.pid)  # readable once the process has exited
        try:
            poller = select.poll()  # poll, not select: no FD_SETSIZE limit on the descriptor
            poller.register(pidfd, select.POLLIN)
            if not poller.poll(timeout * 1000):
                return None
        finally:
            os.close(pidfd)
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        size = os.fstat(self.out).st_size
        chunks, offset = [], 0
        while offset < size:
            chunk = os.pread(self.out, size - offset, offset)
            if not chunk:
                break
            chunks.append(chunk)
            offset += len(chunk)
        os.close(self.out)
        self.out = -1
        return os.waitstatus_to_exitcode(status), b"".join(chunks)

    def kill(self) -> None:
        if self.pid:
            try:
                os.kill(self.pid, 9)
                os.waitpid(self.pid, 0)
            except OSError:  # already gone (reaped, or never started)
                pass
            self.pid = 0
        if self.out >= 0:
            os.close(self.out)
            self.out = -1


class _Piped:
    """One git process whose output a thread reads as it comes (where there is no memfd,
    posix_spawn or pidfd: macOS, older kernels): git never waits on a full pipe."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        import subprocess
        import threading

        self.output: bytes | None = None
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env=env)
        self.reader = threading.Thread(target=self._read_all, daemon=True)
        self.reader.start()

    def _read_all(self) -> None:
        import subprocess

        try:
            self.output = self.proc.communicate(timeout=60)[0]
        except (OSError, subprocess.SubprocessError):
            pass  # no listing: the walk

    def wait(self, timeout: float) -> tuple[int, bytes] | None:
        self.reader.join(timeout)
        if self.output is None or self.reader.is_alive():
            return None
        return self.proc.returncode, self.output

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()


_STARTED: dict[tuple[str, bool], _GitRun] = {}


def start_listing(root: str, state: bool) -> None:
    """Start listing ``root`` (``_git_listed``) now, before the run needs it: at start-up
    git then lists on another core while Python imports the linter. A listing never asked
    for is dropped (``drop_listings``)."""
    key = (os.path.abspath(root), state)
    if key not in _STARTED and is_repo_root(root):
        _STARTED[key] = _GitRun(root, state)


def drop_listings() -> None:
    while _STARTED:
        _STARTED.popitem()[1].kill()


def _git_listed(root: str, guess: Iterable[str] = (), state: bool = False,
                grep: tuple[str, ...] = ()) -> GitState | _Listed | None:
    """Tracked and untracked, not ignored, paths below ``root`` (relative, ``/``-separated),
    with the ``lstat`` of each ``guess`` taken while git lists (it runs in another process:
    on a 33,000-file repository both take about 20 ms); None where git cannot say (no
    git, not a real repository, a dubious owner): the walk. ``state``: the index lines,
    changed paths and filters as well (GitState), from three git processes run at once."""
    run = _STARTED.pop((os.path.abspath(root), state), None) or _GitRun(root, state)
    searched = _GitRun(root, False, grep) if grep and state else None
    stats: dict[str, os.stat_result] = {}
    prefix, lstat = os.path.join(root, ""), os.lstat
    try:
        for rel in guess:
            try:
                stats[rel] = lstat(prefix + rel)
            except (OSError, ValueError):
                pass
    except BaseException:  # an interrupt: git is not left running
        run.kill()
        if searched is not None:
            searched.kill()
        raise
    outputs = run.wait()
    found = searched.wait() if searched is not None else None
    if outputs is None:
        return None
    listing = outputs[0].decode("utf-8", "surrogateescape")
    if not state:
        return _Listed(sorted(set(listing.split("\0")) - {""}), stats)
    changed = set(outputs[1].decode("utf-8", "surrogateescape").split("\0")) - {""}
    filters = _untrusted(root, listing, outputs[2])
    matched = None
    if found is not None:  # no search (git failed): every file is read
        matched = set(found[0].decode("utf-8", "surrogateescape").split("\0")) - {""}
    from multus_lint.load.cache import settled_before

    try:
        settled = settled_before(os.stat(os.path.join(root, ".git", "index")).st_mtime_ns, run.started)
    except OSError:  # a worktree's or submodule's .git file: its index is elsewhere
        settled = False
    return GitState(listing, changed, filters, stats, run.started, matched, settled)


@dataclass(repr=False, eq=False)
class _Listed:
    """The plain listing (no cache to know files by their blobs)."""

    listed: list[str]
    stats: dict[str, os.stat_result]

    def paths(self, git_known: object, skipped: object, settled: object = None, by_place: object = None,
              ) -> tuple[list[str], dict[str, os.stat_result], dict[str, str], set[str]]:
        return self.listed, self.stats, {}, set()


def _untrusted(root: str, listing: str, config: bytes) -> bool:
    """Whether git's config (``git config -z --get-regexp _GIT_CONFIG``) makes an index
    line no proof of a file's bytes: a filter that may apply, a weakened stat check."""
    settings = [item.partition(b"\n") for item in config.split(b"\0") if item]
    weak = any((key.lower() == b"core.trustctime" and value.strip().lower() in (b"false", b"no", b"off", b"0"))
               or (key.lower() == b"core.checkstat" and value.strip().lower() == b"minimal")
               for key, _, value in settings)
    filters = any(key.lower().startswith(b"filter.") for key, _, _ in settings)
    return weak or filters and _attributes_may_exist(root, listing, config)


def _attributes_may_exist(root: str, listing: str, config: bytes) -> bool:
    """Whether a filter configured in git's config may apply to a file here: some
    attributes file exists (a listed .gitattributes, the repository's info/attributes,
    core.attributesFile or the user's default one). Without one, no filter applies."""
    if ".gitattributes\0" in listing or b"core.attributesfile" in config.lower():
        return True
    dot_git = os.path.join(root, ".git")
    if not os.path.isdir(dot_git) or os.path.exists(os.path.join(dot_git, "info", "attributes")):
        return True  # a worktree or submodule: its git folder is elsewhere; assumed
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.exists(os.path.join(base, "git", "attributes"))


def _from_listing(root: str, listed: list[str], exclude: list[str],
                  known: Callable[[str, os.stat_result], bool] | None = None,
                  stats: dict[str, os.stat_result] | None = None,
                  skipped: list[str] | None = None,
                  clean: dict[str, str] | None = None, listed_ns: int = 0,
                  no_match: set[str] | None = None, templates: list[str] | None = None,
                  inventories: list[str] | None = None) -> Iterator[Candidate]:
    """Context candidates from git's listing, kept and shaped as ``_walk`` keeps them:
    SKIP_DIRS and exclude patterns, suffixes, symlinks (a file symlink out of the root is
    refused, a folder symlink into the tree is walked, and the folder it names then not
    again), FIFOs reported; a listed folder (a submodule, a nested repository) is walked."""
    real_root = os.path.realpath(root)
    seen = {real_root}  # real folders walked, shared with _walk as in one walk of the root
    shown: dict[str, str | None] = {}
    # string operations, not os.path calls: this loop runs once per file of the repository
    prefix, real_prefix = os.path.join(root, ""), os.path.join(real_root, "")
    entries = []
    lstat, is_reg, early = os.lstat, stat.S_ISREG, stats or {}
    odd_folders: dict[str, bool] = {}
    for rel in listed:
        # a folder to skip, an empty, "." or ".." part, a trailing slash: git lists none of
        # these today, and the listing is still not trusted blindly; asked once per folder
        folder, _, name = rel.rpartition("/")
        if folder:
            odd = odd_folders.get(folder)
            if odd is None:
                odd = odd_folders[folder] = _ODD_PATH.search(folder + "/") is not None
        else:
            odd = rel[:1] == "/"
        if odd or name in _DOTS:
            parts = rel.rstrip("/").split("/")
            if not SKIP_DIRS.isdisjoint(parts[:-1]) or "" in parts or "." in parts or ".." in parts:
                continue
            rel = "/".join(parts)
        path = prefix + (rel if os.sep == "/" else rel.replace("/", os.sep))
        st = early.get(rel)
        if st is None:
            try:
                st = lstat(path)
            except OSError:  # listed but deleted from the work tree
                continue
        mode = st.st_mode
        if known is not None and is_reg(mode) and known(rel, st):
            if skipped is not None:
                skipped.append(rel)
            continue
        parts = rel.split("/")
        is_dir = stat.S_ISDIR(mode) or (stat.S_ISLNK(mode) and os.path.isdir(path))
        if not is_dir and not parts[-1].lower().endswith(SUFFIXES) and not (stat.S_ISLNK(mode) and _is_loop(path)):
            if templates is not None and is_reg(mode) and parts[-1].lower().endswith(UNLINTED_SUFFIXES) \
                    and not (exclude and excluded(path, root, exclude)):
                templates.append(path)
            if inventories is not None and is_reg(mode) and inventory_place(rel) == "text" \
                    and not (exclude and excluded(path, root, exclude)):
                inventories.append(path)
            continue
        dirs = parts if is_dir else parts[:-1]
        order = walk_order(dirs, "" if is_dir else parts[-1])
        entries.append((order, parts, path, st, is_dir))
    entries.sort(key=lambda e: e[0])
    dir_out: dict[tuple[str, ...], bool] = {}  # folders the walk would not enter (by pattern)

    def folder_excluded(dirs: tuple[str, ...]) -> bool:
        if dirs not in dir_out:
            dir_out[dirs] = bool(dirs) and (folder_excluded(dirs[:-1])
                                            or excluded(os.path.join(root, *dirs), root, exclude))
        return dir_out[dirs]

    for _, parts, path, st, is_dir in entries:
        mode = st.st_mode
        if exclude and (folder_excluded(tuple(parts[:-1])) or excluded(path, root, exclude)):
            continue
        name = parts[-1]
        here = real_prefix + path[len(prefix):]  # where the entry itself is (a link's own place)
        # below a folder a folder symlink already walked (the walk skips it entirely); only
        # asked once something was walked (most repositories: never)
        if len(seen) > 1 and any(os.path.join(real_root, *parts[:i]) in seen for i in range(1, len(parts))):
            continue
        if is_dir:
            if name in SKIP_DIRS:
                continue
            if stat.S_ISLNK(mode):
                target = os.path.realpath(path)
                parent_real = os.path.join(real_root, *parts[:-1])
                if not _inside(target, real_root):
                    yield Candidate(display_path(path), path, False, _folder_outside(target), here)
                    continue
                if target in seen or parent_real.startswith(target + os.sep):
                    continue
            yield from _walk(path, root, exclude, False, seen, real_root, templates, inventories, real_root)
        elif stat.S_ISLNK(mode) and not os.path.exists(path):
            yield Candidate(display_path(path), path, False, "symlink loop" if _is_loop(path) else "broken symlink",
                            here)
        elif stat.S_ISLNK(mode):
            escape = outside_root(path, root)
            yield Candidate(display_path(path), path, False, escape, here if escape else None)
        elif stat.S_ISREG(mode):
            # displayed as the walk shows it (the folder's relpath, once per folder); git
            # never lists a path through a symlinked folder, so the real path is the root's
            folder = path[:len(path) - len(name) - 1]
            if folder not in shown:
                shown[folder] = _relative(folder)
            rel = "/".join(parts)
            yield Candidate(_child_display(shown[folder], path, name), path, False, canonical=here, stat=st,
                            git_line=clean.get(rel) if clean else None, listed_ns=listed_ns,
                            no_match=bool(no_match) and rel in no_match)
        else:
            yield Candidate(display_path(path), path, False, _odd_file(path), here)


def _walk(top: str, root: str, exclude: list[str], named: bool, seen: set[str] | None = None,
          top_real: str | None = None, templates: list[str] | None = None,
          inventories: list[str] | None = None, root_real: str | None = None) -> Iterator[Candidate]:
    seen = set() if seen is None else seen
    # symlinked folders are followed anywhere inside the project root, never out of it
    top_real = top_real or os.path.realpath(root)
    stack: list[str | Candidate] = [top]
    while stack:
        d = stack.pop()
        if isinstance(d, Candidate):
            yield d
            continue
        real = os.path.realpath(d)
        if real in seen:
            continue
        if d is top and not _inside(real, top_real):  # a named folder that is a symlink out
            yield Candidate(display_path(d), d, named, _folder_outside(real), os.path.abspath(d))
            continue
        seen.add(real)
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError as exc:
            if named:  # said, not skipped silently: its files are not linted
                yield Candidate(display_path(d), d, named,
                                f"folder cannot be read ({exc.strerror or exc}): its files are not linted")
            continue
        subdirs: list[str | Candidate] = []
        # display and real paths of the entries, from the directory's (os.path.relpath and
        # realpath per file were most of the walk's time on large trees)
        shown = _relative(d)
        # os.path.join(d, name) for a directory entry's name (it never holds a separator)
        d_sep, real_sep = os.path.join(d, ""), os.path.join(real, "")
        for e in entries:
            path = d_sep + e.name
            here = real_sep + e.name
            if excluded(path, root, exclude):
                continue
            try:
                is_dir = e.is_dir(follow_symlinks=True)
            except OSError:
                is_dir = False
            if is_dir:
                if e.name in SKIP_DIRS:
                    continue
                if e.is_symlink():
                    target = os.path.realpath(path)
                    if not _inside(target, top_real):  # said, not skipped silently
                        # in the folders' order, where its walk would have been
                        subdirs.append(Candidate(display_path(path), path, named, _folder_outside(target), here))
                        continue
                    if target in seen or real.startswith(target + os.sep):
                        continue  # back up the tree or into a loop: those files are walked already
                subdirs.append(path)
            elif e.is_symlink() and not e.name.lower().endswith(SUFFIXES):
                # a folder's name has no suffix: a looping link may stand for one (a plain
                # broken link may be anything, and holds nothing either way)
                if _is_loop(path):
                    yield Candidate(display_path(path), path, named, "symlink loop", here)
            elif e.name.lower().endswith(SUFFIXES):
                if e.is_symlink() and not os.path.exists(path):
                    reason = "symlink loop" if _is_loop(path) else "broken symlink"
                    yield Candidate(display_path(path), path, named, reason, here)
                elif e.is_symlink():
                    escape = outside_root(path, root)
                    yield Candidate(display_path(path), path, named, escape, here if escape else None)
                elif e.is_file(follow_symlinks=True):
                    yield Candidate(_child_display(shown, path, e.name), path, named, canonical=here)
                else:  # a FIFO, socket or device: reported, never opened (open() would block)
                    yield Candidate(display_path(path), path, named, _odd_file(path), here)
            elif templates is not None and e.name.lower().endswith(UNLINTED_SUFFIXES) and not e.is_symlink() \
                    and e.is_file(follow_symlinks=False):
                templates.append(path)
            if inventories is not None and root_real is not None and not e.is_symlink() \
                    and e.is_file(follow_symlinks=False) and not e.name.lower().endswith(SUFFIXES) \
                    and inventory_place(_below(here, root_real)) == "text":
                inventories.append(path)  # (a script may be both: a dynamic inventory)
        stack.extend(reversed(subdirs))


def _below(real: str, root_real: str) -> str:
    """A real path below the real root, ``/``-separated (itself when not below it)."""
    base = os.path.join(root_real, "")
    rel = real[len(base):] if real.startswith(base) else real
    return rel if os.sep == "/" else rel.replace(os.sep, "/")


def _odd_file(path: str) -> str:
    """Why a directory entry that is neither a folder nor a regular file is not read."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:  # a name past PATH_MAX, a vanished file...
        return f"cannot be examined ({exc.strerror or exc}): not read"
    kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
    return f"is {kind}, not a manifest: not opened"


def outside_root(path: str, root: str) -> str | None:
    """Why a file symlink is not read: it points outside the project root (a repository
    must not make the linter read, echo in code frames or --fix any file elsewhere)."""
    target = os.path.realpath(path)
    top = os.path.realpath(root)
    if target == top or target.startswith(top.rstrip(os.sep) + os.sep):
        return None
    return f"symlink to {target}, outside the project root: not read"


def _folder_outside(target: str) -> str:
    return f"symlink to {target}, a folder outside the project root: not followed"


def _relative(path: str) -> str | None:
    """os.path.relpath(path), or None where it has none (another drive)."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return None


def _child_display(rel_dir: str | None, path: str, name: str) -> str:
    """display_path(path) for ``name`` in a directory whose relpath is ``rel_dir``."""
    if rel_dir is None or rel_dir.startswith("..") or name.startswith(".."):
        return display_path(path)
    return name if rel_dir == "." else os.path.join(rel_dir, name)


def _is_loop(path: str) -> bool:
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno == 40
    return False


def ancestors(start: str) -> Iterator[str]:
    """``start`` (its folder, for a file) and every folder above it, nearest first."""
    here = os.path.abspath(start)
    if not os.path.isdir(here):
        here = os.path.dirname(here)
    while True:
        yield here
        parent = os.path.dirname(here)
        if parent == here:
            return
        here = parent


def is_repo_root(folder: str) -> bool:
    """A git work tree's top (``.git`` is a folder, or a file in worktrees and submodules)."""
    return os.path.exists(os.path.join(folder, ".git"))


def git_root(start: str) -> str | None:
    return next((d for d in ancestors(start) if is_repo_root(d)), None)


@dataclass(frozen=True)
class ProjectRoot:
    """Where the project is: the folder every other path is judged against.

    ``context``: whether files below it that were not named are read to resolve references
    (the whole project). Without a config file or a repository the named paths are the
    project and nothing else is read: the current directory is never the root by default.
    """

    path: str  # absolute
    source: str  # why this folder: for --print-profile
    context: bool


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def named_locations(paths: list[str], stdin_filename: str | None = None) -> list[str]:
    """Absolute paths of what was named; standard input is where --stdin-filename says,
    else the current directory (the only place a pipe can be said to come from)."""
    out = []
    for p in paths:
        if p == "-":
            p = stdin_filename or os.curdir
        out.append(os.path.abspath(p))
    return out


def repository_of(locations: list[str]) -> str | None:
    """The git work tree's top that holds every named location, or None."""
    if not locations:
        return None
    top = git_root(locations[0])
    if top is None or not all(_inside(loc, top) for loc in locations):
        return None
    return top


def config_search_folders(locations: list[str]) -> list[str]:
    """The folders where a config file may apply to the named paths, nearest first.

    From the first named path up to the repository's top, never above it; with no
    repository only the named path's own folder (a config in a shared parent folder, a
    temp directory, must not silence linting below it).
    """
    if not locations:
        return []
    top = repository_of(locations)
    folders = []
    for here in ancestors(locations[0]):
        folders.append(here)
        if top is None or here == top:
            break
    return folders


def find_root(locations: list[str], config_path: str | None) -> ProjectRoot:
    """The project root (issue 12): the config file's folder when it holds the named paths;
    else the repository that holds them; else the named paths themselves, read alone."""
    if config_path:
        folder = os.path.dirname(os.path.abspath(config_path))
        if locations and all(_inside(loc, folder) for loc in locations):
            return ProjectRoot(folder, f"the folder of the config file {config_path}", True)
    top = repository_of(locations)
    if top is not None:
        return ProjectRoot(top, "the git repository holding the named paths", True)
    folders = [loc if os.path.isdir(loc) else os.path.dirname(loc) for loc in locations]
    if not folders:
        return ProjectRoot(os.path.abspath(os.curdir), "none (standard input alone)", False)
    common = folders[0] if len(folders) == 1 else os.path.commonpath(folders)
    return ProjectRoot(common, "the named paths (no config file, no repository): nothing else is "
                       "read", False)


def git_ignored_below(root: str) -> tuple[frozenset[str], tuple[str, ...]] | None:
    """The untracked files git ignores below ``root`` (relative, ``/``-separated) and the
    folders it ignores whole (``dir/``), from one ``git ls-files -o -i --directory``; None
    where git cannot say (no repository)."""
    import subprocess

    try:
        proc = subprocess.run(["git", "-C", root, "ls-files", "-z", "-o", "-i", "--exclude-standard",
                               "--directory"], stdin=subprocess.DEVNULL, capture_output=True,
                              env=_git_env(root), timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    items = [p for p in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if p]
    return frozenset(p for p in items if not p.endswith("/")), tuple(p for p in items if p.endswith("/"))


def git_ignored(root: str, paths: list[str]) -> set[str]:
    """Which of ``paths`` git ignores (context files only; never fails the run)."""
    if not paths:
        return set()
    import subprocess  # only when git is asked (off the start-up path)

    try:
        proc = subprocess.run(["git", "-C", root, "check-ignore", "--stdin", "-z"],
                              input="\0".join(paths).encode(), capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return set()
    return {p for p in proc.stdout.decode(errors="replace").split("\0") if p}
