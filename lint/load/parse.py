"""Loading YAML and JSON with positions, safely.

Safe loading only: documents are composed by libyaml (PyYAML's C parser when present)
and turned into plain data here, so no tag is ever constructed into an object; nesting
depth and alias expansion are bounded before anything walks the data.
"""

from __future__ import annotations

import json
import operator
import re
from sys import intern as _intern
from typing import Any

import yaml

from multus_lint.findings import Span
from multus_lint.load import goyaml
from multus_lint.load.anchors import rename_redefined_anchors
from multus_lint.load.positions import (
    INDEX_SKIPS_BOM,
    JsonTree,
    LineIndex,
    MarkPositions,
    ShiftMap,
    TextMap,
    Tree,
    YamlTree,
)
from multus_lint.load.read import TEMPLATE_RE, Limits, SourceFile
from multus_lint.records import dataclass

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

# The tag of a plain scalar depends only on its text (no path resolvers are registered), and
# plain scalars repeat (keys, kinds, small numbers): the resolver's regexes were a tenth of a
# large run. Bounded (count and length), so no input can make it grow without end.
_YAML_NS = "tag:yaml.org,2002:"
_INT_TAG, _FLOAT_TAG, _BOOL_TAG = _YAML_NS + "int", _YAML_NS + "float", _YAML_NS + "bool"
_PLAIN_TAGS: dict[str, str] = {}
_PLAIN_TAGS_MAX = 4096
# the loader's own string object, so that the Builder's `is` test hits for nearly every node
_STR_TAG = _BaseLoader.DEFAULT_SCALAR_TAG
assert _STR_TAG == _YAML_NS + "str"


_SCALAR_NODE, _MAPPING_NODE = yaml.ScalarNode, yaml.MappingNode
# A plain scalar whose first character starts none of the implicit resolvers' patterns
# (names, paths, images: most values) is a str; the resolver would try no pattern for it.
_RESOLVER_FIRSTS = frozenset(_BaseLoader.yaml_implicit_resolvers)
_ANY_FIRST = None in _RESOLVER_FIRSTS  # a wildcard resolver would try every value


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    # Called by libyaml's composer for every node (380,000 per 10,000 documents): the
    # common answers first, from module globals, before anything slower.
    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if self.yaml_path_resolvers:
            return super().resolve(kind, value, implicit)
        if kind is _SCALAR_NODE:
            if not implicit[0]:  # quoted or block: what the resolver returns for them too
                return _STR_TAG
            tag = _PLAIN_TAGS.get(value)
            if tag is not None:
                return tag
            if not _ANY_FIRST and value and value[0] not in _RESOLVER_FIRSTS:
                return _STR_TAG  # not cached: mostly names seen once
            tag = super().resolve(kind, value, implicit)
            if tag in (_INT_TAG, _FLOAT_TAG):
                # numbers as go-yaml v2 (Kubernetes) reads them: base 60 and past 64
                # bits are strings or floats there (load.goyaml)
                tag = _YAML_NS + goyaml.resolve(value)[0]
            elif value in goyaml.V2_ONLY_BOOLS:  # y, Y, n, N: booleans to go-yaml v2 alone
                tag = _BOOL_TAG
            if len(_PLAIN_TAGS) < _PLAIN_TAGS_MAX and len(value) <= 64:
                _PLAIN_TAGS[value] = tag
            return tag
        if kind is _MAPPING_NODE:
            return self.DEFAULT_MAPPING_TAG
        if kind is yaml.SequenceNode:
            return self.DEFAULT_SEQUENCE_TAG
        return super().resolve(kind, value, implicit)

    if not _BaseLoader.yaml_path_resolvers:
        # libyaml's composer also calls these two around every node (900,000 calls per
        # 10,000 documents); they only keep the path for path resolvers, which no loader
        # here registers: without one, the resolver's own methods return at once as well.
        # Builtins, not methods: a builtin is not bound to the loader (it is no descriptor),
        # so ``self.descend_resolver(node, index)`` is one C call whose result the composer
        # drops, 5% of composing a file against a Python no-op.
        descend_resolver = operator.is_
        ascend_resolver = int


def _index_skips_bom() -> bool:
    node = yaml.compose("\ufeffa", Loader=_Loader)
    return bool(node is not None and node.start_mark.index == 0)


INDEX_SKIPS_BOM["value"] = _index_skips_bom()

JSON_SUFFIXES = (".json", ".conf", ".conflist")
_MERGE_TAG = _YAML_NS + "merge"


@dataclass
class Problem:
    """A loader finding, before it is turned into a rule finding."""

    code: str
    message: str
    span: Span
    object: dict | None = None


class LimitExceeded(Exception):
    pass


class RecursiveAlias(Exception):
    """An anchor whose value holds an alias to itself."""

    def __init__(self, node: Any) -> None:
        super().__init__("recursive alias")
        self.node = node


class TagMismatch(Exception):
    """An explicit tag the scalar cannot hold: go-yaml v2 fails the whole decode."""

    def __init__(self, message: str, node: Any) -> None:
        super().__init__(message)
        self.node = node


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


@dataclass(repr=False, eq=False)
class Duplicate:
    path: tuple
    key_node: Any
    first_node: Any


class Builder:
    """Turns composed YAML nodes into plain data, enforcing the limits."""

    def __init__(self, limits: Limits, aliases: bool = True) -> None:
        self.limits = limits
        # node id -> its value: an alias's node is its anchor's, built once and shared.
        # Without an anchor in the text no node is reached twice: no memo (a dict entry
        # per node, a tenth of building a large audit's documents)
        self.memo: dict[int, Any] | None = {} if aliases else None
        self.sizes: dict[int, int] = {}
        self.duplicates: list[Duplicate] = []

    def expanded_size(self, root: Any) -> int:
        """Node count with aliases expanded, computed on the shared graph (no expansion):
        linear in the composed nodes, each measured once."""
        sizes = self.sizes
        stack: list[tuple[Any, bool]] = [(root, False)]
        limit = self.limits.max_nodes
        open_nodes: set[int] = set()  # entered, children not all measured yet
        while stack:
            node, done = stack.pop()
            key = id(node)
            if key in sizes:
                continue
            if node.id == "scalar":
                sizes[key] = 1
                continue
            if not done and key in open_nodes:
                # reached again from inside itself: an anchor used within its own value
                # (``&r [*r]``) expands forever; go-yaml v2 refuses it the same way
                raise RecursiveAlias(node)
            if not done:
                open_nodes.add(key)
            children = [c for pair in node.value for c in pair] if node.id == "mapping" else node.value
            if done:
                total = 1
                for c in children:
                    total += sizes.get(id(c), 0)
                    if total > limit:
                        raise LimitExceeded(
                            f"document expands to more than {limit:,} nodes (alias/anchor bomb?); "
                            "limits.max-nodes")
                sizes[key] = total
            else:
                stack.append((node, True))
                stack.extend((c, False) for c in children if id(c) not in sizes)
        return sizes[id(root)]

    def build(self, node: Any, path: tuple = ()) -> Any:
        memo = self.memo
        if memo is not None:
            key = id(node)
            if key in memo:
                return memo[key]
        max_depth = self.limits.max_depth
        depth = len(path)
        if depth > max_depth:
            raise LimitExceeded(f"nesting deeper than {max_depth} levels (limits.max-depth)")
        # Any tag, !!python/... included, is read as plain data (its node's text, list or
        # mapping): nothing is ever constructed from it, and go-yaml, as Kubernetes tools read
        # YAML, does the same with a tag it does not resolve (yaml.v2 resolve.go resolve:
        # ``if !resolvableTag(tag) { return tag, in }``), so the document is valid.
        tag = node.tag or ""
        kind = node.id
        if kind == "scalar":
            value = self.scalar(node, tag)
            if memo is not None:
                memo[key] = value
            return value
        # Most nodes are plain strings: a child that is one is taken as is, without a
        # recursive call (the same value build() would give; scalars need no memo). The
        # loops below are this method's time on a large run (380,000 nodes per 10,000
        # documents): locals instead of attribute look-ups, `is` before `==` for the tag
        # (nearly every str scalar holds the loader's own DEFAULT_SCALAR_TAG string).
        shallow = depth < max_depth
        build = self.build
        if kind == "sequence":
            value = []
            if memo is not None:
                memo[key] = value
            append = value.append
            for i, child in enumerate(node.value):
                ctag = child.tag
                if shallow and (ctag is _STR_TAG or ctag == _STR_TAG) and child.id == "scalar":
                    append(child.value)
                else:
                    append(build(child, path + (i,)))
            return value
        value = {}
        if memo is not None:
            memo[key] = value
        seen: dict[Any, Any] = {}
        for knode, vnode in node.value:
            ktag = knode.tag
            if shallow and (ktag is _STR_TAG or ktag == _STR_TAG) and knode.id == "scalar":
                # keys repeat in every document: one shared string each (node and data)
                k = knode.value = _intern(knode.value)
            else:
                if knode.id == "scalar" and knode.value == "<<" and ktag == _MERGE_TAG:
                    self.merge(value, vnode, path)
                    continue
                k = build(knode, path + ("<key>",))
                if not _hashable(k):
                    k = str(k)
            if k in seen:
                self.duplicates.append(Duplicate(path + (k,), knode, seen[k]))
            seen[k] = knode
            vtag = vnode.tag
            if shallow and (vtag is _STR_TAG or vtag == _STR_TAG) and vnode.id == "scalar":
                v = vnode.value
                if len(v) <= 16:  # short values repeat too (kinds, ports' names, modes)
                    v = vnode.value = _intern(v)
                value[k] = v
            else:
                value[k] = build(vnode, path + (k,))
        return value

    def merge(self, into: dict, vnode: Any, path: tuple) -> None:
        sources = vnode.value if vnode.id == "sequence" else [vnode]
        for src in sources:
            data = self.build(src, path)
            if isinstance(data, dict):
                for k, v in data.items():
                    into.setdefault(k, v)

    @staticmethod
    def scalar(node: Any, tag: str) -> Any:
        if tag == _STR_TAG or not tag.startswith(_YAML_NS):
            return node.value
        short = tag[len(_YAML_NS):]
        if short not in ("int", "float", "bool", "null"):
            return node.value  # timestamps, binary...: the text, as JSON carries them
        # the value go-yaml v2 decodes (resolved the same way for a plain scalar; for an
        # explicit tag, Go's check that the text can hold it)
        ok, value = goyaml.explicit_value(short, node.value)
        if not ok:
            raise TagMismatch(f"cannot decode !!{value} `{_clip(node.value)}` as a !!{short}", node)
        return value


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


# libyaml's composer recurses once per nesting level and overflows the C stack somewhere
# past 20,000 levels, taking the process with it: input that could nest that deep is
# measured from the event stream (no recursion) before it is composed.
_COMPOSE_SAFE = 5000
_DEEP_INDENT = re.compile(r"^[ \t\-?:]{%d}" % _COMPOSE_SAFE, re.M)


def _too_deep(text: str, limits: Limits) -> Span | None:
    if text.count("[") + text.count("{") <= _COMPOSE_SAFE and not _DEEP_INDENT.search(text):
        return None
    line_offset = 0
    for segment in re.split(r"(?m)^(?=---(?:\s|$))", text):
        if segment.count("[") + segment.count("{") > _COMPOSE_SAFE or _DEEP_INDENT.search(segment):
            hit = _event_depth(segment, min(limits.max_depth, _COMPOSE_SAFE))
            if hit is not None:
                return Span.point(hit[0] + line_offset + 1, hit[1] + 1)
        line_offset += len(LineIndex(segment).starts) - 1
    return None


def _event_depth(text: str, limit: int) -> tuple[int, int] | None:
    depth = 0
    marks = MarkPositions(text)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > limit:
                    return marks.position(event.start_mark)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        if _nesting_error(exc):
            mark = getattr(exc, "problem_mark", None)
            return marks.position(mark) if mark is not None else (0, 0)
        return None  # the composer reports the syntax error itself
    return None


def _nesting_error(exc: yaml.YAMLError) -> bool:
    """libyaml >= 0.2.6 (PyYAML 6.0.4 wheels) refuses nesting past 1,000 levels itself."""
    return "nesting depth" in str(getattr(exc, "problem", "") or "")


@dataclass(slots=True, repr=False, eq=False)  # one per document of the run, all kept while the model is built
class Parsed:
    """One YAML document or JSON value of a file (or an embedded text)."""

    tree: Tree | None
    problems: list[Problem]
    duplicates: list[tuple[tuple, Span, Span]]


def yaml_error_problem(exc: yaml.YAMLError, textmap: TextMap, code: str = "ML001",
                       prefix: str = "", text: str | None = None) -> Problem:
    """The finding for a YAML error in ``text`` (whose marks it holds: needed to turn
    them into editor lines when the text has a line break YAML counts and editors don't)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    hint = ""
    if mark is None:
        line, col = 0, 0
    elif text is not None:
        marks = MarkPositions(text)
        line, col = marks.position(mark)
        hint = _invisible_break_hint(text, marks.index(mark), line, textmap)
    else:
        line, col = mark.line, mark.column
    ol, oc = textmap.to_outer(line, col)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"{prefix}{problem}" + (f" ({context})" if context and context != problem else "") + hint
    if _nesting_error(exc):
        return Problem("ML004", f"{message}: not linted (limits.max-depth)", Span.point(ol, oc))
    return Problem(code, message, Span.point(ol, oc))


_BREAK_NAMES = {"\x85": "NEXT LINE (U+0085)", "\u2028": "LINE SEPARATOR (U+2028)",
                "\u2029": "PARAGRAPH SEPARATOR (U+2029)"}


def _invisible_break_hint(text: str, index: int, line: int, textmap: TextMap) -> str:
    """Why YAML saw a line an editor does not show: a NEL, LS or PS on the error's line or
    the line before (YAML breaks the line there, an editor does not)."""
    lines = LineIndex(text) if any(c in text for c in _BREAK_NAMES) else None
    if lines is None:
        return ""
    start = lines.starts[max(line - 1, 0)]
    found = max((text.rfind(c, start, index + 1), c) for c in _BREAK_NAMES)
    if found[0] == -1:
        return ""
    at_line, at_col = textmap.to_outer(*lines.position(found[0]))
    return (f"; line {at_line} column {at_col} holds a {_BREAK_NAMES[found[1]]}, "
            "a line break to YAML that editors do not show")


_FILE_MAP = ShiftMap(0)  # the positions of a whole file: one map shared by every file


def parse_yaml(text: str, limits: Limits, textmap: TextMap | None = None,
               syntax_code: str = "ML001") -> list[Parsed]:
    """Every document of a YAML stream; a broken document does not hide the others."""
    textmap = textmap or _FILE_MAP
    deep = _too_deep(text, limits)
    if deep is not None:
        sl, sc = textmap.to_outer(deep.line - 1, deep.column - 1)
        return [Parsed(None, [Problem("ML004", f"nesting deeper than {limits.max_depth} levels "
                                      "(limits.max-depth): not linted", Span.point(sl, sc))], [])]
    loader = _Loader(text)
    nodes: list[Any] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                nodes.append(node)
    except yaml.YAMLError as exc:
        loader.dispose()
        if "found duplicate anchor" in str(exc):  # legal YAML: the latest definition wins
            renamed = rename_redefined_anchors(text)
            if renamed is not None:
                return parse_yaml(renamed, limits, textmap, syntax_code)
        return _parse_segments(text, limits, textmap, syntax_code, exc)
    except RecursionError:
        loader.dispose()
        return [Parsed(None, [Problem("ML004", "nesting too deep to parse (limits.max-depth)",
                                      Span.point(*textmap.to_outer(0, 0)))], [])]
    loader.dispose()
    return [_build(node, text, limits, textmap, i, syntax_code) for i, node in enumerate(nodes)]


def _build(node: Any, text: str, limits: Limits, textmap: TextMap, index: int = 0,
           syntax_code: str = "ML001") -> Parsed:
    builder = Builder(limits, aliases="*" in text)
    tree = YamlTree(node, None, textmap, text)
    tree.composer, tree.doc_index = _compose_nth, index
    try:
        # Without an anchor there is no alias: the document is no larger than its text
        # (at most 3 nodes per character), so it cannot exceed max_nodes unless the text can.
        if "&" in text or 3 * len(text) + 1 > limits.max_nodes:
            builder.expanded_size(node)
        tree.data = builder.build(node)
    except LimitExceeded as exc:
        return Parsed(None, [Problem("ML004", f"{exc}: not linted", tree.node_span(node))], [])
    except RecursiveAlias as exc:
        return Parsed(None, [Problem(
            syntax_code, "an anchor's value contains an alias to itself, so the document expands without "
            "end: go-yaml (as kubectl and Helm read it) fails with \"anchor '...' value contains itself\"; "
            "this document is not linted", tree.node_span(exc.node))], [])
    except TagMismatch as exc:
        return Parsed(None, [Problem(
            syntax_code, f"{exc}: Kubernetes (go-yaml, as kubectl and Helm read it) refuses the whole "
            "document; drop the tag", tree.node_span(exc.node))], [])
    dups = [(d.path, tree.node_span(d.key_node), tree.node_span(d.first_node)) for d in builder.duplicates]
    return Parsed(tree, [], dups)


# The documents of the texts composed again most recently: a file with findings in many of
# its documents is composed once more, not once per document.
_RECOMPOSED: dict[int, tuple[str, list[Any]]] = {}


def _compose_all(text: str) -> list[Any]:
    nodes = []
    loader = _Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                nodes.append(node)
    finally:
        loader.dispose()
    return nodes


def _compose_nth(text: str, index: int) -> Any:
    """The ``index``-th document node of ``text``, composed again (YamlTree.release)."""
    hit = _RECOMPOSED.get(id(text))
    if hit is None or hit[0] is not text:
        try:
            nodes = _compose_all(text)
        except yaml.YAMLError as exc:  # redefined anchors: as parse_yaml read it
            renamed = rename_redefined_anchors(text) if "found duplicate anchor" in str(exc) else None
            if renamed is None:
                raise
            nodes = _compose_all(renamed)
        if len(_RECOMPOSED) >= 8:
            _RECOMPOSED.pop(next(iter(_RECOMPOSED)))
        hit = _RECOMPOSED[id(text)] = (text, nodes)
    if index < len(hit[1]):
        return hit[1][index]
    raise AssertionError("a document composed once is there again")  # pragma: no cover


_DOC_START = re.compile(r"^(?:---|\.\.\.)(?=\s|$)", re.M)


def _parse_segments(text: str, limits: Limits, textmap: TextMap, syntax_code: str,
                    first_error: yaml.YAMLError) -> list[Parsed]:
    """After a syntax error: parse each ``---`` segment on its own so the others still count."""
    cuts = [m.start() for m in _DOC_START.finditer(text)]
    if not cuts or cuts[0] != 0:
        cuts.insert(0, 0)
    cuts.append(len(text))
    out: list[Parsed] = []
    lines = LineIndex(text)
    for start, end in zip(cuts, cuts[1:]):
        segment = text[start:end]
        if not segment.strip() or segment.strip() in ("---", "..."):
            continue
        line_offset = lines.position(start)[0]
        segmap = _OffsetMap(textmap, line_offset)
        loader = _Loader(segment)
        index = 0
        try:
            while loader.check_node():
                node = loader.get_node()
                if node is not None:
                    out.append(_build(node, segment, limits, segmap, index, syntax_code))
                    index += 1
        except yaml.YAMLError as exc:
            out.append(Parsed(None, [yaml_error_problem(exc, segmap, syntax_code, text=segment)], []))
        finally:
            loader.dispose()
    if not any(p.problems for p in out):
        out.append(Parsed(None, [yaml_error_problem(first_error, textmap, syntax_code, text=text)], []))
    return out


class _OffsetMap(TextMap):
    def __init__(self, outer: TextMap, lines: int) -> None:
        self.outer = outer
        self.lines = lines

    def to_outer(self, line: int, column: int) -> tuple[int, int]:
        return self.outer.to_outer(line + self.lines, column)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class _DupFlag:
    """The objects of a JSON text as dicts, noting whether one repeats a key; with one
    decoder kept for every parse: json.loads with a hook builds a decoder per call (7 µs;
    2,500 NAD configs of the many-findings benchmark, in the serial model build)."""

    def __init__(self) -> None:
        self.found = False
        self.decoder = json.JSONDecoder(object_pairs_hook=self, parse_constant=_reject_constant)

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict:
        d = dict(pairs)
        if len(d) != len(pairs):
            self.found = True
        return d

    def loads(self, text: str) -> Any:
        self.found = False
        if text.startswith("\ufeff"):  # json.loads refuses a leading BOM before decoding
            return json.loads(text)
        return self.decoder.decode(text)


_DUPS = _DupFlag()  # (parsing is single-threaded: one flag, reset by each parse)


def parse_json(text: str, limits: Limits, textmap: TextMap | None = None,
               syntax_code: str = "ML001", what: str = "JSON") -> Parsed:
    """One JSON value, as Go's encoding/json would accept it (no NaN, no trailing data)."""
    textmap = textmap or ShiftMap(0)
    flag = _DUPS

    def too_deep() -> Parsed:  # built only when needed: to_outer may align a whole scalar
        return Parsed(None, [Problem("ML004", f"{what} nesting deeper than {limits.max_depth} levels "
                                     "(limits.max-depth): not linted",
                                     Span.point(*textmap.to_outer(0, 0)))], [])

    try:
        data = flag.loads(text)
    except json.JSONDecodeError as exc:
        # exc.lineno counts LF only; the position from the offset counts a lone CR too
        line, col = textmap.to_outer(*LineIndex(text).position(exc.pos))
        return Parsed(None, [Problem(syntax_code, f"invalid {what}: {exc.msg} (line {exc.lineno} "
                                     f"column {exc.colno} of the {what})", Span.point(line, col))], [])
    except RecursionError:
        return too_deep()
    except ValueError as exc:
        return Parsed(None, [Problem(syntax_code, f"invalid {what}: {exc}",
                                     Span.point(*textmap.to_outer(0, 0)))], [])
    if text.count("[") + text.count("{") > limits.max_depth and data_depth(data) > limits.max_depth:
        return too_deep()
    tree = JsonTree(text, data, textmap, flag.found)
    dups = tree.duplicate_keys() if flag.found else []
    return Parsed(tree, [], dups)


def data_depth(data: Any) -> int:
    """Nesting depth of plain data, without recursion."""
    best = 0
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            best = max(best, depth)
            stack.extend((v, depth + 1) for v in value if isinstance(v, (dict, list)))
    return best


def looks_like_json(source: SourceFile) -> bool:
    if source.path.lower().endswith(JSON_SUFFIXES):
        return True
    head = (source.text or "").lstrip()[:1]
    return head in ("{", "[")


CNI_CONF_SUFFIXES = (".conf", ".conflist")


def parse_file(source: SourceFile, limits: Limits) -> list[Parsed]:
    """Every document of a readable file."""
    text = source.text or ""
    if source.path.lower().endswith(CNI_CONF_SUFFIXES) and not text.lstrip().startswith("{"):
        # libcni reads a .conf/.conflist as a JSON object; one that does not even start like
        # one is another program's config (mosquitto.conf, nginx.conf, VPP startup.conf ...
        # next to the manifests in GitOps repositories), not a broken CNI config.
        return []
    if source.path.lower().endswith(".json") and text.lstrip()[:1] not in ("{", "["):
        # kubectl and kustomize pick the decoder by content, not by name (apimachinery
        # pkg/util/yaml NewYAMLOrJSONDecoder: JSON only when the text starts with '{'), and
        # libcni reads JSON only in the conf dir: a .json that does not start like JSON is
        # YAML to every tool that reads it (an authentik export, a blueprint saved as .json)
        return parse_yaml(text, limits)
    if looks_like_json(source):
        parsed = parse_json(text, limits)
        if parsed.tree is None and parsed.problems and parsed.problems[0].code == "ML001" \
                and source.path.lower().endswith(JSON_SUFFIXES):  # else it may be a YAML stream
            parsed = _first_json_value(text, limits, parsed)
        if parsed.tree is not None or source.path.lower().endswith(JSON_SUFFIXES):
            return [parsed]
        # "{" at the start of a YAML file (a flow mapping): fall through to YAML
    return parse_yaml(text, limits)


def _first_json_value(text: str, limits: Limits, failed: Parsed) -> Parsed:
    """A file holding a complete JSON value followed by more text (two configs pasted one
    after the other, as in whereabouts' doc/sample_config.json): the file stays ML001, as
    libcni rejects it whole, and the first value is still linted, like the documents before
    a broken one in a YAML stream, so its own mistakes show up before the user fixes the
    syntax. Any other syntax error keeps the file unlinted."""
    start = len(text) - len(text.lstrip())
    try:
        _, end = json.JSONDecoder().raw_decode(text, start)
    except (ValueError, RecursionError):
        return failed
    if not text[end:].strip():
        return failed  # the error is inside the value (e.g. NaN), not after it
    first = parse_json(text[:end], limits)
    if first.tree is None:
        return failed
    prob = failed.problems[0]
    line = LineIndex(text).position(end)[0] + 1
    return Parsed(first.tree, [Problem(prob.code, f"{prob.message}: more text follows the first JSON "
                                       f"value, which ends on line {line}; only that value is linted",
                                       prob.span)], first.duplicates)


def has_placeholder(value: str) -> bool:
    return ("{" in value or "%" in value) and TEMPLATE_RE.search(value) is not None
