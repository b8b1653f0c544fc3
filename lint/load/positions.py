"""Parsed data with a way back to the text: every tree can say where a path lives.

Rules work on plain Python data (dicts, lists, scalars) and ask the tree for the span of
a path only when they report. YAML keeps its composed nodes for that; JSON is parsed by
the C decoder and re-scanned for positions only when a position is asked for, since
most configs never produce a finding.

Embedded documents (the JSON of ``spec.config``, the YAML of ``valuesContent``) are trees
of their own whose offsets are mapped back into the outer file by a ``TextMap``.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from array import array
from collections.abc import Callable
from json.decoder import scanstring as _scanstring  # type: ignore[attr-defined]
from typing import Any

from multus_lint.findings import Path, Span

# What a line is. A finding's line and column are read by editors, code frames, GitHub
# annotations and SARIF viewers, which end a line at LF, CRLF or a lone CR (the Language
# Server Protocol's "end-of-line sequences"; SARIF's run.newlineSequences defaults to CRLF
# and LF). YAML 1.1, as libyaml, go-yaml and PyYAML read it, also breaks lines at NEL
# (U+0085), LS (U+2028) and PS (U+2029), and its marks' line and column count those as
# breaks too. So every position in this package is in editor lines: a YAML mark is turned
# into one through its character index when the text holds a character the two disagree
# on (``MarkPositions``).
EDITOR_BREAK = re.compile(r"\r\n?|\n")
YAML_ONLY_BREAKS = "\x85\u2028\u2029"
_YAML_BREAK = re.compile(r"\r\n?|[\n\x85\u2028\u2029]")
_LONE_CR = re.compile(r"\r(?!\n)")


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` as an editor numbers them (like ``str.splitlines`` but
    breaking only at LF, CRLF and CR: splitlines also breaks at NEL, LS, PS, VT, FF and
    the file/group/record separators)."""
    if "\r" not in text:
        lines = text.split("\n")
    else:
        lines = EDITOR_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def yaml_lines_differ(text: str) -> bool:
    """Whether YAML's line count of ``text`` differs from an editor's somewhere."""
    return any(c in text for c in YAML_ONLY_BREAKS) or ("\r" in text and _LONE_CR.search(text) is not None)


class LineIndex:
    """Offsets of line starts in a text, to turn a character offset into (line, column)."""

    __slots__ = ("starts",)

    def __init__(self, text: str) -> None:
        if "\r" in text:
            self.starts = [0] + [m.end() for m in EDITOR_BREAK.finditer(text)]
            return
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self.starts = starts

    def position(self, offset: int) -> tuple[int, int]:
        """0-based (line, column) of ``offset``."""
        line = bisect.bisect_right(self.starts, offset) - 1
        return line, offset - self.starts[line]

    def offset(self, line: int, column: int) -> int:
        """The character offset of a 0-based (line, column) (clamped to the last line)."""
        starts = self.starts
        return starts[max(0, min(line, len(starts) - 1))] + column


# libyaml (PyYAML's C loader) does not count a leading byte order mark in its marks'
# index, the pure-Python loader does; both leave it out of the column. Set by the loader.
INDEX_SKIPS_BOM = {"value": True}


_MARKS: dict[int, MarkPositions] = {}


def marks_of(text: str) -> MarkPositions:
    """The MarkPositions of ``text``, shared by every document of one file: each would
    otherwise scan the whole file again (10,000 documents of one file)."""
    hit = _MARKS.get(id(text))
    if hit is None or hit.text is not text:
        if len(_MARKS) >= 8:
            _MARKS.pop(next(iter(_MARKS)))
        hit = _MARKS[id(text)] = MarkPositions(text)
    return hit


class MarkPositions:
    """YAML marks of one text as editor (line, column) and as offsets into the text."""

    __slots__ = ("text", "_bom", "_lines")

    def __init__(self, text: str) -> None:
        self.text = text
        self._bom = 1 if text.startswith("\ufeff") and INDEX_SKIPS_BOM["value"] else 0
        self._lines: LineIndex | None = LineIndex(text) if yaml_lines_differ(text) else None

    def index(self, mark: Any) -> int:
        """The offset in the text of the character at ``mark``."""
        return int(mark.index) + self._bom

    def position(self, mark: Any) -> tuple[int, int]:
        """0-based editor (line, column) of ``mark``."""
        if self._lines is None:
            return mark.line, mark.column
        line, col = self._lines.position(self.index(mark))
        if line == 0 and self.text.startswith("\ufeff"):
            col = max(col - 1, 0)  # an editor shows no BOM: the column after it is the first
        return line, col


class TextMap:
    """Maps a 0-based (line, column) inside an embedded text to a 1-based one in the file."""

    def to_outer(self, line: int, column: int) -> tuple[int, int]:
        raise NotImplementedError

    def resolved(self) -> TextMap:
        """The map doing the work (a lazy map resolves to the one it stands for)."""
        return self

    def span(self, start: tuple[int, int], end: tuple[int, int]) -> Span:
        sl, sc = self.to_outer(*start)
        el, ec = self.to_outer(*end)
        if (el, ec) < (sl, sc):
            el, ec = sl, sc
        return Span(sl, sc, el, ec)


class ShiftMap(TextMap):
    """Identity up to a line offset (a document parsed on its own, a file)."""

    def __init__(self, line_offset: int = 0) -> None:
        self.line_offset = line_offset

    def to_outer(self, line: int, column: int) -> tuple[int, int]:
        return line + self.line_offset + 1, column + 1


class ScalarMap(TextMap):
    """Positions inside the value of a string scalar, in the file that holds it.

    ``raw`` is the scalar's source text (quotes and block header included) and ``base``
    its 0-based start in the enclosing text's coordinates. Literal block scalars (``|``)
    keep their lines, so a position maps line for line with the block's indentation
    added. Other styles (quoted, folded, plain, JSON strings) fold lines and unescape
    characters: value and raw text are aligned character by character, which is exact
    for the usual one-line quoted JSON and close to it elsewhere.
    """

    def __init__(self, outer: TextMap, raw: str, base: tuple[int, int], style: str | None,
                 value: str) -> None:
        self.outer = outer
        self.raw = raw
        self.base = base
        self.style = style
        self.value = value
        self._literal: tuple[int, int] | None = None  # (first content line, indent), 0-based
        self._line_ends: list[int] | None = None  # literal: each content line's length in the file
        self._offsets: array[int] | None = None  # value offset -> raw offset
        self._value_lines: LineIndex | None = None
        self._raw_lines: LineIndex | None = None
        # line for line only when YAML's lines are the editor's: a NEL, LS or PS in the
        # block is a YAML line break that an editor shows inside a line
        if style == "|" and not any(c in raw for c in YAML_ONLY_BREAKS):
            # the block's lines in the file, split once for the layout and the line ends
            # (a map per annotation value located: 7,500 in the many-findings audit)
            raw_lines = (raw.split("\n") if "\r" not in raw else EDITOR_BREAK.split(raw))[1:]
            self._line_ends = [len(line) for line in raw_lines]
            self._literal = self._literal_layout(raw_lines)

    def _literal_layout(self, raw_lines: list[str]) -> tuple[int, int] | None:
        for raw, content in zip(raw_lines, self.value.split("\n")):
            if content.strip():
                indent = len(raw) - len(content)
                return (self.base[0] + 1, indent) if indent >= 0 else None
        return self.base[0] + 1, 0

    def _align(self) -> array[int]:
        """Value offset -> raw offset by greedy alignment of value and raw text (an int
        array: a tuple per character was megabytes on a large run)."""
        raw = self.raw
        if self.style in ("'", '"'):
            j = 1
        elif self.style in (">", "|"):
            header_end = _YAML_BREAK.search(raw)  # the block header ends at the first break
            j = header_end.end() if header_end else len(raw)
        else:
            j = 0
        n = len(raw)
        if raw.startswith(self.value, j):
            # the value as written, unescaped and unfolded (a one-line JSON config): the
            # greedy loop below matches every character in turn, so the same offsets
            return array("l", range(j, j + len(self.value)))
        last = max(n - 1, 0)
        out = array("l")
        ws = " \t\r\n" + YAML_ONLY_BREAKS
        for ch in self.value:
            if j < n and raw[j] == ch:
                out.append(j)
                j += 1
            elif ch in " \n\t":
                # a folded line break (raw: newline and indentation) or an escape: the run
                # of raw whitespace becomes this one character
                out.append(min(j, last))
                while j < n and raw[j] in ws:
                    j += 1
            else:
                k = j
                while k < n and raw[k] in ws:
                    k += 1
                found = raw.find(ch, k, k + 8)  # skip indentation, then an escape
                if found != -1:
                    out.append(found)
                    j = found + 1
                else:
                    out.append(min(j, last))
        return out

    def _raw_position(self, offset: int) -> tuple[int, int]:
        assert self._raw_lines is not None
        line, col = self._raw_lines.position(offset)
        base_line, base_col = self.base
        return base_line + line, (base_col if line == 0 else 0) + col

    def to_outer(self, line: int, column: int) -> tuple[int, int]:
        if self._literal is not None:
            first, indent = self._literal
            assert self._line_ends is not None  # set with _literal
            # an empty line of the block has no indentation in the file: its end, not past it
            if 0 <= line < len(self._line_ends) and indent + column > self._line_ends[line]:
                return self.outer.to_outer(first + line, max(self._line_ends[line], 0))
            return self.outer.to_outer(first + line, indent + column)
        if self._offsets is None:
            self._offsets = self._align()
            self._value_lines = LineIndex(self.value)
            self._raw_lines = LineIndex(self.raw)
        assert self._value_lines is not None
        if not self._offsets:
            return self.outer.to_outer(*self.base)
        starts = self._value_lines.starts
        offset = (starts[line] if line < len(starts) else len(self.value)) + column
        offset = max(0, min(offset, len(self._offsets) - 1))
        return self.outer.to_outer(*self._raw_position(self._escaped(self._offsets[offset])))

    def _escaped(self, r: int) -> int:
        """A character of a double-quoted scalar written as an escape (``\\"``) starts at
        its backslash: a finding on a JSON key written ``\\"interfaces\\"`` starts where the
        key's text does. An odd run of backslashes before it is an escape; an even one is
        escaped backslashes (``\\\\n`` is a backslash and an n)."""
        if self.style != '"':
            return r
        raw, k = self.raw, r
        while k > 0 and raw[k - 1] == "\\":
            k -= 1
        return r - 1 if (r - k) % 2 else r


class Tree:
    """Data plus a way to locate a path inside it."""

    __slots__ = ()

    data: Any
    textmap: TextMap

    def locate(self, path: Path, value: bool = False) -> tuple[Span, bool]:
        """Span of ``path`` (its key, or its value) and whether the whole path exists.

        A path that does not exist gives the span of its deepest existing ancestor's key:
        where a missing key is reported.
        """
        raise NotImplementedError

    def span(self, path: Path, value: bool = False) -> Span:
        return self.locate(path, value)[0]


# --------------------------------------------------------------------------- YAML


class YamlTree(Tree):
    # slots, a composer shared by all trees and the embedded cache made on first use: one
    # tree per document, 390 -> 100 bytes each (a 100,000-document audit keeps them all)
    __slots__ = ("_root", "data", "textmap", "text", "_marks", "_embedded", "composer", "doc_index", "known")

    def __init__(self, root: Any, data: Any, textmap: TextMap, text: str) -> None:
        self._root = root
        self.data = data
        self.textmap = textmap
        self.text = text  # the text the node marks index into
        self._marks: MarkPositions | None = None
        self._embedded: dict[tuple, Any] | None = None
        # composes this document's nodes again: ``composer(text, doc_index)`` (set by the
        # loader), or ``composer()`` when doc_index is None
        self.composer: Callable[..., Any] | None = None
        self.doc_index: int | None = None
        # copies of the (key, value) scalar nodes at a few paths, for a tree parsed without
        # its nodes (the forked parse): asked for there, no composition (copy_scalars)
        self.known: dict[tuple, tuple[Any, Any]] | None = None

    @property
    def embedded_cache(self) -> dict[tuple, Any]:
        """Parses of embedded texts shared by aliases (Located._shared)."""
        if self._embedded is None:
            self._embedded = {}
        return self._embedded

    @property
    def recompose(self) -> Callable[[], Any] | None:
        """What composes this document's nodes again from ``text`` (None: nothing can)."""
        if self.composer is None or self.doc_index is None:
            return self.composer
        return functools.partial(self.composer, self.text, self.doc_index)

    @recompose.setter
    def recompose(self, fn: Callable[[], Any] | None) -> None:
        self.composer, self.doc_index = fn, None

    @property
    def root(self) -> Any:
        if self._root is None and self.composer is not None:
            self._root = self.composer() if self.doc_index is None else self.composer(self.text, self.doc_index)
        return self._root

    @root.setter
    def root(self, node: Any) -> None:
        self._root = node

    def root_composed(self) -> bool:
        """Whether the nodes are at hand (composed, not released)."""
        return self._root is not None

    def release(self) -> None:
        """Drop the composed nodes until a position is asked for (then composed again, the
        same). Nodes take ~350 bytes each, most of a large run's memory, and most
        documents never produce a finding."""
        if self.composer is not None:
            self._root = None

    @property
    def marks(self) -> MarkPositions:
        if self._marks is None:
            self._marks = marks_of(self.text)
        return self._marks

    def mark_position(self, mark: Any) -> tuple[int, int]:
        """0-based editor (line, column) in ``text`` of a node's mark."""
        return self.marks.position(mark)

    def node_text(self, node: Any) -> str:
        """The source text of a node (quotes and block header included)."""
        marks = self.marks
        return self.text[marks.index(node.start_mark):marks.index(node.end_mark)]

    def node_span(self, node: Any) -> Span:
        pos = self.marks.position
        return self.textmap.span(pos(node.start_mark), pos(node.end_mark))

    def find_node(self, path: Path) -> tuple[Any, Any, int]:
        """(key node or None, value node, depth reached) for ``path``."""
        if self._root is None and self.known is not None:
            key_path = tuple(path)
            hit = self.known.get(key_path)
            if hit is not None:
                if type(hit[1]) is tuple:  # copies (restore_scalars): nodes made on first use
                    hit = self.known[key_path] = (_node(hit[0]), _node(hit[1]))
                return hit[0], hit[1], len(path)
        node = self.root
        key = None
        for depth, part in enumerate(path):
            tag = getattr(node, "id", "")
            if tag == "mapping":
                hit = _mapping_lookup(node, part)
                if hit is None:
                    return key, node, depth
                key, node = hit
            elif tag == "sequence" and isinstance(part, int) and 0 <= part < len(node.value):
                key, node = None, node.value[part]
            else:
                return key, node, depth
        return key, node, len(path)

    def locate(self, path: Path, value: bool = False) -> tuple[Span, bool]:
        key, node, depth = self.find_node(path)
        complete = depth == len(path)
        if key is not None and not (value and complete):
            return self.node_span(key), complete
        if depth == 0 and not complete:
            at = self.mark_position(self.root.start_mark)
            return self.textmap.span(at, at), False
        if not complete and getattr(node, "id", "") in ("mapping", "sequence"):
            at = self.mark_position(node.start_mark)
            return self.textmap.span(at, at), False
        return self.node_span(node), complete

    def scalar_map(self, path: Path) -> ScalarMap | None:
        """A map into the text of the string scalar at ``path`` (for embedded documents)."""
        _, node, depth = self.find_node(path)
        if depth != len(path):
            return None
        return self.node_scalar_map(node)

    def node_scalar_map(self, node: Any) -> ScalarMap | None:
        """``scalar_map`` of the path where ``find_node`` found ``node`` (no second search)."""
        if getattr(node, "id", "") != "scalar":
            return None
        return ScalarMap(self.textmap, self.node_text(node), self.mark_position(node.start_mark),
                         node.style, node.value)


def copy_scalars(tree: YamlTree, paths: list[Path]) -> list[tuple[Any, ...]]:
    """Plain copies of what ``tree.find_node`` gives for each of ``paths`` that ends at a
    scalar (key and value nodes: tag, value, style, marks), to be sent without the nodes.

    A forked worker's trees come back as data only: the first position asked in one of
    them composed its whole file again (2,000 files in a 10,000-document audit with many
    findings, nearly all for a NAD's spec.config or a pod's network annotation)."""
    out: list[tuple[Any, ...]] = []
    for path in paths:
        key, node, depth = tree.find_node(path)
        if depth == len(path) and getattr(node, "id", "") == "scalar" \
                and (key is None or getattr(key, "id", "") == "scalar"):
            out.append((tuple(path), _flat(key), _flat(node)))
    return out


def restore_scalars(tree: YamlTree, copies: list[tuple[Any, ...]]) -> None:
    """Give ``tree`` the nodes ``copy_scalars`` copied (found by ``find_node`` while the
    tree has no nodes of its own; any other path composes them as before). The nodes are
    made when first found: most documents are never asked for a position (5,000 trees the
    worker sent back in the many-findings audit, on the critical path after the parse)."""
    if copies:
        tree.known = {path: (key, value) for path, key, value in copies}


def keep_scalars(tree: YamlTree, paths: list[Path]) -> None:
    """``restore_scalars(tree, copy_scalars(tree, paths))`` for a tree about to release its
    nodes in this process: the key and value nodes found are kept themselves (a scalar node
    holds no other node), not copied and made again."""
    known = {}
    for path in paths:
        key, node, depth = tree.find_node(path)
        if depth == len(path) and getattr(node, "id", "") == "scalar" \
                and (key is None or getattr(key, "id", "") == "scalar"):
            known[tuple(path)] = (key, node)
    if known:
        tree.known = known


def _flat(node: Any) -> tuple[Any, ...] | None:
    if node is None:
        return None
    s, e = node.start_mark, node.end_mark
    return (node.tag, node.value, node.style, s.name, s.index, s.line, s.column, e.index, e.line, e.column)


def _node(flat: tuple[Any, ...] | None) -> Any:
    if flat is None:
        return None
    from yaml.error import Mark
    from yaml.nodes import ScalarNode

    tag, value, style, name, si, sl, sc, ei, el, ec = flat
    return ScalarNode(tag, value, Mark(name, si, sl, sc, None, None), Mark(name, ei, el, ec, None, None), style)


def _mapping_lookup(node: Any, part: Any) -> tuple[Any, Any] | None:
    want = part if isinstance(part, str) else str(part)
    hit = None
    for k, v in node.value:
        if getattr(k, "id", "") == "scalar":
            if k.value == want:
                hit = (k, v)  # the last duplicate wins, as in the data
            elif k.value == "<<" and getattr(v, "id", "") == "mapping" and hit is None:
                merged = _mapping_lookup(v, part)
                if merged:
                    hit = merged
    return hit


# --------------------------------------------------------------------------- JSON


class JsonNode:
    __slots__ = ("start", "end", "pairs", "items")

    def __init__(self, start: int, end: int = 0) -> None:
        self.start = start
        self.end = end
        self.pairs: list[tuple[str, int, int, JsonNode]] | None = None
        self.items: list[JsonNode] | None = None


class JsonTree(Tree):
    """JSON text parsed with the C decoder; positions scanned lazily on first use."""

    def __init__(self, text: str, data: Any, textmap: TextMap, duplicates: bool = False) -> None:
        self.text = text
        self.data = data
        self.textmap = textmap
        self.has_duplicates = duplicates
        self._root: JsonNode | None = None
        self._lines: LineIndex | None = None
        self._members: dict[int, list[tuple[Any, ...]]] | None = None  # container start -> members

    @property
    def root(self) -> JsonNode:
        if self._root is None:
            self._root = scan_json(self.text)
        return self._root

    def _pos(self, offset: int) -> tuple[int, int]:
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return self._lines.position(offset)

    def offset_span(self, start: int, end: int) -> Span:
        return self.textmap.span(self._pos(start), self._pos(end))

    def locate(self, path: Path, value: bool = False) -> tuple[Span, bool]:
        if self._root is None:
            return self._walk(path, value)  # the text is valid JSON: no need to scan it all
        node = self.root
        key_span: tuple[int, int] | None = None
        for part in path:
            if node.pairs is not None:
                hit = None
                for name, ks, ke, child in node.pairs:
                    if name == part:
                        hit = (ks, ke, child)
                if hit is None:
                    break
                key_span, node = (hit[0], hit[1]), hit[2]
            elif node.items is not None and isinstance(part, int) and 0 <= part < len(node.items):
                node = node.items[part]
                key_span = None
            else:
                break
        else:
            if key_span and not value:
                return self.offset_span(*key_span), True
            return self.offset_span(node.start, node.end), True
        if key_span:
            return self.offset_span(*key_span), False
        return self.offset_span(node.start, node.start), False

    # The path alone, found in the text without scanning all of it (the tree of every value
    # was the cost of locating the first finding in each CNI config): at each container on
    # the path its members are listed, each value skipped by the C decoder, which knows
    # where it ends. The text is one ``json.loads`` accepted (``parse_json``), so every
    # offset is the one ``scan_json`` gives (tests/test_json_walk.py).

    def _walk(self, path: Path, value: bool) -> tuple[Span, bool]:
        try:
            found = self._walk_to(path)
            if found is not None and found[2] and found[0][1] is None and not (found[1] and not value):
                found = ((found[0][0], _SCAN_ONCE(self.text, found[0][0])[1]), found[1], True)
        except (StopIteration, ValueError):  # not JSON the decoder accepted after all
            found = None
        if found is None:  # no value at all (no text): as the scanned tree says
            return self._scanned_locate(path, value)
        (start, end), key_span, complete = found
        if complete:
            if key_span and not value:
                return self.offset_span(*key_span), True
            assert end is not None
            return self.offset_span(start, end), True
        if key_span:
            return self.offset_span(*key_span), False
        return self.offset_span(start, start), False

    def _scanned_locate(self, path: Path, value: bool) -> tuple[Span, bool]:
        self.root  # noqa: B018 - scanned, so locate takes the tree
        return self.locate(path, value)

    def _walk_to(self, path: Path) -> tuple[tuple[int, int | None], tuple[int, int] | None, bool] | None:
        """((start, end or None), key span, whole path found) of the deepest value reached."""
        text = self.text
        start = _WS_RUN.match(text).end()  # type: ignore[union-attr]
        if start >= len(text):
            return None
        end: int | None = None
        key_span: tuple[int, int] | None = None
        for part in path:
            c = text[start]
            if c == "{":
                hit = None
                for name, ks, ke, vs, ve in self._members_at(start):
                    if name == part:
                        hit = (ks, ke, vs, ve)  # the last duplicate wins, as in the data
                if hit is None:
                    return (start, end), key_span, False
                key_span, start, end = (hit[0], hit[1]), hit[2], hit[3]
            elif c == "[" and isinstance(part, int):
                items = self._members_at(start)
                if not 0 <= part < len(items):
                    return (start, end), key_span, False
                start, end = items[part]
                key_span = None
            else:
                return (start, end), key_span, False
        return (start, end), key_span, True

    def _members_at(self, start: int) -> list[tuple[Any, ...]]:
        if self._members is None:
            self._members = {}
        hit = self._members.get(start)
        if hit is None:
            hit = self._members[start] = json_members(self.text, start)
        return hit

    def scalar_map(self, path: Path) -> ScalarMap | None:
        span: tuple[int, int] | None = None
        if self._root is None:
            try:
                found = self._walk_to(path)
                if found is None or not found[2]:
                    return None
                start, end = found[0]
                if self.text[start] != '"':
                    return None  # a container or a number: not a string
                span = (start, end if end is not None else _SCAN_ONCE(self.text, start)[1])
            except (StopIteration, ValueError):  # not JSON the decoder accepted after all
                self.root  # noqa: B018 - scanned: the tree answers below
        if self._root is not None:
            node = self._find(path)
            span = None if node is None or node.pairs is not None or node.items is not None \
                else (node.start, node.end)
        if span is None:
            return None
        raw = self.text[span[0]:span[1]]
        if not raw.startswith('"'):
            return None
        value = self.data
        for part in path:
            value = value[part]
        return ScalarMap(self.textmap, raw, self._pos(span[0]), '"', value)

    def _find(self, path: Path) -> JsonNode | None:
        node = self.root
        for part in path:
            if node.pairs is not None:
                hits = [child for name, _, _, child in node.pairs if name == part]
                if not hits:
                    return None
                node = hits[-1]
            elif node.items is not None and isinstance(part, int) and 0 <= part < len(node.items):
                node = node.items[part]
            else:
                return None
        return node

    def duplicate_keys(self) -> list[tuple[Path, Span, Span]]:
        """(path, later key span, earlier key span) for every repeated key."""
        out: list[tuple[Path, Span, Span]] = []
        if self._root is None:
            try:
                return self._walked_duplicates()
            except (StopIteration, ValueError, IndexError):  # not JSON the decoder accepted
                out = []
        stack: list[tuple[Path, JsonNode]] = [((), self.root)]
        while stack:
            path, node = stack.pop()
            if node.pairs is not None:
                seen: dict[str, tuple[int, int]] = {}
                for name, ks, ke, child in node.pairs:
                    if name in seen:
                        out.append((path + (name,), self.offset_span(ks, ke), self.offset_span(*seen[name])))
                    seen[name] = (ks, ke)
                    stack.append((path + (name,), child))
            elif node.items is not None:
                stack.extend((path + (i,), c) for i, c in enumerate(node.items))
        out.sort(key=lambda d: (d[1].line, d[1].column))
        return out


    def _walked_duplicates(self) -> list[tuple[Path, Span, Span]]:
        """``duplicate_keys`` from the members of each container (json_members: values
        skipped by the C decoder) instead of the scanned tree of every value: 555 NAD
        configs with a repeated key in the many-findings audit, in the serial model build."""
        text = self.text
        out: list[tuple[Path, Span, Span]] = []
        start = _WS_RUN.match(text).end()  # type: ignore[union-attr]
        if start >= len(text) or text[start] not in "{[":
            return out
        stack: list[tuple[Path, int]] = [((), start)]
        while stack:
            path, at = stack.pop()
            members = self._members_at(at)
            if text[at] == "{":
                seen: dict[str, tuple[int, int]] = {}
                for name, ks, ke, vs, _ in members:
                    if name in seen:
                        out.append((path + (name,), self.offset_span(ks, ke), self.offset_span(*seen[name])))
                    seen[name] = (ks, ke)
                    if text[vs] in "{[":
                        stack.append((path + (name,), vs))
            else:
                stack.extend((path + (i,), vs) for i, (vs, _) in enumerate(members) if text[vs] in "{[")
        out.sort(key=lambda d: (d[1].line, d[1].column))
        return out


_WS = " \t\r\n"
_WS_RUN = re.compile(r"[ \t\r\n]*")
_SCALAR_RUN = re.compile(r"[^,\]} \t\r\n]*")
# the C decoder's scanner: (value, end) of the JSON value starting at an offset
_SCAN_ONCE = json.JSONDecoder().scan_once


def json_members(text: str, start: int) -> list[tuple[Any, ...]]:
    """The members of the object or list starting at ``start`` of a text the JSON decoder
    accepted: (name, key start, key end, value start, value end) for an object's pairs,
    duplicates included, (value start, value end) for a list's items; the same offsets as
    ``scan_json``'s nodes. Each value is skipped by the C decoder."""
    ws = _WS_RUN.match
    j = ws(text, start + 1).end()  # type: ignore[union-attr]
    n = len(text)
    out: list[tuple[Any, ...]] = []
    if text[start] == "{":
        while j < n and text[j] == '"':
            name, ke = _scanstring(text, j + 1, False)
            vs = ws(text, ws(text, ke).end() + 1).end()  # type: ignore[union-attr]  # past ':'
            ve = _SCAN_ONCE(text, vs)[1]
            out.append((name, j, ke, vs, ve))
            j = ws(text, ve).end()  # type: ignore[union-attr]
            if j >= n or text[j] != ",":
                break
            j = ws(text, j + 1).end()  # type: ignore[union-attr]
        return out
    while j < n and text[j] != "]":
        ve = _SCAN_ONCE(text, j)[1]
        out.append((j, ve))
        j = ws(text, ve).end()  # type: ignore[union-attr]
        if j >= n or text[j] != ",":
            break
        j = ws(text, j + 1).end()  # type: ignore[union-attr]
    return out


def scan_json(text: str) -> JsonNode:
    """Positions of every value and key of a JSON text the decoder already accepted.

    Iterative, so that depth is bounded by memory, not by the interpreter's stack.
    Text the decoder would reject still yields a best-effort tree and never raises.
    """
    n = len(text)
    i = 0

    # Runs of whitespace, strings and scalars are taken by the C regex engine and the C
    # JSON string scanner: a character loop here was the cost of the first finding of
    # every CNI config (a per-key loop is left only for text the decoder rejects).
    def skip_ws(i: int) -> int:
        return i if i >= n else _WS_RUN.match(text, i).end()  # type: ignore[union-attr]

    def scan_string(i: int) -> tuple[str, int]:
        # i at the opening quote; returns (decoded value, index after closing quote)
        try:
            return _scanstring(text, i + 1, False)  # type: ignore[no-any-return]
        except ValueError:
            return scan_string_loose(i)

    def scan_string_loose(i: int) -> tuple[str, int]:
        j = i + 1
        chunks = []
        while j < n:
            c = text[j]
            if c == '"':
                return "".join(chunks), j + 1
            if c == "\\" and j + 1 < n:
                esc = text[j + 1]
                if esc == "u" and j + 6 <= n:
                    try:
                        code = int(text[j + 2:j + 6], 16)
                    except ValueError:
                        code = 0xFFFD
                    if 0xD800 <= code < 0xDC00 and text[j + 6:j + 8] == "\\u":
                        try:
                            low = int(text[j + 8:j + 12], 16)
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            j += 6
                        except ValueError:
                            pass
                    chunks.append(chr(code) if 0 <= code <= 0x10FFFF else "\ufffd")
                    j += 6
                    continue
                chunks.append({"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}.get(esc, esc))
                j += 2
                continue
            chunks.append(c)
            j += 1
        return "".join(chunks), n

    def scan_scalar(i: int) -> int:
        return i if i >= n else _SCALAR_RUN.match(text, i).end()  # type: ignore[union-attr]

    root: JsonNode | None = None
    # stack of containers being filled; pending key for objects
    stack: list[tuple[JsonNode, str | None, int, int]] = []
    i = skip_ws(0)
    while True:
        if i >= n:
            break
        c = text[i]
        # closing brackets and separators first
        if c in "]}":
            if stack:
                node = stack.pop()[0]
                node.end = i + 1
                i = skip_ws(i + 1)
                if not stack:
                    break
                i = _after_value(text, i, n)
                continue
            break
        if stack and stack[-1][0].pairs is not None and stack[-1][1] is None:
            # expecting a key
            if c != '"':
                i = skip_ws(i + 1)
                continue
            key, j = scan_string(i)
            top = stack[-1]
            stack[-1] = (top[0], key, i, j)
            j = skip_ws(j)
            if j < n and text[j] == ":":
                j += 1
            i = skip_ws(j)
            continue
        # a value starts at i
        if c == "{":
            node = JsonNode(i)
            node.pairs = []
        elif c == "[":
            node = JsonNode(i)
            node.items = []
        elif c == '"':
            _, j = scan_string(i)
            node = JsonNode(i, j)
        else:
            node = JsonNode(i, max(scan_scalar(i), i + 1))
        if stack:
            parent, key, ks, ke = stack[-1]
            if parent.pairs is not None:
                parent.pairs.append((key or "", ks, ke, node))
                stack[-1] = (parent, None, 0, 0)
            elif parent.items is not None:
                parent.items.append(node)
        elif root is None:
            root = node
        if node.pairs is not None or node.items is not None:
            stack.append((node, None, 0, 0))
            i = skip_ws(i + 1)
            continue
        if not stack:
            break
        i = _after_value(text, skip_ws(node.end), n)
    while stack:
        stack.pop()[0].end = n
    return root or JsonNode(0, 0)


def _after_value(text: str, i: int, n: int) -> int:
    if i < n and text[i] == ",":
        i += 1
    while i < n and text[i] in _WS:
        i += 1
    return i


Locator = Callable[[Path], Span]
