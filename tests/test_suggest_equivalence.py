"""``suggest.best_match`` gives exactly difflib.get_close_matches(n=1)'s answer (issue 16:
the bounded search must not change a single did-you-mean hint)."""

from __future__ import annotations

import difflib

from hypothesis import given, settings
from hypothesis import strategies as st

from multus_lint.suggest import best_match

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
