"""What the last runs learnt about each file, kept between runs in ``.multus-lint_cache/``.

A pre-commit run names one or ten files, but judges them against the whole repository: a
NAD in one folder, the workload naming it in another. Reading every file of a 100,000-
document repository to find the few hundred that matter was most of such a run. The cache
remembers, per file, whether its text can matter to a cross-file rule (the context
prefilter), and for the files that can, their parsed documents as plain data (positions are
composed again from the text if a finding ever needs them, as for the two-process parse).

Validity, in ruff's and git's manner:

* A file is known by its path below the project root, its size, modification and change
  times (nanoseconds) and inode. When all of them match the entry, the file is not read.
* When they do not match, the file is read and its content hash (BLAKE2b) decides: the same
  bytes (a ``touch``, a checkout of the same commit) keep the entry.
* An entry written within ``RACY_NS`` of a file's last change is "racy" (the file may change
  again within the file system's timestamp granularity without its stat changing): it is
  checked by content on the next run, like git's racily clean index entries.
* In a git repository, a file that is no context is known by its line in the index
  (``git ls-files -s``: mode, blob, path) instead, while git says the work tree holds what
  that index entry does (load.discover.GitState): such a file is not even ``lstat``ed. A
  line is kept only for a file read unchanged since before git examined it (its change
  time, read after its bytes, older than the listing by ``RACY_NS``): the bytes judged
  are then the ones git found clean. No line is kept where a clean/smudge filter may apply.
* Parsed documents are reused only for files read in this run whose hash matches, so the
  text a finding quotes and the data judged are always the same bytes.
* The whole cache is keyed by the linter's version, a signature of the modules that read and
  parse files, and the settings that change what is extracted (limits, prefilter markers):
  another version's or setting's cache is a different file, never misread.

A cache that cannot be read (corrupt, truncated, foreign, another format) is ignored and
rebuilt; one that cannot be written (read-only folder) is skipped. It is JSON (a header
line, then the index lines or the parses' JSON texts it locates), so a cache planted in a
repository can at worst make the linter miss facts, never run code. It is
written to a temporary file and renamed into place (atomic), so two runs sharing it
(pre-commit in parallel worktrees) each see a whole cache, and the last writer wins.
"""

from __future__ import annotations

import json
import math
import os
import time
from typing import Any

from multus_lint.findings import Span
from multus_lint.load.digests import hexdigest
from multus_lint.load.read import last_changed

CACHE_DIR_NAME = ".multus-lint_cache"
ENV_VAR = "MULTUS_LINT_CACHE_DIR"
FORMAT = 4  # 4: a parse's items are lists, not tagged tuples
# Linux stamps files with a coarse clock (a jiffy, up to 10 ms); FAT with 2 s.
RACY_NS = 2_000_000_000
# parsed data kept only when its encoding is not much larger than the text (aliases expand)
MAX_BLOWUP = 4

_MODULES = ("read.py", "parse.py", "positions.py", "parallel_parse.py", "cache.py", "goyaml.py",
            "anchors.py", "discover.py", "digests.py")


def digest(text: str) -> str:
    return hexdigest(text.encode("utf-8", "surrogatepass"))


def code_signature() -> str:
    """The linter's version and the size and mtime of the modules that read and parse: a
    development checkout that changes the parser must not reuse what the old one parsed."""
    from multus_lint import __version__

    here = os.path.dirname(os.path.abspath(__file__))
    return "|".join([__version__, str(FORMAT)] + [stamp(os.path.join(here, name), name) for name in _MODULES])


def stamp(path: str, label: str) -> str:
    """``label:size:mtime`` of a module file (``label:-`` when it cannot be examined): what
    a code signature holds of each file."""
    try:
        st = os.stat(path)
    except OSError:
        return f"{label}:-"
    return f"{label}:{st.st_size}:{st.st_mtime_ns}"


def default_directory(root: str) -> str:
    return os.environ.get(ENV_VAR) or os.path.join(root, CACHE_DIR_NAME)


class FileCache:
    """The per-file facts of one project root under one set of settings: the entries (one
    file, read by every run) and the parsed documents (another, read only by a run that
    parses: a replayed run does not)."""

    def __init__(self, directory: str, root: str, settings: str) -> None:
        self.directory = directory
        key = hexdigest(f"{code_signature()}\0{os.path.realpath(root)}\0{settings}".encode(
            "utf-8", "surrogatepass"), 10)
        self.file = os.path.join(directory, f"files-{key}.cache")
        self.parsed_file = os.path.join(directory, f"parsed-{key}.cache")
        self.key = key
        self.started = time.time_ns()
        self.seen: dict[str, list] = {}  # entries used or made by this run (what is saved)
        self.changed = False
        # digest -> (offset, length) of its parse's JSON in ``parsed_text``; None: not loaded
        self.parsed: dict[str, Any] | None = None
        self.parsed_text = b""
        self.kept: dict[str, bytes] = {}  # the parses (JSON, ASCII) this run used or made (what is saved)
        # rel -> [size, mtime, ctime, ino, digest, relevant, racy]
        self.entries: dict[str, Any] = {}
        # index lines (``H <mode> <blob> 0\t<rel>``) of files that are no context
        self.git_lines: set[str] = set()
        self.git_seen: set[str] = set()  # those this run used or made (what is saved)
        raw = read_cache(self.file, key)
        if raw is not None:
            found = raw[0].get("files")
            self.entries = found if isinstance(found, dict) else {}  # each entry checked where used
            # the index lines, NUL-separated after the header: 33,000 of them in a large
            # repository, split here rather than decoded as one escaped JSON string
            self.git_lines = set(raw[1].decode("utf-8", "surrogatepass").split("\0"))
            self.git_lines.discard("")

    # ---------------------------------------------------------------- reading

    def by_stat(self, rel: str, st: os.stat_result) -> list | None:
        """The entry of ``rel`` when its stat says the file is unchanged (and not racy)."""
        entry = self.entries.get(rel)
        if not _unchanged(entry, st):
            return None
        self.seen[rel] = entry
        return entry

    def known_no_context(self, rel: str, st: os.stat_result) -> bool:
        """``rel`` is unchanged since a run found it to be no context (not worth reading)."""
        entry = self.by_stat(rel, st)
        return entry is not None and not entry[5]

    def known_by_git(self, lines: set[str]) -> set[str]:
        """Of the index lines of files git says are unmodified, those of files known to be
        no context (``note_git``)."""
        known = self.git_lines & lines
        self.git_seen |= known
        return known

    def parse_of(self, text_digest: str) -> list | None:
        """The cached parse (as ``parallel_parse.pack`` gives it) of text with this hash."""
        if self.parsed is None:
            raw = read_cache(self.parsed_file, self.key)
            found = raw[0].get("parsed") if raw is not None else None
            self.parsed = found if isinstance(found, dict) else {}
            self.parsed_text = raw[1] if raw is not None else b""
        # each parse is a slice of the payload, decoded only when asked for (a pre-commit run
        # decoded the escaped JSON text of every parse first, then each parse again)
        at = self.parsed.get(text_digest)
        if type(at) is not list or len(at) != 2 or type(at[0]) is not int or type(at[1]) is not int \
                or not 0 <= at[0] <= at[0] + at[1] <= len(self.parsed_text):
            return None
        enc = self.parsed_text[at[0]:at[0] + at[1]]
        try:
            # a tag is a key starting with NUL, which compact ASCII JSON always writes as
            # this escape: without one there is nothing to decode but plain data, and the
            # hook (a Python call per mapping) was a third of decoding a repository's parses
            items = json.loads(enc, object_hook=_tagged) if b"\\u0000" in enc else json.loads(enc)
            items = [tuple(item) if type(item) is list else item for item in items] \
                if type(items) is list else None
        except (TypeError, ValueError, KeyError, IndexError, RecursionError):
            return None
        if not _valid_parse(items):
            return None
        self.kept[text_digest] = enc
        return items

    # ---------------------------------------------------------------- writing

    def note(self, rel: str, st: os.stat_result, text_digest: str, relevant: bool,
             racy: bool = False) -> None:
        """What ``rel`` held when its stat was ``st`` (its content hash, "-" for a file that
        is no context); ``racy``: check it again next time (always so when it changed
        within RACY_NS of this run's start)."""
        entry = [*_stat_key(st), text_digest, relevant,
                 racy or last_changed(st) >= self.started - RACY_NS]
        if not self.changed and self.entries.get(rel) != entry:
            self.changed = True
        self.seen[rel] = entry

    def note_git_lines(self, lines: list[str]) -> None:
        """Index lines of files git grep found no context marker in, unmodified since an
        index older than the search (load.discover.GitState.paths): known from now on."""
        self.git_seen.update(lines)

    def note_git(self, line: str, changed_ns: int | None, listed_ns: int) -> None:
        """A file that is no context, read by this run: known by its index ``line`` from
        now on if it last changed (``changed_ns``, taken once its bytes were read) before
        git listed the repository (``listed_ns``), by more than the racy margin."""
        if changed_ns is not None and settled_before(changed_ns, listed_ns):
            self.git_seen.add(line)
            self.seen.pop(line.partition("\t")[2], None)  # known by the line: no stat entry

    def keep_parse(self, text_digest: str, packed: list, text: str) -> None:
        """Remember the parse of ``text`` (already checked to hold plain data only)."""
        try:
            # each item (a tuple) as a plain list: a parse without tagged values inside (most
            # files: no odd keys, no problems) then decodes without an object hook (parse_of)
            enc = json.dumps([[_encode(part) for part in item] for item in packed], ensure_ascii=True,
                             separators=(",", ":")).encode("ascii")
        except (TypeError, ValueError, RecursionError):
            return
        if len(enc) > MAX_BLOWUP * len(text) + 4096:
            return
        self.kept[text_digest] = enc

    def save(self) -> None:
        """Write what changed: the entries when this run saw other files or facts, the
        parses when this run parsed (a replayed run leaves them as they are)."""
        if self.changed or set(self.seen) != set(self.entries) or self.git_seen != self.git_lines:
            write_cache_file(self.directory, self.file, "files-",
                             {"format": FORMAT, "key": self.key, "files": self.seen},
                             "\0".join(sorted(self.git_seen)).encode("utf-8", "surrogatepass"))
        if self.parsed is not None and set(self.kept) != set(self.parsed):
            index, at = {}, 0
            for key, enc in self.kept.items():
                index[key] = [at, len(enc)]
                at += len(enc)
            write_cache_file(self.directory, self.parsed_file, "parsed-",
                             {"format": FORMAT, "key": self.key, "parsed": index}, b"".join(self.kept.values()))


def read_cache_file(path: str) -> tuple[dict[str, Any], bytes] | None:
    """(header, payload) of a file ``write_cache_file`` wrote: its first line is a JSON
    object (compact JSON holds no raw newline), the rest raw bytes; None for anything else."""
    try:
        with open(path, "rb") as fh:
            head, _, payload = fh.read().partition(b"\n")
        header = json.loads(head)
    except (OSError, ValueError, RecursionError, MemoryError):
        return None
    return (header, payload) if isinstance(header, dict) else None


def read_cache(path: str, key: str) -> tuple[dict[str, Any], bytes] | None:
    """``read_cache_file``, when the file is of this format and ``key``: another version's,
    setting's or root's cache is never misread."""
    raw = read_cache_file(path)
    if raw is None or raw[0].get("format") != FORMAT or raw[0].get("key") != key:
        return None
    return raw


def settled_before(changed_ns: int, since_ns: int) -> bool:
    """A file that last changed at ``changed_ns`` has not changed since ``since_ns``,
    whatever the file system's timestamp granularity (``RACY_NS``)."""
    return changed_ns < since_ns - RACY_NS


def write_cache_file(directory: str, path: str, prefix: str, data: dict[str, Any],
                     payload: bytes = b"") -> None:
    """``data`` as one line of JSON at ``path``, then ``payload`` (read_cache_file),
    atomically (temporary file, then rename); a cache that cannot be written is no cache,
    the run is the same."""
    try:
        # ASCII: lone surrogates (file names, JSON escapes) stay escapes, never bad UTF-8
        text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
        _prepare(directory)
        fd, tmp = _new_file(directory, "." + prefix)
    except (OSError, ValueError, TypeError, RecursionError):
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("ascii") + b"\n" + payload)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return
    prune(directory, prefix, path)


def _new_file(directory: str, prefix: str) -> tuple[int, str]:
    """A new file of a name nobody else holds (created exclusively, never through a
    symlink): what tempfile.mkstemp does, whose import (shutil, bz2, lzma, random) cost a
    run writing its cache 5 ms."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    for attempt in range(100):
        path = os.path.join(directory, f"{prefix}{os.getpid()}-{time.monotonic_ns()}-{attempt}.tmp")
        try:
            return os.open(path, flags, 0o600), path
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {directory}")


KEEP = 16  # cache files of each kind kept in a folder (other versions, settings, roots)


def prune(directory: str, prefix: str, current: str) -> None:
    """Remove all but the ``KEEP`` most recent ``prefix*.cache`` files: other versions'
    and settings' caches would otherwise pile up."""
    try:
        found = []
        for entry in os.scandir(directory):
            if entry.name.startswith(prefix) and entry.name.endswith(".cache") and entry.path != current \
                    and entry.is_file(follow_symlinks=False):
                found.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.path))
        found.sort(reverse=True)
        for _, path in found[KEEP - 1:]:
            os.unlink(path)
    except OSError:
        pass


def _prepare(directory: str) -> None:
    """The cache folder, with a .gitignore so it is never committed (and never listed by
    ``git ls-files``) and a CACHEDIR.TAG for backup tools."""
    os.makedirs(directory, exist_ok=True)
    for name, text in ((".gitignore", "# written by multus-lint\n*\n"),
                       ("CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n"
                                        "# a cache directory written by multus-lint\n")):
        path = os.path.join(directory, name)
        if not os.path.lexists(path):
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
            except OSError:
                pass


def _valid_parse(items: Any) -> bool:
    """The shape ``parallel_parse.pack`` gives: a planted cache of the right key must not
    hand the model anything else (the data itself may be any YAML data, as any file's)."""
    from multus_lint.load.parse import Problem

    if type(items) is not list:
        return False
    for item in items:
        if type(item) is not tuple or len(item) != 5:
            return False
        kind, _, problems, duplicates, extra = item
        if kind not in ("yaml", "json", "none") or type(problems) is not list \
                or type(duplicates) is not list:
            return False
        if kind == "yaml" and type(extra) is not int or kind == "json" and type(extra) is not bool:
            return False
        if not all(type(p) is Problem and type(p.span) is Span and type(p.code) is str
                   and type(p.message) is str and (p.object is None or type(p.object) is dict) for p in problems):
            return False
        if not all(type(d) is tuple and len(d) == 3 and type(d[0]) is tuple and type(d[1]) is Span
                   and type(d[2]) is Span for d in duplicates):
            return False
    return True


def _stat_key(st: os.stat_result) -> list:
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def _unchanged(v: Any, st: os.stat_result) -> bool:
    """``v`` is an entry of the right shape whose stat is ``st``'s, and not racy. Asked
    once per file of the repository (33,000 in a large one): the stat is compared field
    by field, cheapest first; a forged number equal to the stat's is as good as the true
    one, and the content hash and verdict are checked for their types."""
    return (type(v) is list and len(v) == 7 and v[6] is False and v[1] == st.st_mtime_ns
            and v[0] == st.st_size and v[2] == st.st_ctime_ns and v[3] == st.st_ino
            and type(v[4]) is str and type(v[5]) is bool)


# ------------------------------------------------------------------ encoding
# JSON holds mappings with string keys only; YAML data may have other keys (``1: x``,
# ``? [a, b]``), tuples (paths) and the loader's Problem and Span objects. Those are tagged
# as one-key objects whose key starts with NUL, which no real key of a JSON-ready mapping
# does (a mapping that has such a key is tagged as well).

_DICT, _TUPLE, _SPAN, _PROBLEM, _FLOAT = "\0d", "\0t", "\0s", "\0p", "\0f"


def _encode(obj: Any) -> Any:
    t = type(obj)
    if t is str or t is int or t is bool or obj is None:
        return obj
    if t is float:
        return {_FLOAT: repr(obj)} if math.isnan(obj) or math.isinf(obj) else obj
    if t is list:
        return [_encode(x) for x in obj]
    if t is dict:
        if all(type(k) is str and not k.startswith("\0") for k in obj):
            return {k: _encode(v) for k, v in obj.items()}
        return {_DICT: [[_encode(k), _encode(v)] for k, v in obj.items()]}
    if t is tuple:
        return {_TUPLE: [_encode(x) for x in obj]}
    if t is Span:
        return {_SPAN: [obj.line, obj.column, obj.end_line, obj.end_column]}
    from multus_lint.load.parse import Problem

    if t is Problem:
        return {_PROBLEM: [obj.code, obj.message, _encode(obj.span), _encode(obj.object)]}
    raise TypeError(f"not cached: {t.__name__}")


def _tagged(obj: dict) -> Any:
    """``json.loads`` object hook: a tagged one-key object back to what it stands for (the
    hook runs innermost first, so tagged values inside are already decoded)."""
    if len(obj) != 1:
        return obj
    (key, value), = obj.items()
    if not key.startswith("\0"):
        return obj
    if key == _DICT:
        return {_hashable(k): v for k, v in value}
    if key == _TUPLE:
        return tuple(value)
    if key == _SPAN:
        return Span(*(int(x) for x in value))
    if key == _FLOAT:
        return float(value)
    if key == _PROBLEM:
        from multus_lint.load.parse import Problem

        return Problem(str(value[0]), str(value[1]), value[2], value[3])
    raise ValueError(f"unknown tag {key!r}")


def _hashable(key: Any) -> Any:
    if isinstance(key, (list, dict)):
        raise TypeError("unhashable key")
    return key
