"""Where a Python reading of a value used to disagree with the upstream Go parser.

Each case names the upstream file and function whose behaviour it follows. The verdicts
were read from that code (and issue 13 reports them from runs of it on the same inputs);
where the two differ, the code wins and the comment says so.
"""

from __future__ import annotations

import pytest

from multus_lint.net.addresses import parse_cidr, parse_ip
from multus_lint.net.annotation import interface_clashes, interface_problem, parse
from multus_lint.net.gojson import fold


def verdict(value: str) -> str:
    p = parse(value)
    if p.error is not None or any(not e.ok for e in p.entries):
        return "ML401"
    if any(e.iface_errors for e in p.entries):
        return "ML404"
    if interface_clashes(p.entries):
        return "ML405"
    return "ok"


J = '[{{"name": "net1", {}}}]'

ENCODING_JSON = "golang/go src/encoding/json/decode.go"
K8SCLIENT = "multus-cni pkg/k8sclient/k8sclient.go parsePodNetworkAnnotation"


@pytest.mark.parametrize(("value", "expected", "upstream"), [
    # literalStore: null into a string field is ignored ("otherwise, ignore null for
    # primitives/string"): the earlier duplicate's value stays
    ('[{"name":"a","NAMe":null}]', "ok", f"{ENCODING_JSON} literalStore (null on a string)"),
    ('[{"name":"a","interface":"net1","interface":null},{"name":"b","interface":"net1"}]', "ML405",
     f"{ENCODING_JSON} literalStore: interface keeps net1"),
    (J.format('"mac":"zz","mac":null'), "ML401", f"{ENCODING_JSON} literalStore: mac keeps zz"),
    (J.format('"mac":"c2:11:22:33:44:66","MAC":null'), "ok", f"{ENCODING_JSON} literalStore"),
    (J.format('"ips":["bad"],"ips":null'), "ok", f"{ENCODING_JSON} literalStore: null zeroes a slice"),
    # object: duplicate keys decode in order, the last value is what Multus checks
    (J.format('"ips":["bad"],"ips":["10.0.0.1"]'), "ok", f"{K8SCLIENT} checks the decoded ips"),
    (J.format('"ips":["10.0.0.1"],"IPS":["bad"]'), "ML401", f"{K8SCLIENT} checks the decoded ips"),
    (J.format('"mac":"zz","Mac":"c2:11:22:33:44:66"'), "ok", f"{K8SCLIENT} checks the decoded mac"),
    # ... but a type error is saved (saveError) and fails Unmarshal whichever duplicate holds it
    (J.format('"ips":[5],"ips":["10.0.0.1"]'), "ML401", f"{ENCODING_JSON} saveError(UnmarshalTypeError)"),
    (J.format('"default-route":["x"],"default-route":["10.0.0.1"]'), "ML401",
     "golang/go src/net/ip.go IP.UnmarshalText: the error ends the decoding"),
    # object: a JSON object into a slice is an UnmarshalTypeError
    (J.format('"ips":{}'), "ML401", f"{ENCODING_JSON} object: object into []string"),
    (J.format('"ips":{"a":"10.0.0.1"}'), "ML401", f"{ENCODING_JSON} object: object into []string"),
    (J.format('"default-route":{}'), "ML401", f"{ENCODING_JSON} object: object into *[]net.IP"),
    (J.format('"portMappings":{}'), "ML401", f"{ENCODING_JSON} object: object into []*PortMapEntry"),
    (J.format('"ips":[{}]'), "ML401", f"{ENCODING_JSON} object: object into string"),
    (J.format('"ips":[]'), "ok", f"{ENCODING_JSON} array: an empty list"),
])
def test_encoding_json_decoding(value: str, expected: str, upstream: str) -> None:
    assert verdict(value) == expected, upstream


@pytest.mark.parametrize(("key", "tag", "same"), [
    ("NAME", "name", True),
    ("\u212aey", "key", True),  # KELVIN SIGN: orbit K k \u212a (unicode caseOrbit)
    ("ip\u017f", "ips", True),  # LONG S: orbit S s \u017f
    ("\u0131nterface", "interface", False),  # dotless i: its orbit is itself (Python: 'I')
    ("\u0130nterface", "interface", False),  # dotted capital I: itself (Python lower(): 'i' + U+0307)
    ("\ufb01", "fi", False),  # the ligature: itself (Python upper(): 'FI')
    ("n\u0430me", "name", False),  # Cyrillic a
    ("default_route", "default-route", False),
])
def test_go_fold_name(key: str, tag: str, same: bool) -> None:
    """golang/go src/encoding/json/fold.go foldName / foldRune (decode.go object: byFoldedName)."""
    assert (fold(key) == fold(tag)) is same


@pytest.mark.parametrize(("value", "expected"), [
    ('[{"n\u0131me":"net1"}]', "ML401"),  # no name field: dotless i does not fold to I
    ('[{"name":"net1","\u0131ps":["x"]}]', "ok"),  # an unknown key, ignored
    ('[{"name":"net1","ip\u017f":["x"]}]', "ML401"),  # the ips field
])
def test_go_fold_in_annotation(value: str, expected: str) -> None:
    """golang/go src/encoding/json/fold.go foldName, applied by decode.go object."""
    assert verdict(value) == expected


@pytest.mark.parametrize(("name", "ok"), [
    ("net1", True),
    ("net\u0085a", False), ("net\u1680a", False), ("net\u2000a", False), ("net\u200aa", False),
    ("net\u2028a", False), ("net\u2029a", False), ("net\u202fa", False), ("net\u205fa", False),
    ("net\u3000a", False), ("net\u00a0a", False), ("net\x0ba", False),
    ("net\u200ba", True),  # ZERO WIDTH SPACE is not unicode.IsSpace (category Cf)
    ("net\x00a", False),  # golang/go src/os/exec/exec.go dedupEnvCase: NUL in CNI_IFNAME
    ("\u00e9t\u00e9", True),
])
def test_libcni_validate_interface_name(name: str, ok: bool) -> None:
    """containernetworking/cni pkg/utils/utils.go ValidateInterfaceName (unicode.IsSpace runes)."""
    assert (interface_problem(name) is None) is ok


@pytest.mark.parametrize(("value", "clash"), [
    ("net1@lo", True), (J.format('"interface":"lo"'), True), ("net1@lo0", False), ("net1@LO", False),
])
def test_lo_already_exists(value: str, clash: bool) -> None:
    """multus-cni pkg/multus/multus.go validateIfName: 'interface name lo already exists'."""
    assert bool(interface_clashes(parse(value).entries)) is clash


@pytest.mark.parametrize(("text", "sloppy", "expected"), [
    ("10.0.0.1", False, "10.0.0.1"),
    ("10.0.0.1\n", False, None),  # Python re's '$' matches before a final newline; Go refuses it
    ("10.0.0.1\n", True, None),
    ("2001:db8::1\n", False, None),
    ("::ffff:10.0.0.1", False, "10.0.0.1"),  # To4() != nil
    ("::ffff:a00:1", False, "10.0.0.1"),  # hex spelling: the same 16 bytes
    ("::ffff:0:1", False, "0.0.0.1"),
    ("::ffff:010.0.0.1", False, None),  # netip: leading zero in the embedded quad
    ("::ffff:010.0.0.1", True, "10.0.0.1"),  # k8s.io/utils ParseIPSloppy: old parseIPv4
    ("010.0.0.1", True, "10.0.0.1"),
    ("0000000010.0.0.1", True, "10.0.0.1"),
    ("1" * 5000 + ".0.0.1", True, None),  # dtoi stops at 0xFFFFFF (and int() would raise)
    ("\uff11.0.0.1", False, None),  # fullwidth digit: Go reads ASCII only
    ("00fe80::1", False, None),  # netip.ParseAddr: at most 4 hex digits a group
    ("00fe80::1", True, "fe80::1"),  # k8s.io/utils ParseIPSloppy (Go 1.16 parseIPv6, xtoi): fits 16 bits
    ("1fe80::1", True, None),
])
def test_go_parse_ip(text: str, sloppy: bool, expected: str | None) -> None:
    """golang/go src/net/ip.go ParseIP (netip.ParseAddr, As16, To4); k8s.io/utils net ParseIPSloppy."""
    got = parse_ip(text, sloppy)
    assert (str(got) if got is not None else None) == expected


@pytest.mark.parametrize(("text", "addr", "net"), [
    ("10.0.0.0/24", "10.0.0.0", "10.0.0.0/24"),
    ("10.0.0.0/00024", "10.0.0.0", "10.0.0.0/24"),  # dtoi: any number of leading zeros
    ("10.0.0.0/" + "0" * 5000 + "24", "10.0.0.0", "10.0.0.0/24"),
    ("10.0.0.0/024\n", None, None),
    ("10.0.0.1\n/24", None, None),
    ("10.0.0.0/33", None, None),
    ("10.0.0.0/+24", None, None),
    ("10.0.0.0/", None, None),
    # the prefix counts over BitLen() of the address as written: 128 for a 4in6 address
    ("::ffff:0.0.0.0/0", "0.0.0.0", "::/0"),
    ("::ffff:10.0.0.0/120", "10.0.0.0", "::ffff:a00:0/120"),
    ("::ffff:10.0.0.0/24", "10.0.0.0", "::/24"),
    ("::ffff:10.0.0.0/129", None, None),
])
def test_go_parse_cidr(text: str, addr: str | None, net: str | None) -> None:
    """golang/go src/net/ip.go ParseCIDR (netip BitLen, CIDRMask) and src/net/parse.go dtoi."""
    got = parse_cidr(text)
    assert (tuple(map(str, got)) if got is not None else (None, None)) == (addr, net)


@pytest.mark.parametrize(("value", "expected"), [
    (J.format('"ips":["10.0.0.1\\n"]'), "ML401"),
    (J.format('"ips":["10.0.0.5/00024"]'), "ok"),
    (J.format('"ips":["::ffff:10.0.0.5/96"]'), "ok"),
    (J.format('"ips":["::ffff:10.0.0.5/24"]'), "ok"),
    (J.format('"ips":["::ffff:10.0.0.5/33"]'), "ok"),
])
def test_annotation_ips(value: str, expected: str) -> None:
    """multus-cni pkg/k8sclient/k8sclient.go parsePodNetworkAnnotation: net.ParseCIDR / net.ParseIP."""
    assert verdict(value) == expected


HOST_LOCAL = "containernetworking/plugins plugins/ipam/host-local/backend/allocator"


def _issues(ipam: dict) -> list[tuple[str, tuple]]:
    from multus_lint.net.addresses import analyze_ipam

    return [(i.code, i.path) for i in analyze_ipam(ipam).issues if i.severity in (None, "error")]


@pytest.mark.parametrize(("ipam", "expected", "upstream"), [
    ({"ranges": []}, [("ML205", ("ranges",))], f"{HOST_LOCAL}/config.go LoadIPAMConfig: no IP ranges specified"),
    ({"ranges": None}, [("ML205", ("ranges",))], f"{HOST_LOCAL}/config.go LoadIPAMConfig: a nil slice"),
    ({"ranges": None, "subnet": "10.0.0.0/24"}, [], f"{HOST_LOCAL}/config.go LoadIPAMConfig: the legacy range"),
    ({}, [("ML205", ())], f"{HOST_LOCAL}/config.go LoadIPAMConfig: no IP ranges specified"),
    # types.IPNet.UnmarshalJSON runs for null too and parses "": invalid CIDR address (the issue
    # says "no IP ranges specified"; Go 1.19 run on the input: "invalid CIDR address: ")
    ({"subnet": None}, [("ML205", ("subnet",))], "containernetworking/cni pkg/types/types.go IPNet.UnmarshalJSON"),
    ({"subnet": None, "ranges": [[{"subnet": "10.0.0.0/24"}]]}, [("ML205", ("subnet",))],
     "containernetworking/cni pkg/types/types.go IPNet.UnmarshalJSON"),
    ({"ranges": [[{"subnet": None}]]}, [("ML205", ("ranges", 0, 0, "subnet"))],
     "containernetworking/cni pkg/types/types.go IPNet.UnmarshalJSON"),
    ({"subnet": ""}, [("ML205", ("subnet",))], "containernetworking/cni pkg/types/types.go ParseCIDR(\"\")"),
    # net.IP.UnmarshalText: "" is a nil IP, i.e. unset
    ({"ranges": [[{"subnet": "10.0.0.0/24", "rangeStart": "", "rangeEnd": "", "gateway": ""}]]}, [],
     "golang/go src/net/ip.go IP.UnmarshalText"),
    ({"subnet": "10.0.0.0/24", "rangeStart": ""}, [], "golang/go src/net/ip.go IP.UnmarshalText"),
    # Canonicalize sets the default RangeStart (NextIP) before it checks RangeEnd
    ({"ranges": [[{"subnet": "10.0.0.0/24", "rangeEnd": "10.0.0.0"}]]},
     [("ML205", ("ranges", 0, 0, "rangeEnd"))], f"{HOST_LOCAL}/range.go Canonicalize, IPInRange"),
    ({"ranges": [[{"subnet": "10.0.0.0/24", "rangeEnd": "10.0.0.1"}]]}, [], f"{HOST_LOCAL}/range.go Canonicalize"),
    ({"ranges": [[{"subnet": "fd00::/64", "rangeEnd": "fd00::"}]]},
     [("ML205", ("ranges", 0, 0, "rangeEnd"))], f"{HOST_LOCAL}/range.go Canonicalize, IPInRange"),
    # ip.Cmp compares IPv4 with IPv6 as integers; IPInRange then refuses the other protocol
    ({"ranges": [[{"subnet": "10.0.0.0/24", "rangeStart": "10.0.0.5", "rangeEnd": "fd00::5"}]]},
     [("ML205", ("ranges", 0, 0, "rangeEnd"))], f"{HOST_LOCAL}/range.go IPInRange (same protocol)"),
    ({"ranges": [[{"subnet": "fd00::/64", "rangeStart": "10.0.0.5", "rangeEnd": "fd00::5"}]]},
     [("ML205", ("ranges", 0, 0, "rangeStart"))], f"{HOST_LOCAL}/range.go IPInRange (same protocol)"),
    ({"ranges": [[{"subnet": "10.0.0.0/24", "rangeStart": "10.0.0.5\n"}]]},
     [("ML205", ("ranges", 0, 0, "rangeStart"))], "golang/go src/net/ip.go ParseIP (no trailing newline)"),
    ({"ranges": [[{"subnet": "10.0.0.0/00024"}]]}, [], "golang/go src/net/parse.go dtoi"),
    ({"ranges": [[{"subnet": "::ffff:10.0.0.0/120"}]]}, [("ML205", ("ranges", 0, 0, "subnet"))],
     f"{HOST_LOCAL}/range.go Canonicalize: IPNet IP and Mask version mismatch"),
    ({"ranges": [[{"subnet": "10.0.0.0/24", "rangeStart": "::ffff:10.0.0.9"}]]}, [],
     f"{HOST_LOCAL}/range.go canonicalizeIP: To4()"),
])
def test_host_local(ipam: dict, expected: list, upstream: str) -> None:
    assert _issues({"type": "host-local", **ipam}) == expected, upstream


@pytest.mark.parametrize("key", ["ipam", "IPAM", "Ipam", "\u0131pam"])
def test_ipam_key_is_matched_as_go_does(tmp_path, key: str) -> None:
    """containernetworking/plugins allocator/config.go Net.IPAM `json:"ipam"` (encoding/json fold)."""
    from multus_lint.model.project import CniConfig

    cfg = CniConfig.__new__(CniConfig)
    cfg.data = {"type": "bridge", key: {"type": "host-local", "ranges": []}}
    found = [path for path, _, _ in cfg.ipams()]
    assert found == ([(key,)] if key != "\u0131pam" else [])


WHEREABOUTS = "k8snetworkplumbingwg/whereabouts"


@pytest.mark.parametrize(("ipam", "expected", "upstream"), [
    # RangeConfiguration.RangeStart/RangeEnd are net.IP: UnmarshalText fails the decoding
    ({"ipRanges": [{"range": "10.0.0.0/24", "range_start": "10.0.0.010"}]},
     [("ML204", ("ipRanges", 0, "range_start"))], f"{WHEREABOUTS} pkg/types/types.go RangeConfiguration"),
    ({"ipRanges": [{"range": "10.0.0.0/24", "range_end": "bad"}]},
     [("ML204", ("ipRanges", 0, "range_end"))], f"{WHEREABOUTS} pkg/types/types.go RangeConfiguration"),
    ({"ipRanges": [{"range": "10.0.0.1-10.0.0.9/24", "range_start": "bad"}]},
     [("ML204", ("ipRanges", 0, "range_start"))], f"{WHEREABOUTS} decoded before the A-B form overrides it"),
    ({"ipRanges": [{"range": "10.0.0.0/24", "range_start": ""}]}, [], "golang/go src/net/ip.go IP.UnmarshalText"),
    # the top-level ones are strings, parsed sloppily and dropped when bad (a warning, not this)
    ({"range": "10.0.0.0/24", "range_start": "bad"}, [("ML204", ("range_start",))],
     f"{WHEREABOUTS} pkg/types/types.go backwardsCompatibleIPAddress (ignored: \"silently ignores\")"),
    ({"range": "10.0.0.0/24", "range_start": "10.0.0.010"}, [],
     f"{WHEREABOUTS} pkg/types/types.go backwardsCompatibleIPAddress (ParseIPSloppy)"),
    # a null range is "" for a string field: ParseCIDRSloppy("") fails every pod
    ({"ipRanges": [{"range": None}]}, [("ML204", ("ipRanges", 0, "range"))],
     f"{WHEREABOUTS} pkg/config/config.go LoadIPAMConfig"),
    ({"ipRanges": [{"exclude": ["10.0.0.0/24"]}]}, [("ML204", ("ipRanges", 0))],
     f"{WHEREABOUTS} pkg/config/config.go LoadIPAMConfig"),
    # exclude covering the whole allocatable range: AssignmentError for the first pod
    ({"ipRanges": [{"range": "10.0.0.0/24", "exclude": ["10.0.0.0/25", "10.0.0.128/25"]}]},
     [("ML204", ("ipRanges", 0, "exclude"))], f"{WHEREABOUTS} pkg/allocate/allocate.go IterateForAssignment"),
    ({"range": "10.0.0.0/24", "range_end": "10.0.0.20", "exclude": ["10.0.0.0/28", "10.0.0.16/29"]},
     [("ML204", ("exclude",))], f"{WHEREABOUTS} pkg/allocate/allocate.go IterateForAssignment"),
    ({"range": "10.0.0.0/24", "exclude": ["10.0.0.0/25", "10.0.0.200/29"]}, [],
     f"{WHEREABOUTS} pkg/allocate/allocate.go IterateForAssignment"),
    ({"range": "10.0.0.0/30", "exclude": ["10.0.0.1", "10.0.0.2"]}, [("ML204", ("exclude",))],
     f"{WHEREABOUTS} pkg/allocate/allocate.go parseExcludedRange"),
    # IPAMConfigAlias: "Gateway" is the untagged field, never parsed strictly
    ({"range": "10.0.0.0/24", "Gateway": "bad"}, [], f"{WHEREABOUTS} pkg/types/types.go IPAMConfig.UnmarshalJSON"),
    ({"range": "10.0.0.0/24", "gateway": "bad"}, [("ML204", ("gateway",))],
     f"{WHEREABOUTS} pkg/config/config.go LoadIPAMConfig: couldn't parse gateway IP"),
    ({"range": "10.0.0.0/24", "GATEWAY": "bad"}, [("ML204", ("GATEWAY",))],
     "golang/go src/encoding/json/decode.go: a folded key takes the first field (GatewayStr)"),
    ({"range": "10.0.0.0/24", "gateway": "10.0.0.1\n"}, [("ML204", ("gateway",))],
     "k8s.io/utils net ParseIPSloppy (no trailing newline)"),
    ({"range": "10.0.0.0/00024"}, [], "k8s.io/utils net ParseCIDRSloppy: dtoi"),
])
def test_whereabouts(ipam: dict, expected: list, upstream: str) -> None:
    assert _issues({"type": "whereabouts", **ipam}) == expected, upstream


def test_whereabouts_untagged_gateway_is_the_gateway() -> None:
    """whereabouts pkg/types/types.go: Gateway = backwardsCompatibleIPAddress(alias.Gateway)."""
    from multus_lint.net.addresses import analyze_ipam

    pool = analyze_ipam({"type": "whereabouts", "range": "10.0.0.0/24", "Gateway": "10.0.0.1"}).pools[0]
    assert (str(pool.gateway), pool.gateway_path) == ("10.0.0.1", ("Gateway",))
    pool = analyze_ipam({"type": "whereabouts", "range": "10.0.0.0/24", "Gateway": "10.0.0.1",
                         "gateway": "10.0.0.2"}).pools[0]
    assert (str(pool.gateway), pool.gateway_path) == ("10.0.0.2", ("gateway",))


@pytest.mark.parametrize(("address", "expected"), [
    ({"address": "10.0.0.5/24", "gateway": ""}, []),
    ({"address": "10.0.0.5/24", "gateway": "10.0.0.1\n"}, [("ML206", ("addresses", 0, "gateway"))]),
    ({"address": "10.0.0.5/00024"}, []),
])
def test_static(address: dict, expected: list) -> None:
    """containernetworking/plugins plugins/ipam/static main.go Address.Gateway net.IP (UnmarshalText)."""
    assert _issues({"type": "static", "addresses": [address]}) == expected
