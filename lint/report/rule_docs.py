"""Rule documentation from the registry: ``--list-rules``, ``--explain`` and docs/rules.md.

One source (each rule's ``declare(...)`` fields), three views, so the docs cannot drift
from the code. Regenerate the Markdown with ``python -m multus_lint.report.rule_docs`` (writes
docs/rules.md of the source checkout) or ``python -m multus_lint.report.rule_docs FILE``; tests fail
when the committed file is stale.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from typing import IO

from multus_lint import registry
from multus_lint.registry import Rule

FAMILIES = {
    "ML0": "ML0xx: reading the input",
    "ML1": "ML1xx: K3s node paths and the rke2-multus chart",
    "ML2": "ML2xx: IPAM",
    "ML3": "ML3xx: addressing",
    "ML4": "ML4xx: pod network annotations",
    "ML5": "ML5xx: NetworkAttachmentDefinitions and CNI configs",
    "ML6": "ML6xx: Helm values",
}
# lint/report/rule_docs.py -> the checkout's docs/rules.md
DEFAULT_OUTPUT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                              "docs", "rules.md")


def list_rules(out: IO[str], fmt: str = "text", codes: list[str] | None = None) -> None:
    """Every rule (or those of ``codes``) as a table, or as JSON."""
    rules = [r for r in registry.all_rules() if codes is None or r.code in codes]
    if fmt == "json":
        json.dump([{"code": r.code, "name": r.name, "severity": r.severity, "fixable": r.fixable,
                    "summary": r.summary} for r in rules], out, indent=2)
        out.write("\n")
        return
    width = max(len(r.name) for r in rules)
    out.write(f"{'code':<6} {'name':<{width}} {'severity':<8} fix  summary\n")
    for r in rules:
        out.write(f"{r.code:<6} {r.name:<{width}} {r.severity:<8} {'yes' if r.fixable else '-':<4} {r.summary}\n")


def _fill(text: str) -> str:
    # paths and flags (`--cni-bin-dir`, /var/lib/rancher/...) must not be split
    return textwrap.fill(text, 88, break_on_hyphens=False, break_long_words=False)


def explain(rule: Rule) -> str:
    """The terminal view of one rule: what, why on K3s, example, fix, references."""
    parts = [f"{rule.code} {rule.name} ({rule.severity}{', fixable with --fix' if rule.fixable else ''})",
             "", rule.summary]
    for title, body in (("What it does", rule.what), ("Why it breaks on K3s", rule.why)):
        if body:
            parts += ["", f"{title}:", textwrap.indent(_fill(body), "  ")]
    if rule.example:
        parts += ["", "Example:", textwrap.indent(rule.example, "    ")]
    if rule.fix:
        parts += ["", "Fix:", textwrap.indent(_fill(rule.fix), "  ")]
    if rule.refs:
        parts += ["", "References:"] + [f"  - {r}" for r in rule.refs]
    return "\n".join(parts) + "\n"


def _fence(example: str) -> str:
    lang = "json" if example.lstrip().startswith(('{', '"')) else "yaml"
    return f"```{lang}\n{example}\n```"


def markdown() -> str:
    """docs/rules.md: an index table, then one section per rule."""
    rules = registry.all_rules()
    lines = ["# multus-lint rules", "",
             "<!-- Generated from the rule registry by `python -m multus_lint.report.rule_docs`; do not edit. -->", "",
             "Every rule by code, with its name (usable wherever a code is: `--select`, `--ignore`, "
             "suppressions), default severity and whether `--fix` repairs it. "
             "`multus-lint --explain CODE` shows the same text in a terminal.", "",
             "| code | name | severity | fix | summary |", "|---|---|---|---|---|"]
    for r in rules:
        summary = r.summary.replace("|", "\\|")
        lines.append(f"| [{r.code}](#{r.code.lower()}-{r.name}) | {r.name} | {r.severity} | "
                     f"{'yes' if r.fixable else ''} | {summary} |")
    family = None
    for r in rules:
        fam = FAMILIES.get(r.code[:3])
        if fam and fam != family:
            family = fam
            lines += ["", f"## {fam}"]
        lines += ["", f"### {r.code} {r.name}", "",
                  f"Severity: **{r.severity}**{' · fixable with `--fix`' if r.fixable else ''}", "",
                  r.summary]
        if r.what:
            lines += ["", f"**What it does.** {r.what}"]
        if r.why:
            lines += ["", f"**Why it breaks on K3s.** {r.why}"]
        if r.example:
            lines += ["", "**Example.**", "", _fence(r.example)]
        if r.fix:
            lines += ["", f"**Fix.** {r.fix}"]
        if r.refs:
            lines += ["", "**References.**", ""] + [f"- <{ref}>" for ref in r.refs]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = args[0] if args else DEFAULT_OUTPUT
    if target == "-":
        sys.stdout.write(markdown())
        return 0
    os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
    with open(target, "w", encoding="utf-8") as fh:
        fh.write(markdown())
    sys.stderr.write(f"wrote {target}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
