"""YAML anchors defined more than once: legal YAML, refused by PyYAML's composer.

YAML 1.2 (3.2.2.2): "an alias node refers to the most recent preceding node having the same
anchor"; anchors need not be unique. Go's parsers, which kubectl, Flux and helm-controller
use, do exactly that (gopkg.in/yaml.v3 decode.go ``(*parser).anchor``: ``p.anchors[name] =
n``), so homelab HelmReleases that redefine ``&name`` per list item apply fine. PyYAML raises
"found duplicate anchor". Rather than fork the composer, each redefinition (and the aliases
that follow it, up to the next one) is renamed to a fresh name of the same length: every
other character stays where it was, so positions and values are unchanged.
"""

from __future__ import annotations

import itertools

import yaml

# string.ascii_letters + string.digits, written out: importing string compiles Template's regex
_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _fresh(length: int, taken: set[str]) -> str | None:
    for combo in itertools.product(_ALPHABET, repeat=length):
        name = "".join(combo)
        if name not in taken:
            taken.add(name)
            return name
        if len(taken) > 100_000:  # pragma: no cover - a bound on hostile input
            return None
    return None


def rename_redefined_anchors(text: str) -> str | None:
    """``text`` with every redefined anchor renamed (same length), or None when there is
    nothing to rename or the text cannot be scanned."""
    try:
        tokens = [t for t in yaml.scan(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
                  if isinstance(t, (yaml.AnchorToken, yaml.AliasToken))]
    except yaml.YAMLError:
        return None
    taken = {t.value for t in tokens}
    seen: set[str] = set()
    current: dict[str, str] = {}  # anchor as written -> the name its latest definition has now
    edits: list[tuple[int, int, str]] = []
    for tok in tokens:
        start = tok.start_mark.index + 1  # after '&' or '*'
        end = start + len(tok.value)
        if text[start:end] != tok.value:
            return None  # marks not in characters (should not happen): leave the text alone
        if isinstance(tok, yaml.AnchorToken):
            if tok.value in seen:
                new = _fresh(len(tok.value), taken)
                if new is None:
                    return None
                current[tok.value] = new
                edits.append((start, end, new))
            else:
                seen.add(tok.value)
                current[tok.value] = tok.value
        elif current.get(tok.value, tok.value) != tok.value:
            edits.append((start, end, current[tok.value]))
    if not edits:
        return None
    out = []
    last = 0
    for start, end, new in edits:
        out.append(text[last:start])
        out.append(new)
        last = end
    out.append(text[last:])
    return "".join(out)
