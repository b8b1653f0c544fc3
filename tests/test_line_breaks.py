"""Line breaks YAML counts and editors do not: positions are always in editor lines.

PyYAML, libyaml and go-yaml (``is_break`` in go-yaml's yamlprivateh.go, ``IS_BREAK`` in
libyaml's yaml_private.h) end a line at LF, CR, CRLF, NEL (U+0085), LS (U+2028) and PS
(U+2029), and their marks count lines that way. Editors, code frames, GitHub annotations
and SARIF viewers end a line at LF, CRLF and CR only (the LSP's end-of-line sequences).
A finding's line is the editor's; these tests hold every position to the character
PyYAML's mark points at, found through the mark's character index.
"""

from __future__ import annotations

import pytest
import yaml

from multus_lint.load.parse import parse_json, parse_yaml
from multus_lint.load.positions import LineIndex, split_lines
from multus_lint.load.read import Limits, SourceFile

LIMITS = Limits()
BREAKS = {"NEL": "\x85", "LS": "\u2028", "PS": "\u2029", "CR": "\r", "CRLF": "\r\n", "LF": "\n"}


def _char_at(text: str, line: int, column: int) -> str:
    """The character at a 1-based editor (line, column)."""
    return text[LineIndex(text).starts[line - 1] + column - 1]


def _nodes(node: yaml.Node) -> list[yaml.Node]:
    out = [node]
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            out += _nodes(k) + _nodes(v)
    elif isinstance(node, yaml.SequenceNode):
        for v in node.value:
            out += _nodes(v)
    return out


def _document(br: str) -> str:
    # the break inside a comment would end it (YAML), so it sits where YAML allows it:
    # a double-quoted and a plain multi-line scalar, a flow sequence, a literal block
    return (f'a: "x{br}  y"{br}b: plain{br}  folded{br}c: [1,{br} 2]{br}d: |{br}  one{br}  two{br}'
            f'e: {{k: v}}{br}')


@pytest.mark.parametrize("name", BREAKS)
def test_every_node_is_where_pyyaml_marks_it(name: str) -> None:
    text = _document(BREAKS[name])
    [parsed] = parse_yaml(text, LIMITS)
    tree = parsed.tree
    assert tree is not None
    for node in _nodes(tree.root):
        span = tree.node_span(node)
        assert _char_at(text, span.line, span.column) == text[node.start_mark.index], (node, span)
    # and the keys by path, as rules ask for them
    for key in "abcde":
        span = tree.span((key,))
        assert _char_at(text, span.line, span.column) == key
    assert tree.span(("e",)).line == len(LineIndex(text[:text.index("e:")]).starts)


@pytest.mark.parametrize("name", ["NEL", "LS", "PS"])
def test_editor_lines_do_not_break_at_yaml_only_breaks(name: str) -> None:
    br = BREAKS[name]
    text = f'a: "x{br}y"\nb: 1\n'
    assert SourceFile("f.yaml", text).lines == [f'a: "x{br}y"', "b: 1"]
    [parsed] = parse_yaml(text, LIMITS)
    assert parsed.tree.span(("b",)).line == 2  # YAML's own mark says line 3
    assert yaml.compose(text, Loader=yaml.SafeLoader).value[1][0].start_mark.line == 2


def test_source_lines_break_at_cr_and_crlf_only() -> None:
    assert split_lines("a\rb\r\nc\nd\x0be\x0cf\x1cg\n") == ["a", "b", "c", "d\x0be\x0cf\x1cg"]
    assert split_lines("") == [] and split_lines("a") == ["a"]


@pytest.mark.parametrize("name", ["NEL", "LS", "PS"])
def test_literal_block_with_a_yaml_only_break_maps_every_character(name: str) -> None:
    # found by hypothesis (tests/test_fuzz.py::test_scalar_map_stays_inside_the_file): a NEL
    # in a literal block is a line break of the value but not of the editor's line
    br = BREAKS[name]
    text = f'spec:\n  config: |\n    {{"a": 1,{br}    "b": [\n      2]}}\n'
    [parsed] = parse_yaml(text, LIMITS)
    tree = parsed.tree
    inner = parse_json(tree.data["spec"]["config"], LIMITS, tree.scalar_map(("spec", "config")))
    if br != "\x85":
        # YAML keeps LS and PS in the value, and JSON takes neither for whitespace (nor does
        # Go's encoding/json): the error is at the character itself
        [prob] = inner.problems
        assert _char_at(text, prob.span.line, prob.span.column) == br
        return
    assert inner.tree is not None
    for path, want in [(("a",), '"a"'), (("b",), '"b"'), (("b", 0), "2")]:
        span = inner.tree.span(path)
        line = split_lines(text)[span.line - 1]
        assert line[span.column - 1:].startswith(want), (path, span, line)


def test_yaml_error_after_a_line_separator_is_on_the_editor_line_and_says_why() -> None:
    text = "a: 1\nname: after-\u2028the-first\nspec: x\n"
    [parsed] = parse_yaml(text, LIMITS)
    [prob] = parsed.problems
    assert prob.code == "ML001" and (prob.span.line, prob.span.column) == (3, 1)
    assert "line 2 column 13 holds a LINE SEPARATOR (U+2028)" in prob.message


def test_json_error_line_counts_a_lone_cr() -> None:
    parsed = parse_json('{\r"a": 1,\r}', LIMITS)
    [prob] = parsed.problems
    assert (prob.span.line, prob.span.column) == (3, 1)


def test_bom_then_yaml_only_break() -> None:
    text = "\ufeffa: \"x\x85y\"\nb: 1\n"
    [parsed] = parse_yaml(text, LIMITS)
    assert parsed.tree.span(("a",)) .column == 1 and parsed.tree.span(("b",)).line == 2
    smap = parsed.tree.scalar_map(("a",))
    assert smap is not None and smap.raw == '"x\x85y"'
