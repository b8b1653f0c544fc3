"""KubeVirt objects as consumers of Multus networks, read as KubeVirt reads them.

Each VM-like object holds a VMI spec whose ``networks[]`` name NADs (``multus.networkName``)
and whose ``domain.devices.interfaces[]`` bind each network to the guest. KubeVirt's
virt-controller turns them into the virt-launcher pod's Multus annotations
(kubevirt/kubevirt ``pkg/network/pod/annotations/generator.go`` ``Generate``;
``pkg/network/multus/annotation.go`` ``newAnnotationData``): one selection element per
secondary multus network with only ``name``, ``namespace``, ``interface`` and ``mac``, so a VM
can never request addresses (``ips``) from a NAD; a ``multus.default: true`` network becomes
``v1.multus-cni.io/default-network``. Interfaces in ``state: absent`` are left out
(``FilterNetworksByInterfaces``), and an interface needs exactly one binding
(``pkg/network/admitter/binding.go`` ``validateInterfaceBindingExists``).

How many virt-launcher pods an object keeps running is ``launcher_pods``: one per VMI, a
VirtualMachine's run strategy (``staging/src/kubevirt.io/api/core/v1/types.go``
``VirtualMachine.RunStrategy``: ``running`` true/false maps to Always/Halted, neither set is
Halted), and the replicas of VirtualMachineInstanceReplicaSets and VirtualMachinePools
(``pkg/virt-controller/watch/replicaset`` and ``pool`` ``calcDiff``: 1 when unset).
"""

from __future__ import annotations

from typing import Any

from multus_lint.load.document import Document, get_path
from multus_lint.load.positions import Path
from multus_lint.records import dataclass

# kind -> path of the VMI spec (the mapping holding ``domain`` and ``networks``)
VMI_SPEC: dict[str, Path] = {
    "VirtualMachine": ("spec", "template", "spec"),
    "VirtualMachineInstance": ("spec",),
    "VirtualMachineInstanceReplicaSet": ("spec", "template", "spec"),
    "VirtualMachinePool": ("spec", "virtualMachineTemplate", "spec", "template", "spec"),
}
# kind -> path of the VM's ``networks`` list (DOMAIN.md [GITOPS])
KUBEVIRT_NETWORKS: dict[str, Path] = {kind: spec + ("networks",) for kind, spec in VMI_SPEC.items()}

# InterfaceBindingMethod (staging/src/kubevirt.io/api/core/v1/schema.go) and the plugin
# ``binding``: the keys countInterfaceBindings counts (slirp, macvtap and passt were removed
# in v1.3 and are rejected)
BINDINGS = ("bridge", "masquerade", "sriov", "passtBinding", "binding")

# VirtualMachineRunStrategy values that keep a VMI (and its virt-launcher pod) running or
# started on request; Halted never starts one, WaitAsReceiver only receives a VM migrating
# from another cluster (its pod is that VM's, counted where the VM runs)
RUNNING_STRATEGIES = frozenset({"Always", "RerunOnFailure", "Manual", "Once"})


def is_kubevirt(doc: Document) -> bool:
    """A KubeVirt object this module reads (VirtualMachinePool lives in pool.kubevirt.io)."""
    return doc.kind in VMI_SPEC and (doc.api_version.startswith("kubevirt.io/")
                                     or doc.kind == "VirtualMachinePool")


@dataclass(repr=False, eq=False)
class VmAttachment:
    """One ``networks[]`` entry of a VM naming a NAD, with the interface that binds it."""

    doc: Document
    index: int  # in the networks list
    name: str  # NAD name, resolved
    namespace: str  # NAD namespace, resolved
    explicit_namespace: bool
    network_name: Any  # the network's logical ``name``
    interface: dict[str, Any] | None  # the interface of the same name (None: none)
    interface_index: int | None
    binding: str | None  # the one binding key of the interface (None: none or several)
    default: bool = False  # ``multus.default: true``: the pod's default network (its eth0)

    @property
    def networks_path(self) -> Path:
        return KUBEVIRT_NETWORKS[self.doc.kind]

    @property
    def network_name_path(self) -> Path:
        return self.networks_path + (self.index, "multus", "networkName")

    @property
    def interface_path(self) -> Path | None:
        if self.interface_index is None:
            return None
        return VMI_SPEC[self.doc.kind] + ("domain", "devices", "interfaces", self.interface_index)

    @property
    def attached(self) -> bool:
        """KubeVirt plugs this network into the virt-launcher pod: a matching interface with
        exactly one binding, not in ``state: absent``."""
        return (self.interface is not None and self.binding is not None
                and self.interface.get("state") != "absent")


def _binding(iface: dict[str, Any]) -> str | None:
    # a null value is a nil pointer in Go: no binding of that kind
    found = [key for key in BINDINGS if iface.get(key) is not None]
    return found[0] if len(found) == 1 else None


def attachments_of(doc: Document) -> list[VmAttachment]:
    """The multus networks of one KubeVirt object: ``name`` in the VM's namespace, or
    ``namespace/name`` (kubevirt splits on the first ``/``, as getNamespaceAndNetworkName)."""
    if not is_kubevirt(doc):
        return []
    spec = get_path(doc.data, VMI_SPEC[doc.kind])
    if not isinstance(spec, dict):
        return []
    networks = spec.get("networks")
    ifaces = get_path(spec, ("domain", "devices", "interfaces"))
    by_name: dict[Any, tuple[int, dict[str, Any]]] = {}
    for j, iface in enumerate(ifaces if isinstance(ifaces, list) else []):
        if isinstance(iface, dict) and _hashable(iface.get("name")):
            by_name.setdefault(iface.get("name"), (j, iface))
    from multus_lint.model.kustomize import replaced

    if replaced(doc, VMI_SPEC[doc.kind] + ("networks",)) or replaced(doc, ("metadata", "namespace")):
        return []  # a kustomize `replacements` writes them: the deployed networks are not known
    out = []
    for i, net in enumerate(networks if isinstance(networks, list) else []):
        full = get_path(net, ("multus", "networkName")) if isinstance(net, dict) else None
        if not isinstance(full, str) or not full.strip():
            continue
        ns, sep, name = full.partition("/")
        if not sep:
            ns, name = doc.namespace or "default", full
        logical = net.get("name")
        j, iface = by_name.get(logical, (None, None)) if _hashable(logical) else (None, None)
        out.append(VmAttachment(doc, i, name, ns, bool(sep), logical, iface, j,
                                _binding(iface) if iface is not None else None,
                                get_path(net, ("multus", "default")) is True))
    return out


def _hashable(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool)) or value is None


def vm_attachments(project: Any) -> list[VmAttachment]:
    """Every KubeVirt multus network of the project (computed once per run)."""

    def build() -> list[VmAttachment]:
        out: list[VmAttachment] = []
        for doc in project.of_kind(*VMI_SPEC):
            out += attachments_of(doc)
        return out

    return project.cached("kubevirt-attachments", build)  # type: ignore[no-any-return]


def _int(value: Any, default: int) -> int | None:
    if value is None:
        return default
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def vm_running(vm_spec: Any) -> bool:
    """A VirtualMachine spec keeps a VMI running (or started on request) by its run strategy."""
    if not isinstance(vm_spec, dict):
        return False
    running, strategy = vm_spec.get("running"), vm_spec.get("runStrategy")
    if running is not None and strategy is not None:
        return False  # "running and runstrategy are mutually exclusive": rejected
    if running is not None:
        return running is True
    # neither set: Halted; an unknown value (or one of another type: a list is no key of
    # the set) is rejected
    return isinstance(strategy, str) and strategy in RUNNING_STRATEGIES


def launcher_pods(doc: Document) -> int:
    """The virt-launcher pods the object keeps running (each holds every attachment of the VM).
    Replicas that are not a number (a template placeholder) count as one, as for Deployments."""
    kind = doc.kind
    if kind == "VirtualMachineInstance":
        return 1
    if kind == "VirtualMachine":
        return 1 if vm_running(doc.data.get("spec")) else 0
    replicas = _int(get_path(doc.data, ("spec", "replicas")), 1)
    replicas = 1 if replicas is None else max(replicas, 0)
    if kind == "VirtualMachinePool":
        return replicas if vm_running(get_path(doc.data, ("spec", "virtualMachineTemplate", "spec"))) else 0
    return replicas  # VirtualMachineInstanceReplicaSet: VMIs, always running


# Plugins that hand a PCI device to the pod and, for a VF bound to a userspace driver
# (vfio-pci, which KubeVirt's sriov binding needs), run the IPAM plugin but never configure
# its result: k8snetworkplumbingwg/sriov-cni pkg/cnicommands/cni.go CmdAdd (ipam.ExecAdd,
# then ``if !netConf.DPDKMode`` ipam.ConfigureIface), containernetworking/plugins
# plugins/main/host-device/host-device.go cmdAdd (the same, DPDKMode from hasDpdkDriver).
DEVICE_PLUGINS = ("sriov", "host-device")
# Operator CRs that render a device NAD with ``"ipam":`` + spec.ipam (``{}`` when empty):
# sriov-network-operator api/v1/helper.go SriovNetwork.RenderNetAttDef, and Mellanox
# network-operator manifests/state-hostdevice-network/0010-hostdevice-net-cr.yml
GENERATED_DEVICE_NADS = {"SriovNetwork": "sriov", "HostDeviceNetwork": "host-device"}


@dataclass(repr=False, eq=False)
class DeviceIpam:
    """The IPAM a KubeVirt SR-IOV network's NAD gives its device plugin."""

    ipam_type: str
    plugin_type: str
    origin: str  # "NAD ns/name (file)" or "SriovNetwork name (file)"


def device_ipam(project: Any, namespace: str, name: str) -> DeviceIpam | None:
    """The IPAM (with a type) of the device plugin of NAD ``namespace/name``: a NAD manifest
    of the project, else the NAD an operator renders from a SriovNetwork or HostDeviceNetwork
    (GENERATED_DEVICE_NADS)."""
    import json

    from multus_lint.model.generated_nads import generated_nads
    from multus_lint.model.ipam_uses import ipam_uses, nad_label
    from multus_lint.net.addresses import getk

    nad = project.nad_index.get((namespace, name))
    if nad is not None:
        for use in ipam_uses(project):
            if use.nad is not nad:
                continue
            ptype, itype = getk(use.plugin, "type"), getk(use.ipam, "type")
            if ptype in DEVICE_PLUGINS and isinstance(itype, str) and itype:
                return DeviceIpam(itype, ptype, f"NAD {nad_label(nad)}")
        return None
    cr = generated_nads(project).get((namespace, name))
    plugin = GENERATED_DEVICE_NADS.get(cr.kind) if cr is not None else None
    if cr is None or plugin is None:
        return None
    text = get_path(cr.data, ("spec", "ipam"))
    try:
        ipam = json.loads(text) if isinstance(text, str) and text.strip() else None
    except ValueError:
        return None  # the operator renders a NAD whose config does not parse: another problem
    itype = getk(ipam, "type") if isinstance(ipam, dict) else None
    if isinstance(itype, str) and itype:
        return DeviceIpam(itype, plugin, f"{cr.kind} {cr.name} ({cr.source.path})")
    return None
