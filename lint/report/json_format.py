"""``--format json``: the machine-readable contract (ARCHITECTURE.md "Contracts")."""

from __future__ import annotations

import json
from typing import IO

from multus_lint.findings import Finding
from multus_lint.report import summary


def report(findings: list[Finding], out: IO[str], *, sources: dict, files: int, color: bool,
           fixable: int = 0) -> None:
    doc = {
        "version": 1,
        "findings": [f.to_json() for f in findings],
        "summary": summary(findings, files),
    }
    json.dump(doc, out, indent=2)
    out.write("\n")
