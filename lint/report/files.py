"""``--show-files``: what a run would lint, and what it skips below the paths given.

The linted list comes from the same walk as a run (``load.discover.walk``); the skipped
list names the files of the walked folders that the walk passes over, with the reason: an
extension that is not a manifest's, or an ``exclude`` pattern of the config.
"""

from __future__ import annotations

import os
from typing import Any

from multus_lint.load.discover import SKIP_DIRS, SUFFIXES, display_path, excluded, walk
from multus_lint.report.escape import printable


def show_files(paths: list[str], config: Any, root: str) -> str:
    linted: list[str] = []
    skipped: list[tuple[str, str]] = []
    for p in paths:
        if p == "-":
            linted.append("-  (standard input)")
        elif os.path.isdir(p):
            linted.extend(c.path + (f"  ({c.error})" if c.error else "") for c in walk(p, root, config.exclude, True))
            skipped.extend(_skipped(p, root, config.exclude))
        elif os.path.lexists(p):
            linted.append(display_path(p) if os.path.isabs(p) else os.path.normpath(p))
        else:
            skipped.append((p, "no such file or directory"))
    lines = [f"lint  {printable(p)}" for p in linted]
    lines += [f"skip  {printable(p)}  ({why})" for p, why in skipped]
    lines.append(f"{len(linted)} file{'s' * (len(linted) != 1)} to lint, {len(skipped)} skipped")
    return "\n".join(lines) + "\n"


def _skipped(top: str, root: str, exclude: list[str]) -> list[tuple[str, str]]:
    out = []
    suffixes = ", ".join(SUFFIXES)
    for folder, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not excluded(os.path.join(folder, d), root, exclude))
        for name in sorted(files):
            path = os.path.join(folder, name)
            if excluded(path, root, exclude):
                out.append((display_path(path), "exclude in the config"))
            elif not name.lower().endswith(SUFFIXES):
                out.append((display_path(path), f"not {suffixes}"))
    return out
