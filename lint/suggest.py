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
    hit = best_match(word, options, cutoff)
    if hit is not None:
        return hit
    lower = {c.lower(): c for c in options}
    hit = best_match(word.lower(), list(lower), cutoff)
    return lower[hit] if hit is not None else None


def best_match(word: str, options: list[str], cutoff: float = 0.6) -> str | None:
    """``difflib.get_close_matches(word, options, n=1, cutoff)[0]`` (or None), the same
    answer with less work: the best (ratio, candidate) pair, where candidates whose upper
    bounds (real_quick_ratio, then quick_ratio) cannot beat the best so far are never
    compared in full. A missing network among 10,000 NADs compared every NAD name in full:
    half the time of an audit with many such findings (issue 16)."""
    s = difflib.SequenceMatcher()
    s.set_seq2(word)
    bounded = []
    for x in options:
        s.set_seq1(x)
        rq = s.real_quick_ratio()
        if rq >= cutoff:
            bounded.append((rq, x))
    # get_close_matches keeps the largest (ratio, x); ratio <= quick_ratio <= real_quick_ratio
    bounded.sort(reverse=True)
    best: tuple[float, str] | None = None
    for rq, x in bounded:
        if best is not None and (rq, x) < best:
            break  # every later candidate is bounded lower still
        s.set_seq1(x)
        q = s.quick_ratio()
        if q < cutoff or (best is not None and (q, x) < best):
            continue
        r = s.ratio()
        if r >= cutoff and (best is None or (r, x) > best):
            best = (r, x)
    return None if best is None else best[1]


def hint(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str:
    """``"; did you mean 'x'?"`` or an empty string."""
    best = closest(word, candidates, cutoff)
    return f"; did you mean '{best}'?" if best and best != word else ""


def fold(s: str) -> str:
    """The name with case and ``-``/``_`` differences removed."""
    return s.lower().replace("-", "").replace("_", "")


_fold = fold
