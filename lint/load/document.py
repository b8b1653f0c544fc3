"""A Kubernetes object (or other mapping) read from a file, and where its parts are."""

from __future__ import annotations

from typing import Any

from multus_lint.findings import Span
from multus_lint.load.parse import Parsed, parse_json, parse_yaml
from multus_lint.load.positions import Path, TextMap, Tree, YamlTree
from multus_lint.load.read import Limits, SourceFile
from multus_lint.records import dataclass


@dataclass(frozen=True)
class Site:
    """Where a finding goes: a file, a span in it, and the object it concerns."""

    source: SourceFile
    span: Span
    object: dict[str, Any] | None = None


class Located:
    """Data inside a tree at ``base``: the common shape of documents and embedded configs."""

    __slots__ = ()
    tree: Tree
    base: Path
    source: SourceFile

    def locate(self, path: Path, value: bool = False) -> tuple[Span, bool]:
        return self.tree.locate(self.base + tuple(path), value)

    def span(self, *path: Any, value: bool = False) -> Span:
        return self.tree.locate(self.base + path, value)[0]

    def object_ref(self) -> dict[str, Any] | None:
        return None

    def site(self, *path: Any, value: bool = False) -> Site:
        return self.find_site(path, value)[0]

    def find_site(self, path: Path, value: bool = False) -> tuple[Site, bool]:
        """(where ``path`` is, whether it is there): ``locate`` as a site. Never
        ``Site(doc.source, doc.locate(...)[0])``: a kustomize instance's value may be written
        in a patch, whose position that would put in the object's own file."""
        span, found = self.locate(path, value)
        return Site(self.source, span, self.object_ref()), found

    def embedded_json(self, path: Path, limits: Limits, syntax_code: str, what: str) -> Parsed:
        """The JSON held in the string at ``path``, positioned in this file."""
        def parse() -> Parsed:
            value = get_path(self.data, path)  # type: ignore[attr-defined]
            return parse_json(value, limits, EmbeddedMap(self, path), syntax_code=syntax_code, what=what)

        return self._shared(path, ("json", syntax_code, what), parse)  # type: ignore[no-any-return]

    def embedded_yaml(self, path: Path, limits: Limits, syntax_code: str) -> list[Parsed]:
        def parse() -> list[Parsed]:
            value = get_path(self.data, path)  # type: ignore[attr-defined]
            return parse_yaml(value, limits, EmbeddedMap(self, path), syntax_code=syntax_code)

        return self._shared(path, ("yaml", syntax_code), parse)  # type: ignore[no-any-return]

    def _shared(self, path: Path, what: tuple, parse: Any) -> Any:
        """One parse per scalar of the file: objects that alias one anchored string (2,000
        NADs sharing one 3 MB spec.config) share its parse, positions and all (the text
        is the anchor's for each of them)."""
        tree = self.tree
        if not isinstance(tree, YamlTree) or "*" not in tree.text:
            return parse()  # no alias in the file: no scalar is shared
        full = self.base + tuple(path)
        _, node, depth = tree.find_node(full)
        if depth != len(full) or getattr(node, "id", "") != "scalar":
            return parse()
        # keyed by the scalar's place in the text, which outlives composed nodes
        key = (node.start_mark.index, node.end_mark.index) + what
        cache = tree.embedded_cache
        if key not in cache:
            cache[key] = parse()
        return cache[key]


class EmbeddedMap(TextMap):
    """Positions inside the string at ``path`` of ``owner``, in the owner's file.

    Worked out on first use: finding the scalar needs the composed nodes, which most
    embedded documents never need (they produce no finding)."""

    def __init__(self, owner: Located, path: Path) -> None:
        self.owner = owner
        self.path = tuple(path)
        self._map: TextMap | None = None

    def _resolve(self) -> TextMap:
        if self._map is None:
            finder = getattr(self.owner.tree, "scalar_map", None)
            found = finder(self.owner.base + self.path) if finder else None
            self._map = found if found is not None else _AtSpan(self.owner.span(*self.path, value=True))
        return self._map

    def to_outer(self, line: int, column: int) -> tuple[int, int]:
        return self._resolve().to_outer(line, column)

    def resolved(self) -> TextMap:
        return self._resolve().resolved()


class _AtSpan(TextMap):
    """Every position at the start of one span (a value whose text cannot be mapped)."""

    def __init__(self, span: Span) -> None:
        self.at = (span.line, span.column)

    def to_outer(self, line: int, column: int) -> tuple[int, int]:
        return self.at


class Document(Located):
    """One object: a YAML document, a JSON file, or an item of a ``kind: List``."""

    # one per object of the run, all kept to its end (a subclass may add attributes)
    __slots__ = ("source", "tree", "base", "index", "data")

    def __init__(self, source: SourceFile, tree: Tree, base: Path = (), index: int = 0) -> None:
        self.source = source
        self.tree = tree
        self.base = base
        self.index = index
        data = tree.data
        for part in base:
            data = data[part]
        self.data: dict[str, Any] = data if isinstance(data, dict) else {}

    @property
    def kind(self) -> str:
        k = self.data.get("kind")
        return k if isinstance(k, str) else ""

    @property
    def api_version(self) -> str:
        v = self.data.get("apiVersion")
        return v if isinstance(v, str) else ""

    @property
    def metadata(self) -> dict[str, Any]:
        m = self.data.get("metadata")
        return m if isinstance(m, dict) else {}

    @property
    def name(self) -> str:
        n = self.metadata.get("name")
        return n if isinstance(n, str) else ""

    @property
    def namespace(self) -> str | None:
        ns = self.metadata.get("namespace")
        return ns if isinstance(ns, str) and ns else None

    @property
    def annotations(self) -> dict[str, Any]:
        a = self.metadata.get("annotations")
        return a if isinstance(a, dict) else {}

    def object_ref(self) -> dict[str, Any] | None:
        if not self.kind:
            return None
        return {"kind": self.kind, "namespace": self.namespace, "name": self.name or None}

    def name_site(self) -> Site:
        """Where a finding about the whole object goes: its ``metadata.name``."""
        span, found = self.locate(("metadata", "name"))
        if not found:
            span = self.span("kind")
        return Site(self.source, span, self.object_ref())

    def __repr__(self) -> str:
        return f"<Document {self.kind} {self.namespace}/{self.name} {self.source.path}#{self.index}>"


class Embedded(Located):
    """A document embedded in a string of another (``spec.config``, ``valuesContent``)."""

    def __init__(self, owner: Document, tree: Tree, base: Path = ()) -> None:
        self.owner = owner
        self.source = owner.source
        self.tree = tree
        self.base = base
        self.data = get_path(tree.data, base)

    def object_ref(self) -> dict[str, Any] | None:
        return self.owner.object_ref()


def document_of(located: Any) -> Any:
    """The object a located value belongs to: a Document itself, or the Document whose
    values hold it (a pod from chart values, an app-template controller: Embedded)."""
    while not isinstance(located, Document) and getattr(located, "owner", None) is not None:
        located = located.owner
    return located


def get_path(data: Any, path: Path, default: Any = None) -> Any:
    for part in path:
        if isinstance(data, dict):
            if part not in data:
                return default
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return default
    return data


def has_path(data: Any, path: Path) -> bool:
    sentinel = object()
    return get_path(data, path, sentinel) is not sentinel
