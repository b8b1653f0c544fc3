"""Fixture harness: expected findings are marked next to the offending lines.

A fixture line ending in ``#! ML301`` (several: ``#! ML301 ML203``) expects that finding on
that line, at the column where the line's text starts (the key, for a finding about a
value). ``#! ML402:38`` gives the column explicitly. Markers work anywhere, inside the JSON
of ``spec.config`` too: the harness strips them (keeping every other character in place)
before the linter sees the file, so positions are those of the stripped text.

A line ``#! args: --nodes 3 --select ML2`` (anywhere in a fixture file) passes options.
A fixture is one file, or a directory (a whole project) whose files all carry markers.
A fixture with no markers must produce no findings at all.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
MARKER = re.compile(r"[ \t]*#!\s*((?:ML\d{3}(?::\d+)?[ ,]*)+)$")
ARGS = re.compile(r"^\s*#!\s*args:(.*)$")
EXPECT = re.compile(r"(ML\d{3})(?::(\d+))?")


@dataclass(frozen=True)
class Expected:
    path: str
    code: str
    line: int
    column: int


def strip_markers(text: str, rel: str) -> tuple[str, set[Expected], list[str]]:
    out_lines = []
    expected: set[Expected] = set()
    args: list[str] = []
    for lineno, line in enumerate(text.split("\n"), start=1):
        a = ARGS.match(line)
        if a:
            args += shlex.split(a.group(1))
            out_lines.append("")
            continue
        m = MARKER.search(line)
        if m:
            line = line[:m.start()]
            first_col = len(line) - len(line.lstrip()) + 1
            for code, col in EXPECT.findall(m.group(1)):
                expected.add(Expected(rel, code, lineno, int(col) if col else first_col))
        out_lines.append(line)
    return "\n".join(out_lines), expected, args


def prepare(fixture: Path, dest: Path) -> tuple[Path, set[Expected], list[str]]:
    """Copy ``fixture`` to ``dest`` without markers; the path to lint, expectations, args."""
    expected: set[Expected] = set()
    args: list[str] = []
    files = [fixture] if fixture.is_file() else sorted(p for p in fixture.rglob("*") if p.is_file())
    base = fixture.parent
    for f in files:
        rel = f.relative_to(base).as_posix()
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            text = f.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            shutil.copyfile(f, target)
            continue
        stripped, exp, a = strip_markers(text, rel)
        target.write_text(stripped, encoding="utf-8")
        expected |= exp
        args += a
    return (dest / fixture.name), expected, args


def run_linter(args: list[str], cwd: Path, stdin: str | None = None) -> tuple[int, dict, str]:
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--format", "json", *args],
                          cwd=cwd, capture_output=True, text=True, input=stdin, timeout=120)
    try:
        data = json.loads(proc.stdout) if proc.stdout.strip() else {}
    except json.JSONDecodeError:
        data = {}
    return proc.returncode, data, proc.stderr


def lint_fixture(fixture: Path, tmp: Path) -> tuple[set[Expected], set[Expected], dict, int]:
    """(expected, actual) findings of a fixture as (path, code, line, column) sets."""
    (tmp / ".git").mkdir(exist_ok=True)  # the project root: nothing outside the fixture is context
    target, expected, args = prepare(fixture, tmp)
    rc, data, stderr = run_linter([*args, target.name], cwd=tmp)
    assert "Traceback" not in stderr, stderr
    assert rc in (0, 1), (rc, stderr)
    actual = set()
    for f in data.get("findings", []):
        path = f["path"]
        actual.add(Expected(Path(path).as_posix(), f["code"], f["line"], f["column"]))
    return expected, actual, data, rc


def all_fixtures() -> list[Path]:
    out = []
    for family in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        out.extend(sorted(family.iterdir()))
    return out
