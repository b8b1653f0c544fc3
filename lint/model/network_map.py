"""The secondary networks of one cluster scope as plain data, for the HTML report.

What is drawn: workloads -> the NADs their annotations (or KubeVirt networks) name -> what
each NAD attaches to on the node (a master interface, a bridge, an SR-IOV resource), and every
address pool on an address axis beside the cluster and service CIDRs. Reporters may not see
the model (docs/architecture.md), so this module turns it into dicts and lists of strings and
numbers; the report only lays them out.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from multus_lint.findings import Finding
from multus_lint.load.document import Document, document_of
from multus_lint.model.ipam_uses import ipam_uses
from multus_lint.model.network_refs import network_refs
from multus_lint.model.project import NAD, RESOURCE_NAME_ANNOTATION, Project
from multus_lint.net.addresses import getk

# Plugins whose attachment is a bridge on the node, not a parent interface.
BRIDGE_PLUGINS = frozenset({"bridge", "ovs", "ovs-cni", "kube-ovn"})


def _obj_key(obj: dict[str, Any] | None) -> tuple[str, str, str] | None:
    if not obj:
        return None
    return (str(obj.get("kind") or ""), str(obj.get("namespace") or ""), str(obj.get("name") or ""))


def _first_plugin(nad: NAD) -> dict[str, Any]:
    """The main plugin of a NAD's config: the config itself, or the first of its list."""
    if nad.config is None:
        return {}
    for _, plugin in nad.config.plugins():
        return plugin
    return {}


def _attachment(nad: NAD, plugin: dict[str, Any]) -> tuple[str, str] | None:
    """(kind, name) of what the NAD attaches to on the node, None when it names nothing."""
    resource = nad.doc.annotations.get(RESOURCE_NAME_ANNOTATION)
    if isinstance(resource, str) and resource:
        return ("resource", resource)
    ptype = getk(plugin, "type")
    for key, kind in (("master", "master"), ("bridge", "bridge"), ("device", "device")):
        value = getk(plugin, key)
        if isinstance(value, str) and value:
            return (kind, value)
    if isinstance(ptype, str) and ptype in BRIDGE_PLUGINS:
        return ("bridge", "cni0" if ptype == "bridge" else ptype)
    if isinstance(ptype, str) and ptype in ("macvlan", "ipvlan"):
        return ("master", "(default-route interface)")
    return None


def _network(text: str) -> dict[str, Any] | None:
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
    return {"cidr": str(net), "family": net.version, "first": int(net.network_address),
            "last": int(net.broadcast_address)}


def scope_map(name: str, project: Project, findings: list[Finding],
              cluster_cidrs: tuple[str, ...] = (), service_cidrs: tuple[str, ...] = ()) -> dict[str, Any]:
    """The network map and address plan of one scope (see the module docstring)."""
    by_object: dict[tuple[str, str, str], list[Finding]] = {}
    for f in findings:
        key = _obj_key(f.object)
        if key is not None:
            by_object.setdefault(key, []).append(f)

    def codes(kind: str, namespace: str, obj_name: str) -> list[dict[str, str]]:
        found = by_object.get((kind, namespace, obj_name), [])
        return [{"code": f.code, "severity": f.severity, "message": f.message} for f in found]

    nads = []
    attachments: dict[str, dict[str, Any]] = {}
    nad_ids: dict[tuple[str, str], str] = {}
    for nad in project.nads:
        nid = f"nad:{nad.namespace}/{nad.name}"
        if nad.key in nad_ids:
            continue  # a second definition (ML4xx reports it); draw the first
        nad_ids[nad.key] = nid
        plugin = _first_plugin(nad)
        att = _attachment(nad, plugin)
        att_id = None
        if att is not None:
            att_id = f"{att[0]}:{att[1]}"
            attachments.setdefault(att_id, {"id": att_id, "kind": att[0], "name": att[1]})
        ptype = getk(plugin, "type")
        nads.append({
            "id": nid, "namespace": nad.namespace, "name": nad.name,
            "type": ptype if isinstance(ptype, str) else "",
            "attachment": att_id, "path": nad.doc.source.path,
            "findings": codes("NetworkAttachmentDefinition", nad.namespace, nad.name),
        })

    workloads: dict[str, dict[str, Any]] = {}
    edges = []
    for ref in network_refs(project):
        doc = document_of(ref.doc)  # pods in chart values (app-template): drawn as the release object
        ns = (doc.namespace if isinstance(doc, Document) else None) or "default"
        wid = f"wl:{doc.kind}/{ns}/{doc.name}"
        if wid not in workloads:
            workloads[wid] = {"id": wid, "kind": doc.kind, "namespace": ns, "name": doc.name,
                              "path": doc.source.path, "findings": codes(doc.kind, ns, doc.name)}
        target = nad_ids.get((ref.namespace, ref.name))
        edges.append({"from": wid, "to": target or f"missing:{ref.namespace}/{ref.name}",
                      "dangling": target is None, "label": f"{ref.namespace}/{ref.name}"})
    missing = sorted({e["to"] for e in edges if e["dangling"]})

    pools = []
    for use in ipam_uses(project):
        owner = f"nad:{use.nad.namespace}/{use.nad.name}" if use.nad is not None else use.cfg.owner.source.path
        for sub in use.analysis.pools:
            net = sub.network
            start = sub.start if sub.start is not None else net.network_address
            end = sub.end if sub.end is not None else net.broadcast_address
            pools.append({
                "owner": owner, "kind": sub.kind or use.analysis.kind,
                "cidr": str(net), "family": net.version, "label": sub.label,
                "first": int(start), "last": int(end),
                "start": str(start), "end": str(end),
                "net_first": int(net.network_address), "net_last": int(net.broadcast_address),
                "gateway": str(sub.gateway) if sub.gateway is not None else None,
                "gateway_inside": sub.gateway is None or sub.gateway in net,
                "excludes": [{"cidr": str(x), "first": int(x.network_address),
                              "last": int(x.broadcast_address)} for x in sub.exclude],
                "address": str(sub.address) if sub.address is not None else None,
            })
    cluster = [n for n in (_network(c) for c in cluster_cidrs) if n]
    service = [n for n in (_network(c) for c in service_cidrs) if n]
    return {"name": name, "nads": nads, "workloads": list(workloads.values()), "edges": edges,
            "missing": missing, "attachments": sorted(attachments.values(), key=lambda a: a["id"]),
            "pools": pools, "cluster_cidrs": cluster, "service_cidrs": service}


def report_context(scopes: list[tuple[str, Project, Any]], findings: list[Finding]) -> dict[str, Any]:
    """What the HTML report draws: per (name, project, profile) scope, its map, plan and profile.

    A finding belongs to the scope named in its ``extra["scope"]``, or to every scope when it
    names none (a single-scope run)."""
    out = []
    for name, project, profile in scopes:
        mine = [f for f in findings if f.extra.get("scope") in (None, name)]
        scope = scope_map(name, project, mine, tuple(profile.cluster_cidrs), tuple(profile.service_cidrs))
        scope["profile"] = [{"key": k, "value": v, "source": s} for k, v, s in profile.describe()]
        out.append(scope)
    drawn = [s for s in out if s["nads"] or s["workloads"] or s["pools"]]
    # with several scopes, one with nothing to draw (the files no cluster reaches, say) is left out
    return {"scopes": drawn if len(out) > 1 and drawn else out}
