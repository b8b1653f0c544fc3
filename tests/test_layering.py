"""The pipeline's direction, kept by a test (docs/architecture.md, "Layering").

Every import of every module of the package (top-level and inside functions, including
``TYPE_CHECKING`` blocks, since a type-only import still couples two stages) is mapped to the
room of the module it names, and must be one that room may import. A room is a subpackage
(``load``, ``model`` ...) or one of the top-level modules grouped below.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIRS = {"multus_lint": ROOT / "lint", "multus_lint.rules": ROOT / "rules"}

# top-level modules -> room
TOP = {
    "__init__": "base", "findings": "base", "suggest": "base", "fixes": "base", "records": "base", "_records": "base", "gen_records": "cli",
    "config": "config",
    "registry": "registry", "context": "rules-api",
    "runner": "engine", "judge_parallel": "engine", "apply_fixes": "engine", "replay": "engine",
    "cli": "cli", "__main__": "cli",
}

# room -> rooms it may import (itself always allowed)
ALLOWED = {
    "base": set(),
    "load": {"base"},
    "validate": {"base", "load"},
    "net": {"base", "load"},  # the annotation parser scans JSON positions with load's scanner
    "registry": {"base"},
    "config": {"base", "load", "registry"},  # rule names in the config are checked
    "model": {"base", "load", "validate", "net", "config"},
    "rules-api": {"base", "load", "validate", "net", "config", "model", "registry"},
    "rules": {"base", "load", "validate", "net", "config", "model", "registry", "rules-api"},
    "filter": {"base", "load", "config", "registry"},
    "report": {"base", "load", "config", "registry"},
    "engine": {"base", "load", "validate", "net", "config", "model", "registry", "rules-api",
               "filter", "report"},
    "cli": {"base", "load", "validate", "net", "config", "model", "registry", "rules-api",
            "filter", "report", "engine"},
}
# The registry loads the rule modules (``import multus_lint.rules``) to fill itself, and names
# the Context a checker receives in a type-only import: the two imports against the
# direction, by design. Nothing else may name a rule module.
EXCEPTIONS = {("multus_lint.registry", "multus_lint.rules"),
              ("multus_lint.registry", "multus_lint.context")}


def room_of(module: str) -> str | None:
    """The room of a dotted module name of the package, None outside the package."""
    parts = module.split(".")
    if parts[0] != "multus_lint":
        return None
    if len(parts) == 1:
        return "base"
    if parts[1] == "rules":
        return "rules"
    if parts[1] == "schemas":
        return "load"  # package data, read like any file
    if parts[1] in ALLOWED:
        return parts[1]
    return TOP.get(parts[1], f"unknown:{parts[1]}")


def modules() -> list[tuple[str, Path]]:
    out = []
    for pkg, folder in PACKAGE_DIRS.items():
        for path in sorted(folder.rglob("*.py")):
            rel = path.relative_to(folder).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            if pkg == "multus_lint" and rel.parts[0] == "__init__":
                parts = ["__init__"]
            out.append((".".join([pkg, *parts]) if parts else pkg, path))
    return out


def imports(module: str, path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if base == "multus_lint":  # from multus_lint import registry, __version__
                found += [(f"multus_lint.{a.name}" if a.name != "__version__" else base,
                           node.lineno) for a in node.names]
            else:
                found.append((base, node.lineno))
    return found


def violations() -> list[str]:
    bad = []
    for module, path in modules():
        src = room_of(module) if module != "multus_lint.__init__" else "base"
        for target, line in imports(module, path):
            dst = room_of(target)
            if dst is None or dst == src:
                continue
            if any(module == a and (target == b or target.startswith(b + "."))
                   for a, b in EXCEPTIONS):
                continue
            if dst not in ALLOWED.get(src, set()):
                bad.append(f"{path.relative_to(path.parents[1])}:{line}: {src} imports {target} ({dst})")
    return bad


def test_every_module_has_a_room() -> None:
    unknown = [m for m, _ in modules() if (room_of(m) or "").startswith("unknown")]
    assert not unknown, f"modules outside every room (add them to TOP or a subpackage): {unknown}"


def test_imports_follow_the_pipeline() -> None:
    bad = violations()
    assert not bad, "imports against the pipeline's direction:\n" + "\n".join(bad)


@pytest.mark.parametrize("pkg", ["load", "validate", "net", "model", "filter", "report"])
def test_every_stage_says_what_it_holds(pkg: str) -> None:
    doc = ast.get_docstring(ast.parse((ROOT / "lint" / pkg / "__init__.py").read_text()))
    assert doc and "May import" in doc, f"lint/{pkg}/__init__.py must say what lives there and what it may import"


def test_a_bad_import_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk really sees imports: a rule importing the runner (inside a function) fails."""
    fake = tmp_path / "rules"
    fake.mkdir()
    (fake / "bad.py").write_text("def f():\n    from multus_lint.runner import run\n")
    (fake / "ok.py").write_text("from multus_lint.model.project import Project\n")
    monkeypatch.setitem(PACKAGE_DIRS, "multus_lint.rules", fake)
    bad = violations()
    assert any("rules/bad.py:2: rules imports multus_lint.runner (engine)" in b for b in bad), bad
    assert not any("ok.py" in b for b in bad)
