"""The networks annotation parser against Multus's verdict on each value.

Sources of the verdicts (see /work/shared/research/multus.md §2 for the transcription):
MT = multus-cni pkg/k8sclient/k8sclient_test.go, KT = kube-ovn's copy of the Multus parser
tests, ISS = a multus-cni issue, DOC = multus-cni docs, GO = the Go code of
parsePodNetworkAnnotation / encoding/json / net.ParseMAC / net.ParseIP read line by line,
K = the kernel's dev_valid_name, RT = what Multus does at pod start (getIfname,
validateIfName, CheckGatewayConfig).

Verdicts: "ok" (Multus attaches the networks), "ML401" (the parser rejects it, or it names
no network and fails the lookup), "ML404" (an interface name the kernel or Multus
refuses), "ML405" (two attachments get the same interface name), "ML408" (ECMP default
routes).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from multus_lint.net.annotation import (
    ParsedAnnotation,
    ecmp_gateways,
    go_fold,
    interface_clashes,
    interface_problem,
    parse,
    parse_mac,
)


def verdict(value: str) -> str:
    p = parse(value)
    if p.error is not None or any(not e.ok for e in p.entries):
        return "ML401"
    if any(e.iface_errors for e in p.entries):
        return "ML404"
    if interface_clashes(p.entries):
        return "ML405"
    if ecmp_gateways(p.entries):
        return "ML408"
    return "ok"


def triples(p: ParsedAnnotation) -> list[tuple[str | None, str, str | None]]:
    return [(e.namespace, e.name, e.interface or None) for e in p.entries]


LONG15 = "abcdefghijklmno"
LONG16 = "abcdefghijklmnop"
J = '[{{"name": "net1", {}}}]'  # a one-element JSON list with extra keys

TABLE: list[tuple[str, str, str]] = [
    # value, verdict, source
    ("root@someIP/root@someOtherIP/root@thirdIP", "ML401", "MT more than 2 items separated by /"),
    ("root@someIP/root@someOtherIP@garbagevalue", "ML401", "MT more than 2 items separated by @"),
    ("root@someIP/root@someOtherIP", "ML401", "MT not matching comma-delimited format"),
    ("default/net1@myIfc Name", "ML404", "MT space in netdev name (Multus P6)"),
    ("default/net1@very_long_interface_name", "ML404", "MT interface name too long (P6)"),
    ("net1", "ok", "MT network without namespace"),
    ("default/net1", "ok", "MT network with namespace"),
    ("net1@my_interface", "ok", "MT interface name with underscore (Multus >= 4.1)"),
    ("default/net1@my_interface", "ok", "MT interface name and namespace"),
    ("net1,net2", "ok", "MT simple format, two networks"),
    ("kube-system/net1", "ok", "MT namespace isolation case (parses)"),
    ("[adsfasdfasdfasf]", "ML401", "MT invalid JSON"),
    ('[{"name":"net1"},{"name":"net2","ipRequest":"1.2.3.4","macRequest":"aa:bb:cc:dd:ee:ff"},'
     '{"name":"net3","namespace":"other-ns"}]', "ok", "MT JSON format (unknown keys ignored)"),
    ('[{"name":"net1"},{"name":"net2","default-route":["192.168.2.2"]},{"name":"net3","namespace":"other-ns"}]',
     "ok", "MT default gateway on an additional interface"),
    ('[{"name":"net1","mac":"c2:11:22:33:44:66","ips":["10.0.0.1"],"bandwidth":{"ingressRate":2048,'
     '"ingressBurst":1600,"egressRate":4096,"egressBurst":1600},"portMappings":[{"hostPort":8080,'
     '"containerPort":80,"protocol":"tcp"}]}]', "ok", "MC runtimeConfigs"),
    ("kube-system/lb-svc-attachment/1", "ML401", "KT errFormat"),
    ("mellanox.com/cx5_sriov_switchdev", "ML401", "KT errFormatNS"),
    ("kube-system/lb-svc-attachment@eth0@1", "ML401", "KT errFormatIF"),
    ('{"name":"lb-svc-attachment","namespace":"kube-system","interface":"eth1"}', "ML401",
     "KT errJson: a single object, not a list"),
    ('[{"name":"lb-svc-attachment","namespace":"kube-system","interface":"eth1","mac":"00:0c:29:9a:96:74",'
     '"ips":["192.168.50.6"]}]', "ok", "KT correctJson"),
    (J.format('"ips":["192.168.50.6/20"]'), "ok", "KT correctJsonIP (CIDR)"),
    (J.format('"interfaceRequest":"eth1"'), "ok", "KT correctJsonIfReq (deprecated key honoured)"),
    (J.format('"mac":"123"'), "ML401", "KT errJSONMac"),
    (J.format('"ips":["192.168.6"]'), "ML401", "KT errJsonIP1"),
    (J.format('"ips":["192.168.6/20"]'), "ML401", "KT errJsonIP2: bad CIDR"),
    ("", "ok", "KT errNull / MT: empty value means no networks"),
    ("bridge-conf-1,bridge-conf-2,bridge-conf-3,bridge-conf-4,", "ML401", "ISS #1195 trailing comma"),
    ('[{"name": "openshift-multus/macvlan-conf"}]', "ML401", "ISS #705 JSON name holding ns/name"),
    ('[{ "name": "nad-name-1", "interfaceRequest":"vlan101" }]', "ok", "ISS #360"),
    ('[ { "name": "centos-runtimeconfig-def", "ips": [ "10.1.1.104/24" ] ]', "ML401", "ISS #635 missing }"),
    ("macvlan-conf-1, macvlan-conf-2", "ok", "DOC pod-case-01"),
    ("testns1/macvlan-conf-3", "ok", "DOC pod-case-02"),
    ("macvlan-conf-1@macvlan1", "ok", "DOC pod-case-03"),
    ("net-a,net-b,other-ns/net-c", "ok", "NPWG spec 4.1.1"),
    ("net-a,net-a", "ok", "NPWG spec 4.2: the same network twice, net1 and net2"),
    # whitespace
    (" net1 , other/net2@eth1", "ok", "GO items trimmed"),
    ("ns / net1 @ eth1", "ok", "GO ns, name and ifname each trimmed"),
    ("net1 net2", "ML401", "GO space instead of a comma: not a DNS-1123 label"),
    ("net1;net2", "ML401", "GO ';' is no separator"),
    ("   ", "ML401", "GO whitespace only: one empty entry"),
    ("\u00a0net1\u3000", "ok", "GO TrimSpace trims Unicode spaces (NBSP, ideographic space)"),
    ("net1\x1c", "ML401", "GO TrimSpace keeps \\x1c (Python's strip would not)"),
    ("net1\n", "ok", "GO a trailing newline (block scalar) is trimmed"),
    # upper case, underscores, hyphens, dots
    ("Net1", "ML401", "GO upper case name"),
    ("Default/net1", "ML401", "GO upper case namespace"),
    ("net_1", "ML401", "GO underscore in name"),
    ("my.net", "ML401", "GO dot in name"),
    ("-net1", "ML401", "GO leading hyphen"),
    ("net1-", "ML401", "GO trailing hyphen"),
    ("1net", "ok", "GO leading digit is a DNS-1123 label"),
    ("a" * 64, "ok", "GO no length check on names"),
    ("null", "ok", "GO no [{\" so the short form: a network called null"),
    # empty entries
    ("net1,,net2", "ML401", "GO doubled comma: empty name"),
    (",net1", "ML401", "GO leading comma"),
    ("ns/", "ML401", "GO empty name after the namespace"),
    ("@eth1", "ML401", "GO empty name before @"),
    ("net1@", "ok", "GO empty interface: auto-named"),
    ("/net1", "ok", "GO empty namespace: the pod's"),
    ("[]", "ok", "GO empty JSON list: no networks"),
    # nested / and @
    ("net1@eth0/1", "ML401", "GO split on / first: namespace 'net1@eth0'"),
    ("a/b/c@d", "ML401", "GO two slashes"),
    ("a@b/c", "ML401", "GO @ in the namespace part"),
    ("ns/net1@eth1@eth2", "ML401", "GO two @"),
    # JSON types and shapes
    ('net1"', "ML401", 'GO a " forces JSON'),
    ('"net1"', "ML401", "GO a JSON string, not a list"),
    ("[1]", "ML401", "GO a number element"),
    ('["net1"]', "ML401", "GO a string element"),
    ("[null]", "ML401", "GO nil element (Multus dereferences it)"),
    (J.format('"ips":"10.0.0.1"'), "ML401", "GO ips not a list"),
    (J.format('"ips":[10]'), "ML401", "GO ips holds a number"),
    (J.format('"mac":5'), "ML401", "GO mac not a string"),
    (J.format('"interface":true'), "ML401", "GO interface not a string"),
    (J.format('"bandwidth":{"ingressRate":"1M"}'), "ML401", "GO bandwidth rate not an int"),
    (J.format('"bandwidth":{"ingressRate":1.5}'), "ML401", "GO 1.5 into int"),
    (J.format('"bandwidth":{"ingressRate":1e3}'), "ML401", "GO 1e3 into int"),
    (J.format('"portMappings":{"hostPort":80}'), "ML401", "GO portMappings not a list"),
    (J.format('"portMappings":[{"hostPort":"80","containerPort":80}]'), "ML401", "GO hostPort a string"),
    (J.format('"cni-args":["a"]'), "ML401", "GO cni-args not an object"),
    (J.format('"cni-args":{"foo":[1,{"x":null}]}'), "ok", "GO cni-args any object"),
    (J.format('"mac":null,"ips":null'), "ok", "GO null leaves the zero value"),
    ('[{"name":"net1","x":NaN}]', "ML401", "GO NaN is not JSON"),
    ('[{"Name":"net1","NAMESPACE":"ns"}]', "ok", "GO keys match case-insensitively"),
    ('[{"name":"bad","name":"net1"}]', "ok", "GO last duplicate wins"),
    ('[{"name":"net1","name":"a/b"}]', "ML401", "GO last duplicate wins (and holds ns/name)"),
    ('[{"namespace":"ns"}]', "ML401", "GO no name"),
    ('[{"name":"Net_1"}]', "ok", "GO no DNS-1123 check in JSON (the lookup fails: ML402)"),
    # MAC / IP / CIDR
    (J.format('"mac":"c2-11-22-33-44-66"'), "ok", "GO ParseMAC with -"),
    (J.format('"mac":"c211.2233.4466"'), "ok", "GO ParseMAC dotted"),
    (J.format('"mac":"c2:11:22:33:44"'), "ML401", "GO 5 octets"),
    (J.format('"mac":"c2:11:22-33:44:66"'), "ML401", "GO mixed separators"),
    (J.format('"mac":"c2:11:22:33:44:66\\n"'), "ML401", "GO a trailing newline is no MAC"),
    (J.format('"mac":"02:00:00:00:00:00:00:01"'), "ok", "GO 8-octet EUI-64"),
    (J.format('"infiniband-guid":"zz:00:00:00:00:00:00:01"'), "ML401", "GO bad GUID"),
    (J.format('"ips":["10.0.0.01"]'), "ML401", "GO leading zero in IPv4"),
    (J.format('"ips":["fe80::1%eth0"]'), "ML401", "GO zone not allowed"),
    (J.format('"ips":["2001:db8::5/64","10.1.1.5/24"]'), "ok", "GO dual-stack CIDRs"),
    (J.format('"ips":["10.1.1.5/33"]'), "ML401", "GO prefix too long"),
    (J.format('"ips":["10.1.1.5/"]'), "ML401", "GO empty prefix"),
    (J.format('"ips":["10.1.1.5/024"]'), "ok", "GO ParseCIDR's dtoi takes leading zeros in the prefix"),
    (J.format('"ips":["::ffff:10.1.1.5/120"]'), "ok", "GO a 4in6 address has 128 prefix bits"),
    (J.format('"default-route":["10.0.0.1/24"]'), "ML401", "GO default-route holds a CIDR"),
    (J.format('"default-route":"10.0.0.1"'), "ML401", "GO default-route not a list"),
    (J.format('"default-route":[""]'), "ok", "GO empty string is a nil IP"),
    # interface names: kernel and Multus
    (f"net1@{LONG15}", "ok", "K 15 bytes fit"),
    (f"net1@{LONG16}", "ML404", "K 16 bytes do not (Multus P6)"),
    ("net1@" + "é" * 8, "ML404", "K 16 bytes in 8 characters"),
    ("net1@eth0:1", "ML404", "K ':' refused (passes Multus's parser)"),
    ("net1@.", "ML404", "K '.' refused"),
    ("net1@..", "ML404", "K '..' refused"),
    ("net1@eth.0", "ok", "K a dot inside is fine"),
    ("net1@Eth0", "ok", "K upper case is fine (Multus >= 4.1)"),
    (J.format(f'"interface":"{LONG16}"'), "ML404", "K JSON interface too long (fails at pod start)"),
    (J.format('"interface":"a b"'), "ML404", "K JSON interface with a space"),
    (J.format('"interface":"a/b"'), "ML404", "K JSON interface with /"),
    (J.format('"interface":""'), "ok", "GO empty interface: auto-named"),
    # interface clashes (RT getIfname / validateIfName)
    ("net1@eth0", "ML405", "RT eth0 is the cluster network's"),
    ("a@net2,b", "ML405", "RT b is auto-named net2"),
    ("a,b@net1", "ML405", "RT a is auto-named net1"),
    ("a@eth1,b@eth1", "ML405", "RT the same name twice"),
    ("a@net1,b", "ok", "RT a asks for its own auto name; b is net2"),
    ("a,b,c@net4", "ok", "RT no entry at position 4"),
    ('[{"name":"a","interface":"net2"},{"name":"b"}]', "ML405", "RT JSON clash with an auto name"),
    ("a@Net2,b", "ok", "RT names are case-sensitive"),
    # default routes (RT CheckGatewayConfig)
    ('[{"name":"a","default-route":["10.0.0.1"]},{"name":"b","default-route":["10.0.1.1"]}]', "ML408",
     "RT two IPv4 gateways"),
    ('[{"name":"a","default-route":["10.0.0.1","10.0.0.2"]}]', "ML408", "RT two in one entry"),
    ('[{"name":"a","default-route":["10.0.0.1"]},{"name":"b","default-route":["2001:db8::1"]}]', "ok",
     "RT one per family"),
    ('[{"name":"a","default-route":["10.0.0.1"],"Default-Route":["10.0.0.2"]}]', "ok",
     "GO a repeated key replaces the list: one gateway"),
    ('[{"name":"a","default-route":["2001:db8::1"]},{"name":"b","default-route":[""]}]', "ML408",
     "RT a nil IP counts as IPv6"),
    ('[{"name":"a","default-route":["::ffff:10.0.0.1"]},{"name":"b","default-route":["10.0.0.2"]}]',
     "ML408", "RT an IPv4-mapped address is IPv4"),
]


@pytest.mark.parametrize(("value", "expected", "source"), TABLE, ids=[f"{i:03d}" for i in range(len(TABLE))])
def test_multus_verdict(value: str, expected: str, source: str) -> None:
    assert verdict(value) == expected, source


def test_table_is_large_enough() -> None:
    assert len(TABLE) >= 50
    assert {v for _, v, _ in TABLE} == {"ok", "ML401", "ML404", "ML405", "ML408"}


@pytest.mark.parametrize(("value", "expected"), [
    ("net1", [(None, "net1", None)]),
    ("default/net1", [("default", "net1", None)]),
    ("default/net1@my_interface", [("default", "net1", "my_interface")]),
    (" net1 , other/net2@eth1", [(None, "net1", None), ("other", "net2", "eth1")]),
    ("ns / net1 @ eth1", [("ns", "net1", "eth1")]),
    ("/net1", [(None, "net1", None)]),
    ("net1@", [(None, "net1", None)]),
    ("net-a,net-a", [(None, "net-a", None), (None, "net-a", None)]),
    ('[{"name":"net1"},{"name":"net3","namespace":"other-ns"}]', [(None, "net1", None), ("other-ns", "net3", None)]),
    ('[{"Name":"net1","Interface":"eth1"}]', [(None, "net1", "eth1")]),
    ('[{"name":"net1","interfaceRequest":"eth1"}]', [(None, "net1", "eth1")]),
    ('[{"name":"net1","interface":"eth2","interfaceRequest":"eth1"}]', [(None, "net1", "eth2")]),
    ("", []),
    ("[]", []),
])
def test_parsed_elements(value: str, expected: list) -> None:
    assert triples(parse(value)) == expected


def test_ml401_entries_are_not_judged_further() -> None:
    # the bad entry would also clash on eth0, but ML401 wins and nothing else is said about it
    p = parse("Bad@eth0,net1@eth0")
    assert [e.ok for e in p.entries] == [False, True]
    assert [c[0].index for c in interface_clashes(p.entries)] == [1]


def test_offsets_point_at_each_entry() -> None:
    value = "net-a,\n  Net-B,\n  net-c,\n"
    p = parse(value)
    assert [value[e.offset:e.offset + 5] for e in p.entries[:3]] == ["net-a", "Net-B", "net-c"]
    bad = [e for e in p.entries if not e.ok]
    assert [value.count("\n", 0, e.offset) for e in bad] == [1, 2]  # Net-B, and the trailing comma's line


def test_json_key_offsets() -> None:
    value = '[\n {"name": "a",\n  "gateway": ["1.1.1.1"]}\n]'
    sel = parse(value).entries[0]
    assert sel.unknown_keys == [("gateway", value.index('"gateway"'))]


def test_clash_names_the_first_holder() -> None:
    p = parse("a@net3,b@x,c")
    assert [(c[0].name, c[1], c[2]) for c in interface_clashes(p.entries)] == [("c", "net3", 0)]
    assert interface_clashes(parse("x@eth1").entries, primary="eth1")[0][2] is None


@pytest.mark.parametrize(("name", "ok"), [
    ("eth1", True), (LONG15, True), (LONG16, False), ("a b", False), ("a\tb", False), ("a/b", False),
    ("a:b", False), (".", False), ("..", False), ("...", True), ("a\u00a0b", False), ("à", False),
    ("é", True),
])
def test_kernel_interface_rules(name: str, ok: bool) -> None:
    # 'à' is C3 A0 in UTF-8: the kernel's isspace() sees 0xA0 (Latin-1 NBSP) and refuses it
    assert (interface_problem(name) is None) is ok


@pytest.mark.parametrize(("mac", "ok"), [
    ("00:00:5e:00:53:01", True), ("00-00-5e-00-53-01", True), ("0000.5e00.5301", True),
    ("02:00:5e:10:00:00:00:01", True), ("0200.5e10.0000.0001", True),
    ("00:00:00:00:fe:80:00:00:00:00:00:00:02:00:5e:10:00:00:00:01", True),
    ("00:00:5e:00:53", False), ("00:00:5e:00:53:01:02", False), ("00:00:5e:00:53:0g", False),
    ("0:00:5e:00:53:01", False), ("00.00.5e.00.53.01", False), ("", False),
])
def test_go_parse_mac(mac: str, ok: bool) -> None:
    assert parse_mac(mac) is ok


def test_go_key_folding() -> None:
    assert go_fold("Default-Route") == go_fold("default-route")
    assert go_fold("ip\u017f") == go_fold("IPS")  # long s folds to S, as in Go
    assert verdict('[{"name":"n","ip\u017f":"1.2.3.4"}]') == "ML401"  # so it is the ips field


def test_deep_nesting_never_raises() -> None:
    deep = '[{"name":"a","cni-args":{"x":' + "[" * 900 + "]" * 900 + "}}]"
    assert verdict(deep) == "ok"
    assert parse("[" * 100000 + "]" * 100000).error is not None  # too deep for any decoder


def test_limit_and_speed() -> None:
    many = ",".join(f"net{i}" for i in range(50000))
    # CPU seconds, not wall: the bound is against quadratic work, and a loaded machine (the
    # suite beside other jobs) stretched the wall time past it
    t = time.process_time()
    p = parse(many, max_entries=1000)
    assert len(p.entries) == 1000 and p.truncated == 49000
    many_json = "[" + ",".join(f'{{"name":"n{i}","interface":"if{i}"}}' for i in range(50000)) + "]"
    p = parse(many_json, max_entries=1000)
    assert len(p.entries) == 1000 and p.truncated == 49000
    full = parse(many_json)
    assert len(interface_clashes(full.entries)) == 0
    assert time.process_time() - t < 5


@pytest.mark.parametrize(("args", "expected"), [
    (["/thin_entrypoint", "--namespace-isolation"], (True, None)),
    (["--namespace-isolation=true", "--global-namespaces=a,b"], (True, "a,b")),
    (["--namespace-isolation=false"], (False, None)),
    (["-namespace-isolation", "--global-namespaces", "infra"], (True, "infra")),
    (["--multus-conf-file=auto"], (False, None)),
])
def test_isolation_flags(args: list[str], expected: tuple) -> None:
    from multus_lint.rules.annotations import _global_namespaces, _isolation_flags

    assert _isolation_flags(args) == expected
    assert _global_namespaces(expected[1]) == ([s.strip() for s in expected[1].split(",")] if expected[1]
                                               else ["default"])


@pytest.mark.parametrize(("fixture", "expected"), [
    ("cross-namespace-network", {(14, "info"), (15, "error"), (16, "error"), (29, "error")}),
    ("cross-namespace-network-thick", {(29, "info"), (30, "error")}),
    ("cross-namespace-network-daemonset", {(8, "error")}),
    ("cross-namespace-network-info", {(17, "info")}),
])
def test_cross_namespace_severity(tmp_path, fixture: str, expected: set) -> None:
    """ML406 is an error only where the project's Multus config isolates namespaces."""
    import json
    import subprocess
    import sys

    from harness import FIXTURES, prepare

    path, _, args = prepare(FIXTURES / "ML4xx" / fixture, tmp_path)
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--format", "json", "--select", "ML406",
                           str(path)], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    found = {(f["line"], f["severity"]) for f in json.loads(proc.stdout)["findings"]}
    assert found == expected


CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real"
# corpus file prefix -> ML4xx codes SOURCES.tsv leads one to expect (the corpus as one project)
CORPUS_ML4 = {
    "01": {"ML411"},  # ANNOTATION_GATEWAY_KEY_IGNORED
    "12": {"ML402"},  # flannel-2 (macvlan-conf-3/4 are in 10-*.yml)
    "24": set(),  # a Helm template: not parsed (ML003), nothing judged
    "31": {"ML411"},  # ANNOTATION_GATEWAY_KEY_IGNORED x2
    "43": set(),  # vlan100 is defined in 38-*.yaml; attaching it twice is legal for Multus
    "44": {"ML402"},  # bridge-static exists only in namespace kubevirt
    # rancher-flat-network's operator creates it in every namespace, and these pods carry its
    # flatnetwork.pandaria.io/subnet annotation (model.generated_nads)
    "57": set(),
    "60": {"ML402"},  # macvlan1-config is in another example file
    "66": set(),  # macvlan-conf is in 65-*.yaml; annotation on the ReplicaSet's template
}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/real not present")
def test_corpus_annotations() -> None:
    import json
    import subprocess
    import sys

    # The corpus has no repository or config file: the named paths are the whole project
    # (issue 12), so the folder is named and the findings of the files above are read.
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--format", "json", "--select", "ML4",
                           "."], capture_output=True, text=True, timeout=300, cwd=CORPUS)
    findings = [f for f in json.loads(proc.stdout)["findings"] if Path(f["path"]).name[:2] in CORPUS_ML4]
    found: dict[str, set[str]] = {k: set() for k in CORPUS_ML4}
    for f in findings:
        found[Path(f["path"]).name[:2]].add(f["code"])
    assert found == CORPUS_ML4
    assert sum(1 for f in findings if f["code"] == "ML411") == 3
