"""Stage 6, report: each module turns the findings of a run into one output format, and
``rule_docs`` renders the registry's documentation (``--explain``, docs/rules.md).

Reporters are imported by name only when chosen, so a format's dependencies (rich for text)
stay off the start-up path of the others.

May import: ``findings``, ``registry`` (rule metadata), ``config`` and ``load`` (file text
for code frames). Never the model, the rules or the engine.
"""

from __future__ import annotations

import importlib
from typing import IO, Protocol

from multus_lint.findings import Finding

FORMATS = {
    "text": "multus_lint.report.text",
    "json": "multus_lint.report.json_format",
    "concise": "multus_lint.report.concise",
    "github": "multus_lint.report.github",
    "junit": "multus_lint.report.junit",
    "sarif": "multus_lint.report.sarif",
    "html": "multus_lint.report.html",
}


class Report(Protocol):
    def __call__(self, findings: list[Finding], out: IO[str], *, sources: dict, files: int,
                 color: bool, fixable: int = 0) -> None: ...


def get_reporter(name: str) -> Report:
    return importlib.import_module(FORMATS[name]).report  # type: ignore[no-any-return]


def summary(findings: list[Finding], files: int) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        counts[f.severity] += 1
    return {"files": files, "findings": len(findings), "errors": counts["error"],
            "warnings": counts["warning"], "infos": counts["info"]}


def repo_relative(path: str) -> str:
    """``path`` relative to the repository root (forward slashes), as GitHub expects for
    annotations and code scanning; relative to the current directory outside a repository."""
    import os

    from multus_lint.load.discover import git_root

    if path.startswith("<"):  # <stdin>, <multus-lint>
        return path
    base = git_root(".") or os.getcwd()
    try:
        rel = os.path.relpath(os.path.abspath(path), base)
    except ValueError:  # another drive on Windows
        rel = path
    if rel.startswith(".."):
        rel = path
    return rel.replace(os.sep, "/")
