"""ML3xx: addresses, gateways and ranges."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from multus_lint.context import Context
from multus_lint.findings import Finding
from multus_lint.model.ipam_uses import ipam_uses
from multus_lint.model.route_chain import gateway_made_on_link, gateway_unused
from multus_lint.registry import checks, declare

PLUGINS_REPO = "https://github.com/containernetworking/plugins"
# ML301/ML302 on a gateway nothing reads (model.route_chain.gateway_unused): the IPAM result
# carries it, but no route, sbr or bridge gateway uses it, so the pod starts and works; info.
UNUSED = ("no route of the attachment goes through it (no IPAM route without `gw`, no sbr, no "
          "bridge gateway), so it has no effect now; a route added later without `gw` would fail")

GATEWAY_OUTSIDE = declare(
    "ML301", "gateway-outside-range", "error",
    "A gateway outside the subnet it serves, or of the other address family.",
    what="Checks `gateway` against its subnet: the whereabouts `range` / `ipRanges` (for "
         "`A-B/prefix` the network of `B/prefix`), each host-local range's `subnet` (and the "
         "legacy top-level `subnet`), each static `addresses[].address`. IPv4 and IPv6. Info, "
         "not error, when nothing reads the gateway: the plugin is macvlan, ipvlan, host-device, "
         "vlan, dummy, tap or a bridge without `isGateway`/`isDefaultGateway`, no IPAM route of "
         "its family lacks `gw`, and no plugin but tuning, portmap, bandwidth or firewall (no "
         "sbr) follows in the conflist. Not reported for ptp, which routes to its gateway "
         "through a /32 (/128) link route whatever the subnet. Always an error for host-local, "
         "which refuses a gateway outside its range's subnet itself (`gateway ... not in "
         "network ...`) before any plugin runs.",
    why="The plugins read the IPAM gateway only as the next hop of a route without `gw` "
        "(containernetworking/plugins pkg/ipam ConfigureIface), of sbr's default route and of a "
        "bridge's gateway address: a gateway the interface cannot reach on-link then makes the "
        "route installation fail at pod start (`network is unreachable`).",
    example='"range": "2001::0/116", "gateway": "2001::f:1"   # 2001::f:1 is outside 2001::/116',
    fix="Use an address inside the subnet, or widen the range to include the gateway.",
    refs=("https://github.com/k8snetworkplumbingwg/whereabouts#ipv6-configuration",
          "https://www.cni.dev/plugins/current/ipam/host-local/"),
)


@checks(GATEWAY_OUTSIDE, local=True)
def gateway_outside(ctx: Context) -> Iterator[Finding]:
    # Sites are computed only for a finding: locating a key scans the JSON text.
    for use in ipam_uses(ctx.project):
        subnets = use.analysis.pools
        if use.ipam.get("type") == "whereabouts":
            gw = subnets[0].gateway if subnets else None
            if gw is None or subnets[0].gateway_path is None:
                continue
            same = [s for s in subnets if s.network.version == gw.version]
            if not same:
                nets = ", ".join(str(s.network) for s in subnets)
                unused = gateway_unused(use.cfg, use.path, gw.version)
                yield ctx.finding(GATEWAY_OUTSIDE, use.site(subnets[0].gateway_path),
                                  f"gateway {gw} is IPv{gw.version} but the range {nets} is "
                                  f"IPv{subnets[0].network.version}: "
                                  + (UNUSED if unused else "the route cannot be installed"),
                                  severity="info" if unused else None)
            elif not any(gw in s.network for s in same) and not gateway_made_on_link(use.plugin):
                nets = ", ".join(f"{s.label} (network {s.network})" for s in same)
                unused = gateway_unused(use.cfg, use.path, gw.version)
                yield ctx.finding(GATEWAY_OUTSIDE, use.site(subnets[0].gateway_path),
                                  f"gateway {gw} is outside the range {nets}: "
                                  + (UNUSED if unused else "it is not on-link for the attachment, "
                                     "so a route through it fails"),
                                  severity="info" if unused else None)
            continue
        for s in subnets:
            if s.gateway is None or s.gateway_path is None:
                continue
            if s.gateway.version == s.network.version and s.gateway in s.network:
                continue
            other_family = s.gateway.version != s.network.version
            what = (f"is IPv{s.gateway.version} but its subnet {s.label} is IPv{s.network.version}"
                    if other_family else f"is outside its subnet {s.label} (network {s.network})")
            unused = False
            if s.kind == "host-local":
                # host-local refuses the range before any plugin sees a result (backend/allocator
                # range.go Canonicalize: "gateway %s not in network %s", also for the other
                # family): the IPAM ADD fails whatever reads the gateway, ptp's included
                why = f"host-local fails with \"gateway {s.gateway} not in network {s.network}\""
            elif not other_family and gateway_made_on_link(use.plugin):
                continue
            else:
                unused = gateway_unused(use.cfg, use.path, s.gateway.version)
                why = UNUSED if unused else "" if other_family else "it is not on-link for the attachment"
            yield ctx.finding(GATEWAY_OUTSIDE, use.site(s.gateway_path),
                              f"gateway {s.gateway} {what}" + (f": {why}" if why else ""),
                              severity="info" if unused else None)


# ------------------------------------------------------------------ ML302-ML306

GATEWAY_RESERVED = declare(
    "ML302", "gateway-reserved-address", "error",
    "A gateway equal to its subnet's network address or IPv4 broadcast address.",
    what="Checks each gateway (whereabouts `gateway` against the range holding it, host-local range "
         "`gateway`, static `addresses[].gateway`) against the network and, for IPv4, broadcast "
         "address of its subnet. IPv6 has no broadcast; its subnet-router anycast address (the "
         "network address) is reported too. Info, not error, when nothing reads the gateway "
         "(as for ML301).",
    why="No router answers on the network or broadcast address: the route through it cannot be "
        "installed (`invalid argument`) or the traffic never leaves the node.",
    example='"subnet": "10.1.2.0/24", "gateway": "10.1.2.255"',
    fix="Use the router's real address, usually the first or last usable one (10.1.2.1, 10.1.2.254).",
    refs=("https://www.rfc-editor.org/rfc/rfc919", "https://www.rfc-editor.org/rfc/rfc4291#section-2.6.1"),
)

GATEWAY_ALLOCATABLE = declare(
    "ML303", "gateway-allocatable", "warning",
    "whereabouts: the gateway lies in the allocatable part of the range and is not excluded.",
    what="For whereabouts only: the `gateway` is inside the addresses the range really hands out "
         "(after `range_start`/`range_end`, without network and broadcast) and no `exclude` entry "
         "covers it. host-local is not affected (it never hands out its gateway).",
    why="whereabouts does not skip the gateway: it hands out the lowest free address, so with "
        "`range 192.168.2.0/24` and `gateway 192.168.2.1` the first pod gets the gateway's "
        "address and the network breaks for everyone (whereabouts #601).",
    example='"range": "192.168.2.0/24", "gateway": "192.168.2.1"',
    fix='Add the gateway to `exclude` ("192.168.2.1/32"), or start the range after it '
        '(`range_start`, or "192.168.2.10-192.168.2.254/24").',
    refs=("https://github.com/k8snetworkplumbingwg/whereabouts/issues/601",
          "https://github.com/k8snetworkplumbingwg/whereabouts/blob/master/pkg/allocate/allocate.go"),
)

RANGE_OVERLAP = declare(
    "ML304", "ipam-range-overlap", "warning",
    "Two NADs whose address pools overlap without sharing allocation state.",
    what="Across every NAD of the project (not only the files named): whereabouts ranges that "
         "overlap with different `network_name`s (independent pools), or different overlapping "
         "CIDRs where `enable_overlapping_ranges` is false; host-local ranges shared between NADs "
         "with different CNI `name`s (separate state dirs); static addresses used twice; pools of "
         "different IPAM plugins that overlap. Two NADs on the same whereabouts CIDR and network "
         "name share one pool: when they set different `range_start`/`range_end`/`exclude` it is "
         "reported as info. Pools on two different known layer-2 segments (masters, bridges, "
         "SR-IOV resources, VLANs) are not compared: the same address on both never meets on one "
         "wire. Reported on each NAD of a pair, naming the other. Found by one sweep "
         "over the sorted ranges (O(n log n)).",
    why="Pools that do not know about each other hand out the same address twice: two pods with "
        "one IP on the same segment, and traffic goes to whichever answers ARP first.",
    example='NAD a: "range": "10.5.0.0/16", "network_name": "a"\n'
            'NAD b: "range": "10.5.3.0/24", "network_name": "b"',
    fix="Give each network its own non-overlapping range, or let them share one whereabouts pool "
        "(same range, same network_name, enable_overlapping_ranges true).",
    refs=("https://github.com/k8snetworkplumbingwg/whereabouts#overlapping-ranges",
          "https://github.com/k8snetworkplumbingwg/whereabouts/pull/258"),
)

RANGE_CLUSTER_OVERLAP = declare(
    "ML305", "range-overlaps-cluster-network", "error",
    "A secondary network's range overlaps the K3s cluster (pod) or service CIDR.",
    what="Compares every NAD's whereabouts range, host-local subnet and static address subnet "
         "with the profile's cluster CIDR (default 10.42.0.0/16, IPv6 fd00:42::/56) and service "
         "CIDR (default 10.43.0.0/16, fd00:43::/112), from flags, config or the K3s config.yaml. "
         "On a cluster that is neither K3s nor RKE2 (distro generic: Talos, kind, kubeadm, EKS, "
         "OpenShift) those defaults are not its CIDRs: only CIDRs a flag or the config gives are compared.",
    why="The secondary interface gets a connected route for its subnet that shadows the pod "
        "network or the service range: traffic to other pods or to ClusterIPs leaves through "
        "the wrong interface.",
    example='"range": "10.42.100.0/24"   # inside the K3s pod CIDR 10.42.0.0/16',
    fix="Pick a range outside the cluster and service CIDRs (for example 192.168.x.0/24 or a "
        "dedicated 172.x block).",
    refs=("https://docs.k3s.io/cli/server#networking",),
)

SECONDARY_DEFAULT_ROUTE = declare(
    "ML306", "secondary-default-route", "warning",
    "A NAD that adds a default route for a secondary interface.",
    what="An IPAM route with `dst` 0.0.0.0/0 or ::/0, or a bridge plugin with "
         "`isDefaultGateway: true`, in a NetworkAttachmentDefinition, that the chain leaves in "
         "the pod's main routing table at a metric that competes with eth0's. Not reported: a "
         "route with a `table` other than main; a route whose `priority` is above eth0's (IPv4: "
         "any above 0; IPv6: above 1024); routes of a plugin followed in its conflist by `sbr` "
         "without `table` (sbr moves the interface's routes into a per-source table and deletes "
         "them from main).",
    why="CNI plugins install routes with netlink.RouteAddEcmp (no NLM_F_EXCL), so the kernel does "
        "not refuse a second default route: an IPv4 one of the same metric is inserted ahead of "
        "eth0's and wins, so the pod sends everything outside the cluster CIDR (Service IPs and "
        "the cluster DNS included) out of the secondary interface; an IPv6 one becomes an ECMP "
        "sibling of eth0's and flows are spread over both.",
    example='"routes": [{"dst": "0.0.0.0/0", "gw": "10.1.1.1"}]',
    fix="Route only the networks that live behind the secondary interface; for source-based "
        "routing chain `{\"type\": \"sbr\"}` after the plugin; to make it the default, request "
        "it per pod with `default-route` in the networks annotation.",
    refs=(f"{PLUGINS_REPO}/blob/main/pkg/ipam/ipam_linux.go",
          f"{PLUGINS_REPO}/blob/main/plugins/meta/sbr/main.go",
          "https://github.com/k8snetworkplumbingwg/multus-cni/issues/847",
          "https://github.com/k8snetworkplumbingwg/multus-cni/issues/1444"),
)


def _whereabouts_gateway_pool(subnets: list, gw: object) -> object:
    return next((s for s in subnets if s.network.version == gw.version and gw in s.network), None)  # type: ignore[attr-defined]


@checks(GATEWAY_RESERVED, GATEWAY_ALLOCATABLE, local=True)
def gateway_reserved(ctx: Context) -> Iterator[Finding]:
    for use in ipam_uses(ctx.project):
        pools = use.analysis.pools
        if use.analysis.kind == "whereabouts":
            if not pools or pools[0].gateway is None or pools[0].gateway_path is None:
                continue
            gw = pools[0].gateway
            pool = _whereabouts_gateway_pool(pools, gw)
            if pool is None:
                continue  # outside every range: ML301's
            judged = [(pool, gw)]
        else:
            judged = [(p, p.gateway) for p in pools if p.gateway is not None and p.gateway_path
                      and p.gateway.version == p.network.version and p.gateway in p.network]
        for pool, gw in judged:
            net = pool.network
            reserved = ("network" if gw == net.network_address else
                        "broadcast" if net.version == 4 and gw == net.broadcast_address else None)
            if reserved is not None:
                if gateway_unused(use.cfg, use.path, gw.version):
                    yield ctx.finding(GATEWAY_RESERVED, use.site(pool.gateway_path),
                                      f"gateway {gw} is the {reserved} address of {net}: {UNUSED}",
                                      severity="info")
                elif reserved == "network":
                    yield ctx.finding(GATEWAY_RESERVED, use.site(pool.gateway_path),
                                      f"gateway {gw} is the network address of {net}: no router answers "
                                      "there, so the route through it does not work")
                else:
                    yield ctx.finding(GATEWAY_RESERVED, use.site(pool.gateway_path),
                                      f"gateway {gw} is the broadcast address of {net}: it cannot be a "
                                      "next hop")
                continue
            if use.analysis.kind == "whereabouts" and pool.start is not None and pool.end is not None \
                    and pool.start <= gw <= pool.end and not any(gw in e for e in pool.exclude):
                yield ctx.finding(GATEWAY_ALLOCATABLE, use.site(pool.gateway_path),
                                  f"gateway {gw} is inside the addresses whereabouts hands out "
                                  f"({pool.start}-{pool.end}) and not excluded: whereabouts does not "
                                  "skip the gateway, so a pod gets its address; add it to `exclude` "
                                  "or start the range after it")


@checks(RANGE_CLUSTER_OVERLAP, local=True)
def range_cluster_overlap(ctx: Context) -> Iterator[Finding]:
    # a generic cluster has CIDRs of its own: only those a flag, the config or a manifest gives
    nets = [(n, "cluster (pod) CIDR") for n in ctx.profile.cluster_networks] + \
        [(n, "service CIDR") for n in ctx.profile.service_networks]
    owner = f"{ctx.profile.name} " if ctx.profile.distro in ("k3s", "rke2") else ""
    for use in ipam_uses(ctx.project):
        if use.nad is None:
            continue  # node-level CNI files include flannel's own pod network
        for pool in use.analysis.pools:
            for net, what in nets:
                if net.version == pool.network.version and net.overlaps(pool.network):
                    yield ctx.finding(
                        RANGE_CLUSTER_OVERLAP, use.site(pool.path),
                        f"{_pool_name(pool)} (network {pool.network}) overlaps the {owner}"
                        f"{what} {net}: its connected route shadows the cluster's, so pod or "
                        "service traffic leaves through the secondary interface")
                    break


@checks(SECONDARY_DEFAULT_ROUTE)
def secondary_default_route(ctx: Context) -> Iterator[Finding]:
    # not local: a NAD's uses (as a default network) are looked up in the whole project
    from multus_lint.model.project import RESOURCE_NAME_ANNOTATION
    from multus_lint.model.route_chain import default_routes

    only_default: set[tuple[str, str]] | None = None  # looked up once a NAD has a default route
    only_default_names: set[str] = set()
    for nad in ctx.judged.nads:
        cfg = nad.config
        if cfg is None or not cfg.is_dict:
            continue
        routes = [r for r in default_routes(cfg) if r.competes]
        if not routes:
            continue
        if only_default is None:
            only_default = _default_network_only(ctx)
            only_default_names = {name for _, name in only_default}
        if nad.key in only_default or (getattr(nad.doc, "unsure", None) and nad.name in only_default_names):
            continue  # the pod's only default network: its routes are eth0's
        resource = str(nad.doc.annotations.get(RESOURCE_NAME_ANNOTATION) or "").lower()
        # sriov-cni cmdAdd runs ipam.ConfigureIface only `if !netConf.DPDKMode`: a VF bound to a
        # userspace driver (vfio-pci, as for KubeVirt SR-IOV, or a DPDK uio driver) gets no
        # kernel routes; a resource pool named for such a driver is the NAD's only sign of it
        dpdk_pool = any(word in resource for word in ("vfio", "dpdk", "uio"))
        for route in routes:
            if dpdk_pool and route.plugin_type in ("sriov", "ib-sriov"):
                continue
            what = ("isDefaultGateway: true adds a default route through the bridge's gateway"
                    if route.kind == "isDefaultGateway" else
                    f"route {route.dst} is a default route on the secondary interface")
            yield ctx.finding(SECONDARY_DEFAULT_ROUTE, cfg.site(*route.path),
                              f"{what}, in the main table beside eth0's: {_second_default(route.family)}; "
                              "route only the networks behind it, chain sbr after the plugin, or "
                              "request it per pod with `default-route`")


def _default_network_only(ctx: Context) -> set[tuple[str, str]]:
    """The NADs the project uses only as a pod's default network: Multus's
    ``v1.multus-cni.io/default-network`` annotation, or a KubeVirt network with
    ``multus.default: true`` (kubevirt pkg/network/pod/annotations generator.go puts it in that
    annotation). Multus then delegates the pod's eth0 to it instead of the cluster network
    (multus-cni pkg/k8sclient k8sclient.go ``tryLoadK8sPodDefaultNetwork``), so its default
    route is the pod's only one, not a second one beside eth0's."""
    from multus_lint.model.kubevirt import vm_attachments
    from multus_lint.model.network_refs import network_refs

    default, other = set(), set()
    for ref in network_refs(ctx.project):
        if ref.origin == "default-network":
            default.add((ref.namespace, ref.name))
        elif ref.origin != "kubevirt":
            other.add((ref.namespace, ref.name))
    for att in vm_attachments(ctx.project):
        (default if att.default or _guest_only_route(att) else other).add((att.namespace, att.name))
    return default - other


def _guest_only_route(att: Any) -> bool:
    """A VM's only network, bound with ``bridge``: KubeVirt moves the pod interface's address
    and routes into the guest and leaves none in the virt-launcher pod. It reads them
    (kubevirt pkg/network/setup/netpod discoverbridge.go ``storeBridgeBindingDHCPInterfaceData``:
    the IPv4 address, the gateway and every non-local route, default included, go into the
    DHCP config the guest is served), then disables IPv4 on the pod interface
    (netpod.go ``bridgeBindingSpec``: ``IPv4: Enabled false``; removing its last address makes
    the kernel flush every route through it, fib_inetaddr_event -> fib_disable_ip) and gives
    the address to a dummy without routes. The guest has no other network, so that default
    route is its only one, not a second one beside eth0's."""
    from multus_lint.load.document import get_path

    networks = get_path(att.doc.data, att.networks_path)
    return att.attached and att.binding == "bridge" and isinstance(networks, list) and len(networks) == 1


def _second_default(family: int) -> str:
    """What the kernel does with a second default route added without NLM_F_EXCL.

    containernetworking/plugins pkg/ipam/ipam_linux.go ConfigureIface adds each route with
    vishvananda/netlink RouteAddEcmp (NLM_F_CREATE, no NLM_F_EXCL): IPv4 fib_table_insert then
    inserts it before the existing alias of the same metric, IPv6 fib6_add_rt2node makes it an
    ECMP sibling. Only an identical route (same gateway and device) fails with EEXIST.
    """
    v4 = ("CNI plugins add routes without NLM_F_EXCL, so the kernel accepts it and puts it ahead "
          "of eth0's (same metric), and the pod sends everything outside the cluster CIDR (Service IPs and the "
          "cluster DNS included) out of this interface")
    v6 = ("ECMP sibling of eth0's IPv6 default route (same metric 1024), so flows are spread over "
          "both interfaces")
    if family == 4:
        return v4
    if family == 6:
        return "the kernel does not refuse it but makes it an " + v6
    return f"{v4}; an IPv6 one becomes an {v6}"


MAX_OVERLAP_FINDINGS = 3  # per pool: beyond that one more NAD says nothing new
MAX_SWEEP_PARTNERS = 8  # groups one group is compared with, to stay linear on any input


@checks(RANGE_OVERLAP)
def range_overlap(ctx: Context) -> Iterator[Finding]:
    from multus_lint.model.ipam_uses import nad_label
    from multus_lint.net.overlap import group_pools, overlapping_groups

    rows = []
    for use in ipam_uses(ctx.project):
        if use.nad is None:
            continue  # node-level CNI files may carry per-node ranges
        cni_name = use.cfg.name or use.nad.name  # Multus injects the NAD name when none is set
        for pool in use.analysis.pools:
            net = pool.network
            if pool.start is None or pool.end is None:
                continue
            if pool.kind == "whereabouts":
                lo, hi = int(net.network_address), int(net.broadcast_address)
                ident: tuple = ("whereabouts", pool.network_name, str(net), int(pool.start),
                                int(pool.end), tuple(sorted(str(e) for e in pool.exclude)),
                                pool.overlapping)
            elif pool.kind == "host-local":
                lo, hi = int(pool.start), int(pool.end)
                ident = ("host-local", cni_name)
            else:
                lo = hi = int(pool.start)
                ident = (pool.kind, id(use.nad), str(pool.path))
            rows.append((net.version, lo, hi, ident, (use, pool)))
    # (use, pool) -> the overlaps found for it (at most MAX_OVERLAP_FINDINGS) and how many more
    found: dict[tuple[int, int], tuple[Any, Any, list[tuple[str, str, Any, Any, int]], list[int]]] = {}
    groups = group_pools(rows)
    # past the sweep's cap a group meets only some of the groups it overlaps: the count of
    # further pools is then a lower bound, and said as one
    at_least = "at least " if len(groups) > MAX_SWEEP_PARTNERS else ""
    for a, b in overlapping_groups(groups, MAX_SWEEP_PARTNERS):
        if _outside_whereabouts_bounds(a, b):
            continue  # whereabouts never hands out the other pool's addresses
        for mine, theirs in ((a, b), (b, a)):
            # judged from each side: the verdict is symmetric, its wording names this side first
            verdict = _judge_overlap(mine.key, theirs.key)
            if verdict is None:
                break  # the two share state: no conflict from either side
            severity, reason = verdict
            for use, pool in mine.members:
                entry = found.get((id(use), id(pool)))
                if entry is None:
                    entry = found[(id(use), id(pool))] = (use, pool, [], [0])
                elif len(entry[2]) >= MAX_OVERLAP_FINDINGS:
                    entry[3][0] += 1
                    continue
                other = next(((u, p) for u, p in theirs.members
                              if u.nad is not use.nad and not _apart(use, u)
                              and not _maybe_one_object(use.nad, u.nad)), None)
                if other is not None:
                    entry[2].append((severity, reason, other[0], other[1], len(theirs.members) - 1))
    for use, pool, overlaps, extra in found.values():
        if not overlaps or not ctx.reported(use.cfg.owner):
            continue
        site = use.site(pool.path)
        for n, (severity, reason, ouse, opool, more) in enumerate(overlaps):
            also = f" (and {more} more NAD{'s' if more > 1 else ''} on that pool)" if more else ""
            if n == len(overlaps) - 1 and extra[0]:
                also += f"; it also overlaps {at_least}{extra[0]} more pool{'s' if extra[0] > 1 else ''}"
            yield ctx.finding(RANGE_OVERLAP, site,
                              f"{_pool_name(pool)} overlaps {_pool_name(opool)} of NAD "
                              f"{nad_label(ouse.nad)}{also}: {reason}", severity)


def _outside_whereabouts_bounds(a: Any, b: Any) -> bool:
    """A whereabouts pool and a pool of another plugin whose addresses whereabouts never
    allocates: outside its range_start..range_end, or inside one of its excludes
    (k8snetworkplumbingwg/whereabouts pkg/allocate/allocate.go IterateForAssignment walks
    firstIP..lastIP of GetIPRange and skips excluded subnets). The sweep groups a whereabouts
    pool by its whole CIDR, so this is judged here."""
    import ipaddress

    for wb, other in ((a, b), (b, a)):
        if wb.key[0] != "whereabouts" or other.key[0] == "whereabouts":
            continue
        start, end, excludes = wb.key[3], wb.key[4], wb.key[5]
        if other.hi < start or other.lo > end:
            return True
        for text in excludes:
            try:
                net = ipaddress.ip_network(text, strict=False)
            except ValueError:
                continue
            if net.version == other.family and int(net.network_address) <= other.lo \
                    and other.hi <= int(net.broadcast_address):
                return True
    return False


def _apart(a: Any, b: Any) -> bool:
    """Two IPAM uses on different, known layer-2 segments (masters, bridges, VLANs): the same
    address on both is no conflict, which is what different whereabouts network_names (the
    documented way to reuse a CIDR on several networks, whereabouts README "network_name") and
    host-local state dirs are for."""
    sa, sb = a.segment, b.segment
    return sa is not None and sb is not None and sa != sb


def _maybe_one_object(a: Any, b: Any) -> bool:
    """Two NAD manifests of one name, one of which sets no namespace: a chart template and
    a kustomize manifest of the same NAD (a chart's object lands in the release namespace,
    helm pkg/action install.go; a manifest without one in ``kubectl apply -n``'s), so
    possibly one object deployed two ways, whose pool cannot collide with itself (the
    namespaces that would make them two are not in the repository)."""
    return a.name == b.name and (a.doc.namespace is None or b.doc.namespace is None)


def _pool_name(pool: Any) -> str:
    if pool.kind == "static":
        return f"static address {pool.label}"
    return f"{pool.kind} range {pool.label}"


def _judge_overlap(a: tuple, b: tuple) -> tuple[str, str] | None:
    """(severity, why) for two overlapping pool groups, or None when they share state."""
    if a[0] == b[0] == "whereabouts":
        _, name_a, cidr_a, start_a, end_a, ex_a, ovl_a = a
        _, name_b, cidr_b, start_b, end_b, ex_b, ovl_b = b
        if name_a == name_b and cidr_a == cidr_b:
            if (start_a, end_a, ex_a) != (start_b, end_b, ex_b):
                return "info", ("both use the same whereabouts pool (same CIDR and network_name) but "
                                "set different range_start/range_end/exclude, so each NAD allocates "
                                "from a different part of one shared pool")
            return None
        if name_a == name_b:
            if ovl_a and ovl_b:
                return None  # overlapping reservations protect both
            return "warning", ("enable_overlapping_ranges is false, so whereabouts does not check "
                               "the other pool and hands out the same addresses twice")
        if max(start_a, start_b) > min(end_a, end_b):
            return None  # the bounds keep the allocations apart
        return "warning", (f"their network_names differ ('{name_a}' vs '{name_b}'), so they are "
                           "independent pools and hand out the same addresses twice")
    if a[0] == b[0] == "host-local":
        if a[1] == b[1]:
            return None  # same CNI name: one state dir per node
        return "warning", (f"their CNI names differ ('{a[1]}' vs '{b[1]}'), so host-local keeps "
                           "separate state and hands out the same addresses twice")
    if a[0] == b[0] == "static":
        return "warning", "the same static address in two NADs: pods on both get one IP"
    return "warning", ("different IPAM plugins keep separate state, so the same addresses are "
                       "handed out twice")


ROUTE_GATEWAY_UNREACHABLE = declare(
    "ML307", "route-gateway-unreachable", "warning",
    "A route's gw lies outside every subnet of its attachment and is not the attachment's gateway.",
    what="Checks each IPAM `routes[].gw` (whereabouts, host-local, static) against the subnets the "
         "attachment gets addresses from: every whereabouts `range`/`ipRanges` entry, every "
         "host-local range `subnet`, every static `addresses[].address`. A next hop in none of them, "
         "and not the IPAM `gateway`, cannot be reached on that interface. IPv6 link-local next hops "
         "(fe80::/10) are always on-link and never reported; static configs whose addresses can also "
         "come from the pod (`capabilities.ips`) and configs without a known subnet are not judged.",
    why="The kernel refuses a route whose next hop is not on a connected network (`ip route add ... "
        "via` fails with `network is unreachable`), so the CNI ADD fails and the pod stays in "
        "ContainerCreating on every node.",
    example='"range": "192.168.1.0/24",\n"routes": [{"dst": "192.168.0.0/16", "gw": "10.10.5.1"}]',
    fix="Use a next hop inside the attachment's subnet (often its gateway), or widen the range to "
        "the network the router is on.",
    refs=("https://www.cni.dev/docs/spec/#ipam-plugin-interface",
          "https://github.com/k8snetworkplumbingwg/whereabouts/blob/master/doc/sample_config.json"),
)


@checks(ROUTE_GATEWAY_UNREACHABLE, local=True)
def route_gateway_unreachable(ctx: Context) -> Iterator[Finding]:
    from multus_lint.net.addresses import parse_ip, route_gateways

    for use in ipam_uses(ctx.project):
        cfg, path, ipam, plugin = use.cfg, use.path, use.ipam, use.plugin
        caps = plugin.get("capabilities")
        if ipam.get("type") == "static" and isinstance(caps, dict) and caps.get("ips") is True:
            continue  # the pod may bring the addresses the next hop is on
        subnets = use.analysis.pools
        if not subnets:
            continue
        own = {s.gateway for s in subnets if s.gateway is not None}
        top = parse_ip(ipam.get("gateway"), sloppy=True)
        if top is not None:
            own.add(top)
        for route in route_gateways(ipam):
            gw = route.gateway
            if gw in own or gw.is_link_local or any(gw in s.network for s in subnets):
                continue
            same = [str(s.network) for s in subnets if s.network.version == gw.version]
            where = (f"outside every subnet of this attachment ({', '.join(same)})" if same else
                     f"IPv{gw.version} but this attachment has no IPv{gw.version} subnet "
                     f"({', '.join(str(s.network) for s in subnets)})")
            yield ctx.finding(ROUTE_GATEWAY_UNREACHABLE, cfg.site(*path, *route.path),
                              f"route to {route.dst} via {gw}: the next hop is {where} and is not "
                              "its gateway, so it is not on-link and adding the route fails "
                              "(`network is unreachable`)")
