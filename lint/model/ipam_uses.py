"""Every IPAM config of the project, analysed once per run and shared by ML2xx and ML3xx."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from multus_lint.model.project import NAD, CniConfig, Project
from multus_lint.net.addresses import IpamAnalysis, analyze_ipam, getk


@dataclass
class IpamUse:
    cfg: CniConfig
    path: tuple  # of the ``ipam`` mapping inside the CNI config
    ipam: dict[str, Any]
    plugin: dict[str, Any]
    analysis: IpamAnalysis
    nad: NAD | None  # the NAD holding the config; None for a node-level CNI file

    def site(self, rel: tuple = ()) -> Any:
        return self.cfg.site(*self.path, *rel)


def ipam_uses(project: Project) -> list[IpamUse]:
    def build() -> list[IpamUse]:
        owners = {id(n.config): n for n in project.nads if n.config is not None}
        out = []
        for cfg in project.cni_configs():
            version = getk(cfg.data, "cniVersion") if cfg.is_dict else None
            for path, ipam, plugin in cfg.ipams():
                out.append(IpamUse(cfg, path, ipam, plugin, analyze_ipam(ipam, version),
                                   owners.get(id(cfg))))
        return out

    return project.cached("ipam-uses", build)  # type: ignore[no-any-return]


def nad_label(nad: NAD) -> str:
    return f"{nad.namespace}/{nad.name} ({nad.doc.source.path})"
