"""The ``k8s.v1.cni.cncf.io/networks`` annotation, parsed as Multus parses it.

Mirrors ``parsePodNetworkAnnotation`` and ``parsePodNetworkObjectName`` in multus-cni
``pkg/k8sclient/k8sclient.go``: a value containing any of ``[``, ``{`` or ``"`` is a JSON
list of selection elements decoded with Go ``encoding/json`` semantics into
``[]*types.NetworkSelectionElement`` (keys matched case-insensitively, the last duplicate
wins, unknown keys ignored, strict types, ``mac``/``infiniband-guid`` through
``net.ParseMAC``, ``ips`` through ``net.ParseCIDR``/``net.ParseIP``); anything else is the
comma-separated short form ``[namespace/]name[@interface]``.

Multus rejects the whole annotation at the first bad entry; the linter judges every entry
so that one run shows every problem, each at its own line.
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any

from multus_lint.load.read import TEMPLATE_RE
from multus_lint.net.gojson import fold
from multus_lint.records import dataclass, field

DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")  # used with fullmatch, as RE2's ^...$
# Go's unicode.IsSpace, which strings.TrimSpace uses (Python's str.strip also trims \x1c-\x1f)
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009" \
           "\u200a\u2028\u2029\u202f\u205f\u3000"


def trim_space(s: str) -> str:
    """Go's ``strings.TrimSpace``."""
    return s.strip(GO_SPACE)
IFNAMSIZ = 16  # Linux include/uapi/linux/if.h; the name must fit with its NUL byte

# Multus' NetworkSelectionElement (pkg/types/types.go): JSON tag -> kind of value.
FIELDS: dict[str, str] = {
    "name": "string", "namespace": "string", "ips": "ips", "mac": "mac",
    "infiniband-guid": "mac", "interface": "string", "interfaceRequest": "string",
    "portMappings": "portmaps", "bandwidth": "bandwidth", "deviceID": "string",
    "cni-args": "object", "default-route": "routes",
}
PORTMAP_FIELDS = {"hostPort": "int", "containerPort": "int", "protocol": "string", "hostIP": "string"}
BANDWIDTH_FIELDS = {"ingressRate": "int", "ingressBurst": "int", "egressRate": "int", "egressBurst": "int"}
DEPRECATED_KEYS = {"interfaceRequest": "interface"}
INT64 = (-(1 << 63), (1 << 63) - 1)


def go_fold(key: str) -> str:
    """Go ``encoding/json`` key folding (``foldName`` in fold.go; see ``multus_lint.net.gojson``)."""
    return fold(key)


def _folded(fields: dict[str, str]) -> dict[str, str]:
    return {go_fold(k): k for k in fields}


_FOLDED = _folded(FIELDS)
_PORTMAP_FOLDED = _folded(PORTMAP_FIELDS)
_BANDWIDTH_FOLDED = _folded(BANDWIDTH_FIELDS)


def match_field(key: str, fields: dict[str, str], folded: dict[str, str]) -> str | None:
    """The struct field Go decodes ``key`` into: an exact tag first, else a case-folded one."""
    if key in fields:
        return key
    return folded.get(go_fold(key))


@dataclass(repr=False, eq=False)
class Selection:
    """One requested attachment (one short-form item or one JSON element)."""

    name: str
    namespace: str | None  # None: the pod's namespace
    interface: str | None  # None or "": auto-named
    offset: int  # where the entry starts in the annotation value
    end: int
    form: str  # "short" or "json"
    index: int = 0  # 0-based position in the annotation
    errors: list[str] = field(default_factory=list)  # why Multus rejects it (ML401)
    error_offset: int | None = None  # where the first error is (None: the entry)
    iface_errors: list[str] = field(default_factory=list)  # interface-name problems (ML404)
    iface_offset: int | None = None
    keys: dict[str, Any] = field(default_factory=dict)  # JSON form: field tag -> value as decoded
    key_offsets: dict[str, int] = field(default_factory=dict)  # field tag -> offset of its key
    unknown_keys: list[tuple[str, int]] = field(default_factory=list)  # keys Multus ignores
    deprecated_keys: list[tuple[str, int]] = field(default_factory=list)
    # default-route gateways: (address or None for Go's nil IP, offset of the key)
    gateways: list[tuple[ipaddress.IPv4Address | ipaddress.IPv6Address | None, int]] = \
        field(default_factory=list)
    empty: bool = False  # an empty short-form entry (trailing or double comma)

    @property
    def ok(self) -> bool:
        return not self.errors

    def fail(self, message: str, offset: int | None = None) -> None:
        if not self.errors:
            self.error_offset = offset
        self.errors.append(message)


@dataclass(repr=False, eq=False)
class ParsedAnnotation:
    entries: list[Selection]
    error: str | None = None  # the whole value failed (JSON syntax, not a list...)
    error_offset: int = 0
    form: str = "short"
    truncated: int = 0  # entries beyond the limit, not judged


def is_json_form(value: str) -> bool:
    return any(c in value for c in '[{"')


def parse(value: str, max_entries: int | None = None) -> ParsedAnnotation:
    """Parse a ``networks`` value. ``""`` means no networks (Multus: NoK8sNetworkError)."""
    if value == "":
        return ParsedAnnotation([])
    if is_json_form(value):
        return _parse_json(value, max_entries)
    return _parse_short(value, max_entries)


# ------------------------------------------------------------------ interface names


def interface_problem(name: str) -> str | None:
    """Why the interface name is refused before the interface exists; None when fine.

    The checks, in the order a pod start meets them: libcni ``ValidateInterfaceName``
    (containernetworking/cni pkg/utils/utils.go: at most 15 bytes, not ``.``/``..``, no
    ``/``, ``:`` or ``unicode.IsSpace`` rune), Go's ``os/exec`` (the name travels in
    ``CNI_IFNAME``, and an environment variable holding NUL is refused), and the kernel's
    ``dev_valid_name`` (its ``isspace`` over bytes also refuses 0xA0 inside a UTF-8 rune).
    ``lo`` passes them all and then exists already: see ``interface_clashes``.
    """
    raw = name.encode("utf-8", "surrogatepass")
    if len(raw) >= IFNAMSIZ:
        return f"'{name}' is {len(raw)} bytes long; interface names are at most {IFNAMSIZ - 1} bytes"
    if name in (".", ".."):
        return f"'{name}' is reserved: the kernel refuses '.' and '..' as names"
    if name.isascii() and not _IFACE_SUSPECT.search(name):
        return None  # the common case, checked once (an ASCII name holds no 0xA0 byte)
    if "/" in name:
        return f"'{name}' contains '/', which interface names may not hold"
    if ":" in name:
        return f"'{name}' contains ':' (kernel alias syntax), which interface names may not hold"
    if any(c in GO_SPACE for c in name):
        # libcni: "interface name contains / or : or whitespace characters" (U+0085, U+2000...)
        return f"{name!r} contains whitespace (Go unicode.IsSpace), which interface names may not hold"
    if "\0" in name:
        return f"{name!r} contains a NUL character, which Go's os/exec refuses in CNI_IFNAME"
    # the kernel's isspace() over bytes: space, \t\n\v\f\r and 0xA0 (Latin-1 NBSP)
    if any(b in b" \t\n\v\f\r\xa0" for b in raw):
        return f"{name!r} contains whitespace, which interface names may not hold"
    return None


_IFACE_SUSPECT = re.compile("[/:\0" + re.escape(GO_SPACE) + "]")

# Names every pod network namespace holds before Multus adds an attachment: Multus's
# validateIfName (pkg/multus/multus.go) fails on a name that already exists there.
PRESENT_INTERFACES = ("lo",)


# ------------------------------------------------------------------ short form


def _parse_short(value: str, max_entries: int | None) -> ParsedAnnotation:
    entries: list[Selection] = []
    items = value.split(",")
    limit = len(items) if max_entries is None else min(len(items), max_entries)
    offset = 0
    for n in range(limit):
        item = items[n]
        stripped = trim_space(item)
        if stripped:
            start = offset + (len(item) - len(item.lstrip(GO_SPACE)))
        elif n + 1 < len(items):
            start = offset + len(item)  # the comma that closes the empty entry
        else:
            start = offset - 1 if n else _first_non_space(value)  # a trailing comma
        sel = _short_entry(stripped, max(start, 0))
        sel.index = n
        entries.append(sel)
        offset += len(item) + 1
    return ParsedAnnotation(entries, form="short", truncated=len(items) - limit)


def _short_entry(item: str, offset: int) -> Selection:
    sel = Selection("", None, None, offset, offset + len(item), "short")
    if not item:
        sel.empty = True
        sel.fail("empty entry (a trailing or doubled comma): Multus accepts it and then fails at pod "
                 "start with 'resource name may not be empty'")
        return sel
    slash = item.split("/")
    if len(slash) > 2:
        sel.fail(f"'{item}' has more than one '/' (Multus: Invalid network object (failed at '/'))")
        return sel
    if len(slash) == 2:
        ns, rest = trim_space(slash[0]), slash[1]
    else:
        ns, rest = "", item
    at = rest.split("@")
    if len(at) > 2:
        sel.fail(f"'{item}' has more than one '@' (Multus: Invalid network object (failed at '@'))")
        return sel
    name = trim_space(at[0])
    iface = trim_space(at[1]) if len(at) == 2 else None
    sel.name, sel.namespace, sel.interface = name, ns or None, iface
    for label, part in (("namespace", ns), ("name", name)):
        if part and not DNS1123_LABEL.fullmatch(part):
            why = " (upper case)" if DNS1123_LABEL.fullmatch(part.lower()) else ""
            sel.fail(f"{label} '{part}' in '{item}' is not a DNS-1123 label{why}: lower-case letters, "
                     "digits and '-', starting and ending with a letter or digit")
            return sel
    if not name:
        sel.fail(f"'{item}' names no network (Multus fails at pod start: resource name may not be empty)")
        return sel
    if iface:
        problem = interface_problem(iface)
        if problem:
            sel.iface_errors.append(problem)
            sel.iface_offset = offset + item.rfind("@") + 1
    return sel


# ------------------------------------------------------------------ JSON form


class _PairList(list):  # type: ignore[type-arg]
    """A JSON object kept as its ordered pairs, so duplicates and spelling survive."""


class _Num:
    """A JSON number kept as written: Go decodes into ``int`` only integer literals."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def value(self) -> int | float:
        try:
            return int(self.text)
        except ValueError:
            return float(self.text)


def _no_constant(name: str) -> Any:
    raise ValueError(f"invalid character '{name[0]}' looking for beginning of value ({name} is not JSON)")


# One decoder for every annotation: json.loads with hooks builds a decoder per call (7 µs
# of a 12 µs parse; 830 JSON annotations of the many-findings benchmark, before the judge)
_DECODER = json.JSONDecoder(object_pairs_hook=_PairList, parse_int=_Num, parse_float=_Num,
                            parse_constant=_no_constant)
_SPAN_DECODER = json.JSONDecoder(parse_constant=_no_constant)


def _parse_json(value: str, max_entries: int | None) -> ParsedAnnotation:
    try:
        # json.loads refuses a leading BOM before decoding: the same error from it
        data = json.loads(value) if value.startswith("\ufeff") else _DECODER.decode(value)
    except json.JSONDecodeError as exc:
        hint = ""
        if not value.lstrip().startswith(("[", "{")):
            hint = ("; a value holding '[', '{' or '\"' anywhere is read as JSON, so quotes are not "
                    "allowed in the comma-separated form")
        return ParsedAnnotation([], f"not valid JSON: {exc.msg} (character {exc.pos + 1} of the value)"
                                f"{hint}", exc.pos, form="json")
    except (ValueError, RecursionError) as exc:
        return ParsedAnnotation([], f"not valid JSON: {exc}", 0, form="json")
    if isinstance(data, _PairList):
        return ParsedAnnotation([], "a single JSON object; Multus needs a JSON list of objects (wrap it in "
                                "[ ]): json: cannot unmarshal object into []NetworkSelectionElement",
                                _first_non_space(value), form="json")
    if not isinstance(data, list):
        return ParsedAnnotation([], f"a JSON {_json_type(data)} where Multus needs a list of objects",
                                _first_non_space(value), form="json")
    from multus_lint.load.positions import json_members

    limit = len(data) if max_entries is None else min(len(data), max_entries)
    spans = _element_spans(value, limit)
    entries: list[Selection] = []
    for i in range(limit):
        element = data[i]
        start, end = spans[i] if i < len(spans) else (0, len(value))
        # positions of the keys, per judged element (the limit bounds the work)
        pairs = json_members(value, start) if isinstance(element, _PairList) and value[start:start + 1] == "{" else []
        sel = Selection("", None, None, start, end, "json", index=i)
        entries.append(sel)
        if element is None:
            # Go stores a nil pointer and Multus then dereferences it
            sel.fail("null element: Multus fails on it (nil selection element)")
            continue
        if not isinstance(element, _PairList):
            sel.fail(f"element {i + 1} is a JSON {_json_type(element)}, not an object "
                     f"(json: cannot unmarshal {_json_type(element)} into NetworkSelectionElement)")
            continue
        offsets = [p[1] for p in pairs] if len(pairs) == len(element) else [start] * len(element)
        written: dict[str, str] = {}  # field tag -> the key as written that set it last
        for (key, val), key_offset in zip(element, offsets):
            tag = match_field(key, FIELDS, _FOLDED)
            if tag is None:
                sel.unknown_keys.append((key, key_offset))
                continue
            if val is None and FIELDS[tag] in ("string", "mac"):
                # encoding/json literalStore: null into a string is ignored ("otherwise, ignore
                # null for primitives/string"), so an earlier duplicate's value stays
                continue
            # nested values stay as decoded (pairs lists): nothing reads them, and converting a
            # deeply nested cni-args would recurse once per level
            sel.keys[tag] = val.value() if isinstance(val, _Num) else val
            sel.key_offsets[tag] = key_offset
            written[tag] = key
            if tag in DEPRECATED_KEYS:
                sel.deprecated_keys.append((key, key_offset))
            if tag == "default-route":
                sel.gateways = []  # a repeated key replaces the list: the last one wins
            # a type error (or net.IP's UnmarshalText error) fails json.Unmarshal whichever
            # duplicate holds it
            problem = _decode_problem(tag, val, sel, key_offset)
            if problem:
                sel.fail(f"'{key}': {problem}", key_offset)
        if not sel.errors:
            # parsePodNetworkAnnotation checks mac, infiniband-guid and ips after decoding:
            # on the values that survived, i.e. the last duplicate's
            problem, tag = _value_problem(sel.keys)
            if problem and tag:
                sel.fail(f"'{written[tag]}': {problem}", sel.key_offsets[tag])
        _fill_json(sel)
    return ParsedAnnotation(entries, form="json", truncated=len(data) - limit)


_JSON_WS = " \t\n\r"


def _element_spans(value: str, limit: int) -> list[tuple[int, int]]:
    """(start, end) of the first ``limit`` elements of a JSON list the decoder accepted."""
    decoder = _SPAN_DECODER
    n = len(value)
    i = _first_non_space(value) + 1  # past '['
    spans = []
    for _ in range(limit):
        while i < n and value[i] in _JSON_WS:
            i += 1
        try:
            _, end = decoder.raw_decode(value, i)
        except (ValueError, RecursionError):
            break
        spans.append((i, end))
        i = end
        while i < n and value[i] in _JSON_WS:
            i += 1
        if i < n and value[i] == ",":
            i += 1
    return spans


def _first_non_space(value: str) -> int:
    return len(value) - len(value.lstrip(GO_SPACE))


def _json_type(val: Any) -> str:
    if isinstance(val, _PairList):
        return "object"
    if isinstance(val, bool):
        return "boolean"
    if isinstance(val, _Num):
        return "number"
    if isinstance(val, str):
        return "string"
    if isinstance(val, list):
        return "list"
    return "null"


def _go_int(val: Any) -> bool:
    if not isinstance(val, _Num) or not re.fullmatch(r"-?\d+", val.text):
        return False
    return INT64[0] <= int(val.text) <= INT64[1]


def _struct_problem(val: Any, fields: dict[str, str], folded: dict[str, str]) -> str | None:
    for key, item in val:
        tag = match_field(key, fields, folded)
        if tag is None or item is None:
            continue
        if fields[tag] == "int" and not _go_int(item):
            return f"'{key}' must be an integer, not {_describe(item)}"
        if fields[tag] == "string" and not isinstance(item, str):
            return f"'{key}' must be a string, not a JSON {_json_type(item)}"
    return None


def _describe(val: Any) -> str:
    return f"the number {val.text}" if isinstance(val, _Num) else f"a JSON {_json_type(val)}"


def _decode_problem(tag: str, val: Any, sel: Selection, key_offset: int) -> str | None:
    """Why Go's ``json.Unmarshal`` rejects ``val`` for field ``tag`` of NetworkSelectionElement."""
    if val is None:
        return None  # slices and pointers are set to nil; strings were skipped by the caller
    kind = FIELDS[tag]
    if kind in ("string", "mac"):
        if not isinstance(val, str):
            return f"must be a string, not a JSON {_json_type(val)}"
        return None
    if kind in ("ips", "routes", "portmaps"):
        # _PairList (a JSON object) is a list subclass: test it first. An object into a slice
        # is an UnmarshalTypeError (decode.go object: "cannot unmarshal object into ...")
        if isinstance(val, _PairList) or not isinstance(val, list):
            return f"must be a list, not a JSON {_json_type(val)}"
        for item in val:
            if kind == "portmaps":
                if item is not None and not isinstance(item, _PairList):
                    return f"must be a list of objects, not of JSON {_json_type(item)}s"
                if item is not None:
                    problem = _struct_problem(item, PORTMAP_FIELDS, _PORTMAP_FOLDED)
                    if problem:
                        return f"entry: {problem}"
                continue
            if item is not None and not isinstance(item, str):
                return f"must be a list of strings, not of JSON {_json_type(item)}s"
            if kind == "routes":
                # net.IP.UnmarshalText: "" and null give a nil IP, anything else ParseIP
                if item:
                    addr = parse_go_ip(item)
                    if addr is None:
                        return f"holds {item!r}, not an IP address (json: invalid IP address)"
                    sel.gateways.append((addr, key_offset))
                else:
                    sel.gateways.append((None, key_offset))
        return None
    if not isinstance(val, _PairList):
        return f"must be an object, not a JSON {_json_type(val)}"
    if kind == "bandwidth":
        return _struct_problem(val, BANDWIDTH_FIELDS, _BANDWIDTH_FOLDED)
    return None


def _value_problem(keys: dict[str, Any]) -> tuple[str | None, str | None]:
    """(why, field tag): parsePodNetworkAnnotation's checks of the decoded mac, GUID and ips.

    A value holding a template placeholder (a Flux ``${VAR}`` that the Kustomization's
    postBuild substitutes before applying, fluxcd/pkg kustomize ``kustomize_varsub.go``
    ``SubstituteVariables``; a Helm ``{{ }}``) is not judged: Multus only ever sees the
    rendered text. The finding would sit on the "ips" key's line, apart from the placeholder
    on a line of its own in a multi-line annotation, so the ML003 filter could not tell (a
    "mac" value is on its key's line: the filter turns that finding into ML003)."""
    if "mac" not in keys and "infiniband-guid" not in keys and "ips" not in keys:
        return None, None
    for tag in ("mac", "infiniband-guid"):
        val = keys.get(tag)
        if isinstance(val, str) and val and not parse_mac(val):
            what = "an InfiniBand GUID" if tag == "infiniband-guid" else "a MAC address"
            return f"{val!r} is not {what} (Go net.ParseMAC: 6, 8 or 20 octets)", tag
    ips = keys.get("ips")
    if isinstance(ips, list) and not isinstance(ips, _PairList):
        for item in ips:
            if isinstance(item, str) and _templated(item):
                continue
            problem = _ip_request_problem(item or "")
            if problem:
                return problem, "ips"
    return None, None


def _templated(value: str) -> bool:
    """``value`` holds a template placeholder (``${VAR}``, ``{{ }}``, ``%{NAME}%``)."""
    return ("{" in value) and TEMPLATE_RE.search(value) is not None


def _ip_request_problem(ip: str) -> str | None:
    if "/" in ip:
        if parse_go_cidr(ip) is None:
            return f"holds {ip!r}, not a CIDR (Multus: failed to parse CIDR)"
    elif parse_go_ip(ip) is None:
        return f"holds {ip!r}, not an IP address (Multus: failed to parse IP address)"
    return None


def _fill_json(sel: Selection) -> None:
    name = sel.keys.get("name")
    ns = sel.keys.get("namespace")
    iface = sel.keys.get("interface")
    if not iface and isinstance(sel.keys.get("interfaceRequest"), str):
        iface = sel.keys["interfaceRequest"]  # Multus copies the deprecated key when interface is empty
        sel.iface_offset = sel.key_offsets.get("interfaceRequest")
    else:
        sel.iface_offset = sel.key_offsets.get("interface")
    sel.name = name if isinstance(name, str) else ""
    sel.namespace = ns if isinstance(ns, str) and ns else None
    sel.interface = iface if isinstance(iface, str) else None
    if sel.errors:
        return
    if "/" in sel.name:
        ns_part, _, rest = sel.name.partition("/")
        sel.fail(f"JSON name '{sel.name}' holds 'namespace/name': Multus does not split it (write "
                 f"\"namespace\": \"{ns_part}\", \"name\": \"{rest}\")", sel.key_offsets.get("name"))
        return
    if not sel.name:
        sel.fail("no \"name\": the element names no network (Multus fails at pod start)")
        return
    if sel.interface:
        problem = interface_problem(sel.interface)
        if problem:
            sel.iface_errors.append(problem)


# ------------------------------------------------------------------ Go's address parsers


_MAC_SEP = re.compile(r"^[0-9a-fA-F]{2}([:-])(?:[0-9a-fA-F]{2}\1)*[0-9a-fA-F]{2}$")
_MAC_DOT = re.compile(r"^[0-9a-fA-F]{4}(?:\.[0-9a-fA-F]{4})*$")


def parse_mac(s: str) -> bool:
    """Go's ``net.ParseMAC``: 6, 8 or 20 octets, ``:``/``-`` pairs or ``.`` quads."""
    if _MAC_SEP.fullmatch(s):
        return (len(s) + 1) // 3 in (6, 8, 20)
    if _MAC_DOT.fullmatch(s):
        return (len(s) + 1) // 5 * 2 in (6, 8, 20)
    return False


def parse_go_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """Go's ``net.ParseIP``: no zone, no leading zeros in IPv4, ``::ffff:a.b.c.d`` is IPv4."""
    from multus_lint.net.addresses import parse_ip

    return parse_ip(text)


def parse_go_cidr(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """Go's ``net.ParseCIDR``: address as ParseIP, prefix by ``dtoi`` up to the address's bits."""
    from multus_lint.net.addresses import parse_cidr

    parsed = parse_cidr(text)
    return parsed[1] if parsed is not None else None


# ------------------------------------------------------------------ what Multus does next


def interface_clashes(entries: list[Selection], primary: str = "eth0") -> list[tuple[Selection, str, int | None]]:
    """(entry, name, index of the entry that has the name first or None for the primary).

    Names as Multus's ``getIfname`` gives them: the requested name, else ``net<N>`` with N
    the entry's position in the delegate list (the cluster network is 0). ``validateIfName``
    runs before each delegate, so the later entry of a clash is the one that fails; a name
    in ``PRESENT_INTERFACES`` (``lo``) clashes with the namespace itself (index None, as for
    the primary). Entries that fail to parse hold no name.
    """
    taken: dict[str, int | None] = {primary: None, **{n: None for n in PRESENT_INTERFACES if n != primary}}
    out = []
    for sel in entries:
        if not sel.ok:
            continue
        name = sel.interface or f"net{sel.index + 1}"
        if name in taken:
            if not sel.iface_errors:
                out.append((sel, name, taken[name]))
            continue
        taken[name] = sel.index
    return out


def ecmp_gateways(entries: list[Selection]) -> list[tuple[Selection, int, int, Selection, Any]]:
    """(entry, offset, family, entry with the first gateway, address) per family with a second one.

    Multus's ``CheckGatewayConfig`` counts every ``default-route`` gateway of the pod's
    delegates per family; ``To4() == nil`` counts as IPv6, so a nil IP (``""``) is IPv6.
    """
    first: dict[int, Selection] = {}
    out = []
    for sel in entries:
        if not sel.ok:
            continue
        for addr, offset in sel.gateways:
            family = 4 if addr is not None and addr.version == 4 else 6
            if family not in first:
                first[family] = sel
            elif all(o[2] != family for o in out):
                out.append((sel, offset, family, first[family], addr))
    return out
