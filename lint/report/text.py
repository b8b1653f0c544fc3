"""``--format text``: one line per finding, the offending line with a caret, a summary.

Colour (through rich) only on a terminal and never with ``NO_COLOR``; otherwise plain
text is written directly and rich is not imported at all.
"""

from __future__ import annotations

from typing import IO

from multus_lint.findings import Finding
from multus_lint.report import summary

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _frame(source, f: Finding) -> list[tuple[str, str]]:
    """The offending line with a caret under the span, as (text, style) lines."""
    if source is None or source.text is None:
        return []
    text = source.line_text(f.span.line)
    if not text and f.span.line > len(source.lines):
        return []
    text = text.replace("\t", " ")
    if len(text) > 200:
        start = max(0, f.span.column - 60)
        text = ("…" if start else "") + text[start:start + 160] + "…"
        col = f.span.column - start + (1 if start else 0)
    else:
        col = f.span.column
    width = 1
    if f.span.end_line == f.span.line and f.span.end_column > f.span.column:
        width = f.span.end_column - f.span.column
    width = max(1, min(width, max(1, len(text) - col + 1)))
    gutter = f"{f.span.line:>5} | "
    return [(gutter + text, ""), (" " * (len(gutter) - 2) + "| " + " " * (col - 1) + "^" * width, "caret")]


def report(findings: list[Finding], out: IO[str], *, sources: dict, files: int, color: bool,
           fixable: int = 0) -> None:
    if color:
        from rich.console import Console
        from rich.text import Text

        console = Console(file=out, highlight=False, soft_wrap=True)

        def emit(parts: list[tuple[str, str]]) -> None:
            t = Text()
            for s, style in parts:
                t.append(s, style=style or None)
            console.print(t)
    else:
        def emit(parts: list[tuple[str, str]]) -> None:
            out.write("".join(s for s, _ in parts) + "\n")

    for f in findings:
        emit([(f"{f.path}:{f.span.line}:{f.span.column}", "bold"), (" ", ""),
              (f.code, STYLE[f.severity]), (f" [{f.rule}] ", "dim"), (f.message, "")])
        for line, kind in _frame(sources.get(f.path), f):
            emit([(line, STYLE[f.severity] if kind == "caret" else "dim")])
    s = summary(findings, files)
    if findings:
        parts = [f"{s['errors']} error{'s' * (s['errors'] != 1)}",
                 f"{s['warnings']} warning{'s' * (s['warnings'] != 1)}",
                 f"{s['infos']} info"]
        nfiles = len({f.path for f in findings})
        if fixable:
            emit([(f"{fixable} fixable with `multus-lint --fix` (preview: --diff).", "")])
        emit([(f"Found {len(findings)} problem{'s' * (len(findings) != 1)} ({', '.join(parts)}) "
               f"in {nfiles} of {files} file{'s' * (files != 1)}.", "bold")])
    else:
        emit([(f"All clear: {files} file{'s' * (files != 1)} checked, no problems.", "bold green")])
