"""ML3xx: addresses, gateways and ranges."""

from __future__ import annotations

from collections.abc import Iterator

from multus_lint.addresses import ipam_subnets
from multus_lint.context import Context
from multus_lint.findings import Finding
from multus_lint.registry import checks, declare

GATEWAY_OUTSIDE = declare(
    "ML301", "gateway-outside-range", "error",
    "A gateway outside the subnet it serves, or of the other address family.",
    what="Checks `gateway` against its subnet: the whereabouts `range` / `ipRanges` (for "
         "`A-B/prefix` the network of `B/prefix`), each host-local range's `subnet` (and the "
         "legacy top-level `subnet`), each static `addresses[].address`. IPv4 and IPv6.",
    why="A gateway the interface cannot reach on-link makes the route installation fail at pod "
        "start (`network is unreachable`) or leaves the attachment without a working next hop.",
    example='"range": "2001::0/116", "gateway": "2001::f:1"   # 2001::f:1 is outside 2001::/116',
    fix="Use an address inside the subnet, or widen the range to include the gateway.",
    refs=("https://github.com/k8snetworkplumbingwg/whereabouts#ipv6-configuration",
          "https://www.cni.dev/plugins/current/ipam/host-local/"),
)


@checks(GATEWAY_OUTSIDE)
def gateway_outside(ctx: Context) -> Iterator[Finding]:
    for cfg in ctx.project.cni_configs():
        for path, ipam, _ in cfg.ipams():
            subnets = ipam_subnets(ipam)
            if ipam.get("type") == "whereabouts":
                gw = subnets[0].gateway if subnets else None
                if gw is None or not subnets:
                    continue
                same = [s for s in subnets if s.network.version == gw.version]
                where = cfg.site(*path, *subnets[0].gateway_path)
                if not same:
                    nets = ", ".join(str(s.network) for s in subnets)
                    yield ctx.finding(GATEWAY_OUTSIDE, where,
                                      f"gateway {gw} is IPv{gw.version} but the range {nets} is "
                                      f"IPv{subnets[0].network.version}: the route cannot be installed")
                elif not any(gw in s.network for s in same):
                    nets = ", ".join(f"{s.label} (network {s.network})" for s in same)
                    yield ctx.finding(GATEWAY_OUTSIDE, where,
                                      f"gateway {gw} is outside the range {nets}: it is not on-link "
                                      "for the attachment, so the default route through it fails")
                continue
            for s in subnets:
                if s.gateway is None or s.gateway_path is None:
                    continue
                where = cfg.site(*path, *s.gateway_path)
                if s.gateway.version != s.network.version:
                    yield ctx.finding(GATEWAY_OUTSIDE, where,
                                      f"gateway {s.gateway} is IPv{s.gateway.version} but its subnet "
                                      f"{s.label} is IPv{s.network.version}")
                elif s.gateway not in s.network:
                    yield ctx.finding(GATEWAY_OUTSIDE, where,
                                      f"gateway {s.gateway} is outside its subnet {s.label} "
                                      f"(network {s.network}): it is not on-link for the attachment")
