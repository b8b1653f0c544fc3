"""Reading a file's text safely: size limit, binary detection, encodings."""

from __future__ import annotations

import os
import re
import stat

from multus_lint.findings import Span
from multus_lint.load.positions import split_lines
from multus_lint.records import dataclass, field

# Placeholders that something fills in before the cluster sees the value: Helm/Go and Jinja
# templates, K3s ``%{NAME}%`` (pkg/deploy stages manifests with them), and Flux post-build
# variables ``${NAME}`` / ``${NAME:=default}`` (fluxcd/pkg kustomize/kustomize_varsub.go
# SubstituteVariables: envsubst over every resource, names matching varsubRegex
# ``^[_[:alpha:]][_[:alpha:][:digit:]]*$``), also with the spaces Cluster API templates keep
# (``${ NAME }``: clusterctl's cmd/clusterctl/client/yamlprocessor simple_processor.go
# ``convertLegacyVars`` strips them before envsubst). A value holding one is not judged as
# written.
# Jinja's comments ``{# ... #}`` (``{#- -#}`` trimming whitespace) are template syntax too:
# Jinja's lexer drops them whole when it renders (jinja2 lexer.py, comment_start_string "{#"),
# as Salt states and Ansible templates use them; YAML never starts a token with ``{#``.
TEMPLATE_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|%\{[A-Za-z_][A-Za-z0-9_]*\}%"
                         r"|\$\{[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*(?::?[-=+?][^}\n]*)?\}"
                         # Terraform templatefile directives (hashicorp/hcl hclsyntax template
                         # syntax: %{ for x in xs ~} ... %{ endfor ~}, %{ if } %{ else } %{ endif })
                         r"|%\{~?[ \t]*(?:for|endfor|if|else|endif)\b[^}\n]*\}", re.S)


# Hard ceilings over what a config may raise the limits to: a repository's own config is
# input too, and must not be able to make a run read /dev/zero into memory or recurse past
# the interpreter's stack. The depth ceiling is the default (recursive schema and model
# walks are sized for it); the others leave ample room above the defaults.
CEILINGS = {
    "max_file_size": 64 * 1024 * 1024,
    "max_depth": 200,
    "max_nodes": 5_000_000,
    "max_line_length": 4_000_000,
    "max_annotation_entries": 10_000,
}


@dataclass
class Limits:
    """Safety limits; every one is configurable (config ``limits:``), up to ``CEILINGS``."""

    max_file_size: int = 10 * 1024 * 1024  # bytes
    max_depth: int = 200  # nesting of YAML/JSON collections
    max_nodes: int = 2_000_000  # nodes after alias expansion, per document
    max_line_length: int = 200_000  # characters
    max_annotation_entries: int = 1000  # entries of one networks annotation judged

    KEYS = ("max-file-size", "max-depth", "max-nodes", "max-line-length", "max-annotation-entries")

    def __setattr__(self, name: str, value: object) -> None:
        ceiling = CEILINGS.get(name)
        if ceiling is not None and isinstance(value, int) and value > ceiling:
            value = ceiling  # capped, whatever a config asks
        object.__setattr__(self, name, value)


@dataclass(slots=True, repr=False, eq=False)  # one per file of the run
class SourceFile:
    """One input: its display path and, when it could be read, its text."""

    path: str
    text: str | None = None
    error: tuple[str, str, Span] | None = None  # (code, message, span) when unreadable
    named: bool = True  # named on the command line (findings are reported for it)
    digest: str | None = None  # content hash, when the run keeps a cache (load.cache)
    # max(mtime, ctime) in ns once its bytes were read, when asked for (load.cache.note_git)
    changed_ns: int | None = None
    _lines: list[str] | None = field(default=None, repr=False)

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = split_lines(self.text or "")  # the lines an editor shows
        return self._lines

    def line_text(self, line: int) -> str:
        lines = self.lines
        return lines[line - 1] if 0 < line <= len(lines) else ""

    @property
    def templated(self) -> bool:
        return bool(self.text and ("{{" in self.text or "{%" in self.text or "}%" in self.text
                                   or "%{" in self.text or "{#" in self.text)
                    and TEMPLATE_RE.search(self.text))


def last_changed(st: os.stat_result) -> int:
    """When the file of ``st`` last changed, in ns: its data (mtime) or its inode (ctime),
    which a ``touch -m`` back in time or a rename over it cannot set back."""
    return max(st.st_mtime_ns, st.st_ctime_ns)


def decode(path: str, data: bytes, limits: Limits) -> SourceFile:
    if len(data) > limits.max_file_size:
        return SourceFile(path, error=("ML002", f"file is {len(data):,} bytes, over the size limit "
                                       f"of {limits.max_file_size:,} (limits.max-file-size)", Span.point(1)))
    nul = data.find(b"\0")
    if nul != -1:
        line = data.count(b"\n", 0, nul) + 1
        return SourceFile(path, error=("ML002", "binary file (NUL byte): not a manifest", Span.point(line)))
    # a BOM dropped by hand: the utf-8-sig codec is a Python function per file, utf-8 C's;
    # the offset said is the file's (the codec's counted from after the BOM)
    bom = 3 if data[:3] == b"\xef\xbb\xbf" else 0
    try:
        text = (data[3:] if bom else data).decode("utf-8")
    except UnicodeDecodeError as exc:
        at = exc.start + bom
        line = data.count(b"\n", 0, at) + 1
        return SourceFile(path, error=(
            "ML002", f"not UTF-8 text (invalid byte 0x{data[at]:02x} at offset {at})",
            Span.point(line)))
    if len(text) > limits.max_line_length and _has_long_line(text, limits.max_line_length):
        return SourceFile(path, text=None, error=(
            "ML004", f"a line is longer than {limits.max_line_length:,} characters "
            "(limits.max-line-length): not linted", Span.point(_long_line(text, limits.max_line_length))))
    return SourceFile(path, text=text)


def _has_long_line(text: str, limit: int) -> bool:
    # the lines' lengths in C (a loop over a large file's lines was ~10 ms per file, and
    # every large context file of a repository is read on every run); _long_line says
    # which, only for a file that has one
    return max(map(len, text.split("\n"))) > limit


def _long_line(text: str, limit: int) -> int:
    start = 0
    line = 1
    while True:
        end = text.find("\n", start)
        stop = len(text) if end == -1 else end
        if stop - start > limit:
            return line
        if end == -1:
            return 0
        start = end + 1
        line += 1


def not_regular(mode: int) -> str | None:
    """Why a file of this mode is not read (None: a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory"
    kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
    return f"is {kind}, not a manifest: not opened"


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


def _open_nonblocking(path: str) -> int:
    return os.open(path, _OPEN_FLAGS)


def _read_fd(fd: int, most: int, expect: int = -1) -> bytes:
    """Up to ``most`` bytes of ``fd``, fewer only at its end, or ``expect`` bytes (the size its
    stat gave): os.read on the descriptor (a buffered file object around it cost more than
    the read, per file of a repository)."""
    data = os.read(fd, most)
    if not data or len(data) >= most or len(data) == expect:
        return data  # all asked for, or all the stat said there is (no second read to find the end)
    parts = [data]
    got = len(data)
    while got < most:  # a short read: a regular file gives one only near its end, or on a signal
        more = os.read(fd, most - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def read(path: str, display: str, limits: Limits, stamp: bool = False) -> SourceFile:
    """The file's text, or why there is none; ``stamp``: also when it last changed, as
    the file says once its bytes are read (``SourceFile.changed_ns``)."""
    changed = None
    try:
        st = os.stat(path)
        why = not_regular(st.st_mode)
        if why is not None:
            # never opened: open() on a FIFO blocks until a writer comes, forever in CI
            return SourceFile(display, error=("ML002", why, Span.point(1)))
        size = st.st_size
        if size > limits.max_file_size:
            return SourceFile(display, error=("ML002", f"file is {size:,} bytes, over the size limit "
                                              f"of {limits.max_file_size:,} (limits.max-file-size)",
                                              Span.point(1)))
        # O_NONBLOCK: a file swapped for a FIFO since the stat does not block the open either
        fd = _open_nonblocking(path)
        try:
            why = not_regular(os.fstat(fd).st_mode)
            if why is not None:
                return SourceFile(display, error=("ML002", why, Span.point(1)))
            # size + 1 bytes and not limit + 1: the latter allocates the whole limit (10 MiB)
            # for every file; a file that grew since its stat is read to the limit
            data = _read_fd(fd, size + 1, size)
            if len(data) > size:
                data += _read_fd(fd, limits.max_file_size + 1 - len(data))
            if stamp:
                after = os.fstat(fd)
                changed = last_changed(after)
        finally:
            os.close(fd)
    except IsADirectoryError:
        return SourceFile(display, error=("ML002", "is a directory", Span.point(1)))
    except PermissionError:
        return SourceFile(display, error=("ML002", "cannot be read: permission denied", Span.point(1)))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.errno == 40:  # ELOOP
            reason = "symlink loop"
        return SourceFile(display, error=("ML002", f"cannot be read: {reason}", Span.point(1)))
    src = decode(display, data, limits)
    src.changed_ns = changed
    return src
