"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning (``upload-sarif``).

``tool.driver.rules`` describes every rule that has a result (id = code, name, short and
full description, help, helpUri, default level); each result points at an
``artifactLocation.uri`` relative to the repository root, with a region, and carries the baseline fingerprint so code
scanning can follow a finding when lines move.
"""

from __future__ import annotations

import json
from typing import IO, Any

from multus_lint import __version__, registry
from multus_lint.findings import Finding
from multus_lint.report import repo_relative

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
INFORMATION_URI = "https://github.com/k8snetworkplumbingwg/multus-cni"


def rule_descriptor(rule: registry.Rule) -> dict[str, Any]:
    help_text = "\n\n".join(x for x in (rule.why, f"Fix: {rule.fix}" if rule.fix else "") if x)
    out: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.what or rule.summary},
        "help": {"text": help_text or rule.summary},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"fixable": rule.fixable},
    }
    if rule.refs:
        out["helpUri"] = rule.refs[0]
    return out


def result(f: Finding, index: int) -> dict[str, Any]:
    from multus_lint.findings import fingerprint

    s = f.span
    end_line = max(s.end_line, s.line)
    end_column = s.end_column if (end_line > s.line or s.end_column > s.column) else s.column + 1
    return {
        "ruleId": f.code,
        "ruleIndex": index,
        "level": LEVEL[f.severity],
        "message": {"text": f.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": repo_relative(f.path)},
            "region": {"startLine": s.line, "startColumn": s.column,
                       "endLine": end_line, "endColumn": end_column},
        }}],
        "partialFingerprints": {"multusLint/v1": fingerprint(f)},
    }


def build(findings: list[Finding]) -> dict[str, Any]:
    codes = sorted({f.code for f in findings})
    rules = [r for r in (registry.get(c) for c in codes) if r is not None]
    index = {r.code: i for i, r in enumerate(rules)}
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "multus-lint",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [rule_descriptor(r) for r in rules],
            }},
            "results": [result(f, index.get(f.code, -1)) for f in findings],
        }],
    }


def report(findings: list[Finding], out: IO[str], *, sources: dict, files: int, color: bool,
           fixable: int = 0) -> None:
    json.dump(build(findings), out, indent=2)
    out.write("\n")
