"""Redefined YAML anchors (lint/load/anchors.py): the latest definition wins, as in Go's
gopkg.in/yaml.v3 decode.go (*parser).anchor, and every position is unchanged."""

from __future__ import annotations

import yaml

from multus_lint.load.anchors import rename_redefined_anchors
from multus_lint.load.parse import parse_yaml
from multus_lint.load.read import Limits

TEXT = """a: &x 1
b: *x
c: &x 2
d: *x
e: [&y ü, *y, &y ö, *y, *x]
"""


def test_latest_definition_wins_and_text_keeps_its_shape() -> None:
    renamed = rename_redefined_anchors(TEXT)
    assert renamed is not None
    assert len(renamed) == len(TEXT)
    assert [len(line) for line in renamed.split("\n")] == [len(line) for line in TEXT.split("\n")]
    assert yaml.safe_load(renamed) == {"a": 1, "b": 1, "c": 2, "d": 2, "e": ["ü", "ü", "ö", "ö", 2]}


def test_nothing_to_rename() -> None:
    assert rename_redefined_anchors("a: &x 1\nb: *x\n") is None
    assert rename_redefined_anchors("a: [unclosed\n") is None


def test_parse_yaml_reads_redefined_anchors_with_positions() -> None:
    (parsed,) = parse_yaml(TEXT, Limits())
    assert not parsed.problems
    assert parsed.tree.data["d"] == 2
    span = parsed.tree.span(("e", 2))  # the third item: its node starts at its anchor "&y"
    assert (span.line, span.column) == (5, 15)
