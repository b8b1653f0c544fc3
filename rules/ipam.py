"""ML2xx: IPAM configuration inside CNI configs (NADs and CNI config files)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from multus_lint.context import Context
from multus_lint.findings import Finding
from multus_lint.fix import Fix
from multus_lint.registry import checks, declare
from multus_lint.suggest import closest

WHEREABOUTS_REPO = "https://github.com/k8snetworkplumbingwg/whereabouts"
K3S_DOCS = "https://docs.k3s.io/networking/multus-ipams"

WHEREABOUTS_PATHS = declare(
    "ML201", "whereabouts-k3s-paths", "error",
    "whereabouts IPAM without a configuration_path (or kubeconfig) under the K3s conf dir.",
    what="For IPAM `type: whereabouts`: `configuration_path` must be present and point at "
         "`D/agent/etc/cni/net.d/whereabouts.d/whereabouts.conf`; `kubernetes.kubeconfig`, when "
         "given, at `.../whereabouts.d/whereabouts.kubeconfig`; neither may contain `..`.",
    why="Without it whereabouts looks for its flat file only in /etc/kubernetes/cni/net.d, "
        "/etc/cni/net.d and /host/etc/cni/net.d; none is K3s's conf dir, so every pod start fails "
        "with `config file not found`.",
    example='"ipam": {"type": "whereabouts", "range": "192.168.2.0/24"}',
    fix='Add "configuration_path": "/var/lib/rancher/k3s/agent/etc/cni/net.d/whereabouts.d/whereabouts.conf".',
    refs=(K3S_DOCS, f"{WHEREABOUTS_REPO}/blob/master/pkg/config/config.go",
          "https://github.com/k3s-io/k3s/issues/10545"),
    fixable=True,
)

HOST_LOCAL_MULTI_NODE = declare(
    "ML203", "host-local-multi-node", "error",
    "host-local IPAM in a NAD on a cluster with more than one node (warning when unknown).",
    what="Flags `type: host-local` IPAM in NetworkAttachmentDefinitions: an error when the "
         "profile has more than one node, a warning when the node count is unknown, silent on "
         "a single node. Node-level CNI files are not judged (they may carry per-node ranges).",
    why="host-local keeps its allocations in files on each node, so every node hands out the same "
        "addresses from the same range: pods on different nodes get duplicate IPs.",
    example='"ipam": {"type": "host-local", "subnet": "10.10.0.0/16"}',
    fix="Use whereabouts (cluster-wide allocation), or give each node its own range.",
    refs=("https://github.com/k8snetworkplumbingwg/multus-cni/issues/1150", K3S_DOCS),
)


def _find_key(ipam: dict[str, Any], key: str) -> str | None:
    """The key as spelled in the config that Go's case-insensitive decoding maps to ``key``."""
    hit = None
    for k in ipam:
        if isinstance(k, str) and k.lower() == key.lower():
            hit = k
    return hit


def _misspelled(ipam: dict[str, Any], key: str) -> bool:
    return any(isinstance(k, str) and k.lower() != key and closest(k, [key], 0.75) for k in ipam)


def _norm(path: str) -> str:
    return path.rstrip("/") or "/"


@checks(WHEREABOUTS_PATHS)
def whereabouts_paths(ctx: Context) -> Iterator[Finding]:
    profile = ctx.profile
    for cfg in ctx.project.cni_configs():
        for path, ipam, _ in cfg.ipams():
            if ipam.get("type") != "whereabouts":
                continue
            key = _find_key(ipam, "configuration_path")
            if key is None:
                if not _misspelled(ipam, "configuration_path"):
                    yield ctx.finding(
                        WHEREABOUTS_PATHS, cfg.site(*path),
                        "whereabouts IPAM has no configuration_path, so whereabouts searches only "
                        "/etc/kubernetes/cni/net.d, /etc/cni/net.d and /host/etc/cni/net.d for its "
                        f"config (none exists on K3s); set configuration_path: {profile.whereabouts_conf}",
                        fix=Fix.set(cfg, path + ("configuration_path",), profile.whereabouts_conf))
            else:
                yield from _judge(ctx, cfg, path + (key,), ipam[key], profile.whereabouts_conf,
                                  "configuration_path")
            kube = ipam.get(_find_key(ipam, "kubernetes") or "kubernetes")
            if isinstance(kube, dict):
                kkey = _find_key(kube, "kubeconfig")
                if kkey is not None:
                    kpath = path + (_find_key(ipam, "kubernetes"), kkey)
                    yield from _judge(ctx, cfg, kpath, kube[kkey], profile.whereabouts_kubeconfig,
                                      "kubernetes.kubeconfig")


def _judge(ctx: Context, cfg: Any, path: tuple, value: Any, expected: str, label: str) -> Iterator[Finding]:
    if not isinstance(value, str):
        yield ctx.finding(WHEREABOUTS_PATHS, cfg.site(*path),
                          f"whereabouts {label} must be a path string; K3s expects {expected}")
    elif ".." in value.split("/"):
        yield ctx.finding(WHEREABOUTS_PATHS, cfg.site(*path),
                          f"whereabouts {label} {value} contains '..'; use the plain path {expected}")
    elif _norm(value) != expected:
        yield ctx.finding(WHEREABOUTS_PATHS, cfg.site(*path),
                          f"whereabouts {label} is {value}, which is not where the whereabouts "
                          f"DaemonSet writes it on K3s; expected {expected}",
                          fix=Fix.set(cfg, path, expected))


@checks(HOST_LOCAL_MULTI_NODE)
def host_local_multi_node(ctx: Context) -> Iterator[Finding]:
    nodes = ctx.profile.nodes
    if nodes == 1:
        return
    severity = "error" if nodes is not None else "warning"
    how_many = f"this cluster has {nodes} nodes" if nodes is not None else \
        "the node count is unknown (set cluster.nodes or --nodes)"
    for cfg in ctx.project.cni_configs(nads_only=True):
        for path, ipam, _ in cfg.ipams():
            if ipam.get("type") == "host-local":
                yield ctx.finding(
                    HOST_LOCAL_MULTI_NODE, cfg.site(*path, "type"),
                    f"host-local IPAM keeps allocations per node, so every node hands out the same "
                    f"addresses and pods on different nodes get duplicate IPs; {how_many}; "
                    "use whereabouts for a cluster-wide pool", severity)
