"""The JSON decoders kept for every parse (load.parse._DUPS, net.annotation._DECODER) answer
as json.loads with the same hooks does, a decoder built per call: the same value, the same
duplicate-key flag, the same error (message and offset), a leading BOM included."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from multus_lint.load import parse
from multus_lint.net import annotation

# JSON-like text: objects with repeated keys, numbers, constants Go refuses, a BOM, junk
texts = st.one_of(
    st.text(alphabet='{}[]":,0123456789.eE+- \n\tabNaIfinty\ufeff\\', max_size=40),
    st.recursive(st.sampled_from(['1', '-2.5e3', '"a"', 'null', 'true', 'NaN', 'Infinity']),
                 lambda kids: st.one_of(
                     st.lists(kids, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
                     st.lists(st.tuples(st.sampled_from(['"a"', '"b"', '"A"']), kids), max_size=3).map(
                         lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}")),
                 max_leaves=8),
).flatmap(lambda t: st.sampled_from([t, "\ufeff" + t, " " + t]))


def _outcome(fn: Any) -> Any:
    try:
        return "ok", fn()
    except json.JSONDecodeError as exc:
        return "json", exc.msg, exc.pos
    except (ValueError, RecursionError) as exc:
        return type(exc).__name__, str(exc)


def _plain(value: Any) -> Any:
    """Values compared as data (the annotation's numbers are kept as written)."""
    if isinstance(value, annotation._Num):
        return ("num", value.text)
    if isinstance(value, list):
        return (type(value).__name__, [_plain(v) for v in value])
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@settings(max_examples=500, deadline=None)
@given(texts)
def test_the_kept_decoders_answer_as_json_loads(text: str) -> None:
    fresh = parse._DupFlag()
    want = _outcome(lambda: json.loads(text, object_pairs_hook=fresh, parse_constant=parse._reject_constant))
    got = _outcome(lambda: parse._DUPS.loads(text))
    assert _plain(got) == _plain(want)
    if want[0] == "ok":
        assert parse._DUPS.found == fresh.found


class _PerCall:
    """The annotation's decoder as json.loads builds it for each call."""

    def decode(self, text: str) -> Any:
        return json.loads(text, object_pairs_hook=annotation._PairList, parse_int=annotation._Num,
                          parse_float=annotation._Num, parse_constant=annotation._no_constant)


def _summary(parsed: annotation.ParsedAnnotation) -> Any:
    return _plain((parsed.error, parsed.error_offset, parsed.form, parsed.truncated,
                   [(e.name, e.namespace, e.interface, e.offset, e.end, e.errors, e.error_offset,
                     e.keys, e.key_offsets, e.unknown_keys) for e in parsed.entries]))


@settings(max_examples=500, deadline=None)
@given(texts)
def test_the_annotation_parses_as_with_a_decoder_per_call(text: str) -> None:
    got = _summary(annotation.parse(text))
    kept = annotation._DECODER
    annotation._DECODER = _PerCall()  # type: ignore[assignment]
    try:
        want = _summary(annotation.parse(text))
    finally:
        annotation._DECODER = kept
    assert got == want
