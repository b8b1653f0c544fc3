"""A compiled yes/no check for the subset of JSON Schema our schemas use.

Validating every CNI config with jsonschema costs about 85 µs a schema, most of it the
generic machinery; almost every config is valid. The schema is compiled here into nested
closures that answer only "valid or not", with jsonschema's semantics for each keyword
(draft 2020-12: an integer-valued float is an integer, a boolean is never a number).
A config that fails is validated again by jsonschema, which explains the errors, so
jsonschema stays the reference; tests/test_schemafast.py checks that both agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

# Keywords that never affect validity.
_ANNOTATIONS = {"$schema", "$id", "title", "description", "default", "examples", "$comment", "$defs",
                "definitions", "deprecated", "readOnly", "writeOnly"}


class Unsupported(Exception):
    """The schema uses a keyword this compiler does not implement."""


def _is_type(value: Any, name: str) -> bool:
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "string":
        return isinstance(value, str)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if isinstance(value, bool):
        return False
    if name == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if name == "number":
        return isinstance(value, (int, float))
    raise Unsupported(f"type {name}")


# _is_type(v, name) for each name it knows
_ONE_TYPE: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": lambda v: not isinstance(v, bool) and (
        isinstance(v, int) or (isinstance(v, float) and v.is_integer())),
    "number": lambda v: not isinstance(v, bool) and isinstance(v, (int, float)),
}


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: booleans are not numbers."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b if not (_num(a) and _num(b)) else a == b


def _num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


_COMPILED: dict[int, tuple[Any, Check | None]] = {}


def quick_check(schema: dict[str, Any]) -> Check | None:
    """The compiled check of a long-lived (loaded once) schema; None if unsupported."""
    hit = _COMPILED.get(id(schema))
    if hit is None or hit[0] is not schema:
        try:
            check: Check | None = compile_schema(schema)
        except Unsupported:
            check = None
        hit = _COMPILED[id(schema)] = (schema, check)
    return hit[1]


def compile_schema(schema: Any, root: Any = None) -> Check:
    """A function telling whether an instance is valid against ``schema``."""
    root = schema if root is None else root
    if schema is True or schema == {}:
        return lambda _v: True
    if schema is False:
        return lambda _v: False
    if not isinstance(schema, dict):
        raise Unsupported(repr(schema))
    checks: list[Check] = []
    for key, arg in schema.items():
        if key in _ANNOTATIONS or key.startswith("x-"):
            continue
        checks.append(_keyword(key, arg, schema, root))
    if not checks:
        return lambda _v: True
    if len(checks) == 1:
        return checks[0]

    def every(v: Any) -> bool:  # all(...) over a generator, without the generator per call
        for c in checks:
            if not c(v):
                return False
        return True
    return every


def _keyword(key: str, arg: Any, schema: dict, root: Any) -> Check:
    if key == "type":
        names = [arg] if isinstance(arg, str) else list(arg)
        for n in names:
            _is_type(None, n)  # unknown type names are unsupported, not invalid
        if len(names) == 1:
            # one type (nearly every schema here): _is_type's answer for it, without the
            # generator and the chain of name comparisons (43,000 checks per 10,000 documents)
            return _ONE_TYPE[names[0]]
        return lambda v: any(_is_type(v, n) for n in names)
    if key == "properties":
        subs = {k: compile_schema(s, root) for k, s in arg.items()}

        def properties(v: Any) -> bool:
            if not isinstance(v, dict):
                return True
            if len(v) < len(subs):
                # a plugin config sets a few of its schema's many keys: walk the config's
                # (the checks have no side effects, so the order does not change the answer)
                for k, x in v.items():
                    sub = subs.get(k)
                    if sub is not None and not sub(x):
                        return False
                return True
            for k, sub in subs.items():
                if k in v and not sub(v[k]):
                    return False
            return True
        return properties
    if key == "additionalProperties":
        known = set(schema.get("properties", {}))
        if "patternProperties" in schema:
            raise Unsupported("patternProperties")
        extra = compile_schema(arg, root)
        return lambda v: not isinstance(v, dict) or all(extra(x) for k, x in v.items() if k not in known)
    if key == "required":
        names = list(arg)
        return lambda v: not isinstance(v, dict) or all(n in v for n in names)
    if key == "items":
        if not isinstance(arg, (dict, bool)):
            raise Unsupported("items as a list")
        item = compile_schema(arg, root)
        return lambda v: not isinstance(v, list) or all(item(x) for x in v)
    if key == "minItems":
        return lambda v: not isinstance(v, list) or len(v) >= arg
    if key == "maxItems":
        return lambda v: not isinstance(v, list) or len(v) <= arg
    if key == "minLength":
        return lambda v: not isinstance(v, str) or len(v) >= arg
    if key == "maxLength":
        return lambda v: not isinstance(v, str) or len(v) <= arg
    if key == "pattern":
        rx = re.compile(arg)
        return lambda v: not isinstance(v, str) or rx.search(v) is not None
    if key == "minimum":
        return lambda v: not _num(v) or v >= arg
    if key == "maximum":
        return lambda v: not _num(v) or v <= arg
    if key == "exclusiveMinimum":
        return lambda v: not _num(v) or v > arg
    if key == "exclusiveMaximum":
        return lambda v: not _num(v) or v < arg
    if key == "enum":
        options = list(arg)
        return lambda v: any(_equal(v, o) for o in options)
    if key == "const":
        return lambda v: _equal(v, arg)
    if key == "anyOf":
        subs = [compile_schema(s, root) for s in arg]
        return lambda v: any(s(v) for s in subs)
    if key == "allOf":
        subs = [compile_schema(s, root) for s in arg]
        return lambda v: all(s(v) for s in subs)
    if key == "oneOf":
        subs = [compile_schema(s, root) for s in arg]
        return lambda v: sum(1 for s in subs if s(v)) == 1
    if key == "not":
        sub = compile_schema(arg, root)
        return lambda v: not sub(v)
    if key == "$ref":
        if not isinstance(arg, str) or not arg.startswith("#/"):
            raise Unsupported(f"$ref {arg}")
        target: Any = root
        for part in arg[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        resolved: list[Check] = []  # compiled on first use: refs may be recursive

        def ref(v: Any) -> bool:
            if not resolved:
                resolved.append(compile_schema(target, root))
            return resolved[0](v)
        return ref
    raise Unsupported(key)
