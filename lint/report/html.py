"""``--format html``: one self-contained page for people who read audits outside a terminal.

A summary (files, scopes, findings by severity and rule, the profile and where each value
came from), per scope the network map and the address plan (SVG drawn by ``svg``), the
findings grouped by file with their code frames, filters that work without a server, and
the documentation of every rule that fired. No external font, script or style: the file
opens offline. Jinja2 (the ``html`` extra) renders the template in ``templates/``.
"""

from __future__ import annotations

from collections import Counter
from importlib import resources
from typing import IO, Any

from multus_lint import __version__, registry
from multus_lint.findings import SEVERITY_RANK, Finding
from multus_lint.report import ReportInput, summary
from multus_lint.report.svg import address_plan, network_map

MAX_FINDINGS = 20_000  # beyond this the page is slow to open; the rest is counted, not shown
FRAME = 2  # lines of context above and below the finding's line


class MissingJinja(RuntimeError):
    pass


def _template() -> Any:
    try:
        import jinja2
    except ImportError as exc:  # the core install has no jinja2
        raise MissingJinja("--format html needs Jinja2: pip install 'multus-lint[html]'") from exc
    text = resources.files("multus_lint.report").joinpath("templates/report.html.j2").read_text("utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=False, lstrip_blocks=False)
    return env.from_string(text)


def _frame(source: Any, f: Finding, split: dict[int, list[str]] | None = None) -> list[dict[str, Any]]:
    text = getattr(source, "text", None)
    if not text or f.span.line < 1:
        return []
    # a file's lines split once per report (``split``), not once per finding in it
    lines = split.get(id(text)) if split is not None else None
    if lines is None:
        lines = text.split("\n")
        if split is not None:
            split[id(text)] = lines
    lo, hi = max(1, f.span.line - FRAME), min(len(lines), f.span.line + FRAME)
    return [{"number": n, "text": lines[n - 1][:300], "hit": n == f.span.line} for n in range(lo, hi + 1)]


def _rules(codes: list[str]) -> list[dict[str, Any]]:
    out = []
    for code in codes:
        rule = registry.get(code)
        if rule is not None:
            out.append({"code": rule.code, "name": rule.name, "severity": rule.severity,
                        "summary": rule.summary, "what": rule.what, "why": rule.why,
                        "example": rule.example, "fix": rule.fix, "refs": list(rule.refs)})
    return out


def render(findings: list[Finding], *, sources: dict, files: int, context: dict[str, Any] | None) -> str:
    """The whole page as a string."""
    context = context or {}
    counts = Counter(f.code for f in findings)
    first = {f.code: f for f in findings}
    by_rule = sorted(({"code": c, "name": first[c].rule, "severity": first[c].severity, "count": n}
                      for c, n in counts.items()),
                     key=lambda r: (-SEVERITY_RANK[r["severity"]], -r["count"], r["code"]))
    shown = findings[:MAX_FINDINGS]
    grouped: dict[str, list[dict[str, Any]]] = {}
    split: dict[int, list[str]] = {}  # keyed by the id of a text the sources keep alive
    for f in shown:
        grouped.setdefault(f.path, []).append({
            "code": f.code, "rule": f.rule, "severity": f.severity, "message": f.message,
            "line": f.span.line, "column": f.span.column, "scope": f.extra.get("scope"),
            "frame": _frame(sources.get(f.path), f, split)})
    scopes = []
    for scope in context.get("scopes", []):
        scopes.append(dict(scope, map_svg=network_map(scope), plan_svg=address_plan(scope)))
    return str(_template().render(
        version=__version__, summary=summary(findings, files), by_rule=by_rule, scopes=scopes,
        files=[{"path": p, "findings": fs} for p, fs in grouped.items()],
        truncated=len(findings) - len(shown), shown=len(shown),
        rules=_rules([r["code"] for r in by_rule])))


def report(run: ReportInput, out: IO[str]) -> None:
    out.write(render(run.findings, sources=run.sources, files=run.files, context=run.context))
