"""Address logic for IPAM configs, parsed the way the plugins parse them.

whereabouts parses ranges with k8s.io/utils ``ParseCIDRSloppy``/``ParseIPSloppy`` (Go's
parser, but leading zeros allowed); host-local and static use Go's ``net.ParseCIDR`` and
``net.ParseIP`` (no leading zeros). Every parser here returns None (or raises
``AddressError`` with the plugin's reason) instead of letting ``ValueError`` escape.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_V4_SLOPPY = re.compile(r"^(\d+)\.(\d+)\.(\d+)\.(\d+)$")


class AddressError(ValueError):
    pass


def _unsloppy(ip: str) -> str:
    m = _V4_SLOPPY.match(ip)
    if m:
        return ".".join(str(int(part)) for part in m.groups())
    return ip


def parse_ip(text: Any, sloppy: bool = False) -> IPAddress | None:
    """Go's ``net.ParseIP`` (``sloppy``: leading zeros allowed). No zone, no prefix."""
    if not isinstance(text, str) or not text or text != text.strip() or "%" in text or "/" in text:
        return None
    if sloppy:
        text = _unsloppy(text)
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None and "." in text:
        return addr.ipv4_mapped  # Go treats ::ffff:a.b.c.d as the IPv4 address
    return addr


def parse_cidr(text: Any, sloppy: bool = False) -> tuple[IPAddress, IPNetwork] | None:
    """Go's ``net.ParseCIDR``: (the address as written, its network)."""
    if not isinstance(text, str) or text.count("/") != 1:
        return None
    ip_text, _, prefix = text.partition("/")
    addr = parse_ip(ip_text, sloppy)
    if addr is None or not prefix.isdigit() or (len(prefix) > 1 and prefix[0] == "0" and not sloppy):
        return None
    bits = int(prefix)
    if bits > addr.max_prefixlen:
        return None
    net = ipaddress.ip_network(f"{addr}/{bits}", strict=False)
    return addr, net


def has_host_bits(addr: IPAddress, net: IPNetwork) -> bool:
    return addr != net.network_address


def same_family(a: IPAddress | IPNetwork, b: IPAddress | IPNetwork) -> bool:
    return a.version == b.version


def broadcast(net: IPNetwork) -> IPAddress | None:
    """The broadcast address whereabouts and host-local never hand out (IPv4 and IPv6)."""
    return net.broadcast_address


@dataclass
class Subnet:
    """One address pool of an IPAM config: where it is and what it holds."""

    network: IPNetwork
    path: tuple  # path (inside the CNI config) of the key that defines it
    start: IPAddress | None = None
    end: IPAddress | None = None
    gateway_path: tuple | None = None
    gateway: IPAddress | None = None
    exclude: list[IPNetwork] = field(default_factory=list)
    label: str = ""


def whereabouts_range(text: Any) -> tuple[IPNetwork, IPAddress | None, IPAddress | None]:
    """A whereabouts ``range``: CIDR (host bits allowed) or ``A-B/prefix`` (network of B)."""
    if not isinstance(text, str):
        raise AddressError("range is not a string")
    if "-" in text:
        start_text, _, rest = text.partition("-")
        start = parse_ip(start_text, sloppy=True)
        if start is None:
            raise AddressError(f"invalid range start IP: {start_text}")
        parsed = parse_cidr(rest, sloppy=True)
        if parsed is None:
            raise AddressError(f"invalid CIDR '{rest}'")
        end, net = parsed
        if start not in net:
            raise AddressError(f"invalid range start for CIDR {net}: {start}")
        return net, start, end
    parsed = parse_cidr(text, sloppy=True)
    if parsed is None:
        raise AddressError(f"invalid CIDR {text}")
    return parsed[1], None, None


def ipam_subnets(ipam: dict[str, Any]) -> list[Subnet]:
    """The pools of an IPAM config (paths relative to the ipam mapping); unparsable ones skipped."""
    kind = ipam.get("type")
    out: list[Subnet] = []
    if kind == "whereabouts":
        gw = parse_ip(ipam.get("gateway"), sloppy=True)
        gw_path = ("gateway",) if "gateway" in ipam else None
        if "range" in ipam:
            try:
                net, start, end = whereabouts_range(ipam["range"])
                out.append(Subnet(net, ("range",), start, end, gw_path, gw, label=str(ipam["range"])))
            except AddressError:
                pass
        for i, r in enumerate(ipam.get("ipRanges") or []):
            if isinstance(r, dict) and "range" in r:
                try:
                    net, start, end = whereabouts_range(r["range"])
                    out.append(Subnet(net, ("ipRanges", i, "range"), start, end, gw_path, gw,
                                      label=str(r["range"])))
                except AddressError:
                    pass
    elif kind == "host-local":
        ranges = ipam.get("ranges")
        if isinstance(ranges, list):
            for i, rset in enumerate(ranges):
                if not isinstance(rset, list):
                    continue
                for j, r in enumerate(rset):
                    if isinstance(r, dict):
                        sub = _host_local_range(r, ("ranges", i, j))
                        if sub:
                            out.append(sub)
        if "subnet" in ipam:
            sub = _host_local_range(ipam, ())
            if sub:
                out.append(sub)
    elif kind == "static":
        for i, a in enumerate(ipam.get("addresses") or []):
            if isinstance(a, dict):
                parsed = parse_cidr(a.get("address"))
                if parsed:
                    addr, net = parsed
                    gw_path = ("addresses", i, "gateway") if "gateway" in a else None
                    out.append(Subnet(net, ("addresses", i, "address"), addr, addr, gw_path,
                                      parse_ip(a.get("gateway")), label=str(a.get("address"))))
    return out


def _host_local_range(r: dict[str, Any], path: tuple) -> Subnet | None:
    parsed = parse_cidr(r.get("subnet"))
    if parsed is None:
        return None
    _, net = parsed
    gw_path = path + ("gateway",) if "gateway" in r else None
    return Subnet(net, path + ("subnet",), parse_ip(r.get("rangeStart")), parse_ip(r.get("rangeEnd")),
                  gw_path, parse_ip(r.get("gateway")), label=str(r.get("subnet")))
