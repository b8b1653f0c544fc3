"""Applying fixes (the engine side of ``--fix`` and ``--diff``): fixes become text edits.

Rules attach ``multus_lint.fixes.Fix`` data to findings; nothing is computed until
``--fix``/``--diff`` asks. ``edit_for`` then turns a fix into one ``TextEdit`` on the file's
text, or None when the edit cannot be made safely (a quoted or folded scalar holding the
embedded document, a flow mapping, a non-scalar value): the finding is then simply reported
as usual. Edits touch only the bytes they replace or insert, so comments, quoting and layout
elsewhere stay byte-identical; files are written atomically (temporary file +
``os.replace``); the run repeats until no edit is left, so a second ``--fix`` changes nothing.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable
from typing import Any

from multus_lint.findings import Finding
from multus_lint.fixes import Fix
from multus_lint.load import atomic
from multus_lint.load.atomic import WriteRefused
from multus_lint.load.positions import (
    JsonNode,
    JsonTree,
    LineIndex,
    Path,
    ScalarMap,
    ShiftMap,
    TextMap,
    YamlTree,
)
from multus_lint.records import dataclass

MAX_PASSES = 5  # adding two missing keys under one missing parent takes two passes


@dataclass(frozen=True)
class TextEdit:
    """Replace ``text[start:end]`` of a file with ``new``.

    An insertion of missing keys also keeps what it adds (``adds``: (keys, value) pairs) and
    how it is laid out (``layout``), so that several keys added at one place merge into one
    edit (two keys under one new parent become one parent with two children).
    """

    start: int
    end: int
    new: str
    adds: tuple = ()
    layout: tuple = ()

    def merge(self, other: TextEdit) -> TextEdit | None:
        """One insertion doing both, or None when they cannot be combined."""
        if not (self.adds and other.adds and self.layout == other.layout
                and self.start == self.end == other.start == other.end):
            return None
        adds = self.adds + tuple(a for a in other.adds if a not in self.adds)
        keys = [k for k, _ in adds]
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                if a[:len(b)] == b or b[:len(a)] == a:  # same key, or one inside the other
                    return None
        return TextEdit(self.start, self.end, _render(self.layout, adds), adds, self.layout)


def _nest(adds: tuple) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for keys, value in adds:
        node = tree
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        node[keys[-1]] = value
    return tree


def _render(layout: tuple, adds: tuple) -> str:
    lang, indent, nl, mode = layout
    tree = _nest(adds)
    if lang == "yaml":
        lines: list[str] = []

        def walk(node: dict[str, Any], pad: str) -> None:
            for k, v in node.items():
                if isinstance(v, dict):
                    lines.append(f"{pad}{yaml_scalar(k)}:")
                    walk(v, pad + "  ")
                else:
                    lines.append(f"{pad}{yaml_scalar(k)}: {yaml_scalar(v)}")

        walk(tree, indent)
        return "".join(nl + line for line in lines)
    members = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in tree.items()]
    if mode == "lines":
        return "".join("," + nl + indent + m for m in members)
    if mode == "inline":
        return "".join(", " + m for m in members)
    return ", ".join(members)


# ------------------------------------------------------------------ positions


def _exact(textmap: TextMap) -> bool:
    """Whether inner positions map to outer ones character for character.

    True for a file or document (a line shift) and for a literal block scalar (``|``) in
    one, and a single-quoted scalar without escapes (edits are verified against the text);
    double-quoted and folded scalars escape or fold characters, so edits there are refused.
    """
    textmap = textmap.resolved()
    if type(textmap) is ShiftMap:
        return True
    if isinstance(textmap, ScalarMap):
        if textmap.style == "'" and "''" not in textmap.raw:
            # no escapes: every non-blank character of the value is the raw one, and a line
            # break added between JSON tokens folds into a space, which JSON ignores
            return _exact(textmap.outer)
        return textmap.style == "|" and textmap._literal is not None and _exact(textmap.outer)
    return False


class _Outer:
    """The outer file's text, and inner tree positions turned into offsets in it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.index = LineIndex(text)

    def offset(self, textmap: TextMap, line: int, column: int) -> int | None:
        ol, oc = textmap.to_outer(line, column)
        if not 0 < ol <= len(self.index.starts):
            return None
        return self.index.starts[ol - 1] + oc - 1

    def line_end(self, offset: int) -> int:
        """Offset of the line break ending the line that holds ``offset`` (before a CR)."""
        end = self.text.find("\n", offset)
        if end == -1:
            return len(self.text)
        return end - 1 if end > 0 and self.text[end - 1] == "\r" else end

    def newline(self) -> str:
        return "\r\n" if "\r\n" in self.text else "\n"

    def indent_before(self, offset: int) -> str:
        """The text before ``offset`` on its line, as whitespace (``- `` becomes spaces)."""
        start = self.text.rfind("\n", 0, offset) + 1
        return "".join(c if c in " \t" else " " for c in self.text[start:offset])


def edit_for(fix: Fix, text: str) -> TextEdit | None:
    """The text edit for ``fix`` in a file whose text is ``text``, or None if not safe."""
    tree = fix.located.tree
    if not _exact(tree.textmap):
        return None
    outer = _Outer(text)
    path = tuple(fix.located.base) + fix.path
    try:
        if isinstance(tree, YamlTree):
            return _yaml_edit(tree, path, fix, outer)
        if isinstance(tree, JsonTree):
            return _json_edit(tree, path, fix, outer)
    except (IndexError, KeyError, TypeError, ValueError):
        return None  # a tree shape this code did not foresee: leave the finding to the user
    return None


def _checked(outer: _Outer, start: int | None, end: int | None, inner: str, new: str) -> TextEdit | None:
    """An edit of ``outer[start:end]``, only if that text is exactly ``inner``."""
    if start is None or end is None or outer.text[start:end] != inner:
        return None
    return TextEdit(start, end, new)


# ------------------------------------------------------------------ YAML

_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9_/][A-Za-z0-9_./-]*$")
_YAML_SPECIAL = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"}


def yaml_scalar(value: Any, style: str | None = None) -> str:
    """``value`` written as a YAML scalar, in ``style`` when given and possible."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    s = str(value)
    if style == "'":
        return "'" + s.replace("'", "''") + "'"
    if style == '"':
        return json.dumps(s)
    if _PLAIN_SAFE.match(s) and s.lower() not in _YAML_SPECIAL and not re.match(r"^[\d.]+$", s):
        return s
    return json.dumps(s)


def _yaml_edit(tree: YamlTree, path: Path, fix: Fix, outer: _Outer) -> TextEdit | None:
    key, node, depth = tree.find_node(path)
    if fix.new_key is not None:
        if depth != len(path) or key is None or getattr(key, "id", "") != "scalar":
            return None
        parent = tree.find_node(path[:-1])[1]
        if any(getattr(k, "value", None) == fix.new_key for k, _ in parent.value):
            return None
        return _replace_node(tree, key, yaml_scalar(fix.new_key, key.style), outer)
    if depth == len(path):
        if getattr(node, "id", "") != "scalar" or node.style in ("|", ">"):
            return None
        if node.value == str(fix.value) and node.style is not None:
            return None
        return _replace_node(tree, node, yaml_scalar(fix.value, node.style), outer)
    return _yaml_add(tree, node, path[depth:], fix.value, outer)


def _replace_node(tree: YamlTree, node: Any, new: str, outer: _Outer) -> TextEdit | None:
    s, e = tree.mark_position(node.start_mark), tree.mark_position(node.end_mark)
    if s[0] != e[0]:
        return None
    start = outer.offset(tree.textmap, *s)
    end = outer.offset(tree.textmap, *e)
    return _checked(outer, start, end, tree.node_text(node), new)


def _last_leaf(node: Any) -> Any:
    while getattr(node, "id", "") in ("mapping", "sequence") and node.value and not node.flow_style:
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    return node


def _yaml_add(tree: YamlTree, mapping: Any, keys: Path, value: Any, outer: _Outer) -> TextEdit | None:
    """Add the missing ``keys`` (and ``value``) as the last entries of a block mapping."""
    if getattr(mapping, "id", "") != "mapping" or mapping.flow_style or not mapping.value:
        return None
    if not all(isinstance(k, str) for k in keys):
        return None
    first_key = mapping.value[0][0]
    key_at = outer.offset(tree.textmap, *tree.mark_position(first_key.start_mark))
    leaf = _last_leaf(mapping.value[-1][1])
    leaf_end = outer.offset(tree.textmap, *tree.mark_position(leaf.end_mark))
    if key_at is None or leaf_end is None:
        return None
    # a block scalar (or an empty value) ends at the start of a later line: step back to
    # the last character that belongs to it
    while leaf_end > key_at and outer.text[leaf_end - 1] in " \t\r\n":
        leaf_end -= 1
    layout = ("yaml", outer.indent_before(key_at), outer.newline(), "")
    adds = ((tuple(keys), value),)
    at = outer.line_end(leaf_end)
    return TextEdit(at, at, _render(layout, adds), adds, layout)


# ------------------------------------------------------------------ JSON


def _json_walk(tree: JsonTree, path: Path) -> tuple[JsonNode, tuple[int, int] | None, int]:
    """(deepest node reached, its key span, depth) along ``path``; the last duplicate wins."""
    node = tree.root
    key_span = None
    for depth, part in enumerate(path):
        if node.pairs is not None:
            hits = [(ks, ke, child) for name, ks, ke, child in node.pairs if name == part]
            if not hits:
                return node, key_span, depth
            ks, ke, node = hits[-1]
            key_span = (ks, ke)
        elif node.items is not None and isinstance(part, int) and 0 <= part < len(node.items):
            node = node.items[part]
            key_span = None
        else:
            return node, key_span, depth
    return node, key_span, len(path)


def _json_offset(tree: JsonTree, outer: _Outer, offset: int) -> int | None:
    return outer.offset(tree.textmap, *tree._pos(offset))


def _json_edit(tree: JsonTree, path: Path, fix: Fix, outer: _Outer) -> TextEdit | None:
    node, key_span, depth = _json_walk(tree, path)
    if fix.new_key is not None:
        if depth != len(path) or key_span is None:
            return None
        parent = _json_walk(tree, path[:-1])[0]
        if any(name == fix.new_key for name, _, _, _ in parent.pairs or []):
            return None
        ks, ke = key_span
        return _checked(outer, _json_offset(tree, outer, ks), _json_offset(tree, outer, ke),
                        tree.text[ks:ke], json.dumps(fix.new_key))
    if depth == len(path):
        if node.pairs is not None or node.items is not None:
            return None
        return _checked(outer, _json_offset(tree, outer, node.start), _json_offset(tree, outer, node.end),
                        tree.text[node.start:node.end], json.dumps(fix.value))
    if node.pairs is None:
        return None
    rest = path[depth:]
    if not all(isinstance(k, str) for k in rest):
        return None
    adds = ((tuple(rest), fix.value),)
    if not node.pairs:
        at = _json_offset(tree, outer, node.start + 1)
        layout = ("json", "", "", "empty")
        return None if at is None else TextEdit(at, at, _render(layout, adds), adds, layout)
    _, ks, _, last = node.pairs[-1]
    key_at = _json_offset(tree, outer, ks)
    at = _json_offset(tree, outer, last.end)
    open_at = _json_offset(tree, outer, node.start)
    if key_at is None or at is None or open_at is None:
        return None
    if outer.text[at - 1:at] != tree.text[last.end - 1:last.end]:
        return None
    if "\n" in outer.text[open_at:key_at]:  # one member per line: keep that layout
        layout = ("json", outer.indent_before(key_at), outer.newline(), "lines")
    else:
        layout = ("json", "", "", "inline")
    return TextEdit(at, at, _render(layout, adds), adds, layout)


# ------------------------------------------------------------------ applying


def plan(findings: Iterable[Finding], texts: dict[str, str]) -> tuple[dict[str, list[TextEdit]], set[int]]:
    """Non-overlapping edits per file, and the ids of the findings they fix.

    Keys added at one place merge into one insertion; any other clash (two edits of one
    value) leaves the later edit for the next pass, which sees the file after the first.
    """
    edits: dict[str, list[TextEdit]] = {}
    fixed: set[int] = set()
    for f in findings:
        fix = f.extra.get("fix")
        if not isinstance(fix, Fix) or f.path not in texts:
            continue
        # an object as kustomize deploys it: edit where the value is written (a patch), and
        # only there (lint/model/kustomize.py Instance.fix_target)
        target = getattr(fix.located, "fix_target", None)
        if target is not None:
            where = target(fix.path)
            if where is None or where[0].source.path != f.path:
                continue
            fix = Fix(where[0], where[1], fix.value, fix.new_key)
        edit = edit_for(fix, texts[f.path])
        if edit is None:
            continue
        mine = edits.setdefault(f.path, [])
        if edit in mine:
            fixed.add(id(f))
            continue
        clash = [i for i, e in enumerate(mine) if e.start < edit.end and edit.start < e.end or e.start == edit.start]
        if clash:
            merged = mine[clash[0]].merge(edit) if len(clash) == 1 else None
            if merged is None:
                continue
            mine[clash[0]] = merged
        else:
            mine.append(edit)
        fixed.add(id(f))
    return edits, fixed


def apply(text: str, edits: list[TextEdit]) -> str:
    for e in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[:e.start] + e.new + text[e.end:]
    return text


def unified_diff(path: str, before: str, after: str) -> str:
    """A patch ``git apply`` and ``patch`` accept: a last line without a newline is marked
    with git's ``\\ No newline at end of file`` (difflib alone glues the next line onto it)."""
    import difflib  # only when a diff is shown

    out = []
    for line in difflib.unified_diff(_git_lines(before), _git_lines(after),
                                     fromfile=f"a/{path}", tofile=f"b/{path}"):
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


def _git_lines(text: str) -> list[str]:
    """Lines as git and patch see them: broken at LF only (str.splitlines also breaks at
    NEL, VT, FF and U+2028, which would put line breaks into the patch that the file lacks)."""
    lines = text.split("\n")
    last = lines.pop()
    return [line + "\n" for line in lines] + ([last] if last else [])


def read_text(real: str) -> tuple[str, bool]:
    """A file's text as the linter read it, and whether it starts with a BOM."""
    with open(real, "rb") as fh:
        data = fh.read()
    bom = data.startswith(b"\xef\xbb\xbf")
    return data.decode("utf-8-sig"), bom


def fix_target(path: str, root: str) -> str:
    """The file a fix of ``path`` rewrites: its real path, which must lie inside the project
    root (a symlink in the repository must not make --fix rewrite a file elsewhere, such as
    a K3s server manifest). Raises WriteRefused."""
    real = os.path.realpath(path)
    top = os.path.realpath(root)
    if not (real == top or real.startswith(top.rstrip(os.sep) + os.sep)):
        raise WriteRefused(f"is a symlink to {real}, outside the project root {top}: not fixed")
    return real


def write_atomic(real: str, text: str, bom: bool = False) -> None:
    """Replace ``real`` (the file itself, never a symlink) with ``text``: load.atomic."""
    atomic.write_atomic(real, (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))


def fixed_texts(findings: list[Finding], sources: dict[str, Any]) -> tuple[dict[str, tuple[str, str]], set[int]]:
    """{path: (before, after)} for every file an edit changes, and the findings fixed."""
    texts = {p: s.text for p, s in sources.items() if s.text is not None and s.named}
    edits, fixed = plan(findings, texts)
    out = {p: (texts[p], apply(texts[p], e)) for p, e in edits.items() if e}
    out = {p: ba for p, ba in out.items() if ba[0] != ba[1]}
    for p in [p for p, (before, after) in out.items() if not still_parses(p, before, after)]:
        del out[p]  # a bug here must never break a file: leave it and its findings alone
        fixed -= {id(f) for f in findings if f.path == p}
    return out, fixed


def still_parses(path: str, before: str, after: str) -> bool:
    """Whether ``after`` reads (YAML, embedded JSON and values) without a problem ``before`` lacks."""
    from multus_lint.load.read import Limits, SourceFile
    from multus_lint.model.project import build_project

    def problems(text: str) -> set[str]:
        project = build_project([SourceFile(path, text=text)], ".", Limits())
        return {prob.code for _, prob in project.problems}

    return problems(after) <= problems(before)



def run_fixes(options: Any, config: Any, result: Any, write: bool) -> tuple[Any, str]:
    """Fix what can be fixed: write the files (``write``) or only compute the diff.

    Returns the result to report (without the fixed findings) and the unified diff of
    every change. Writing repeats lint-and-fix until nothing changes (or ``MAX_PASSES``),
    then reports a fresh run over the fixed files.
    """
    from multus_lint.runner import run

    if any(p == "-" for p in options.paths):
        from multus_lint.config import ConfigError

        raise ConfigError("--fix and --diff work on files, not on standard input")
    originals: dict[str, str] = {}
    latest: dict[str, str] = {}
    refused: dict[str, str] = {}  # path -> why it was not written
    for _ in range(MAX_PASSES if write else 1):
        sources = {s.path: s for s in result.project.sources}
        changes, fixed = fixed_texts(result.findings, sources)
        if not changes:
            break
        for path, (before, after) in changes.items():
            originals.setdefault(path, before)
            latest[path] = after
        if not write:
            result.findings = [f for f in result.findings if id(f) not in fixed]
            break
        # every target is checked before any is written: a read-only file or folder, a
        # symlink out of the project, a hard link... is refused up front, the others fixed
        targets: dict[str, str] = {}
        for path in sorted(changes):
            try:
                targets[path] = fix_target(path, result.root.path if result.root else ".")
                atomic.check_writable(targets[path])
            except WriteRefused as exc:
                refused[path] = str(exc)
                targets.pop(path, None)
        for path, (before, after) in changes.items():
            if path not in targets:
                latest[path] = before
                continue
            try:
                current, bom = read_text(targets[path])
            except OSError as exc:
                refused[path] = f"cannot be read again ({exc.strerror}): not written"
                latest[path] = before
                continue
            if current != before:  # changed on disk since it was read: leave it alone
                latest[path] = current
                continue
            try:
                write_atomic(targets[path], after, bom)
            except WriteRefused as exc:
                refused[path] = str(exc)
                latest[path] = current
        if not targets:
            break
        result = run(options, config)
    diff = "".join(unified_diff(p, originals[p], latest[p]) for p in sorted(originals)
                   if originals[p] != latest[p])
    for path, why in sorted(refused.items()):
        # said where the user looks, beside the report; the findings stay in the report
        sys.stderr.write(f"multus-lint: --fix: {path}: {why}\n")
    return result, diff


def fixable_findings(findings: list[Any], sources: Any) -> list[Any]:
    """The findings ``--fix`` would repair: an offered fix that is a safe text edit."""
    by_path = {s.path: s for s in sources} if isinstance(sources, list) else sources
    out = []
    for f in findings:
        fix, src = f.extra.get("fix"), by_path.get(f.path)
        if isinstance(fix, Fix) and src is not None and src.text is not None \
                and edit_for(fix, src.text) is not None:
            out.append(f)
        elif fix is None and f.extra.get("fixable"):  # a replayed run's finding (lint/replay.py)
            out.append(f)
    return out
