"""How Go's ``encoding/json`` matches an object key to a struct field.

``decode.go`` (``object``) looks a key up first by its exact spelling, then by
``foldName(key)`` (``fold.go``): every ASCII ``a``-``z`` becomes upper case, other ASCII
bytes stay, and every non-ASCII rune becomes ``foldRune(r)``, the smallest rune of its
``unicode.SimpleFold`` orbit. Only two non-ASCII runes have an ASCII letter in their
orbit: U+212A KELVIN SIGN (orbit K k K) and U+017F LATIN SMALL LETTER LONG S (orbit S s ſ);
so against an ASCII tag (every struct tag the plugins decode is ASCII) a key matches
exactly when it has the same length in runes, its ASCII runes equal the tag's up to ASCII
case, and its other runes are K or ſ standing for k or s. Python's ``upper()``/``lower()``
are not that fold: ``'ı'.upper()`` is ``I`` (Go: ı stays ı, its orbit is itself), ``'ﬁ'.upper()``
is ``FI``, and ``'ſ'.lower()`` is ``ſ`` (Go: S).
"""

from __future__ import annotations

# the only non-ASCII runes whose SimpleFold orbit holds an ASCII letter (Go unicode tables:
# caseOrbit {0x004B, 0x006B, 0x212A} and {0x0053, 0x0073, 0x017F})
_TO_ASCII = {"\u212a": "K", "\u017f": "S"}


def fold_rune(ch: str) -> str:
    """Go's ``foldRune`` for one character, exact whenever the result is compared with ASCII.

    For runes whose orbit holds no ASCII letter the result is a non-ASCII rune of the
    orbit (the smallest of the rune and its one-character Python case mappings, ASCII ones
    left out), so it never equals an ASCII letter, as in Go.
    """
    if ch.isascii():
        return ch.upper() if "a" <= ch <= "z" else ch
    special = _TO_ASCII.get(ch)
    if special is not None:
        return special
    return min(c for c in (ch, ch.lower(), ch.upper()) if len(c) == 1 and not c.isascii())


def fold(key: str) -> str:
    """Go's ``foldName``: two keys decode into the same field when their folds are equal."""
    if key.isascii():
        return key.upper()
    return "".join(fold_rune(ch) for ch in key)
