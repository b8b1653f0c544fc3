"""Which Multus chart a values file (or a release's values) is for, by the keys only one chart has.

Chart rules are written for one chart's keys; applying rke2-multus's rules to another chart's
values (issue 13, class 4) gives false findings, since several charts share ``config.cni_conf``.
Each chart below is recognised only by keys that no other chart in the list has, taken from
that chart's own values.yaml:

- rke2-multus (rancher/rke2-charts ``packages/rke2-multus/charts/values.yaml``, and the keys
  Rancher adds in ``generated-changes/patch/values.yaml.patch``: ``cniplugins``, ``global``,
  ``rke2-whereabouts``), with the thin-entrypoint options under ``config.cni_conf``
  (``multusAutoconfigDir``, ``cleanupConfigOnExit``...) that the older charts never had;
- the k8snetworkplumbingwg/helm-charts ``multus`` chart, current (``multus/values.yaml`` @0db4024:
  ``args.cniBinDir``, ``args.cniConfDir``, ``args.multusKubeConfigFileHost``...) and legacy
  (@048c0ae: ``config.cni_conf`` holding the Multus config itself: ``name``, ``type``,
  ``cniDir``, ``delegates``, ``systemNamespaces``...). rke2-multus before v4 was a patch of that
  legacy chart, so the legacy keys alone cannot tell the two apart: such a file is
  "not identified", and gets no chart findings;
- bitnami ``multus-cni`` (bitnami/charts ``bitnami/multus-cni/values.yaml``: ``hostCNIBinDir``,
  ``hostCNINetDir``, ``CNIMountPath``);
- bjw-s ``multus`` (oci://ghcr.io/bjw-s-labs/helm/multus, as deployed by jimmy-ungerman/pork3s
  and rwade628/homelab: ``cni.binPath``/``cni.netPath`` next to a ``multus`` section);
- home-operations ``multus``, its successor (home-operations/helm-charts ``charts/multus/values.yaml``,
  oci://ghcr.io/home-operations/charts/multus: ``cni.binDir``/``cni.netDir`` next to
  ``cniPlugins`` or ``extraArgs``);
- angelnu ``multus``, formerly k8s-at-home's (angelnu/helm-charts ``charts/apps/multus/values.yaml``:
  ``cni.paths.bin``/``cni.paths.config``, whose defaults are K3s's dirs).
"""

from __future__ import annotations

from typing import Any

from multus_lint.records import dataclass

RKE2 = "rke2-multus"
K8SNP = "k8snetworkplumbingwg multus"
K8SNP_LEGACY = "k8snetworkplumbingwg multus (legacy) or rke2-multus before v4"
BITNAMI = "bitnami multus-cni"
BJWS = "bjw-s multus"
HOMEOPS = "home-operations multus"
ANGELNU = "angelnu multus"
# where angelnu's chart is published: its own repository, and k8s-at-home's before it moved
ANGELNU_REPOS = ("angelnu", "k8s-at-home")

RKE2_TOP = frozenset({"rke2-whereabouts", "cniplugins", "thickPlugin", "dynamicNetworksController",
                      "dhcpDaemonSet"})
RKE2_CNI_CONF = frozenset({
    "multusAutoconfigDir", "cleanupConfigOnExit", "skipConfigWatch", "skipMultusBinaryCopy",
    "multusConfFile", "multusBinFile", "multusCniConfDir", "masterCniFilename",
    "overrideNetworkName", "renameConfFile", "additionalBinDir", "globalNamespaces",
    "readinessIndicatorFile", "logToStderr",
})
LEGACY_CNI_CONF = frozenset({"name", "type", "cniDir", "capabilities", "readinessindicatorfile",
                             "defaultNetwork", "delegates", "systemNamespaces"})
K8SNP_ARGS = frozenset({"cniBinDir", "cniConfDir", "multusKubeConfigFileHost", "multusAutoconfigDir",
                        "multusConfFile", "multusCNIConfDir", "cleanupConfigOnExit"})
BITNAMI_TOP = frozenset({"hostCNIBinDir", "hostCNINetDir", "CNIMountPath"})


@dataclass(frozen=True)
class ChartIdentity:
    chart: str | None  # one of the names above; None: not identified
    reason: str

    @property
    def is_rke2(self) -> bool:
        return self.chart == RKE2


def _keys(value: Any) -> set[str]:
    return {k for k in value if isinstance(k, str)} if isinstance(value, dict) else set()


def identify_values(data: Any) -> ChartIdentity | None:
    """The chart these values are for; None when they look like no Multus chart's values."""
    if not isinstance(data, dict):
        return None
    top = _keys(data)
    config = data.get("config")
    cni_conf = _keys(config.get("cni_conf")) if isinstance(config, dict) else set()
    has_cni_conf = isinstance(config, dict) and isinstance(config.get("cni_conf"), dict)
    found: dict[str, str] = {}
    rke2 = sorted(top & RKE2_TOP) + sorted(f"config.cni_conf.{k}" for k in cni_conf & RKE2_CNI_CONF)
    if isinstance(config, dict) and "daemon_conf" in config:
        rke2.append("config.daemon_conf")
    if rke2:
        found[RKE2] = ", ".join(rke2[:3])
    legacy = sorted(cni_conf & LEGACY_CNI_CONF)
    if legacy:
        found[K8SNP_LEGACY] = ", ".join(f"config.cni_conf.{k}" for k in legacy[:3])
    args = _keys(data.get("args"))
    if args & K8SNP_ARGS:
        found[K8SNP] = ", ".join(f"args.{k}" for k in sorted(args & K8SNP_ARGS)[:3])
    if top & BITNAMI_TOP:
        found[BITNAMI] = ", ".join(sorted(top & BITNAMI_TOP))
    cni = data.get("cni")
    if isinstance(cni, dict) and _keys(cni) & {"binPath", "netPath"} and "multus" in top:
        found[BJWS] = "cni.binPath/cni.netPath with a multus section"
    if isinstance(cni, dict) and _keys(cni) & {"binDir", "netDir"} and top & {"cniPlugins", "extraArgs"}:
        found[HOMEOPS] = "cni.binDir/cni.netDir with cniPlugins or extraArgs"
    if isinstance(cni, dict) and _keys(cni.get("paths")) & {"bin", "config"}:
        found[ANGELNU] = "cni.paths.bin/cni.paths.config"
    if not found:
        if has_cni_conf:
            return ChartIdentity(None, "config.cni_conf with only keys that several Multus charts share")
        return None
    if len(found) == 1:
        chart, keys = next(iter(found.items()))
        if chart == K8SNP_LEGACY:
            return ChartIdentity(None, f"{keys}: the values of the {chart}")
        return ChartIdentity(chart, f"keys only the {chart} chart has: {keys}")
    return ChartIdentity(None, "keys of several charts: " + "; ".join(f"{c} ({k})" for c, k in found.items()))


def identify_chart(name: Any, repo: Any = None) -> ChartIdentity | None:
    """The chart a release names (chart name, repo URL or OCI reference), None when not Multus."""
    if not isinstance(name, str):
        return None
    full = f"{repo or ''}/{name}".lower()
    base = name.rstrip("/").rsplit("/", 1)[-1].lower()
    if base.endswith(".tgz"):
        base = base[:-4]
    if base.startswith("rke2-multus") and not base.startswith("rke2-multus-crd"):
        return ChartIdentity(RKE2, f"chart {name}")
    if base.startswith("multus-cni") and "bitnami" in full:
        return ChartIdentity(BITNAMI, f"chart {name} from {repo or 'bitnami'}")
    if base == "multus" or base.startswith("multus-"):
        if "bjw-s" in full:
            return ChartIdentity(BJWS, f"chart {name} from {repo or 'bjw-s'}")
        if "home-operations" in full:
            return ChartIdentity(HOMEOPS, f"chart {name} from {repo}")
        if any(r in full for r in ANGELNU_REPOS):
            return ChartIdentity(ANGELNU, f"chart {name} from {repo}")
        if "k8snetworkplumbingwg" in full:
            return ChartIdentity(K8SNP, f"chart {name} from {repo}")
        return ChartIdentity(None, f"chart {name}" + (f" from {repo}" if repo else "")
                             + ": not a chart this linter knows")
    return None
