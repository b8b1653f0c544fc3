"""The ``k8s.v1.cni.cncf.io/networks`` annotation, parsed as Multus parses it.

Mirrors ``parsePodNetworkAnnotation`` in multus-cni ``pkg/k8sclient/k8sclient.go``: a value
containing any of ``[``, ``{`` or ``"`` is a JSON list of selection elements (Go
``encoding/json`` semantics: keys matched case-insensitively, the last duplicate wins,
unknown keys ignored, strict types); anything else is the comma-separated short form
``[namespace/]name[@interface]``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")

# Multus' NetworkSelectionElement JSON keys -> expected JSON type
SELECTION_KEYS = {
    "name": "string", "namespace": "string", "interface": "string", "ips": "string-list",
    "mac": "string", "infiniband-guid": "string", "default-route": "ip-list",
    "portmappings": "list", "bandwidth": "object", "cni-args": "object", "deviceid": "string",
    "interfacerequest": "string",
}
CANONICAL = {"portmappings": "portMappings", "deviceid": "deviceID", "interfacerequest": "interfaceRequest"}


@dataclass
class Selection:
    """One requested attachment."""

    name: str
    namespace: str | None  # None: the pod's namespace
    interface: str | None  # None or "": auto-named
    offset: int  # where the entry starts in the annotation value
    end: int
    form: str  # "short" or "json"
    errors: list[str] = field(default_factory=list)  # reasons Multus rejects it (ML401)
    keys: dict[str, Any] = field(default_factory=dict)  # JSON form: canonical key -> value
    key_offsets: dict[str, int] = field(default_factory=dict)  # canonical key -> offset in value
    unknown_keys: list[tuple[str, int]] = field(default_factory=list)  # JSON keys Multus ignores
    empty: bool = False  # an empty short-form entry (trailing or double comma)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ParsedAnnotation:
    entries: list[Selection]
    error: str | None = None  # the whole value failed (JSON syntax, not a list...)
    error_offset: int = 0
    form: str = "short"


def is_json_form(value: str) -> bool:
    return any(c in value for c in '[{"')


def parse(value: str, max_entries: int | None = None) -> ParsedAnnotation:
    if is_json_form(value):
        return _parse_json(value, max_entries)
    return _parse_short(value, max_entries)


def _parse_short(value: str, max_entries: int | None) -> ParsedAnnotation:
    entries: list[Selection] = []
    offset = 0
    for n, item in enumerate(value.split(",")):
        start = offset + (len(item) - len(item.lstrip()))
        offset += len(item) + 1
        if max_entries is not None and n >= max_entries:
            break
        entries.append(_short_entry(item.strip(), start))
    return ParsedAnnotation(entries, form="short")


def _short_entry(item: str, offset: int) -> Selection:
    sel = Selection("", None, None, offset, offset + len(item), "short")
    if not item:
        sel.empty = True
        sel.errors.append("empty entry (a trailing or doubled comma): Multus accepts it and then fails "
                          "at pod start with 'resource name may not be empty'")
        return sel
    slash = item.split("/")
    if len(slash) > 2:
        sel.errors.append(f"'{item}' has more than one '/' (Multus: Invalid network object (failed at '/'))")
        return sel
    if len(slash) == 2:
        ns, rest = slash[0].strip(), slash[1]
    else:
        ns, rest = "", item
    at = rest.split("@")
    if len(at) > 2:
        sel.errors.append(f"'{item}' has more than one '@' (Multus: Invalid network object (failed at '@'))")
        return sel
    name = at[0].strip()
    iface = at[1].strip() if len(at) == 2 else None
    sel.name, sel.namespace, sel.interface = name, ns or None, iface
    for label, part in (("namespace", ns), ("name", name)):
        if part and not DNS1123_LABEL.match(part):
            sel.errors.append(f"{label} '{part}' in '{item}' is not a DNS-1123 label (lower-case letters, "
                              "digits and '-', starting and ending with a letter or digit)")
            return sel
    if not name:
        sel.errors.append(f"'{item}' names no network (Multus fails at pod start: resource name may not be empty)")
    return sel


def _pairs(pairs: list[tuple[str, Any]]) -> _PairList:
    return _PairList(pairs)


class _PairList(list):
    """A JSON object kept as its ordered pairs, so duplicates and spelling survive."""


def _parse_json(value: str, max_entries: int | None) -> ParsedAnnotation:
    try:
        data = json.loads(value, object_pairs_hook=_pairs)
    except json.JSONDecodeError as exc:
        return ParsedAnnotation([], f"not valid JSON: {exc.msg} (column {exc.pos + 1} of the value)",
                                exc.pos, form="json")
    except (ValueError, RecursionError) as exc:
        return ParsedAnnotation([], f"not valid JSON: {exc}", 0, form="json")
    if isinstance(data, _PairList):
        return ParsedAnnotation([], "a single JSON object; Multus needs a JSON list of objects "
                                "(wrap it in [ ]): json: cannot unmarshal object into []NetworkSelectionElement",
                                0, form="json")
    if not isinstance(data, list):
        return ParsedAnnotation([], f"JSON {type(data).__name__} where Multus needs a list of objects", 0,
                                form="json")
    from multus_lint.tree import scan_json

    root = scan_json(value)
    nodes = root.items or []
    entries: list[Selection] = []
    for i, element in enumerate(data):
        if max_entries is not None and i >= max_entries:
            break
        node = nodes[i] if i < len(nodes) else None
        start, end = (node.start, node.end) if node else (0, len(value))
        sel = Selection("", None, None, start, end, "json")
        if element is None:
            entries.append(sel)  # Go leaves a nil pointer: no name, fails at lookup
            sel.errors.append("null element: names no network")
            continue
        if not isinstance(element, _PairList):
            sel.errors.append(f"element {i + 1} is a JSON {_json_type(element)}, not an object")
            entries.append(sel)
            continue
        key_nodes = {name: ks for name, ks, _, _ in (node.pairs or [])} if node else {}
        for key, val in element:
            canon = key.lower()
            if canon not in SELECTION_KEYS:
                sel.unknown_keys.append((key, key_nodes.get(key, start)))
                continue
            name = CANONICAL.get(canon, canon)
            sel.keys[name] = _plain(val)
            sel.key_offsets[name] = key_nodes.get(key, start)
            problem = _type_problem(canon, val)
            if problem:
                sel.errors.append(f"'{key}' {problem}")
        _fill_json(sel)
        entries.append(sel)
    return ParsedAnnotation(entries, form="json")


def _plain(val: Any) -> Any:
    if isinstance(val, _PairList):
        return {k: _plain(v) for k, v in val}
    if isinstance(val, list):
        return [_plain(v) for v in val]
    return val


def _json_type(val: Any) -> str:
    if isinstance(val, _PairList):
        return "object"
    if isinstance(val, bool):
        return "boolean"
    if isinstance(val, (int, float)):
        return "number"
    if isinstance(val, str):
        return "string"
    if isinstance(val, list):
        return "list"
    return "null"


def _type_problem(key: str, val: Any) -> str | None:
    want = SELECTION_KEYS[key]
    if val is None:
        return None  # Go leaves the zero value
    if want == "string" and not isinstance(val, str):
        return f"must be a string, not a JSON {_json_type(val)}"
    if want in ("string-list", "ip-list", "list"):
        if not isinstance(val, list):
            return f"must be a list, not a JSON {_json_type(val)}"
        if want in ("string-list", "ip-list") and not all(isinstance(v, str) for v in val):
            return "must be a list of strings"
    if want == "object" and not isinstance(val, _PairList):
        return f"must be an object, not a JSON {_json_type(val)}"
    if key == "mac" and val and not parse_mac(val):
        return f"'{val}' is not a MAC address (Go net.ParseMAC: 6, 8 or 20 octets)"
    if key == "infiniband-guid" and val and not parse_mac(val):
        return f"'{val}' is not a valid InfiniBand GUID (Go net.ParseMAC)"
    if key == "ips":
        from multus_lint.addresses import parse_cidr, parse_ip

        for ip in val:
            if "/" in ip:
                if parse_cidr(ip) is None:
                    return f"holds '{ip}', not a CIDR (failed to parse CIDR)"
            elif parse_ip(ip) is None:
                return f"holds '{ip}', not an IP address"
    if key == "default-route":
        from multus_lint.addresses import parse_ip

        for ip in val:
            if ip and parse_ip(ip) is None:
                return f"holds '{ip}', not an IP address"
    return None


def _fill_json(sel: Selection) -> None:
    name = sel.keys.get("name")
    ns = sel.keys.get("namespace")
    iface = sel.keys.get("interface")
    if not iface and isinstance(sel.keys.get("interfaceRequest"), str):
        iface = sel.keys["interfaceRequest"]  # Multus copies the deprecated key when interface is empty
    sel.name = name if isinstance(name, str) else ""
    sel.namespace = ns if isinstance(ns, str) and ns else None
    sel.interface = iface if isinstance(iface, str) else None
    if not sel.errors:
        if "/" in sel.name:
            sel.errors.append(f"JSON name '{sel.name}' holds 'namespace/name': Multus does not split it "
                              "(use \"namespace\" and \"name\")")
        elif not sel.name:
            sel.errors.append("no \"name\": the element names no network")


_MAC_SEP = re.compile(r"^[0-9a-fA-F]{2}([:-])(?:[0-9a-fA-F]{2}\1)*[0-9a-fA-F]{2}$")
_MAC_DOT = re.compile(r"^[0-9a-fA-F]{4}(?:\.[0-9a-fA-F]{4})*$")


def parse_mac(s: str) -> bool:
    """Go's ``net.ParseMAC``: 6, 8 or 20 octets, ``:``/``-`` pairs or ``.`` quads."""
    if _MAC_SEP.match(s):
        n = (len(s) + 1) // 3
        return n in (6, 8, 20)
    if _MAC_DOT.match(s):
        n = (len(s) + 1) // 5 * 2
        return n in (6, 8, 20)
    return False
