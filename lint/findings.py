"""Findings and the spans they point at."""

from __future__ import annotations

import re
from typing import Any

from multus_lint.records import dataclass, field

# A path into parsed data: mapping keys and list indices, outermost first.
Path = tuple[Any, ...]

SEVERITIES = ("info", "warning", "error")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Span:
    """A 1-based region of a file: where a finding points."""

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, line: int, column: int = 1) -> Span:
        return cls(line, column, line, column)


@dataclass(repr=False, eq=False)
class Finding:
    code: str
    rule: str
    severity: str
    message: str
    path: str
    span: Span
    object: dict[str, Any] | None = None
    # Set by the filter stage; a suppressed finding is kept to decide ML006, then dropped.
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def column(self) -> int:
        return self.span.column

    def sort_key(self) -> tuple:
        return (self.path, self.span.line, self.span.column, self.code, self.message)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "object": self.object,
        }
        if "scope" in self.extra:  # only when the run has several cluster scopes (issue 12)
            out["scope"] = self.extra["scope"]
        return out


# Numbers that change when lines move ("first on line 12") are not part of the fingerprint.
_VOLATILE = re.compile(r"\b(lines?|column|col)\s+\d+")


def fingerprint(f: Finding) -> str:
    """A finding's identity apart from its position: rule and message, line numbers masked
    (the baseline's key and SARIF's partial fingerprint)."""
    # (no "line" nor "col" in the message: nothing to mask, and no regex run)
    import hashlib  # only when asked (baselines, SARIF): openssl's start is ~2 ms of every run

    message = _VOLATILE.sub(r"\1 N", f.message) if "line" in f.message or "col" in f.message else f.message
    # surrogatepass: a lone surrogate from a JSON escape must not make hashing fail; every
    # other string encodes as before, so existing baselines keep matching
    return hashlib.sha256(f"{f.code}\0{message}".encode("utf-8", "surrogatepass")).hexdigest()[:16]


def object_key(obj: dict[str, Any] | None) -> str:
    if not obj:
        return ""
    return "/".join(str(obj.get(k) or "") for k in ("kind", "namespace", "name"))
