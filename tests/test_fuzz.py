"""Property tests (hypothesis): the parsers never raise, and positions stay inside the text.

Kept fast (a few dozen to a few hundred examples each, no deadline): they run with the suite.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from conftest import examples
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from multus_lint.findings import Span
from multus_lint.load.goyaml import V2_ONLY_BOOLS
from multus_lint.load.parse import parse_file, parse_json, parse_yaml
from multus_lint.load.positions import (
    EDITOR_BREAK,
    JsonTree,
    ShiftMap,
    YamlTree,
    scan_json,
    split_lines,
)
from multus_lint.load.read import Limits, SourceFile, decode
from multus_lint.model.project import build_project
from multus_lint.net.addresses import (
    AddressError,
    analyze_ipam,
    ipam_subnets,
    parse_cidr,
    parse_ip,
    whereabouts_range,
)
from multus_lint.net.annotation import parse as parse_annotation

# the ci profile (tests/conftest.py) makes these runs the same on every machine; the explore
# profile raises the budget and draws at random
FAST = settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
LIMITS = Limits()

# text that looks like YAML and JSON: their syntax characters, line ends of every kind,
# a BOM, tabs, anchors, tags and escapes are where parsers and position maps break
YAML_CHARS = list(" \n\n\n\t-:?[]{},&*!|>'\"#%@`\\.abcxyz01\r\ufeff\x85\u2028é") + [
    "---\n", "...\n", "a: ", "- ", "  ", "&a ", "*a", "!!python/object:os.system ", "!!str ",
    "<<: ", "|\n  ", ">-\n  ", '"\\u00e9"', "{{ x }}"]
yaml_like = st.lists(st.sampled_from(YAML_CHARS), max_size=60).map("".join)
any_text = st.one_of(yaml_like, st.text(max_size=200))

JSON_CHARS = list(' \n\t{}[],:"\\/tfnrue0123456789.-+Eabcé') + ['"a"', '"b": ', "null", "true", "\\u00", "\\ud800"]
json_like = st.lists(st.sampled_from(JSON_CHARS), max_size=60).map("".join)

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                         st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12))
json_data = st.recursive(json_scalars, lambda kids: st.one_of(
    st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=8), kids, max_size=4)), max_leaves=20)


def inside(span: Span, text: str) -> bool:
    """A span of ``text`` (1-based): on one of its editor lines, at most one past its end."""
    lines = EDITOR_BREAK.split(text) or [""]
    if not 1 <= span.line <= max(len(lines), 1) or span.column < 1:
        return False
    return span.column <= len(lines[span.line - 1]) + 1


def paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(data, dict):
        for k, v in data.items():
            out += paths(v, prefix + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += paths(v, prefix + (i,))
    return out


# ------------------------------------------------------------------------ the loader


@FAST
@given(any_text)
def test_parse_yaml_never_raises(text: str) -> None:
    for parsed in parse_yaml(text, LIMITS):
        for prob in parsed.problems:
            assert prob.code.startswith("ML0")
            assert prob.span.line >= 1 and prob.span.column >= 1
        if parsed.tree is not None:
            for path in paths(parsed.tree.data)[:20]:
                parsed.tree.locate(path)
            parsed.tree.locate(("no", "such", 0, "path"))


@FAST
@given(st.one_of(json_like, st.text(max_size=100)))
def test_parse_json_never_raises(text: str) -> None:
    parsed = parse_json(text, LIMITS)
    if parsed.tree is not None:
        assert parsed.tree.data == json.loads(text)
        for path in paths(parsed.tree.data)[:20]:
            span, found = parsed.tree.locate(path)
            assert found and inside(span, text)


@FAST
@given(st.binary(max_size=300), st.sampled_from(["a.yaml", "a.json", "a.conflist", "-"]))
def test_reading_and_loading_any_bytes_never_raises(data: bytes, name: str) -> None:
    source = decode(name, data, LIMITS)
    assert (source.text is None) == (source.error is not None)
    if source.text is not None:
        parse_file(source, LIMITS)


@FAST
@given(json_like)
def test_scan_json_never_raises(text: str) -> None:
    root = scan_json(text)
    assert 0 <= root.start <= max(len(text), 0)


# ------------------------------------------------------------------------ annotations


annotation_like = st.lists(st.sampled_from(list(' ,/@[]{}":\\\n\t') + [
    "net1", "ns", "eth0", '"name"', '"namespace"', '"interface"', '"ips"', '"mac"', '"default-route"',
    '"10.0.0.1/24"', '"02:00:00:00:00:01"', "null", "1", "true", "{}", "[]"]), max_size=40).map("".join)


@FAST
@given(st.one_of(annotation_like, st.text(max_size=80)), st.sampled_from([None, 1, 3, 1000]))
def test_annotation_parser_never_raises(value: str, limit: int | None) -> None:
    parsed = parse_annotation(value, limit)
    if limit is not None:
        assert len(parsed.entries) <= limit
    for sel in parsed.entries:
        assert 0 <= sel.offset <= len(value)
        assert sel.offset <= sel.end <= len(value) + 1


# ------------------------------------------------------------------------ addresses


address_like = st.lists(st.sampled_from(list("0123456789abcdefABCDEF.:/%-x ") + [
    "10.", "192.168.", "::", "ffff:", "/24", "/64", "/33", "-", "010.", "1.2.3.4"]), max_size=12).map("".join)


@FAST
@given(st.one_of(address_like, st.text(max_size=20), st.integers(), st.none()), st.booleans())
def test_ip_and_cidr_parsing_never_raises(text: Any, sloppy: bool) -> None:
    ip = parse_ip(text, sloppy)
    cidr = parse_cidr(text, sloppy)
    assert ip is None or ip.version in (4, 6)
    assert cidr is None or cidr[0].version == cidr[1].version
    try:
        net, start, end = whereabouts_range(text)
    except AddressError:
        return  # the plugin's own rejection, with its reason
    assert start is None or start.version == net.version


ipam_keys = st.sampled_from(["type", "range", "range_start", "range_end", "gateway", "exclude",
                             "ipRanges", "ranges", "subnet", "rangeStart", "rangeEnd", "addresses",
                             "address", "routes", "dst", "gw", "configuration_path"])
ipam_values = st.recursive(
    st.one_of(address_like, st.sampled_from(["whereabouts", "host-local", "static", "dhcp"]), json_scalars),
    lambda kids: st.one_of(st.lists(kids, max_size=3), st.dictionaries(ipam_keys, kids, max_size=4)),
    max_leaves=12)


@FAST
@given(st.dictionaries(ipam_keys, ipam_values, max_size=6),
       st.sampled_from(["whereabouts", "host-local", "static", "dhcp", None]))
def test_ipam_analysis_never_raises(ipam: dict, kind: str | None) -> None:
    if kind is not None:
        ipam["type"] = kind
    ipam_subnets(ipam)
    analyze_ipam(ipam)


# ------------------------------------------------------------------------ position maps


class _Literal(yaml.SafeDumper):
    pass


@st.composite
def scalar_documents(draw: Any) -> tuple[str, str, str | None]:
    """(YAML text ``k: <value>``, the value, the style asked for) in every scalar style."""
    value = draw(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
    style = draw(st.sampled_from(['"', "'", "|", ">", None]))
    text = yaml.dump({"k": value}, Dumper=_Literal, default_style=style, allow_unicode=True, width=30)
    return text, value, style


@FAST
@given(scalar_documents(), st.integers(0, 12), st.integers(0, 80))
# a literal block whose first line is empty (no indentation in the file): found by the explore
# profile, it mapped past that line's end
@example(('"k": |2-\n\n  0\n', "\n0", "|"), 0, 0)
@example(("k: \"a\\x85b\"\n", "a\x85b", '"'), 0, 2)
def test_scalar_map_stays_inside_the_file(doc: tuple[str, str, str | None], line: int, col: int) -> None:
    text, _, _ = doc
    node = yaml.compose(text, Loader=yaml.CSafeLoader)
    # the value as loaded: YAML turns a NEL (and CRLF, CR) in a block or a folded line into "\n"
    value = node.value[0][1].value
    tree = YamlTree(node, {"k": value}, ShiftMap(0), text)
    smap = tree.scalar_map(("k",))
    assert smap is not None
    smap.to_outer(line, col)  # anywhere: never raises
    vlines = split_lines(value) or [""]
    line = min(line, len(vlines) - 1)  # a position inside the value (or just past a line's end)
    col = min(col, len(vlines[line]))
    ol, oc = smap.to_outer(line, col)
    assert inside(Span.point(ol, oc), text), (ol, oc)
    if smap.style == "|" and value.strip():
        # literal blocks: every character of the value is where it says, in editor lines
        # (a value line break may stand for a NEL, which an editor shows inside a line)
        lines = split_lines(text)
        for i, vline in enumerate(value.split("\n")):
            for j, ch in enumerate(vline):
                ol, oc = smap.to_outer(i, j)
                assert lines[ol - 1][oc - 1] == ch


@FAST
@given(json_data, st.sampled_from([None, 0, 2, 4]), st.lists(st.one_of(st.text(max_size=4), st.integers(-2, 5)),
                                                              max_size=4))
def test_json_tree_locates_every_path(data: Any, indent: int | None, junk: list) -> None:
    text = json.dumps(data, indent=indent)
    tree = JsonTree(text, data, ShiftMap(0))
    for path in paths(data):
        span, found = tree.locate(path)
        assert found and inside(span, text)
        if path and isinstance(path[-1], str):  # a key: the span starts at its quoted name
            line = text.split("\n")[span.line - 1]
            assert line[span.column - 1:].startswith(json.dumps(path[-1]))
    span, _ = tree.locate(tuple(junk))
    assert inside(span, text)


# ------------------------------------------------------------------------ the model


def _block_dumper() -> type[yaml.SafeDumper]:
    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        # PyYAML quotes what its own resolver would not read back as a string; go-yaml v2
        # (Kubernetes, and this loader) also reads y/Y/n/N as booleans: quoted too
        style = "|" if "\n" in value else '"' if value in V2_ONLY_BOOLS else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    return Dumper


DUMPER = _block_dumper()
dns_label = st.from_regex(r"\A[a-z]([-a-z0-9]{0,10}[a-z0-9])?\Z")
cni_config = st.fixed_dictionaries(
    {"cniVersion": st.sampled_from(["0.3.1", "1.0.0"]), "name": dns_label,
     "type": st.sampled_from(["macvlan", "ipvlan", "bridge"]),
     "ipam": st.fixed_dictionaries({"type": st.sampled_from(["whereabouts", "host-local", "static"])},
                                   optional={"range": address_like, "subnet": address_like,
                                             "gateway": address_like, "routes": st.lists(
                                                 st.fixed_dictionaries({"dst": address_like}), max_size=2)})},
    optional={"master": st.sampled_from(["eth1", "bond0"]), "mtu": st.integers(0, 9000),
              "extra": json_data})


@SLOW
@given(dns_label, st.one_of(st.none(), dns_label), cni_config, st.sampled_from([None, 0, 2]),
       st.lists(dns_label, min_size=1, max_size=4), st.booleans(), st.booleans())
def test_random_manifest_round_trips_with_positions_inside(name: str, namespace: str | None, config: dict,
                                                            indent: int | None, networks: list[str],
                                                            json_form: bool, crlf: bool) -> None:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    value = (json.dumps([{"name": n} for n in networks], indent=2) if json_form else ", ".join(networks))
    docs = [
        {"apiVersion": "k8s.cni.cncf.io/v1", "kind": "NetworkAttachmentDefinition", "metadata": meta,
         "spec": {"config": json.dumps(config, indent=indent)}},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {**meta, "annotations": {
            "k8s.v1.cni.cncf.io/networks": value}}, "spec": {"containers": []}},
    ]
    text = yaml.dump_all(docs, Dumper=DUMPER, sort_keys=False, allow_unicode=True)
    if crlf:
        text = text.replace("\n", "\r\n")
    project = build_project([SourceFile("m.yaml", text)], ".", LIMITS)
    assert not project.problems, project.problems
    check = text.replace("\r\n", "\n")
    [nad] = project.nads
    assert nad.name == name and nad.namespace == (namespace or "default")
    assert nad.config is not None and nad.config.data == config
    for path in paths(config):
        span, found = nad.config.locate(path)
        assert found and inside(span, check), (path, span)
        if path and isinstance(path[-1], str) and indent is not None:  # a key in a literal block
            line = check.split("\n")[span.line - 1]
            assert line[span.column - 1:].startswith(json.dumps(path[-1]))
    [pod] = project.workloads
    assert pod.pod_annotations["k8s.v1.cni.cncf.io/networks"] == value
    for doc in project.documents:
        for path in paths(doc.data):
            span, found = doc.locate(path)
            assert found and inside(span, check), (path, span)
