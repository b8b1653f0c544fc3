"""``--format grouped``: the findings under each file (files in path order, findings in line
order), as ruff's grouped output; the summary of ``text`` at the end."""

from __future__ import annotations

from itertools import groupby
from typing import IO

from multus_lint.report import ReportInput, paint, summary_lines
from multus_lint.report.escape import printable
from multus_lint.report.text import headline


def report(run: ReportInput, out: IO[str]) -> None:
    color = run.color
    for path, items in groupby(run.findings, key=lambda f: f.path):
        found = list(items)
        out.write(paint(f"{printable(path)} ({len(found)})", "bold", color) + "\n")
        width = max(len(f"{f.span.line}:{f.span.column}") for f in found)
        for f in found:
            out.write("  " + headline(f, color, f"{f.span.line}:{f.span.column}".ljust(width)) + "\n")
        out.write("\n")
    if not run.quiet:
        for text, style in summary_lines(run):
            out.write(paint(text, style, color) + "\n")
