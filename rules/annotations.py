"""ML4xx: pod network annotations, resolved against the project's NADs."""

from __future__ import annotations

from collections.abc import Iterator

from multus_lint.context import Context
from multus_lint.findings import Finding
from multus_lint.netrefs import network_refs
from multus_lint.registry import checks, declare
from multus_lint.suggest import closest

NETWORK_NOT_FOUND = declare(
    "ML402", "network-not-found", "error",
    "A network annotation names a NetworkAttachmentDefinition that does not exist in the project.",
    what="Resolves each entry of `k8s.v1.cni.cncf.io/networks` as Multus does (an unqualified name "
         "in the pod's namespace, `default` when the workload has none) against every NAD of the "
         "project, even when only some files are linted. Names in the config's `known-networks` "
         "count as existing. Suggests the nearest existing name or the namespace that has it.",
    why="Multus looks the NAD up at pod start; a missing one leaves the pod in ContainerCreating "
        "with `cannot find a network-attachment-definition (...) in namespace (...)`.",
    example="metadata:\n  namespace: apps\n  annotations:\n    k8s.v1.cni.cncf.io/networks: macvlan-conf"
            "   # the NAD is in 'default'",
    fix="Create the NAD in the pod's namespace, qualify the name (`default/macvlan-conf`), or list "
        "NADs managed outside the repository under `known-networks`.",
    refs=("https://github.com/k8snetworkplumbingwg/multus-cni/blob/master/docs/how-to-use.md",
          "https://github.com/k8snetworkplumbingwg/multus-cni/issues/277"),
)


def known_network(ctx: Context, namespace: str, name: str) -> bool:
    if (namespace, name) in ctx.project.nad_index:
        return True
    known = ctx.config.known_networks
    return f"{namespace}/{name}" in known or name in known


@checks(NETWORK_NOT_FOUND)
def network_not_found(ctx: Context) -> Iterator[Finding]:
    index = ctx.project.nad_index
    for ref in network_refs(ctx.project):
        if known_network(ctx, ref.namespace, ref.name):
            continue
        elsewhere = sorted(ns for ns, n in index if n == ref.name)
        if elsewhere:
            hint = (f"; a NAD '{ref.name}' exists in namespace {', '.join(elsewhere)} (write "
                    f"'{elsewhere[0]}/{ref.name}' to use it)")
        else:
            same_ns = [n for ns, n in index if ns == ref.namespace]
            near = closest(ref.name, same_ns)
            hint = f"; did you mean '{near}'?" if near else ""
        how = "" if ref.explicit_namespace else " (unqualified names resolve in the pod's namespace)"
        yield ctx.finding(NETWORK_NOT_FOUND, ref.site,
                          f"network '{ref.name}' not found: no NetworkAttachmentDefinition "
                          f"{ref.namespace}/{ref.name} in the project{how}; the pod will not start"
                          f"{hint}")
