"""JsonTree's walk along one path (issue 16: locating a finding in a CNI config without
scanning the whole text) answers exactly as the scanned tree (``scan_json``) does, for every
path, present or not, key or value, duplicates included; and ``json_members`` lists the
members ``scan_json`` finds, at the same offsets."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from multus_lint.load.parse import parse_json
from multus_lint.load.positions import JsonTree, ShiftMap, json_members, scan_json
from multus_lint.load.read import Limits

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=6))
keys = st.text(alphabet='ab"\\\n\u00e9\U0001f600', max_size=3)


def _text(data: Any, sep: str, depth: int = 0) -> str:
    """JSON text of ``data`` where a dict is a list of pairs (duplicate keys kept)."""
    if isinstance(data, tuple):  # an object: (key, value) pairs
        inner = ("," + sep).join(f"{json.dumps(k)}{sep}:{sep}{_text(v, sep, depth + 1)}" for k, v in data)
        return "{" + sep + inner + sep + "}"
    if isinstance(data, list):
        return "[" + sep + ("," + sep).join(_text(v, sep, depth + 1) for v in data) + sep + "]"
    return json.dumps(data)


values = st.recursive(scalars, lambda kids: st.one_of(
    st.lists(kids, max_size=4),
    st.lists(st.tuples(keys, kids), max_size=4).map(tuple)), max_leaves=16)


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(data, tuple):
        for k, v in data:
            out += _paths(v, prefix + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _paths(v, prefix + (i,))
    return out


def _scanned(tree: JsonTree) -> JsonTree:
    twin = JsonTree(tree.text, tree.data, tree.textmap, tree.has_duplicates)
    twin.root  # noqa: B018 - scanned first: every answer from the scanned tree
    return twin


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values, st.sampled_from(["", " ", "\n  ", "\r\n\t"]), st.sampled_from(["", " ", "\n"]),
       st.lists(st.one_of(keys, st.integers(-1, 5), st.booleans()), max_size=4))
def test_walk_is_the_scanned_tree(data: Any, sep: str, pad: str, junk: list) -> None:
    text = pad + _text(data, sep) + pad
    parsed = parse_json(text, Limits())
    tree = parsed.tree
    assert isinstance(tree, JsonTree)
    scanned = _scanned(tree)
    for path in _paths(data) + [tuple(junk)] + [p + tuple(junk) for p in _paths(data)[:3]]:
        for value in (False, True):
            fresh = JsonTree(tree.text, tree.data, tree.textmap, tree.has_duplicates)
            assert fresh.locate(path, value) == scanned.locate(path, value), (text, path, value)
            assert fresh._root is None  # answered without the scan
        try:
            want = scanned.scalar_map(path)
        except (KeyError, IndexError, TypeError):
            continue  # the scanned tree's value lookup fails too (a path the data lacks)
        got = JsonTree(tree.text, tree.data, tree.textmap).scalar_map(path)
        assert (got is None) == (want is None)
        if got is not None and want is not None:
            assert (got.raw, got.base, got.value) == (want.raw, want.base, want.value)


@settings(max_examples=300, deadline=None)
@given(values, st.sampled_from(["", " ", "\n  "]))
def test_members_are_scan_jsons(data: Any, sep: str) -> None:
    text = _text(data, sep)
    stack = [scan_json(text)]
    while stack:
        node = stack.pop()
        if node.pairs is not None:
            assert json_members(text, node.start) == [(name, ks, ke, c.start, c.end)
                                                      for name, ks, ke, c in node.pairs]
            stack.extend(c for *_, c in node.pairs)
        elif node.items is not None:
            assert json_members(text, node.start) == [(c.start, c.end) for c in node.items]
            stack.extend(node.items)


def test_walk_locates_in_a_config() -> None:
    text = '{"cniVersion": "0.3.1", "type": "macvlan",\n "ipam": {"type": "whereabouts",\n  "range": "10.0.0.0/24", "range": "10.1.0.0/24"}}'
    tree = JsonTree(text, json.loads(text), ShiftMap(0), True)
    span, found = tree.locate(("ipam", "range"))
    assert found and (span.line, span.column) == (3, 27)  # the later duplicate, as decoded
    span, found = tree.locate(("ipam", "range"), value=True)
    assert found and (span.line, span.column, span.end_column) == (3, 36, 49)
    span, found = tree.locate(("ipam", "gateway"))
    assert not found and (span.line, span.column) == (2, 2)  # the parent key: where a missing key is reported
    assert tree._root is None


@settings(max_examples=400, deadline=None)
@given(values, st.sampled_from(["", " ", "\n  ", "\r\n\t"]), st.sampled_from(["", " ", "\n"]))
def test_walked_duplicates_are_the_scanned_trees(data: Any, sep: str, pad: str) -> None:
    # duplicate keys found from each container's members (no scan of every value) are the
    # scanned tree's: same paths, spans and order
    text = pad + _text(data, sep) + pad
    tree = JsonTree(text, json.loads(text), ShiftMap(2), True)
    assert tree.duplicate_keys() == _scanned(tree).duplicate_keys(), text
    assert tree._root is None


def test_walked_duplicates_in_a_config() -> None:
    text = '{"a": 1, "ipam": {"range": "x", "b": [{"c": 1, "c": 2}], "range": "y"}, "a": 3}'
    tree = JsonTree(text, json.loads(text), ShiftMap(0), True)
    got = tree.duplicate_keys()
    assert [d[0] for d in got] == [("ipam", "b", 0, "c"), ("ipam", "range"), ("a",)]
    assert got == _scanned(tree).duplicate_keys()
