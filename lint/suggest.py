"""Did-you-mean suggestions."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate nearest to ``word``, ignoring case and ``-``/``_`` differences first."""
    options = list(candidates)
    folded = {_fold(c): c for c in options}
    if _fold(word) in folded:
        return folded[_fold(word)]
    hits = difflib.get_close_matches(word, options, n=1, cutoff=cutoff)
    if hits:
        return hits[0]
    lower = {c.lower(): c for c in options}
    hits = difflib.get_close_matches(word.lower(), list(lower), n=1, cutoff=cutoff)
    return lower[hits[0]] if hits else None


def hint(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str:
    """``"; did you mean 'x'?"`` or an empty string."""
    best = closest(word, candidates, cutoff)
    return f"; did you mean '{best}'?" if best and best != word else ""


def fold(s: str) -> str:
    """The name with case and ``-``/``_`` differences removed."""
    return s.lower().replace("-", "").replace("_", "")


_fold = fold
