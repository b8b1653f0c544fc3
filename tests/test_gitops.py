"""Issue 8 units: GitOps chart releases, KubeVirt references, served API versions, route next
hops, placeholders inside parsed values, and JSON files with trailing data."""

from __future__ import annotations

import ipaddress

import pytest

from multus_lint.load.parse import parse_file
from multus_lint.load.placeholders import placeholder_at
from multus_lint.load.read import Limits, SourceFile
from multus_lint.model.api_versions import unserved
from multus_lint.model.gitops import parameter_value
from multus_lint.model.network_refs import network_refs
from multus_lint.model.project import Project, build_project
from multus_lint.net.addresses import route_gateways


def project(*texts: str) -> Project:
    sources = [SourceFile(f"f{i}.yaml", text=t) for i, t in enumerate(texts)]
    return build_project(sources, ".", Limits())


FLUX = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: multus, namespace: kube-system}
spec:
  chart:
    spec:
      chart: rke2-multus
      version: "v4.2.311"
  valuesFrom:
    - kind: Secret
      name: multus-secret-values
  values:
    config:
      cni_conf:
        binDir: /opt/cni/bin
"""

ARGO = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: multus, namespace: argocd}
spec:
  source:
    chart: rke2-multus
    targetRevision: "*"
  sources:
    - repoURL: https://example.com/git
      ref: values
    - chart: rke2-multus
      targetRevision: v4.2.202
      helm:
        values: |
          config:
            cni_conf:
              binDir: /from/values
              confDir: /from/values
        valuesObject:
          config:
            cni_conf:
              binDir: /from/object
        parameters:
          - name: config.cni_conf.multusAutoconfigDir
            value: /from/parameter
          - name: thickPlugin.enabled
            value: "true"
          - name: manifests.dhcpDaemonSet
            value: "true"
            forceString: true
    - chart: rke2-multus
      helm:
        values: |
          config:
            cni_conf:
              binDir: /second/source
"""


def test_flux_release_values_version_and_unread() -> None:
    p = project(FLUX)
    assert p.has_multus_deployment
    (rel,) = p.releases
    assert rel.source_kind == "HelmRelease" and rel.version == "v4.2.311"
    assert rel.get(("config", "cni_conf", "binDir")) == "/opt/cni/bin"
    assert rel.site(("config", "cni_conf", "binDir")).span.line == 15
    assert rel.chart_site().span.line == 7
    assert rel.unread and "multus-secret-values" in rel.unread[0][0]
    assert "valuesFrom" in rel.unread_note()


def test_flux_wildcard_version_is_unpinned_and_other_charts_are_ignored() -> None:
    other = FLUX.replace("chart: rke2-multus", "chart: podinfo")
    wildcard = FLUX.replace('version: "v4.2.311"', 'version: "*"')
    assert project(other).releases == []
    (rel,) = project(wildcard).releases
    assert rel.version is None


def test_argo_sources_replace_source_and_values_object_replaces_values() -> None:
    p = project(ARGO)
    first, second = p.releases  # spec.source is ignored when spec.sources is given
    assert first.version == "v4.2.202" and second.version is None
    # valuesObject replaces the values string entirely (argo-cd ValuesYAML), not merged
    assert first.get(("config", "cni_conf", "binDir")) == "/from/object"
    assert first.get(("config", "cni_conf", "confDir")) is None
    # parameters are --set: strongest, typed like helm's --set, forceString kept a string
    assert first.get(("config", "cni_conf", "multusAutoconfigDir")) == "/from/parameter"
    assert first.get(("thickPlugin", "enabled")) is True
    assert first.get(("manifests", "dhcpDaemonSet")) == "true"
    assert first.site(("thickPlugin", "enabled")).span.line == 27
    assert first.chart_site().span.line == 11
    # the values string is positioned in the file: line 36 is "binDir: /second/source"
    assert second.get(("config", "cni_conf", "binDir")) == "/second/source"
    site = second.site(("config", "cni_conf", "binDir"))
    assert (site.span.line, site.span.column) == (36, 15)


def test_argo_values_that_do_not_parse_are_not_judged() -> None:
    bad = ARGO.replace("binDir: /second/source", "binDir: [unclosed")
    p = project(bad)
    assert [r.values_known for r in p.releases] == [True, False]
    # reported inside the string, where the YAML parser gives up (its last line)
    assert [(prob.code, prob.span.line) for _, prob in p.problems] == [("ML601", 37)]
    templated = ARGO.replace("binDir: /second/source", "binDir: %{DATA_DIR}%/data/cni")
    p = project(templated)
    assert any(prob.code == "ML003" for _, prob in p.problems)


def test_argo_chart_from_a_git_path() -> None:
    app = ("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: m}\nspec:\n"
           "  source:\n    repoURL: https://github.com/rancher/rke2-charts\n"
           "    path: packages/rke2-multus/charts/\n    targetRevision: main\n"
           "    helm: {valuesObject: {config: {cni_conf: {binDir: /opt/cni/bin}}}}\n")
    (rel,) = project(app).releases
    assert rel.version is None  # "main" is a branch, not a chart version
    assert rel.chart_site().span.line == 7 and rel.get(("config", "cni_conf", "binDir")) == "/opt/cni/bin"
    assert project(app.replace("packages/rke2-multus/charts/", "apps/web")).releases == []


@pytest.mark.parametrize("value, force, expected", [
    ("true", False, True), ("False", False, False), ("null", False, None), ("42", False, 42),
    ("042", False, "042"), ("/opt/cni/bin", False, "/opt/cni/bin"), ("true", True, "true"),
])
def test_parameter_values_are_typed_like_helm_set(value: str, force: bool, expected: object) -> None:
    assert parameter_value(value, force) == expected


def test_gitops_objects_of_other_groups_or_shapes_never_crash() -> None:
    texts = [
        "apiVersion: example.com/v1\nkind: HelmRelease\nspec: {chart: {spec: {chart: rke2-multus}}}\n",
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nspec: {chart: rke2-multus}\n",
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n"
        "spec: {chart: {spec: {chart: rke2-multus}}, values: not-a-mapping}\n",
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\n"
        "spec: {sources: [1, {chart: rke2-multus, helm: {parameters: [x, {name: 3}], values: {a: 1}}}]}\n",
    ]
    p = project(*texts)
    kinds = [r.source_kind for r in p.releases]
    assert kinds == ["HelmRelease", "Application"]
    assert [prob.code for _, prob in p.problems] == ["ML601", "ML601"]


KUBEVIRT = """\
apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: vm, namespace: vms}
spec:
  template:
    spec:
      networks:
        - {name: default, pod: {}}
        - name: a
          multus: {networkName: lan}
        - name: b
          multus: {networkName: infra/san}
---
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: vmi}
spec:
  networks:
    - name: a
      multus: {networkName: lan, default: true}
    - name: b
      multus: {networkName: ""}
---
apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: broken}
spec: {template: {spec: {networks: notalist}}}
"""


def test_kubevirt_network_names_resolve_like_annotations() -> None:
    refs = [r for r in network_refs(project(KUBEVIRT)) if r.origin == "kubevirt"]
    got = [(r.doc.name, r.namespace, r.name, r.explicit_namespace, r.site.span.line) for r in refs]
    assert got == [("vm", "vms", "lan", False, 10), ("vm", "infra", "san", True, 12),
                   ("vmi", "default", "lan", False, 20)]
    assert all(r.pod_namespace == (r.doc.namespace or "default") for r in refs)


@pytest.mark.parametrize("api, kind, extra, bad", [
    ("extensions/v1beta1", "DaemonSet", "", "1.16"),
    ("apps/v1beta2", "Deployment", "", "1.16"),
    ("batch/v1beta1", "CronJob", "", "1.25"),
    ("networking.k8s.io/v1", "DaemonSet", "", None),
    ("k8s.cni.cncf.io/v1beta1", "NetworkAttachmentDefinition", "", None),
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition",
     "spec: {names: {kind: NetworkAttachmentDefinition}}\n", "1.22"),
])
def test_unserved_api_versions(api: str, kind: str, extra: str, bad: str | None) -> None:
    (doc,) = project(f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: x}}\n{extra}").documents
    got = unserved(doc)
    assert got is not None and got.removed_in == bad and got.api_version == api


@pytest.mark.parametrize("text", [
    "apiVersion: apps/v1\nkind: DaemonSet\n",
    "apiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\nmetadata: {name: w.example.com}\n",
    "apiVersion: rbac.authorization.k8s.io/v1beta1\nkind: ClusterRole\n",
    "kind: DaemonSet\n",
    "apiVersion: kubevirt.io/v1alpha3\nkind: VirtualMachine\n",
])
def test_served_or_unjudged_api_versions(text: str) -> None:
    (doc,) = project(text).documents
    assert unserved(doc) is None


def test_route_gateways_parse_strictly_and_keep_paths() -> None:
    ipam = {"type": "static", "Routes": [{"dst": "10.0.0.0/8", "GW": "10.1.1.1"}, {"dst": "x"},
                                         {"gw": "010.1.1.1"}, "junk", {"gw": "fe80::1"}]}
    got = [(r.path, r.gateway, r.dst) for r in route_gateways(ipam)]
    assert got == [(("Routes", 0, "GW"), ipaddress.ip_address("10.1.1.1"), "10.0.0.0/8"),
                   (("Routes", 4, "gw"), ipaddress.ip_address("fe80::1"), "?")]
    assert route_gateways({"routes": "nope"}) == []


@pytest.mark.parametrize("line, column, expected", [
    ('        binDir: "%{DATA_DIR}%/data/cni"', 9, "%{DATA_DIR}%"),
    ("        binDir: /opt/cni/bin", 9, None),
    ('  config: \'{"cniVersion":"{{ V }}","type":"host-local"}\'', 13, "{{ V }}"),
    ('  config: \'{"cniVersion":"{{ V }}","type":"host-local"}\'', 35, None),
    ('      "ipam": {"type": "host-local", "subnet": "{{ s }}"}', 16, None),
    ('      "ipam": {"type": "host-local", "subnet": "{{ s }}"}', 7, "{{ s }}"),
    ('  {"name": "a}b", "x": "{% if y %}"}', 4, None),
    ('  {"name": "a}b", "x": "{% if y %}"}', 19, "{% if y %}"),
    ('    networks: "{% if v %}vlan{% endif %}"', 5, "{% if v %}"),
    ("        binDir: /opt/cni/bin  # was {{ .Values.binDir }}", 9, None),
    ('        binDir: "/x#{{ y }}"  # note', 9, "{{ y }}"),
])
def test_placeholder_at_judges_only_the_member_pointed_at(line: str, column: int,
                                                          expected: str | None) -> None:
    assert placeholder_at(line, column) == expected


def test_json_file_with_trailing_value_lints_the_first_value() -> None:
    text = '{"cniVersion": "0.3.1", "type": "bridge"}\n\n{"addresses": [],}\n'
    (parsed,) = parse_file(SourceFile("x.conf", text=text), Limits())
    assert parsed.tree is not None and parsed.tree.data["type"] == "bridge"
    assert parsed.problems[0].code == "ML001" and parsed.problems[0].span.line == 3
    assert "ends on line 1" in parsed.problems[0].message
    # not for a YAML file: "{...}" then "---" is a YAML stream, and a broken value stays broken
    assert len(parse_file(SourceFile("x.yaml", text='{"a": 1}\n---\n{"b": 2}\n'), Limits())) == 2
    (broken,) = parse_file(SourceFile("y.conf", text='{"a": 1,}\n{"b": 2}\n'), Limits())
    assert broken.tree is None and broken.problems[0].code == "ML001"


def test_configmap_json_duplicates_are_recorded() -> None:
    cm = ('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n'
          '  daemon-config.json: \'{"a": 1, "a": 2}\'\n  readme.txt: \'{"a": 1, "a": 2}\'\n')
    dups = project(cm).duplicates
    assert [(d[1], d[2].line) for d in dups] == [(("data", "daemon-config.json", "a"), 5)]
