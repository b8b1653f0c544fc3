"""``--format github``: GitHub Actions workflow commands, shown as annotations on the diff.

Chosen automatically when ``GITHUB_ACTIONS=true`` and no ``--format`` is given. Syntax:
https://docs.github.com/actions/reference/workflow-commands-for-github-actions
"""

from __future__ import annotations

from typing import IO

from multus_lint.findings import Finding
from multus_lint.report import repo_relative

LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(s: str) -> str:
    return _data(s).replace(":", "%3A").replace(",", "%2C")


def report(findings: list[Finding], out: IO[str], *, sources: dict, files: int, color: bool,
           fixable: int = 0) -> None:
    for f in findings:
        s = f.span
        props = [f"file={_prop(repo_relative(f.path))}", f"line={s.line}", f"col={s.column}",
                 f"endLine={max(s.end_line, s.line)}"]
        if s.end_line == s.line and s.end_column > s.column:
            props.append(f"endColumn={s.end_column}")
        props.append(f"title={_prop(f'{f.code} {f.rule}')}")
        out.write(f"::{LEVEL[f.severity]} {','.join(props)}::{_data(f.message)}\n")
