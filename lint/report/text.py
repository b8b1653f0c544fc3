"""``--format text`` (the default): one line per finding with its severity spelled out, the
offending line with a caret under it, and a summary.

What comes first with many findings: errors, then warnings, then info (each in file and
line order), so three chatty info rules cannot bury an error; code frames are drawn for the
first ``FRAMES`` findings only (the errors get them first), the rest are one line each; the
summary at the end leads with the error count and, past 20 findings, names the most
frequent rules (``--statistics`` counts them all, ``--format grouped`` sorts by file).
"""

from __future__ import annotations

from typing import IO

from multus_lint.findings import Finding
from multus_lint.report import SEVERITY_STYLE, ReportInput, by_severity, paint, summary_lines
from multus_lint.report.escape import frame_text, printable

FRAMES = 100


def headline(f: Finding, color: bool, location: str | None = None) -> str:
    """``path:line:col: severity: CODE [name] message``, as compilers print it (editors and
    CI log parsers read the severity from that place)."""
    where = location if location is not None else f"{printable(f.path)}:{f.span.line}:{f.span.column}:"
    return (f"{paint(where, 'bold', color)} {paint(f.severity + ':', SEVERITY_STYLE[f.severity], color)} "
            f"{paint(f.code, SEVERITY_STYLE[f.severity], color)} {paint(f'[{f.rule}]', 'dim', color)} "
            f"{printable(f.message)}")


def frame(source, f: Finding) -> list[tuple[str, str]]:
    """The offending line with a caret under the span, as (text, kind) lines."""
    if source is None or source.text is None:
        return []
    text = source.line_text(f.span.line)
    if not text and f.span.line > len(source.lines):
        return []
    text = text.replace("\t", " ")
    col = f.span.column
    if len(text) > 200:
        start = max(0, f.span.column - 60)
        text = ("…" if start else "") + text[start:start + 160] + "…"
        col = f.span.column - start + (1 if start else 0)
    width = 1
    if f.span.end_line == f.span.line and f.span.end_column > f.span.column:
        width = f.span.end_column - f.span.column
    width = max(1, min(width, max(1, len(text) - col + 1)))
    # The caret is placed on the escaped text: count what the characters before it became.
    before, under = frame_text(text[:col - 1]), frame_text(text[col - 1:col - 1 + width])
    gutter = f"{f.span.line:>5} | "
    return [(gutter + frame_text(text), "code"),
            (" " * (len(gutter) - 2) + "| " + " " * len(before) + "^" * max(1, len(under)), "caret")]


def report(run: ReportInput, out: IO[str]) -> None:
    color = run.color
    for i, f in enumerate(by_severity(run.findings)):
        out.write(headline(f, color) + "\n")
        if i < FRAMES:
            for line, kind in frame(run.sources.get(f.path), f):
                out.write(paint(line, SEVERITY_STYLE[f.severity] if kind == "caret" else "dim", color) + "\n")
    if not run.quiet:
        for text, style in summary_lines(run):
            out.write(paint(text, style, color) + "\n")
