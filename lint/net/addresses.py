"""Address logic for IPAM configs, parsed the way the plugins parse them.

whereabouts parses ranges with k8s.io/utils ``ParseCIDRSloppy``/``ParseIPSloppy`` (Go's
parser, but leading zeros allowed) and its ``exclude`` list with strict Go parsing;
host-local and static use Go's ``net.ParseCIDR`` and ``net.ParseIP`` (no leading zeros).
Every parser here returns None (or raises ``AddressError`` with the plugin's reason)
instead of letting ``ValueError`` escape.

``analyze_ipam`` reads one IPAM config as its plugin would and returns its pools (what it
allocates from, for the ML3xx rules and the overlap sweep) and its problems, each tagged
with the rule that reports it. Keys are matched case-insensitively, as Go's encoding/json
does (``Range_Start`` is ``range_start``; ``rangeStart`` is not; see ``gojson.fold``).
"""

from __future__ import annotations

import functools
import ipaddress
import re
from typing import Any

from multus_lint.net.gojson import fold
from multus_lint.records import dataclass, field

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_HEX = re.compile(r"[0-9a-fA-F]+")
# a dotted quad of ASCII digit runs (used with fullmatch: re's '$' matches before a final newline)
_V4_DIGITS = re.compile(r"([0-9]+)\.([0-9]+)\.([0-9]+)\.([0-9]+)")

KNOWN_IPAM_TYPES = ("host-local", "whereabouts", "static", "dhcp")


class AddressError(ValueError):
    pass


def parse_ip(text: Any, sloppy: bool = False) -> IPAddress | None:
    """Go's ``net.ParseIP`` (``sloppy``: leading zeros allowed). No zone, no prefix."""
    if not isinstance(text, str):
        return None
    return _parse_ip(text, sloppy)


def _octet(digits: str, sloppy: bool) -> int | None:
    """One IPv4 field: strict (Go >= 1.17 netip) refuses leading zeros; sloppy (k8s.io/utils
    ParseIPSloppy, the old Go parser) reads it with ``dtoi``, any number of leading zeros."""
    if not sloppy and len(digits) > 1 and digits[0] == "0":
        return None
    digits = digits.lstrip("0") or "0"
    if len(digits) > 3:  # before int(): a long digit string exceeds Python's conversion limit
        return None
    n = int(digits)
    return n if n <= 255 else None


@functools.lru_cache(maxsize=1 << 16)
def _parse_ip(text: str, sloppy: bool) -> IPAddress | None:
    # Configs repeat the same addresses, and ipaddress parses slowly: cache, and take the
    # common dotted quad by regex. fullmatch, never match + '$': '$' also matches before a
    # final newline, and Go refuses "10.0.0.1\n".
    m = _V4_DIGITS.fullmatch(text)
    if m:
        octets = [_octet(x, sloppy) for x in m.groups()]
        if any(o is None for o in octets):
            return None
        a, b, c, d = octets  # type: ignore[misc]
        return ipaddress.IPv4Address((a << 24) | (b << 16) | (c << 8) | d)
    if not text or not text.isascii() or text != text.strip() or "%" in text or "/" in text \
            or ":" not in text:
        return None
    head, colon, tail = text.rpartition(":")
    if sloppy and "." in tail:
        # the old Go parseIPv6 reads an embedded quad with its (sloppy) parseIPv4 too
        quad = _parse_ip(tail, True)
        if quad is None:
            return None
        text = f"{head}{colon}{quad}"
    if sloppy:
        # ... and each group with xtoi: any number of hex digits while the value fits 16 bits
        # ("00fe80::1"); netip (strict) allows at most 4
        groups = text.split(":")
        for i, g in enumerate(groups):
            if len(g) > 4 and _HEX.fullmatch(g):
                g = g.lstrip("0") or "0"
                if len(g) > 4:
                    return None
                groups[i] = g
        text = ":".join(groups)
    try:
        addr = ipaddress.IPv6Address(text)
    except ValueError:
        return None
    if addr.ipv4_mapped is not None:
        # Go: ParseIP returns the 16-byte form and To4() is not nil for ::ffff:a.b.c.d and
        # for the hex spelling ::ffff:a00:1 alike, so every consumer takes it for IPv4
        return addr.ipv4_mapped
    return addr


def _prefix_bits(prefix: str) -> int | None:
    """Go's ``dtoi`` over the whole prefix (net/parse.go): ASCII digits, any number of
    leading zeros (``/00024`` is 24), and a value below 0xFFFFFF."""
    if not prefix or not prefix.isascii() or not prefix.isdigit():
        return None
    digits = prefix.lstrip("0") or "0"
    return int(digits) if len(digits) <= 3 else None


def parse_cidr(text: Any, sloppy: bool = False) -> tuple[IPAddress, IPNetwork] | None:
    """Go's ``net.ParseCIDR``: (the address as ParseIP gives it, its network).

    The prefix length is read by Go's ``dtoi``, which accepts leading zeros (``/00024``).
    It is counted over the bits of the address as written: 128 for an IPv4-mapped IPv6
    address (``netip.Addr.BitLen``; k8s.io/utils ``ParseCIDRSloppy`` likewise takes 16 bytes
    for anything parseIPv4 refuses), so ``::ffff:10.0.0.0/104`` is an IPv6 network while
    its address is IPv4 to Go (``To4() != nil``): the two differ in version, and
    ``::ffff:0.0.0.0/0`` is the IPv6 ``::/0``.
    """
    if not isinstance(text, str) or text.count("/") != 1:
        return None
    return _parse_cidr(text, sloppy)


@functools.lru_cache(maxsize=1 << 16)
def _parse_cidr(text: str, sloppy: bool) -> tuple[IPAddress, IPNetwork] | None:
    ip_text, _, prefix = text.partition("/")
    addr = _parse_ip(ip_text, sloppy)
    bits = _prefix_bits(prefix)
    if addr is None or bits is None:
        return None
    # an IPv4 address written in IPv6 form is ::ffff:a.b.c.d, whatever the spelling
    written = ipaddress.IPv6Address((0xFFFF << 32) | int(addr)) if addr.version == 4 and ":" in ip_text \
        else addr
    if bits > written.max_prefixlen:
        return None
    cls = ipaddress.IPv4Network if written.version == 4 else ipaddress.IPv6Network
    return addr, cls((int(written), bits), strict=False)


def _shown(text: str) -> str:
    """``text`` for a message quoting Go's error: control characters escaped (a trailing
    newline would break the message's line)."""
    return repr(text)[1:-1]


def has_host_bits(addr: IPAddress, net: IPNetwork) -> bool:
    return addr != net.network_address


def same_family(a: IPAddress | IPNetwork, b: IPAddress | IPNetwork) -> bool:
    return a.version == b.version


def broadcast(net: IPNetwork) -> IPAddress | None:
    """The broadcast address whereabouts and host-local never hand out (IPv4 and IPv6)."""
    return net.broadcast_address


def too_small(net: IPNetwork) -> bool:
    """/31, /32, /127, /128: no usable address once network and broadcast are taken."""
    return net.prefixlen > net.max_prefixlen - 2


def first_usable(net: IPNetwork) -> IPAddress:
    return net.network_address + 1


def last_usable(net: IPNetwork) -> IPAddress:
    return net.broadcast_address - 1


def is_default_route(net: IPNetwork) -> bool:
    return net.prefixlen == 0


# ------------------------------------------------------------------ Go-style key access


# id(dict) -> (the dict, its lower-cased keys): one scan per mapping, not one per lookup.
# Holding the dict keeps its id from being reused while the entry lives; bounded.
_FOLDED: dict[int, tuple[dict[str, Any], dict[str, str]]] = {}
_NAME_FOLDS: dict[str, str] = {}


def find_key(d: dict[str, Any], name: str) -> str | None:
    """The key Go's case-insensitive decoding maps to field ``name`` (the last one wins).

    Keys are compared by encoding/json's ``foldName`` (``multus_lint.net.gojson``), not by
    Python's ``lower()``: ``ſubnet`` is ``subnet`` to Go, ``ıpam`` is not ``ipam``.
    """
    entry = _FOLDED.get(id(d))
    if entry is None or entry[0] is not d or len(entry[1]) > len(d):
        if len(_FOLDED) > 100_000:
            _FOLDED.clear()
        entry = (d, {fold(k): k for k in d if isinstance(k, str)})
        _FOLDED[id(d)] = entry
    # the names asked for are the few field names of the code ("ipam", "type", "range"):
    # each folded once (119,000 look-ups in a 10,000-document audit folded them every time)
    folded = _NAME_FOLDS.get(name)
    if folded is None:
        folded = fold(name)
        if len(_NAME_FOLDS) < 1024:
            _NAME_FOLDS[name] = folded
    return entry[1].get(folded)


def getk(d: Any, name: str, default: Any = None) -> Any:
    """``d[name]`` as Go would decode it: exact or case-insensitive key."""
    if not isinstance(d, dict):
        return default
    k = find_key(d, name)
    return d[k] if k is not None else default


def _kpath(d: dict[str, Any], name: str) -> tuple:
    k = find_key(d, name)
    return (k if k is not None else name,)


# ------------------------------------------------------------------ pools and problems


@dataclass(repr=False, eq=False)
class Subnet:
    """One address pool of an IPAM config: where it is and what it holds.

    ``start``/``end`` are the first and last address the plugin really hands out
    (after its own defaults and after ignoring out-of-range bounds).
    """

    network: IPNetwork
    path: tuple  # path (inside the ipam mapping) of the key that defines it
    start: IPAddress | None = None
    end: IPAddress | None = None
    gateway_path: tuple | None = None
    gateway: IPAddress | None = None
    exclude: list[IPNetwork] = field(default_factory=list)
    label: str = ""
    kind: str = ""  # whereabouts, host-local, static
    network_name: str = ""  # whereabouts network_name
    overlapping: bool = True  # whereabouts enable_overlapping_ranges
    address: IPAddress | None = None  # static: the address as written


@dataclass(repr=False, eq=False)
class Issue:
    """A problem in an IPAM config: the rule that reports it, where (inside ipam), why."""

    code: str
    path: tuple
    message: str
    severity: str | None = None  # None: the rule's own


@dataclass(repr=False, eq=False)
class IpamAnalysis:
    kind: str
    pools: list[Subnet] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def add(self, code: str, path: tuple, message: str, severity: str | None = None) -> None:
        self.issues.append(Issue(code, path, message, severity))


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
        raise AddressError(f"invalid CIDR {text}: invalid CIDR address: {text}")
    return parsed[1], None, None


def ipam_subnets(ipam: dict[str, Any]) -> list[Subnet]:
    """The pools of an IPAM config (paths relative to the ipam mapping); unparsable ones skipped."""
    return analyze_ipam(ipam).pools


# Results before CNI 0.3.0 carry one address per family; "" and a missing version are 0.1.0.
SINGLE_ADDRESS_VERSIONS = ("", "0.1.0", "0.2.0")


def analyze_ipam(ipam: dict[str, Any], cni_version: Any = "1.0.0") -> IpamAnalysis:
    """Pools and problems of one IPAM config, read as its plugin reads it.

    ``cni_version`` is the config's top-level cniVersion (None when missing): host-local
    and static refuse more than one address per family below 0.3.0.
    """
    kind = getk(ipam, "type")
    if kind == "whereabouts":
        return _whereabouts(ipam)
    if kind in ("host-local", "static"):
        out = _host_local(ipam) if kind == "host-local" else _static(ipam)
        version = "" if cni_version is None else cni_version
        if isinstance(version, str) and version in SINGLE_ADDRESS_VERSIONS:
            _one_per_family(out, version or "0.1.0")
        return out
    return IpamAnalysis(str(kind) if isinstance(kind, str) else "")


def _one_per_family(out: IpamAnalysis, version: str) -> None:
    """host-local's and static's "CNI version %v does not support more than 1 address per family"."""
    seen: set[int] = set()
    sets: set[tuple] = set()
    for pool in out.pools:
        # host-local hands out one address per range set, static one per address entry
        unit = pool.path[:2] if pool.kind == "host-local" and pool.path[:1] != ("subnet",) else pool.path
        if unit in sets:
            continue
        sets.add(unit)
        if pool.network.version in seen:
            code = "ML205" if pool.kind == "host-local" else "ML206"
            out.add(code, pool.path, f"a second IPv{pool.network.version} address, but cniVersion "
                    f"{version} results carry one address per family: {pool.kind} fails with \"CNI "
                    f"version {version} does not support more than 1 address per family\"; set "
                    "cniVersion 0.3.0 or later")
            return
        seen.add(pool.network.version)


# ------------------------------------------------------------------ whereabouts


def _whereabouts(ipam: dict[str, Any]) -> IpamAnalysis:
    out = IpamAnalysis("whereabouts")
    code = "ML204"
    gkey, ukey = _whereabouts_gateway_keys(ipam)
    gw_raw = ipam.get(gkey) if gkey is not None else None
    gw = parse_ip(gw_raw, sloppy=True) if isinstance(gw_raw, str) else None
    gw_path: tuple | None = (gkey,) if gkey is not None else None
    if isinstance(gw_raw, str) and gw_raw and gw is None:
        out.add(code, gw_path or (), f"gateway {gw_raw!r} is not an IP address: whereabouts fails every pod "
                "start with \"couldn't parse gateway IP\"")
    if not (isinstance(gw_raw, str) and gw_raw) and ukey is not None:
        # the untagged Gateway field: backwardsCompatibleIPAddress, nil when it does not parse
        untagged = parse_ip(ipam[ukey], sloppy=True) if isinstance(ipam[ukey], str) else None
        if untagged is not None:
            gw, gw_path = untagged, (ukey,)
    name = getk(ipam, "network_name")
    name = name if isinstance(name, str) else ""
    overlapping = getk(ipam, "enable_overlapping_ranges", True)
    overlapping = overlapping if isinstance(overlapping, bool) else True
    has_range = isinstance(getk(ipam, "range"), str) and getk(ipam, "range") != ""
    ip_ranges = getk(ipam, "ipRanges")
    entries: list[tuple[tuple, dict[str, Any]]] = []
    if has_range:
        entries.append(((), ipam))
    elif isinstance(ip_ranges, list) and ip_ranges:
        # top-level bounds only ever apply to the top-level range
        for key in ("exclude", "range_start", "range_end"):
            if find_key(ipam, key) is not None:
                out.add(code, _kpath(ipam, key),
                        f"top-level {key} is ignored: whereabouts applies it only to the top-level "
                        "`range`, which is not set; move it into each ipRanges entry")
    if not has_range and not (isinstance(ip_ranges, list) and ip_ranges) and find_key(ipam, "addresses") is None:
        # pkg/config/config.go LoadIPAMConfig: no range joins IPRanges, so
        # pkg/storage/kubernetes/ipam.go IPManagementKubernetesUpdate allocates from nothing
        # and cmd/whereabouts.go cmdAdd returns only the static `addresses` (none here);
        # older releases parsed the empty range (whereabouts#243)
        out.add(code, _kpath(ipam, "type") if find_key(ipam, "type") is not None else (),
                "whereabouts IPAM without `range` or `ipRanges`: whereabouts has no pool to allocate "
                "from, so pods get the interface without an address (older releases fail every pod "
                "start with \"invalid CIDR : invalid CIDR address: \"); add a range")
    if isinstance(ip_ranges, list):
        rkey = _kpath(ipam, "ipRanges")
        for i, r in enumerate(ip_ranges):
            if isinstance(r, dict):
                rk = find_key(r, "range")
                if rk is None or r[rk] is None:
                    # a missing or null range is "" (null into a string is ignored): ParseCIDRSloppy fails
                    where, what = (rkey + (i,), "has no `range`") if rk is None else \
                        (rkey + (i, rk), "has `range: null`")
                    out.add(code, where, f"ipRanges entry {what}: whereabouts fails every pod start with "
                            "\"invalid CIDR : invalid CIDR address: \"")
                    continue
                entries.append((rkey + (i,), r))
    seen: dict[IPNetwork, tuple] = {}
    for base, r in entries:
        raw = getk(r, "range")
        rpath = base + _kpath(r, "range")
        if not isinstance(raw, str):
            continue  # a wrong type is the schema's (ML503)
        try:
            net, a, b = whereabouts_range(raw)
        except AddressError as exc:
            out.add(code, rpath, f"range '{raw}' does not parse ({exc}); whereabouts accepts a CIDR or "
                    "`start-end/prefix` and fails every pod start otherwise")
            continue
        if too_small(net):
            out.add(code, rpath, f"range {raw} (network {net}) is too small: whereabouts never hands out the "
                    "network and broadcast addresses, so a /31, /32, /127 or /128 fails at pod start "
                    "with \"has no usable IP addresses\"")
            continue
        if net in seen:
            out.add(code, rpath, f"range {raw} covers the same network {net} as an earlier range of this "
                    "config: whereabouts hands out the same address twice and the pod fails with "
                    "\"file exists\"")
        seen.setdefault(net, rpath)
        lo, hi = first_usable(net), last_usable(net)
        usable = f"{lo}-{hi}"
        start, end = lo, hi
        if a is None and find_key(r, "range_start") is None:
            written = parse_cidr(raw, sloppy=True)
            if written and written[0] not in (net.network_address, lo):
                out.add(code, rpath, f"range {raw} has host bits set: whereabouts uses the network {net} "
                        f"and allocates from {lo}, not from {written[0]}; to start there, write "
                        f"range_start {written[0]} (or the range as {written[0]}-{hi}/{net.prefixlen})",
                        "info")
        if a is not None:
            # A-B/prefix: A and B override range_start/range_end of the same entry (after the
            # strict decoding of ipRanges entries, which still fails on a bad value)
            for key in ("range_start", "range_end"):
                if find_key(r, key) is not None and not (base and _strict_ip_problem(out, code, base, r, key)):
                    out.add(code, base + _kpath(r, key),
                            f"{key} is ignored: range '{raw}' already gives start and end (A-B/prefix form)")
            if lo <= a <= hi:
                start = a
            else:
                out.add(code, rpath, f"range start {a} is not a usable address of {net} ({usable}): "
                        "whereabouts silently ignores it and starts at the first usable address")
            if b is not None and start <= b <= hi:
                end = b
            elif b is not None:
                out.add(code, rpath, f"range end {b} is not a usable address of {net} after the start "
                        f"({start}-{hi}): whereabouts silently ignores it")
        else:
            for key in ("range_start", "range_end"):
                kp = find_key(r, key)
                if kp is None:
                    continue
                val = r[kp]
                if not isinstance(val, str) or val == "":
                    continue  # "" and null: a nil net.IP, unset
                if base and _strict_ip_problem(out, code, base, r, key):
                    continue
                ip = parse_ip(val, sloppy=True)
                if ip is None:
                    out.add(code, base + (kp,), f"{key} '{val}' is not an IP address: whereabouts silently "
                            "ignores it (the whole range is used)")
                    continue
                if key == "range_start":
                    if ip.version == net.version and lo <= ip <= hi:
                        start = ip
                    else:
                        out.add(code, base + (kp,), f"range_start {ip} is outside the usable range {usable} "
                                f"of {net}: whereabouts silently ignores it and starts at {lo}")
                else:
                    if ip.version == net.version and start <= ip <= hi:
                        end = ip
                    elif ip.version == net.version and lo <= ip < start:
                        out.add(code, base + (kp,), f"range_end {ip} is before range_start {start}: "
                                f"whereabouts silently ignores it and allocates up to {hi}")
                    else:
                        out.add(code, base + (kp,), f"range_end {ip} is outside the usable range {usable} "
                                f"of {net}: whereabouts silently ignores it and allocates up to {hi}")
        excludes: list[IPNetwork] = []
        ex = getk(r, "exclude")
        if isinstance(ex, list):
            ekey = base + _kpath(r, "exclude")
            for j, item in enumerate(ex):
                if not isinstance(item, str):
                    continue
                enet = parse_exclude(item)
                if enet is None:
                    out.add(code, ekey + (j,), f"exclude entry '{item}' is not a CIDR or IP as Go parses it "
                            "(strict: no leading zeros, no spaces): whereabouts fails every pod start with "
                            "\"could not parse exclude range\"")
                elif enet.version != net.version or not enet.overlaps(net):
                    out.add(code, ekey + (j,), f"exclude entry '{item}' lies outside range {net}: it "
                            "excludes nothing")
                else:
                    excludes.append(enet)
        if excludes and _covers(excludes, start, end):
            out.add(code, base + _kpath(r, "exclude"), f"exclude covers every allocatable address of range "
                    f"{raw} ({start}-{end}): the first pod fails with \"Could not allocate IP in range\"")
        out.pools.append(Subnet(net, rpath, start, end, gw_path, gw if gw_path else None, excludes,
                                label=raw, kind="whereabouts", network_name=name,
                                overlapping=overlapping))
    _routes(out, ipam, code)
    return out


def _whereabouts_gateway_keys(ipam: dict[str, Any]) -> tuple[str | None, str | None]:
    """(key decoded into ``GatewayStr``, key decoded into the untagged ``Gateway``).

    whereabouts' ``IPAMConfig.UnmarshalJSON`` (pkg/types/types.go) decodes into an alias
    with ``GatewayStr string `json:"gateway"``` and an untagged ``Gateway string``: the key
    ``Gateway`` matches the untagged field exactly; ``gateway`` and every other folding
    (``GATEWAY``) go to ``GatewayStr``, the first of the two fields. Only ``GatewayStr`` is
    parsed strictly ("couldn't parse gateway IP"); the other is read sloppily, nil if bad.
    """
    strict = untagged = None
    for k in ipam:
        if k == "Gateway":
            untagged = k
        elif isinstance(k, str) and fold(k) == "GATEWAY":
            strict = k
    return strict, untagged


def _strict_ip_problem(out: IpamAnalysis, code: str, base: tuple, r: dict[str, Any], key: str) -> bool:
    """Report an ipRanges entry's ``range_start``/``range_end`` that Go's net.IP refuses.

    ``RangeConfiguration`` (pkg/types/types.go) holds them as ``net.IP``: ``UnmarshalText``
    runs net.ParseIP (strict: no leading zeros) and its error fails json.Unmarshal, so every
    pod start fails ("LoadIPAMConfig - JSON Parsing Error"). The top-level ones are strings
    parsed sloppily afterwards and silently dropped when bad.
    """
    kp = find_key(r, key)
    val = r.get(kp) if kp is not None else None
    if not isinstance(val, str) or val == "" or parse_ip(val) is not None:
        return False
    out.add(code, base + (kp,), f"{key} {val!r} in ipRanges is not an IP address as Go parses it (strict: no "
            "leading zeros, no spaces): the config fails to decode and whereabouts fails every pod start "
            f"(\"invalid IP address: {_shown(val)}\")")
    return True


def _covers(excludes: list[IPNetwork], start: IPAddress, end: IPAddress) -> bool:
    """Whether the excluded networks hold every address from ``start`` to ``end``
    (pkg/allocate IterateForAssignment skips each excluded subnet, then has nothing left)."""
    spans = sorted((int(n.network_address), int(n.broadcast_address)) for n in excludes
                   if n.version == start.version)
    at, last = int(start), int(end)
    for lo, hi in spans:
        if lo > at:
            return False
        at = max(at, hi + 1)
        if at > last:
            return True
    return at > last


def parse_exclude(text: str) -> IPNetwork | None:
    """A whereabouts ``exclude`` entry (pkg/allocate parseExcludedRange): a strict Go CIDR, or
    a bare IP with ``/32`` appended when ``To4() != nil``, else ``/128``, then ParseCIDR again
    (so a bare ``::ffff:10.0.0.5`` becomes the IPv6 ``::/32``, as in Go)."""
    if "/" in text:
        parsed = parse_cidr(text)
        return parsed[1] if parsed else None
    ip = parse_ip(text)
    if ip is None:
        return None
    parsed = parse_cidr(f"{text}/{32 if ip.version == 4 else 128}")
    return parsed[1] if parsed else None


def _routes(out: IpamAnalysis, ipam: dict[str, Any], code: str) -> None:
    routes = getk(ipam, "routes")
    if not isinstance(routes, list):
        return
    rkey = _kpath(ipam, "routes")
    for i, route in enumerate(routes):
        if not isinstance(route, dict):
            continue
        dst = getk(route, "dst")
        if isinstance(dst, str) and parse_cidr(dst) is None:
            out.add(code, rkey + (i,) + _kpath(route, "dst"),
                    f"route dst '{dst}' is not a CIDR: the CNI config fails to decode "
                    "(\"invalid CIDR address\") and every pod start fails")
        gw = getk(route, "gw")
        if isinstance(gw, str) and gw and parse_ip(gw) is None:
            out.add(code, rkey + (i,) + _kpath(route, "gw"),
                    f"route gw '{gw}' is not an IP address: the CNI config fails to decode")


# ------------------------------------------------------------------ host-local


@dataclass(repr=False, eq=False)
class _HLRange:
    path: tuple  # inside ipam, of the range mapping (() for the legacy form)
    subnet_path: tuple
    net: IPNetwork
    start: IPAddress
    end: IPAddress

    def contains(self, ip: IPAddress) -> bool:
        return ip.version == self.net.version and self.start <= ip <= self.end

    def overlaps(self, other: _HLRange) -> bool:
        """host-local's ``Range.Overlaps``: either range holds an end of the other."""
        if self.net.version != other.net.version:
            return False
        return self.contains(other.start) or self.contains(other.end) or \
            other.contains(self.start) or other.contains(self.end)

    def __str__(self) -> str:
        return f"{self.start}-{self.end}"


def _host_local(ipam: dict[str, Any]) -> IpamAnalysis:
    """host-local's ``LoadIPAMConfig`` and ``Range.Canonicalize`` (plugins/ipam/host-local/
    backend/allocator config.go, range.go), each failure reported where it is written."""
    out = IpamAnalysis("host-local")
    code = "ML205"
    sets: list[tuple[tuple, list[tuple[tuple, dict[str, Any]]]]] = []
    decode_failed = False
    sk = find_key(ipam, "subnet")
    subnet = ipam.get(sk) if sk is not None else None
    if isinstance(subnet, str):
        sets.append(((), [((), ipam)]))
    elif sk is not None and subnet is None:
        # types.IPNet.UnmarshalJSON is called for null too: it parses "" and fails
        out.add(code, (sk,), "subnet is null: host-local fails to decode the config (types.IPNet "
                "parses it as \"\": \"invalid CIDR address: \"); remove the key or give a CIDR")
        decode_failed = True
    else:
        for key in ("rangeStart", "rangeEnd"):
            if find_key(ipam, key) is not None and sk is None:
                out.add(code, _kpath(ipam, key), f"top-level {key} without a top-level subnet is ignored")
    rk = find_key(ipam, "ranges")
    ranges = ipam.get(rk) if rk is not None else None
    if rk is not None and ranges is not None:  # null: a nil slice, as if absent
        if not isinstance(ranges, list) or not all(isinstance(s, list) for s in ranges):
            what = "a list of objects" if isinstance(ranges, list) and ranges and \
                all(isinstance(s, dict) for s in ranges) else f"a {_json_type(ranges)}"
            out.add(code, (rk,), f"ranges is {what}, but host-local expects a list of range sets "
                    "(a list of lists: [[{\"subnet\": ...}]]); the config fails to decode")
            decode_failed = True
        else:
            for i, rset in enumerate(ranges):
                items = []
                for j, r in enumerate(rset):
                    if isinstance(r, dict):
                        items.append(((rk, i, j), r))
                    else:
                        out.add(code, (rk, i, j), "a range must be an object with a subnet")
                if not rset:
                    out.add(code, (rk, i), f"range set {i} is empty: host-local fails with \"empty range set\"")
                sets.append(((rk, i), items))
    if not sets and not decode_failed:
        where = (rk,) if rk is not None else ()
        out.add(code, where, ("`ranges` is empty" if rk is not None else "host-local has neither `ranges` nor "
                              "`subnet`") + ": it fails with \"no IP ranges specified\"")
    good_sets: list[tuple[int, list[_HLRange]]] = []
    for set_index, (_, items) in enumerate(sets):
        good: list[_HLRange] = []
        for path, r in items:
            hl = _host_local_range(out, code, path, r)
            if hl is None:
                continue
            if good and hl.net.version != good[0].net.version:
                out.add(code, hl.subnet_path, f"subnet {hl.net} mixes address families with {good[0].net} in "
                        "one range set: host-local fails with \"mixed address families\"; put each family "
                        "in its own range set")
                continue
            clash = next((g for g in good if g.overlaps(hl)), None)
            if clash is not None:
                out.add(code, hl.subnet_path, f"subnets {clash} and {hl} overlap inside one range set: "
                        "host-local fails with \"subnets ... overlap\"")
                continue
            good.append(hl)
        if good:
            good_sets.append((set_index, good))
    for n, (i, a) in enumerate(good_sets):
        for j, b in good_sets[:n]:
            if any(x.overlaps(y) for x in a for y in b):
                out.add(code, a[0].subnet_path, f"range set {i} overlaps with range set {j}: host-local "
                        f"fails with \"range set {j} overlaps with {i}\"")
                break
    for _, rs in good_sets:
        for r in rs:
            src = _kpath_rel(ipam, r.path)
            gk = find_key(src, "gateway")
            gw = parse_ip(src.get(gk)) if gk is not None else None
            # "" and null are a nil net.IP: no gateway written (host-local claims .1)
            gpath = r.path + (gk,) if gk is not None and gw is not None else None
            out.pools.append(Subnet(r.net, r.subnet_path, r.start, r.end, gpath, gw,
                                    label=str(getk(src, "subnet")), kind="host-local"))
    _routes(out, ipam, code)
    return out


def _kpath_rel(ipam: dict[str, Any], path: tuple) -> dict[str, Any]:
    node: Any = ipam
    for p in path:
        node = node[p]
    return node if isinstance(node, dict) else {}


def _json_type(v: Any) -> str:
    if isinstance(v, dict):
        return "object"
    if isinstance(v, list):
        return "list"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if v is None:
        return "null"
    return "string"


def _cmp_key(ip: IPAddress) -> int:
    """host-local's ``ip.Cmp``: the address as an integer (4 bytes for IPv4, else 16), so an
    IPv4 address sorts below every IPv6 one instead of raising as ipaddress does."""
    return int(ip)


def _host_local_range(out: IpamAnalysis, code: str, path: tuple, r: dict[str, Any]) -> _HLRange | None:
    """host-local's ``Range.Canonicalize``, reporting the first problem it fails on."""
    sk = find_key(r, "subnet")
    sp = path + ((sk,) if sk is not None else ("subnet",))
    raw = r.get(sk) if sk is not None else None
    if not isinstance(raw, str):
        if raw is None and sk is not None:
            out.add(code, sp, "subnet is null: host-local fails to decode the config (types.IPNet parses it "
                    "as \"\": \"invalid CIDR address: \")")
        elif raw is None:
            out.add(code, path, "range has no subnet: host-local fails with \"IP <nil> not v4 nor v6\"")
        return None
    parsed = parse_cidr(raw)
    if parsed is None:
        out.add(code, sp, f"subnet {raw!r} is not a CIDR: host-local fails with \"invalid CIDR address: "
                f"{raw}\"")
        return None
    addr, net = parsed
    if too_small(net):
        out.add(code, sp, f"subnet {raw} is too small: host-local fails with \"Network {raw} too small to "
                "allocate from\" (a /31, /32, /127 or /128 has no address to hand out)")
        return None
    if addr.version != net.version:
        # an IPv4-mapped subnet: canonicalizeIP makes the IP 4 bytes, the mask stays 16
        out.add(code, sp, f"subnet {raw} writes an IPv4 address in IPv6 form, so its prefix counts over 128 "
                "bits: host-local fails with \"IPNet IP and Mask version mismatch\"; write it as a.b.c.d/n")
        return None
    if has_host_bits(addr, net):
        out.add(code, sp, f"subnet {raw} has host bits set: host-local fails with \"Network has host bits set. "
                f"For a subnet mask of length {net.prefixlen} the network address is {net.network_address}\"")
        return None
    bounds: dict[str, IPAddress | None] = {}
    ok = True
    for key in ("rangeStart", "rangeEnd", "gateway"):
        val = getk(r, key)
        bounds[key] = None
        # net.IP.UnmarshalText: "" (and null) leave the address nil, i.e. unset
        if isinstance(val, str) and val != "":
            ip = parse_ip(val)
            if ip is None:
                out.add(code, path + _kpath(r, key), f"{key} {val!r} is not an IP address: host-local fails "
                        f"to decode the config (\"invalid IP address: {_shown(val)}\")")
                ok = False
            else:
                bounds[key] = ip
    if not ok:
        return None
    start, end = bounds["rangeStart"], bounds["rangeEnd"]

    def in_range(ip: IPAddress, lo: IPAddress | None, hi: IPAddress | None) -> tuple[str, str] | None:
        """(why, host-local's error) of ``IPInRange`` while it canonicalizes (``lo``/``hi`` as set so far)."""
        if ip.version != net.version:
            return f"is IPv{ip.version} in an IPv{net.version} subnet", \
                f"IP {ip} is not the same protocol as subnet {net}"
        if ip not in net:
            return f"is outside {net}", f"{ip} not in network {net}"
        if lo is not None and _cmp_key(ip) < _cmp_key(lo):
            return f"is before the range start {lo}", f"{ip} is in network {net} but before start {lo}"
        if hi is not None and _cmp_key(ip) > _cmp_key(hi):
            return f"is after rangeEnd {hi}", f"{ip} is in network {net} but after end {hi}"
        return None

    if start is not None:
        bad = in_range(start, None, end)  # rangeEnd is not yet canonical, but it bounds the start
        if bad:
            out.add(code, path + _kpath(r, "rangeStart"), f"rangeStart {start} {bad[0]}: host-local fails "
                    f"with \"{bad[1]}\"")
            return None
    first = start if start is not None else net.network_address + 1  # NextIP(subnet.IP)
    if end is not None:
        bad = in_range(end, first, None)
        if bad:
            default = "" if start is not None else " (the default rangeStart)"
            out.add(code, path + _kpath(r, "rangeEnd"), f"rangeEnd {end} {bad[0]}{default}: host-local fails "
                    f"with \"{bad[1]}\"")
            return None
    last = end if end is not None else (net.broadcast_address - 1 if net.version == 4 else net.broadcast_address)
    return _HLRange(path, sp, net, first, last)


# ------------------------------------------------------------------ static


def _static(ipam: dict[str, Any]) -> IpamAnalysis:
    out = IpamAnalysis("static")
    code = "ML206"
    addrs = getk(ipam, "addresses")
    if isinstance(addrs, list):
        akey = _kpath(ipam, "addresses")
        for i, a in enumerate(addrs):
            if not isinstance(a, dict):
                continue
            raw = getk(a, "address")
            gw_raw = getk(a, "gateway")
            gpath = akey + (i,) + _kpath(a, "gateway") if find_key(a, "gateway") else None
            gw = None
            if isinstance(gw_raw, str) and gw_raw != "":  # "": a nil net.IP (IP.UnmarshalText)
                gw = parse_ip(gw_raw)
                if gw is None:
                    out.add(code, gpath or (), f"gateway '{gw_raw}' is not an IP address: the static plugin "
                            f"fails to decode the config (\"invalid IP address: {_shown(gw_raw)}\")")
            if not isinstance(raw, str):
                if raw is None:
                    out.add(code, akey + (i,), "address entry has no `address`: the static plugin needs "
                            "a CIDR such as 10.1.1.10/24")
                continue
            parsed = parse_cidr(raw)
            if parsed is None:
                bare = parse_ip(raw) is not None
                out.add(code, akey + (i,) + _kpath(a, "address"),
                        f"address '{raw}' is not a CIDR" + (" (a bare IP needs its /prefix, e.g. "
                                                            f"{raw}/24)" if bare else "") +
                        ": the static plugin fails with \"the 'address' field is expected to be in CIDR "
                        "notation\"")
                continue
            addr, net = parsed
            if not too_small(net) and (addr == net.network_address or
                                       (net.version == 4 and addr == net.broadcast_address)):
                what = "network" if addr == net.network_address else "broadcast"
                out.add(code, akey + (i,) + _kpath(a, "address"),
                        f"address {raw} is the {what} address of {net}" +
                        (" (the IPv6 subnet-router anycast address)" if net.version == 6 else "") +
                        ": give the interface a host address of the subnet", "warning")
            out.pools.append(Subnet(net, akey + (i,) + _kpath(a, "address"), addr, addr, gpath, gw,
                                    label=raw, kind="static", address=addr))
    _routes(out, ipam, code)
    return out


# ------------------------------------------------------------------ route next hops


@dataclass(repr=False, eq=False)
class RouteGateway:
    """A route's next hop in an IPAM config, parsed as the CNI types decode ``gw``."""

    path: tuple  # inside the ipam mapping, of the ``gw`` key
    gateway: IPAddress
    dst: str  # as written, for messages


def route_gateways(ipam: dict[str, Any]) -> list[RouteGateway]:
    """Every ``routes[].gw`` that is an IP address (strict Go parsing; bad ones are ML204-ML206's)."""
    routes = getk(ipam, "routes")
    out: list[RouteGateway] = []
    if not isinstance(routes, list):
        return out
    rkey = _kpath(ipam, "routes")
    for i, route in enumerate(routes):
        gw = parse_ip(getk(route, "gw")) if isinstance(route, dict) else None
        if gw is not None:
            dst = getk(route, "dst")
            out.append(RouteGateway(rkey + (i,) + _kpath(route, "gw"), gw,
                                    dst if isinstance(dst, str) else "?"))
    return out
