"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning (``upload-sarif``).

``tool.driver.rules`` describes every rule that has a result (id = code, name, short and
full description, help as text and markdown, ``helpUri`` at the rule's section of
multus-lint's docs/rules.md, default level). Each result points at a percent-encoded
``artifactLocation.uri`` relative to the repository root, with a region whose columns are
UTF-16 code units (SARIF's default ``columnKind``, stated explicitly), and carries a
``partialFingerprints`` value unique in the run (``report.identities``). Internal errors
(ML000) are not results: they are ``toolExecutionNotifications`` of the invocation, whose
``executionSuccessful`` says whether every check ran.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from multus_lint import __version__, registry
from multus_lint.findings import Finding
from multus_lint.report import HOMEPAGE, ReportInput, identities, path_shower, repo_base
from multus_lint.report.escape import encodable, uri_path
from multus_lint.report.jsontext import dumps

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
DOCS = f"{HOMEPAGE}/blob/v{__version__}/docs/rules.md"
INTERNAL = "ML000"


def help_uri(rule: registry.Rule) -> str:
    return f"{DOCS}#{rule.code.lower()}-{rule.name}"  # the anchor docs/rules.md's headings get


def help_markdown(rule: registry.Rule) -> str:
    parts = [f"**{rule.code} {rule.name}** ({rule.severity}"
             f"{', fixable with `multus-lint --fix`' if rule.fixable else ''})", "", rule.summary]
    if rule.what:
        parts += ["", f"**What it does.** {rule.what}"]
    if rule.why:
        parts += ["", f"**Why it breaks on K3s.** {rule.why}"]
    if rule.example:
        parts += ["", "**Example.**", "", "```", rule.example, "```"]
    if rule.fix:
        parts += ["", f"**Fix.** {rule.fix}"]
    if rule.refs:
        parts += ["", "**References.**", ""] + [f"- <{ref}>" for ref in rule.refs]
    parts += ["", f"[Full documentation]({help_uri(rule)})"]
    return "\n".join(parts)


def rule_descriptor(rule: registry.Rule) -> dict[str, Any]:
    help_text = "\n\n".join(x for x in (rule.what, rule.why, f"Fix: {rule.fix}" if rule.fix else "") if x)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.what or rule.summary},
        "help": {"text": help_text or rule.summary, "markdown": help_markdown(rule)},
        "helpUri": help_uri(rule),
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"fixable": rule.fixable, "tags": [rule.code[:3] + "xx"]},
    }


def _utf16(line: str, column: int) -> int:
    """A 1-based character column of ``line`` as a 1-based UTF-16 code unit column."""
    head = line[:max(0, column - 1)]
    if head.isascii():
        return column
    return len(head.encode("utf-16-le", "surrogatepass")) // 2 + 1 + max(0, column - 1 - len(head))


def region(f: Finding, source: Any) -> dict[str, int]:
    s = f.span
    end_line = max(s.end_line, s.line)
    end_column = s.end_column if (end_line > s.line or s.end_column > s.column) else s.column + 1
    start_column = s.column
    if source is not None and getattr(source, "text", None) is not None:
        start_column = _utf16(source.line_text(s.line), s.column)
        end_column = _utf16(source.line_text(end_line), end_column)
    return {"startLine": s.line, "startColumn": start_column, "endLine": end_line, "endColumn": end_column}


def _location(f: Finding, source: Any, uri: Callable[[str], str]) -> dict[str, Any]:
    return {"physicalLocation": {"artifactLocation": {"uri": uri(f.path)},
                                 "region": region(f, source)}}


def uris(base: str) -> Callable[[str], str]:
    """A finding's path as the report's artifact URI, worked out once per path."""
    shown = path_shower(base)
    memo: dict[str, str] = {}

    def uri(path: str) -> str:
        hit = memo.get(path)
        if hit is None:
            hit = memo[path] = uri_path(shown(path))
        return hit

    return uri


def result(f: Finding, index: int, identity: str, source: Any, uri: Callable[[str], str]) -> dict[str, Any]:
    return {
        "ruleId": f.code,
        "ruleIndex": index,
        "level": LEVEL[f.severity],
        "message": {"text": encodable(f.message)},
        "locations": [_location(f, source, uri)],
        "partialFingerprints": {"multusLint/v2": identity},
    }


def notification(f: Finding, source: Any, uri: Callable[[str], str]) -> dict[str, Any]:
    out: dict[str, Any] = {"level": "error", "message": {"text": encodable(f.message)},
                           "descriptor": {"id": f.code}}
    if not f.path.startswith("<"):  # located at the object it failed on
        out["locations"] = [_location(f, source, uri)]
    return out


def build(run: ReportInput) -> dict[str, Any]:
    results = [f for f in run.findings if f.code != INTERNAL]
    internal = [f for f in run.findings if f.code == INTERNAL]
    codes = sorted({f.code for f in results})
    rules = [r for r in (registry.get(c) for c in codes) if r is not None]
    index = {r.code: i for i, r in enumerate(rules)}
    base = repo_base()  # once per run, not per finding
    ids = identities(results, base)
    uri = uris(base)
    invocation: dict[str, Any] = {"executionSuccessful": not internal, "exitCode": run.exit_code}
    if internal:
        invocation["toolExecutionNotifications"] = [notification(f, run.sources.get(f.path), uri)
                                                     for f in internal]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "multus-lint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": HOMEPAGE,
                "rules": [rule_descriptor(r) for r in rules],
            }},
            "invocations": [invocation],
            "columnKind": "utf16CodeUnits",
            "results": [result(f, index.get(f.code, -1), ids[i], run.sources.get(f.path), uri)
                        for i, f in enumerate(results)],
        }],
    }


def report(run: ReportInput, out: IO[str]) -> None:
    out.write(dumps(build(run), indent=2, ensure_ascii=False))  # json.dump's text, faster
    out.write("\n")
