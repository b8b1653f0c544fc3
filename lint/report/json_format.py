"""``--format json``: the machine-readable contract (ARCHITECTURE.md "Contracts").

Strings are written as the input held them; ``ensure_ascii`` escapes everything outside
ASCII, lone surrogates included, so any finding is valid JSON text.
"""

from __future__ import annotations

from json.encoder import encode_basestring_ascii  # type: ignore[attr-defined]
from typing import IO, Any

from multus_lint.findings import Finding
from multus_lint.report import ReportInput, summary
from multus_lint.report.jsontext import dumps

# The text json.dumps(indent=2) writes for a finding, an item of the top-level "findings"
# list (level 2; its object's members at level 3).
_FIELD = ",\n      "
_FINDING = ('{\n      "code": %s' + _FIELD + '"rule": %s' + _FIELD + '"severity": %s' + _FIELD
            + '"message": %s' + _FIELD + '"path": %s' + _FIELD + '"line": %d' + _FIELD
            + '"column": %d' + _FIELD + '"end_line": %d' + _FIELD + '"end_column": %d' + _FIELD
            + '"object": %s\n    }')
_OBJECT_END = "\n      }"


def report(run: ReportInput, out: IO[str]) -> None:
    # Each finding is written straight from its fields, not as a dict through the general
    # encoder: 10,000 findings took ~0.06 s that way, most of the report (issue 16). A
    # finding whose fields are not the plain types below takes the general encoder, so the
    # text is json.dumps(doc, indent=2, ensure_ascii=True)'s either way (tests/test_reporters.py).
    # codes with their rule names, paths and objects repeat from finding to finding: each
    # written once
    heads: dict[tuple[str, str, str], tuple[str, str, str]] = {}
    paths: dict[str, str] = {}
    objects: dict[tuple, str] = {}
    if run.findings:
        texts = [_finding(f, heads, paths, objects) for f in run.findings]
        findings = "[\n    " + ",\n    ".join(texts) + "\n  ]"
    else:
        findings = "[]"
    out.write('{\n  "version": 1,\n  "findings": ' + findings + ',\n  "summary": '
              + dumps(summary(run.findings, run.files), indent=2, ensure_ascii=True, level=1) + "\n}")
    out.write("\n")


def _finding(f: Finding, heads: dict[tuple[str, str, str], tuple[str, str, str]],
             paths: dict[str, str], objects: dict[tuple, str]) -> str:
    span = f.span
    code, rule, severity, message, path = f.code, f.rule, f.severity, f.message, f.path
    line, column, end_line, end_column = span.line, span.column, span.end_line, span.end_column
    obj = f.object
    if not (type(code) is str and type(rule) is str and type(severity) is str
            and type(message) is str and type(path) is str and type(line) is int
            and type(column) is int and type(end_line) is int and type(end_column) is int) \
            or "scope" in f.extra:
        return _general(f)
    if obj is None:
        obj_text = "null"
    else:
        obj_text = _object(obj, objects)
        if obj_text is None:
            return _general(f)
    enc = encode_basestring_ascii
    head = heads.get((code, rule, severity))
    if head is None:
        head = heads[(code, rule, severity)] = (enc(code), enc(rule), enc(severity))
    path_text = paths.get(path)
    if path_text is None:
        path_text = paths[path] = enc(path)
    return _FINDING % (*head, enc(message), path_text, line, column, end_line, end_column, obj_text)


def _object(obj: Any, objects: dict[Any, Any]) -> str | None:
    """A finding's object of str keys and str/None values, written once per distinct
    object (a workload's findings share it); None for anything else. Findings that share
    the very dict (the entries of one annotation: ML402's 7,500 findings on 2,500 pods)
    find its text by identity, without a tuple of its items made and hashed again."""
    same = objects.get(id(obj))
    if same is not None and same[0] is obj:
        return same[1]  # type: ignore[no-any-return]
    if type(obj) is not dict:
        return None
    key = tuple(obj.items())
    try:
        text = objects.get(key)
    except TypeError:  # an unhashable value: not a plain object
        return None
    if text is not None:
        objects[id(obj)] = (obj, text)
        return text
    if not obj:
        text = "{}"
    else:
        members = []
        for k, v in key:
            if type(k) is not str or not (type(v) is str or v is None):
                return None
            members.append(encode_basestring_ascii(k) + ": "
                           + ("null" if v is None else encode_basestring_ascii(v)))
        text = "{\n        " + ",\n        ".join(members) + _OBJECT_END
    objects[key] = text
    objects[id(obj)] = (obj, text)  # (the findings keep obj alive: its id is not reused)
    return text


def _general(f: Finding) -> str:
    return dumps(f.to_json(), indent=2, ensure_ascii=True, level=2)
