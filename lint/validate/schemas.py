"""JSON Schemas shipped in ``multus_lint.schemas`` and how their errors become findings.

Unknown keys are found by our own walk (so each gets its own position and a did-you-mean,
and keys marked ``x-no-effect`` can be told apart); everything else (types, enums,
patterns) by ``jsonschema``, imported only when there is something to validate.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from functools import cache
from typing import Any

from multus_lint.load.positions import Path
from multus_lint.records import dataclass
from multus_lint.suggest import closest


@cache
def load(name: str) -> dict[str, Any]:
    """The schema ``schemas/<name>.json`` (package data)."""
    return read_package_schema(f"{name}.json")


def read_package_schema(file_name: str) -> dict[str, Any]:
    """A JSON file of the ``multus_lint.schemas`` package: read from the package's folder,
    or through importlib.resources where the package is no folder (a zip); importing that
    (with tempfile, shutil, bz2, lzma) cost every run a few ms."""
    import multus_lint.schemas as package

    for folder in getattr(package, "__path__", ()):
        try:
            with open(os.path.join(folder, file_name), encoding="utf-8") as fh:
                return json.loads(fh.read())  # type: ignore[no-any-return]
        except OSError:
            continue
    from importlib import resources

    text = resources.files("multus_lint.schemas").joinpath(file_name).read_text(encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class KeyProblem:
    path: Path  # of the offending key
    key: str
    no_effect: str | None  # the reason, for a known key that does nothing
    suggestion: str | None  # the nearest known key, for an unknown one
    known: tuple[str, ...]


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        node: Any = root
        for part in ref[2:].split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        return node if isinstance(node, dict) else {}
    return schema


def key_problems(instance: Any, schema: dict[str, Any], root: dict[str, Any] | None = None,
                 path: Path = ()) -> Iterator[KeyProblem]:
    """Unknown keys (with the nearest known one) and keys marked ``x-no-effect``."""
    root = root if root is not None else schema
    schema = _resolve(schema, root)
    if not isinstance(instance, dict):
        return
    props = schema.get("properties")
    if not isinstance(props, dict):
        return
    closed = schema.get("additionalProperties") is False
    known = tuple(props)
    for key, value in instance.items():
        sub = props.get(key)
        if sub is None:
            if closed:
                yield KeyProblem(path + (key,), str(key), None, closest(str(key), known), known)
            continue
        sub = _resolve(sub, root)
        if "x-no-effect" in sub:
            yield KeyProblem(path + (key,), str(key), str(sub["x-no-effect"]), None, known)
            continue
        yield from key_problems(value, sub, root, path + (key,))


def value_errors(instance: Any, schema: dict[str, Any]) -> list[tuple[Path, str, str]]:
    """(path, validator, message) of every schema error other than unknown keys."""
    from multus_lint.validate.compiled import quick_check

    quick = quick_check(schema)
    if quick is not None and quick(instance):
        return []  # valid: jsonschema (and its import) only explains a failure
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    out = []
    for err in validator.iter_errors(instance):
        if err.validator == "additionalProperties":
            continue
        out.append((tuple(err.absolute_path), str(err.validator), err.message))
    out.sort(key=lambda e: [str(p) for p in e[0]])
    return out
