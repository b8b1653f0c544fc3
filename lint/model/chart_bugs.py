"""Published rke2-multus / rke2-multus-crd chart releases with a known bug, as data (ML113).

Each entry names the releases it affects (first and last published version, inclusive, as in
the chart repository's index, https://rke2-charts.rancher.io/index.yaml), the first release
with the fix, what in the values makes the bug bite, and its upstream source. The ranges were
read from the packaged charts themselves (rancher/rke2-charts branch ``main``, assets/rke2-multus/
*.tgz), not from release notes. ML106 (v4.2.107 and v4.2.200 on the K3s conf dir) keeps its own
rule; these are the other ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from multus_lint.load.positions import Path
from multus_lint.model.versions import chart_release_key
from multus_lint.records import dataclass

CNI_CONF: Path = ("config", "cni_conf")
RKE2_CONF_DIR = "/etc/cni/net.d"


def go_truthy(value: Any) -> bool:
    """Go text/template's truth (helm's ``{{ if }}``): false, 0, nil and empty values are false;
    every other value, the string "false" included, is true."""
    if value is None or value is False:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0
    if isinstance(value, (str, list, dict)):
        return len(value) > 0
    return True


@dataclass(frozen=True)
class Trigger:
    """Where the values make the bug bite: the values path to report at and the clause saying why."""

    path: Path
    why: str


@dataclass(frozen=True)
class ChartBug:
    chart: str  # "rke2-multus" or "rke2-multus-crd"
    first: str  # first affected published release (inclusive)
    last: str  # last affected published release (inclusive)
    fixed: str  # first release with the fix
    effect: str  # what goes wrong, for the message
    source: str  # the upstream report, as messages name it
    url: str  # where it is
    fixed_by: str  # the fix (pull request and commit in rancher/rke2-charts)
    # values -> Trigger when the bug bites with these values, else None; None: every install
    trigger: Callable[[Callable[[Path], Any]], Trigger | None] | None = None
    advice: str = ""

    def cite(self) -> str:
        """The report and its fix, for messages: "rancher/rke2#8577; fixed in v4.2.107 by ..."."""
        fix = f"fixed in {self.fixed} by {self.fixed_by}"
        return fix if self.fixed_by.startswith(self.source) else f"{self.source}; {fix}"

    def affects(self, version: str | None) -> bool:
        key = chart_release_key(version)
        first, last = chart_release_key(self.first), chart_release_key(self.last)
        return key is not None and first is not None and last is not None and first <= key <= last


def _namespace_isolation(get: Callable[[Path], Any]) -> Trigger | None:
    # templates/daemonSet.yaml of v4.0.2-build2023081100 .. v4.2.106:
    #   {{- if .Values.config.cni_conf.namespaceIsolation }}
    #   - "--cni-namespace-isolation={{ .Values.config.cni_conf.namespaceIsolation }}"
    # rendered only by the thin DaemonSet (daemonSet.yaml is skipped with thickPlugin.enabled).
    value = get(CNI_CONF + ("namespaceIsolation",))
    if not go_truthy(value) or go_truthy(get(("thickPlugin", "enabled"))):
        return None
    shown = str(value).lower() if isinstance(value, bool) else str(value)
    return Trigger(CNI_CONF + ("namespaceIsolation",),
                   f"renders config.cni_conf.namespaceIsolation as `--cni-namespace-isolation={shown}`, "
                   "a flag /thin_entrypoint does not have (multus-cni cmd/thin_entrypoint/main.go defines "
                   "`--namespace-isolation`; pflag.Parse exits on an unknown flag)")


def _duplicate_mount(get: Callable[[Path], Any]) -> Trigger | None:
    # templates/daemonSet.yaml of v4.2.201 mounts both hostPath volumes at /host<dir>:
    #   - name: cni               mountPath: /host{{ confDir }}
    #   {{- if multusAutoconfigDir }}
    #   - name: multusautoconfig  mountPath: /host{{ multusAutoconfigDir }}
    # and the chart's own defaults set both to /etc/cni/net.d; v4.2.202 adds
    # `(ne confDir multusAutoconfigDir)` to the condition (rke2-charts PR #746).
    if go_truthy(get(("thickPlugin", "enabled"))):
        return None
    conf = get(CNI_CONF + ("confDir",))
    auto = get(CNI_CONF + ("multusAutoconfigDir",))
    conf = RKE2_CONF_DIR if conf is None else conf
    auto = RKE2_CONF_DIR if auto is None else auto
    if not go_truthy(auto) or str(conf) != str(auto):
        return None
    return Trigger(CNI_CONF + ("multusAutoconfigDir",),
                   f"mounts config.cni_conf.confDir and multusAutoconfigDir (both {auto}) at the same "
                   f"mountPath /host{auto} in one container, and the API server rejects the DaemonSet "
                   "(pkg/apis/core/validation ValidateVolumeMounts: `mountPath: Invalid value: ... must "
                   "be unique`), so Multus is never deployed")


BUGS: tuple[ChartBug, ...] = (
    ChartBug(
        "rke2-multus", "v4.0.2-build2023081100", "v4.2.106", "v4.2.107",
        effect="the Multus pod exits with `unknown flag: --cni-namespace-isolation` on every node",
        source="rancher/rke2#8577", url="https://github.com/rancher/rke2/issues/8577",
        fixed_by="rancher/rke2-charts#737, commit fac5c616",
        trigger=_namespace_isolation,
        advice="pin v4.2.202 or later (v4.2.107 and v4.2.200 do not mount a custom conf dir: ML106), "
               "or remove namespaceIsolation",
    ),
    ChartBug(
        "rke2-multus", "v4.2.201", "v4.2.201", "v4.2.202",
        effect="the DaemonSet is rejected",
        source="rancher/rke2-charts#746", url="https://github.com/rancher/rke2-charts/pull/746",
        fixed_by="rancher/rke2-charts#746, commit 31c0e742",
        trigger=_duplicate_mount,
        advice="pin v4.2.202 or later",
    ),
    ChartBug(
        "rke2-multus-crd", "4.3.009", "4.3.009", "4.3.010",
        effect="its CRD templates call `dig` on the top-level .Values, which panics under K3s's "
               "helm-controller: the chart does not install, so neither the "
               "NetworkAttachmentDefinition CRD nor the whereabouts CRDs are installed",
        # the fix's commit message: "Helm passes top-level .Values as a named type causing dig to
        # panic, which breaks the rke2-multus-crd chart install under helm-controller"
        source="rancher/rke2-charts#1120", url="https://github.com/rancher/rke2-charts/pull/1120",
        fixed_by="rancher/rke2-charts#1120, commit c121de05",
        advice="pin 4.3.010 or later",
    ),
)


def bugs_of(chart: str, version: str | None) -> list[ChartBug]:
    """The known bugs of ``chart`` at ``version`` (none when the version is unpinned or unreadable)."""
    return [b for b in BUGS if b.chart == chart and b.affects(version)]
