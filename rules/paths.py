"""ML1xx: K3s node paths in the rke2-multus chart values and in raw Multus DaemonSets.

One code path judges every node path (bin dir, conf dir, autoconfig dir, kubeconfig):
``judge_*`` return a Verdict for one value, whatever object it came from; the checkers
only find the values (chart releases, DaemonSet hostPaths and args, Multus config files)
and say where a finding goes.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from multus_lint.context import Context
from multus_lint.findings import Finding
from multus_lint.fixes import Fix, release_fix
from multus_lint.load.document import Document, Site, get_path
from multus_lint.model.chart_bugs import bugs_of
from multus_lint.model.charts import ChartRelease, crd_charts
from multus_lint.model.multus_daemonset import WHEREABOUTS_SEARCH_DIRS, MultusDaemonSet, NodePath
from multus_lint.model.profile import Profile
from multus_lint.model.versions import (
    CHART_AUTOCONFIG_DIR,
    CHART_AUTOCONFIG_HOST,
    CHART_BROKEN,
    CHART_CLEANUP_DEFAULT,
    CHART_CRD_SPLIT,
    CHART_WHEREABOUTS_CNICONF,
    MULTUS_CNI_1_0,
    chart_assumed_newest,
    chart_at_least,
    chart_is,
    chart_pinned_below,
    k3s_flannel_cni_1_0,
    multus_image_release,
)
from multus_lint.records import dataclass
from multus_lint.registry import Rule, checks, declare
from multus_lint.validate.schemas import key_problems, load

K3S_DOCS = "https://docs.k3s.io/networking/multus-ipams"
CHARTS_REPO = "https://github.com/rancher/rke2-charts/tree/main-source/packages/rke2-multus/charts"

BIN_DIR = declare(
    "ML101", "k3s-cni-bin-dir", "error",
    "CNI bin dir is not K3s's (/opt/cni/bin, an RKE2 path, another dir, or missing).",
    what="Checks the CNI binary dir given to Multus: `config.cni_conf.binDir` and "
         "`rke2-whereabouts.cniConf.binDir` in rke2-multus values, and the hostPath behind "
         "`--cni-bin-dir` in a Multus DaemonSet. A missing value means the chart default "
         "`/opt/cni/bin` (info, not error, when some of the release's values cannot be read: Argo "
         "CD valueFiles, Flux valuesFrom, HelmChart valuesSecrets may set it; so for ML103-ML105). "
         "On a generic cluster a distribution's package dir (`/usr/libexec/cni`, "
         "`/usr/lib/cni`) is the node's own choice and not judged.",
    why="K3s's containerd looks for CNI plugins only in its own dir (`D/data/cni` since the October "
        "2024 releases v1.28.15, v1.29.10, v1.30.6, v1.31.2; `D/data/current/bin` before), so "
        "Multus and the plugins installed elsewhere are never found: pods fail with "
        "`failed to find plugin \"multus\" in path`.",
    example="config:\n  cni_conf:\n    binDir: /opt/cni/bin",
    fix="Set it to the dir of your K3s release, e.g. `binDir: /var/lib/rancher/k3s/data/cni/`.",
    refs=(K3S_DOCS, "https://github.com/k3s-io/k3s/pull/10868",
          "https://github.com/k8snetworkplumbingwg/multus-cni/issues/927"),
    fixable=True,
)

VERSIONED_BIN_DIR = declare(
    "ML102", "k3s-versioned-bin-dir", "error",
    "A release-specific CNI bin dir (data/<hash>/bin, data/current/bin after the gate, "
    "data/cni before it).",
    what="Flags bin dirs tied to one K3s release: `D/data/<hash>/bin` (error: the hash changes on "
         "every upgrade), `D/data/current/bin` on a K3s that has the static dir (error: "
         "containerd does not look there), `D/data/cni` on a K3s older than the gate (error: "
         "containerd does not look there).",
    why="containerd gets one CNI bin dir, the folder where K3s finds host-local (k3s "
        "pkg/executor/embed `Bootstrap`: `CNIBinDir = filepath.Dir(hostLocal)`): `D/data/cni` "
        "since the gate (k3s PR #10868), so a plugin in `D/data/current/bin` is never found; "
        "before the gate the hash dir disappears on upgrade and `current` is re-pointed, so "
        "plugins copied there vanish after the next K3s upgrade.",
    example="binDir: /var/lib/rancher/k3s/data/3ccf8a82/bin",
    fix="Use `D/data/cni` on K3s >= v1.28.15/v1.29.10/v1.30.6/v1.31.2, `D/data/current/bin` before.",
    refs=(K3S_DOCS, "https://github.com/k3s-io/k3s/issues/10869"),
    fixable=True,
)

CONF_DIR = declare(
    "ML103", "k3s-cni-conf-dir", "error",
    "CNI conf dir is not K3s's D/agent/etc/cni/net.d (e.g. /etc/cni/net.d), or missing.",
    what="Checks the CNI config dir Multus reads and writes: `config.cni_conf.confDir` and "
         "`rke2-whereabouts.cniConf.confDir` in rke2-multus values (missing means the chart default "
         "`/etc/cni/net.d`), and in a Multus DaemonSet the hostPath volume behind `--cni-conf-dir`, "
         "`--multus-autoconfig-dir` (thin) or `cniConfigDir`/`multusAutoconfigDir` of "
         "daemon-config.json (thick).",
    why="With its embedded flannel, K3s's containerd reads CNI configs from `D/agent/etc/cni/net.d`, "
        "where flannel writes `10-flannel.conflist`. Multus writing `00-multus.conf` to "
        "`/etc/cni/net.d` is never loaded, and Multus finds no primary network to delegate to.",
    example="config:\n  cni_conf:\n    confDir: /etc/cni/net.d",
    fix="Set it to `/var/lib/rancher/k3s/agent/etc/cni/net.d` (with your data dir).",
    refs=(K3S_DOCS, "https://github.com/k8snetworkplumbingwg/multus-cni/issues/564"),
    fixable=True,
)

KUBECONFIG_PATH = declare(
    "ML104", "multus-kubeconfig-path", "error",
    "Multus kubeconfig host path missing (default /etc/cni/net.d/multus.d/...) or not in the K3s conf dir.",
    what="Checks the host path of the kubeconfig Multus uses to read NetworkAttachmentDefinitions: "
         "`config.cni_conf.kubeconfig` in rke2-multus values, `--multus-kubeconfig-file-host` of the "
         "thin entrypoint (or the older /entrypoint.sh), and `kubeconfig` in a Multus config file "
         "(00-multus.conf). Missing means the default `/etc/cni/net.d/multus.d/multus.kubeconfig`.",
    why="The entrypoint writes the kubeconfig into `<conf dir>/multus.d/` but puts this path into the "
        "generated Multus config; on K3s nothing is at `/etc/cni/net.d`, so every pod with an extra "
        "network fails with `GetK8sClient: failed to get context for the kubeconfig "
        "/etc/cni/net.d/multus.d/multus.kubeconfig: ... no such file or directory`.",
    example="args:\n  - --multus-conf-file=auto\n  - --cni-conf-dir=/host/etc/cni/net.d",
    fix="Set it to `/var/lib/rancher/k3s/agent/etc/cni/net.d/multus.d/multus.kubeconfig` "
        "(`config.cni_conf.kubeconfig`, or `--multus-kubeconfig-file-host=...`).",
    refs=(K3S_DOCS, "https://github.com/bitnami/charts/issues/30606",
          "https://github.com/k8snetworkplumbingwg/multus-cni/blob/master/cmd/thin_entrypoint/main.go"),
    fixable=True,
)

AUTOCONFIG_DIR = declare(
    "ML105", "multus-autoconfig-dir", "error",
    "multusAutoconfigDir missing or not the K3s conf dir (chart unpinned or >= v4.2.201); "
    "set on a chart pinned below v4.2.201 (warning).",
    what="Chart values only. From rke2-multus v4.2.201 the chart passes "
         "`config.cni_conf.multusAutoconfigDir` (default `/etc/cni/net.d`) to Multus as the dir "
         "where it looks for the primary network's config; on K3s it must be "
         "`D/agent/etc/cni/net.d`. An unpinned chart installs the newest release, so it needs it too. "
         "A chart pinned below v4.2.201 passes the value without the /host prefix, so setting it "
         "there breaks Multus (warning). v4.2.201 gets no automatic fix: it mounts the dir a second "
         "time when it equals confDir (ML113).",
    why="Multus looks for flannel's `10-flannel.conflist` in the autoconfig dir; in the RKE2 default "
        "it finds nothing and fails with `cannot find valid master CNI config`.",
    example="config:\n  cni_conf:\n    confDir: /var/lib/rancher/k3s/agent/etc/cni/net.d\n"
            "    # multusAutoconfigDir missing",
    fix="Add `multusAutoconfigDir: /var/lib/rancher/k3s/agent/etc/cni/net.d` (remove it when you pin "
        "a chart older than v4.2.201; on v4.2.201 pin v4.2.202 or later instead).",
    refs=(K3S_DOCS, "https://github.com/k3s-io/docs/pull/455", "https://github.com/k3s-io/docs/issues/450"),
    fixable=True,
)

KNOWN_BROKEN = declare(
    "ML106", "multus-chart-known-broken", "error",
    "Chart version pinned to v4.2.107 or v4.2.200, broken on K3s (custom conf dir not mounted).",
    what="Flags a HelmChart `version` (or .tgz URL) pinned to an rke2-multus release that cannot run "
         "with the K3s conf dir: v4.2.107 and v4.2.200 pass `--cni-conf-dir=/host<confDir>` but still "
         "mount the conf dir at `/host/etc/cni/net.d`.",
    why="The thin entrypoint exits with `cni-conf-dir is not found` on every node, so Multus never "
        "starts (k3s-io/docs #450).",
    example="spec:\n  chart: rke2-multus\n  version: v4.2.107",
    fix="Pin v4.2.202 or later (with `multusAutoconfigDir`), or v4.2.106 (without it).",
    refs=("https://github.com/k3s-io/docs/issues/450", "https://github.com/rancher/rke2/issues/8577"),
)

KUBECONFIG_REFRESH = declare(
    "ML107", "multus-kubeconfig-refresh", "warning",
    "Thin plugin, chart pinned below v4.2.303 and cleanupConfigOnExit not true: token never refreshed.",
    what="For the thin plugin (not `thickPlugin.enabled`): a chart pinned below v4.2.303 defaults "
         "`config.cni_conf.cleanupConfigOnExit` to false, and the thin entrypoint refreshes the "
         "service-account token in multus.kubeconfig only in the watch loop that flag enables.",
    why="Bound service-account tokens expire; about an hour after a node starts, every pod with an "
        "extra network fails with `error waiting for pod: Unauthorized`.",
    example="spec:\n  version: v4.2.202\n  valuesContent: |-\n    config:\n      cni_conf: {}",
    fix="Set `config.cni_conf.cleanupConfigOnExit: true`, or use chart v4.2.303 or later.",
    refs=("https://github.com/rancher/rke2/issues/9313",
          "https://github.com/k8snetworkplumbingwg/multus-cni/issues/852"),
)

THICK_PATHS = declare(
    "ML108", "multus-thick-plugin-paths", "warning",
    "thickPlugin.enabled: the chart's thick DaemonSet hard-codes /etc/cni/net.d and /opt/cni/bin.",
    what="Reported at `thickPlugin.enabled: true` in rke2-multus values.",
    why="The chart's thick DaemonSet template ignores `config.cni_conf` and mounts the RKE2 paths "
        "`/etc/cni/net.d` and `/opt/cni/bin`, which K3s's containerd does not use; its daemon also "
        "cannot follow K3s's absolute plugin symlinks inside the pod.",
    example="thickPlugin:\n  enabled: true",
    fix="Use the thin plugin on K3s (remove `thickPlugin.enabled`), or deploy Multus thick from your "
        "own manifests with K3s paths.",
    refs=(f"{CHARTS_REPO}/templates/daemonSet-thick.yaml",),
)

CRD_CHART_MISSING = declare(
    "ML109", "multus-crd-chart-missing", "warning",
    "Multus chart unpinned or >= v4.3.009 and no rke2-multus-crd HelmChart: no NAD CRD.",
    what="Reported at the Multus HelmChart's `chart:` key when it is unpinned or pinned at v4.3.009 "
         "or later and the scanned files hold no HelmChart of `rke2-multus-crd`; also when whereabouts "
         "is enabled in the Multus values but not in the rke2-multus-crd chart's values. Info, not "
         "warning, when the chart is unpinned: helm installs the newest release only on first "
         "install or when the HelmChart changes, and a cluster that got the CRD earlier keeps it.",
    why="From v4.3.009 the NetworkAttachmentDefinition CRD (and the whereabouts CRDs, only with "
        "`rke2-whereabouts.enabled: true` in that chart) moved to the separate chart `rke2-multus-crd` "
        "(rke2-charts PR #1116). RKE2 installs it itself; on K3s nothing does, so NADs cannot be created.",
    example="spec:\n  chart: rke2-multus\n  repo: https://rke2-charts.rancher.io",
    fix="Add a HelmChart `chart: rke2-multus-crd` (same repo, kube-system), with "
        "`rke2-whereabouts: {enabled: true}` in its values when you use whereabouts; or pin the "
        "Multus chart below v4.3.009.",
    refs=("https://github.com/rancher/rke2-charts/pull/1116", "https://github.com/rancher/rke2/issues/8628"),
)

VALUES_UNKNOWN_KEY = declare(
    "ML110", "multus-values-unknown-key", "warning",
    "Unknown or misspelled key in rke2-multus / rke2-whereabouts values (info: a key with no effect).",
    what="Compares the merged values with the chart's values (schemas/rke2-multus-values.json, derived "
         "from rancher/rke2-charts values.yaml) and suggests the nearest known key. Keys the chart "
         "accepts but no template uses (`config.fullnameOverride`, `cni_conf.clusterNetwork`) are info.",
    why="Helm silently ignores unknown keys: `bindir` leaves `binDir` at its RKE2 default and the "
        "failure only shows at pod start.",
    example="config:\n  cni_conf:\n    bindir: /var/lib/rancher/k3s/data/cni",
    fix="Spell the key as the chart does (`binDir`), or remove it.",
    refs=(f"{CHARTS_REPO}/values.yaml",),
)

ENTRYPOINT_MISSING = declare(
    "ML111", "multus-entrypoint-missing", "error",
    "A Multus container runs an entrypoint its image does not ship (/entrypoint.sh on a v4 image, "
    "/thin_entrypoint on a v3 image).",
    what="Checks the `command` of containers running the upstream multus-cni image "
         "(ghcr.io/k8snetworkplumbingwg/multus-cni) whose tag names the release: v4 images "
         "(and the `latest`/`snapshot` tags built from master) ship /thin_entrypoint and "
         "/install_multus (thick: multus-daemon) but no /entrypoint.sh; v3 images ship "
         "/entrypoint.sh and no /thin_entrypoint.",
    why="The container cannot start (`exec: \"/entrypoint.sh\": stat /entrypoint.sh: no such file "
        "or directory`), so Multus is never installed on the node; this happens when a v3-era "
        "DaemonSet is moved to a v4 image tag.",
    example='image: ghcr.io/k8snetworkplumbingwg/multus-cni:v4.2.2\ncommand: ["/entrypoint.sh"]',
    fix="Use the entrypoint of the image's release: `/thin_entrypoint` (same flags) for v4, "
        "`/entrypoint.sh` for v3 (or the deployments/multus-daemonset.yml of that release).",
    refs=("https://github.com/k8snetworkplumbingwg/multus-cni/blob/master/images/Dockerfile",
          "https://github.com/k8snetworkplumbingwg/multus-cni/blob/v3.9.3/images/Dockerfile"),
)

MULTUS_TOO_OLD_FOR_CNI_1_0 = declare(
    "ML112", "multus-v3-cni-1.0", "error",
    "A Multus v1-v3 image (tag names the release) generating its config from K3s's flannel conflist, "
    "which is cniVersion 1.0.0: the delegate fails.",
    what="Checks Multus DaemonSet containers whose image tag names a release before v4.0.0 "
         "(ghcr.io/k8snetworkplumbingwg/multus-cni:v3.9.3, nfvpe/multus:v3.4, "
         "rancher/hardened-multus-cni:v3.9-build..., thick images alike) and that generate the Multus "
         "config from the master plugin (`--multus-conf-file=auto`) in the K3s conf dir, where K3s "
         "writes 10-flannel.conflist. Moving tags (stable, latest, thick) are not judged.",
    why="Multus v1-v3 vendor a containernetworking/cni library older than v1.0 (v3.9.3: v0.8.1), "
        "which parses delegate results only up to cniVersion 0.4.0; K3s's flannel conflist is "
        "cniVersion 1.0.0, so every pod fails with `error adding container to network \"cbr0\": "
        "unsupported CNI result version \"1.0.0\"` (multus-cni#875). CNI 1.0 support arrived in "
        "Multus v4.0.0.",
    example="image: ghcr.io/k8snetworkplumbingwg/multus-cni:v3.9.3\nargs: [\"--multus-conf-file=auto\", ...]",
    fix="Use a Multus v4 image (its deployments/multus-daemonset.yml), or the rke2-multus chart.",
    refs=("https://github.com/k8snetworkplumbingwg/multus-cni/issues/875",
          "https://github.com/k8snetworkplumbingwg/multus-cni/pull/879",
          "https://github.com/k3s-io/k3s/blob/master/pkg/agent/flannel/setup_linux.go"),
)

CHART_VERSION_BUG = declare(
    "ML113", "multus-chart-version-bug", "error",
    "A pinned rke2-multus / rke2-multus-crd release with a known bug that the values trigger "
    "(list with sources: lint/model/chart_bugs.py).",
    what="Compares a pinned chart version (HelmChart `spec.version` or .tgz URL, Flux and Argo CD "
         "releases) with the published releases that carry a known bug, and reports it when the "
         "merged values make it bite: rke2-multus v4.0.2-build2023081100 to v4.2.106 with "
         "`config.cni_conf.namespaceIsolation` set (rendered as the unknown flag "
         "`--cni-namespace-isolation`); v4.2.201 with `confDir` equal to `multusAutoconfigDir` (the "
         "chart's own defaults: one mountPath twice); rke2-multus-crd 4.3.009 (its templates fail "
         "under helm-controller). Unpinned charts install the newest release, which has none of them.",
    why="Each one stops Multus: the thin entrypoint exits on the unknown flag, the API server rejects "
        "a container with a duplicate mountPath, and a chart whose templates fail installs nothing "
        "(no NetworkAttachmentDefinition CRD).",
    example="spec:\n  chart: rke2-multus\n  version: v4.2.106\n  valuesContent: |-\n    config:\n"
            "      cni_conf:\n        namespaceIsolation: true",
    fix="Pin the release the finding names (on K3s v4.2.202 or later for rke2-multus), or drop the "
        "value that triggers the bug.",
    refs=("https://github.com/rancher/rke2/issues/8577", "https://github.com/rancher/rke2-charts/pull/737",
          "https://github.com/rancher/rke2-charts/pull/746", "https://github.com/rancher/rke2-charts/pull/1120"),
)

_HASH_DIR = re.compile(r"^(?P<d>.*)/data/(?P<h>[0-9a-f]{6,})/bin$")
CNI_CONF = ("config", "cni_conf")
RKE2_CONF_DIR = "/etc/cni/net.d"  # chart default of confDir and multusAutoconfigDir
RKE2_KUBECONFIG = "/etc/cni/net.d/multus.d/multus.kubeconfig"


# Where distributions' packages put the CNI plugins, and so where their runtimes look: Fedora/RHEL's
# containernetworking-plugins RPM installs to /usr/libexec/cni and their CRI-O lists it in
# plugin_dirs; Debian's containerd ships bin_dir = "/usr/lib/cni" (openSUSE's and Arch's also use
# it). On a generic cluster the node's packages are unknown, so such a dir is the node's own choice
# and not judged (k8snetworkplumbingwg/reference-deployment's CRI-O DaemonSets use /usr/libexec/cni).
# K3s and RKE2 run their own containerd, which never looks there.
PACKAGED_BIN_DIRS = frozenset({"/usr/libexec/cni", "/usr/lib/cni"})


def norm(path: str) -> str:
    return path.rstrip("/") or "/"


@dataclass(repr=False, eq=False)
class Verdict:
    rule: Rule
    severity: str
    message: str
    expected: str


def judge_bin_dir(value: object, profile: Profile, what: str) -> Verdict | None:
    """ML101/ML102 for one bin dir value (None: missing, the chart default applies)."""
    expected = profile.bin_dir
    if value is None:
        if expected == "/opt/cni/bin":
            return None  # flannel off: the chart default is containerd's dir
        return Verdict(BIN_DIR, "error", f"{what} is not set, so the chart default /opt/cni/bin "
                       f"applies; {profile.name} expects {expected}, where its containerd looks for CNI plugins",
                       expected)
    if not isinstance(value, str):
        return Verdict(BIN_DIR, "error", f"{what} must be a path string, not {value!r}; {profile.name} "
                       f"expects {expected}", expected)
    got = norm(value)
    if got == expected:
        return None
    if profile.distro == "generic" and got in PACKAGED_BIN_DIRS:
        return None
    d = profile.d
    if not profile.flannel_off:
        m = _HASH_DIR.match(got)
        if m and m["d"] == d:
            return Verdict(VERSIONED_BIN_DIR, "error", f"{what} {value} is a release-specific dir "
                           f"(hash {m['h']}) that disappears on the next K3s upgrade; use {expected}",
                           expected)
        if got in (f"{d}/data/current/bin", f"{d}/data/previous/bin") and profile.static_cni_dir:
            # k3s pkg/executor/embed Bootstrap: containerd's CNIBinDir is the folder of host-local,
            # D/data/cni after the gate (PR #10868); data/current/bin is no longer searched
            return Verdict(VERSIONED_BIN_DIR, "error", f"{what} {value} is not searched: this K3s "
                           f"gives containerd only {expected} as CNI bin dir, so a plugin installed "
                           f"there is never found (`failed to find plugin`); use {expected}", expected)
        if got == f"{d}/data/cni" and not profile.static_cni_dir:
            return Verdict(VERSIONED_BIN_DIR, "error", f"{what} {value}: K3s "
                           f"{profile.k3s_version} predates the static CNI dir (v1.28.15, v1.29.10, "
                           f"v1.30.6, v1.31.2), its containerd looks in {expected}", expected)
    return Verdict(BIN_DIR, "error", f"{what} {value} is {_why_wrong(got, profile)}; {profile.name} expects {expected}"
                   + (f" ({_defaults_why(profile)})" if profile.flannel_off
                      else ", the only dir its containerd searches for CNI plugins"), expected)


def _defaults_why(profile: Profile) -> str:
    if profile.distro == "rke2":
        return "RKE2 runs containerd with flannel-backend none, so it keeps containerd's default CNI dirs"
    if profile.distro == "generic":
        return "containerd's default CNI dirs"
    return "flannel-backend: none, so containerd keeps its defaults"


def _why_wrong(got: str, profile: Profile | None = None, noun: str = "") -> str:
    """Why ``got`` is wrong, as "is ..." continues: "the upstream/RKE2 default conf dir"."""
    tail = f" {noun}" if noun else ""
    if profile is not None and not profile.is_k3s:
        if "/rancher/k3s/" in got:
            return f"a K3s {noun or 'path'}"
        return (f"not {profile.name}'s{tail}" if profile.distro == "rke2"
                else f"not containerd's default{tail}")
    if got in ("/opt/cni/bin", "/etc/cni/net.d", RKE2_KUBECONFIG):
        return f"the upstream/RKE2 default{tail}"
    if "/rancher/rke2/" in got:
        return f"an RKE2 {noun or 'path'}"
    return f"not K3s's{tail}"


def judge_conf_dir(value: object, profile: Profile, what: str, default: str = RKE2_CONF_DIR) -> Verdict | None:
    """ML103 for one conf dir (None: missing, ``default`` applies)."""
    expected = profile.conf_dir
    why = (_defaults_why(profile) if profile.flannel_off else
           "where K3s's flannel writes 10-flannel.conflist and containerd reads CNI configs")
    if value is None:
        if default == expected:
            return None
        return Verdict(CONF_DIR, "error", f"{what} is not set, so the default {default} applies; "
                       f"{profile.name} expects {expected}, {why}", expected)
    if not isinstance(value, str):
        return Verdict(CONF_DIR, "error", f"{what} must be a path string, not {value!r}; {profile.name} "
                       f"expects {expected}", expected)
    if norm(value) == expected:
        return None
    return Verdict(CONF_DIR, "error", f"{what} {value} is {_why_wrong(norm(value), profile, 'conf dir')}; {profile.name} expects "
                   f"{expected}, {why}", expected)


def judge_kubeconfig(value: object, profile: Profile, what: str) -> Verdict | None:
    """ML104 for the host path of the Multus kubeconfig (None: the default applies)."""
    expected = profile.multus_kubeconfig
    why = "the entrypoint writes it into the conf dir's multus.d, and Multus reads it from this path"
    if value is None:
        if RKE2_KUBECONFIG == expected:
            return None
        return Verdict(KUBECONFIG_PATH, "error", f"{what} is not set, so the default {RKE2_KUBECONFIG} "
                       f"goes into the Multus config; {profile.name} expects {expected} ({why}), else pods fail "
                       "with `GetK8sClient: ... no such file or directory`", expected)
    if not isinstance(value, str):
        return Verdict(KUBECONFIG_PATH, "error", f"{what} must be a path string, not {value!r}; "
                       f"{profile.name} expects {expected}", expected)
    if norm(value) == expected:
        return None
    return Verdict(KUBECONFIG_PATH, "error", f"{what} {value} is {_why_wrong(norm(value), profile, 'path')}; "
                   f"{profile.name} expects {expected} ({why})", expected)


# ------------------------------------------------------------------ chart values


def thick(rel: ChartRelease) -> bool:
    return rel.get(("thickPlugin", "enabled")) is True


def whereabouts_enabled(rel: ChartRelease) -> bool:
    # helm treats a non-bool condition as unset (false)
    return rel.get(("rke2-whereabouts", "enabled")) is True


def misspelled_paths(rel: ChartRelease) -> set[tuple]:
    """Values paths present only under a misspelled key (ML110 reports those, not the missing key)."""
    def build() -> set[tuple]:
        out = set()
        for p in key_problems(rel.values, load("rke2-multus-values")):
            if p.suggestion and p.no_effect is None:
                out.add(p.path[:-1] + (p.suggestion,))
        return out
    return rel_cache(rel, "misspelled", build)


def rel_cache(rel: ChartRelease, key: str, build: Any) -> Any:
    cache = rel.__dict__.setdefault("_rule_cache", {})
    if key not in cache:
        cache[key] = build()
    return cache[key]


def shadowed(rel: ChartRelease, path: tuple) -> bool:
    """``path`` (or a parent) is missing only because its key is misspelled."""
    if rel.has(path):
        return False
    miss = misspelled_paths(rel)
    return any(path[:i] in miss for i in range(1, len(path) + 1))


def chart_node_paths(rel: ChartRelease) -> Iterator[tuple[tuple, str, Any]]:
    """(values path, label, judge) of every node path the release sets for K3s nodes."""
    if not thick(rel):  # the thick DaemonSet ignores cni_conf (ML108 says so)
        yield CNI_CONF + ("binDir",), "config.cni_conf.binDir", judge_bin_dir
        yield CNI_CONF + ("confDir",), "config.cni_conf.confDir", judge_conf_dir
        yield CNI_CONF + ("kubeconfig",), "config.cni_conf.kubeconfig", judge_kubeconfig
    if whereabouts_enabled(rel):
        yield ("rke2-whereabouts", "cniConf", "binDir"), "rke2-whereabouts.cniConf.binDir", judge_bin_dir
        yield ("rke2-whereabouts", "cniConf", "confDir"), "rke2-whereabouts.cniConf.confDir", judge_conf_dir


def chart_bin_dirs(rel: ChartRelease) -> Iterator[tuple[tuple, str]]:
    """(values path, label) of every bin dir the release sets for K3s nodes."""
    for path, label, judge in chart_node_paths(rel):
        if judge is judge_bin_dir:
            yield path, label


def _severity(rel: ChartRelease, path: tuple, severity: str | None) -> str | None:
    """A key the release leaves unset while some of its values cannot be read (Argo CD
    valueFiles, Flux valuesFrom, HelmChart valuesSecrets) may be set there: the chart's
    default is then not certain, so the finding is info, not the rule's severity."""
    return "info" if rel.unread and not rel.has(path) else severity


def _release_paths(ctx: Context, rel: ChartRelease) -> Iterator[Finding]:
    old_whereabouts = chart_pinned_below(rel.version, CHART_WHEREABOUTS_CNICONF)
    for path, label, judge in chart_node_paths(rel):
        if shadowed(rel, path):
            continue
        value = rel.get(path)
        old = path[0] == "rke2-whereabouts" and old_whereabouts
        if old:
            # charts before v4.0.203 have no cniConf: whereabouts always gets the RKE2 dirs
            value = None
        verdict = judge(value, ctx.profile, label)
        if verdict:
            message = verdict.message
            if old:
                default = "/opt/cni/bin" if judge is judge_bin_dir else RKE2_CONF_DIR
                message = (f"{label} has no effect: chart {rel.version} predates "
                           f"rke2-whereabouts.cniConf (v4.0.203) and installs whereabouts into {default}; "
                           f"K3s expects {verdict.expected}: use chart v4.0.203 or later")
            elif not rel.has(path):
                message += rel.unread_note()
            yield ctx.finding(verdict.rule, rel.site(path), message, _severity(rel, path, verdict.severity),
                              fix=None if old else release_fix(rel, path, verdict.expected))


# ------------------------------------------------------------------ DaemonSets

def _np_label(np: NodePath) -> str:
    return {"bin": "CNI bin dir", "conf": "CNI conf dir", "autoconfig": "Multus autoconfig dir"}[np.kind]


def _np_site(ds: MultusDaemonSet, np: NodePath) -> Site:
    """A path reached through the volume as it is: at the volume's hostPath.path; a path that
    a flag or daemon-config key picks below the mount: at that value; a path that a subPath
    picks: at the subPath."""
    if np.sub_path and not np.rest and np.mount_at is not None:
        return ds.doc.site(*np.mount_at, "subPath")
    if np.direct or np.value_at is None:
        assert np.volume_at is not None
        return ds.doc.site(*np.volume_at)
    located, path = np.value_at
    return located.site(*path)  # type: ignore[no-any-return]


def _np_what(ds: MultusDaemonSet, np: NodePath) -> str:
    if np.direct:
        return f"hostPath of volume '{np.volume}' ({_np_label(np)})"
    volume_host = ds.volumes[np.volume][0] if np.volume else "?"
    sub = f", subPath {np.sub_path}" if np.sub_path else ""
    return (f"{np.origin} {np.inner} ({_np_label(np)}, through volume '{np.volume}' from "
            f"{volume_host}{sub}), on the host")


def _expected(ctx: Context, np: NodePath) -> str:
    return ctx.profile.bin_dir if np.kind == "bin" else ctx.profile.conf_dir


def _one_to_one(ctx: Context, ds: MultusDaemonSet, np: NodePath, paths: list[NodePath]) -> bool:
    """One edit, the volume's hostPath.path, repairs exactly this finding: the path in use is
    the volume itself, no mount of the volume has a subPath, and every path in use through
    the volume is the volume itself and wants the same value. Otherwise (a path below the
    mount, a subPath, a thick binDir that must match in the pod and on the host, a volume
    serving two dirs) the edit is not one to one and ``--fix`` leaves it."""
    if not np.direct or np.chroot_bin or np.volume is None:
        return False
    if any(m.sub_path for _, m in ds.volume_mounts(np.volume)):
        return False
    return all(other.direct and not other.chroot_bin and _expected(ctx, other) == _expected(ctx, np)
               for other in paths if other.volume == np.volume)


def _daemonset_paths(ctx: Context, ds: MultusDaemonSet, paths: list[NodePath] | None = None) -> Iterator[Finding]:
    if paths is None:
        paths = ds.node_paths(ctx.project)
    judged: set[tuple[str, str, str | None]] = set()
    for np in paths:
        if np.host is None:
            continue  # no hostPath behind it: nothing on the node to judge
        key = ("bin" if np.kind == "bin" else "conf", norm(np.host), np.volume)
        if key in judged:
            continue
        judged.add(key)
        what = _np_what(ds, np)
        if np.kind == "bin":
            verdict = judge_bin_dir(np.host, ctx.profile, what)
        else:
            verdict = judge_conf_dir(np.host, ctx.profile, what)
        if verdict:
            fix = None
            if _one_to_one(ctx, ds, np, paths):
                assert np.volume_at is not None
                fix = Fix.set(ds.doc, np.volume_at, verdict.expected)
            yield ctx.finding(verdict.rule, _np_site(ds, np), verdict.message, verdict.severity, fix=fix)
        elif np.chroot_dir and norm(np.inner) != norm(np.host) and _host_root(ds, np):
            yield ctx.finding(
                BIN_DIR, _np_site_value(ds, np),
                f"{np.origin} {np.inner} is mounted from the host's {np.host}, but with chrootDir "
                f"{np.chroot_dir} the daemon runs each plugin at {np.inner} inside the host's root, "
                f"not at {np.host}: mount {np.host} at the same path in the pod and set binDir to it "
                "(multus-cni deployments/multus-daemonset-thick.yml: the bin dir must be identical "
                "in the pod and on the host)", "warning")
    yield from _daemonset_kubeconfig(ctx, ds)


def _np_site_value(ds: MultusDaemonSet, np: NodePath) -> Site:
    if np.value_at is not None:
        located, path = np.value_at
        return located.site(*path)  # type: ignore[no-any-return]
    return _np_site(ds, np)


def _host_root(ds: MultusDaemonSet, np: NodePath) -> bool:
    """The daemon's chrootDir is the host's / (a hostPath volume of / mounted there)."""
    r = ds.resolve(np.container, np.chroot_dir or "")
    return r is not None and norm(r[0]) == "/"


def _daemonset_kubeconfig(ctx: Context, ds: MultusDaemonSet) -> Iterator[Finding]:
    for c in ds.multus_containers:
        if "initContainers" in c.path:
            continue  # init containers copy binaries; the entrypoint runs in a container
        # without command the image's ENTRYPOINT takes the args: /thin_entrypoint in a v4
        # multus-cni image (images/Dockerfile), as the bjw-s and home-operations charts run it
        thin_args = not c.data.get("command") and (any(
            a.lstrip("-").startswith(("multus-conf-file", "cni-conf-dir")) for a in c.args) or (
            bool(c.args) and image_major(c.image) == 4 and "thick" not in c.image))
        if c.entrypoint not in ("thin", "entrypoint.sh") and not thin_args:
            continue  # thick talks to its daemon; no command or args: nothing to judge
        conf_file, _ = c.flag("multus-conf-file")
        if conf_file not in (None, "auto"):
            # the kubeconfig then comes from that file: judge it when a ConfigMap provides it
            yield from _configmap_multus_conf(ctx, ds, c, conf_file)
            continue
        value, where = c.flag("multus-kubeconfig-file-host")
        label = "--multus-kubeconfig-file-host"
        verdict = judge_kubeconfig(value, ctx.profile, label)
        if verdict is None:
            continue
        site_path = where if where is not None else c.args_site_path
        fix = Fix.set(ds.doc, where, f"{label}={verdict.expected}") if where is not None and \
            str(get_path(ds.doc.data, where)).startswith(label + "=") else None
        yield ctx.finding(verdict.rule, ds.doc.site(*site_path),
                          verdict.message, verdict.severity, fix=fix)


def _configmap_multus_conf(ctx: Context, ds: MultusDaemonSet, c: Any, conf_file: str) -> Iterator[Finding]:
    """The Multus config a DaemonSet copies from a ConfigMap (``--multus-conf-file=<path>``)."""
    found = ds.configmap_file(c, conf_file, ctx.project)
    if found is None:
        return
    cm, key = found
    parsed = cm.embedded_json(("data", key), ctx.project.limits, "ML501", f"JSON in data.{key}")
    if parsed.problems or parsed.tree is None or not isinstance(parsed.tree.data, dict):
        return  # not JSON: nothing to judge here
    from multus_lint.load.document import Embedded

    cfg = Embedded(cm, parsed.tree)
    data = parsed.tree.data
    path: tuple = ()
    if isinstance(data.get("plugins"), list) and data["plugins"] and isinstance(data["plugins"][0], dict):
        data, path = data["plugins"][0], ("plugins", 0)
    value = data.get("kubeconfig")
    if not isinstance(value, str):
        return  # no kubeconfig: Multus runs without the API (delegates only)
    verdict = judge_kubeconfig(value, ctx.profile, f"kubeconfig in ConfigMap {cm.name} ({key})")
    if verdict:
        yield ctx.finding(verdict.rule, cfg.site(*path, "kubeconfig"), verdict.message,
                          fix=Fix.set(cfg, path + ("kubeconfig",), verdict.expected))


def _multus_conf_files(ctx: Context) -> Iterator[Finding]:
    """00-multus.conf[list] files: the kubeconfig and bin dir they hand to Multus."""
    for cfg in ctx.project.cni_files:
        if not cfg.is_dict:
            continue
        data = cfg.data
        path: tuple = ()
        if cfg.is_list:
            plugins = data.get("plugins")
            first = plugins[0] if isinstance(plugins, list) and plugins else None
            if not isinstance(first, dict) or first.get("type") != "multus":
                continue
            data, path = first, ("plugins", 0)
        elif data.get("type") != "multus":
            continue
        if isinstance(data.get("kubeconfig"), str):
            verdict = judge_kubeconfig(data["kubeconfig"], ctx.profile, "Multus config kubeconfig")
            if verdict:
                yield ctx.finding(verdict.rule, cfg.site(*path, "kubeconfig"), verdict.message,
                                  fix=Fix.set(cfg, path + ("kubeconfig",), verdict.expected))
        if isinstance(data.get("binDir"), str):
            verdict = judge_bin_dir(data["binDir"], ctx.profile, "Multus config binDir")
            if verdict:
                yield ctx.finding(verdict.rule, cfg.site(*path, "binDir"), verdict.message,
                                  verdict.severity, fix=Fix.set(cfg, path + ("binDir",), verdict.expected))


def _bitnami_paths(ctx: Context, rel: ChartRelease) -> Iterator[Finding]:
    """bitnami multus-cni: hostCNIBinDir / hostCNINetDir are the hostPath volumes, and the
    default args give the thin entrypoint no --multus-kubeconfig-file-host (lint/model/other_charts.py)."""
    for key, judge in (("hostCNIBinDir", judge_bin_dir), ("hostCNINetDir", judge_conf_dir)):
        value = rel.get((key,))
        verdict = judge(value, ctx.profile, f"{key} (bitnami multus-cni)")
        if verdict:
            msg = verdict.message + ("" if rel.has((key,)) else rel.unread_note())
            yield ctx.finding(verdict.rule, rel.site((key,)), msg, _severity(rel, (key,), verdict.severity),
                              fix=release_fix(rel, (key,), verdict.expected))
    if _thick_fork(rel):
        return
    args = rel.get(("args",))
    if isinstance(args, list) and args:
        flag = next((a for a in reversed(args) if isinstance(a, str)
                     and a.startswith("--multus-kubeconfig-file-host=")), None)
        value = flag.split("=", 1)[1] if flag else None
        where: tuple = ("args",)
    else:
        value, where = None, ("hostCNINetDir",) if rel.has(("hostCNINetDir",)) else ()
    verdict = judge_kubeconfig(value, ctx.profile, "--multus-kubeconfig-file-host (bitnami multus-cni)")
    if verdict:
        extra = "" if isinstance(args, list) and args else (
            "; the chart's default args do not pass it, so set `args` to the chart's list plus "
            f"--multus-kubeconfig-file-host={verdict.expected} (bitnami/charts#30606)")
        site = rel.site(where) if where else rel.chart_site()
        yield ctx.finding(verdict.rule, site, verdict.message + extra, verdict.severity)


def _thick_fork(rel: ChartRelease) -> bool:
    """bitnami's keys with ``daemonConfig`` / ``daemonConfigMap``, which bitnami's chart does not
    have: a fork (startechnica/apps charts/multus-cni) whose DaemonSet runs the thick daemon
    (templates/DaemonSet.yaml: /usr/src/multus-cni/bin/multus-daemon, its daemon-config.json
    from those keys) unless ``command`` names the thin entrypoint. The daemon reaches the API
    server with its service account (multus-cni cmd/multus-daemon), and the multus-shim
    config it writes names no kubeconfig: there is no --multus-kubeconfig-file-host to set."""
    if not (rel.has(("daemonConfig",)) or rel.has(("daemonConfigMap",))):
        return False
    command = rel.get(("command",))
    return not (isinstance(command, list) and any("thin_entrypoint" in str(c) for c in command))


def _k8snp_paths(ctx: Context, rel: ChartRelease) -> Iterator[Finding]:
    """k8snetworkplumbingwg multus: the hostPath volumes are hard-coded /opt/cni/bin and
    /etc/cni/net.d (multus/templates/daemonSet.yaml); args.multusKubeConfigFileHost is the flag."""
    for verdict in (judge_bin_dir("/opt/cni/bin", ctx.profile, "the chart's cnibin hostPath"),
                    judge_conf_dir("/etc/cni/net.d", ctx.profile, "the chart's cni hostPath")):
        if verdict:
            yield ctx.finding(verdict.rule, rel.chart_site(),
                              f"k8snetworkplumbingwg multus chart: {verdict.message}; its "
                              "templates/daemonSet.yaml hard-codes the hostPath and no value changes it: "
                              "use the rke2-multus chart (or bitnami multus-cni with hostCNIBinDir/"
                              "hostCNINetDir)", verdict.severity)
    path = ("args", "multusKubeConfigFileHost")
    verdict = judge_kubeconfig(rel.get(path), ctx.profile, "args.multusKubeConfigFileHost")
    if verdict and rel.has(path):
        yield ctx.finding(verdict.rule, rel.site(path), verdict.message, verdict.severity,
                          fix=release_fix(rel, path, verdict.expected))


def _bjws_paths(ctx: Context, rel: ChartRelease) -> Iterator[Finding]:
    """bjw-s multus (bjw-s-labs/helm-charts charts/other/multus templates/common.yaml, on the
    bjw-s common library): the hostPath volumes are ``cni.binPath`` (default /opt/cni/bin) and
    ``cni.netPath`` (default /etc/cni/net.d), mounted at /host/opt/cni/bin and
    /host/etc/cni/net.d; the multus container's args are the chart's own
    (``--cleanup-config-on-exit --multus-cni-conf-dir=/tmp``, merged over the release's values
    with mergeOverwrite), so the thin entrypoint's --multus-kubeconfig-file-host keeps its
    default (multus-cni cmd/thin_entrypoint/main.go addFlags)."""
    post = str(get_path(rel.doc.data, ("spec", "postRenderers")) or "") if rel.source_kind == "HelmRelease" else ""
    for key, judge in ((("cni", "binPath"), judge_bin_dir), (("cni", "netPath"), judge_conf_dir)):
        if "hostPath" in post:
            break  # a Flux post-renderer patches the DaemonSet's volumes: not what the values say
        verdict = judge(rel.get(key), ctx.profile, f"cni.{key[1]} (bjw-s multus)")
        if verdict:
            msg = verdict.message + ("" if rel.has(key) else rel.unread_note())
            yield ctx.finding(verdict.rule, rel.site(key), msg, _severity(rel, key, verdict.severity),
                              fix=release_fix(rel, key, verdict.expected))
    if "multus-kubeconfig-file-host" in post:
        return
    verdict = judge_kubeconfig(None, ctx.profile, "--multus-kubeconfig-file-host (bjw-s multus)")
    if verdict:
        where = ("cni", "netPath")
        site = rel.site(where) if rel.has(where) else rel.chart_site()
        yield ctx.finding(verdict.rule, site, verdict.message + (
            "; the chart sets the multus container's args itself (templates/common.yaml merges them "
            "over the release's values), so no value passes the flag: add "
            f"--multus-kubeconfig-file-host={verdict.expected} to the DaemonSet's args with a Flux "
            "postRenderers patch, or deploy the rke2-multus chart"), verdict.severity)


def _angelnu_paths(ctx: Context, rel: ChartRelease) -> Iterator[Finding]:
    """angelnu multus (angelnu/helm-charts charts/apps/multus/templates/common.yaml): the
    hostPath volumes are ``cni.paths.bin`` and ``cni.paths.config``, and the Multus config
    follows them (daemon-config.json binDir/confDir; earlier versions' thin entrypoint got
    --multus-kubeconfig-file-host under cni.paths.config), so these two values are all there
    is to judge. Their defaults are K3s's and changed between chart versions: only a value
    the release sets is judged."""
    for key, judge in ((("cni", "paths", "bin"), judge_bin_dir), (("cni", "paths", "config"), judge_conf_dir)):
        if not rel.has(key):
            continue
        verdict = judge(rel.get(key), ctx.profile, f"cni.paths.{key[2]} (angelnu multus)")
        if verdict:
            yield ctx.finding(verdict.rule, rel.site(key), verdict.message, verdict.severity,
                              fix=release_fix(rel, key, verdict.expected))


def _homeops_paths(ctx: Context, rel: ChartRelease) -> Iterator[Finding]:
    """home-operations multus (home-operations/helm-charts charts/multus/templates/daemonset.tpl):
    hostPath volumes ``cni.binDir`` (default /opt/cni/bin) and ``cni.netDir`` (default
    /etc/cni/net.d) at /host/opt/cni/bin and /host/etc/cni/net.d; the container args are
    ``--cleanup-config-on-exit --multus-cni-conf-dir=/tmp`` and then ``extraArgs``, so
    --multus-kubeconfig-file-host comes from extraArgs or keeps the thin entrypoint's default
    (multus-cni cmd/thin_entrypoint/main.go addFlags; pflag keeps a repeated flag's last value)."""
    for key, judge in ((("cni", "binDir"), judge_bin_dir), (("cni", "netDir"), judge_conf_dir)):
        verdict = judge(rel.get(key), ctx.profile, f"cni.{key[1]} (home-operations multus)")
        if verdict:
            msg = verdict.message + ("" if rel.has(key) else rel.unread_note())
            yield ctx.finding(verdict.rule, rel.site(key), msg, _severity(rel, key, verdict.severity),
                              fix=release_fix(rel, key, verdict.expected))
    extra = rel.get(("extraArgs",))
    value, where = None, None
    flag = "--multus-kubeconfig-file-host"
    for i, arg in enumerate(extra if isinstance(extra, list) else []):
        if isinstance(arg, str) and arg.startswith(flag + "="):
            value, where = arg.split("=", 1)[1], ("extraArgs", i)
        elif arg == flag and i + 1 < len(extra):
            value, where = extra[i + 1], ("extraArgs", i + 1)
    verdict = judge_kubeconfig(value, ctx.profile, f"{flag} (home-operations multus)")
    if verdict:
        if where is None:
            site = rel.site(("cni", "netDir")) if rel.has(("cni", "netDir")) else rel.chart_site()
            msg = verdict.message + f"; add {flag}={verdict.expected} to extraArgs"
        else:
            # the list is one value: the strongest layer that sets it holds the item
            layer = next((ly for ly in reversed(rel.layers) if ly.depth(("extraArgs",)) == 1), None)
            site = layer.site(where) if layer is not None and not layer.flat else rel.site(("extraArgs",))
            msg = verdict.message
        yield ctx.finding(verdict.rule, site, msg, verdict.severity)


# KubeVirt cluster-network-addons-operator (pkg/network/cni/cni.go): every component it deploys
# outside OpenShift 4 uses ConfigDir /etc/cni/net.d and BinDir /opt/cni/bin; no field of the
# NetworkAddonsConfig changes them (data/multus/001-multus.yaml mounts {{ .CNIConfigDir }} and
# {{ .CNIBinDir }}; ovs, linux-bridge and macvtap copy their plugins into CNIBinDir / CniMountPath).
CNAO_GROUP = "networkaddonsoperator.network.kubevirt.io/"
CNAO_PLUGIN_COMPONENTS = ("ovs", "linuxBridge", "macvtap")


def _cnao_paths(ctx: Context) -> Iterator[Finding]:
    for doc in ctx.project.of_kind("NetworkAddonsConfig"):
        spec = doc.data.get("spec")
        if not doc.api_version.startswith(CNAO_GROUP) or not isinstance(spec, dict):
            continue
        site = doc.site("spec", "multus") if "multus" in spec else None
        if site is not None:
            for verdict in (judge_bin_dir("/opt/cni/bin", ctx.profile, "the Multus DaemonSet's cnibin hostPath"),
                            judge_conf_dir("/etc/cni/net.d", ctx.profile, "its cni hostPath")):
                if verdict:
                    yield ctx.finding(verdict.rule, site,
                                      f"spec.multus: cluster-network-addons-operator deploys Multus with "
                                      f"hard-coded CNI dirs: {verdict.message}; no NetworkAddonsConfig "
                                      "field changes them (CNAO pkg/network/cni/cni.go), so leave multus "
                                      "out and deploy it for K3s (the rke2-multus chart)", verdict.severity)
        for comp in CNAO_PLUGIN_COMPONENTS:
            if comp not in spec:
                continue
            verdict = judge_bin_dir("/opt/cni/bin", ctx.profile, f"the {comp} plugin's bin dir")
            if verdict:
                yield ctx.finding(verdict.rule, doc.site("spec", comp),
                                  f"spec.{comp}: cluster-network-addons-operator installs the plugin into "
                                  f"/opt/cni/bin (CNAO pkg/network/cni/cni.go BinDir): {verdict.message}; "
                                  "pods on this network fail with `failed to find plugin`", verdict.severity)


@checks(BIN_DIR, VERSIONED_BIN_DIR, CONF_DIR, KUBECONFIG_PATH)
def node_paths(ctx: Context) -> Iterator[Finding]:
    yield from _cnao_paths(ctx)
    from multus_lint.model.chart_ids import ANGELNU, BITNAMI, BJWS, HOMEOPS, K8SNP

    for rel in ctx.project.judged_releases:
        yield from _release_paths(ctx, rel)
    for rel in ctx.project.other_releases:
        if not rel.values_known:
            continue
        if rel.chart == BITNAMI:
            yield from _bitnami_paths(ctx, rel)
        elif rel.chart == K8SNP:
            yield from _k8snp_paths(ctx, rel)
        elif rel.chart == BJWS:
            yield from _bjws_paths(ctx, rel)
        elif rel.chart == HOMEOPS:
            yield from _homeops_paths(ctx, rel)
        elif rel.chart == ANGELNU:
            yield from _angelnu_paths(ctx, rel)
    for doc in ctx.project.daemonsets:
        yield from _daemonset_paths(ctx, MultusDaemonSet(doc))
    multus = {id(d) for d in ctx.project.daemonsets}
    for doc in ctx.project.of_kind("DaemonSet"):
        if id(doc) not in multus and "whereabouts" in str(doc.data):
            ds = MultusDaemonSet(doc)
            # whereabouts' conf dir holds only whereabouts.d, which whereabouts finds itself in
            # the host's /etc/cni/net.d (pkg/config/config.go GetFlatIPAM): no runtime reads it,
            # so it needs not be K3s's CNI conf dir (ML201 judges configuration_path against it)
            paths = [p for p in ds.whereabouts_node_paths()
                     if not (p.kind == "conf" and p.host is not None
                             and posixpath.normpath(p.host) in WHEREABOUTS_SEARCH_DIRS)]
            if paths:
                yield from _daemonset_paths(ctx, ds, paths)
    yield from _multus_conf_files(ctx)


# ------------------------------------------------------------------ chart versions



def _possessive(profile: Any) -> str:
    """"K3s's", "RKE2's", or "this cluster's": how a message names the cluster's own dir."""
    return f"{profile.name}'s"

@checks(AUTOCONFIG_DIR)
def autoconfig_dir(ctx: Context) -> Iterator[Finding]:
    path = CNI_CONF + ("multusAutoconfigDir",)
    expected = ctx.profile.conf_dir
    for rel in ctx.project.judged_releases:
        if thick(rel) or shadowed(rel, path):
            continue
        value = rel.get(path)
        # v4.2.201 reads the value as v4.2.202 does (with /host), so it needs it too; but it mounts
        # the dir twice when the value equals confDir (ML113), so no fix is offered there
        v201 = chart_is(rel.version, CHART_AUTOCONFIG_HOST)
        if chart_pinned_below(rel.version, CHART_AUTOCONFIG_DIR) and not v201:
            if rel.has(path):
                yield ctx.finding(AUTOCONFIG_DIR, rel.site(path),
                                  f"multusAutoconfigDir is set, but chart {rel.version} (< v4.2.202) "
                                  "passes it to Multus without the /host prefix, so Multus looks for a "
                                  "dir that does not exist in its container; remove it, or pin v4.2.202 "
                                  "or later", "warning")
            continue
        pinned = pin_label(rel, CHART_AUTOCONFIG_HOST if v201 else CHART_AUTOCONFIG_DIR)
        note = ("; v4.2.201 mounts it a second time when it equals confDir and the DaemonSet is "
                "rejected (ML113): pin v4.2.202 or later") if v201 else ""
        if value is None:
            if expected == RKE2_CONF_DIR:
                continue
            yield ctx.finding(AUTOCONFIG_DIR, rel.site(path),
                              f"config.cni_conf.multusAutoconfigDir is not set, so the chart default "
                              f"{RKE2_CONF_DIR} applies, where Multus finds no flannel conflist; "
                              f"{ctx.profile.name} expects {expected} ({pinned})" + rel.unread_note() + note,
                              _severity(rel, path, None), fix=None if v201 else release_fix(rel, path, expected))
        elif not isinstance(value, str) or norm(value) != expected:
            yield ctx.finding(AUTOCONFIG_DIR, rel.site(path),
                              f"config.cni_conf.multusAutoconfigDir {value} is not {_possessive(ctx.profile)} "
                              f"conf dir; Multus looks there for the primary CNI's config ({pinned}); "
                              f"{ctx.profile.name} expects {expected}" + note,
                              fix=None if v201 else release_fix(rel, path, expected))


def pin_label(rel: ChartRelease, bound: str) -> str:
    """How a finding names the release's version relative to ``bound`` (versions.chart_assumption)."""
    from multus_lint.model.versions import chart_assumption

    return chart_assumption(rel.version, bound)


def _version_site(rel: ChartRelease) -> Site:
    site, found = rel.doc.find_site(("spec", "version"))
    return site if found else rel.chart_site()


@checks(KNOWN_BROKEN)
def known_broken(ctx: Context) -> Iterator[Finding]:
    for rel in ctx.project.judged_releases:
        bad = next((b for b in CHART_BROKEN if chart_is(rel.version, b)), None)
        if bad is None:
            continue
        conf = rel.get(CNI_CONF + ("confDir",))
        if (conf is None or norm(str(conf)) == RKE2_CONF_DIR) and ctx.profile.conf_dir == RKE2_CONF_DIR:
            continue  # flannel off and RKE2 paths: the mount bug does not bite
        yield ctx.finding(KNOWN_BROKEN, _version_site(rel),
                          f"rke2-multus {rel.version} mounts the conf dir at /host/etc/cni/net.d but "
                          f"passes --cni-conf-dir=/host<confDir>, so with the K3s conf dir "
                          f"{ctx.profile.conf_dir} the thin entrypoint exits with `cni-conf-dir is not "
                          "found`; pin v4.2.202 or later (with multusAutoconfigDir) or v4.2.106")


@checks(KUBECONFIG_REFRESH)
def kubeconfig_refresh(ctx: Context) -> Iterator[Finding]:
    path = CNI_CONF + ("cleanupConfigOnExit",)
    for rel in ctx.project.judged_releases:
        if thick(rel) or not chart_pinned_below(rel.version, CHART_CLEANUP_DEFAULT):
            continue
        if rel.get(path) is True or shadowed(rel, path):
            continue
        state = "is false" if rel.has(path) else "is not set (default false before v4.2.303)"
        yield ctx.finding(KUBECONFIG_REFRESH, rel.site(path),
                          f"config.cni_conf.cleanupConfigOnExit {state} with chart {rel.version}: the "
                          "thin entrypoint then never refreshes the token in multus.kubeconfig and pods "
                          "fail with `Unauthorized` once it expires; set it to true or use v4.2.303+")


@checks(THICK_PATHS)
def thick_paths(ctx: Context) -> Iterator[Finding]:
    if ctx.profile.bin_dir == "/opt/cni/bin" and ctx.profile.conf_dir == RKE2_CONF_DIR:
        return  # RKE2, generic or K3s without flannel: the hard-coded dirs are the right ones
    for rel in ctx.project.judged_releases:
        if thick(rel):
            yield ctx.finding(THICK_PATHS, rel.site(("thickPlugin", "enabled")),
                              "thickPlugin.enabled: the chart's thick DaemonSet hard-codes /etc/cni/net.d "
                              f"and /opt/cni/bin and ignores config.cni_conf, but K3s uses "
                              f"{ctx.profile.conf_dir} and {ctx.profile.bin_dir}; use the thin plugin")


def _crd_whereabouts(ctx: Context, doc: Document) -> bool | None:
    """rke2-whereabouts.enabled in an rke2-multus-crd HelmChart's values (None: unreadable)."""
    enabled: Any = False
    for key in ("valuesContent",):
        text = get_path(doc.data, ("spec", key))
        if isinstance(text, str) and text.strip():
            # the package's loader (limits, go-yaml's scalars), never yaml.safe_load: an
            # alias bomb or a `!!bool` here was a hang or an internal error
            parsed = doc.embedded_yaml(("spec", key), ctx.project.limits, "ML601")
            if not parsed or any(p.problems or p.tree is None for p in parsed):
                return None
            data = parsed[0].tree.data  # type: ignore[union-attr]
            if isinstance(data, dict):
                enabled = get_path(data, ("rke2-whereabouts", "enabled"), enabled)
    values = get_path(doc.data, ("spec", "values"))
    if isinstance(values, dict):
        enabled = get_path(values, ("rke2-whereabouts", "enabled"), enabled)
    sets = get_path(doc.data, ("spec", "set"))
    if isinstance(sets, dict) and "rke2-whereabouts.enabled" in sets:
        enabled = str(sets["rke2-whereabouts.enabled"]).lower() == "true"
    return enabled is True


@checks(CRD_CHART_MISSING)
def crd_chart_missing(ctx: Context) -> Iterator[Finding]:
    crds = crd_charts(ctx.project)
    for rel in ctx.project.releases:
        if rel.source_kind != "HelmChart" or not chart_at_least(rel.version, CHART_CRD_SPLIT):
            continue
        # An unpinned chart is judged as the newest release, as by every rule
        # (versions.chart_assumed_newest). It is info, not warning, for another reason: helm
        # installs the newest release only when the chart is first installed or its HelmChart
        # changes, and a cluster that got the CRD from an earlier release keeps it; a pin at or
        # after the split is certain (warning).
        severity = None if not chart_assumed_newest(rel.version) else "info"
        pinned = pin_label(rel, CHART_CRD_SPLIT)
        if not crds:
            yield ctx.finding(CRD_CHART_MISSING, rel.chart_site(),
                              f"{pinned}: from v4.3.009 the chart no longer ships the "
                              "NetworkAttachmentDefinition CRD, and no HelmChart of rke2-multus-crd is in "
                              "the scanned files; add one (with "
                              "rke2-whereabouts.enabled: true when using whereabouts)"
                              + (" or NADs cannot be created" if severity is None else
                                 " or pin a version below v4.3.009"), severity)
        elif rel.values_known and whereabouts_enabled(rel) and \
                not any(_crd_whereabouts(ctx, d) is not False for d in crds):
            yield ctx.finding(CRD_CHART_MISSING, rel.chart_site(),
                              "whereabouts is enabled, but the rke2-multus-crd HelmChart "
                              f"({crds[0].name}) does not set rke2-whereabouts.enabled: true, so the "
                              "whereabouts CRDs (IPPools...) are not installed; add it to that chart's "
                              "values", severity)


@checks(VALUES_UNKNOWN_KEY)
def values_unknown_keys(ctx: Context) -> Iterator[Finding]:
    schema = load("rke2-multus-values")
    for rel in ctx.project.judged_releases:
        for p in key_problems(rel.values, schema):
            dotted = ".".join(str(x) for x in p.path)
            site = rel.site(p.path)
            if p.no_effect is not None:
                yield ctx.finding(VALUES_UNKNOWN_KEY, site, f"{dotted} has no effect: {p.no_effect}",
                                  "info")
                continue
            chart = "rke2-whereabouts" if p.path[0] == "rke2-whereabouts" else "rke2-multus"
            hint = f"; did you mean '{p.suggestion}'?" if p.suggestion else \
                f" (known here: {', '.join(p.known[:12])}{'...' if len(p.known) > 12 else ''})"
            yield ctx.finding(VALUES_UNKNOWN_KEY, site,
                              f"{dotted} is not a {chart} chart value, so helm ignores it{hint}")


# ------------------------------------------------------------------ entrypoints

_UPSTREAM_IMAGE = re.compile(r"(?:^|/)k8snetworkplumbingwg/multus-cni:(?P<tag>[^@\s]+)")
_TAG_MAJOR = re.compile(r"^v?(?P<major>\d+)\.\d+")


def image_major(image: str) -> int | None:
    """The Multus major version of an upstream multus-cni image tag: images/Dockerfile of each
    release; master's tags latest*/snapshot* are built from the v4 Dockerfile
    (.github/workflows/image-push-master.yml)."""
    m = _UPSTREAM_IMAGE.search(image)
    if not m:
        return None
    tag = m["tag"]
    if tag.startswith(("latest", "snapshot")):
        return 4
    v = _TAG_MAJOR.match(tag)
    return int(v["major"]) if v else None


@checks(ENTRYPOINT_MISSING)
def entrypoint_missing(ctx: Context) -> Iterator[Finding]:
    for doc in ctx.project.daemonsets:
        ds = MultusDaemonSet(doc)
        for c in ds.containers:
            major = image_major(c.image)
            command = c.data.get("command")
            if major is None or not isinstance(command, list) or not command:
                continue
            first = command[0]
            if not isinstance(first, str):
                continue
            if major >= 4 and first in ("/entrypoint.sh", "entrypoint.sh"):
                want = "/usr/src/multus-cni/bin/multus-daemon" if "thick" in c.image else "/thin_entrypoint"
                yield ctx.finding(ENTRYPOINT_MISSING, doc.site(*c.path, "command", 0),
                                  f"{c.image} is a Multus v{major} image, which has no /entrypoint.sh "
                                  "(images/Dockerfile copies /thin_entrypoint and /install_multus): the "
                                  f"container cannot start; use {want}")
            elif major <= 3 and first.rstrip("/").endswith(("thin_entrypoint", "install_multus")):
                yield ctx.finding(ENTRYPOINT_MISSING, doc.site(*c.path, "command", 0),
                                  f"{c.image} is a Multus v{major} image, which has no {first} (v3's "
                                  "images/Dockerfile ships /entrypoint.sh): the container cannot start; "
                                  "use /entrypoint.sh with the same flags, or a v4 image")


# ------------------------------------------------------------------ known chart bugs (ML113)


def _crd_version(doc: Document) -> tuple[str | None, Site]:
    """(pinned version, where it is written) of an rke2-multus-crd HelmChart: ``spec.version``,
    else the version in a .tgz URL (``.../rke2-multus-crd-4.3.009.tgz``)."""
    version = get_path(doc.data, ("spec", "version"))
    path: tuple = ("spec", "version")
    if not isinstance(version, (str, int, float)) or isinstance(version, bool) or version == "":
        chart = get_path(doc.data, ("spec", "chart"))
        m = re.search(r"rke2-multus-crd-(v?[0-9][^/]*?)\.tgz$", chart) if isinstance(chart, str) else None
        version, path = (m[1] if m else None), ("spec", "chart")
    return (str(version) if version is not None else None), doc.site(*path)


@checks(CHART_VERSION_BUG)
def chart_version_bug(ctx: Context) -> Iterator[Finding]:
    for rel in ctx.project.judged_releases:
        if not rel.version:
            continue  # unpinned: helm installs the newest release, which has none of these bugs
        for bug in bugs_of("rke2-multus", rel.version):
            if bug.trigger is None:
                continue
            if not rel.values_known:
                continue  # a values layer this linter cannot read may change the trigger
            hit = bug.trigger(rel.get)
            if hit is None:
                continue
            yield ctx.finding(CHART_VERSION_BUG, rel.site(hit.path),
                              f"rke2-multus {rel.version} {hit.why}: {bug.effect} ({bug.cite()}); {bug.advice}")
    for doc in crd_charts(ctx.project):
        version, site = _crd_version(doc)
        for bug in bugs_of("rke2-multus-crd", version):
            yield ctx.finding(CHART_VERSION_BUG, site,
                              f"rke2-multus-crd {version}: {bug.effect} ({bug.cite()}); {bug.advice}")


# ------------------------------------------------------------------ Multus 3.x on CNI 1.0 (ML112)

FLANNEL_CONFLIST = "10-flannel.conflist"  # k3s-io/k3s pkg/agent/flannel setup.go createCNIConf


@checks(MULTUS_TOO_OLD_FOR_CNI_1_0)
def multus_too_old_for_cni_1_0(ctx: Context) -> Iterator[Finding]:
    profile = ctx.profile
    if profile.flannel_off or not k3s_flannel_cni_1_0(profile.k3s_version):
        return  # no K3s flannel conflist, or a K3s release that may still write 0.3.1
    for doc in ctx.project.daemonsets:
        ds = MultusDaemonSet(doc)
        for np in ds.node_paths(ctx.project):
            c = np.container
            release = multus_image_release(c.image)
            if np.kind != "autoconfig" or release is None or release >= MULTUS_CNI_1_0:
                continue
            if c.role == "thin" and c.flag("multus-conf-file")[0] != "auto":
                continue  # v3's /entrypoint.sh defaults to a file, not to "auto"
            master = c.flag("multus-master-cni-file-name")[0] or c.flag("multus-master-cni-file")[0]
            if master and master.rsplit("/", 1)[-1] != FLANNEL_CONFLIST:
                continue  # another master config is delegated to
            if np.host is None or norm(np.host) != profile.conf_dir:
                continue  # it does not read the dir where K3s writes flannel's conflist
            version = ".".join(str(x) for x in release)
            # doc.site follows the value to where it is written (a kustomization's images entry)
            yield ctx.finding(MULTUS_TOO_OLD_FOR_CNI_1_0, doc.site(*c.path, "image"),
                              f"{c.image} is Multus {version}, older than v4.0.0: it vendors a "
                              "containernetworking/cni library before v1.0 that parses delegate results "
                              "only up to cniVersion 0.4.0, and it generates its config from K3s's "
                              f"{FLANNEL_CONFLIST} in {profile.conf_dir}, which is cniVersion 1.0.0, so every "
                              "pod fails with `unsupported CNI result version \"1.0.0\"` (multus-cni#875); "
                              "use a v4 image")
