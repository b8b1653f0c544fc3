"""``suggest.best_match`` gives exactly difflib.get_close_matches(n=1)'s answer (issue 16:
the bounded search must not change a single did-you-mean hint)."""

from __future__ import annotations

import difflib
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from multus_lint import suggest
from multus_lint.suggest import best_match, closest, contained_ratio, fold, ratio

names = st.text(alphabet="abn-0123x_", min_size=0, max_size=12)


@settings(max_examples=400, deadline=None)
@given(word=names, options=st.lists(names, max_size=30), cutoff=st.sampled_from([0.0, 0.6, 0.75, 0.85, 1.0]))
def test_best_match_is_get_close_matches(word: str, options: list[str], cutoff: float) -> None:
    hits = difflib.get_close_matches(word, options, n=1, cutoff=cutoff)
    assert best_match(word, options, cutoff) == (hits[0] if hits else None)


def test_many_similar_names() -> None:
    options = [f"net-{i:05d}" for i in range(3000)]
    for word in ("net-00001x", "net-0299", "nte-01234", "net-00000", "macvlan-net"):
        hits = difflib.get_close_matches(word, options, n=1, cutoff=0.8)
        assert best_match(word, options, 0.8) == (hits[0] if hits else None)


def reference_closest(word: str, candidates: list[str], cutoff: float) -> str | None:
    """suggest.closest as it was before the index (issue 16): the definition it must keep."""
    folded = {fold(c): c for c in candidates}
    if fold(word) in folded:
        return folded[fold(word)]
    hits = difflib.get_close_matches(word, candidates, n=1, cutoff=cutoff)
    if hits:
        return hits[0]
    lower = {c.lower(): c for c in candidates}
    hits = difflib.get_close_matches(word.lower(), list(lower), n=1, cutoff=cutoff)
    return lower[hits[0]] if hits else None


mixed = st.text(alphabet="aAbBn-0123x_", min_size=0, max_size=14)


@settings(max_examples=300, deadline=None)
@given(word=mixed, options=st.lists(mixed, max_size=80), cutoff=st.sampled_from([0.0, 0.5, 0.6, 0.75, 0.85, 1.0]))
def test_closest_is_the_reference(word: str, options: list[str], cutoff: float) -> None:
    # lists of INDEX_FROM candidates and more take the indexed path, shorter ones the scan
    assert closest(word, options, cutoff) == reference_closest(word, options, cutoff)
    assert closest(word, options * 3, cutoff) == reference_closest(word, options * 3, cutoff)


def test_closest_among_many_similar_names() -> None:
    options = [f"net-{i:05d}" for i in range(0, 3000, 8)] + ["Net-00016", "macvlan_conf", "NET-X"]
    words = ("net-00001x", "net-00008y", "net-0299", "nte-01234", "net-00000", "macvlan-net",
             "NET-00016", "Net-00017x", "net-x", "", "MACVLAN-CONF", "n")
    for cutoff in (0.6, 0.75, 0.8):
        for word in words:
            assert closest(word, options, cutoff) == reference_closest(word, options, cutoff), word


@settings(max_examples=500, deadline=None)
@given(a=names, b=names, cut=st.integers(0, 12), pad=st.integers(0, 3))
def test_contained_ratio_is_difflibs(a: str, b: str, cut: int, pad: int) -> None:
    # one string inside the other (the shortcut) or not (None: difflib computes it)
    inner = b[cut:cut + len(a)] if pad else a
    for x, y in ((inner, b), (b, inner), (a, b)):
        r = contained_ratio(x, y)
        assert r is None or r == difflib.SequenceMatcher(None, x, y).ratio()
        if x in y or y in x:
            assert r is not None


def test_contained_ratio_leaves_autojunk_to_difflib() -> None:
    # from 200 characters of b on, difflib drops b's popular characters (autojunk): a
    # contained string no longer matches whole, so the shortcut must not answer
    b = "a" * 150 + "b" * 60
    assert difflib.SequenceMatcher(None, "ab", b).ratio() != 2.0 * 2 / (2 + len(b))
    assert contained_ratio("ab", b) is None
    assert contained_ratio("ab", b[:199]) == difflib.SequenceMatcher(None, "ab", b[:199]).ratio()


short = st.text(alphabet="ab-0x", min_size=0, max_size=24)


@settings(max_examples=1500, deadline=None)
@given(a=short, b=short)
def test_ratio_is_difflibs(a: str, b: str) -> None:
    # few distinct characters: many ties between blocks of one size, where difflib's
    # order (first in a, then first in b) decides which block splits the rest
    assert ratio(a, b) == difflib.SequenceMatcher(None, a, b).ratio()


@settings(max_examples=200, deadline=None)
@given(a=st.text(alphabet="abc", max_size=260), b=st.text(alphabet="abc", min_size=150, max_size=260))
def test_ratio_is_difflibs_near_autojunk(a: str, b: str) -> None:
    # from 200 characters of b on difflib's autojunk counts: ratio() leaves it to difflib
    assert ratio(a, b) == difflib.SequenceMatcher(None, a, b).ratio()


def test_ratio_names() -> None:
    options = [f"net-{i:05d}" for i in range(0, 3000, 7)] + ["macvlan-conf", "net-00123-a", ""]
    for word in ("net-00123x", "net-00132y", "nte-01234", "macvlan1-config", "x", ""):
        for x in options:
            assert ratio(x, word) == difflib.SequenceMatcher(None, x, word).ratio(), (x, word)


def test_closest_sees_a_list_changed_between_calls() -> None:
    # the index of the list last asked is reused only while its items are the same
    options = [f"net-{i:05d}" for i in range(40)]
    assert closest("net-00039x", options, 0.75) == "net-00039"
    options[39] = "other-name"
    assert closest("net-00039x", options, 0.75) == reference_closest("net-00039x", options, 0.75)
    options.append("net-00039")
    assert closest("net-00039x", options, 0.75) == "net-00039"
    options.clear()
    options.extend(f"vlan-{i}" for i in range(40))
    assert closest("net-00039x", options, 0.75) == reference_closest("net-00039x", options, 0.75)


digits = st.text(alphabet="0123", min_size=3, max_size=6)


@settings(max_examples=400, deadline=None)
@given(base=digits, suffix=st.text(alphabet="xy0", max_size=2), keep=st.integers(0, 40),
       cutoff=st.sampled_from([0.5, 0.6, 0.75, 0.85]), trim=st.booleans())
def test_closest_among_permutations(base: str, suffix: str, keep: int, cutoff: float, trim: bool) -> None:
    # a name's digits permuted beside it (the many-findings benchmark's NADs): the indexed
    # search skips a candidate that could only tie the best when the shorter string is no
    # subsequence of the longer (its ratio is then below its quick_ratio)
    perms = sorted({"".join(p) for p in itertools.permutations(base)})[:keep]
    options = [f"n-{p}" for p in perms] + [f"n-{i:04d}" for i in range(40)]
    word = f"n-{base}{suffix}"
    if trim:
        word = word[:-1]
    assert closest(word, options, cutoff) == reference_closest(word, options, cutoff)


def test_permutations_are_skipped_not_compared() -> None:
    # a missing 'net-00400y' beside 'net-00400' (its best, lying whole in it) and the
    # permutations of its digits ('net-00040', 'net-04000'): no full comparison is needed
    options = [f"net-{i:05d}" for i in range(0, 3000, 8)]
    words = [o + s for o in options[::5] for s in "xy"]
    compared: list[tuple[str, str]] = []
    real = suggest.ratio
    try:
        suggest.ratio = lambda a, b: (compared.append((a, b)), real(a, b))[1]  # type: ignore[assignment]
        for word in words:
            assert closest(word, options, 0.75) == reference_closest(word, options, 0.75), word
    finally:
        suggest.ratio = real  # type: ignore[assignment]
    assert len(compared) < 25, compared  # 248 before the shortcuts
