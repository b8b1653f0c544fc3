"""JSON Schema validation of CNI configs, plugins and IPAM configs (schemas/*.json).

Go's encoding/json matches object keys case-insensitively, so before validating, keys are
folded onto the schema's property names (``MTU`` is ``mtu``; the last spelling wins, as in
Go), and error paths are mapped back to the keys as written, for positions.

Schemas carry a few annotations of ours, ignored by the validator:
``x-message`` (a message template for errors at that subschema, with ``{key}``,
``{value}``, ``{index}``), ``x-message-required`` (for a missing required key),
``x-default-rule`` (the rule of non-type errors: ML506 for plugin options) and
``x-closed`` (unknown keys in that object are reported by the caller, with a
did-you-mean). jsonschema is imported only when there is something to validate.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

from multus_lint.records import dataclass

PLUGIN_SCHEMAS = {t: f"cni-plugin-{t}.json" for t in (
    "macvlan", "ipvlan", "bridge", "host-device", "vlan", "sriov", "ptp", "tuning", "portmap",
    "bandwidth")}
IPAM_SCHEMAS = {t: f"ipam-{t}.json" for t in ("whereabouts", "host-local", "static", "dhcp")}
CONFIG_SCHEMA = "cni-config.json"
CONFLIST_SCHEMA = "cni-conflist.json"

# Keys every plugin config may carry: the CNI spec's own and what Multus injects.
COMMON_PLUGIN_KEYS = frozenset({
    "cniVersion", "cniVersions", "name", "type", "ipam", "dns", "capabilities", "runtimeConfig",
    "args", "prevResult", "disableCheck", "disableGC", "deviceID", "pciBusID", "plugins",
    "logLevel", "logFile",
})


@dataclass(repr=False, eq=False)
class SchemaError:
    path: tuple  # into the instance, keys as written
    keyword: str  # the failing JSON Schema keyword
    message: str
    rule: str | None  # x-default-rule of the schema, for non-type errors


@cache
def load_schema(name: str) -> dict[str, Any]:
    from multus_lint.validate.schemas import read_package_schema

    return read_package_schema(name)


@cache
def _validator(name: str) -> Any:
    from jsonschema import Draft202012Validator  # heavy: only when a config is validated

    return Draft202012Validator(load_schema(name))


def _quick_check(name: str) -> Callable[[Any], bool] | None:
    """A compiled yes/no check of schema ``name`` (see ``schemafast``); None if unsupported."""
    from multus_lint.validate.compiled import quick_check

    return quick_check(load_schema(name))


def properties(name: str) -> dict[str, Any]:
    props = load_schema(name).get("properties")
    return props if isinstance(props, dict) else {}


def fold(instance: Any, schema: dict[str, Any]) -> Any:
    """``instance`` with keys renamed to the schema's property names, as Go decodes them."""
    # Every NAD's config passes here (32,000 calls per 10,000 documents): each schema
    # look-up done once per object, and one shared empty schema (a fresh {} per call also
    # added an entry to _LOWER each time, keyed by the id of a short-lived dict).
    if isinstance(instance, dict):
        props = schema.get("properties")
        if not isinstance(props, dict):
            props = _NO_SCHEMA
        lower = _lower_names(props)
        out: dict[str, Any] = {}
        for k, v in instance.items():
            if v is None:
                continue  # Go: null leaves the field at its zero value, for any type
            canon = k if k in props else lower.get(k.lower(), k) if isinstance(k, str) else k
            if isinstance(v, (dict, list)):
                sub = props.get(canon)
                out[canon] = fold(v, sub if isinstance(sub, dict) else _NO_SCHEMA)
            else:
                out[canon] = v
        return out
    if isinstance(instance, list):
        items = schema.get("items")
        if not isinstance(items, dict):
            items = _NO_SCHEMA
        return [fold(v, items) if isinstance(v, (dict, list)) else v for v in instance]
    return instance


_NO_SCHEMA: dict[str, Any] = {}  # never written to


_LOWER: dict[int, tuple[dict, dict[str, str]]] = {}


def _lower_names(props: dict[str, Any]) -> dict[str, str]:
    """Lower-cased property names of a (cached, long-lived) schema mapping."""
    hit = _LOWER.get(id(props))
    if hit is None or hit[0] is not props:
        hit = _LOWER[id(props)] = (props, {p.lower(): p for p in props})
    return hit[1]


def original_path(instance: Any, folded_path: tuple) -> tuple:
    """The path as written in ``instance`` of a path into its folded copy."""
    out = []
    node = instance
    for part in folded_path:
        if isinstance(node, dict) and isinstance(part, str):
            key = part if part in node else None
            if key is None:
                for k in node:
                    if isinstance(k, str) and k.lower() == part.lower():
                        key = k  # the last match is what Go kept
            key = key if key is not None else part
            out.append(key)
            node = node.get(key)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        else:
            out.append(part)
            node = None
    return tuple(out)


def validate(name: str, instance: Any) -> list[SchemaError]:
    """Errors of ``instance`` against schema ``name``, at the keys as written."""
    schema = load_schema(name)
    folded = fold(instance, schema)
    quick = _quick_check(name)
    if quick is not None and quick(folded):
        return []  # the common case; jsonschema (and its import) only explains a failure
    validator = _validator(name)
    default_rule = schema.get("x-default-rule")
    out: list[SchemaError] = []
    for err in validator.iter_errors(folded):
        path = tuple(err.absolute_path)
        sub = err.schema if isinstance(err.schema, dict) else {}
        keyword = str(err.validator)
        if keyword == "required":
            missing = _missing_key(err)
            if "x-message-required" in sub:
                msg = sub["x-message-required"].format(key=missing, index=path[-1] if path else "")
            else:
                msg = f"required key '{missing}' is missing"
            at = path
        else:
            at = path
            key = _key_name(original_path(instance, path))
            template = sub.get("x-message")
            if template and keyword != "type":
                msg = template.format(key=key, value=_show(err.instance), index=key)
            else:
                msg = _describe(keyword, key, err)
        rule = None if keyword == "type" else default_rule
        out.append(SchemaError(original_path(instance, at), keyword, msg, rule))
    out.sort(key=lambda e: [str(p) for p in e.path])
    return out


def unknown_keys(name: str, instance: Any, extra: frozenset[str] = frozenset(),
                 ) -> list[tuple[tuple, str, list[str]]]:
    """(path, key, known keys there) for each key of a closed object the schema does not know."""
    out: list[tuple[tuple, str, list[str]]] = []
    _unknown(load_schema(name), instance, (), extra, out, root=True)
    return out


def _unknown(schema: dict[str, Any], inst: Any, path: tuple, extra: frozenset[str],
             out: list[tuple[tuple, str, list[str]]], root: bool) -> None:
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    if isinstance(inst, dict):
        lower = _lower_names(props)
        extra_lower = {k.lower() for k in extra} if root else ()
        for k, v in inst.items():
            if not isinstance(k, str):
                continue
            if k in props:
                canon: str | None = k
            else:
                canon = lower.get(k.lower())
                if canon is None:
                    if k.lower() not in extra_lower and (schema.get("x-closed") or root):
                        known = set(props) | (set(extra) if root else set())
                        out.append((path + (k,), k, sorted(known)))
                    continue
            if isinstance(props[canon], dict) and isinstance(v, (dict, list)):
                _unknown(props[canon], v, path + (k,), extra, out, root=False)
    elif isinstance(inst, list) and isinstance(schema.get("items"), dict):
        for i, v in enumerate(inst):
            if isinstance(v, (dict, list)):
                _unknown(schema["items"], v, path + (i,), extra, out, root=False)


def _missing_key(err: Any) -> str:
    for k in err.validator_value or ():
        if isinstance(err.instance, dict) and k not in err.instance:
            return str(k)
    return "?"


def _key_name(path: tuple) -> str:
    """``mtu``, ``plugins[0]``, ``routes[1]``: the last key with the indexes after it."""
    tail = ""
    for p in reversed(path):
        if isinstance(p, int):
            tail = f"[{p}]{tail}"
        else:
            return f"{p}{tail}"
    return tail


def _last_key(path: tuple) -> str:
    for p in reversed(path):
        if isinstance(p, str):
            return p
    return ""


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)


_JSON_TYPES = {"string": "a string", "integer": "an integer", "number": "a number",
               "boolean": "true or false", "object": "an object", "array": "a list", "null": "null"}


def json_type_name(value: Any) -> str:
    """The JSON type of a decoded value: ``boolean``, ``integer``, ``number``, ``string``,
    ``list``, ``object`` or ``null``."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return "null"


def json_type(value: Any) -> str:
    """``json_type_name`` with its article (``an integer``, ``a list``; ``null`` has none)."""
    name = json_type_name(value)
    if name == "null":
        return name
    return ("an " if name[0] in "aeiou" else "a ") + name


def _describe(keyword: str, key: str, err: Any) -> str:
    what = f"'{key}'" if key else "the value"
    if keyword == "type":
        want = err.validator_value
        wants = [want] if isinstance(want, str) else list(want)
        expected = " or ".join(_JSON_TYPES.get(w, w) for w in wants)
        return (f"{what} is {json_type(err.instance)} ({json.dumps(err.instance)}) but must be {expected}: "
                "Go's JSON decoding of the config fails and every pod start fails")
    if keyword == "enum":
        allowed = ", ".join(str(v) for v in err.validator_value if v != "")
        return f"{what} is '{_show(err.instance)}', not one of {allowed}"
    if keyword in ("minimum", "maximum"):
        return f"{what} {_show(err.instance)} is out of range ({keyword} {err.validator_value})"
    if keyword == "minItems":
        return f"{what} is empty"
    if keyword == "pattern":
        return f"{what} '{_show(err.instance)}' does not match {err.validator_value}"
    return f"{what}: {err.message}"
