"""Default routes a CNI config leaves in the pod's main routing table, after the whole chain ran.

ML306 asks: which default routes (0.0.0.0/0, ::/0) does a secondary attachment add to the main
table, where eth0's (flannel's bridge, `isDefaultGateway`, metric 0) already is? Judging a
route alone is wrong in three common cases, each read from upstream code:

- containernetworking/plugins `pkg/ipam/ipam_linux.go` `ConfigureIface` installs every result
  route with the route's own `table` and `priority` (CNI `types.Route`, cni v1.2.0+; whereabouts
  from v0.7.0): a route with a `table` other than main (0 or 254 mean main, netlink's
  `routeHandle` default) is not in the main table, and one with a higher metric than eth0's
  never wins the lookup (IPv4 metric 0 is eth0's; IPv6 metric 0 is stored as 1024).
- `plugins/meta/sbr/main.go` `doRoutes`, run as a later plugin of the same conflist without
  `table`, copies every main-table route of the interface into a per-source table (100 and up)
  and deletes it from main (`netlink.RouteDel`; with `addSourceHints` it keeps only the
  scope-link subnet routes): the default route ends up in the per-source table only, and eth0
  keeps the main table's. With `table` set, sbr runs `doRoutesWithTable`, which only adds the
  source rule and moves no route.
- bridge `isDefaultGateway` (plugins/main/bridge/bridge.go `calcGateways`) adds a default route
  of metric 0 in the main table through the same `ConfigureIface`, so the same chain applies.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from multus_lint.findings import Path
from multus_lint.model.project import AGENT_IPAM_PLUGINS
from multus_lint.net.addresses import find_key, getk, parse_cidr
from multus_lint.records import dataclass

# Plugins whose ADD never installs the IPAM result in the pod's kernel netns: intel
# userspace-cni-network-plugin userspace/cni/cni.go CmdAdd runs the IPAM, clears the gateways
# and hands the result to the VPP/OVS-DPDK data plane (AddOnContainer saves it for the app): no
# ConfigureIface, no RouteAdd, eth0's default route is untouched. Nor does weave-net add a
# second default route beside eth0's (weaveworks/weave plugin/net/cni.go setupRoutes ->
# net/route.go AddRoute: netlink.RouteAdd, NLM_F_EXCL, so the kernel answers EEXIST against
# eth0's default route and AddRoute ignores it). The AGENT_IPAM_PLUGINS never run their ipam.
NO_KERNEL_ROUTES = frozenset({"userspace", "weave-net"})
MAIN_TABLES = (0, 254)  # RT_TABLE_UNSPEC (netlink then uses RT_TABLE_MAIN) and RT_TABLE_MAIN
IPV6_DEFAULT_METRIC = 1024  # IP6_RT_PRIO_USER: the kernel's metric for an IPv6 route given 0


@dataclass(frozen=True)
class DefaultRoute:
    """A default route one plugin of the config installs, and where it ends up."""

    path: Path  # to the `dst` (an IPAM route) or to `isDefaultGateway`
    dst: str
    family: int  # 4 or 6; 0 for bridge isDefaultGateway (each family with a gateway)
    kind: str  # "route" or "isDefaultGateway"
    moved_by: Path | None = None  # the sbr plugin that moves it out of the main table
    table: int | None = None  # a non-main table it is installed in
    priority: int = 0
    plugin_type: str | None = None  # the plugin that installs it

    @property
    def in_main_table(self) -> bool:
        return self.moved_by is None and self.table is None

    @property
    def loses_to_eth0(self) -> bool:
        """A higher metric than eth0's default route: the kernel never picks it while eth0's is up."""
        if self.family == 6:
            return self.priority > IPV6_DEFAULT_METRIC
        return self.priority > 0

    @property
    def competes(self) -> bool:
        return self.in_main_table and not self.loses_to_eth0


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _sbr_moving_routes(plugins: list[tuple[Path, dict[str, Any]]], index: int) -> Path | None:
    """The first sbr plugin after ``index`` in the same conflist that moves routes (no `table`)."""
    path = plugins[index][0]
    if len(path) < 2 or path[-2] != "plugins":
        return None  # a single-plugin config or a delegate: nothing runs after it
    parent = path[:-2]
    for later, plugin in plugins[index + 1:]:
        if later[:-2] != parent or len(later) != len(path):
            continue
        if getk(plugin, "type") == "sbr" and getk(plugin, "table") is None:
            return later
    return None


def default_routes(cfg: Any) -> Iterator[DefaultRoute]:
    """Every default route the config's plugins install, with where the chain leaves it."""
    plugins = list(cfg.plugins())
    for index, (path, plugin) in enumerate(plugins):
        ptype = getk(plugin, "type")
        if ptype in NO_KERNEL_ROUTES or ptype in AGENT_IPAM_PLUGINS:
            continue
        moved = _sbr_moving_routes(plugins, index)
        if plugin.get("type") == "bridge" and getk(plugin, "isDefaultGateway") is True:
            yield DefaultRoute(path + (find_key(plugin, "isDefaultGateway"),), "default", 0,
                               "isDefaultGateway", moved, plugin_type="bridge")
        ikey = find_key(plugin, "ipam")
        ipam = plugin.get(ikey) if ikey else None
        if not isinstance(ipam, dict):
            continue
        rkey = find_key(ipam, "routes")
        routes = ipam.get(rkey) if rkey else None
        if not isinstance(routes, list):
            continue
        for i, route in enumerate(routes):
            dst = getk(route, "dst")
            parsed = parse_cidr(dst) if isinstance(dst, str) else None
            if not parsed or parsed[1].prefixlen != 0:
                continue
            table_value = getk(route, "table")
            priority_value = getk(route, "priority")
            if (table_value is not None and _int(table_value) is None) or \
                    (priority_value is not None and _int(priority_value) is None):
                continue  # Go fails to decode the whole IPAM config: ML503's, not a route
            table = _int(table_value)
            yield DefaultRoute(path + (ikey, rkey, i, find_key(route, "dst")), dst,
                               parsed[1].version, "route", moved,
                               table if table is not None and table not in MAIN_TABLES else None,
                               _int(priority_value) or 0, ptype if isinstance(ptype, str) else None)


# Main plugins of containernetworking/plugins that pass the IPAM result to pkg/ipam/ipam_linux.go
# ConfigureIface and read its gateway nowhere else (macvlan.go, ipvlan.go, host-device.go,
# vlan.go, dummy.go, tap.go name no Gateway): ConfigureIface keeps each family's first
# IPConfig.Gateway only as the next hop of a result route that has no `gw`. bridge reads it too,
# but only with isGateway / isDefaultGateway (bridge.go calcGateways). Any other plugin (ptp,
# sriov, third-party ones) may read it: a gateway there counts as used.
GATEWAY_FOR_ROUTES_ONLY = frozenset({"macvlan", "ipvlan", "host-device", "vlan", "dummy", "tap", "bridge"})
# Chained plugins that never read the previous result's gateway (they set sysctls, iptables or
# nftables rules and tc qdiscs). sbr does: plugins/meta/sbr/main.go doRoutes adds a default
# route through ipCfg.Gateway in its table.
GATEWAY_BLIND_CHAINED = frozenset({"tuning", "portmap", "bandwidth", "firewall"})


def gateway_unused(cfg: Any, ipam_path: Path, family: int) -> bool:
    """Whether nothing the config runs reads the IPAM gateway of IP ``family`` (4 or 6): the
    plugin is one of GATEWAY_FOR_ROUTES_ONLY (a bridge without isGateway/isDefaultGateway),
    no IPAM route of that family lacks `gw`, and only GATEWAY_BLIND_CHAINED plugins follow it
    in its conflist. False whenever the config leaves any doubt."""
    plugin_path = ipam_path[:-1]
    plugins = list(cfg.plugins())
    index = next((i for i, (p, _) in enumerate(plugins) if p == plugin_path), None)
    if index is None:
        return False
    plugin = plugins[index][1]
    ptype = getk(plugin, "type")
    if ptype not in GATEWAY_FOR_ROUTES_ONLY:
        return False
    if ptype == "bridge" and any(getk(plugin, key) not in (None, False)
                                 for key in ("isGateway", "isDefaultGateway")):
        return False
    routes = getk(plugin.get(ipam_path[-1]), "routes")
    if routes is not None:
        if not isinstance(routes, list):
            return False
        for route in routes:
            if not isinstance(route, dict):
                return False
            # net.IP's UnmarshalText leaves an empty "gw" nil: ConfigureIface then uses the gateway
            if getk(route, "gw") in (None, ""):
                parsed = parse_cidr(getk(route, "dst"))
                if parsed is None or parsed[1].version == family:
                    return False
    if len(plugin_path) >= 2 and plugin_path[-2] == "plugins":
        parent = plugin_path[:-2]
        for later, other in plugins[index + 1:]:
            if later[:-2] == parent and len(later) == len(plugin_path) \
                    and getk(other, "type") not in GATEWAY_BLIND_CHAINED:
                return False
    return True


def gateway_made_on_link(plugin: dict[str, Any]) -> bool:
    """Whether the plugin makes its gateway reachable whatever the subnet: ptp
    (plugins/main/ptp/ptp.go setupContainerVeth) replaces the subnet route by a scope-link /32
    (/128) route to the gateway plus a route through it, and setupHostVeth puts the gateway
    address on the host end, so a gateway outside the address's subnet is on-link by design."""
    return getk(plugin, "type") == "ptp"
