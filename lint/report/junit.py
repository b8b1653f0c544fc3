"""``--format junit``: JUnit XML for CI test reports (GitLab, Jenkins, Azure).

One testcase per file linted (a clean file passes), one ``<failure>`` per finding in it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import IO

from multus_lint.findings import Finding


def report(findings: list[Finding], out: IO[str], *, sources: dict, files: int, color: bool,
           fixable: int = 0) -> None:
    by_path: dict[str, list[Finding]] = {p: [] for p, s in sorted(sources.items()) if getattr(s, "named", True)}
    for f in findings:
        by_path.setdefault(f.path, []).append(f)
    suites = ET.Element("testsuites", name="multus-lint", tests=str(len(by_path)),
                        failures=str(len(findings)), errors="0")
    suite = ET.SubElement(suites, "testsuite", name="multus-lint", tests=str(len(by_path)),
                          failures=str(len(findings)), errors="0", skipped="0")
    for path, items in by_path.items():
        case = ET.SubElement(suite, "testcase", classname="multus-lint", name=path)
        for f in items:
            fail = ET.SubElement(case, "failure", type=f.code,
                                 message=f"{f.code} [{f.rule}] {f.message}")
            fail.text = f"{f.path}:{f.span.line}:{f.span.column}: {f.severity}: {f.code} [{f.rule}] {f.message}"
    ET.indent(suites)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(suites, encoding="unicode"))
    out.write("\n")
