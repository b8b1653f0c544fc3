"""Indented JSON text, byte for byte what ``json.dumps(obj, indent=2)`` writes, faster.

The standard library encodes with its C accelerator only without ``indent``; indented, each
value goes through a chain of Python generators, which made the JSON and SARIF reports of
10,000 findings take longer than linting them (issue 16). Here the structure is written by
one recursive function and every string by the same C encoder ``json`` uses, so the output
does not change; a value ``json`` does not know (its ``default`` would raise) is left to
``json.dumps`` for the same error.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

_FLOAT_REPR = float.__repr__
_INT_REPR = int.__repr__
_INF = float("inf")


def _float(o: float) -> str:
    # json.encoder's floatstr with allow_nan=True
    if o != o:
        return "NaN"
    if o == _INF:
        return "Infinity"
    if o == -_INF:
        return "-Infinity"
    return _FLOAT_REPR(o)


def dumps(obj: Any, indent: int = 2, ensure_ascii: bool = True, level: int = 0) -> str:
    """``json.dumps(obj, indent=indent, ensure_ascii=ensure_ascii)``; ``level`` > 0: the
    text of ``obj`` as a value nested that deep in such a document (its inner lines
    indented ``level`` steps more)."""
    encode = encode_basestring_ascii if ensure_ascii else encode_basestring
    # the exact types of plain data, written at once; subclasses take json's isinstance chain
    plain: dict[type, Any] = {str: encode, int: _INT_REPR, float: _float,
                              bool: lambda o: "true" if o else "false", type(None): lambda o: "null"}
    step = " " * indent
    newlines = ["\n"]  # newlines[level]: a line break and that level's indentation
    parts: list[str] = []
    put = parts.append

    def scalar(o: Any) -> str | None:
        if isinstance(o, str):
            return encode(o)  # type: ignore[no-any-return]
        if o is None:
            return "null"
        if o is True:
            return "true"
        if o is False:
            return "false"
        if isinstance(o, int):
            return _INT_REPR(o)
        if isinstance(o, float):
            return _float(o)
        return None

    def key_text(k: Any) -> str:
        if isinstance(k, str):
            return encode(k)  # type: ignore[no-any-return]
        if isinstance(k, float):
            return encode(_float(k))  # type: ignore[no-any-return]
        if k is True:
            return '"true"'
        if k is False:
            return '"false"'
        if k is None:
            return '"null"'
        if isinstance(k, int):
            return encode(_INT_REPR(k))  # type: ignore[no-any-return]
        raise _Unknown

    # keys repeat in every finding ("code", "rule", ...): each encoded once per report
    keys: dict[str, str] = {}
    shapes: dict[tuple, list[str]] = {}

    def value(o: Any, level: int) -> None:
        write = plain.get(type(o))
        if write is not None:
            put(write(o))
            return
        # a container of the exact types (every finding and its object) skips scalar()'s
        # isinstance chain; subclasses and other values take it as before
        text = None if type(o) is dict or type(o) is list else scalar(o)
        if text is not None:
            put(text)
            return
        if isinstance(o, (list, tuple)):
            if not o:
                put("[]")
                return
            inner = _newline(newlines, level + 1, step)
            sep = "[" + inner
            for item in o:
                write = plain.get(type(item))
                if write is not None:
                    put(sep + write(item))
                else:
                    put(sep)
                    value(item, level + 1)
                sep = "," + inner
            put(newlines[level] + "]")
        elif isinstance(o, dict):
            if not o:
                put("{}")
                return
            # records of one shape (every finding, every object) at one level: the text
            # before each value ('{' or ',', the line break and indentation, the key, ': ')
            # worked out once for the shape, then only the values are written
            shape = (level, *o) if type(o) is dict and len(o) <= 32 else None
            prefixes = shapes.get(shape) if shape is not None else None
            if prefixes is None and shape is not None and len(shapes) < 256 \
                    and all(type(k) is str for k in o):
                inner = _newline(newlines, level + 1, step)
                prefixes = shapes[shape] = [("{" if i == 0 else ",") + inner + encode(k) + ": "
                                            for i, k in enumerate(o)]
            if prefixes is not None:
                for pre, v in zip(prefixes, o.values()):
                    write = plain.get(type(v))
                    if write is not None:
                        put(pre + write(v))
                    else:
                        put(pre)
                        value(v, level + 1)
                put(newlines[level] + "}")
                return
            inner = _newline(newlines, level + 1, step)
            sep = "{" + inner
            for k, v in o.items():
                if type(k) is str:
                    key = keys.get(k)
                    if key is None:
                        key = encode(k)
                        if len(keys) < 256:
                            keys[k] = key
                else:
                    key = key_text(k)
                write = plain.get(type(v))
                if write is not None:
                    put(sep + key + ": " + write(v))
                else:
                    put(sep + key + ": ")
                    value(v, level + 1)
                sep = "," + inner
            put(newlines[level] + "}")
        else:
            raise _Unknown

    try:
        value(obj, level)
    except _Unknown:
        text = json.dumps(obj, indent=indent, ensure_ascii=ensure_ascii)  # raises as json does
        # (nested: json's lines indented as deep; its strings hold no raw line break)
        return text.replace("\n", "\n" + step * level) if level else text
    return "".join(parts)


def _newline(newlines: list[str], level: int, step: str) -> str:
    while len(newlines) <= level:
        newlines.append("\n" + step * len(newlines))
    return newlines[level]


class _Unknown(Exception):
    """A value or key json would pass to ``default`` (or refuse)."""
