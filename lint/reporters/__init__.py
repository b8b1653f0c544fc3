"""Reporters: each turns the findings of a run into one output format.

Imported by name only when chosen, so a format's dependencies (rich for text) stay off the
start-up path of the others.
"""

from __future__ import annotations

import importlib
from typing import IO, Protocol

from multus_lint.findings import Finding

FORMATS = {
    "text": "multus_lint.reporters.text",
    "json": "multus_lint.reporters.json_format",
    "concise": "multus_lint.reporters.concise",
    "github": "multus_lint.reporters.github",
    "junit": "multus_lint.reporters.junit",
    "sarif": "multus_lint.reporters.sarif",
}


class Report(Protocol):
    def __call__(self, findings: list[Finding], out: IO[str], *, sources: dict, files: int,
                 color: bool) -> None: ...


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

    from multus_lint.discover import git_root

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
