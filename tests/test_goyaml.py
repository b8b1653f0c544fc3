"""Plain scalars read as go-yaml v2 reads them (lint/load/goyaml.py): Kubernetes (kubectl, the
API server via sigs.k8s.io/yaml), Helm values and the K3s config file (pkg/configfilearg,
gopkg.in/yaml.v2) all decode YAML with go-yaml v2, whose resolve.go ``resolveMapList`` has
y/Y/yes/Yes/YES/true/True/TRUE/on/On/ON as true and n/N/no/No/NO/false/False/FALSE/off/Off/OFF
as false; any other spelling is a string."""

from __future__ import annotations

import pytest

from multus_lint.load.parse import parse_yaml
from multus_lint.load.read import Limits


def value(text: str) -> object:
    [doc] = parse_yaml(f"a: {text}\n", Limits())
    assert doc.tree is not None and not doc.problems
    return doc.tree.data["a"]


@pytest.mark.parametrize("text, expected", [
    ("y", True), ("Y", True), ("n", False), ("N", False),  # PyYAML's table lacks these four
    ("yes", True), ("Yes", True), ("YES", True), ("on", True), ("ON", True), ("true", True),
    ("no", False), ("NO", False), ("off", False), ("Off", False), ("FALSE", False),
    ("yEs", "yEs"), ("oN", "oN"), ("tRue", "tRue"), ("yy", "yy"), ("n1", "n1"),  # not in the table
    ('"y"', "y"), ("'N'", "N"), ("!!str y", "y"), ("!!bool y", True), ("!!bool N", False),
    ("[y, n]", [True, False]), ("{y: 1}", {True: 1}),
])
def test_booleans_as_go_yaml_v2(text: str, expected: object) -> None:
    got = value(text)
    assert got == expected and type(got) is type(expected)


def test_block_scalar_y_is_a_string() -> None:
    assert value("|-\n  y") == "y"
