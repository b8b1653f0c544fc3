"""``--format github``: GitHub Actions workflow commands, shown as annotations on the diff.

Chosen automatically when ``GITHUB_ACTIONS=true`` and no ``--format`` is given. Syntax:
https://docs.github.com/actions/reference/workflow-commands-for-github-actions
Control characters from the input are escaped first: a workflow command is a line of the
job log, and a raw escape sequence in it would reach every browser that shows the log.
"""

from __future__ import annotations

from typing import IO

from multus_lint.report import ReportInput, path_shower, repo_base
from multus_lint.report.escape import printable

LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _data(s: str) -> str:
    return printable(s).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(s: str) -> str:
    return _data(s).replace(":", "%3A").replace(",", "%2C")


def report(run: ReportInput, out: IO[str]) -> None:
    shown = path_shower(repo_base())
    for f in run.findings:
        s = f.span
        props = [f"file={_prop(shown(f.path))}", f"line={s.line}", f"col={s.column}",
                 f"endLine={max(s.end_line, s.line)}"]
        if s.end_line == s.line and s.end_column > s.column:
            props.append(f"endColumn={s.end_column}")
        props.append(f"title={_prop(f'{f.code} {f.rule}')}")
        out.write(f"::{LEVEL[f.severity]} {','.join(props)}::{_data(f.message)}\n")
