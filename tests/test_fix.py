"""--fix and --diff: every fixable mistake fixed, the rest of each file byte-identical,
a second run changes nothing, fixed findings are not reported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from multus_lint import registry
from multus_lint.apply_fixes import TextEdit, apply, edit_for, yaml_scalar
from multus_lint.fixes import Fix
from multus_lint.load.parse import parse_json, parse_yaml
from multus_lint.load.read import Limits

BIN = "/var/lib/rancher/k3s/data/cni"
WB_CONF = "/var/lib/rancher/k3s/agent/etc/cni/net.d/whereabouts.d/whereabouts.conf"

KUBECONFIG = "/var/lib/rancher/k3s/agent/etc/cni/net.d/multus.d/multus.kubeconfig"
CONF = "/var/lib/rancher/k3s/agent/etc/cni/net.d"

# Each file: the text with every fixable mistake, and the text --fix must produce: any
# difference outside the fixed values and added keys fails the test.
REPO = {
    "chart.yaml": (f"""\
# rke2-multus for K3s   (comments, blank lines and quoting must survive)

apiVersion: helm.cattle.io/v1
kind: HelmChart
metadata:
  name: rke2-multus
  namespace: kube-system
spec:
  repo: https://rke2-charts.rancher.io
  chart: rke2-multus
  valuesContent: |-
    config:
      cni_conf:
        binDir: '/opt/cni/bin'   # copied from upstream docs
        confDir: "/etc/cni/net.d"

        # the kubeconfig and autoconfig dir are missing
    rke2-whereabouts:
      enabled: true
      cniConf:
        confDir: {CONF}
    # trailing comment in the values
""", f"""\
# rke2-multus for K3s   (comments, blank lines and quoting must survive)

apiVersion: helm.cattle.io/v1
kind: HelmChart
metadata:
  name: rke2-multus
  namespace: kube-system
spec:
  repo: https://rke2-charts.rancher.io
  chart: rke2-multus
  valuesContent: |-
    config:
      cni_conf:
        binDir: '{BIN}'   # copied from upstream docs
        confDir: "{CONF}"
        kubeconfig: {KUBECONFIG}
        multusAutoconfigDir: {CONF}

        # the kubeconfig and autoconfig dir are missing
    rke2-whereabouts:
      enabled: true
      cniConf:
        confDir: {CONF}
        binDir: {BIN}
    # trailing comment in the values
"""),
    "hcc.yaml": (f"""\
apiVersion: helm.cattle.io/v1
kind: HelmChartConfig
metadata:
  name: multus
  namespace: kube-system
spec:
  valuesContent: |
    config:
      cni_conf:
        binDir: "/var/lib/rancher/k3s/data/3ccf8a82/bin"
        confDir: {CONF}
        kubeconfig: {KUBECONFIG}
        multusAutoconfigDir: {CONF}
---
apiVersion: helm.cattle.io/v1
kind: HelmChart
metadata:
  name: multus
  namespace: kube-system
spec:
  chart: rke2-multus
""", None),
    "daemonset.yaml": (f"""\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: kube-multus-ds
  namespace: kube-system
spec:
  template:
    spec:
      containers:
        - name: kube-multus
          image: ghcr.io/k8snetworkplumbingwg/multus-cni:v4.1.0
          command: ["/thin_entrypoint"]
          args: ["--multus-conf-file=auto", "--cni-conf-dir=/host/etc/cni/net.d",
                 "--multus-kubeconfig-file-host={KUBECONFIG}"]
          volumeMounts:
            - {{name: cni, mountPath: /host/etc/cni/net.d}}
            - {{name: cnibin, mountPath: /host/opt/cni/bin}}
      volumes:
        - name: cni
          hostPath:
            path: {CONF}
        - name: cnibin
          hostPath:
            path: /opt/cni/bin   # upstream default
""", None),
    "nads.yaml": ("""\
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: storage
  namespace: default
spec:
  config: |
    {
      "cniVersion": "0.3.1",
      "type": "macvlan",
      "master": "eth1",
      "ipam": {
        "type": "whereabouts",
        "range": "192.168.10.0/24"
      }
    }
---
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: oneline
  namespace: default
spec:
  config: '{"cniVersion": "0.3.1", "type": "macvlan", "ipam": {"type": "whereabouts", "range": "10.1.0.0/24"}}'
---
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: wrong-path
  namespace: default
spec:
  config: |
    {"cniVersion": "0.3.1", "type": "macvlan",
     "ipam": {"type": "whereabouts", "range": "10.2.0.0/24",
              "configuration_path": "/etc/cni/net.d/whereabouts.d/whereabouts.conf"}}
""", f"""\
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: storage
  namespace: default
spec:
  config: |
    {{
      "cniVersion": "0.3.1",
      "type": "macvlan",
      "master": "eth1",
      "ipam": {{
        "type": "whereabouts",
        "range": "192.168.10.0/24",
        "configuration_path": "{WB_CONF}"
      }}
    }}
---
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: oneline
  namespace: default
spec:
  config: '{{"cniVersion": "0.3.1", "type": "macvlan", "ipam": {{"type": "whereabouts", "range": "10.1.0.0/24", "configuration_path": "{WB_CONF}"}}}}'
---
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: wrong-path
  namespace: default
spec:
  config: |
    {{"cniVersion": "0.3.1", "type": "macvlan",
     "ipam": {{"type": "whereabouts", "range": "10.2.0.0/24",
              "configuration_path": "{WB_CONF}"}}}}
"""),
    "macvlan.conflist": ("""\
{
  "cniVersion": "1.0.0",
  "name": "lan",
  "plugins": [
    {
      "type": "macvlan",
      "master": "eth0",
      "ipam": {
        "type": "whereabouts",
        "range": "10.3.0.0/24"
      }
    }
  ]
}
""", f"""\
{{
  "cniVersion": "1.0.0",
  "name": "lan",
  "plugins": [
    {{
      "type": "macvlan",
      "master": "eth0",
      "ipam": {{
        "type": "whereabouts",
        "range": "10.3.0.0/24",
        "configuration_path": "{WB_CONF}"
      }}
    }}
  ]
}}
"""),
}
# host-local spellings inside whereabouts (ML207): renamed; dataDir has no equivalent
DIALECT = f"""\
---
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: dialect
  namespace: default
spec:
  config: |
    {{"cniVersion": "0.3.1", "type": "macvlan", "ipam": {{
      "type": "whereabouts", "range": "10.4.0.0/24",
      "rangeStart": "10.4.0.10", "rangeEnd": "10.4.0.50",
      "configuration_path": "{WB_CONF}"}}}}
"""
REPO["nads.yaml"] = (REPO["nads.yaml"][0] + DIALECT, REPO["nads.yaml"][1] + DIALECT.replace(
    '"rangeStart"', '"range_start"').replace('"rangeEnd"', '"range_end"'))
# single-value replacements: the expected text is the input with the value swapped
REPO["hcc.yaml"] = (REPO["hcc.yaml"][0], REPO["hcc.yaml"][0].replace("/var/lib/rancher/k3s/data/3ccf8a82/bin", BIN))
REPO["daemonset.yaml"] = (REPO["daemonset.yaml"][0],
                          REPO["daemonset.yaml"][0].replace("path: /opt/cni/bin", f"path: {BIN}"))
FIXABLE = sorted(r.code for r in registry.all_rules() if r.fixable)


def make_repo(root: Path) -> None:
    (root / ".git").mkdir()
    for name, (text, _) in REPO.items():
        (root / name).write_text(text, encoding="utf-8")


def lint(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "multus_lint", "--select", ",".join(FIXABLE), *args, "."],
                          cwd=root, capture_output=True, text=True, timeout=120)


def findings(root: Path) -> list[dict]:
    proc = lint(root, "--format", "json")
    assert "Traceback" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout)["findings"]


def test_repo_has_every_fixable_mistake(tmp_path):
    make_repo(tmp_path)
    found = {(f["path"], f["code"]) for f in findings(tmp_path)}
    assert {"ML101", "ML102", "ML103", "ML104", "ML105", "ML201", "ML207"} == set(FIXABLE)
    assert {c for _, c in found} == set(FIXABLE)
    assert {p for p, _ in found} == set(REPO)


def test_fix_changes_only_the_fixed_lines_and_converges(tmp_path):
    make_repo(tmp_path)
    before = {name: (tmp_path / name).read_bytes() for name in REPO}
    proc = lint(tmp_path, "--fix", "--format", "json")
    assert "Traceback" not in proc.stderr, proc.stderr
    assert json.loads(proc.stdout)["findings"] == []  # fixed findings are not reported
    assert proc.returncode == 0
    assert findings(tmp_path) == []
    for name, (_, expected) in REPO.items():
        assert (tmp_path / name).read_text(encoding="utf-8") == expected, name
    snapshot = {name: (tmp_path / name).read_bytes() for name in REPO}
    assert snapshot != before
    again = lint(tmp_path, "--fix")
    assert again.returncode == 0, again.stdout
    assert {name: (tmp_path / name).read_bytes() for name in REPO} == snapshot  # a second --fix changes nothing


def test_diff_writes_nothing_and_matches_fix(tmp_path):
    work, patched = tmp_path / "work", tmp_path / "patched"
    work.mkdir()
    make_repo(work)
    proc = lint(work, "--diff")
    assert proc.returncode == 1
    assert proc.stdout.startswith("--- a/")
    for name, (text, _) in REPO.items():
        assert (work / name).read_text(encoding="utf-8") == text  # nothing written
    patched.mkdir()
    make_repo(patched)
    subprocess.run(["patch", "-p1", "-s"], input=proc.stdout, text=True, cwd=patched, check=True)
    lint(work, "--fix")
    for name in REPO:
        assert (patched / name).read_bytes() == (work / name).read_bytes(), name
    assert lint(work, "--diff").stdout == ""
    assert lint(work, "--diff").returncode == 0


def test_fix_is_atomic_and_keeps_mode_crlf_and_bom(tmp_path):
    (tmp_path / ".git").mkdir()
    text = REPO["chart.yaml"][0].replace("\n", "\r\n")
    target = tmp_path / "chart.yaml"
    target.write_bytes(b"\xef\xbb\xbf" + text.encode())
    target.chmod(0o640)
    lint(tmp_path, "--fix")
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in data.replace(b"\r\n", b"")  # every line break still CRLF
    assert f"binDir: '{BIN}'".encode() in data
    assert (target.stat().st_mode & 0o777) == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".multus-lint-")] == []


def test_unsafe_places_are_left_alone_and_still_reported(tmp_path):
    (tmp_path / ".git").mkdir()
    # JSON in a double-quoted YAML scalar: every quote is escaped, so no edit is made
    text = ('apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata:\n  name: q\n'
            'spec:\n  config: "{\\"cniVersion\\": \\"0.3.1\\", \\"type\\": \\"macvlan\\", '
            '\\"ipam\\": {\\"type\\": \\"whereabouts\\", \\"range\\": \\"10.0.0.0/24\\"}}"\n')
    (tmp_path / "q.yaml").write_text(text)
    proc = lint(tmp_path, "--fix", "--format", "json")
    assert [f["code"] for f in json.loads(proc.stdout)["findings"]] == ["ML201"]
    assert (tmp_path / "q.yaml").read_text() == text


def test_stdin_is_refused(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--fix", "-"], input="a: b\n",
                          cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 2 and "standard input" in proc.stderr


# ------------------------------------------------------------------ edits, unit level


class _At:
    def __init__(self, tree, base=()):
        self.tree = tree
        self.base = base


def yaml_edit(text: str, path: tuple, value=None, new_key=None) -> str | None:
    tree = parse_yaml(text, Limits())[0].tree
    edit = edit_for(Fix(_At(tree), path, value, new_key), text)
    return None if edit is None else apply(text, [edit])


def json_edit(text: str, path: tuple, value=None, new_key=None) -> str | None:
    tree = parse_json(text, Limits()).tree
    edit = edit_for(Fix(_At(tree), path, value, new_key), text)
    return None if edit is None else apply(text, [edit])


@pytest.mark.parametrize("old,new", [
    ("a: /x  # c\n", "a: /y  # c\n"),
    ("a: '/x'\n", "a: '/y'\n"),
    ('a: "/x"\n', 'a: "/y"\n'),
])
def test_yaml_set_keeps_style_and_comment(old, new):
    assert yaml_edit(old, ("a",), "/y") == new


def test_yaml_add_nested_at_mapping_indentation():
    text = "top:\n    b: 1   # keep\n    c:\n      - x\n# after\nz: 2\n"
    assert yaml_edit(text, ("top", "d", "e"), "/v") == \
        "top:\n    b: 1   # keep\n    c:\n      - x\n    d:\n      e: /v\n# after\nz: 2\n"


def test_yaml_add_in_list_item_mapping():
    text = "items:\n  - name: a\n    k: v\n"
    assert yaml_edit(text, ("items", 0, "num"), 1) == "items:\n  - name: a\n    k: v\n    num: 1\n"


def test_yaml_flow_mapping_and_block_scalar_are_refused():
    assert yaml_edit("a: {b: 1}\n", ("a", "c"), "x") is None
    assert yaml_edit("a: |\n  text\n", ("a",), "x") is None


def test_yaml_rename_and_refuse_existing_key():
    assert yaml_edit("m:\n  rangeStart: 1  # c\n", ("m", "rangeStart"), new_key="range_start") == \
        "m:\n  range_start: 1  # c\n"
    assert yaml_edit("m:\n  a: 1\n  b: 2\n", ("m", "a"), new_key="b") is None


def test_json_add_single_line_and_multi_line_and_empty():
    assert json_edit('{"a": 1}', ("b",), "x") == '{"a": 1, "b": "x"}'
    assert json_edit('{\n  "a": 1\n}\n', ("b", "c"), True) == '{\n  "a": 1,\n  "b": {"c": true}\n}\n'
    assert json_edit('{"o": {}}', ("o", "k"), 2) == '{"o": {"k": 2}}'


def test_json_set_and_rename():
    assert json_edit('{"a":  "x" }', ("a",), "y") == '{"a":  "y" }'
    assert json_edit('{"rangeStart": "1"}', ("rangeStart",), new_key="range_start") == '{"range_start": "1"}'
    assert json_edit('{"a": {"b": 1}}', ("a",), "y") is None  # not a scalar


def _finding(tree, path, value):
    from multus_lint.findings import Finding, Span

    return Finding("ML101", "n", "error", "m", "f.yaml", Span.point(1), None,
                   {"fix": Fix.set(_At(tree), path, value)})


def test_keys_added_at_one_place_merge():
    from multus_lint.apply_fixes import plan

    text = "config:\n  x: 1\n"
    tree = parse_yaml(text, Limits())[0].tree
    fs = [_finding(tree, ("config", "cni", key), "/v") for key in ("binDir", "confDir")]
    fs.append(_finding(tree, ("config", "top"), 3))
    edits, fixed = plan(fs, {"f.yaml": text})
    assert len(edits["f.yaml"]) == 1 and fixed == {id(f) for f in fs}
    assert apply(text, edits["f.yaml"]) == "config:\n  x: 1\n  cni:\n    binDir: /v\n    confDir: /v\n  top: 3\n"


def test_clashing_edits_wait_for_the_next_pass():
    from multus_lint.apply_fixes import plan

    text = "config:\n  x: 1\n"
    tree = parse_yaml(text, Limits())[0].tree
    fs = [_finding(tree, ("config", "x"), 2), _finding(tree, ("config", "x"), 3),
          _finding(tree, ("config", "w"), 1), _finding(tree, ("config", "w", "z"), 1)]
    edits, fixed = plan(fs, {"f.yaml": text})
    assert fixed == {id(fs[0]), id(fs[2])}
    assert apply(text, edits["f.yaml"]) == "config:\n  x: 2\n  w: 1\n"


def test_yaml_scalar_quotes_when_needed():
    assert yaml_scalar("/a/b") == "/a/b"
    assert yaml_scalar("yes") == '"yes"'
    assert yaml_scalar("a: b") == '"a: b"'
    assert yaml_scalar(True) == "true"
    assert TextEdit(1, 2, "x") == TextEdit(1, 2, "x")


def test_multi_line_single_quoted_json_is_fixed(tmp_path):
    import yaml

    (tmp_path / ".git").mkdir()
    text = ("apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata:\n  name: q\n"
            "spec:\n  config: '{\n      \"cniVersion\": \"0.3.0\",\n      \"type\": \"macvlan\",\n"
            "      \"ipam\": {\n        \"type\": \"whereabouts\",\n        \"range\": \"10.0.0.0/24\"\n"
            "      }\n    }'\n")
    (tmp_path / "q.yaml").write_text(text)
    assert json.loads(lint(tmp_path, "--fix", "--format", "json").stdout)["findings"] == []
    config = json.loads(yaml.safe_load((tmp_path / "q.yaml").read_text())["spec"]["config"])
    assert config["ipam"] == {"type": "whereabouts", "range": "10.0.0.0/24", "configuration_path": WB_CONF}
    # a quote escaped as '' makes the raw text differ from the value: left alone
    escaped = text.replace('"macvlan"', '"mac\'\'vlan"')
    (tmp_path / "q.yaml").write_text(escaped)
    lint(tmp_path, "--fix")
    assert (tmp_path / "q.yaml").read_text() == escaped


def test_spec_set_value_is_fixed_in_place_and_new_keys_go_to_values(tmp_path):
    (tmp_path / ".git").mkdir()
    text = ("apiVersion: helm.cattle.io/v1\nkind: HelmChart\nmetadata:\n  name: multus\n  namespace: kube-system\n"
            "spec:\n  chart: rke2-multus\n  set:\n    config.cni_conf.binDir: /opt/cni/bin\n"
            "  valuesContent: |-\n    rke2-whereabouts:\n      enabled: false\n")
    (tmp_path / "c.yaml").write_text(text)
    lint(tmp_path, "--fix")
    after = (tmp_path / "c.yaml").read_text()
    assert f"    config.cni_conf.binDir: {BIN}\n" in after
    assert "    config:\n      cni_conf:\n" in after  # the missing conf dir etc. in valuesContent
    assert findings(tmp_path) == []


def test_an_edit_that_would_break_the_file_is_refused():
    from multus_lint.apply_fixes import still_parses

    nad = REPO["nads.yaml"][0]
    assert still_parses("n.yaml", nad, REPO["nads.yaml"][1])
    assert not still_parses("n.yaml", nad, nad.replace('"range": "192.168.10.0/24"', '"range": "192.168.10.0/24",,'))
    assert not still_parses("c.yaml", "a: 1\n", "a: 1\n  b: [\n")


def test_fix_writes_through_a_symlink(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "chart.yaml"
    target.write_text(REPO["chart.yaml"][0])
    (tmp_path / "chart.yaml").symlink_to(target)
    subprocess.run([sys.executable, "-m", "multus_lint", "--select", ",".join(FIXABLE), "--fix", "chart.yaml"],
                   cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert (tmp_path / "chart.yaml").is_symlink()
    assert target.read_text() == REPO["chart.yaml"][1]


# ------------------------------------------------------------------ property: edits are exact

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_keys = st.sampled_from(["alpha", "beta", "gamma", "delta", "binDir", "cni_conf"])
_scalars = st.one_of(st.integers(-5, 5), st.booleans(), st.sampled_from(["/opt/cni/bin", "x y", "yes", "a'b"]))
_values = st.recursive(_scalars, lambda inner: st.dictionaries(_keys, inner, min_size=1, max_size=3)
                       | st.lists(inner, min_size=1, max_size=2), max_leaves=8)
_docs = st.dictionaries(_keys, _values, min_size=1, max_size=4)


def _paths(data, prefix=()):
    """Existing scalar paths and missing paths under existing non-empty mappings."""
    out = []
    if isinstance(data, dict):
        for k, v in data.items():
            out.append(prefix + (k,))
            out += _paths(v, prefix + (k,))
        out += [prefix + ("newkey",), prefix + ("newkey", "deeper")]
    return out


def _expected(data, path, value):
    import copy

    data = copy.deepcopy(data)
    node = data
    for k in path[:-1]:
        node = node.setdefault(k, {})
    node[path[-1]] = value
    return data


@settings(max_examples=150, deadline=None)
@given(_docs, st.integers(0, 400), st.sampled_from([2, 4]), st.sampled_from(["/var/lib/rancher/k3s/data/cni", 7]))
def test_yaml_edits_give_exactly_the_new_data(data, pick, indent, value):
    import yaml

    text = "# head\n" + yaml.safe_dump(data, indent=indent, default_flow_style=False, sort_keys=False)
    paths = _paths(data)
    path = paths[pick % len(paths)]
    result = yaml_edit(text, path, value)
    if result is None:
        return  # refused (a non-scalar or a collection in the way): nothing to check
    assert yaml.safe_load(result) == _expected(data, path, value)
    assert result.startswith("# head\n")


@settings(max_examples=150, deadline=None)
@given(_docs, st.integers(0, 400), st.sampled_from([None, 2, 4]), st.sampled_from(["/x/y", True]))
def test_json_edits_give_exactly_the_new_data(data, pick, indent, value):
    text = json.dumps(data, indent=indent)
    paths = _paths(data)
    path = paths[pick % len(paths)]
    result = json_edit(text, path, value)
    if result is None:
        return
    assert json.loads(result) == _expected(data, path, value)


def test_daemonset_paths_not_one_to_one_are_not_fixed(tmp_path):
    """Issue 13 class 3: a finding on a path below a mount (install_multus -d, --cni-bin-dir,
    daemon-config binDir) or through a subPath has no single edit: --fix changes nothing and
    the findings stay (multus-cni cmd/install_multus/main.go, cmd/thin_entrypoint/main.go)."""
    (tmp_path / ".git").mkdir()
    src = Path(__file__).parent / "fixtures" / "ML1xx" / "daemonset-effective-path.yaml"
    from tests.harness import strip_markers

    text, expected, _ = strip_markers(src.read_text(encoding="utf-8"), "ds.yaml")
    (tmp_path / "ds.yaml").write_text(text, encoding="utf-8")
    proc = lint(tmp_path, "--fix", "--format", "json")
    assert "Traceback" not in proc.stderr, proc.stderr
    assert sorted(f["code"] for f in json.loads(proc.stdout)["findings"]) == sorted(e.code for e in expected)
    assert (tmp_path / "ds.yaml").read_text(encoding="utf-8") == text


def test_daemonset_volume_shared_by_two_dirs_is_not_fixed(tmp_path):
    """One hostPath volume that serves as both the bin dir and the conf dir: no single value
    repairs both, so --fix leaves it."""
    (tmp_path / ".git").mkdir()
    text = """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: multus, namespace: kube-system}
spec:
  template:
    spec:
      containers:
        - name: kube-multus
          image: ghcr.io/k8snetworkplumbingwg/multus-cni:v4.2.2
          command: ["/thin_entrypoint"]
          args: ["--cni-bin-dir=/host/x", "--cni-conf-dir=/host/x",
                 "--multus-autoconfig-dir=/host/x",
                 "--multus-kubeconfig-file-host=/var/lib/rancher/k3s/agent/etc/cni/net.d/multus.d/multus.kubeconfig"]
          volumeMounts: [{name: shared, mountPath: /host/x}]
      volumes:
        - {name: shared, hostPath: {path: /opt/cni/bin}}
"""
    (tmp_path / "ds.yaml").write_text(text, encoding="utf-8")
    proc = lint(tmp_path, "--fix", "--format", "json")
    assert sorted(f["code"] for f in json.loads(proc.stdout)["findings"]) == ["ML101", "ML103"]
    assert (tmp_path / "ds.yaml").read_text(encoding="utf-8") == text


def test_no_autoconfig_fix_on_v4_2_201(tmp_path):
    """rke2-multus v4.2.201 needs multusAutoconfigDir (it passes /host<dir>), but mounts it twice
    when it equals confDir (packaged templates/daemonSet.yaml; rke2-charts#746): writing the K3s
    conf dir there would turn ML105 into a rejected DaemonSet (ML113), so --fix leaves it."""
    (tmp_path / ".git").mkdir()
    text = ("apiVersion: helm.cattle.io/v1\nkind: HelmChart\nmetadata: {name: multus, namespace: kube-system}\n"
            "spec:\n  chart: rke2-multus\n  repo: https://rke2-charts.rancher.io\n  version: v4.2.201\n"
            "  valuesContent: |-\n    config:\n      cni_conf:\n"
            "        confDir: /var/lib/rancher/k3s/agent/etc/cni/net.d\n")
    f = tmp_path / "multus.yaml"
    f.write_text(text)
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--select", "ML105", "--fix", "--format", "json",
                           "."], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert f.read_text() == text
    findings = json.loads(proc.stdout)["findings"]
    assert [x["code"] for x in findings] == ["ML105"] and "pin v4.2.202" in findings[0]["message"]
