"""ML413's look-up (rules/annotations.py misspelled_multus_key) rules most keys out by their
first and last five characters before the edit distance: that test must never lose a key
one edit or one swap away from a Multus key, in any case."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from multus_lint.model.network_refs import MULTUS_KEYS
from multus_lint.rules.annotations import (
    _OTHER_MULTUS_KEYS,
    _swapped,
    _within,
    misspelled_multus_key,
)


def _reference(key: str) -> str | None:
    """The look-up without the five-character test (as it was written first)."""
    if key in MULTUS_KEYS or key in _OTHER_MULTUS_KEYS:
        return None
    prefix, _, name = key.rpartition("/")
    if name.lower() in ("networks", "network") and prefix.lower().endswith("cni.cncf.io"):
        return MULTUS_KEYS[0]
    for right in MULTUS_KEYS:
        if key.lower() == right.lower() or _within(key, right, 1) or _swapped(key, right):
            return right
    return None


_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789./-_ABCKNZ"


@st.composite
def _near_keys(draw: st.DrawFn) -> str:
    key = draw(st.sampled_from(MULTUS_KEYS))
    i = draw(st.integers(0, len(key)))
    op = draw(st.sampled_from(["sub", "ins", "del", "swap", "case", "two"]))
    c = draw(st.sampled_from(_CHARS))
    if op == "sub" and i < len(key):
        return key[:i] + c + key[i + 1:]
    if op == "ins":
        return key[:i] + c + key[i:]
    if op == "del" and i < len(key):
        return key[:i] + key[i + 1:]
    if op == "swap" and i + 1 < len(key):
        return key[:i] + key[i + 1] + key[i] + key[i + 2:]
    if op == "case":
        return "".join(ch.upper() if draw(st.booleans()) else ch for ch in key)
    j = draw(st.integers(0, len(key) - 1))
    return (key[:i] + c + key[i:])[:j] + c + (key[:i] + c + key[i:])[j + 1:]


@settings(max_examples=400, deadline=None)
@given(_near_keys())
def test_prefilter_keeps_every_near_key(key: str) -> None:
    assert misspelled_multus_key(key) == _reference(key)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_CHARS, min_size=1, max_size=40))
def test_prefilter_agrees_on_any_key(key: str) -> None:
    assert misspelled_multus_key(key) == _reference(key)
