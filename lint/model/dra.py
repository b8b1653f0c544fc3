"""Dynamic Resource Allocation (resource.k8s.io) and the NADs it attaches.

Two ways a DRA-allocated SR-IOV VF reaches a NetworkAttachmentDefinition, neither of which
goes through a device plugin's ``<vendor>/<resource>`` name:

* Multus itself (k8snetworkplumbingwg/multus-cni ``pkg/k8sclient/k8sclient.go``
  ``getKubernetesDelegate``, then ``pkg/draclient/draclient.go`` ``GetPodResourceMap``):
  after the device plugins' map, Multus walks the pod's ``status.resourceClaimStatuses``,
  reads each allocated device's ``k8s.cni.cncf.io/resourceName`` attribute from its
  ResourceSlice and keys the map by it. The NAD's ``k8s.v1.cni.cncf.io/resourceName`` is
  looked up there as it is written: any string the DRA driver publishes (``sriov_nic_1``),
  with no ``<vendor>/`` part.
* the SR-IOV DRA driver in its standalone mode (k8snetworkplumbingwg/dra-driver-sriov
  ``pkg/devicestate/state.go`` ``applyConfig``): a ``VfConfig`` in the opaque config of a
  ResourceClaim, ResourceClaimTemplate or DeviceClass names the NAD (``netAttachDefName``,
  in ``netAttachDefNamespace`` or else the claim's namespace), the driver reads its config
  and adds the VF's PCI address as ``deviceID`` (``AddDeviceIDToNetConf``) before running
  the plugin from its NRI hook. Multus never sees that NAD, so it needs no resourceName.
"""

from __future__ import annotations

from typing import Any

from multus_lint.load.document import get_path

DRA_GROUP = "resource.k8s.io"
# where each kind keeps its device config list (DeviceClass: cluster-scoped, spec.config)
CONFIG_PATHS = {
    "ResourceClaim": ("spec", "devices", "config"),
    "ResourceClaimTemplate": ("spec", "spec", "devices", "config"),
    "DeviceClass": ("spec", "config"),
}
VF_CONFIG_KIND = "VfConfig"


def _is_dra(doc: Any) -> bool:
    return doc.api_version.partition("/")[0] == DRA_GROUP and doc.kind in CONFIG_PATHS


def uses_dra(project: Any) -> bool:
    """Whether the project allocates devices through DRA: a ResourceClaim,
    ResourceClaimTemplate or DeviceClass of resource.k8s.io, or a pod that claims resources
    (``spec.resourceClaims``). Then a resourceName may be a DRA driver's attribute."""
    def build() -> bool:
        if any(_is_dra(d) for k in CONFIG_PATHS for d in project.of_kind(k)):
            return True
        return any(get_path(w.doc.data, w.pod_spec_path + ("resourceClaims",))
                   for w in project.workloads)
    return bool(project.cached("dra-in-use", build))


def vf_config_nads(project: Any) -> frozenset[tuple[str | None, str]]:
    """(namespace, name) of every NAD a VfConfig names; namespace None when the config is a
    DeviceClass's (cluster-scoped: the claim's namespace, unknown here) and names none."""
    def build() -> frozenset[tuple[str | None, str]]:
        out: set[tuple[str | None, str]] = set()
        for kind, path in CONFIG_PATHS.items():
            for doc in project.of_kind(kind):
                if not _is_dra(doc):
                    continue
                configs = get_path(doc.data, path)
                for entry in configs if isinstance(configs, list) else ():
                    params = get_path(entry, ("opaque", "parameters"))
                    if not isinstance(params, dict) or params.get("kind") != VF_CONFIG_KIND:
                        continue
                    name = params.get("netAttachDefName")
                    if not isinstance(name, str) or not name:
                        continue
                    ns = params.get("netAttachDefNamespace")
                    if not isinstance(ns, str) or not ns:
                        ns = None if kind == "DeviceClass" else (doc.namespace or "default")
                    out.add((ns, name))
        return frozenset(out)
    return project.cached("dra-vf-config-nads", build)


def attached_by_dra_driver(project: Any, nad: Any) -> bool:
    """Whether a VfConfig of the project names ``nad``: the DRA driver gives it its deviceID."""
    refs = vf_config_nads(project)
    return (nad.namespace, nad.name) in refs or (None, nad.name) in refs
