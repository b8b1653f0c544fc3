"""The rule registry: every rule is declared once, here looked up by code or name.

A *rule* is metadata (code, name, severity, documentation). A *checker* is a function
over the project model that may emit findings for one or several rules of one family
(ML101 and ML102 judge the same value, so one checker decides between them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from multus_lint.findings import SEVERITIES
from multus_lint.records import dataclass, field

if TYPE_CHECKING:
    from multus_lint.context import Context
    from multus_lint.findings import Finding


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    summary: str
    what: str = ""
    why: str = ""
    example: str = ""
    fix: str = ""
    refs: tuple[str, ...] = ()
    fixable: bool = False

    def __post_init__(self) -> None:
        assert self.severity in SEVERITIES, self.severity


CheckFn = Callable[["Context"], Iterable["Finding"]]


@dataclass(repr=False, eq=False)
class Checker:
    fn: CheckFn
    rules: tuple[Rule, ...]
    name: str = field(default="")
    # Local: each finding is about one object and depends on that object alone (and the
    # profile and config), never on another file. Such a checker runs on the named files'
    # objects only when other files are there as context (runner.judge).
    local: bool = False


RULES: dict[str, Rule] = {}
BY_NAME: dict[str, Rule] = {}
CHECKERS: list[Checker] = []


def declare(code: str, name: str, severity: str, summary: str, **doc: object) -> Rule:
    """Declare a rule once; its code and name are a public contract."""
    if code in RULES or name in BY_NAME:
        raise ValueError(f"rule declared twice: {code} {name}")
    rule = Rule(code, name, severity, summary, **doc)  # type: ignore[arg-type]
    RULES[code] = rule
    BY_NAME[name] = rule
    return rule


def checks(*rules: Rule, local: bool = False) -> Callable[[CheckFn], CheckFn]:
    """Register a checker that may emit findings for ``rules``; ``local``: see Checker."""

    def wrap(fn: CheckFn) -> CheckFn:
        CHECKERS.append(Checker(fn, rules, f"{fn.__module__}.{fn.__name__}", local))
        return fn

    return wrap


_loaded = False


def load_rules() -> None:
    global _loaded
    if not _loaded:
        import multus_lint.rules  # noqa: F401  (imports every family module)

        _loaded = True


def get(code_or_name: str) -> Rule | None:
    load_rules()
    key = code_or_name.strip()
    return RULES.get(key.upper()) or BY_NAME.get(key.lower())


def all_rules() -> list[Rule]:
    load_rules()
    return sorted(RULES.values(), key=lambda r: r.code)


def all_checkers() -> list[Checker]:
    load_rules()
    return list(CHECKERS)


def expand(selectors: Iterable[str]) -> tuple[set[str], list[str]]:
    """Codes matched by codes, names or prefixes (``ML1``, ``ML10``); also the unknown ones."""
    load_rules()
    codes: set[str] = set()
    unknown: list[str] = []
    for sel in selectors:
        s = sel.strip()
        if not s:
            continue
        if s.upper() == "ALL":
            codes.update(RULES)
            continue
        rule = get(s)
        if rule:
            codes.add(rule.code)
            continue
        matched = [c for c in RULES if c.startswith(s.upper())] if s.upper().startswith("ML") else []
        if matched:
            codes.update(matched)
        else:
            unknown.append(s)
    return codes, unknown


def iter_rule_names() -> Iterator[str]:
    load_rules()
    yield from RULES
    yield from BY_NAME
