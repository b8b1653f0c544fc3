"""Baseline: adopt the linter in a repository that already has findings.

``--write-baseline FILE`` records the current findings; ``--baseline FILE`` then reports only
findings that are not in it. An entry is keyed by path (relative to the baseline file's
folder, so the run's working directory does not matter), object (kind/namespace/name),
rule and a fingerprint of the message, never by line: an edit elsewhere in the file moves
lines without reviving old findings. Each entry absorbs one finding, so a second copy of an
old mistake in the same object is new.
"""

from __future__ import annotations

import json
import os
from collections import Counter

from multus_lint.config import ConfigError
from multus_lint.findings import Finding, fingerprint, object_key
from multus_lint.load import atomic
from multus_lint.load.atomic import WriteRefused

VERSION = 1

__all__ = ["fingerprint", "object_key"]  # re-exported: the baseline's key parts

def _rel(path: str, base: str) -> str:
    if path.startswith("<"):  # <stdin>, <multus-lint>
        return path
    try:
        rel = os.path.relpath(os.path.abspath(path), base)
    except ValueError:
        rel = path
    return rel.replace(os.sep, "/")


def key(f: Finding, base: str) -> tuple[str, str, str, str]:
    return (_rel(f.path, base), object_key(f.object), f.code, fingerprint(f))


def write(path: str, findings: list[Finding]) -> int:
    """Write the baseline of ``findings`` to ``path``; the number of entries."""
    base = os.path.dirname(os.path.abspath(path))
    entries = []
    for f in findings:
        p, obj, code, fp = key(f, base)
        entries.append({"path": p, "object": obj, "code": code, "rule": f.rule,
                        "fingerprint": fp, "message": f.message})
    entries.sort(key=lambda e: (e["path"], e["object"], e["code"], e["fingerprint"]))
    doc = {"version": VERSION, "tool": "multus-lint", "findings": entries}
    data = (json.dumps(doc, indent=2) + "\n").encode("utf-8", errors="backslashreplace")
    try:
        # an unpredictable O_EXCL temporary file, then a rename: a planted FILE.tmp symlink
        # (or FILE itself as a symlink) is never written through
        atomic.write_atomic(path, data, replace_existing=False)
    except WriteRefused as exc:
        raise ConfigError(f"--write-baseline {path}: {exc}") from exc
    return len(entries)


def load(path: str) -> Counter:
    return _load(path)[0]


def _load(path: str) -> tuple[Counter, dict]:
    """The baseline's entry counts by key, and one entry (as written) per key."""
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except OSError as exc:
        raise ConfigError(f"--baseline {path}: cannot read: {exc.strerror}") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--baseline {path}: not a multus-lint baseline (invalid JSON: {exc})") from exc
    except RecursionError as exc:  # JSON nested past the interpreter's stack: not ours
        raise ConfigError(f"--baseline {path}: not a multus-lint baseline (JSON nested too deep)") from exc
    if not isinstance(doc, dict) or doc.get("version") != VERSION or not isinstance(doc.get("findings"), list):
        raise ConfigError(f"--baseline {path}: not a multus-lint baseline (version {VERSION} expected; "
                          "write one with --write-baseline)")
    counts: Counter = Counter()
    entries: dict = {}
    for e in doc["findings"]:
        if isinstance(e, dict):
            k = (str(e.get("path", "")), str(e.get("object", "")), str(e.get("code", "")),
                 str(e.get("fingerprint", "")))
            counts[k] += 1
            entries.setdefault(k, e)
    return counts, entries


def filter_new(findings: list[Finding], path: str) -> list[Finding]:
    """The findings that are not in the baseline at ``path``."""
    return filter_counted(findings, path)[0]


def filter_counted(findings: list[Finding], path: str, named: set[str] | None = None,
                   codes: set[str] | None = None) -> tuple[list[Finding], list[dict]]:
    """The findings not in the baseline at ``path``, and the baseline's entries that matched
    no finding (stale: fixed since, or reworded), one per unmatched entry. Only entries the
    run could have matched count as stale: of a ``named`` file, for a rule in ``codes``
    (pre-commit passes a few files; --select runs a few rules)."""
    counts, entries = _load(path)
    base = os.path.dirname(os.path.abspath(path))
    files = None if named is None else {_rel(p, base) for p in named}
    out = []
    for f in findings:
        k = key(f, base)
        if counts[k] > 0:
            counts[k] -= 1
            continue
        out.append(f)
    stale = [entries[k] for k, n in sorted(counts.items()) for _ in range(n)
             if n > 0 and (files is None or k[0] in files) and (codes is None or k[2] in codes)]
    return out, stale
