"""What the project installs onto the K3s nodes: CNI plugins and IPAM daemons.

ML202 and ML507 judge NADs against this, and only when the project deploys Multus itself
(a chart release or a Multus DaemonSet): a repository holding only NADs says nothing about
what the cluster has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from multus_lint.load.document import get_path

# K3s's own multicall CNI binary (k3s-io/k3s #9224): nothing else is in D/data/cni.
K3S_PLUGINS = frozenset({"flannel", "bridge", "host-local", "loopback", "portmap", "bandwidth",
                         "firewall"})
# rancher/hardened-cni-plugins, copied by the rke2-multus chart's cni-plugins init container
# (containernetworking/plugins plus flannel), minus cniplugins.skipcnis.
STANDARD_PLUGINS = frozenset({"bandwidth", "bridge", "dhcp", "dummy", "firewall", "flannel",
                              "host-device", "host-local", "ipvlan", "loopback", "macvlan",
                              "portmap", "ptp", "sbr", "static", "tap", "tuning", "vlan", "vrf"})
DEFAULT_SKIPCNIS = "flannel"
# Images of plugin DaemonSets deployed from their own manifests -> the plugin types they install.
IMAGE_PLUGINS = (
    ("whereabouts", ("whereabouts",)),
    ("sriov-cni", ("sriov",)),
    ("ib-sriov-cni", ("ib-sriov",)),
    ("ovs-cni", ("ovs",)),
    ("macvtap", ("macvtap",)),
    ("bond-cni", ("bond",)),
    ("route-override", ("route-override",)),
    ("containernetworking-plugins", tuple(STANDARD_PLUGINS)),
    ("cni-plugins", tuple(STANDARD_PLUGINS)),
)


@dataclass
class Deployed:
    known: bool = True  # False when a chart's values could not be read: judge nothing
    plugins: dict[str, str] = field(default_factory=dict)  # type -> what installs it
    whereabouts: bool = False
    dhcp_daemon: bool = False

    def add(self, types: Any, source: str) -> None:
        for t in types:
            self.plugins.setdefault(t, source)


def _skipped(value: Any) -> set[str]:
    if value is None:
        value = DEFAULT_SKIPCNIS
    return {s.strip() for s in str(value).split(",") if s.strip()}


def deployed(project: Any, extra_plugins: list[str]) -> Deployed:
    """Plugins and IPAM daemons the project's Multus deployments (and others) install
    (computed once per run: ML202 and ML507 share it)."""
    key = "deployed:" + ",".join(sorted(extra_plugins))
    return project.cached(key, lambda: _deployed(project, extra_plugins))


def _deployed(project: Any, extra_plugins: list[str]) -> Deployed:
    out = Deployed()
    out.add(K3S_PLUGINS, "K3s")
    out.add(extra_plugins, "extra-plugins in the config")
    for rel in project.releases:
        if not rel.values_known or rel.unread:
            # values it cannot read (valuesSecrets, Flux valuesFrom, Argo CD valueFiles) may
            # enable whereabouts or change skipcnis: what it installs is not known
            out.known = False
            continue
        label = f"the rke2-multus chart ({rel.doc.name or rel.source_kind})"
        out.add(["multus"], label)
        out.add(STANDARD_PLUGINS - _skipped(rel.get(("cniplugins", "skipcnis"))), label)
        if rel.get(("rke2-whereabouts", "enabled")) is True:
            out.whereabouts = True
            out.add(["whereabouts"], label)
        if rel.get(("manifests", "dhcpDaemonSet")) is True:
            out.dhcp_daemon = True
    for doc in project.of_kind("DaemonSet"):
        spec = get_path(doc.data, ("spec", "template", "spec"))
        if not isinstance(spec, dict):
            continue
        label = f"DaemonSet {doc.name}"
        for c in (spec.get("initContainers") or []) + (spec.get("containers") or []):
            if not isinstance(c, dict):
                continue
            image = str(c.get("image", ""))
            words = " ".join(str(a) for key in ("command", "args") for a in _items(c.get(key))
                             if isinstance(a, (str, int)))
            if "multus" in image:
                out.add(["multus"], label)
            for needle, types in IMAGE_PLUGINS:
                if needle in image:
                    out.add(types, label)
                    if needle == "whereabouts":
                        out.whereabouts = True
            if "dhcp" in words and "daemon" in words:
                out.dhcp_daemon = True
    return out


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
