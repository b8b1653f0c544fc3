"""``--format json``: the machine-readable contract (ARCHITECTURE.md "Contracts").

Strings are written as the input held them; ``ensure_ascii`` escapes everything outside
ASCII, lone surrogates included, so any finding is valid JSON text.
"""

from __future__ import annotations

from typing import IO

from multus_lint.report import ReportInput, summary
from multus_lint.report.jsontext import dumps


def report(run: ReportInput, out: IO[str]) -> None:
    doc = {
        "version": 1,
        "findings": [f.to_json() for f in run.findings],
        "summary": summary(run.findings, run.files),
    }
    out.write(dumps(doc, indent=2, ensure_ascii=True))  # json.dump's text, faster
    out.write("\n")
