"""The last run's findings, replayed when nothing they depend on has changed.

A second run over the same files (pre-commit re-run after a failed commit, an editor saving
without change, CI re-run) gives the same findings. What a run's findings depend on is known
once the files are collected: every source read (named files and context, by content hash),
every path the listing gave (a new or deleted file, even one that is no context, can change
cluster scopes and kustomize's view of a folder), the config, the command line's options, the
working directory (paths are shown relative to it), the linter's code, and the files the
model read on its own (kustomize resources and patches without a context marker, recorded
while the model is built and checked again, by content, before a replay).

Stored next to the per-file cache (load.cache), one entry per project root and settings:
the findings as JSON, with what the reporters need of each (the severity after overrides,
the scope, whether ``--fix`` could repair it). A replay is only offered where the reporters
need nothing else of the model: not for ``--fix``/``--diff``, ``--show-fixes``,
``--print-profile``, ``--write-baseline`` or the HTML report (the CLI decides), nor for
standard input.
"""

from __future__ import annotations

import os
from typing import Any

from multus_lint.findings import Finding, Span
from multus_lint.load.cache import FORMAT, digest, read_cache, stamp, write_cache_file
from multus_lint.load.digests import hasher, hexdigest


def code_signature() -> str:
    """Version, and the size and mtime of every module of the linter (rules included)."""
    import importlib.util

    from multus_lint import __version__

    parts = [__version__, str(FORMAT)]
    for name in ("multus_lint", "multus_lint.rules"):  # the rules are a package of their own
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.origin:
            continue
        top = os.path.dirname(os.path.abspath(spec.origin))
        for folder, dirs, names in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(names):
                if name.endswith((".py", ".json")):
                    path = os.path.join(folder, name)
                    parts.append(stamp(path, os.path.relpath(path, top)))
    return "\n".join(parts)


def file_state(path: str) -> str:
    """What a file the model read on its own holds now: its content hash, or why none."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return f"error:{exc.errno}"
    return hexdigest(data)


class Replay:
    """The stored findings of one project root, and the key of the run being made."""

    def __init__(self, directory: str, root: str, key_parts: list[str]) -> None:
        self.directory = directory
        slot = hexdigest(os.path.realpath(root).encode("utf-8", "surrogatepass"), 10)
        self.file = os.path.join(directory, f"results-{slot}.cache")
        h = hasher()
        for part in [code_signature(), *key_parts]:
            h.update(part.encode("utf-8", "surrogatepass"))
            h.update(b"\0")
        self.key = h.hexdigest()

    def load(self) -> dict[str, Any] | None:
        """The stored run, when it was made with this key and the files the model read on
        its own are unchanged."""
        found = read_cache(self.file, self.key)
        if found is None:
            return None
        raw = found[0]
        extra = raw.get("extra")
        if not isinstance(extra, dict) or not isinstance(raw.get("findings"), list):
            return None
        if any(not isinstance(state, str) or file_state(path) != state for path, state in extra.items()):
            return None
        return raw

    def save(self, findings: list[Finding], fixable: set[int], extra: dict[str, str],
             named: int, hidden: int, stale: list[dict]) -> None:
        data = {"format": FORMAT, "key": self.key, "named": named, "hidden": hidden, "stale": stale,
                "extra": extra,
                "findings": [_finding_json(f, id(f) in fixable) for f in findings]}
        write_cache_file(self.directory, self.file, "results-", data)


def _finding_json(f: Finding, fixable: bool) -> list[Any]:
    s = f.span
    extra = {k: v for k, v in f.extra.items() if k == "scope"}
    if fixable:
        extra["fixable"] = True
    return [f.code, f.rule, f.severity, f.message, f.path, s.line, s.column, s.end_line, s.end_column,
            f.object, extra]


def findings_of(raw: dict[str, Any]) -> list[Finding] | None:
    """The stored findings as Finding objects (None: not as this version writes them)."""
    out = []
    try:
        for item in raw["findings"]:
            code, rule, severity, message, path, line, col, end_line, end_col, obj, extra = item
            f = Finding(str(code), str(rule), str(severity), str(message), str(path),
                        Span(int(line), int(col), int(end_line), int(end_col)),
                        obj if isinstance(obj, dict) else None)
            if isinstance(extra, dict):
                f.extra.update(extra)
            out.append(f)
    except (TypeError, ValueError, KeyError):
        return None
    return out


def source_key(source: Any) -> str:
    """A source as the run key holds it: path, named, and its content hash (the cache's,
    for a context file not read yet) or why it could not be read."""
    if source.digest is not None and source.text is None and source.error is None:
        what = source.digest
    else:
        what = digest(source.text) if source.text is not None else repr(source.error)
    return f"{source.path}\0{int(source.named)}\0{what}"
