"""``--statistics`` (or ``--format statistics``): one row per rule that has findings, most
frequent first: count, code, name, severity, and ``*`` where ``--fix`` repairs the rule,
then the totals."""

from __future__ import annotations

from collections import Counter
from typing import IO

from multus_lint import registry
from multus_lint.report import SEVERITY_STYLE, ReportInput, paint, plural, summary


def report(run: ReportInput, out: IO[str]) -> None:
    counts = Counter((f.code, f.rule, f.severity) for f in run.findings)
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][2]))
    if rows:
        cw = max(len(str(n)) for _, n in rows)
        nw = max(len(rule) for (_, rule, _), _ in rows)
        for (code, rule, severity), n in rows:
            r = registry.get(code)
            mark = "*" if r is not None and r.fixable else " "
            out.write(f"{n:>{cw}}  {code}  {rule:<{nw}}  {mark} "
                      f"{paint(severity, SEVERITY_STYLE[severity], run.color)}\n")
    if not run.quiet:
        s = summary(run.findings, run.files)
        fix = "; * fixable with --fix" if any(registry.get(c) and registry.get(c).fixable  # type: ignore[union-attr]
                                               for (c, _, _) in counts) else ""
        out.write(f"{plural(s['errors'], 'error')}, {plural(s['warnings'], 'warning')}, {s['infos']} info "
                  f"in {plural(s['files'], 'file')}{fix}.\n")
