"""Fixes as data: what a rule offers to repair, attached to its finding.

The protocol (for rule authors)
-------------------------------
A checker offers a fix only for a mistake with ONE right answer, by passing a ``Fix`` to
``ctx.finding(..., fix=...)``:

* ``Fix.set(located, path, value)``: the value at ``path`` (relative to ``located``, a
  Document, an embedded CniConfig or a values layer) must be ``value``. When the path
  exists its scalar is replaced (same quoting style); when it is missing, the missing keys
  are added under the deepest existing mapping, at that mapping's indentation (YAML) or
  after its last member with matching comma and indentation (JSON).
* ``Fix.rename(located, path, new_key)``: the key at ``path`` is spelled ``new_key``
  (a host-local spelling inside whereabouts, say). Refused when ``new_key`` is already there.
* ``release_fix(rel, values_path, value)``: a ``Fix.set`` on the chart values layer that
  should hold ``values_path`` (the strongest layer that sets it, else the one that sets the
  most of it), for the rke2-multus values rules (ML101-ML105).

Nothing is computed here: ``multus_lint.apply_fixes`` (the engine) turns a fix into a text
edit when ``--fix``/``--diff`` asks, or refuses it when the edit cannot be made safely.
"""

from __future__ import annotations

from typing import Any

from multus_lint.findings import Path
from multus_lint.records import dataclass


@dataclass(frozen=True)
class Fix:
    """A fix offered by a rule: set ``path`` to ``value``, or rename the key at ``path``."""

    located: Any  # multus_lint.load.document.Located (Document, CniConfig, values layer)
    path: Path
    value: Any = None
    new_key: str | None = None

    @classmethod
    def set(cls, located: Any, path: Path, value: Any) -> Fix:
        return cls(located, tuple(path), value)

    @classmethod
    def rename(cls, located: Any, path: Path, new_key: str) -> Fix:
        return cls(located, tuple(path), None, new_key)

    @property
    def title(self) -> str:
        dotted = ".".join(str(p) for p in self.path)
        if self.new_key is not None:
            return f"rename {dotted} to {self.new_key}"
        return f"set {dotted} to {self.value}"


def release_fix(rel: Any, path: Path, value: Any) -> Fix | None:
    """A fix for the chart values path ``path`` of a ChartRelease, in the right layer."""
    best = None
    for layer in reversed(rel.layers):
        depth = layer.depth(path)
        if depth == len(path):
            best = (depth, layer)
            break
        # a new key goes where the most of its path is; with none of it anywhere, into the
        # strongest nested values (not into ``spec.set``'s dotted keys)
        if best is None or depth > best[0] or (depth == best[0] and best[1].flat and not layer.flat):
            best = (depth, layer)
    if best is None:
        return None
    layer = best[1]
    if layer.flat:
        return Fix.set(layer.located, (".".join(str(p) for p in path),), value)
    return Fix.set(layer.located, path, value)
