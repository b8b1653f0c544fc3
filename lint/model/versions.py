"""K3s and rke2-multus chart versions, compared exactly.

K3s versions look like ``v1.30.6+k3s1`` (the ``+k3sN`` suffix is a re-release of the same
Kubernetes patch); rke2-multus chart versions like ``v4.2.202``: upstream Multus 4.2.2 plus a
two-digit package number, so ``v4.2.202`` is (4, 2, 2, 2) and compares below ``v4.2.303``.
"""

from __future__ import annotations

import re

_K3S = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-rc\d+)?(?:\+k3s(\d+))?$")
_CHART = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$")

# The first release of each minor that keeps CNI binaries in the fixed dir D/data/cni
# (k3s-io/k3s PR #10868, October 2024); 1.32 and later always do, 1.27 and older never.
CNI_BIN_GATE = {28: 15, 29: 10, 30: 6, 31: 2}

# rke2-multus chart releases that matter on K3s (DOMAIN.md [CHART-2]).
CHART_AUTOCONFIG_DIR = "v4.2.202"  # from here multusAutoconfigDir must be the K3s conf dir
# v4.2.201 already passes --multus-autoconfig-dir=/host<dir> and mounts that dir (its packaged
# templates/daemonSet.yaml), but mounts it a second time when it equals confDir (chart_bugs.py);
# v4.2.202 only adds the guard against that (rancher/rke2-charts#746).
CHART_AUTOCONFIG_HOST = "v4.2.201"
CHART_CLEANUP_DEFAULT = "v4.2.303"  # from here cleanupConfigOnExit defaults to true
CHART_CRD_SPLIT = "v4.3.009"  # from here the NAD CRD is in the rke2-multus-crd chart
CHART_WHEREABOUTS_CNICONF = "v4.0.203"  # from here rke2-whereabouts.cniConf exists
CHART_BROKEN = ("v4.2.107", "v4.2.200")  # custom conf dir not mounted (k3s-io/docs #450)


# Multus images whose tag names the upstream release: the upstream image, the old Docker Hub
# one, and rancher/hardened-multus-cni (rancher/image-build-multus builds the upstream tag; its
# v3.x Dockerfiles apply no patch to the Go code). Other tags (stable, latest, thick, snapshot)
# move with the releases and say nothing about the code they hold.
_MULTUS_IMAGE = re.compile(r"(?:^|/)(?:k8snetworkplumbingwg/multus-cni|nfvpe/multus|rancher/hardened-multus-cni)"
                           r":v?(?P<v>\d+\.\d+(?:\.\d+)?)(?=$|[-_+@])")
# The first Multus release that can delegate to a cniVersion 1.0.0 config: v4.0.0 vendors
# containernetworking/cni v1.1.2 (master commit 93ec0c121 "Support CNI 1.0.0"); every v1-v3
# release vendors a library before v1.0 (v3.9.3: v0.8.1), whose pkg/version NewResult knows
# results up to 0.4.0 only (multus-cni#875; the PR #879 that proposed the bump was closed).
MULTUS_CNI_1_0 = (4, 0, 0)
# K3s releases known to write 10-flannel.conflist with cniVersion 1.0.0 (k3s-io/k3s
# pkg/agent/flannel setup_linux.go cniConf today): v1.22.11+ (k3s#5683 validated it on a v1.22.10
# dev build), v1.23.8+k3s1 (the multus-cni#875 reporter), v1.24.2+k3s1 (k3s#6005); 1.25 and
# later always. Older releases may write 0.3.1 (the release that changed it is not pinned here).
K3S_FLANNEL_CNI_1_0 = {22: 11, 23: 8, 24: 2}


def multus_image_release(image: object) -> tuple[int, int, int] | None:
    """(major, minor, patch) of a Multus image whose tag names its release, else None:
    ``ghcr.io/k8snetworkplumbingwg/multus-cni:v3.9.2-thick-amd64`` -> (3, 9, 2),
    ``rancher/hardened-multus-cni:v3.9-build20221028`` -> (3, 9, 0); ``:stable`` -> None."""
    if not isinstance(image, str):
        return None
    m = _MULTUS_IMAGE.search(image.strip())
    if not m:
        return None
    parts = [int(x) for x in m["v"].split(".")] + [0]
    return parts[0], parts[1], parts[2]


def k3s_flannel_cni_1_0(version: str | None) -> bool:
    """True when K3s's flannel conflist is known to be cniVersion 1.0.0: an unknown K3s version
    is a current one; a known one only from the releases in K3S_FLANNEL_CNI_1_0 on."""
    return _k3s_from(version, 25, K3S_FLANNEL_CNI_1_0)


def _k3s_from(version: str | None, every_minor_from: int, first_patch: dict[int, int]) -> bool:
    """Whether a K3s version has a change made in ``first_patch[minor]`` of the 1.x minors
    listed and in every release of 1.``every_minor_from`` on; an unknown or unparsable
    version is a current one (True)."""
    if not version:
        return True
    v = parse_k3s(version)
    if v is None:
        return True
    major, minor, patch, _ = v
    if major != 1:
        return major > 1
    if minor >= every_minor_from:
        return True
    return minor in first_patch and patch >= first_patch[minor]


def parse_k3s(version: str) -> tuple[int, int, int, int] | None:
    """``v1.30.6+k3s1`` -> (1, 30, 6, 1); None when it is not a K3s version."""
    m = _K3S.match(version.strip())
    if not m:
        return None
    return int(m[1]), int(m[2]), int(m[3] or 0), int(m[4] or 1)


def k3s_has_static_cni_dir(version: str | None) -> bool:
    """True when containerd looks for CNI binaries in ``D/data/cni`` (unknown: current)."""
    return _k3s_from(version, 32, CNI_BIN_GATE)


def parse_chart(version: object) -> tuple[int, int, int, int] | None:
    """``v4.2.202`` -> (4, 2, 2, 2): upstream 4.2.2, package 02."""
    if not isinstance(version, str):
        version = str(version)
    m = _CHART.match(version.strip())
    if not m:
        return None
    tail = m[3]
    if len(tail) >= 3:
        patch, package = int(tail[:-2]), int(tail[-2:])
    else:
        patch, package = int(tail), 0
    return int(m[1]), int(m[2]), patch, package


def unpublished_form(version: object) -> bool:
    """A pin no rke2-multus release can have: from v4 on, every release numbers upstream's
    patch and a two-digit package (``v4.2.106``, ``4.1.000``) or carries a ``-build`` tag
    (``v4.0.2-build2023081100``), so ``4.2.1`` (upstream Multus's own version) is none of
    them. Helm looks the pin up as an exact version or a semver constraint (helm pkg/repo
    index.go ``IndexFile.Get``): ``=4.2.1`` matches no release (``v4.2.106`` is 4.2.106) and
    the install fails with ``no chart version found``."""
    if not isinstance(version, str):
        return False
    text = version.strip()
    m = _CHART.match(text)
    return bool(m) and int(m[1]) >= 4 and len(m[3]) < 3 and "-" not in text and "+" not in text


def _readable(version: str | None) -> tuple[int, int, int, int] | None:
    """parse_chart's reading of a pin the rules can judge as a release (None: unreadable)."""
    if not version or unpublished_form(version):
        return None
    return parse_chart(version)


_CHART_RELEASE = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-build(\d+))?$")


def chart_release_key(version: object) -> tuple[int, int, int, int, int] | None:
    """An exact order of published rke2-multus(-crd) releases, build tags included:
    ``v4.0.2-build2023070601`` < ``v4.0.2-build2023081100`` < ``v4.0.202`` < ``4.1.000``.

    parse_chart reads ``-buildN`` as package 0, which is enough for the ML1xx gates but not to
    tell two builds apart (chart_bugs.py ranges start at one build). None: not such a version.
    """
    if not isinstance(version, str):
        return None
    m = _CHART_RELEASE.match(version.strip())
    if not m:
        return None
    tail = m[3] or "0"
    if m[4] is None and len(tail) >= 3:
        patch, package = int(tail[:-2]), int(tail[-2:])
    else:
        patch, package = int(tail), 0
    return int(m[1]), int(m[2]), patch, package, int(m[4] or 0)


def chart_lt(version: str | None, bound: str) -> bool | None:
    """``version < bound``; None when the chart is unpinned or the version is unreadable."""
    if not version:
        return None
    v, b = _readable(version), parse_chart(bound)
    if v is None or b is None:
        return None
    return v < b


def chart_is(version: str | None, other: str) -> bool:
    """The pinned ``version`` is exactly ``other`` (``4.2.107`` and ``v4.2.107`` alike)."""
    if not version:
        return False
    v = parse_chart(version)
    return v is not None and v == parse_chart(other)


def chart_assumed_newest(version: str | None) -> bool:
    """True when no readable version is pinned: every rule then judges the chart as its newest
    release, since `helm install`/`upgrade` without `--version` (and K3s's helm-controller with
    no `spec.version`) installs the newest one. ML105, ML109 and the others share this."""
    return not version or _readable(version) is None


def chart_assumption(version: str | None, bound: str) -> str:
    """How a finding names the version it judged, relative to ``bound`` (one wording for all rules)."""
    if not version:
        return f"the chart is unpinned (helm installs the newest release, >= {bound})"
    if unpublished_form(version):
        return (f"chart version {version!r} is no rke2-multus release (they number upstream's patch "
                f"and a 2-digit package, such as v4.2.106, so helm finds no {version} and the install "
                f"fails; assumed >= {bound} once it is fixed)")
    if parse_chart(version) is None:
        return f"chart version {version!r} is not one this linter can read (assumed >= {bound})"
    return f"chart {version} (>= {bound})"


def chart_at_least(version: str | None, bound: str) -> bool:
    """Unpinned (helm installs the newest release) or pinned at ``bound`` or later.

    An unreadable pin (a range such as ``>=4.2``, a typo) counts as "could be the newest".
    """
    lt = chart_lt(version, bound)
    return lt is None or not lt


def chart_pinned_below(version: str | None, bound: str) -> bool:
    """Pinned to a readable version older than ``bound``."""
    return chart_lt(version, bound) is True
