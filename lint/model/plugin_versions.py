"""The cniVersions each CNI plugin release accepts, as data with the upstream source (ML513).

A plugin built on containernetworking/cni's skel checks the config's cniVersion against the
PluginInfo it passes to ``skel.PluginMain``/``PluginMainFuncs`` (pkg/skel/skel.go
checkVersionAndCall: ``incompatible CNI versions; config is "X", plugin supports [...]``), and an
IPAM plugin gets the same config, so the same check applies to it. ``version.All`` is the list of
the vendored library: 0.1.0-0.4.0 up to cni v0.8.x, adding 1.0.0 in v1.0.0 and 1.1.0 in v1.2.0
(pkg/version/version.go). Each row below was read from the plugin's main package and go.mod at
its release tags. A plugin this module has no data for is never judged, and a release older
than a plugin's first row is unknown.
"""

from __future__ import annotations

import re

from multus_lint.records import dataclass

CNI_VERSIONS = ("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0")


def _span(first: str, last: str) -> tuple[str, ...]:
    return CNI_VERSIONS[CNI_VERSIONS.index(first):CNI_VERSIONS.index(last) + 1]


ALL_040 = _span("0.1.0", "0.4.0")  # version.All of containernetworking/cni v0.7.x-v0.8.x
ALL_100 = _span("0.1.0", "1.0.0")  # v1.0.0-v1.1.x
ALL_110 = _span("0.1.0", "1.1.0")  # v1.2.0 and later


def release_key(version: str | None) -> tuple[int, int, int] | None:
    """``v1.6.0`` / ``v0.6.3-build20240109`` / ``v2.7.0-amd64`` -> (1, 6, 0); None otherwise."""
    if not version:
        return None
    m = re.match(r"^v?(\d+)\.(\d+)(?:\.(\d+))?(?:$|[-+_])", version.strip())
    return (int(m[1]), int(m[2]), int(m[3] or 0)) if m else None


@dataclass(frozen=True)
class Row:
    since: str  # first release of the plugin's project that accepts exactly these versions
    versions: tuple[str, ...]
    source: str  # where upstream says so


@dataclass(frozen=True)
class PluginSupport:
    project: str  # the repository the plugin is built from
    rows: tuple[Row, ...]  # ordered by ``since``; the first row is the plugin's first release judged

    def at(self, release: str | None) -> Row | None:
        """The row of ``release``; None when it is unknown or older than the first row."""
        key = release_key(release)
        if key is None:
            return None
        found = None
        for row in self.rows:
            since = release_key(row.since)
            if since is not None and since <= key:
                found = row
        return found

    def every_release_rejects(self, version: str) -> bool:
        """No release accepts ``version`` (the plugin did not exist before its first row)."""
        return all(version not in row.versions for row in self.rows)

    @property
    def accepted_anywhere(self) -> tuple[str, ...]:
        return tuple(v for v in CNI_VERSIONS if any(v in r.versions for r in self.rows))


_CNP = "containernetworking/plugins"
_ALL_MAIN = "main(): skel.PluginMain(..., version.All, ...)"


def _all_rows(path: str) -> tuple[Row, ...]:
    """A containernetworking/plugins plugin that passes version.All: its versions are the vendored
    library's (go.mod: cni v0.7.x-v0.8.x up to plugins v0.9.1, v1.0.x-v1.1.2 from v1.0.0 to
    v1.5.1, v1.2.3 and later from v1.6.0)."""
    src = f"{_CNP} {path} {_ALL_MAIN}"
    return (Row("v0.8.2", ALL_040, src), Row("v1.0.0", ALL_100, src), Row("v1.6.0", ALL_110, src))


PLUGINS: dict[str, PluginSupport] = {
    # meta plugins with a lower bound of their own, the same in every release
    "bandwidth": PluginSupport(_CNP, (
        Row("v0.8.0", _span("0.3.0", "0.4.0"), f"{_CNP} plugins/meta/bandwidth/main.go main(): "
            'version.PluginSupports("0.3.0", "0.3.1", version.Current()) (Current 0.4.0)'),
        Row("v1.0.0", ("0.3.0", "0.3.1", "1.0.0"), f"{_CNP} plugins/meta/bandwidth/main.go main(): "
            'version.PluginSupports("0.3.0", "0.3.1", version.Current()) (Current 1.0.0; PR #661)'),
        Row("v1.0.1", _span("0.3.0", "1.0.0"), f"{_CNP} plugins/meta/bandwidth/main.go main(): "
            'version.VersionsStartingFrom("0.3.0")'),
        Row("v1.6.0", _span("0.3.0", "1.1.0"), f"{_CNP} plugins/meta/bandwidth/main.go main(): "
            'version.VersionsStartingFrom("0.3.0") over cni v1.2.3'),
    )),
    "firewall": PluginSupport(_CNP, (
        Row("v0.8.0", ("0.4.0",), f"{_CNP} plugins/meta/firewall/firewall.go main(): "
            'version.PluginSupports("0.4.0")'),
        Row("v1.0.1", _span("0.4.0", "1.0.0"), f"{_CNP} plugins/meta/firewall/firewall.go main(): "
            'version.VersionsStartingFrom("0.4.0")'),
        Row("v1.6.0", _span("0.4.0", "1.1.0"), f"{_CNP} plugins/meta/firewall/firewall.go main(): "
            'version.VersionsStartingFrom("0.4.0") over cni v1.2.3'),
    )),
    "vrf": PluginSupport(_CNP, (
        Row("v0.9.0", ("0.3.1", "0.4.0"), f"{_CNP} plugins/meta/vrf/main.go main(): "
            'version.PluginSupports("0.3.1", "0.4.0")'),
        Row("v1.0.1", _span("0.3.1", "1.0.0"), f"{_CNP} plugins/meta/vrf/main.go main(): "
            'version.VersionsStartingFrom("0.3.1")'),
        Row("v1.6.0", _span("0.3.1", "1.1.0"), f"{_CNP} plugins/meta/vrf/main.go main(): "
            'version.VersionsStartingFrom("0.3.1") over cni v1.2.3'),
    )),
    # k8snetworkplumbingwg plugins deployed from their own images
    "whereabouts": PluginSupport("k8snetworkplumbingwg/whereabouts", (
        Row("v0.2", ALL_040, "k8snetworkplumbingwg/whereabouts cmd/whereabouts.go main(): "
            "skel.PluginMainFuncs(..., version.All) over cni v0.7.1 (v0.6.x: v0.8.1; whereabouts#289)"),
        Row("v0.7.0", ALL_110, "k8snetworkplumbingwg/whereabouts cmd/whereabouts.go main(): "
            "cniversion.All over cni v1.2.0-rc1"),
    )),
    "ovs": PluginSupport("k8snetworkplumbingwg/ovs-cni", (
        Row("v0.8.0", ALL_040, "k8snetworkplumbingwg/ovs-cni cmd/plugin/main.go main(): version.All over "
            "cni v0.7.1-v0.8.1"),
        Row("v0.26.0", ("0.3.0", "0.3.1", "0.4.0"), "k8snetworkplumbingwg/ovs-cni cmd/plugin/main.go main(): "
            'version.PluginSupports("0.3.0", "0.3.1", "0.4.0")'),
        Row("v0.34.0", ALL_100, "k8snetworkplumbingwg/ovs-cni cmd/plugin/main.go main(): version.All over "
            "cni v1.0.1"),
        Row("v0.35.0", ALL_110, "k8snetworkplumbingwg/ovs-cni cmd/plugin/main.go main(): version.All over "
            "cni v1.2.3"),
    )),
    "sriov": PluginSupport("k8snetworkplumbingwg/sriov-cni", (
        Row("v2.5", ALL_040, "k8snetworkplumbingwg/sriov-cni cmd/sriov/main.go main(): version.All over "
            "cni v0.8.x"),
        Row("v2.7.0", ALL_100, "k8snetworkplumbingwg/sriov-cni cmd/sriov/main.go main(): version.All over "
            "cni v1.1.2"),
        Row("v2.8.0", ALL_110, "k8snetworkplumbingwg/sriov-cni cmd/sriov/main.go main(): version.All over "
            "cni v1.2.0"),
    )),
}
for _t, _path in (("bridge", "plugins/main/bridge/bridge.go"), ("macvlan", "plugins/main/macvlan/macvlan.go"),
                  ("ipvlan", "plugins/main/ipvlan/ipvlan.go"), ("vlan", "plugins/main/vlan/vlan.go"),
                  ("host-device", "plugins/main/host-device/host-device.go"),
                  ("ptp", "plugins/main/ptp/ptp.go"), ("loopback", "plugins/main/loopback/loopback.go"),
                  ("host-local", "plugins/ipam/host-local/main.go"), ("static", "plugins/ipam/static/main.go"),
                  ("dhcp", "plugins/ipam/dhcp/main.go"), ("portmap", "plugins/meta/portmap/main.go"),
                  ("tuning", "plugins/meta/tuning/tuning.go"), ("sbr", "plugins/meta/sbr/main.go")):
    PLUGINS[_t] = PluginSupport(_CNP, _all_rows(_path))

# Images whose tag names the release of the plugins they install. rancher/hardened-* images are
# built from the upstream tag (rancher/image-build-whereabouts and image-build-cni-plugins
# Dockerfiles: `git checkout tags/${TAG}`, no patch to the Go code before whereabouts v0.9).
_IMAGES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("whereabouts", re.compile(r"(?:^|/)(?:k8snetworkplumbingwg/whereabouts|rancher/hardened-whereabouts)"
                               r":(?P<tag>v?\d+\.\d+[^@\s]*)")),
    ("ovs", re.compile(r"(?:^|/)(?:kubevirt|k8snetworkplumbingwg)/ovs-cni-plugin:(?P<tag>v?\d+\.\d+[^@\s]*)")),
    ("sriov", re.compile(r"(?:^|/)k8snetworkplumbingwg/sriov-cni:(?P<tag>v?\d+\.\d+[^@\s]*)")),
    ("cni-plugins", re.compile(r"(?:^|/)rancher/hardened-cni-plugins:(?P<tag>v?\d+\.\d+[^@\s]*)")),
)

# rke2-multus: the rke2-whereabouts subchart's default image up to v4.0.204 is whereabouts v0.6.x
# or older (v3.8-build2021110403: v0.5.3 ... v4.0.204: v0.6.3-build20240208); v4.0.205 ships
# v0.7.0 (charts/rke2-whereabouts/values.yaml image.tag of each packaged release, rancher/rke2-charts
# branch main). "4.1.000", published between them, ships v0.8.0 and sorts after v4.0.205.
RKE2_WHEREABOUTS_V07 = "v4.0.205"
RKE2_WHEREABOUTS_FIRST = "v3.8-build2021110403"  # the first release with the subchart
RKE2_WHEREABOUTS_OLD = "v0.6"  # the release every older chart's default is judged as (<= v0.6.3)


def image_release(image: str, project: str) -> str | None:
    """The release named by ``image``'s tag when it is a known image of ``project`` ("whereabouts",
    "ovs", "sriov", "cni-plugins"), else None."""
    for name, pattern in _IMAGES:
        if name == project:
            m = pattern.search(image)
            if m and release_key(m["tag"]) is not None:
                return m["tag"]
    return None


def rke2_whereabouts_release(chart_version: str | None, tag: object) -> str | None:
    """The whereabouts release an rke2-multus release installs: ``rke2-whereabouts.image.tag`` when
    set, else the chart's default when the chart is pinned below v4.0.205; None (a current one,
    or unknown) otherwise."""
    from multus_lint.model.versions import chart_release_key

    if isinstance(tag, str) and release_key(tag) is not None:
        return tag
    if tag is not None:
        return None
    key, bound = chart_release_key(chart_version), chart_release_key(RKE2_WHEREABOUTS_V07)
    first = chart_release_key(RKE2_WHEREABOUTS_FIRST)
    if key is not None and bound is not None and first is not None and first <= key < bound:
        return RKE2_WHEREABOUTS_OLD
    return None


# rke2-multus: the release of rancher/hardened-cni-plugins (containernetworking/plugins, built
# from the upstream tag) its cni-plugins init container copies, by chart release: the first
# published release with each new default `cniplugins.image.tag` (values.yaml of each packaged
# chart, rancher/rke2-charts branch main; v4.1.205 went back to v1.5.1 for one release).
RKE2_CNI_PLUGINS: tuple[tuple[str, str], ...] = (
    ("v3.7.1-build2021041601", "v0.9.1"), ("v3.8-build2021110401", "v1.0.1"),
    ("v3.9.3-build2023010903", "v1.2.0"), ("v4.0.2-build2024020800", "v1.4.0"), ("v4.0.205", "v1.4.1"),
    ("4.1.000", "v1.5.1"), ("v4.1.203", "v1.6.0"), ("v4.1.205", "v1.5.1"), ("v4.1.301", "v1.6.0"),
    ("v4.1.401", "v1.6.2"), ("v4.2.002", "v1.7.1"), ("v4.2.203", "v1.8.0"), ("v4.2.307", "v1.9.0"),
    ("v4.2.405", "v1.9.1"),
)


def rke2_cni_plugins_release(chart_version: str | None, tag: object) -> str | None:
    """The containernetworking/plugins release an rke2-multus release copies: ``cniplugins.image.tag``
    when set, else the pinned chart's default; None when unpinned (the newest) or unknown."""
    from multus_lint.model.versions import chart_release_key

    if isinstance(tag, str) and release_key(tag) is not None:
        return tag
    key = chart_release_key(chart_version)
    if tag is not None or key is None:
        return None
    found = None
    for since, release in RKE2_CNI_PLUGINS:
        first = chart_release_key(since)
        if first is not None and first <= key:
            found = release
    return found
