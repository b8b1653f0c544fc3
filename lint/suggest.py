"""Did-you-mean suggestions."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

INDEX_FROM = 32  # candidate lists at least this long are indexed (once) instead of scanned
_INDEXES: dict[tuple[str, ...], _Index] = {}
_MAX_INDEXES = 64


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate nearest to ``word``, ignoring case and ``-``/``_`` differences first.

    The answer is exactly that of: the last candidate whose ``fold`` equals the word's, else
    ``difflib.get_close_matches(word, candidates, n=1, cutoff)``, else the same on the
    lower-cased word and candidates (tests/test_suggest_equivalence.py)."""
    options = candidates if isinstance(candidates, (list, tuple)) else list(candidates)
    if len(options) >= INDEX_FROM:
        return _index(tuple(options)).closest(word, cutoff)
    if not options:
        return None
    folded_word = fold(word)
    hit = None
    for c in options:
        if fold(c) == folded_word:
            hit = c  # the last one, as a dict comprehension over the candidates keeps it
    if hit is not None:
        return hit
    hit = best_match(word, options, cutoff)
    if hit is not None:
        return hit
    lower = {c.lower(): c for c in options}
    hit = best_match(word.lower(), list(lower), cutoff)
    return lower[hit] if hit is not None else None


def best_match(word: str, options: Iterable[str], cutoff: float = 0.6) -> str | None:
    """``difflib.get_close_matches(word, options, n=1, cutoff)[0]`` (or None), the same
    answer with less work: the best (ratio, candidate) pair, where candidates whose upper
    bounds (real_quick_ratio, then quick_ratio) cannot beat the best so far are never
    compared in full. A missing network among 10,000 NADs compared every NAD name in full:
    half the time of an audit with many such findings (issue 16)."""
    lw = len(word)
    bounded = []
    for x in options:
        # real_quick_ratio without a SequenceMatcher: it depends on the two lengths only
        lx = len(x)
        total = lx + lw
        rq = 2.0 * min(lx, lw) / total if total else 1.0
        if rq >= cutoff:
            bounded.append((rq, x))
    if not bounded:
        return None
    s = difflib.SequenceMatcher()
    s.set_seq2(word)
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


def _index(options: tuple[str, ...]) -> _Index:
    index = _INDEXES.get(options)
    if index is None:
        if len(_INDEXES) >= _MAX_INDEXES:
            _INDEXES.pop(next(iter(_INDEXES)))
        index = _INDEXES[options] = _Index(options)
    return index


def _keys(text: str) -> list[tuple[str, int]]:
    """The text's characters as (char, k) pairs, k counting that char's occurrences: the
    size of the intersection of two such sets is the numerator of difflib's quick_ratio."""
    seen: dict[str, int] = {}
    out = []
    for ch in text:
        k = seen[ch] = seen.get(ch, 0) + 1
        out.append((ch, k))
    return out


class _Index:
    """A long candidate list prepared once for many look-ups (a missing network among
    thousands of NADs, once per reference: issue 16).

    difflib's quick_ratio is 2 * (shared characters, counted as a multiset) / (both
    lengths): the number of (char, k) pairs the two strings have in common, where (c, k)
    stands for "at least k times c". Only the candidates that reach the cutoff by that
    count go through ``best_match``, which then gives difflib's answer: the candidates
    left out would fail its quick_ratio test."""

    def __init__(self, options: tuple[str, ...]) -> None:
        self.folded: dict[str, str] = {}
        for c in options:
            self.folded[fold(c)] = c
        self.lower: dict[str, str] = {c.lower(): c for c in options}
        self.all_lower = all(c == c.lower() for c in options)
        self.groups = _Groups(options)
        self.lower_groups: _Groups | None = None if self.all_lower else _Groups(list(self.lower))

    def closest(self, word: str, cutoff: float) -> str | None:
        hit = self.folded.get(fold(word))
        if hit is not None:
            return hit
        hit = _best_of(word, self.groups.near(word, cutoff), cutoff)
        if hit is not None:
            return hit
        low = word.lower()
        if self.lower_groups is None:
            if low == word:
                return None  # the same search again: the candidates are lower-case already
            hit = _best_of(low, self.groups.near(low, cutoff), cutoff)
        else:
            hit = _best_of(low, self.lower_groups.near(low, cutoff), cutoff)
        return self.lower[hit] if hit is not None else None


class _Groups:
    """Candidates as bit positions: one bit mask per length and per (char, k) pair."""

    def __init__(self, options: Iterable[str]) -> None:
        self.names = list(dict.fromkeys(options))  # a duplicate adds nothing to the answer
        lengths: dict[int, bytearray] = {}
        postings: dict[tuple[str, int], bytearray] = {}
        size = len(self.names) // 8 + 1
        for i, x in enumerate(self.names):
            byte, bit = i >> 3, 1 << (i & 7)
            lengths.setdefault(len(x), bytearray(size))[byte] |= bit
            for key in _keys(x):
                postings.setdefault(key, bytearray(size))[byte] |= bit
        self.lengths = {n: int.from_bytes(b, "little") for n, b in lengths.items()}
        self.postings = {k: int.from_bytes(b, "little") for k, b in postings.items()}
        self.all = (1 << len(self.names)) - 1

    def near(self, word: str, cutoff: float) -> list[tuple[float, str]]:
        """(quick_ratio, candidate) of exactly the candidates whose quick_ratio against
        ``word`` reaches ``cutoff``: those missing at most ``slack`` of the word's (char, k)
        pairs, the slack from their length, counted for all candidates at once on the bit
        masks; quick_ratio is then 2 * (pairs - missing) / (both lengths), as difflib sums."""
        lw = len(word)
        slack: dict[int, int] = {}
        out: list[tuple[float, str]] = []
        for lx, mask in self.lengths.items():
            total = lx + lw
            most = min(lx, lw)
            need = 0  # the fewest shared pairs that give quick_ratio >= cutoff (same float sums)
            while need <= most and (2.0 * need / total if total else 1.0) < cutoff:
                need += 1
            if need > most:
                continue
            if need == 0:  # cutoff 0: every candidate of this length, measured by difflib
                s = difflib.SequenceMatcher()
                s.set_seq2(word)
                for x in self._decode(mask):
                    s.set_seq1(x)
                    out.append((s.quick_ratio(), x))
            else:
                slack[lx] = lw - need
        if not slack:
            return out
        top = max(slack.values())
        # within[j]: candidates missing at most j of the pairs seen so far
        within = [self.all] * (top + 1)
        for key in _keys(word):
            has = self.postings.get(key, 0)
            for j in range(top, 0, -1):
                within[j] = (within[j] & has) | within[j - 1]
            within[0] &= has
            if not within[top]:
                break
        hits = 0
        for lx, j in slack.items():
            hits |= within[j] & self.lengths[lx]
        done = 0
        for j in range(top + 1):
            layer = within[j] & hits & ~done  # missing exactly j pairs
            done |= layer
            for x in self._decode(layer):
                total = len(x) + lw
                out.append((2.0 * (lw - j) / total, x))
        return out

    def _decode(self, mask: int) -> list[str]:
        out = []
        while mask:
            low = mask & -mask
            out.append(self.names[low.bit_length() - 1])
            mask ^= low
        return out


def _best_of(word: str, pairs: list[tuple[float, str]], cutoff: float) -> str | None:
    """``best_match`` over candidates whose quick_ratio is known (and reaches the cutoff)."""
    if not pairs:
        return None
    pairs.sort(reverse=True)
    s = difflib.SequenceMatcher()
    s.set_seq2(word)
    best: tuple[float, str] | None = None
    for q, x in pairs:
        if best is not None and (q, x) < best:
            break  # ratio <= quick_ratio: no later candidate can beat the best
        s.set_seq1(x)
        r = s.ratio()
        if r >= cutoff and (best is None or (r, x) > best):
            best = (r, x)
    return None if best is None else best[1]
