"""``--format json``: the machine-readable contract (ARCHITECTURE.md "Contracts").

Strings are written as the input held them; ``ensure_ascii`` escapes everything outside
ASCII, lone surrogates included, so any finding is valid JSON text.
"""

from __future__ import annotations

import json
from typing import IO

from multus_lint.report import ReportInput, summary


def report(run: ReportInput, out: IO[str]) -> None:
    doc = {
        "version": 1,
        "findings": [f.to_json() for f in run.findings],
        "summary": summary(run.findings, run.files),
    }
    json.dump(doc, out, indent=2, ensure_ascii=True)
    out.write("\n")
