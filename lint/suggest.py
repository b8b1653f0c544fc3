"""Did-you-mean suggestions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

INDEX_FROM = 32  # candidate lists at least this long are indexed (once) instead of scanned
_INDEXES: dict[tuple[str, ...], _Index] = {}
_LAST_LIST: list[Any] = []  # [the list last indexed, a copy of its items, its index]
_MAX_INDEXES = 64


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate nearest to ``word``, ignoring case and ``-``/``_`` differences first.

    The answer is exactly that of: the last candidate whose ``fold`` equals the word's, else
    ``difflib.get_close_matches(word, candidates, n=1, cutoff)``, else the same on the
    lower-cased word and candidates (tests/test_suggest_equivalence.py)."""
    options = candidates if isinstance(candidates, (list, tuple)) else list(candidates)
    if len(options) >= INDEX_FROM:
        # the same list again (one namespace's NAD names, once per missing network): its
        # index without making and hashing a tuple of it, once its items are seen unchanged
        last = _LAST_LIST
        if last and last[0] is options and last[1] == options:
            return last[2].closest(word, cutoff)
        index = _index(tuple(options))
        if type(options) is list:
            _LAST_LIST[:] = [options, list(options), index]
        return index.closest(word, cutoff)
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
    import difflib  # only when some name is close enough to compare (most runs: none)

    s = difflib.SequenceMatcher()
    s.set_seq2(word)
    # get_close_matches keeps the largest (ratio, x); ratio <= quick_ratio <= real_quick_ratio
    bounded.sort(reverse=True)
    best: tuple[float, str] | None = None
    for rq, x in bounded:
        if best is not None and (rq, x) < best:
            break  # every later candidate is bounded lower still
        r = contained_ratio(x, word)
        if r is None:
            s.set_seq1(x)
            q = s.quick_ratio()
            if q < cutoff or (best is not None and (q, x) < best):
                continue
            r = ratio(x, word)
        if r >= cutoff and (best is None or (r, x) > best):
            best = (r, x)
    return None if best is None else best[1]


def contained_ratio(a: str, b: str) -> float | None:
    """``SequenceMatcher(None, a, b).ratio()`` when the shorter string lies whole inside the
    other, else None (then compute it). difflib's first (longest) matching block is then the
    whole shorter string and nothing is left beside it, so the matches are its length: the
    same float as difflib's 2.0 * matches / length. Only while ``b`` is shorter than 200:
    from there difflib's autojunk drops popular characters of ``b`` from its matches.
    A missing network 'net-00123x' next to 'net-00123' is this case: 7,500 full
    comparisons in the audit of issue 16."""
    la, lb = len(a), len(b)
    if lb >= 200 or not (a in b if la <= lb else b in a):
        return None
    total = la + lb
    return 2.0 * min(la, lb) / total if total else 1.0


SHORT_B = 200  # from this length of b on, difflib's autojunk drops b's popular characters


def ratio(a: str, b: str) -> float:
    """``difflib.SequenceMatcher(None, a, b).ratio()``, exactly (tests/test_suggest_equivalence.py).

    While ``b`` is shorter than 200 characters nothing is junk (no isjunk, no autojunk), and
    difflib's matching blocks are then defined by their longest-first rule alone: the
    longest common block, of those the one starting first in ``a``, then first in ``b``,
    and the same again left and right of it. Found here with ``str.find`` (C) instead of
    difflib's per-character table in Python: the full ratios of ML402's did-you-mean hints
    (5,328 in the audit of issue 16) were a third of the hint's time."""
    la, lb = len(a), len(b)
    total = la + lb
    if not total:
        return 1.0
    if lb >= SHORT_B:
        import difflib

        return difflib.SequenceMatcher(None, a, b).ratio()
    return 2.0 * _matches(a, b) / total


def _matches(a: str, b: str) -> int:
    """The sum of the sizes of difflib's matching blocks of a and b (b without junk)."""
    found = 0
    find = b.find
    queue = [(0, len(a), 0, len(b))]
    while queue:
        alo, ahi, blo, bhi = queue.pop()
        # the longest size k with a common block: "a block of size k" holds for every
        # size below one that holds, so the largest is found by bisection
        lo, hi = 0, min(ahi - alo, bhi - blo)
        while lo < hi:
            mid = (lo + hi + 1) >> 1
            for i in range(alo, ahi - mid + 1):
                if find(a[i:i + mid], blo, bhi) >= 0:
                    lo = mid
                    break
            else:
                hi = mid - 1
        if not lo:
            continue
        for i in range(alo, ahi - lo + 1):  # the first start in a, then (find) in b
            j = find(a[i:i + lo], blo, bhi)
            if j >= 0:
                break
        found += lo
        if alo < i and blo < j:
            queue.append((alo, i, blo, j))
        if i + lo < ahi and j + lo < bhi:
            queue.append((i + lo, ahi, j + lo, bhi))
    return found


def _is_subsequence(a: str, b: str) -> bool:
    """Whether ``a``'s characters occur in ``b`` in order (not necessarily adjacent)."""
    rest = iter(b)
    return all(c in rest for c in a)


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
    count are compared in full (``_Groups.best``): the others would fail difflib's
    quick_ratio test."""

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
        hit = self.groups.best(word, cutoff)
        if hit is not None:
            return hit
        low = word.lower()
        if self.lower_groups is None:
            if low == word:
                return None  # the same search again: the candidates are lower-case already
            hit = self.groups.best(low, cutoff)
        else:
            hit = self.lower_groups.best(low, cutoff)
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
        self._slacks: dict[tuple[int, float], tuple[dict[int, int], int]] = {}

    def _slack(self, lw: int, cutoff: float) -> tuple[dict[int, int], int]:
        """(candidate length -> how many of a word's pairs it may miss and still reach the
        cutoff, the largest of those), for words of length ``lw``; top -1: a cutoff every
        candidate reaches. It depends on the lengths alone: worked out once per word length
        (7,500 look-ups of ten-character names in the many-findings audit)."""
        slack: dict[int, int] = {}
        for lx in self.lengths:
            total = lx + lw
            most = min(lx, lw)
            # the fewest shared pairs that give quick_ratio >= cutoff (same float sums),
            # counted up from just below cutoff * total / 2: the test rises with the count,
            # and none below that start can pass it (a loop from 0 was a tenth of a look-up)
            need = max(int(cutoff * total / 2) - 1, 0) if 0.0 < cutoff <= 1.0 else 0
            while need <= most and (2.0 * need / total if total else 1.0) < cutoff:
                need += 1
            if need == 0:
                return {}, -1
            if need <= most:
                slack[lx] = lw - need
        return slack, max(slack.values()) if slack else 0

    def best(self, word: str, cutoff: float) -> str | None:
        """``best_match(word, candidates, cutoff)``.

        A candidate's quick_ratio reaches the cutoff when it misses at most ``slack`` of
        the word's (char, k) pairs, the slack from its length: counted for all candidates
        at once on the bit masks, which also sorts them into layers of equal quick_ratio
        (2 * (pairs - missing) / both lengths, as difflib sums it). Layers are compared in
        full from the highest quick_ratio down, and only while one can still beat the best
        ratio found: ratio <= quick_ratio."""
        lw = len(word)
        found = self._slacks.get((lw, cutoff))
        if found is None:
            found = self._slacks[(lw, cutoff)] = self._slack(lw, cutoff)
        slack, top = found
        if top < 0:
            return best_match(word, self.names, cutoff)  # cutoff 0: every candidate counts
        if not slack:
            return None
        # within[j]: candidates missing at most j of the pairs seen so far
        postings = self.postings
        if top == 2:  # the usual slack (names of about ten characters): the loop below, unrolled
            w0 = w1 = w2 = self.all
            for key in _keys(word):
                has = postings.get(key, 0)
                w2 = (w2 & has) | w1
                w1 = (w1 & has) | w0
                w0 &= has
                if not w2:
                    return None
            within = [w0, w1, w2]
        else:
            within = [self.all] * (top + 1)
            for key in _keys(word):
                has = postings.get(key, 0)
                for j in range(top, 0, -1):
                    within[j] = (within[j] & has) | within[j - 1]
                within[0] &= has
                if not within[top]:
                    return None
        layers: list[tuple[float, int, bool]] = []
        for lx, most_missing in slack.items():
            of_length = self.lengths[lx]
            fewer = 0
            for j in range(most_missing + 1):
                layer = within[j] & of_length & ~fewer  # missing exactly j pairs
                fewer = within[j]
                if layer:
                    # whole: the shorter string's characters are all shared (a multiset)
                    layers.append((2.0 * (lw - j) / (lx + lw), layer, lw - j == min(lx, lw)))
        layers.sort(key=lambda item: item[0], reverse=True)
        best: tuple[float, str] | None = None
        for q, layer, whole in layers:
            if best is not None and q < best[0]:
                break  # no candidate left can reach the best ratio, nor tie it
            names = self._decode(layer)
            if whole:
                # the candidates lying whole in the word (or holding it) first: their ratio
                # is the layer's quick_ratio, the most any candidate here can reach, so the
                # others are then compared only if they could tie it (below). Any order
                # gives the same best: a candidate is passed over only when it cannot beat
                # the best so far, which only grows.
                rest = []
                for x in names:
                    r = contained_ratio(x, word)
                    if r is None:
                        rest.append(x)
                    elif r >= cutoff and (best is None or (r, x) > best):
                        best = (r, x)
                names = rest
            for x in names:
                if best is not None and (q, x) < best:
                    continue
                r = contained_ratio(x, word) if not whole else None
                if r is None:
                    if whole and best is not None and best[0] == q and not (
                            _is_subsequence(x, word) if len(x) <= lw else _is_subsequence(word, x)):
                        # only a tie with the best (ratio == quick_ratio) could win here, and
                        # it needs every shared character matched: difflib's matching blocks
                        # are a common subsequence, and the shorter string is none of the
                        # longer, so ratio < quick_ratio (the permutations of a name's
                        # digits beside it: 'net-01432' for 'net-01234x')
                        continue
                    r = ratio(x, word)
                if r >= cutoff and (best is None or (r, x) > best):
                    best = (r, x)
        return None if best is None else best[1]

    def _decode(self, mask: int) -> list[str]:
        out = []
        while mask:
            low = mask & -mask
            out.append(self.names[low.bit_length() - 1])
            mask ^= low
        return out
