"""Address parsing and IPAM analysis, checked against the plugins' own test tables.

Cases come from containernetworking/plugins host-local ``range_test.go``,
``range_set_test.go`` and ``config_test.go``, and whereabouts ``config_test.go``,
``iphelpers_test.go`` and ``allocate_test.go`` (see /work/shared/research/ipam.md).
"""

from __future__ import annotations

import ipaddress

import pytest

from multus_lint.net.addresses import (
    analyze_ipam,
    find_key,
    getk,
    parse_cidr,
    parse_exclude,
    parse_ip,
    whereabouts_range,
)

# ------------------------------------------------------------------ Go parsing


@pytest.mark.parametrize("text, sloppy, expected", [
    ("192.168.1.1", False, "192.168.1.1"),
    ("192.168.01.1", False, None),           # Go >= 1.17 rejects leading zeros
    ("00192.00168.1.5", True, "192.168.1.5"),  # ParseIPSloppy accepts them
    ("::ffff:10.1.2.3", False, "10.1.2.3"),    # Go: the IPv4 address
    ("2001:db8::1", False, "2001:db8::1"),
    ("fe80::1%eth0", False, None),             # zones are not IPs
    (" 10.0.0.1", False, None),
    ("10.0.0.1/24", False, None),
    (17, False, None),
])
def test_parse_ip_like_go(text, sloppy, expected):
    got = parse_ip(text, sloppy=sloppy)
    assert (str(got) if got is not None else None) == expected


@pytest.mark.parametrize("text, sloppy, expected", [
    ("10.0.0.0/8", False, ("10.0.0.0", "10.0.0.0/8")),
    ("10.1.2.3/24", False, ("10.1.2.3", "10.1.2.0/24")),   # host bits kept in the address
    ("10.0.0.0/024", False, ("10.0.0.0", "10.0.0.0/24")),  # Go's dtoi takes leading zeros
    ("10.0.0.0/33", False, None),
    ("10.0.0.0", False, None),                              # a bare IP is not a CIDR
    ("00192.00168.1.0/24", True, ("192.168.1.0", "192.168.1.0/24")),
    ("00192.00168.1.0/24", False, None),
    ("2001:db8::/129", False, None),
    ("2001:db8:1::24:19ff:fee1:c44a/64", False, ("2001:db8:1:0:24:19ff:fee1:c44a", "2001:db8:1::/64")),
])
def test_parse_cidr_like_go(text, sloppy, expected):
    got = parse_cidr(text, sloppy=sloppy)
    assert (tuple(map(str, got)) if got else None) == expected


def test_keys_match_case_insensitively_last_wins():
    d = {"Range_Start": "a", "range_start": "b", "rangeStart": "c"}
    assert find_key(d, "range_start") == "range_start"
    assert getk(d, "RANGE_START") == "b"
    assert getk(d, "rangestart") == "c"
    assert getk({"x": 1}, "range_start", "dflt") == "dflt"


# ------------------------------------------------------------------ whereabouts


@pytest.mark.parametrize("text, net, start, end", [
    ("192.168.2.225/28", "192.168.2.224/28", None, None),
    ("192.168.1.5-192.168.1.25/24", "192.168.1.0/24", "192.168.1.5", "192.168.1.25"),
    ("00192.00168.1.5-000000192.168.1.25/24", "192.168.1.0/24", "192.168.1.5", "192.168.1.25"),
    ("2001::1-2001::10/64", "2001::/64", "2001::1", "2001::10"),
    ("2001::0/116", "2001::/116", None, None),
])
def test_whereabouts_range_forms(text, net, start, end):
    n, a, b = whereabouts_range(text)
    assert (str(n), str(a) if a else None, str(b) if b else None) == (net, start, end)


@pytest.mark.parametrize("text, reason", [
    ("10.0.0.10", "invalid CIDR 10.0.0.10"),
    ("192.168.1.5-192.168.1.25", "invalid CIDR '192.168.1.25'"),
    ("foo-192.168.1.25/24", "invalid range start IP: foo"),
    ("192.168.1.5-192.168.2.25/28", "invalid range start for CIDR 192.168.2.16/28: 192.168.1.5"),
])
def test_whereabouts_range_errors(text, reason):
    with pytest.raises(ValueError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        whereabouts_range(text)


def _wb(**ipam):
    return analyze_ipam({"type": "whereabouts", **ipam})


@pytest.mark.parametrize("ipam, first, last", [
    # iphelpers_test.go GetIPRange table
    ({"range": "192.168.21.100/30"}, "192.168.21.101", "192.168.21.102"),
    ({"range": "192.168.2.200/24", "range_start": "192.168.2.23"}, "192.168.2.23", "192.168.2.254"),
    ({"range": "192.168.2.200/27"}, "192.168.2.193", "192.168.2.222"),
    ({"range": "192.168.2.200/24", "range_end": "192.168.2.100"}, "192.168.2.1", "192.168.2.100"),
    ({"range": "192.168.2.200/24", "range_start": "192.168.1.150", "range_end": "192.168.3.100"},
     "192.168.2.1", "192.168.2.254"),
    ({"range": "192.168.2.200/24", "range_start": "192.168.2.100", "range_end": "192.168.2.50"},
     "192.168.2.100", "192.168.2.254"),
    ({"range": "192.168.2.200/24", "range_start": "192.168.2.50", "range_end": "192.168.2.50"},
     "192.168.2.50", "192.168.2.50"),
    ({"range": "2001::0/116"}, "2001::1", "2001::ffe"),
    ({"range": "fd:db8:abcd:0012::0/96"}, "fd:db8:abcd:12::1", "fd:db8:abcd:12::ffff:fffe"),
])
def test_whereabouts_effective_bounds(ipam, first, last):
    pool = _wb(**ipam).pools[0]
    assert (str(pool.start), str(pool.end)) == (first, last)


@pytest.mark.parametrize("ipam, path, reason", [
    ({"range": "10.0.0.0/31"}, ("range",), "too small"),
    ({"range": "10.0.0.4/32"}, ("range",), "too small"),
    ({"range": "fd00::/127"}, ("range",), "too small"),
    ({"range": "10.0.0.0/24", "range_start": "not-an-ip"}, ("range_start",), "not an IP address"),
    ({"range": "10.0.0.0/24", "range_start": "10.0.0.0"}, ("range_start",), "outside the usable range"),
    ({"range": "10.0.0.0/24", "range_start": "10.0.0.100", "range_end": "10.0.0.50"},
     ("range_end",), "before range_start"),
    ({"range": "10.0.0.0/24", "range_end": "10.0.0.255"}, ("range_end",), "outside the usable range"),
    ({"range": "192.168.0.0/29", "exclude": ["192.168.0.1/123"]}, ("exclude", 0), "could not parse"),
    ({"range": "100::2:1/125", "exclude": ["100::2::1"]}, ("exclude", 0), "could not parse"),
    ({"range": "10.0.0.0/24", "exclude": ["10.0.00.1"]}, ("exclude", 0), "strict"),
    ({"range": "10.0.0.0/24", "exclude": ["10.1.0.0/24"]}, ("exclude", 0), "outside range"),
    ({"ipRanges": [{"range": "10.0.0.0/24"}], "exclude": ["10.0.0.1"]}, ("exclude",), "ignored"),
    ({"ipRanges": [{"range": "10.0.0.0/24"}, {"range": "10.0.0.1/24"}]}, ("ipRanges", 1, "range"),
     "same network"),
    ({"range": "192.168.1.5-192.168.1.25/24", "range_start": "192.168.1.9"}, ("range_start",),
     "A-B/prefix"),
    ({"range": "10.0.0.0/24", "gateway": "10.0.0.300"}, ("gateway",), "couldn't parse gateway IP"),
    ({"range": "10.0.0.0/24", "routes": [{"dst": "10.1.0.0"}]}, ("routes", 0, "dst"), "not a CIDR"),
])
def test_whereabouts_issues(ipam, path, reason):
    issues = _wb(**ipam).issues
    assert [(i.code, i.path) for i in issues] == [("ML204", path)], issues
    assert reason in issues[0].message


@pytest.mark.parametrize("ipam", [
    {"range": "192.168.0.0/29", "exclude": ["192.168.0.0/30", "192.168.0.1"]},
    {"range": "100::2:1/125", "exclude": ["100::2:1/126", "100::2:1"]},
    {"range": "2001:db8::/30", "exclude": ["2001:db8::0/32"]},
    {"range": "00192.00168.1.0/24", "range_start": "00192.00168.1.44", "range_end": "00192.00168.01.209"},
    {"ipRanges": [{"range": "10.0.0.0/24", "exclude": ["10.0.0.1"]}, {"range": "fd00::/64"}]},
])
def test_whereabouts_valid(ipam):
    assert _wb(**ipam).issues == []


def test_whereabouts_top_level_range_comes_first():
    a = _wb(range="10.0.0.0/24", ipRanges=[{"range": "10.1.0.0/24"}], exclude=["10.0.0.1"])
    assert [str(p.network) for p in a.pools] == ["10.0.0.0/24", "10.1.0.0/24"]
    assert a.pools[0].exclude == [ipaddress.ip_network("10.0.0.1/32")]
    assert a.pools[1].exclude == []  # top-level exclude is not inherited


def test_whereabouts_pool_identity_fields():
    p = _wb(range="10.0.0.0/24", network_name="blue", enable_overlapping_ranges=False).pools[0]
    assert (p.kind, p.network_name, p.overlapping) == ("whereabouts", "blue", False)
    assert _wb(range="10.0.0.0/24").pools[0].overlapping is True  # whereabouts' default


def test_parse_exclude_strict_single_ip():
    assert str(parse_exclude("10.0.0.1")) == "10.0.0.1/32"
    assert str(parse_exclude("fd00::1")) == "fd00::1/128"
    assert parse_exclude("010.0.0.1") is None


# ------------------------------------------------------------------ host-local (DOMAIN.md [IPAM-2])


def _hl(**ipam):
    return analyze_ipam({"type": "host-local", **ipam})


HOST_LOCAL_CASES = [
    # (case id, ipam, path of the finding, reason: host-local's own error text)
    ("host-bits-v4", {"ranges": [[{"subnet": "192.0.2.12/24"}]]}, ("ranges", 0, 0, "subnet"),
     "Network has host bits set. For a subnet mask of length 24 the network address is 192.0.2.0"),
    ("host-bits-v6", {"ranges": [[{"subnet": "2001:DB8:24:19ff::/63"}]]}, ("ranges", 0, 0, "subnet"),
     "the network address is 2001:db8:24:19fe::"),
    ("host-bits-legacy", {"subnet": "192.168.127.0/23"}, ("subnet",),
     "For a subnet mask of length 23 the network address is 192.168.126.0"),
    ("slash-31", {"ranges": [[{"subnet": "192.0.2.0/31"}]]}, ("ranges", 0, 0, "subnet"),
     "Network 192.0.2.0/31 too small to allocate from"),
    ("slash-127", {"subnet": "fd00::/127"}, ("subnet",), "too small to allocate from"),
    ("start-outside", {"ranges": [[{"subnet": "192.0.2.0/24", "rangeStart": "192.0.3.0"}]]},
     ("ranges", 0, 0, "rangeStart"), "192.0.3.0 not in network 192.0.2.0/24"),
    ("end-outside", {"ranges": [[{"subnet": "192.0.2.0/24", "rangeEnd": "192.0.4.0"}]]},
     ("ranges", 0, 0, "rangeEnd"), "192.0.4.0 not in network 192.0.2.0/24"),
    ("reversed", {"ranges": [[{"subnet": "192.0.2.0/24", "rangeStart": "192.0.2.50",
                               "rangeEnd": "192.0.2.40"}]]},
     ("ranges", 0, 0, "rangeStart"), "192.0.2.50 is in network 192.0.2.0/24 but after end 192.0.2.40"),
    ("start-outside-v6", {"subnet": "2001:db8:1::/64", "rangeStart": "2001:db8:2::1"}, ("rangeStart",),
     "2001:db8:2::1 not in network 2001:db8:1::/64"),
    ("start-other-family", {"subnet": "10.0.0.0/24", "rangeStart": "fd00::1"}, ("rangeStart",),
     "is not the same protocol as subnet 10.0.0.0/24"),
    ("overlap-in-set", {"ranges": [[{"subnet": "10.1.0.0/22"}, {"subnet": "10.1.2.0/24"}]]},
     ("ranges", 0, 1, "subnet"), "subnets 10.1.0.1-10.1.3.254 and 10.1.2.1-10.1.2.254 overlap"),
    ("overlap-in-set-v4-20", {"ranges": [[{"subnet": "192.168.0.0/20"}, {"subnet": "192.168.2.0/24"}]]},
     ("ranges", 0, 1, "subnet"), "subnets 192.168.0.1-192.168.15.254 and 192.168.2.1-192.168.2.254 overlap"),
    ("overlap-across-sets", {"ranges": [[{"subnet": "10.1.2.0/24"}, {"subnet": "10.2.2.0/24"}],
                                        [{"subnet": "10.1.4.0/24"}, {"subnet": "10.1.6.0/24"},
                                         {"subnet": "10.1.8.0/24"}, {"subnet": "10.1.2.0/24"}]]},
     ("ranges", 1, 0, "subnet"), "range set 0 overlaps with 1"),
    ("legacy-overlaps-ranges", {"subnet": "10.3.0.0/16", "ranges": [[{"subnet": "10.3.4.0/24"}]]},
     ("ranges", 0, 0, "subnet"), "range set 0 overlaps with 1"),
    ("mixed-families", {"ranges": [[{"subnet": "10.1.0.0/22"}, {"subnet": "2001:db8:5::/64"}]]},
     ("ranges", 0, 1, "subnet"), "mixed address families"),
    ("not-a-list-of-lists", {"ranges": [{"subnet": "10.0.0.0/24"}]}, ("ranges",), "list of range sets"),
    ("empty-set", {"ranges": [[{"subnet": "10.0.0.0/24"}], []]}, ("ranges", 1), "empty range set"),
    ("no-ranges", {"dataDir": "/tmp"}, (), "no IP ranges specified"),
    ("bad-subnet", {"subnet": "node-2"}, ("subnet",), "invalid CIDR address: node-2"),
    ("bad-gateway", {"subnet": "10.0.0.0/24", "gateway": "10.0.0.256"}, ("gateway",), "invalid IP address"),
]


@pytest.mark.parametrize("ipam, path, reason", [c[1:] for c in HOST_LOCAL_CASES],
                         ids=[c[0] for c in HOST_LOCAL_CASES])
def test_host_local_range_validation(ipam, path, reason):
    issues = _hl(**ipam).issues
    assert [(i.code, i.path) for i in issues] == [("ML205", path)], issues
    assert reason in issues[0].message


@pytest.mark.parametrize("ipam", [
    {"subnet": "192.0.2.0/24"},
    {"subnet": "192.0.2.0/25"},
    {"ranges": [[{"subnet": "2001:DB8:1::/64"}]]},
    {"ranges": [[{"subnet": "192.0.2.0/24", "rangeStart": "192.0.2.40", "rangeEnd": "192.0.2.50",
                  "gateway": "192.0.2.254"}]]},  # gateway outside start..end is allowed
    {"ranges": [[{"subnet": "10.0.0.0/24", "rangeEnd": "10.0.0.127"},
                 {"subnet": "10.0.0.0/24", "rangeStart": "10.0.0.128"}]]},  # adjacent: no overlap
    {"ranges": [[{"subnet": "10.0.0.0/24"}], [{"subnet": "10.0.1.0/24"}]]},
    {"ranges": [[{"subnet": "0.0.0.0/24"}], [{"subnet": "::/24"}]]},  # families never overlap
    {"subnet": "10.1.2.0/24", "rangeStart": "10.1.2.9", "rangeEnd": "10.1.2.20", "gateway": "10.1.2.30",
     "ranges": [[{"subnet": "11.1.2.0/24"}]]},
])
def test_host_local_valid(ipam):
    assert _hl(**ipam).issues == []


def test_host_local_defaults_like_the_plugin():
    v4 = _hl(subnet="192.0.2.0/24").pools[0]
    assert (str(v4.start), str(v4.end)) == ("192.0.2.1", "192.0.2.254")
    v6 = _hl(ranges=[[{"subnet": "2001:db8:1::/64"}]]).pools[0]
    assert (str(v6.start), str(v6.end)) == ("2001:db8:1::1", "2001:db8:1:0:ffff:ffff:ffff:ffff")


def test_host_local_reports_every_independent_problem():
    a = _hl(ranges=[[{"subnet": "10.0.0.1/24"}], [{"subnet": "10.1.0.0/31"}], [{"subnet": "fd00::/64"}]])
    assert [i.path for i in a.issues] == [("ranges", 0, 0, "subnet"), ("ranges", 1, 0, "subnet")]
    assert [str(p.network) for p in a.pools] == ["fd00::/64"]


@pytest.mark.parametrize("version, ranges, flagged", [
    ("0.2.0", [[{"subnet": "10.1.2.0/24"}], [{"subnet": "11.1.2.0/24"}]], ("ranges", 1, 0, "subnet")),
    (None, [[{"subnet": "10.1.2.0/24"}], [{"subnet": "11.1.2.0/24"}]], ("ranges", 1, 0, "subnet")),
    ("0.2.0", [[{"subnet": "10.1.2.0/24"}], [{"subnet": "2001:db8:1::/48"}]], None),  # one per family
    ("0.2.0", [[{"subnet": "10.1.2.0/24"}, {"subnet": "10.1.3.0/24"}]], None),  # one set, one address
    ("0.3.0", [[{"subnet": "10.1.2.0/24"}], [{"subnet": "11.1.2.0/24"}]], None),
])
def test_host_local_one_address_per_family_before_0_3_0(version, ranges, flagged):
    issues = analyze_ipam({"type": "host-local", "ranges": ranges}, version).issues
    assert [i.path for i in issues] == ([flagged] if flagged else [])
    assert all("does not support more than 1 address per family" in i.message for i in issues)


# ------------------------------------------------------------------ static


@pytest.mark.parametrize("ipam, path, reason, severity", [
    ({"addresses": [{"address": "10.0.0.1"}]}, ("addresses", 0, "address"), "bare IP", None),
    ({"addresses": [{"address": "10.0.0.1/24", "gateway": "10.0.0.x"}]}, ("addresses", 0, "gateway"),
     "invalid IP address", None),
    ({"addresses": [{"address": "fd00::10/64"}], "routes": [{"dst": "fd01::"}]}, ("routes", 0, "dst"),
     "not a CIDR", None),
    ({"addresses": [{"address": "172:2:0:1::/64"}]}, ("addresses", 0, "address"), "subnet-router anycast",
     "warning"),
    ({"addresses": [{"address": "10.0.0.255/24"}]}, ("addresses", 0, "address"), "broadcast", "warning"),
])
def test_static_issues(ipam, path, reason, severity):
    issues = analyze_ipam({"type": "static", **ipam}).issues
    assert [(i.code, i.path, i.severity) for i in issues] == [("ML206", path, severity)], issues
    assert reason in issues[0].message


def test_static_pools_are_single_addresses():
    a = analyze_ipam({"type": "static", "Addresses": [{"Address": "10.0.0.5/24", "gateway": "10.0.0.1"},
                                                      {"address": "fd00::5/64"}]})
    assert a.issues == []
    assert [(str(p.start), str(p.end), str(p.network)) for p in a.pools] == [
        ("10.0.0.5", "10.0.0.5", "10.0.0.0/24"), ("fd00::5", "fd00::5", "fd00::/64")]
    assert a.pools[0].gateway_path == ("Addresses", 0, "gateway")


def test_unknown_ipam_types_have_no_pools():
    assert analyze_ipam({"type": "dhcp"}).pools == []
    assert analyze_ipam({"type": "Whereabouts", "range": "10.0.0.0/24"}).pools == []


# ------------------------------------------------------------------ never crash on input

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 2**33), st.floats(allow_nan=False),
                     st.sampled_from(["10.0.0.0/24", "10.0.0.1", "fd00::/64", "fd00::1", "10.0.0.5-10.0.0.9/24",
                                      "0.0.0.0/0", "::/0", "10.0.0.0/31", "x", "", "10.0.0.0/33", "1-2-3"]))
_keys = st.sampled_from(["type", "range", "range_start", "range_end", "exclude", "ipRanges", "gateway",
                         "ranges", "subnet", "rangeStart", "rangeEnd", "addresses", "address", "routes",
                         "dst", "gw", "network_name", "enable_overlapping_ranges", "RANGE", "Subnet"])
_json = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(_keys, inner, max_size=6)),
                     max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["whereabouts", "host-local", "static", "dhcp"]),
       st.dictionaries(_keys, _json, max_size=8))
def test_analysis_never_raises(kind, ipam):
    ipam = {**ipam, "type": kind}
    a = analyze_ipam(ipam)
    assert all(i.code in ("ML204", "ML205", "ML206") for i in a.issues)
    for p in a.pools:
        assert p.start is None or p.end is None or p.start.version == p.end.version == p.network.version


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_keys, _json, max_size=8))
def test_schema_validation_never_raises(instance):
    from multus_lint.validate.cni import IPAM_SCHEMAS, validate

    for name in IPAM_SCHEMAS.values():
        for e in validate(name, instance):
            assert isinstance(e.message, str) and isinstance(e.path, tuple)
