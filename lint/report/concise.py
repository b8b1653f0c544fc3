"""``--format concise``: one line per finding, ``path:line:col: CODE [name] message``.

For editors and grep; no code frames and no summary line.
"""

from __future__ import annotations

from typing import IO

from multus_lint.findings import Finding


def report(findings: list[Finding], out: IO[str], *, sources: dict, files: int, color: bool,
           fixable: int = 0) -> None:
    for f in findings:
        out.write(f"{f.path}:{f.span.line}:{f.span.column}: {f.code} [{f.rule}] {f.message}\n")
