"""SVG drawings of the HTML report: the network map and the address plan of one scope.

Drawn from the plain data of ``multus_lint.model.network_map`` (reporters never see the
model). Everything is laid out here, in fixed geometry, so the page needs no script to draw
and no external resource: the legend has its own band above the drawing, so nothing can
overlap it. Large scopes are aggregated (per namespace) before they are drawn, since a map
of thousands of boxes would freeze a browser and help nobody.
"""

from __future__ import annotations

from html import escape
from typing import Any

from multus_lint.findings import SEVERITY_RANK

SEVERITY_COLOUR = {"error": "#c62828", "warning": "#ef6c00", "info": "#1565c0"}
MAX_PER_COLUMN = 60  # more nodes than this in a column: one node per namespace
MAX_POOL_ROWS = 400  # the address plan draws at most this many pools (the table lists all)

NODE_W, NODE_H, GAP = 240, 28, 10
COLUMN_X = (10, 340, 670)
LEGEND_H = 46


def _attr(value: Any) -> str:
    return escape(str(value), quote=True)


def _worst(findings: list[dict[str, str]]) -> str | None:
    if not findings:
        return None
    return max((f["severity"] for f in findings), key=lambda s: SEVERITY_RANK.get(s, 0))


def _clip(text: str, width: int = 30) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _aggregate(nodes: list[dict[str, Any]], prefix: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Nodes of one column, one per namespace when there are too many; old id -> new id."""
    if len(nodes) <= MAX_PER_COLUMN:
        return nodes, {n["id"]: n["id"] for n in nodes}
    groups: dict[str, dict[str, Any]] = {}
    mapping = {}
    for n in nodes:
        ns = n.get("namespace", "")
        gid = f"{prefix}:ns:{ns}"
        g = groups.setdefault(gid, {"id": gid, "label": "", "namespace": ns, "count": 0,
                                    "findings": [], "aggregate": True, "dangling": False})
        g["count"] += 1
        g["findings"] += n.get("findings", [])
        g["dangling"] = g["dangling"] or n.get("dangling", False)
        mapping[n["id"]] = gid
    for g in groups.values():
        g["label"] = f"{g['namespace'] or '(no namespace)'}: {g['count']} objects"
    return list(groups.values()), mapping


def network_map(scope: dict[str, Any]) -> str:
    """Workloads -> NADs -> master interfaces, bridges and SR-IOV resources, as one SVG."""
    workloads = [dict(w, label=f"{w['kind']} {w['namespace']}/{w['name']}") for w in scope["workloads"]]
    nads = [dict(n, label=f"{n['namespace']}/{n['name']}" + (f" ({n['type']})" if n["type"] else ""))
            for n in scope["nads"]]
    for m in scope["missing"]:
        ns, _, name = m[len("missing:"):].partition("/")
        nads.append({"id": m, "label": f"{ns}/{name} (missing)", "namespace": ns, "findings": [],
                     "dangling": True})
    atts = [dict(a, label=f"{a['kind']}: {a['name']}", namespace=a["kind"], findings=[])
            for a in scope["attachments"]]
    workloads, wmap = _aggregate(workloads, "wl")
    nads, nmap = _aggregate(nads, "nad")
    atts, amap = _aggregate(atts, "att")

    edges: dict[tuple[str, str], dict[str, Any]] = {}
    for e in scope["edges"]:
        key = (wmap.get(e["from"], e["from"]), nmap.get(e["to"], e["to"]))
        edge = edges.setdefault(key, {"count": 0, "dangling": False, "kind": "ref"})
        edge["count"] += 1
        edge["dangling"] = edge["dangling"] or e["dangling"]
    for n in scope["nads"]:
        if n["attachment"]:
            key = (nmap[n["id"]], amap.get(n["attachment"], n["attachment"]))
            edges.setdefault(key, {"count": 0, "dangling": False, "kind": "attach"})["count"] += 1

    columns = [("Workloads", workloads), ("NetworkAttachmentDefinitions", nads),
               ("Node attachments", atts)]
    pos: dict[str, tuple[int, int]] = {}
    height = LEGEND_H + 30
    for (_, nodes), x in zip(columns, COLUMN_X):
        y = LEGEND_H + 30
        for n in nodes:
            pos[n["id"]] = (x, y)
            y += NODE_H + GAP
        height = max(height, y)
    width = COLUMN_X[-1] + NODE_W + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="netmap" width="{width}" height="{height + 10}" '
           f'viewBox="0 0 {width} {height + 10}" role="img" aria-label="network map of {_attr(scope["name"])}">']
    out.append(_legend_map())
    for (title, _), x in zip(columns, COLUMN_X):
        out.append(f'<text class="col-title" x="{x}" y="{LEGEND_H + 18}">{escape(title)}</text>')
    for (src, dst), e in edges.items():
        if src not in pos or dst not in pos:
            continue
        x1, y1 = pos[src][0] + NODE_W, pos[src][1] + NODE_H // 2
        x2, y2 = pos[dst][0], pos[dst][1] + NODE_H // 2
        mid = (x1 + x2) // 2
        cls = "edge dangling" if e["dangling"] else f"edge {e['kind']}"
        label = f"{e['count']} references" if e["count"] > 1 else ""
        out.append(f'<path class="{cls}" data-from="{_attr(src)}" data-to="{_attr(dst)}" '
                   f'd="M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"><title>{escape(label or src + " → " + dst)}</title></path>')
        if e["dangling"]:  # the break in a broken edge: a cross where the reference ends
            out.append(f'<g class="break"><line x1="{x2 - 16}" y1="{y2 - 6}" x2="{x2 - 4}" y2="{y2 + 6}"/>'
                       f'<line x1="{x2 - 16}" y1="{y2 + 6}" x2="{x2 - 4}" y2="{y2 - 6}"/></g>')
    for _, nodes in columns:
        for n in nodes:
            out.append(_node(n, *pos[n["id"]]))
    out.append("</svg>")
    return "".join(out)


def _node(n: dict[str, Any], x: int, y: int) -> str:
    worst = _worst(n.get("findings", []))
    cls = "node" + (" missing" if n.get("dangling") and not n.get("aggregate") else "")
    cls += " aggregate" if n.get("aggregate") else ""
    tip = n["label"] + "".join(f"\n{f['code']} {f['severity']}: {f['message']}" for f in n.get("findings", []))
    parts = [f'<g class="{cls}" data-id="{_attr(n["id"])}"><title>{escape(tip)}</title>',
             f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="5"/>',
             f'<text x="{x + 8}" y="{y + 18}">{escape(_clip(n["label"]))}</text>']
    if worst:
        count = len(n["findings"])
        parts.append(f'<circle class="badge {worst}" cx="{x + NODE_W - 12}" cy="{y + NODE_H // 2}" r="9" '
                     f'fill="{SEVERITY_COLOUR[worst]}"/><text class="badge-count" x="{x + NODE_W - 12}" '
                     f'y="{y + NODE_H // 2 + 4}" text-anchor="middle">{count if count < 100 else "99+"}</text>')
    parts.append("</g>")
    return "".join(parts)


def _legend_map() -> str:
    items = [("error", "error"), ("warning", "warning"), ("info", "info")]
    out = ['<g class="legend">']
    x = 10
    for sev, label in items:
        out.append(f'<circle cx="{x + 8}" cy="18" r="7" fill="{SEVERITY_COLOUR[sev]}"/>'
                   f'<text x="{x + 20}" y="22">{label}</text>')
        x += 90
    out.append(f'<path class="edge ref" d="M{x},18 L{x + 40},18"/><text x="{x + 46}" y="22">names the NAD</text>')
    x += 170
    out.append(f'<path class="edge dangling" d="M{x},18 L{x + 40},18"/><text x="{x + 46}" y="22">dangling reference</text>')
    x += 190
    out.append(f'<path class="edge attach" d="M{x},18 L{x + 40},18"/><text x="{x + 46}" y="22">attaches to</text>')
    out.append("</g>")
    return "".join(out)


# ---- address plan -------------------------------------------------------------------------

PLAN_W, ROW_H, LABEL_W = 980, 22, 300


def _groups(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows whose networks overlap, transitively: each group gets its own linear axis."""
    rows = sorted(rows, key=lambda r: (r["net_first"], -r["net_last"]))
    groups: list[list[dict[str, Any]]] = []
    end = -1
    for r in rows:
        if groups and r["net_first"] <= end:
            groups[-1].append(r)
            end = max(end, r["net_last"])
        else:
            groups.append([r])
            end = r["net_last"]
    return groups


def _overlaps(group: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Address spans handed out by two pools of the group (excluded addresses aside)."""
    pools = [r for r in group if r["role"] == "pool"]
    spans = []
    for i, a in enumerate(pools):
        for b in pools[i + 1:]:
            lo, hi = max(a["first"], b["first"]), min(a["last"], b["last"])
            if lo <= hi and a["owner"] != b["owner"]:
                spans.append((lo, hi))
    return spans


def address_plan(scope: dict[str, Any]) -> str:
    """Every pool on an address axis per family, beside the cluster and service CIDRs."""
    rows = []
    for p in scope["pools"][:MAX_POOL_ROWS]:
        rows.append(dict(p, role="pool", title=f"{p['owner']} · {p['kind']} {p['cidr']}"))
    for role, key in (("cluster", "cluster_cidrs"), ("service", "service_cidrs")):
        for c in scope[key]:
            rows.append({"role": role, "title": f"{role} CIDR {c['cidr']}", "family": c["family"],
                         "net_first": c["first"], "net_last": c["last"], "first": c["first"],
                         "last": c["last"], "excludes": [], "gateway": None, "cidr": c["cidr"],
                         "owner": role})
    if not any(r["role"] == "pool" for r in rows):
        return '<p class="empty">No IPAM pools in this scope.</p>'
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="plan-legend" width="{PLAN_W}" height="34" '
           f'viewBox="0 0 {PLAN_W} 34">{_legend_plan()}</svg>']
    for family in (4, 6):
        fam = [r for r in rows if r["family"] == family]
        if not any(r["role"] == "pool" for r in fam):
            continue
        out.append(f'<h4>IPv{family}</h4>')
        out.append(_cidr_note(scope, fam, family))
        for group in _groups(fam):
            if not any(r["role"] == "pool" for r in group):
                continue  # a cluster CIDR no pool comes near: nothing to compare
            out.append(_plan_group(group, family))
    if len(scope["pools"]) > MAX_POOL_ROWS:
        out.append(f'<p class="note">{len(scope["pools"]) - MAX_POOL_ROWS} more pools are not drawn.</p>')
    return "".join(out)


def _cidr_note(scope: dict[str, Any], rows: list[dict[str, Any]], family: int) -> str:
    """Where the cluster and service CIDRs are, and whether a pool lies inside one."""
    pools = [r for r in rows if r["role"] == "pool"]
    parts = []
    for role, key in (("cluster", "cluster_cidrs"), ("service", "service_cidrs")):
        for c in scope[key]:
            if c["family"] != family:
                continue
            inside = [p for p in pools if p["first"] <= c["last"] and c["first"] <= p["last"]]
            state = (f"{len(inside)} pool{'s' * (len(inside) != 1)} inside it (drawn below)" if inside
                     else "no pool inside it")
            parts.append(f'<li class="cidr {role}">{role} CIDR <code>{escape(c["cidr"])}</code>: {state}</li>')
    return f'<ul class="cidrs">{"".join(parts)}</ul>' if parts else ""


def _plan_group(group: list[dict[str, Any]], family: int) -> str:
    import ipaddress

    lo = min(r["net_first"] for r in group)
    hi = max(r["net_last"] for r in group)
    span = max(1, hi - lo + 1)
    axis_w = PLAN_W - LABEL_W - 20

    def x(addr: int) -> float:
        return LABEL_W + axis_w * (addr - lo) / span

    def w(a: int, b: int) -> float:
        return max(2.0, axis_w * (b - a + 1) / span)

    def ip(v: int) -> str:
        return str(ipaddress.ip_address(v) if family == 4 else ipaddress.IPv6Address(v))

    top = 0
    height = top + 26 + ROW_H * len(group) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="plan" width="{PLAN_W}" height="{height}" '
           f'viewBox="0 0 {PLAN_W} {height}" role="img" aria-label="address plan {ip(lo)} to {ip(hi)}">',
           f'<text class="axis" x="{LABEL_W}" y="{top + 14}">{ip(lo)}</text>',
           f'<text class="axis" x="{PLAN_W - 20}" y="{top + 14}" text-anchor="end">{ip(hi)}</text>',
           f'<line class="axis" x1="{LABEL_W}" y1="{top + 20}" x2="{PLAN_W - 20}" y2="{top + 20}"/>']
    y0 = top + 26
    for i, r in enumerate(group):
        y = y0 + i * ROW_H
        cls = f"row {r['role']}"
        out.append(f'<g class="{cls}" data-cidr="{_attr(r["cidr"])}"><title>{escape(r["title"])}</title>')
        out.append(f'<text class="row-label" x="4" y="{y + 15}">{escape(_clip(r["title"], 44))}</text>')
        out.append(f'<rect class="net" x="{x(r["net_first"]):.1f}" y="{y + 3}" width="{w(r["net_first"], r["net_last"]):.1f}" height="{ROW_H - 6}"/>')
        if r["role"] == "pool":
            out.append(f'<rect class="range" x="{x(r["first"]):.1f}" y="{y + 5}" width="{w(r["first"], r["last"]):.1f}" height="{ROW_H - 10}"/>')
            for ex in r["excludes"]:
                out.append(f'<rect class="exclude" x="{x(ex["first"]):.1f}" y="{y + 5}" width="{w(ex["first"], ex["last"]):.1f}" height="{ROW_H - 10}"><title>exclude {escape(ex["cidr"])}</title></rect>')
            if r.get("gateway"):
                gw = int(ipaddress.ip_address(r["gateway"]))
                gcls = "gateway" if r.get("gateway_inside", True) and r["net_first"] <= gw <= r["net_last"] else "gateway outside"
                gx = min(max(x(gw), LABEL_W), PLAN_W - 20)
                out.append(f'<line class="{gcls}" x1="{gx:.1f}" y1="{y + 1}" x2="{gx:.1f}" y2="{y + ROW_H - 1}"><title>gateway {escape(r["gateway"])}</title></line>')
        out.append("</g>")
    for a, b in _overlaps(group):
        out.append(f'<rect class="overlap" x="{x(a):.1f}" y="{y0}" width="{w(a, b):.1f}" height="{ROW_H * len(group)}"><title>overlap {ip(a)} – {ip(b)}</title></rect>')
    out.append("</svg>")
    return "".join(out)


def _legend_plan() -> str:
    entries = [("net", "network"), ("range", "range handed out"), ("exclude", "excluded"),
               ("overlap", "overlap"), ("cluster", "cluster / service CIDR")]
    out = ['<g class="legend">']
    x = 10
    for cls, label in entries:
        out.append(f'<rect class="legend-{cls}" x="{x}" y="10" width="18" height="14"/>'
                   f'<text x="{x + 24}" y="22">{label}</text>')
        x += 40 + 8 * len(label)
    out.append(f'<line class="legend-gw" x1="{x + 6}" y1="8" x2="{x + 6}" y2="26"/><text x="{x + 14}" y="22">gateway</text>')
    x += 90
    out.append(f'<line class="legend-gw-outside" x1="{x + 6}" y1="8" x2="{x + 6}" y2="26"/><text x="{x + 14}" y="22">gateway outside</text>')
    out.append("</g>")
    return "".join(out)
