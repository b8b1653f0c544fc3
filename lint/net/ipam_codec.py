"""An IPAM analysis (net.addresses.IpamAnalysis) as plain JSON data, and back: what the fact
cache (load.facts) keeps of each IPAM config between runs.

An address is ``[version, integer]``, a network ``[version, integer, prefix length]``; a
path is a list of its keys and indexes (strings and integers only: a YAML key of another
type makes the analysis one that is not kept). ``decode`` checks every field's type and
range and gives None for anything ``encode`` would not have written.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from multus_lint.load.facts import FactCache, input_key
from multus_lint.net.addresses import IpamAnalysis, Issue, Subnet, analyze_ipam

KIND = "ipam"


def analysis_of(facts: FactCache | None, ipam: dict[str, Any], cni_version: Any) -> IpamAnalysis:
    """``analyze_ipam(ipam, cni_version)``, through the fact cache when there is one."""
    if facts is None:
        return analyze_ipam(ipam, cni_version)
    return facts.remembered(KIND, input_key(ipam, cni_version), lambda: analyze_ipam(ipam, cni_version),
                            encode, decode)  # type: ignore[no-any-return]


# ------------------------------------------------------------------ encoding


def _path(path: tuple | None) -> list | None:
    if path is None:
        return None
    for part in path:
        if type(part) is not str and type(part) is not int:
            raise TypeError(f"path part {part!r}")
    return list(path)


def _addr(a: Any) -> list | None:
    return None if a is None else [a.version, int(a)]


def _net(n: Any) -> list:
    return [n.version, int(n.network_address), n.prefixlen]


def encode(a: IpamAnalysis) -> list:
    pools = [[_net(p.network), _path(p.path), _addr(p.start), _addr(p.end), _path(p.gateway_path),
              _addr(p.gateway), [_net(e) for e in p.exclude], p.label, p.kind, p.network_name,
              p.overlapping, _addr(p.address)] for p in a.pools]
    issues = [[i.code, _path(i.path), i.message, i.severity] for i in a.issues]
    for text in [a.kind] + [p[7] for p in pools] + [p[8] for p in pools] + [p[9] for p in pools]:
        if type(text) is not str:
            raise TypeError("not a string")
    if any(type(p[10]) is not bool for p in pools):
        raise TypeError("not a bool")
    for code, _, message, severity in issues:
        if type(code) is not str or type(message) is not str or not (severity is None or type(severity) is str):
            raise TypeError("not a string")
    return [a.kind, pools, issues]


# ------------------------------------------------------------------ decoding


class _Bad(Exception):
    pass


def _d_path(raw: Any, optional: bool = False) -> tuple | None:
    if raw is None and optional:
        return None
    if type(raw) is not list or not all(type(x) is str or type(x) is int for x in raw):
        raise _Bad
    return tuple(raw)


def _d_addr(raw: Any) -> Any:
    if raw is None:
        return None
    if type(raw) is not list or len(raw) != 2 or type(raw[1]) is not int:
        raise _Bad
    if raw[0] == 4 and 0 <= raw[1] < 1 << 32:
        return ipaddress.IPv4Address(raw[1])
    if raw[0] == 6 and 0 <= raw[1] < 1 << 128:
        return ipaddress.IPv6Address(raw[1])
    raise _Bad


def _d_net(raw: Any) -> Any:
    if type(raw) is not list or len(raw) != 3 or type(raw[1]) is not int or type(raw[2]) is not int:
        raise _Bad
    version, value, bits = raw
    if version == 4 and 0 <= value < 1 << 32 and 0 <= bits <= 32:
        cls: Any = ipaddress.IPv4Network
    elif version == 6 and 0 <= value < 1 << 128 and 0 <= bits <= 128:
        cls = ipaddress.IPv6Network
    else:
        raise _Bad
    try:
        return cls((value, bits))  # strict: host bits set is not what encode wrote
    except ValueError:
        raise _Bad from None


def _d_str(raw: Any) -> str:
    if type(raw) is not str:
        raise _Bad
    return raw


def decode(raw: Any) -> IpamAnalysis | None:
    try:
        if type(raw) is not list or len(raw) != 3 or type(raw[1]) is not list or type(raw[2]) is not list:
            raise _Bad
        out = IpamAnalysis(_d_str(raw[0]))
        for p in raw[1]:
            if type(p) is not list or len(p) != 12 or type(p[6]) is not list or type(p[10]) is not bool:
                raise _Bad
            out.pools.append(Subnet(_d_net(p[0]), _d_path(p[1]), _d_addr(p[2]), _d_addr(p[3]),  # type: ignore[arg-type]
                                    _d_path(p[4], True), _d_addr(p[5]), [_d_net(e) for e in p[6]],
                                    _d_str(p[7]), _d_str(p[8]), _d_str(p[9]), p[10], _d_addr(p[11])))
        for i in raw[2]:
            if type(i) is not list or len(i) != 4 or not (i[3] is None or type(i[3]) is str):
                raise _Bad
            out.issues.append(Issue(_d_str(i[0]), _d_path(i[1]), _d_str(i[2]), i[3]))  # type: ignore[arg-type]
        return out
    except _Bad:
        return None
