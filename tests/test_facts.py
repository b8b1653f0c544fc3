"""Facts kept between runs (lint/load/facts.py) and the IPAM analysis codec (lint/net/ipam_codec.py).

An analysis read back from the fact cache must be the analysis itself: every field of every
pool and issue, with its type (an IPv4-mapped address is IPv4 while its network is IPv6).
A fact file that was tampered with is computed again, never believed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fuzz import ipam_keys, ipam_values

from multus_lint.cli import main
from multus_lint.load.cache import read_cache_file
from multus_lint.net import ipam_codec
from multus_lint.net.addresses import IpamAnalysis, analyze_ipam

FAST = settings(max_examples=examples(300), deadline=None)

# addresses as configs write them: good, sloppy (leading zeros), IPv6, IPv4-mapped, broken
ADDRESSES = ["10.0.0.0", "10.0.0.1", "10.0.0.200", "10.0.1.5", "010.0.0.9", "192.168.1.0",
             "192.168.1.254", "fd00::", "fd00::1", "fd00::ff", "::ffff:10.0.0.7", "::ffff:a00:1",
             "fe80::1", "10.0.0.256", "", "x", "10.0.0.1 "]
PREFIXES = ["/24", "/16", "/30", "/31", "/32", "/64", "/120", "/104", "/00024", "/33", ""]
address = st.sampled_from(ADDRESSES)
cidr = st.builds(lambda a, p: a + p, address, st.sampled_from(PREFIXES))
maybe = st.one_of(st.none(), address)


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


routes = st.one_of(st.none(), st.lists(st.builds(lambda d, g: _drop_none({"dst": d, "gw": g}),
                                                 st.one_of(cidr, st.just("0.0.0.0/0")), maybe), max_size=2))
whereabouts = st.builds(
    lambda rng, a, b, ex, gw, name, ovl, ipr, rt: _drop_none({
        "type": "whereabouts", "range": rng, "range_start": a, "range_end": b, "exclude": ex,
        "gateway": gw, "network_name": name, "enable_overlapping_ranges": ovl, "ipRanges": ipr,
        "routes": rt}),
    st.one_of(st.none(), cidr, st.builds(lambda a, b, p: f"{a}-{b}{p}", address, address,
                                         st.sampled_from(PREFIXES))),
    maybe, maybe, st.one_of(st.none(), st.lists(st.one_of(cidr, address), max_size=3)), maybe,
    st.one_of(st.none(), st.sampled_from(["", "blue", "red"])), st.one_of(st.none(), st.booleans(), st.just("no")),
    st.one_of(st.none(), st.lists(st.builds(lambda r, e: _drop_none({"range": r, "exclude": e}), cidr,
                                            st.one_of(st.none(), st.lists(cidr, max_size=2))), max_size=2)),
    routes)
host_range = st.builds(lambda s, a, b, g: _drop_none({"subnet": s, "rangeStart": a, "rangeEnd": b, "gateway": g}),
                       cidr, maybe, maybe, maybe)
host_local = st.builds(
    lambda ranges, subnet, gw, rt: _drop_none({"type": "host-local", "ranges": ranges, "subnet": subnet,
                                               "gateway": gw, "routes": rt}),
    st.one_of(st.none(), st.lists(st.lists(host_range, min_size=1, max_size=2), max_size=2)),
    st.one_of(st.none(), cidr), maybe, routes)
static = st.builds(
    lambda addrs, rt: _drop_none({"type": "static", "addresses": addrs, "routes": rt}),
    st.one_of(st.none(), st.lists(st.builds(lambda a, g: _drop_none({"address": a, "gateway": g}), cidr, maybe),
                                  max_size=3)),
    routes)
garbage = st.builds(lambda d, kind: {**d, "type": kind} if kind else d,
                    st.dictionaries(ipam_keys, ipam_values, max_size=6),
                    st.sampled_from(["whereabouts", "host-local", "static", "dhcp", None]))
IPAMS = st.one_of(whereabouts, host_local, static, garbage)
VERSIONS = st.sampled_from(["0.3.1", "1.0.0", "0.2.0", "", None, 1])


def fields(a: IpamAnalysis) -> Any:
    """Everything an analysis holds, each value with its type."""
    def typed(v: Any) -> Any:
        if isinstance(v, (list, tuple)):
            return (type(v).__name__, tuple(typed(x) for x in v))
        return (type(v).__name__, str(v) if v is not None else None)

    pools = [tuple(typed(getattr(p, name)) for name in (
        "network", "path", "start", "end", "gateway_path", "gateway", "exclude", "label", "kind",
        "network_name", "overlapping", "address")) for p in a.pools]
    issues = [tuple(typed(getattr(i, name)) for name in ("code", "path", "message", "severity"))
              for i in a.issues]
    return (a.kind, pools, issues)


@FAST
@given(IPAMS, VERSIONS)
def test_an_analysis_read_back_is_the_analysis(ipam: dict, version: Any) -> None:
    analysis = analyze_ipam(ipam, version)
    try:
        raw = ipam_codec.encode(analysis)
    except TypeError:
        return  # (a YAML key that is no string or integer in a path: not kept)
    back = ipam_codec.decode(json.loads(json.dumps(raw)))
    assert back is not None
    assert fields(back) == fields(analysis)


def test_the_codec_meets_pools_of_every_kind() -> None:
    """The strategies above reach what they are for (not only the garbage)."""
    samples = [
        {"type": "whereabouts", "range": "10.0.0.0/24", "exclude": ["10.0.0.0/30"], "gateway": "10.0.0.1",
         "network_name": "blue", "enable_overlapping_ranges": False},
        {"type": "host-local", "ranges": [[{"subnet": "fd00::/64", "gateway": "fd00::1"}]]},
        {"type": "static", "addresses": [{"address": "::ffff:10.0.0.7/104"}]},
        {"type": "whereabouts", "range": "10.0.0.0/33"},
    ]
    kinds = set()
    for ipam in samples:
        a = analyze_ipam(ipam, "0.3.1")
        kinds |= {p.kind for p in a.pools}
        back = ipam_codec.decode(json.loads(json.dumps(ipam_codec.encode(a))))
        assert back is not None and fields(back) == fields(a)
    assert kinds == {"whereabouts", "host-local", "static"}
    assert analyze_ipam(samples[3]).issues  # an issue, kept as well


FORGED: list[Any] = [
    None, 1, "x", [], {}, ["whereabouts"], ["k", [], [], 1], ["k", "pools", []], ["k", [], "issues"],
    ["k", [[[4, 10, 24]]], []],  # a pool of the wrong length
    ["k", [[[4, 167772161, 24], [], None, None, None, None, [], "", "", "", True, None]], []],  # host bits
    ["k", [[[5, 1, 24], [], None, None, None, None, [], "", "", "", True, None]], []],
    ["k", [[[4, 1 << 33, 24], [], None, None, None, None, [], "", "", "", True, None]], []],
    ["k", [[[4, 0, 40], [], None, None, None, None, [], "", "", "", True, None]], []],
    ["k", [[[4, 0, 24], [1.5], None, None, None, None, [], "", "", "", True, None]], []],
    ["k", [[[4, 0, 24], [], [4, -1], None, None, None, [], "", "", "", True, None]], []],
    ["k", [[[4, 0, 24], [], [6, 1 << 128], None, None, None, [], "", "", "", True, None]], []],
    ["k", [[[4, 0, 24], [], None, None, "gw", None, [], "", "", "", True, None]], []],
    ["k", [[[4, 0, 24], [], None, None, None, None, [[4, 0]], "", "", "", True, None]], []],
    ["k", [[[4, 0, 24], [], None, None, None, None, [], 1, "", "", True, None]], []],
    ["k", [[[4, 0, 24], [], None, None, None, None, [], "", "", "", 1, None]], []],
    ["k", [[[True, 0, 24], [], None, None, None, None, [], "", "", "", True, None]], []],
    ["k", [], [["ML204", [], "m"]]], ["k", [], [["ML204", [], "m", 3]]], ["k", [], [[1, [], "m", None]]],
    ["k", [], [["ML204", "p", "m", None]]],
]


@pytest.mark.parametrize("raw", FORGED, ids=range(len(FORGED)))
def test_decoding_refuses_what_encode_never_writes(raw: Any) -> None:
    assert ipam_codec.decode(raw) is None


@settings(max_examples=examples(100), deadline=None)
@given(st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-2, 1 << 130), st.text(max_size=3)),
                    lambda kids: st.lists(kids, max_size=12), max_leaves=40))
def test_decoding_anything_never_raises(raw: Any) -> None:
    out = ipam_codec.decode(raw)
    assert out is None or isinstance(out, IpamAnalysis)


# ------------------------------------------------------------------------ through the runs


NADS = [
    ("a.yaml", {"type": "whereabouts", "range": "10.1.0.0/24", "gateway": "10.1.0.1"}),
    ("b.yaml", {"type": "whereabouts", "range": "10.1.0.0/25", "network_name": "other"}),
    ("c.yaml", {"type": "host-local", "ranges": [[{"subnet": "10.1.0.0/24", "gateway": "10.9.0.1"}]]}),
]


def _project(root: Path) -> Path:
    (root / ".multus-lint.yaml").write_text("{}\n")
    for i, (name, ipam) in enumerate(NADS):
        config = json.dumps({"cniVersion": "0.3.1", "type": "macvlan", "master": "eth0", "ipam": ipam})
        (root / name).write_text(f"apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\n"
                                 f"metadata:\n  name: n{i}\n  namespace: apps\nspec:\n  config: '{config}'\n")
    return root


def _lint(root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, *args: str) -> str:
    monkeypatch.chdir(root)
    main(["--format", "json", *args])
    return capsys.readouterr().out


def test_a_second_run_reads_the_analyses_of_unchanged_configs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    root = _project(tmp_path)
    cache = tmp_path / "cache"
    want = _lint(root, monkeypatch, capsys, "--no-cache", "a.yaml")
    # the named NAD's pool overlaps both others' (ML304 judges the whole project's pools)
    assert sorted((f["code"], f["column"]) for f in json.loads(want)["findings"]) == \
        [("ML201", 73), ("ML303", 129), ("ML304", 105), ("ML304", 105)]
    assert _lint(root, monkeypatch, capsys, "--cache-dir", str(cache), "a.yaml") == want
    (facts,) = cache.glob("facts-*.cache")
    found = read_cache_file(str(facts))
    assert found is not None and len(json.loads(found[1])["ipam"]) == len(NADS)

    def refuse(*args: Any) -> Any:
        raise AssertionError("analysed again")

    # the named file edited (no replay): the context's configs come from the fact file
    monkeypatch.setattr(ipam_codec, "analyze_ipam", refuse)
    with open(root / "a.yaml", "a", encoding="utf-8") as fh:
        fh.write("# edited\n")
    edited = _lint(root, monkeypatch, capsys, "--cache-dir", str(cache), "a.yaml")
    monkeypatch.undo()
    assert edited == _lint(root, monkeypatch, capsys, "--no-cache", "a.yaml")


@pytest.mark.parametrize("payload", [b"", b"[", b'{"ipam": 1}', b'{"ipam": {"k": 1}}', b"[1, 2]"])
def test_a_tampered_fact_file_is_computed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture, payload: bytes) -> None:
    root = _project(tmp_path)
    cache = tmp_path / "cache"
    _lint(root, monkeypatch, capsys, "--cache-dir", str(cache), "a.yaml")
    (facts,) = cache.glob("facts-*.cache")
    found = read_cache_file(str(facts))
    assert found is not None
    header, stored = found
    # entries of the right keys and the wrong shape
    forged = {"ipam": {k: ["whereabouts", "pools", []] for k in json.loads(stored)["ipam"]}}
    for body in (payload, json.dumps(forged).encode()):
        facts.write_bytes(json.dumps(header).encode() + b"\n" + body)
        with open(root / "a.yaml", "a", encoding="utf-8") as fh:
            fh.write("# edited\n")  # no replay of the last run
        assert _lint(root, monkeypatch, capsys, "--cache-dir", str(cache), "a.yaml") == \
            _lint(root, monkeypatch, capsys, "--no-cache", "a.yaml")


def test_the_fact_file_is_written_only_when_its_facts_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    root = _project(tmp_path)
    cache = tmp_path / "cache"
    _lint(root, monkeypatch, capsys, "--cache-dir", str(cache), "a.yaml")
    (facts,) = cache.glob("facts-*.cache")
    os.utime(facts, ns=(1, 1))
    with open(root / "a.yaml", "a", encoding="utf-8") as fh:
        fh.write("# edited\n")  # every config as before: every fact read, none made
    _lint(root, monkeypatch, capsys, "--cache-dir", str(cache), "a.yaml")
    assert facts.stat().st_mtime_ns == 1
    (root / "c.yaml").unlink()  # one fact the run no longer uses: the file holds what it used
    _lint(root, monkeypatch, capsys, "--cache-dir", str(cache), "a.yaml")
    found = read_cache_file(str(facts))
    assert found is not None and len(json.loads(found[1])["ipam"]) == len(NADS) - 1
