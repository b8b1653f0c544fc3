"""``--format junit``: JUnit XML for CI test reports (GitLab, Jenkins, Azure).

One ``<testsuite>`` per file linted, one ``<testcase>`` per finding with ``file`` and
``line`` attributes (as ruff writes them; GitLab links them to the file). A finding at or
above ``--fail-level`` is a ``<failure>``; one below it (info, by default) is a passing
testcase whose text is in ``<system-out>``, so it is visible without failing the report. A
clean file has one passing testcase. Text is escaped (``report.escape``) before it goes
into the XML: XML 1.0 cannot carry control characters or lone surrogates at all.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import IO

from multus_lint.findings import SEVERITY_RANK, Finding
from multus_lint.report import ReportInput, path_shower, repo_base
from multus_lint.report.escape import printable
from multus_lint.report.text import headline


def report(run: ReportInput, out: IO[str]) -> None:
    by_path: dict[str, list[Finding]] = {p: [] for p, s in sorted(run.sources.items())
                                         if getattr(s, "named", True)}
    for f in run.findings:
        by_path.setdefault(f.path, []).append(f)
    bar = SEVERITY_RANK[run.fail_level]
    failing = sum(1 for f in run.findings if SEVERITY_RANK[f.severity] >= bar)
    total = sum(max(1, len(items)) for items in by_path.values())
    suites = ET.Element("testsuites", name="multus-lint", tests=str(total), failures=str(failing),
                        errors="0", time="0")
    relative = path_shower(repo_base())
    for path, items in sorted(by_path.items()):
        shown = printable(relative(path))
        fails = sum(1 for f in items if SEVERITY_RANK[f.severity] >= bar)
        suite = ET.SubElement(suites, "testsuite", name=shown, tests=str(max(1, len(items))),
                              failures=str(fails), errors="0", skipped="0", time="0", file=shown)
        if not items:
            ET.SubElement(suite, "testcase", name="no findings", classname=shown, file=shown, time="0")
        for f in items:
            case = ET.SubElement(suite, "testcase", name=f"{f.code} {f.rule} at {f.span.line}:{f.span.column}",
                                 classname=shown, file=shown, line=str(f.span.line), time="0")
            text = headline(f, False)
            if SEVERITY_RANK[f.severity] >= bar:
                fail = ET.SubElement(case, "failure", type=f.code,
                                     message=f"{f.severity}: {f.code} [{f.rule}] {printable(f.message)}")
                fail.text = text
            else:
                ET.SubElement(case, "system-out").text = text
    ET.indent(suites)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(suites, encoding="unicode"))
    out.write("\n")
