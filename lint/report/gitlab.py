"""``--format gitlab``: GitLab Code Quality, the Code Climate JSON subset GitLab reads for
the merge-request widget and the pipeline's Code Quality tab
(``artifacts: reports: codequality:``).

A JSON array with one issue per finding: ``description``, ``check_name`` (the rule code),
``fingerprint`` (unique in the report, stable when lines move: ``report.identities``),
``severity`` (GitLab's info/minor/major/critical/blocker) and ``location`` with the
repository-relative ``path`` and ``positions`` (line and column of start and end).
"""

from __future__ import annotations

from typing import IO, Any

from multus_lint.report import ReportInput, identities, path_shower, repo_base
from multus_lint.report.escape import encodable
from multus_lint.report.jsontext import dumps

SEVERITY = {"error": "critical", "warning": "minor", "info": "info"}


def report(run: ReportInput, out: IO[str]) -> None:
    base = repo_base()
    ids = identities(run.findings, base)
    shown = path_shower(base)
    issues: list[dict[str, Any]] = []
    for f, identity in zip(run.findings, ids):
        s = f.span
        end_line = max(s.end_line, s.line)
        issues.append({
            "type": "issue",
            "description": encodable(f"{f.code} [{f.rule}] {f.message}"),
            "check_name": f.code,
            "categories": ["Bug Risk"],
            "fingerprint": identity,
            "severity": SEVERITY[f.severity],
            "location": {
                "path": encodable(shown(f.path)),
                "positions": {"begin": {"line": s.line, "column": s.column},
                              "end": {"line": end_line,
                                      "column": s.end_column if end_line > s.line else max(s.end_column, s.column)}},
            },
        })
    out.write(dumps(issues, indent=2, ensure_ascii=False))  # json.dump's text, faster
    out.write("\n")
