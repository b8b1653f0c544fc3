"""``--format concise``: one line per finding, ``path:line:col: severity: CODE [name] message``.

For editors (the compiler-style severity is what their error formats read) and grep; no
code frames and no summary line. Findings in file and line order.
"""

from __future__ import annotations

from typing import IO

from multus_lint.report import ReportInput
from multus_lint.report.text import headline


def report(run: ReportInput, out: IO[str]) -> None:
    for f in run.findings:
        out.write(headline(f, run.color) + "\n")
