"""ML2xx: IPAM configuration inside CNI configs (NADs and CNI config files)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from multus_lint.context import Context
from multus_lint.findings import Finding
from multus_lint.fixes import Fix
from multus_lint.load.document import Document, document_of
from multus_lint.registry import checks, declare
from multus_lint.suggest import closest

WHEREABOUTS_REPO = "https://github.com/k8snetworkplumbingwg/whereabouts"
K3S_DOCS = "https://docs.k3s.io/networking/multus-ipams"

WHEREABOUTS_PATHS = declare(
    "ML201", "whereabouts-k3s-paths", "error",
    "whereabouts IPAM without a configuration_path (or kubeconfig) under the K3s conf dir.",
    what="For IPAM `type: whereabouts`: `configuration_path` must be present and point at "
         "`D/agent/etc/cni/net.d/whereabouts.d/whereabouts.conf`; `kubernetes.kubeconfig`, when "
         "given, at `.../whereabouts.d/whereabouts.kubeconfig`; neither may contain `..`. A missing "
         "`configuration_path` is not reported where whereabouts finds its flat file in "
         "/etc/cni/net.d anyway: on RKE2 and generic clusters, when a whereabouts DaemonSet of the "
         "project writes it there, or when the project deploys whereabouts' own manifests from "
         "github.com/k8snetworkplumbingwg/whereabouts (an Argo CD or Flux source, a remote "
         "kustomize resource).",
    why="Without it whereabouts looks for its flat file only in /etc/kubernetes/cni/net.d, "
        "/etc/cni/net.d and /host/etc/cni/net.d; none is K3s's conf dir, so every pod start fails "
        "with `config file not found`.",
    example='"ipam": {"type": "whereabouts", "range": "192.168.2.0/24"}',
    fix='Add "configuration_path": "/var/lib/rancher/k3s/agent/etc/cni/net.d/whereabouts.d/whereabouts.conf".',
    refs=(K3S_DOCS, f"{WHEREABOUTS_REPO}/blob/master/pkg/config/config.go",
          "https://github.com/k3s-io/k3s/issues/10545"),
    fixable=True,
)

HOST_LOCAL_MULTI_NODE = declare(
    "ML203", "host-local-multi-node", "error",
    "host-local IPAM in a NAD on a cluster with more than one node (warning when unknown).",
    what="Flags `type: host-local` IPAM in NetworkAttachmentDefinitions: an error when the "
         "profile has more than one node, a warning when the node count is unknown, silent on "
         "a single node. The node count is the profile's: `--nodes`, `cluster.nodes`, more than one "
         "when a K3s agent config joins a `server:`, one when every kind or talhelper config has one "
         "node, or when the repository's Ansible inventories name a single host (`--print-profile` "
         "shows which). Node-level CNI files are not judged (they may carry per-node ranges).",
    why="host-local keeps its allocations in files on each node, so every node hands out the same "
        "addresses from the same range: pods on different nodes get duplicate IPs.",
    example='"ipam": {"type": "host-local", "subnet": "10.10.0.0/16"}',
    fix="Use whereabouts (cluster-wide allocation), or give each node its own range.",
    refs=("https://github.com/k8snetworkplumbingwg/multus-cni/issues/1150", K3S_DOCS),
)


def _find_key(ipam: dict[str, Any], key: str) -> str | None:
    """The key as spelled in the config that Go's case-insensitive decoding maps to ``key``."""
    hit = None
    for k in ipam:
        if isinstance(k, str) and k.lower() == key.lower():
            hit = k
    return hit


def _misspelled(ipam: dict[str, Any], key: str) -> bool:
    return any(isinstance(k, str) and k.lower() != key and closest(k, [key], 0.75) for k in ipam)


def _norm(path: str) -> str:
    return path.rstrip("/") or "/"


# whereabouts pkg/config GetFlatIPAM: the files it tries without configuration_path.
WHEREABOUTS_SEARCH = ("/etc/kubernetes/cni/net.d/whereabouts.d/whereabouts.conf",
                      "/etc/cni/net.d/whereabouts.d/whereabouts.conf",
                      "/host/etc/cni/net.d/whereabouts.d/whereabouts.conf")


@checks(WHEREABOUTS_PATHS)
def whereabouts_paths(ctx: Context) -> Iterator[Finding]:
    # not local: whether a whereabouts DaemonSet of the project writes the flat file is looked
    # up in the whole project; the configs judged are the named files' (ctx.judged)
    from multus_lint.model.multus_daemonset import whereabouts_finds_own_conf

    profile = ctx.profile
    for cfg in ctx.judged.cni_configs():
        for path, ipam, _ in cfg.ipams():
            if ipam.get("type") != "whereabouts":
                continue
            key = _find_key(ipam, "configuration_path")
            if key is None:
                if profile.whereabouts_conf in WHEREABOUTS_SEARCH:
                    pass  # RKE2 / generic: whereabouts finds its config in /etc/cni/net.d itself
                elif whereabouts_finds_own_conf(ctx.project):
                    pass  # the project's whereabouts DaemonSet writes it into the host's /etc/cni/net.d
                elif not _misspelled(ipam, "configuration_path"):
                    yield ctx.finding(
                        WHEREABOUTS_PATHS, cfg.site(*path),
                        "whereabouts IPAM has no configuration_path, so whereabouts searches only "
                        "/etc/kubernetes/cni/net.d, /etc/cni/net.d and /host/etc/cni/net.d for its "
                        f"config (none exists on K3s); set configuration_path: {profile.whereabouts_conf}",
                        fix=Fix.set(cfg, path + ("configuration_path",), profile.whereabouts_conf))
            else:
                yield from _judge(ctx, cfg, path + (key,), ipam[key], profile.whereabouts_conf,
                                  "configuration_path")
            kube = ipam.get(_find_key(ipam, "kubernetes") or "kubernetes")
            if isinstance(kube, dict):
                kkey = _find_key(kube, "kubeconfig")
                if kkey is not None:
                    kpath = path + (_find_key(ipam, "kubernetes"), kkey)
                    yield from _judge(ctx, cfg, kpath, kube[kkey], profile.whereabouts_kubeconfig,
                                      "kubernetes.kubeconfig")


def _judge(ctx: Context, cfg: Any, path: tuple, value: Any, expected: str, label: str) -> Iterator[Finding]:
    if not isinstance(value, str):
        yield ctx.finding(WHEREABOUTS_PATHS, cfg.site(*path),
                          f"whereabouts {label} must be a path string; {ctx.profile.name} expects {expected}")
    elif ".." in value.split("/"):
        yield ctx.finding(WHEREABOUTS_PATHS, cfg.site(*path),
                          f"whereabouts {label} {value} contains '..'; use the plain path {expected}")
    elif _norm(value) != expected:
        yield ctx.finding(WHEREABOUTS_PATHS, cfg.site(*path),
                          f"whereabouts {label} is {value}, which is not where the whereabouts "
                          f"DaemonSet writes it on {ctx.profile.name}; expected {expected}",
                          fix=Fix.set(cfg, path, expected))


@checks(HOST_LOCAL_MULTI_NODE, local=True)
def host_local_multi_node(ctx: Context) -> Iterator[Finding]:
    nodes = ctx.profile.nodes
    if nodes == 1:
        return
    severity = "error" if nodes is not None else "warning"
    how_many = f"this cluster has {nodes} nodes" if nodes is not None else \
        "the node count is unknown (set cluster.nodes or --nodes)"
    for cfg in ctx.project.cni_configs(nads_only=True):
        for path, ipam, _ in cfg.ipams():
            if ipam.get("type") == "host-local":
                yield ctx.finding(
                    HOST_LOCAL_MULTI_NODE, cfg.site(*path, "type"),
                    f"host-local IPAM keeps allocations per node, so every node hands out the same "
                    f"addresses and pods on different nodes get duplicate IPs; {how_many}; "
                    "use whereabouts for a cluster-wide pool", severity)


# ------------------------------------------------------------------ ML204-ML208

HOST_LOCAL_DOCS = "https://www.cni.dev/plugins/current/ipam/host-local/"
PLUGINS_REPO = "https://github.com/containernetworking/plugins"

WHEREABOUTS_RANGE = declare(
    "ML204", "whereabouts-range-invalid", "error",
    "A whereabouts range, range_start/range_end or exclude that whereabouts rejects or ignores.",
    what="Reads every whereabouts `range` and `ipRanges[].range` as whereabouts does (a CIDR, host "
         "bits allowed, or `start-end/prefix` with the network of `end/prefix`; leading zeros "
         "accepted) and reports: no `range` and no `ipRanges` (and no static `addresses`): nothing "
         "to allocate from (not on a Calico plugin that names its network, whose Calico Network "
         "holds the range); an unparsable range; a /31, /32, /127 or /128 (no usable "
         "address); `range_start`/`range_end` unparsable, outside the usable range "
         "(network+1..broadcast-1) or reversed; `exclude` entries that do not parse strictly (no "
         "leading zeros) or lie outside the range; top-level `exclude`/`range_start`/`range_end` "
         "given with only `ipRanges` (they apply to the top-level `range` only); two ranges over "
         "the same network; an unparsable `gateway` or route.",
    why="An unparsable range, exclude or gateway fails every pod start on the network; an "
        "out-of-range or reversed bound is silently ignored, so whereabouts hands out addresses "
        "the author meant to keep free.",
    example='"ipam": {"type": "whereabouts", "range": "10.10.0.0/24", "range_start": "10.10.1.10"}',
    fix="Give bounds inside the range (network+1 .. broadcast-1), start before end; write exclude "
        "entries as plain CIDRs or IPs; put per-range settings inside each ipRanges entry.",
    refs=(f"{WHEREABOUTS_REPO}/blob/master/pkg/config/config.go",
          f"{WHEREABOUTS_REPO}/blob/master/pkg/iphelpers/iphelpers.go",
          f"{WHEREABOUTS_REPO}/blob/master/pkg/allocate/allocate.go"),
)

HOST_LOCAL_RANGE = declare(
    "ML205", "host-local-range-invalid", "error",
    "host-local ranges that host-local rejects when it loads the config.",
    what="Runs host-local's own range validation (`Range.Canonicalize`, `RangeSet.Canonicalize`, "
         "`LoadIPAMConfig`): `ranges` not a list of lists; a subnet that does not parse, has host "
         "bits set, or is too small (/31, /32, /127, /128); `rangeStart`/`rangeEnd` not in the "
         "subnet or reversed; overlapping subnets inside one range set, or two range sets that "
         "overlap; mixed address families in one set; an empty set; no ranges at all; more than one "
         "range set per family with a cniVersion below 0.3.0 (missing counts as 0.1.0). The "
         "legacy top-level `subnet` form is one more range set.",
    why="host-local refuses such a config at every pod start (`Network has host bits set`, "
        "`RangeStart ... not in network`, `range set 0 overlaps with 1`...), so no pod using the "
        "network ever starts.",
    example='"ipam": {"type": "host-local", "ranges": [[{"subnet": "10.1.2.5/24"}]]}',
    fix="Use the network address (10.1.2.0/24), keep bounds inside the subnet with start before "
        "end, and put each address family in its own range set.",
    refs=(HOST_LOCAL_DOCS,
          f"{PLUGINS_REPO}/blob/main/plugins/ipam/host-local/backend/allocator/range.go",
          f"{PLUGINS_REPO}/blob/main/plugins/ipam/host-local/backend/allocator/config.go"),
)

STATIC_IPAM = declare(
    "ML206", "static-ipam-invalid", "error",
    "static IPAM with an address that is not a CIDR, a bad gateway or route, or shared by many pods.",
    what="static IPAM: `addresses[].address` must be a CIDR (a bare IP is not one), gateways must "
         "parse, `routes[].dst` must be a CIDR, and below cniVersion 0.3.0 only one address per family "
         "is allowed. A gateway of the other family or outside its subnet is ML301's. Also a warning when a NAD with static addresses is used by more than "
         "one pod (replicas, a DaemonSet, several workloads, or the same pod twice): every pod "
         "gets the same address. KubeVirt objects count by their virt-launcher pods: a "
         "VirtualMachine whose run strategy runs it (`running: true`, `runStrategy` Always, "
         "RerunOnFailure, Manual or Once; neither set is Halted), each VMI, the `replicas` of a "
         "VirtualMachineInstanceReplicaSet or VirtualMachinePool; not an interface in `state: "
         "absent` nor one bound with `sriov` (its address is configured nowhere: ML209). A "
         "`macvtap` NAD (kubevirt/macvtap-cni) runs no IPAM and is not judged.",
    why="The static plugin fails to decode a bad address or gateway at pod start; and since the "
        "address is part of the NAD, a second pod on the network duplicates it.",
    example='"ipam": {"type": "static", "addresses": [{"address": "10.1.1.10"}]}',
    fix="Write the address with its prefix (10.1.1.10/24). For several pods, request addresses "
        "per pod (`ips` in the annotation with `capabilities: {ips: true}`) or use whereabouts.",
    refs=("https://www.cni.dev/plugins/current/ipam/static/",
          f"{PLUGINS_REPO}/blob/main/plugins/ipam/static/main.go",
          "https://github.com/kubevirt/kubevirt/blob/main/pkg/network/multus/annotation.go"),
)

WRONG_DIALECT_KEY = declare(
    "ML207", "ipam-wrong-dialect-key", "warning",
    "A key in an IPAM config that its plugin ignores: spelled for another IPAM, or misspelled.",
    what="Compares the keys of whereabouts, host-local, static and dhcp configs (Go matches them "
         "case-insensitively, nothing more) with the plugin's own: host-local spellings "
         "(`rangeStart`, `rangeEnd`, `subnet`, `ranges`, `dataDir`) inside whereabouts, whereabouts "
         "spellings (`range_start`, `range_end`, `range`) inside host-local, and any other unknown "
         "key, with a did-you-mean.",
    why="Unknown keys are silently dropped: with `rangeStart` in a whereabouts config the whole "
        "range is used and the first pod gets the gateway's address (whereabouts #601).",
    example='"ipam": {"type": "whereabouts", "range": "10.0.0.0/24", "rangeStart": "10.0.0.10"}',
    fix="Use the plugin's own key (`range_start` for whereabouts, `rangeStart` for host-local).",
    refs=(f"{WHEREABOUTS_REPO}/issues/601", f"{WHEREABOUTS_REPO}/blob/master/pkg/types/types.go"),
    fixable=True,
)

IPAM_TYPE = declare(
    "ML208", "ipam-type-invalid", "error",
    "An IPAM type that is not a known plugin, or no IPAM type where the plugin needs one.",
    what="An `ipam.type` that is none of: host-local, whereabouts, dhcp, static; the common IPAM "
         "plugins of other projects (calico-ipam, kube-ovn, spiderpool, nv-ipam, antrea, "
         "azure-vnet-ipam); a type something in the project installs (a DaemonSet of that "
         "project's image or copying the binary, its chart, or its operator's custom resource); "
         "or one of the config's `extra-plugins`. A type that differs from a known one only in "
         "case, `-` or `_` (`Whereabouts`, `host_local`) is an error: the runtime looks for a "
         "binary named exactly like the type. Any other unknown type is a warning with a "
         "did-you-mean. And `ipam` missing or without `type` on a plugin that needs addresses: "
         "vlan, ptp and dummy always, ipvlan unless chained after another plugin (error); "
         "`ipam` settings without a `type` on macvlan, bridge, tap or host-device, whose IPAM "
         "is optional and runs only when a type is set (warning: the settings are ignored).",
    why="The runtime looks for a binary named exactly like the type: an unknown type fails with "
        "`failed to find plugin`, and an empty one with `no plugin name provided`, at every pod "
        "start.",
    example='"type": "vlan", "master": "eth0", "vlanId": 100, "ipam": {"type": "Whereabouts"}',
    fix="Name an installed IPAM plugin exactly, or add it to `extra-plugins` if you ship your own.",
    refs=(f"{PLUGINS_REPO}/tree/main/plugins/ipam",
          "https://github.com/containernetworking/cni/blob/main/SPEC.md"),
)

KUBEVIRT_REPO = "https://github.com/kubevirt/kubevirt"
SRIOV_VM_IPAM = declare(
    "ML209", "kubevirt-sriov-ipam", "warning",
    "A KubeVirt `sriov` interface on a NAD with IPAM: the guest never gets that address (dhcp: the VM's pod fails).",
    what="For each KubeVirt VirtualMachine, VirtualMachineInstance, VirtualMachineInstanceReplicaSet "
         "and VirtualMachinePool interface bound with `sriov: {}`, looks up the NAD its network names "
         "(`multus.networkName`, `name` in the VM's namespace or `namespace/name`; a NAD manifest, or "
         "the NAD an SR-IOV operator `SriovNetwork` or a Mellanox network-operator `HostDeviceNetwork` renders) and reports an `ipam` with a `type` in its "
         "`sriov` or `host-device` plugin: a warning, and an error for `type: dhcp`.",
    why="KubeVirt passes the VF to the guest as a PCI host device, which needs the VF bound to "
        "vfio-pci. For such a VF sriov-cni (and host-device) run the IPAM plugin but skip "
        "`ipam.ConfigureIface` (DPDK mode), and KubeVirt's virt-launcher leaves SR-IOV interfaces "
        "out of its pod-network setup and DHCP: the address is taken from the pool and configured "
        "nowhere, so the guest has no address unless it configures one itself (kubevirt#8294: a VF "
        "bound to vfio-pci \"cannot be configured with IPAM\"). The dhcp IPAM needs the interface in "
        "the pod's namespace, which a vfio-bound VF never has there: the lease fails (`error looking "
        "up`) and the VM's pod never starts.",
    example="interfaces: [{name: sriov-net, sriov: {}}]   # NAD sriov-vm: {\"type\": \"sriov\", "
            "\"ipam\": {\"type\": \"host-local\", ...}}",
    fix="Drop the NAD's `ipam` (or leave it `{}`) and give the guest its address itself: cloud-init "
        "`networkData` (static, as KubeVirt's own SR-IOV tests do) or a DHCP server on the VF's network.",
    refs=(f"{KUBEVIRT_REPO}/issues/8294",
          "https://kubevirt.io/user-guide/network/interfaces_and_networks/#sriov",
          "https://github.com/k8snetworkplumbingwg/sriov-cni/blob/master/pkg/cnicommands/cni.go",
          f"{KUBEVIRT_REPO}/blob/main/pkg/network/setup/netpod/netpod.go"),
)

WHEREABOUTS_DIALECT = {"rangestart": "range_start", "rangeend": "range_end", "subnet": "range",
                       "ranges": "ipRanges", "datadir": None}
HOST_LOCAL_DIALECT = {"range_start": "rangeStart", "range_end": "rangeEnd", "range": "subnet"}
# Other words for a range's first and last address, lower-cased, with underscores and dashes
# dropped -> what they mean; difflib alone took rangeStop for `ranges`, the closer spelling,
# where the end of the range was meant (precision batch 5, a kind lab's host-local pool)
_RANGE_BOUND_WORDS = {f"range{w}": "end" for w in ("stop", "last", "finish", "to", "max", "high", "upper")} \
    | {f"range{w}": "start" for w in ("begin", "first", "from", "min", "low", "lower")}


def _bound_key(key: str, known: Iterable[str]) -> str | None:
    """The known key (rangeEnd, range_start...) that ``key`` names in other words, if any."""
    bound = _RANGE_BOUND_WORDS.get(key.lower().replace("_", "").replace("-", ""))
    if bound is None:
        return None
    return next((k for k in known if k.lower().replace("_", "") == "range" + bound), None)


def _issues(ctx: Context, rule: Any, skip: Any = None) -> Iterator[Finding]:
    """The rule's issues of every IPAM analysis, but those ``skip(use, issue)`` leaves out."""
    from multus_lint.model.ipam_uses import ipam_uses

    for use in ipam_uses(ctx.judged):
        for issue in use.analysis.issues:
            if issue.code == rule.code and not (skip is not None and skip(use, issue)):
                yield ctx.finding(rule, use.site(issue.path), issue.message, issue.severity)


@checks(WHEREABOUTS_RANGE, local=True)
def whereabouts_range(ctx: Context) -> Iterator[Finding]:
    yield from _issues(ctx, WHEREABOUTS_RANGE,
                       lambda use, issue: issue.message.startswith(NO_RANGE) and _calico_network(use.plugin))


NO_RANGE = "whereabouts IPAM without `range`"  # net.addresses._whereabouts's message


def _calico_network(plugin: dict[str, Any]) -> bool:
    """A Calico plugin (Calico/VPP multinet) that names its network: the network's range is
    that of the projectcalico.org/v3 Network it names (vpp-dataplane docs/multinet.md), which
    this linter does not see, so a whereabouts IPAM without a range is not known to lack one."""
    options = plugin.get("dataplane_options")
    ipam = plugin.get("ipam")
    return plugin.get("type") == "calico" and (
        (isinstance(options, dict) and bool(options.get("network_name")))
        or (isinstance(ipam, dict) and bool(ipam.get("network"))))


@checks(HOST_LOCAL_RANGE, local=True)
def host_local_range(ctx: Context) -> Iterator[Finding]:
    yield from _issues(ctx, HOST_LOCAL_RANGE)


def _workload_name(doc: object) -> str:
    """A workload's name for a message; a pod from chart values (an app-template controller,
    a chart's podAnnotations: model.charts) has none of its own and is named by the release
    that renders it (an Embedded values document raised AttributeError here: ML000)."""
    if isinstance(doc, Document):
        return doc.name
    owner = document_of(doc)
    return f"from the values of {owner.kind} {owner.name}" if isinstance(owner, Document) else "from chart values"


@checks(STATIC_IPAM)
def static_ipam(ctx: Context) -> Iterator[Finding]:
    from multus_lint.model.ipam_uses import ipam_uses
    from multus_lint.net.addresses import find_key, getk

    yield from _issues(ctx, STATIC_IPAM)
    pods = None
    for use in ipam_uses(ctx.judged):
        if use.nad is None or use.analysis.kind != "static" or not use.analysis.pools:
            continue
        if getk(use.plugin, "type") == "macvtap":
            continue  # kubevirt/macvtap-cni pkg/cni/plugin.go CmdAdd runs no IPAM: no address at all
        if pods is None:
            pods = _pods_per_nad(ctx)
        count, who, vms = pods.get(use.nad.key, (0, [], False))
        if count > 1:
            key = find_key(use.ipam, "addresses") or "addresses"
            # kubevirt pkg/network/multus/annotation.go newAnnotationData: a VM's selection
            # element has no `ips`, so VMs cannot be given addresses one by one
            advice = ("KubeVirt cannot request per-VM addresses (`ips`): use whereabouts or one NAD "
                      "per VM" if vms else "request addresses per pod (`ips`) or use whereabouts")
            yield ctx.finding(
                STATIC_IPAM, use.site((key,)),
                f"static addresses in NAD {use.nad.name} are handed to every pod that uses it, and "
                f"{' and '.join(who[:3])}{' and more' if len(who) > 3 else ''} start more than one: "
                f"they all get the same address; {advice}",
                severity="warning")


def _pods_per_nad(ctx: Context) -> dict[tuple[str, str], tuple[int, list[str], bool]]:
    """(NAD key) -> (pods that attach it, counting repeats in one pod; the workloads; whether
    KubeVirt objects are among them)."""
    from multus_lint.model.kubevirt import launcher_pods, vm_attachments
    from multus_lint.model.network_refs import network_refs

    nodes = ctx.profile.nodes
    out: dict[tuple[str, str], tuple[int, list[str], bool]] = {}

    def add(key: tuple[str, str], kind: str, name: str, replicas: int, vm: bool) -> None:
        count, who, vms = out.get(key, (0, [], False))
        label = f"{kind} {name}" + (f" ({replicas} replicas)" if replicas > 1 else "")
        out[key] = (count + replicas, who + ([label] if label not in who else []), vms or vm)

    for ref in network_refs(ctx.project):
        w = ref.use.workload if ref.use is not None else None
        if w is None:
            continue
        replicas = w.replicas
        if replicas is None:
            replicas = (nodes if nodes is not None else 2) if w.kind == "DaemonSet" else 1
        add((ref.namespace, ref.name), w.kind, _workload_name(w.doc), replicas, False)
    # each running VM is one virt-launcher pod holding its attachments; an sriov-bound VF is
    # handed to the guest and its IPAM address configured nowhere (ML209), so it shares nothing
    for att in vm_attachments(ctx.project):
        if not att.attached or att.binding == "sriov":
            continue
        replicas = launcher_pods(att.doc)
        if replicas > 0:
            add((att.namespace, att.name), att.doc.kind, att.doc.name, replicas, True)
    return out


@checks(SRIOV_VM_IPAM)
def sriov_vm_ipam(ctx: Context) -> Iterator[Finding]:
    from multus_lint.model.kubevirt import device_ipam, vm_attachments

    for att in vm_attachments(ctx.project):
        iface_path = att.interface_path
        if not att.attached or att.binding != "sriov" or iface_path is None or not ctx.reported(att.doc):
            continue
        found = device_ipam(ctx.project, att.namespace, att.name)
        if found is None:
            continue
        iface = att.interface.get("name") if att.interface else att.network_name
        plugin = "sriov-cni" if found.plugin_type == "sriov" else "the host-device plugin"
        head = (f"interface {iface} is bound with sriov: KubeVirt passes the VF to the guest as a PCI "
                f"host device (bound to vfio-pci), and the {found.ipam_type} IPAM of {found.origin} ")
        if found.ipam_type == "dhcp":
            # containernetworking/plugins plugins/ipam/dhcp/lease.go AcquireLease: LinkByName(ifName)
            msg = (head + "needs that interface in the pod, which a vfio-bound VF never has there "
                   f"({plugin} moves no link in DPDK mode): the lease fails with `error looking "
                   "up` and the VM's virt-launcher pod never starts; drop the ipam and let the guest "
                   "run DHCP on the VF itself")
            yield ctx.finding(SRIOV_VM_IPAM, att.doc.site(*iface_path, "sriov"), msg, severity="error")
            continue
        msg = (head + f"allocates an address that is configured nowhere ({plugin} skips "
               "ipam.ConfigureIface for a vfio-bound VF, and KubeVirt runs no DHCP for SR-IOV): the guest "
               "gets no address from it; drop the NAD's ipam and configure the address in the guest "
               "(cloud-init networkData)")
        yield ctx.finding(SRIOV_VM_IPAM, att.doc.site(*iface_path, "sriov"), msg)


@checks(WRONG_DIALECT_KEY, local=True)
def wrong_dialect_key(ctx: Context) -> Iterator[Finding]:
    from multus_lint.validate.cni import IPAM_SCHEMAS, unknown_keys

    for cfg in ctx.project.cni_configs():
        for path, ipam, _ in cfg.ipams():
            kind = ipam.get("type")
            if not isinstance(kind, str) or kind not in IPAM_SCHEMAS:
                continue  # a type that is no string is ML503's (the schema's)
            for kpath, key, known in unknown_keys(IPAM_SCHEMAS[kind], ipam):
                dialect = WHEREABOUTS_DIALECT if kind == "whereabouts" else \
                    HOST_LOCAL_DIALECT if kind == "host-local" else {}
                low = key.lower()
                severity = None
                if low in dialect:
                    other = "host-local" if kind == "whereabouts" else "whereabouts"
                    own = dialect[low]
                    msg = (f"'{key}' is how {other} spells it: {kind} silently ignores it"
                           + (f"; use '{own}'" if own and own in known else
                              f"; {kind} has no such setting" if not own else f"; use '{own}'"))
                elif low in _other_ipam_keys(kind):
                    others = ", ".join(_other_ipam_keys(kind)[low])
                    msg = f"'{key}' is a {others} key: {kind} silently ignores it"
                    if kind == "static" and low == "gateway":
                        msg += "; static takes a gateway per address (addresses[].gateway)"
                else:
                    best = _bound_key(key, known) or closest(key, known, 0.75)
                    if best:
                        msg = f"'{key}' is not a {kind} key and is silently ignored; did you mean '{best}'?"
                    else:
                        msg = f"'{key}' is not a {kind} key: {kind} silently ignores it"
                        severity = "info"
                yield ctx.finding(WRONG_DIALECT_KEY, cfg.site(*path, *kpath), msg, severity,
                                  fix=_dialect_fix(cfg, path, kpath, kind, low, ipam))


# host-local spellings inside whereabouts with exactly one whereabouts equivalent (same value
# format); `ranges` (another structure) and `dataDir` (no equivalent) are left to the user.
_WHEREABOUTS_RENAMES = ("rangestart", "rangeend", "subnet")


def _dialect_fix(cfg: Any, path: tuple, kpath: tuple, kind: Any, low: str, ipam: dict) -> Fix | None:
    if kind != "whereabouts" or low not in _WHEREABOUTS_RENAMES or len(kpath) != 1:
        return None
    own = WHEREABOUTS_DIALECT[low]
    if own is None or _find_key(ipam, own) is not None:  # Go matches keys case-insensitively
        return None
    return Fix.rename(cfg, path + tuple(kpath), own)


def _other_ipam_keys(kind: str) -> dict[str, list[str]]:
    """Lower-cased top-level keys of the other IPAM plugins -> the plugins that know them."""
    from multus_lint.validate.cni import IPAM_SCHEMAS, properties

    out: dict[str, list[str]] = {}
    for other, schema in IPAM_SCHEMAS.items():
        if other != kind:
            for key in properties(schema):
                out.setdefault(key.lower(), []).append(other)
    return out


# Plugins whose cmdAdd always runs ipam.ExecAdd(conf.IPAM.Type, ...): with no type,
# invoke.FindInPath fails "no plugin name provided" (containernetworking/plugins
# plugins/main/vlan/vlan.go, plugins/main/ptp/ptp.go); dummy checks first and fails with its
# own message (plugins/main/dummy/dummy.go cmdAdd).
ALWAYS_IPAM = {"vlan": "no plugin name provided", "ptp": "no plugin name provided",
               "dummy": "dummy interface requires an IPAM configuration"}
# Plugins whose IPAM is optional: cmdAdd runs it only when ipam.type is set
# (isLayer3 := n.IPAM.Type != "" in macvlan.go, bridge.go, tap.go; host-device.go), so the
# other ipam keys of a config without a type are silently dropped.
OPTIONAL_IPAM = ("macvlan", "bridge", "tap", "host-device")


def _needs_ipam(ptype: Any, chained: bool) -> str | None:
    """The error a plugin that needs an IPAM type fails with, None when it does not need one.
    ipvlan needs one unless chained after the plugin that made the interface
    (plugins/main/ipvlan/ipvlan.go cmdAdd)."""
    if isinstance(ptype, str) and ptype in ALWAYS_IPAM:
        return ALWAYS_IPAM[ptype]
    return "no plugin name provided" if ptype == "ipvlan" and not chained else None


@checks(IPAM_TYPE)
def ipam_type(ctx: Context) -> Iterator[Finding]:
    from multus_lint.model.installed_plugins import THIRD_PARTY_IPAM, deployed
    from multus_lint.net.addresses import KNOWN_IPAM_TYPES, find_key

    known = tuple(KNOWN_IPAM_TYPES) + tuple(sorted(THIRD_PARTY_IPAM)) + tuple(ctx.config.extra_plugins)
    have = deployed(ctx.project, ctx.config.extra_plugins)
    for cfg in ctx.judged.cni_configs():
        for path, plugin in cfg.plugins():
            ptype = plugin.get("type")
            chained = bool(path) and path[-1] != 0 and path[-2] == "plugins"
            error = _needs_ipam(ptype, chained)
            when = " when it is not chained" if ptype == "ipvlan" else ""
            ikey = find_key(plugin, "ipam")
            ipam = plugin.get(ikey) if ikey is not None else None
            if ipam is None:
                if error:
                    yield ctx.finding(IPAM_TYPE, cfg.site(*path, "type"),
                                      f"{ptype} has no ipam, but it needs an IPAM plugin{when} and "
                                      f"fails with \"{error}\"; add one (e.g. whereabouts)")
                continue
            if not isinstance(ipam, dict):
                continue  # the schema's (ML503)
            tkey = find_key(ipam, "type")
            itype = ipam.get(tkey) if tkey is not None else None
            if itype is None or itype == "":
                if error:
                    yield ctx.finding(IPAM_TYPE, cfg.site(*path, ikey),
                                      f"ipam has no type, but {ptype} needs an IPAM plugin{when}: "
                                      f"it fails with \"{error}\"")
                elif ptype in OPTIONAL_IPAM and any(k != tkey for k in ipam):
                    keys = ", ".join(str(k) for k in ipam if k != tkey)
                    yield ctx.finding(IPAM_TYPE, cfg.site(*path, ikey),
                                      f"ipam sets {keys} but no type: {ptype} runs its IPAM only when "
                                      "ipam.type is set, so these settings are ignored and the "
                                      "interface gets no address; add the type (e.g. host-local "
                                      "or whereabouts)", "warning")
                continue
            if isinstance(itype, str) and itype not in known and itype not in have.plugins:
                found = _unknown_ipam(ctx, cfg, path + (ikey, tkey), itype, known, have.any_plugin)
                if found is not None:
                    yield found


def _unknown_ipam(ctx: Context, cfg: Any, path: tuple, itype: str, known: tuple[str, ...],
                  any_plugin: str | None) -> Finding | None:
    """An exact-name miss of a known IPAM is certain (error); a name this linter does not know
    may be a plugin installed outside the repository (warning)."""
    from multus_lint.suggest import fold

    same = next((k for k in known if fold(k) == fold(itype)), None)
    if same is not None:
        return ctx.finding(IPAM_TYPE, cfg.site(*path),
                           f"IPAM type '{itype}' is not '{same}': the runtime looks for a binary named "
                           f"exactly '{itype}' and fails with \"failed to find plugin\"; write '{same}'")
    if any_plugin is not None:
        return None  # that DaemonSet copies binaries this linter cannot list: it may be one
    best = closest(itype, known, 0.75)
    return ctx.finding(IPAM_TYPE, cfg.site(*path),
                       f"IPAM type '{itype}' is not an IPAM plugin this linter knows, and nothing in the "
                       f"project installs it: unless a binary named '{itype}' is in "
                       f"{ctx.profile.bin_dir} on every node, pods fail with \"failed to find plugin\""
                       + (f"; did you mean '{best}'?" if best else
                          "; add it to extra-plugins if you install it yourself"), "warning")


# ------------------------------------------------------------------ ML202

IPAM_NOT_DEPLOYED = declare(
    "ML202", "ipam-plugin-not-deployed", "error",
    "A NAD uses whereabouts or dhcp, but the scanned Multus chart does not deploy it.",
    what="Only when the project deploys the rke2-multus chart. Reported at the NAD's ipam `type`: "
         "`whereabouts` while no release sets `rke2-whereabouts.enabled: true` (and no whereabouts "
         "DaemonSet is in the project); `dhcp` while no release sets `manifests.dhcpDaemonSet: true` "
         "(and no DaemonSet runs `dhcp daemon`).",
    why="The whereabouts binary and its CRDs, or the dhcp daemon's socket /run/cni/dhcp.sock, are "
        "installed only by those chart options: without them every pod on the network fails with "
        "`failed to find plugin \"whereabouts\"` or `dial unix /run/cni/dhcp.sock: connect: no such "
        "file or directory`.",
    example='"ipam": {"type": "whereabouts", "range": "10.10.0.0/24"}  # chart without rke2-whereabouts',
    fix="Set `rke2-whereabouts.enabled: true` (with K3s `cniConf` paths) or "
        "`manifests.dhcpDaemonSet: true` in the rke2-multus values.",
    refs=(K3S_DOCS,),
)


@checks(IPAM_NOT_DEPLOYED)
def ipam_not_deployed(ctx: Context) -> Iterator[Finding]:
    from multus_lint.model.installed_plugins import deployed

    if not ctx.project.releases:
        return
    have = deployed(ctx.project, ctx.config.extra_plugins)
    if not have.known:
        return  # a chart's values could not be read: it may deploy them
    charts = ", ".join(sorted({r.doc.name or r.source_kind for r in ctx.project.releases}))
    for cfg in ctx.judged.cni_configs(nads_only=True):
        for path, ipam, _ in cfg.ipams():
            itype = ipam.get("type")
            if itype == "whereabouts" and not have.whereabouts:
                quoted = any(isinstance(r.get(("rke2-whereabouts", "enabled")), str)
                             for r in ctx.project.releases)
                yield ctx.finding(IPAM_NOT_DEPLOYED, cfg.site(*path, "type"),
                                  f"whereabouts IPAM, but the Multus chart ({charts}) does not set "
                                  "rke2-whereabouts.enabled: true"
                                  + (" (a quoted \"true\" is a string, which helm's chart condition "
                                     "treats as false)" if quoted else "")
                                  + ", so the whereabouts binary and CRDs are not installed and pods "
                                  "fail with `failed to find plugin \"whereabouts\"`")
            elif itype == "dhcp" and not have.dhcp_daemon:
                yield ctx.finding(IPAM_NOT_DEPLOYED, cfg.site(*path, "type"),
                                  f"dhcp IPAM, but the Multus chart ({charts}) does not set "
                                  "manifests.dhcpDaemonSet: true, so no dhcp daemon serves "
                                  "/run/cni/dhcp.sock and pods fail to get an address")
