"""Positions: every key and value, and embedded JSON/YAML mapped back into the outer file."""

from __future__ import annotations

import pytest

from multus_lint.findings import Span
from multus_lint.load.parse import parse_file, parse_json, parse_yaml
from multus_lint.load.positions import ScalarMap, ShiftMap
from multus_lint.load.read import Limits, SourceFile

LIMITS = Limits()


def _yaml(text: str):
    [parsed] = parse_yaml(text, LIMITS)
    assert parsed.tree is not None, parsed.problems
    return parsed.tree


def _embedded(text: str, path: tuple):
    tree = _yaml(text)
    value = tree.data
    for p in path:
        value = value[p]
    inner = parse_json(value, LIMITS, tree.scalar_map(path))
    assert inner.tree is not None, inner.problems
    return inner.tree


def test_keys_and_values_of_yaml() -> None:
    tree = _yaml("a:\n  b: [1, {c: x}]\n  d: |\n    text\n")
    assert tree.span(("a",)) == Span(1, 1, 1, 2)
    assert tree.span(("a", "b")) == Span(2, 3, 2, 4)
    assert tree.span(("a", "b", 1, "c")) == Span(2, 11, 2, 12)
    assert tree.span(("a", "b", 1, "c"), value=True) == Span(2, 14, 2, 15)
    # a missing key: the enclosing mapping's key
    assert tree.locate(("a", "zz")) == (Span(1, 1, 1, 2), False)


LITERAL = """\
kind: NetworkAttachmentDefinition
spec:
  config: |
    {
      "type": "macvlan",
      "ipam": {
        "gateway": "10.0.0.1"
      }
    }
"""


def test_literal_block_line_for_line() -> None:
    tree = _embedded(LITERAL, ("spec", "config"))
    assert tree.span(("ipam", "gateway")) == Span(7, 9, 7, 18)
    assert tree.span(("ipam", "gateway"), value=True) == Span(7, 20, 7, 30)
    assert tree.span(("type",)) == Span(5, 7, 5, 13)


def test_literal_block_with_crlf_and_bom() -> None:
    text = "\ufeff" + LITERAL.replace("\n", "\r\n")
    src = SourceFile("x.yaml", text=text.lstrip("\ufeff"))
    [parsed] = parse_file(src, LIMITS)
    tree = parsed.tree
    inner = parse_json(tree.data["spec"]["config"], LIMITS, tree.scalar_map(("spec", "config")))
    assert inner.tree.span(("ipam", "gateway")) == Span(7, 9, 7, 18)


def test_single_quoted_one_line() -> None:
    text = """spec:\n  config: '{"type": "bridge", "ipam": {"gateway": "1.2.3.4"}}'\n"""
    tree = _embedded(text, ("spec", "config"))
    line = text.splitlines()[1]
    assert tree.span(("ipam", "gateway")).column == line.index('"gateway"') + 1
    assert tree.span(("ipam", "gateway")).line == 2


def test_single_quoted_escaped_quote() -> None:
    text = """spec:\n  config: '{"name": "it''s", "type": "bridge"}'\n"""
    tree = _embedded(text, ("spec", "config"))
    assert tree.span(("type",)).column == text.splitlines()[1].index('"type"') + 1


def test_double_quoted_with_escapes() -> None:
    text = 'spec:\n  config: "{\\"name\\": \\"n\\", \\"type\\": \\"bridge\\"}"\n'
    tree = _embedded(text, ("spec", "config"))
    assert tree.data == {"name": "n", "type": "bridge"}
    line = text.splitlines()[1]
    # the key's text in the file is \"type\": it starts at the escape's backslash, and the
    # span covers the escapes at both ends
    span = tree.span(("type",))
    assert (span.column, span.end_column) == (line.index('\\"type') + 1, line.index('\\"type') + 9)


def test_escaped_backslash_is_not_an_escape_start() -> None:
    # YAML "x\\y" is x, one backslash, y: y is not an escaped character, so it stays at its own
    # column (an even run of backslashes before it), while the backslash is at the escape's start
    raw = '"x\\\\y"'
    smap = ScalarMap(ShiftMap(), raw, (0, 10), '"', "x\\y")
    assert smap.to_outer(0, 2) == (1, 10 + raw.index("y") + 1)
    assert smap.to_outer(0, 1) == (1, 10 + raw.index("\\") + 1)


def test_multiline_single_quoted_folds_to_the_right_lines() -> None:
    text = "spec:\n  config: '{\n    \"a\": 1,\n    \"b\": {\n      \"c\": 2}\n  }'\n"
    tree = _embedded(text, ("spec", "config"))
    assert tree.span(("b", "c")) == Span(5, 7, 5, 10)
    assert tree.span(("a",)).line == 3


def test_folded_scalar_at_least_the_start_line() -> None:
    text = "spec:\n  config: >\n    {\"a\": 1,\n    \"b\": 2}\n"
    tree = _embedded(text, ("spec", "config"))
    assert tree.span(("a",)).line == 3
    assert tree.span(("b",)).line == 4


def test_valuescontent_yaml_inside_yaml() -> None:
    text = "spec:\n  valuesContent: |-\n    config:\n      cni_conf:\n        binDir: /opt/cni/bin\n"
    tree = _yaml(text)
    [inner] = parse_yaml(tree.data["spec"]["valuesContent"], LIMITS, tree.scalar_map(("spec", "valuesContent")))
    assert inner.tree.span(("config", "cni_conf", "binDir")) == Span(5, 9, 5, 15)


def test_json_error_at_its_own_line() -> None:
    text = 'spec:\n  config: |\n    {\n      "type": "macvlan",\n    }\n'
    tree = _yaml(text)
    parsed = parse_json(tree.data["spec"]["config"], LIMITS, tree.scalar_map(("spec", "config")),
                        syntax_code="ML501")
    assert parsed.tree is None
    assert parsed.problems[0].span.line == 5 and parsed.problems[0].span.column == 5


def test_json_file_positions() -> None:
    src = SourceFile("10-bridge.conf", text='{\n  "type": "bridge",\n  "ipam": {"subnet": "10.0.0.0/24"}\n}\n')
    [parsed] = parse_file(src, LIMITS)
    assert parsed.tree.span(("ipam", "subnet")) == Span(3, 12, 3, 20)


def test_yaml_error_does_not_hide_other_documents() -> None:
    text = "a: 1\n---\nb: [\n---\nc: 3\n"
    parsed = parse_yaml(text, LIMITS)
    good = [p.tree.data for p in parsed if p.tree is not None]
    bad = [p.problems[0] for p in parsed if p.problems]
    assert good == [{"a": 1}, {"c": 3}]
    assert len(bad) == 1 and bad[0].code == "ML001" and bad[0].span.line in (3, 4)


@pytest.mark.parametrize(("text", "data"), [("x: !!python/object:os.system [ls]\n", {"x": ["ls"]}),
                                           ("x: !!python/name:os.system\n", {"x": ""})])
def test_python_tags_never_constructed(text: str, data: dict) -> None:
    """Read as plain data, never constructed, and not an error: go-yaml (as Kubernetes tools
    read YAML) takes a tag it does not resolve as the node's text (yaml.v2 resolve.go resolve);
    MkDocs configs carry such tags (!!python/name:pymdownx.superfences.fence_code_format)."""
    [parsed] = parse_yaml(text, LIMITS)
    assert not parsed.problems
    assert parsed.tree is not None and parsed.tree.data == data
