"""Stage 6, report: each module turns the findings of a run into one output format, and
``rule_docs`` renders the registry's documentation (``--explain``, docs/rules.md).

Every reporter is ``report(run: ReportInput, out: IO[str]) -> None``. Reporters are imported
by name only when chosen, so one format's cost stays off the start-up path of the others.
What a reporter prints of the input (messages, code frames, paths) goes through
``report.escape`` first: a manifest's text never reaches a terminal, a CI log or an XML
file as raw control characters, and a lone surrogate or a non-UTF-8 file name cannot make
a format fail half-way.

May import: ``findings``, ``registry`` (rule metadata), ``config`` and ``load`` (file text
for code frames). Never the model, the rules or the engine.
"""

from __future__ import annotations

import functools
import importlib
from collections import Counter
from collections.abc import Callable
from typing import IO, Protocol

from multus_lint.findings import SEVERITY_RANK, Finding
from multus_lint.records import dataclass, field

# Where the project and its rule docs live (SARIF informationUri and helpUri); pyproject's
# Project-URLs name the same (tests/test_packaging.py keeps them equal).
HOMEPAGE = "https://github.com/multus-lint/multus-lint"

FORMATS = {
    "text": "multus_lint.report.text",
    "grouped": "multus_lint.report.grouped",
    "concise": "multus_lint.report.concise",
    "statistics": "multus_lint.report.statistics",
    "json": "multus_lint.report.json_format",
    "github": "multus_lint.report.github",
    "gitlab": "multus_lint.report.gitlab",
    "junit": "multus_lint.report.junit",
    "sarif": "multus_lint.report.sarif",
    "html": "multus_lint.report.html",
}
# What each format is for: --help and the README's format table say the same.
PURPOSE = {
    "text": "people: errors first, a code frame under each finding, a summary",
    "grouped": "people: findings grouped under each file, a summary",
    "concise": "editors and grep: path:line:col: severity: CODE [name] message",
    "statistics": "a count per rule, most frequent first (also --statistics)",
    "json": 'tools: {"version": 1, "findings": [...], "summary": {...}}',
    "github": "GitHub Actions annotations on the pull request",
    "gitlab": "GitLab Code Quality (merge-request widget)",
    "junit": "CI test reports (GitLab, Jenkins): one testcase per finding",
    "sarif": "GitHub code scanning (SARIF 2.1.0)",
    "html": "one self-contained page with the network map and address plan (pip install 'multus-lint[html]')",
}


@dataclass(repr=False, eq=False)
class ReportInput:
    """Everything a reporter may show about one run."""

    findings: list[Finding]
    sources: dict = field(default_factory=dict)  # path -> SourceFile, for code frames
    files: int = 0  # named files linted
    color: bool = False
    fixable: int = 0  # how many findings --fix would repair
    quiet: bool = False  # findings only: no summary, no hints
    baseline_hidden: int = 0  # findings the baseline absorbed
    baseline_stale: int = 0  # baseline entries that matched nothing
    exit_code: int = 0  # what the run exits with (SARIF invocations)
    fail_level: str = "warning"  # findings below it are not failures (JUnit)
    context: dict | None = None  # html: the network map and address plan, as plain data


class Report(Protocol):
    def __call__(self, run: ReportInput, out: IO[str]) -> None: ...


def get_reporter(name: str) -> Report:
    return importlib.import_module(FORMATS[name]).report  # type: ignore[no-any-return]


def summary(findings: list[Finding], files: int) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        counts[f.severity] += 1
    return {"files": files, "findings": len(findings), "errors": counts["error"],
            "warnings": counts["warning"], "infos": counts["info"]}


def by_severity(findings: list[Finding]) -> list[Finding]:
    """Errors first, then warnings, then info; each in file and line order."""
    return sorted(findings, key=lambda f: (-SEVERITY_RANK[f.severity], f.sort_key()))


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def summary_lines(run: ReportInput) -> list[tuple[str, str]]:
    """The closing lines of the human formats, as (text, style): errors lead."""
    findings = run.findings
    lines: list[tuple[str, str]] = []
    if run.baseline_hidden or run.baseline_stale:
        text = f"Baseline: {plural(run.baseline_hidden, 'finding')} hidden"
        if run.baseline_stale:
            stale = run.baseline_stale
            text += (f"; {stale} of its entries {'matches' if stale == 1 else 'match'} no finding "
                     "(stale: rewrite it with --write-baseline)")
        lines.append((text + ".", ""))
    if not findings:
        lines.append((f"All clear: {plural(run.files, 'file')} checked, no problems.", "bold green"))
        return lines
    s = summary(findings, run.files)
    if len(findings) > 20:  # many findings: say which rules make up the bulk
        top = Counter((f.code, f.rule) for f in findings).most_common(3)
        lines.append(("Most frequent: " + ", ".join(f"{c} {r} ({n})" for (c, r), n in top)
                      + "; --statistics counts every rule, --ignore hides one.", "dim"))
    if run.fixable:
        lines.append((f"{run.fixable} fixable with `multus-lint --fix` (preview: --diff).", ""))
    nfiles = len({f.path for f in findings})
    lines.append((f"Found {plural(s['errors'], 'error')}, {plural(s['warnings'], 'warning')} and "
                  f"{s['infos']} info ({plural(len(findings), 'problem')} in {nfiles} of "
                  f"{plural(run.files, 'file')}).", "bold red" if s["errors"] else "bold"))
    return lines


# ANSI styles, written directly: the colours are few and fixed, and a terminal-only
# dependency on the hot path of every run would buy nothing.
_SGR = {"bold": "1", "dim": "2", "red": "31", "yellow": "33", "cyan": "36", "green": "32",
        "bold red": "1;31", "bold green": "1;32", "bold yellow": "1;33"}
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def paint(text: str, style: str, color: bool) -> str:
    if not color or not style or not text:
        return text
    return f"\x1b[{_SGR[style]}m{text}\x1b[0m"


def identities(findings: list[Finding], base: str | None = None) -> list[str]:
    """One identity per finding, unique within the run and stable when lines move: rule,
    repository-relative path, object and message fingerprint (``findings.fingerprint``, line
    numbers masked), and for findings equal in all of these their order in the file. Code
    scanning merges results with equal fingerprints, GitLab compares reports by them."""
    import hashlib

    from multus_lint.findings import fingerprint, object_key
    from multus_lint.report.escape import encodable

    seen: Counter = Counter()
    out = []
    root = repo_base() if base is None else base  # one look-up per run, not per finding
    shown = path_shower(root)
    for f in findings:
        key = "\0".join((f.code, encodable(shown(f.path)), encodable(object_key(f.object)),
                         fingerprint(f)))
        seen[key] += 1
        out.append(hashlib.sha256(f"{key}\0{seen[key]}".encode()).hexdigest()[:32])
    return out


def repo_base() -> str:
    """The folder report paths are relative to: the repository root around the current
    directory, else the current directory. Reporters look it up once per run and pass it to
    ``repo_relative`` (a look-up walks every ancestor folder: 10,000 findings, 10,000 walks)."""
    import os

    from multus_lint.load.discover import git_root

    return git_root(".") or os.getcwd()


def repo_relative(path: str, base: str | None = None) -> str:
    """``path`` relative to the repository root (forward slashes), as GitHub expects for
    annotations and code scanning; relative to the current directory outside a repository.
    ``base``: ``repo_base()`` when the caller already looked it up."""
    import os

    if path.startswith("<"):  # <stdin>, <multus-lint>
        return path
    if base is None:
        base = repo_base()
    return _relative(path, base, os.getcwd())


def path_shower(base: str) -> Callable[[str], str]:
    """``repo_relative(path, base)`` for the findings of one report: the current directory
    read once (a getcwd per finding and per reporter call), each path's answer once."""
    import os

    cwd = os.getcwd()
    memo: dict[str, str] = {}

    def show(path: str) -> str:
        hit = memo.get(path)
        if hit is None:
            hit = memo[path] = path if path.startswith("<") else _relative(path, base, cwd)
        return hit

    return show


@functools.lru_cache(maxsize=65536)
def _relative(path: str, base: str, cwd: str) -> str:
    """repo_relative's answer, once per path: 10,000 findings sit in a few thousand files,
    and the reporters ask for each finding (abspath and relpath were half of SARIF's time).
    ``cwd`` is part of the key: a relative path means another file in another folder."""
    import os

    rel = _below(path, base, cwd)
    if rel is None:
        try:
            rel = os.path.relpath(os.path.join(cwd, path), base)
        except ValueError:  # another drive on Windows
            rel = path
    if rel.startswith(".."):
        rel = path
    return rel.replace(os.sep, "/")


def _below(path: str, base: str, cwd: str) -> str | None:
    """``os.path.relpath(os.path.join(cwd, path), base)`` where it is plain string work, else
    None: a relative path of plain names (no empty, ``.`` or ``..`` part) under a current
    directory at or below ``base``, both absolute and normalized (relpath normalizes each
    path and drops their common folders: here that is ``base`` itself). 5,000 relpaths were
    most of a SARIF report's path work (tests/test_reporters.py checks it against relpath)."""
    import os

    if os.sep != "/" or os.altsep or not path or path[0] == "/" or base == "/":
        return None
    if any(part in ("", ".", "..") for part in path.split("/")):
        return None
    if os.path.normpath(base) != base or os.path.normpath(cwd) != cwd or not base.startswith("/"):
        return None
    if cwd == base:
        return path
    if not cwd.startswith(base + "/"):
        return None
    return cwd[len(base) + 1:] + "/" + path
