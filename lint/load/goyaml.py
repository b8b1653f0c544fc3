"""How go-yaml v2 resolves a scalar: what Kubernetes reads from a manifest.

kubectl, the API server and Helm read YAML through sigs.k8s.io/yaml, which decodes with
its fork of go-yaml v2 (``resolve`` in resolve.go) before turning the result into JSON.
PyYAML resolves YAML 1.1 a little differently, and where it does the data here follows
Go:

- base-60 numbers (``1:20``, ``1:1:1``) are plain strings to Go ("Base 60 floats are a bad
  idea ... purposefully unsupported"), ints to PyYAML;
- an integer past 64 bits is a float to Go when it is decimal and finite, else a string;
  PyYAML makes a Python int of any size (whose ``str()`` raises past 4,300 digits);
- ``y``, ``Y``, ``n`` and ``N`` are booleans to Go (its table of YAML 1.1 booleans has
  them beside yes/no/on/off/true/false), strings to PyYAML (whose table lacks them):
  ``rke2-whereabouts: {enabled: y}`` in Helm values installs whereabouts, and
  ``k8s.v1.cni.cncf.io/networks: n`` is no network named "n" but a boolean where a string
  must be. Other spellings (``yEs``, ``oN``) are strings to both;
- an explicit tag the value cannot hold (``!!bool maybe``, a bare ``!!bool``) fails the
  whole decode in Go ("cannot decode !!str `maybe` as a !!bool"): the object is never
  applied, so it is a syntax error (ML001) here, not a value.
"""

from __future__ import annotations

import math
import re
from typing import Any

_MAP: dict[str, tuple[str, Any]] = {}
for _value, _tag, _words in (
        (True, "bool", ("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")),
        (False, "bool", ("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF")),
        (None, "null", ("", "~", "null", "Null", "NULL")),
        (math.nan, "float", (".nan", ".NaN", ".NAN")),
        (math.inf, "float", (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF")),
        (-math.inf, "float", ("-.inf", "-.Inf", "-.INF")),
        ("<<", "merge", ("<<",))):
    for _w in _words:
        _MAP[_w] = (_tag, _value)

# in go-yaml v2's boolean table (resolve.go resolveMapList) but not in PyYAML's
V2_ONLY_BOOLS = frozenset(("y", "Y", "n", "N"))

_YAML_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_GO_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+\.?[0-9]*)([eE][-+]?[0-9]+)?")
_TIMESTAMP = re.compile(r"[0-9]{4}-")
_DIGITS = {2: "01", 8: "01234567", 10: "0123456789", 16: "0123456789abcdef"}
_INT64 = (-(1 << 63), (1 << 63) - 1)
_UINT64 = (1 << 64) - 1


def _hint(c: str) -> str:
    if c in "+-":
        return "S"
    if "0" <= c <= "9":
        return "D"
    if c in "yYnNtTfFoO~":
        return "M"
    if c == ".":
        return "."
    return ""


def _parse_int(text: str, unsigned: bool) -> int | None:
    """strconv.ParseInt(text, 0, 64) (or ParseUint): None where Go returns an error."""
    body, negative = text, False
    if body[:1] in ("+", "-"):
        if unsigned:
            return None
        negative, body = body[0] == "-", body[1:]
    low = body.lower()
    if low.startswith("0x"):
        base, digits = 16, low[2:]
    elif low.startswith("0o"):
        base, digits = 8, low[2:]
    elif low.startswith("0b"):
        base, digits = 2, low[2:]
    elif low.startswith("0") and len(low) > 1:
        base, digits = 8, low[1:]
    else:
        base, digits = 10, low
    # past 64 bits in any base there are more than 64 digits: out of range, and no huge
    # int is ever made from the text
    if not digits or len(digits) > 64 or any(c not in _DIGITS[base] for c in digits):
        return None
    value = int(digits, base)
    value = -value if negative else value
    if unsigned:
        return value if value <= _UINT64 else None
    return value if _INT64[0] <= value <= _INT64[1] else None


def _parse_float(text: str) -> float | None:
    """strconv.ParseFloat(text, 64) for the decimal forms YAML lets through: None where Go
    returns an error (out of range is one)."""
    if not _GO_FLOAT.fullmatch(text):
        return None
    try:
        value = float(text)
    except (ValueError, OverflowError):
        return None
    return None if math.isinf(value) else value


def resolve(text: str) -> tuple[str, Any]:
    """(short tag, value) of a plain scalar, as go-yaml v2's ``resolve("", text)``."""
    hit = _MAP.get(text)
    if hit is not None:
        return hit
    hint = _hint(text[0]) if text else "N"
    if hint == ".":
        value = _parse_float(text)
        if value is not None:
            return "float", value
    elif hint in ("D", "S"):
        if _TIMESTAMP.match(text):
            return "timestamp", text
        plain = text.replace("_", "")
        for unsigned in (False, True):  # base 0: 0x, 0o, 0b and a leading 0 (octal) too
            number = _parse_int(plain, unsigned)
            if number is not None:
                return "int", number
        if _YAML_STYLE_FLOAT.fullmatch(plain):
            value = _parse_float(plain)
            if value is not None:
                return "float", value
    return "str", text


def explicit_value(tag: str, text: str) -> tuple[bool, Any]:
    """(ok, value) of a scalar with the explicit tag ``!!<tag>``, as go-yaml v2 decodes it;
    not ok is Go's "cannot decode" error."""
    got, value = resolve(text)
    if got == tag:
        return True, value
    if tag == "float" and got == "int":
        return True, float(value)
    return False, got
