"""K3s and chart version comparisons, each boundary tested on both sides."""

from __future__ import annotations

import pytest

from multus_lint.model.versions import (
    chart_assumed_newest,
    chart_at_least,
    chart_is,
    chart_lt,
    chart_pinned_below,
    k3s_has_static_cni_dir,
    parse_chart,
    parse_k3s,
    unpublished_form,
)


@pytest.mark.parametrize("version,static", [
    ("v1.28.14+k3s1", False), ("v1.28.15+k3s1", True),
    ("v1.29.9+k3s1", False), ("v1.29.10+k3s1", True),
    ("v1.30.5+k3s1", False), ("v1.30.5+k3s2", False), ("v1.30.6+k3s1", True), ("v1.30.6+k3s2", True),
    ("v1.31.1+k3s1", False), ("v1.31.2+k3s1", True), ("v1.31.2+k3s2", True),
    ("v1.27.16+k3s1", False), ("v1.27.99+k3s1", False), ("v1.20.0+k3s1", False),
    ("v1.32.0+k3s1", True), ("v1.33.1+k3s1", True),
    ("1.30.6", True), ("v1.30.6-rc1+k3s1", True), ("v1.30", False),
    (None, True), ("", True), ("garbage", True),
])
def test_k3s_static_cni_gate(version: str | None, static: bool) -> None:
    assert k3s_has_static_cni_dir(version) is static


def test_parse_k3s() -> None:
    assert parse_k3s("v1.31.2+k3s2") == (1, 31, 2, 2)
    assert parse_k3s("v1.30.6") == (1, 30, 6, 1)
    assert parse_k3s("k3s") is None


@pytest.mark.parametrize("text,parsed", [
    ("v4.2.202", (4, 2, 2, 2)), ("4.2.202", (4, 2, 2, 2)), ("v4.3.009", (4, 3, 0, 9)),
    ("v4.2.1", (4, 2, 1, 0)), ("v4.2.10", (4, 2, 10, 0)), ("v4.2.1001", (4, 2, 10, 1)),
    ("v4.2.202-rc1", (4, 2, 2, 2)), ("latest", None), (">=4.2", None),
])
def test_parse_chart(text: str, parsed: tuple | None) -> None:
    assert parse_chart(text) == parsed


@pytest.mark.parametrize("version,bound,below", [
    ("v4.2.201", "v4.2.202", True), ("v4.2.202", "v4.2.202", False), ("v4.2.203", "v4.2.202", False),
    ("v4.2.106", "v4.2.202", True), ("v4.2.300", "v4.2.202", False),
    ("v4.2.302", "v4.2.303", True), ("v4.2.303", "v4.2.303", False),
    ("v4.3.008", "v4.3.009", True), ("v4.3.009", "v4.3.009", False), ("v4.3.010", "v4.3.009", False),
    ("v4.2.999", "v4.3.009", True), ("v5.0.000", "v4.3.009", False),
    ("v4.0.202", "v4.0.203", True), ("v4.0.203", "v4.0.203", False),
])
def test_chart_boundaries(version: str, bound: str, below: bool) -> None:
    assert chart_lt(version, bound) is below
    assert chart_pinned_below(version, bound) is below
    assert chart_at_least(version, bound) is (not below)


def test_unpinned_and_unreadable_count_as_newest() -> None:
    assert chart_lt(None, "v4.2.202") is None
    assert chart_at_least(None, "v4.2.202") and chart_at_least("latest", "v4.2.202")
    assert not chart_pinned_below(None, "v4.2.202") and not chart_pinned_below("x", "v4.2.202")


def test_chart_is() -> None:
    assert chart_is("4.2.107", "v4.2.107") and chart_is("v4.2.200", "v4.2.200")
    assert not chart_is("v4.2.106", "v4.2.107") and not chart_is("v4.2.108", "v4.2.107")
    assert not chart_is(None, "v4.2.107")


# Published releases in the order the chart repository's index lists them (rancher/rke2-charts
# branch main, index.yaml): build tags, three-digit packages, and the one release without "v".
PUBLISHED_ORDER = ["v3.8-build2021110401", "v3.9.3-build2023010903", "v4.0.2-build2023070601",
                   "v4.0.2-build2023081100", "v4.0.2-build2024020802", "v4.0.202", "4.1.000",
                   "v4.1.001", "v4.2.106", "v4.2.107", "v4.2.201", "v4.2.202", "4.3.009", "4.3.010"]


def test_chart_release_key_orders_published_releases() -> None:
    from multus_lint.model.versions import chart_release_key

    keys = [chart_release_key(v) for v in PUBLISHED_ORDER]
    assert all(k is not None for k in keys)
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert chart_release_key(">=4.2") is None and chart_release_key(None) is None


def test_chart_bugs_bound_exactly() -> None:
    """Each entry: its first and last releases are affected, its fixed release and the release
    before the first are not; every entry names its upstream source."""
    from multus_lint.model.chart_bugs import BUGS, bugs_of

    before = {"v4.0.2-build2023081100": "v4.0.2-build2023070703", "v4.2.201": "v4.2.200",
              "4.3.009": "4.3.008"}
    for bug in BUGS:
        assert bug.affects(bug.first) and bug.affects(bug.last)
        assert not bug.affects(bug.fixed) and not bug.affects(before[bug.first])
        assert bug.url.startswith("https://github.com/") and bug.fixed_by
        assert bug in bugs_of(bug.chart, bug.last)
    assert bugs_of("rke2-multus", None) == [] and bugs_of("rke2-multus", "latest") == []


@pytest.mark.parametrize("value,truthy", [
    (True, True), ("false", True), ("x", True), (1, True), ([0], True),
    (False, False), ("", False), (0, False), (None, False), ([], False), ({}, False),
])
def test_go_template_truth(value: object, truthy: bool) -> None:
    from multus_lint.model.chart_bugs import go_truthy

    assert go_truthy(value) is truthy


@pytest.mark.parametrize("image,release", [
    ("ghcr.io/k8snetworkplumbingwg/multus-cni:v3.9.3", (3, 9, 3)),
    ("ghcr.io/k8snetworkplumbingwg/multus-cni:v3.9.2-thick-amd64", (3, 9, 2)),
    ("ghcr.io/k8snetworkplumbingwg/multus-cni:v4.0.2-thick", (4, 0, 2)),
    ("ghcr.io/k8snetworkplumbingwg/multus-cni:v3.9.3@sha256:0123", (3, 9, 3)),
    ("docker.io/nfvpe/multus:v3.4", (3, 4, 0)),
    ("rancher/hardened-multus-cni:v3.9-build20221028", (3, 9, 0)),
    # moving tags, other builds (EKS patches its own), other images: not a release
    ("ghcr.io/k8snetworkplumbingwg/multus-cni:stable", None),
    ("ghcr.io/k8snetworkplumbingwg/multus-cni:thick", None),
    ("nfvpe/multus:latest", None),
    ("602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/multus-cni:v3.7.2-eksbuild.2", None),
    ("example.org/my-multus-cni:v3.9", None), (None, None),
])
def test_multus_image_release(image: object, release: tuple | None) -> None:
    from multus_lint.model.versions import multus_image_release

    assert multus_image_release(image) == release


@pytest.mark.parametrize("version,known", [
    (None, True), ("garbage", True), ("v1.25.0+k3s1", True), ("v1.33.1+k3s1", True),
    ("v1.24.1+k3s1", False), ("v1.24.2+k3s1", True), ("v1.23.7+k3s1", False), ("v1.23.8+k3s1", True),
    ("v1.22.10+k3s1", False), ("v1.22.11+k3s1", True), ("v1.21.14+k3s1", False),
])
def test_k3s_flannel_cni_1_0(version: str | None, known: bool) -> None:
    from multus_lint.model.versions import k3s_flannel_cni_1_0

    assert k3s_flannel_cni_1_0(version) is known


def test_plugin_support_data_is_well_formed() -> None:
    """Rows ordered by release, versions from the CNI spec list in order, a source per row."""
    from multus_lint.model.plugin_versions import CNI_VERSIONS, PLUGINS, release_key

    for ptype, support in PLUGINS.items():
        keys = [release_key(r.since) for r in support.rows]
        assert all(k is not None for k in keys) and keys == sorted(keys), ptype
        for row in support.rows:
            assert row.versions and list(row.versions) == [v for v in CNI_VERSIONS if v in row.versions]
            assert support.project.split("/")[0] in row.source, (ptype, row.source)


@pytest.mark.parametrize("ptype,release,version,accepted", [
    ("firewall", "v0.8.0", "0.3.1", False), ("firewall", "v1.0.0", "1.0.0", False),
    ("firewall", "v1.0.1", "1.0.0", True), ("firewall", "v1.9.1", "1.1.0", True),
    ("bandwidth", "v1.0.0", "0.4.0", False), ("bandwidth", "v1.0.1", "0.4.0", True),
    ("whereabouts", "v0.6.3-build20240109", "1.0.0", False), ("whereabouts", "v0.7.0", "1.1.0", True),
    ("ovs", "v0.25.0", "0.2.0", True), ("ovs", "v0.26.0", "0.2.0", False), ("ovs", "v0.33.0", "1.0.0", False),
    ("ovs", "v0.34.0", "1.0.0", True), ("ovs", "v0.34.0", "1.1.0", False), ("ovs", "v0.35.0", "1.1.0", True),
    ("sriov", "v2.6.3", "1.0.0", False), ("sriov", "v2.7.0", "1.0.0", True),
    ("macvlan", "v1.5.1", "1.1.0", False), ("macvlan", "v1.6.0-build20241022", "1.1.0", True),
])
def test_plugin_support_at_release(ptype: str, release: str, version: str, accepted: bool) -> None:
    from multus_lint.model.plugin_versions import PLUGINS

    row = PLUGINS[ptype].at(release)
    assert row is not None and (version in row.versions) is accepted


def test_plugin_support_unknown_releases_and_every_release() -> None:
    from multus_lint.model.plugin_versions import PLUGINS

    assert PLUGINS["ovs"].at("v0.7.0") is None and PLUGINS["ovs"].at("latest") is None
    assert PLUGINS["firewall"].every_release_rejects("0.3.1")
    assert not PLUGINS["firewall"].every_release_rejects("0.4.0")
    assert PLUGINS["vrf"].every_release_rejects("0.3.0") and not PLUGINS["vrf"].every_release_rejects("0.3.1")
    assert not any(PLUGINS["macvlan"].every_release_rejects(v) for v in ("0.1.0", "1.1.0"))


@pytest.mark.parametrize("image,project,release", [
    ("ghcr.io/k8snetworkplumbingwg/whereabouts:v0.6.1-amd64", "whereabouts", "v0.6.1-amd64"),
    ("rancher/hardened-whereabouts:v0.6.3-build20240109", "whereabouts", "v0.6.3-build20240109"),
    ("ghcr.io/k8snetworkplumbingwg/whereabouts:latest-amd64", "whereabouts", None),
    ("quay.io/kubevirt/ovs-cni-plugin:v0.31.1", "ovs", "v0.31.1"),
    ("quay.io/kubevirt/ovs-cni-plugin:latest", "ovs", None),
    ("ghcr.io/k8snetworkplumbingwg/sriov-cni:v2.7.0", "sriov", "v2.7.0"),
    ("ghcr.io/k8snetworkplumbingwg/ib-sriov-cni:v1.0.0", "sriov", None),
    ("rancher/hardened-cni-plugins:v1.5.1-build20241009", "cni-plugins", "v1.5.1-build20241009"),
])
def test_plugin_image_release(image: str, project: str, release: str | None) -> None:
    from multus_lint.model.plugin_versions import image_release

    assert image_release(image, project) == release


@pytest.mark.parametrize("chart,tag,release", [
    ("v4.0.204", None, "v0.6"), ("v4.0.2-build2023081100", None, "v0.6"), ("v3.8-build2021110403", None, "v0.6"),
    ("v3.8-build2021110402", None, None), ("v4.0.205", None, None), ("4.1.000", None, None),
    (None, None, None), ("v4.0.204", "v0.7.0-build20240429", "v0.7.0-build20240429"),
    ("v4.0.204", "my-own-build", None),
])
def test_rke2_whereabouts_release(chart: str | None, tag: object, release: str | None) -> None:
    from multus_lint.model.plugin_versions import rke2_whereabouts_release

    assert rke2_whereabouts_release(chart, tag) == release


@pytest.mark.parametrize("chart,tag,release", [
    ("v4.0.204", None, "v1.4.0"), ("v4.1.202", None, "v1.5.1"), ("v4.1.203", None, "v1.6.0"),
    ("v4.1.205", None, "v1.5.1"), ("v4.1.301", None, "v1.6.0"), ("4.1.000", None, "v1.5.1"),
    ("v4.3.015", None, "v1.9.1"), (None, None, None), ("v4.1.202", "v1.6.2-build20250108", "v1.6.2-build20250108"),
    ("v4.1.202", "custom", None),
])
def test_rke2_cni_plugins_release(chart: str | None, tag: object, release: str | None) -> None:
    from multus_lint.model.plugin_versions import rke2_cni_plugins_release

    assert rke2_cni_plugins_release(chart, tag) == release


@pytest.mark.parametrize("text, unpublished", [
    ("4.2.1", True), ("v4.2.1", True), ("v4.3.10", True),  # upstream Multus's numbers
    ("v4.2.106", False), ("4.1.000", False), ("v4.3.009", False),
    ("v4.0.2-build2023081100", False), ("v3.9.3", False),  # v3 pins are not judged by form
    ("", False), (None, False), ("latest", False),
])
def test_unpublished_form(text: object, unpublished: bool) -> None:
    """No rke2-multus release from v4 on has a 1- or 2-digit last part without a -build tag:
    helm (pkg/repo index.go IndexFile.Get) finds none, so the gates judge such a pin as
    unreadable (chart_lt None, assumed newest), not as the release it would sort as."""
    assert unpublished_form(text) is unpublished
    if unpublished:
        assert chart_lt(text, "v4.2.303") is None and chart_assumed_newest(text)
