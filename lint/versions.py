"""K3s and rke2-multus chart versions, compared exactly."""

from __future__ import annotations

import re

_K3S = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-rc\d+)?(?:\+k3s(\d+))?$")
_CHART = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$")

# The first release of each minor that keeps CNI binaries in the fixed dir D/data/cni
# (k3s-io/k3s PR #10868, October 2024); 1.32 and later always do, 1.27 and older never.
CNI_BIN_GATE = {28: 15, 29: 10, 30: 6, 31: 2}


def parse_k3s(version: str) -> tuple[int, int, int, int] | None:
    """``v1.30.6+k3s1`` -> (1, 30, 6, 1); None when it is not a K3s version."""
    m = _K3S.match(version.strip())
    if not m:
        return None
    return int(m[1]), int(m[2]), int(m[3] or 0), int(m[4] or 1)


def k3s_has_static_cni_dir(version: str | None) -> bool:
    """True when containerd looks for CNI binaries in ``D/data/cni`` (unknown: current)."""
    if not version:
        return True
    v = parse_k3s(version)
    if v is None:
        return True
    major, minor, patch, _ = v
    if major != 1:
        return major > 1
    if minor >= 32:
        return True
    if minor in CNI_BIN_GATE:
        return patch >= CNI_BIN_GATE[minor]
    return False


def parse_chart(version: str) -> tuple[int, int, int, int] | None:
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


def chart_lt(version: str | None, bound: str) -> bool | None:
    """``version < bound``; None when the chart is unpinned or the version is unreadable."""
    if not version:
        return None
    v, b = parse_chart(version), parse_chart(bound)
    if v is None or b is None:
        return None
    return v < b
