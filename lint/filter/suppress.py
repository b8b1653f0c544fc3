"""Suppressions: comments, object annotations and ``per-path-ignores``, with ML005/ML006.

* ``# multus-lint: disable=ML101,k3s-versioned-bin-dir`` at the end of the offending line,
  or alone on the line above it (comment lines in between are skipped). Comments are read
  from the file's text lines, not from the YAML parser (which drops them), so a comment in
  a ``valuesContent`` block, whose YAML has comments of its own, works the same way.
* ``# multus-lint: disable-file=ML203`` anywhere in a file: every finding of those rules in it.
* ``metadata.annotations``: ``ignore.multus-lint.io/<code|name>: "<reason>"``: every finding
  about that object; the reason is required.
* ``per-path-ignores`` in the config: ``{glob: [rules]}``, globs relative to the project root.

A malformed directive, an unknown rule or a missing reason is ML005 (and suppresses nothing);
a valid comment or annotation that suppressed nothing (for a rule that ran) is ML006.
JSON files (``.json``, ``.conf``, ``.conflist``) have no comments; a ``#`` inside the JSON of
``spec.config`` would make it invalid JSON, so findings in there are suppressed by the
annotation or ``disable-file``.
"""

from __future__ import annotations

import re
from typing import Any

from multus_lint import registry
from multus_lint.findings import Finding, Span
from multus_lint.load.discover import excluded
from multus_lint.load.document import Document
from multus_lint.load.positions import split_lines
from multus_lint.records import dataclass, field

ANNOTATION_PREFIX = "ignore.multus-lint.io/"
# "#" at the start of a line or after whitespace (a "#" inside a word or URL is not a comment)
_COMMENT = re.compile(r"(?:^|(?<=\s))#\s*multus-lint\b(?P<rest>.*)$", re.IGNORECASE)
_DIRECTIVE = re.compile(r"^\s*:\s*(?P<kind>disable-file|disable)\s*=(?P<rules>.*)$", re.IGNORECASE)
_TOKEN = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")
UNSUPPRESSIBLE = {"ML000", "ML005", "ML006"}
JSON_SUFFIXES = (".json", ".conf", ".conflist")


@dataclass(repr=False, eq=False)
class Suppression:
    """One comment directive or annotation, and the rules it names."""

    path: str
    span: Span
    kind: str  # "line", "file", "object"
    codes: list[str]
    lines: set[int] = field(default_factory=set)  # for kind "line"
    obj: dict[str, Any] | None = None  # for kind "object"
    obj_lines: tuple[int, int] = (0, 0)  # the object's document, for kind "object"
    # for kind "object": the object's own file (obj_lines are there), and the other files
    # that write its values (kustomize patches), where findings about those values land;
    # there the object alone decides. ``path`` is the annotation's file (its span's).
    obj_path: str = ""
    writers: frozenset[str] = frozenset()
    used: set[str] = field(default_factory=set)
    label: str = ""

    def paths(self) -> tuple[str, ...]:
        """The files whose findings it may cover."""
        return (self.obj_path, *self.writers) if self.kind == "object" else (self.path,)

    def covers(self, f: Finding) -> bool:
        if f.code not in self.codes:
            return False
        if self.kind == "object":
            return f.object == self.obj and (f.path in self.writers or f.path == self.obj_path
                                             and self.obj_lines[0] <= f.span.line <= self.obj_lines[1])
        if f.path != self.path:
            return False
        return self.kind == "file" or f.span.line in self.lines


def _rules(names: list[str]) -> tuple[list[str], list[str]]:
    """(codes, unknown names) for the names in a directive or annotation."""
    codes, unknown = [], []
    for name in names:
        rule = registry.get(name)
        if rule is None:
            unknown.append(name)
        elif rule.code not in codes:
            codes.append(rule.code)
    return codes, unknown


def _invalid(path: str, span: Span, message: str, obj: dict[str, Any] | None = None) -> Finding:
    rule = registry.get("ML005")
    assert rule is not None
    return Finding(rule.code, rule.name, rule.severity, message, path, span, obj)


def scan_comments(path: str, text: str, json_lines: frozenset[int] = frozenset()
                  ) -> tuple[list[Suppression], list[Finding]]:
    """Directives in the comment lines of one YAML file, and ML005 for malformed ones.

    ``json_lines`` are the lines of a ``spec.config`` block: JSON, where a ``#`` is text.
    """
    sups: list[Suppression] = []
    bad: list[Finding] = []
    if path.lower().endswith(JSON_SUFFIXES) or text.lstrip().startswith(("{", "[")):
        return sups, bad
    if "multus-lint" not in text.lower():
        return sups, bad
    lines = split_lines(text)  # numbered as findings are (str.splitlines also breaks at NEL)
    for i, line in enumerate(lines):
        m = _COMMENT.search(line)
        if not m:
            continue
        span = Span(i + 1, m.start() + 1, i + 1, len(line.rstrip()) + 1)
        if i + 1 in json_lines:
            bad.append(_invalid(path, span, "a `#` inside the JSON of spec.config is JSON text, not a "
                                "YAML comment, so this suppresses nothing (and breaks the JSON); use "
                                "the annotation ignore.multus-lint.io/<rule>: \"<reason>\" on the NAD"))
            continue
        d = _DIRECTIVE.match(m.group("rest"))
        # a reason may follow the rule list after another "#" or "--"
        names = [n.strip() for n in re.split(r"#|\s--", d.group("rules"))[0].split(",")] if d else []
        if not d or not names or not all(_TOKEN.match(n) for n in names):
            bad.append(_invalid(path, span, "malformed suppression: write `# multus-lint: "
                                "disable=<code|name>[,...]` or `# multus-lint: disable-file=<code|name>[,...]`"))
            continue
        codes, unknown = _rules(names)
        if unknown:
            bad.append(_invalid(path, span, f"suppression names unknown rule '{unknown[0]}' "
                                "(use a code such as ML101 or a name such as k3s-cni-bin-dir); it suppresses nothing"))
            continue
        if d.group("kind").lower() == "disable-file":
            sups.append(Suppression(path, span, "file", codes, label="disable-file comment"))
            continue
        target = i
        if not line[:m.start()].strip():  # alone on its line: it is about the next code line
            target = i + 1
            while target < len(lines) and (not lines[target].strip() or lines[target].lstrip().startswith("#")):
                target += 1
        sups.append(Suppression(path, span, "line", codes, lines={target + 1}, label="disable comment"))
    return sups, bad


def scan_annotations(project: Any, named: set[str]) -> tuple[list[Suppression], list[Finding]]:
    sups: list[Suppression] = []
    bad: list[Finding] = []
    holds: dict[str, bool] = {}  # path -> whether its text may spell an ignore annotation
    for doc in project.documents:
        path = doc.source.path
        origins = getattr(doc, "origins", None)
        # the files that write its values (kustomize patches): its annotation also suppresses
        # findings there, and is looked at when one of them is named
        writers = frozenset(d.source.path for d, _ in origins.values()) - {path} if origins else frozenset()
        if path not in named and named.isdisjoint(writers):
            continue
        if type(doc) is Document:
            # an object as its file writes it has only the keys its text spells: the prefix
            # itself, or written with escapes (a backslash); most files have neither, and
            # their objects' annotations are not looked at (10,000 in the many-findings
            # audit). An object kustomize deploys (Instance) may carry annotations of a
            # kustomization (commonAnnotations): always looked at.
            may = holds.get(path)
            if may is None:
                text = doc.source.text or ""
                may = holds[path] = ANNOTATION_PREFIX in text or "\\" in text
            if not may:
                continue
        for key, reason in doc.annotations.items():
            if not isinstance(key, str) or not key.startswith(ANNOTATION_PREFIX):
                continue
            site = doc.find_site(("metadata", "annotations", key))[0]  # (a patch may write it)
            where, span = site.source.path, site.span
            obj = doc.object_ref()
            name = key[len(ANNOTATION_PREFIX):]
            codes, unknown = _rules([name]) if name else ([], [name])
            # a bad annotation is said where it is written, when that file is named
            if unknown:
                if where in named:
                    bad.append(_invalid(where, span, f"annotation {key} names unknown rule '{name}'; it "
                                        "suppresses nothing (use a code such as ML101 or a rule name)", obj))
                continue
            if not isinstance(reason, str) or not reason.strip():
                if where in named:
                    bad.append(_invalid(where, span, f"annotation {key} gives no reason; write why the "
                                        "finding does not apply as its value, e.g. \"NAD created by the operator\"",
                                        obj))
                continue
            whole = doc.tree.locate(doc.base, value=True)[0] if doc.base else _doc_lines(doc)
            sups.append(Suppression(where, span, "object", codes, obj=obj, obj_lines=(whole.line, whole.end_line),
                                    label=f"annotation {key}", obj_path=path, writers=writers))
    return sups, bad


def _doc_lines(doc: Any) -> Span:
    tree = doc.tree
    root = getattr(tree, "root", None)
    if root is not None and hasattr(root, "start_mark"):
        return tree.node_span(root)
    return Span(1, 1, 10**9, 1)


def _path_ignored(f: Finding, root: str, per_path: list[tuple[str, set[str]]]) -> bool:
    return any(f.code in codes and excluded(f.path, root, [glob]) for glob, codes in per_path)


def apply(findings: list[Finding], project: Any, config: Any, codes: set[str],
          unreported: list[Finding] = ()) -> list[Finding]:  # type: ignore[assignment]
    """The findings left after every suppression, plus ML005 and ML006. ``unreported``:
    findings in files not named (a kustomize patch writing a named object's values); they
    are never kept, but an object's ignore annotation they meet is used (no ML006)."""
    per_path = [(glob, registry.expand(rules)[0]) for glob, rules in config.per_path_ignores.items()]
    named = {s.path for s in project.sources if s.named}
    sups: list[Suppression] = []
    extra: list[Finding] = []
    json_lines: dict[str, set[int]] = {}
    # Only files that mention the directive can hold one: the others need no JSON lines
    # (locating spec.config may compose a document again).
    candidates = {s.path for s in project.sources
                  if s.named and s.text and "multus-lint" in s.text.lower()}
    for nad in project.nads:
        if type(nad.doc) is Document and nad.doc.source.path not in candidates:
            continue  # (a kustomize instance's config may be written in a patch's file)
        site, found = nad.doc.find_site(("spec", "config"), value=True)
        span, where = site.span, site.source.path
        if found and span.end_line > span.line and where in candidates:
            # a block scalar's text starts below its `|` line and ends before the line where
            # its end mark sits at column 1 (the next key)
            last = span.end_line if span.end_column > 1 else span.end_line - 1
            json_lines.setdefault(where, set()).update(range(span.line + 1, last + 1))
    for src in project.sources:
        if src.path in candidates and src.text is not None:
            s, bad = scan_comments(src.path, src.text, frozenset(json_lines.get(src.path, ())))
            sups += s
            extra += bad
    s, bad = scan_annotations(project, named)
    sups += s
    extra += bad
    by_path: dict[str, list[Suppression]] = {}
    for sup in sups:
        for where in sup.paths():
            by_path.setdefault(where, []).append(sup)
    # no suppression anywhere (most runs): nothing to look up per finding
    kept: list[Finding] = [] if by_path else list(findings)
    for f in findings if by_path else ():
        if f.code not in UNSUPPRESSIBLE:
            hits = [s for s in by_path.get(f.path, ()) if s.covers(f)]
            if hits:
                for s in hits:
                    s.used.add(f.code)
                continue
        kept.append(f)
    for f in unreported if by_path else ():
        for s in by_path.get(f.path, ()):
            if s.kind == "object" and s.covers(f):
                s.used.add(f.code)
    unused_rule = registry.get("ML006")
    if unused_rule is not None and unused_rule.code in codes:
        for s in sups:
            if s.path not in named:
                continue  # (an annotation in a file not named: said when that file is)
            idle = [c for c in s.codes if c in codes and c not in s.used]
            if idle:
                names = ", ".join(f"{c} ({registry.RULES[c].name})" for c in idle)
                extra.append(Finding(unused_rule.code, unused_rule.name, unused_rule.severity,
                                     f"unused suppression: the {s.label} disables {names}, but "
                                     "there is no such finding here; remove it", s.path, s.span, s.obj))
    kept += [f for f in extra if f.code in codes]
    if not per_path:
        return kept
    return [f for f in kept if f.code == "ML000" or not _path_ignored(f, project.root, per_path)]
