"""Every IPAM config of the project, analysed once per run and shared by ML2xx and ML3xx."""

from __future__ import annotations

from typing import Any

from multus_lint.model.contain import object_problem
from multus_lint.model.project import NAD, RESOURCE_NAME_ANNOTATION, CniConfig, Project
from multus_lint.net.addresses import IpamAnalysis, getk
from multus_lint.net.ipam_codec import analysis_of
from multus_lint.records import dataclass


@dataclass(repr=False, eq=False)
class IpamUse:
    cfg: CniConfig
    path: tuple  # of the ``ipam`` mapping inside the CNI config
    ipam: dict[str, Any]
    plugin: dict[str, Any]
    analysis: IpamAnalysis
    nad: NAD | None  # the NAD holding the config; None for a node-level CNI file

    def site(self, rel: tuple = ()) -> Any:
        return self.cfg.site(*self.path, *rel)

    @property
    def segment(self) -> tuple | None:
        """The layer-2 segment the plugin attaches pods to, as far as the config says: the
        parent interface or bridge (or SR-IOV resource) and VLAN; None when it cannot be told
        (a plugin with none of these keys). Pools on two different known segments never hand
        an address to the same wire, so their overlap is no conflict."""
        vlan = getk(self.plugin, "vlan")  # bridge, sriov, ovs
        if vlan is None:
            vlan = getk(self.plugin, "vlanId")  # the vlan plugin
        vlan = vlan if isinstance(vlan, int) and not isinstance(vlan, bool) else None
        for key in ("master", "bridge", "device", "deviceID", "pciBusID"):
            value = getk(self.plugin, key)
            if isinstance(value, str) and value:
                return (key, value, vlan)
        resource = self.nad.doc.annotations.get(RESOURCE_NAME_ANNOTATION) if self.nad else None
        if isinstance(resource, str) and resource:
            return ("resource", resource, vlan)
        ptype = getk(self.plugin, "type")
        if ptype in ("macvlan", "ipvlan"):  # no master: the node's default-route interface
            return ("master", "", vlan)
        if ptype == "userspace":
            # intel userspace-cni-network-plugin: the interface lives in the host's VPP or
            # OVS-DPDK data plane (host.engine), on the bridge it names; two engines never share one
            host = getk(self.plugin, "host")
            if isinstance(host, dict):
                bridge = getk(host, "bridge")
                name = getk(bridge, "bridgeName") if isinstance(bridge, dict) else None
                return ("userspace", str(getk(host, "engine")), str(name), vlan)
        return None


def ipam_uses(project: Project) -> list[IpamUse]:
    def build() -> list[IpamUse]:
        owners = {id(n.config): n for n in project.nads if n.config is not None}
        out = []
        for cfg in project.cni_configs():
            version = getk(cfg.data, "cniVersion") if cfg.is_dict else None
            for path, ipam, plugin in cfg.ipams():
                try:
                    analysis = analysis_of(project.facts, ipam, version)
                except Exception as exc:  # a bug on one config costs that config's verdicts only
                    project.problems.append((cfg.source, object_problem(cfg.owner, "the IPAM analysis", exc)))
                    continue
                out.append(IpamUse(cfg, path, ipam, plugin, analysis, owners.get(id(cfg))))
        return out

    return project.cached("ipam-uses", build)  # type: ignore[no-any-return]


def nad_label(nad: NAD) -> str:
    return f"{nad.namespace}/{nad.name} ({nad.doc.source.path})"
