"""ML4xx: pod network annotations, parsed as Multus parses them and resolved against the NADs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from multus_lint.context import Context
from multus_lint.findings import Finding
from multus_lint.model.dra import attached_by_dra_driver
from multus_lint.model.generated_nads import generated_nads
from multus_lint.model.kustomize import (
    MULTUS_ANNOTATION_PREFIXES,
    VALUE_CHANGING,
    renamed_nad,
    unresolved_nads,
)
from multus_lint.model.network_refs import (
    MULTUS_KEYS,
    MULTUS_NAMESPACE,
    NETWORK_STATUS_ANNOTATION,
    OLD_NETWORKS_STATUS_ANNOTATION,
    AnnotationUse,
    annotation_uses,
    network_refs,
)
from multus_lint.model.project import DEFAULT_NETWORK_ANNOTATION, NETWORKS_ANNOTATION, Project
from multus_lint.model.values_pods import ValuesWorkload
from multus_lint.net.addresses import getk
from multus_lint.net.annotation import (
    FIELDS,
    PRESENT_INTERFACES,
    Selection,
    ecmp_gateways,
    interface_clashes,
)
from multus_lint.registry import checks, declare
from multus_lint.suggest import closest

MULTUS_DOCS = "https://github.com/k8snetworkplumbingwg/multus-cni/blob/master/docs/how-to-use.md"
PARSER_SRC = "https://github.com/k8snetworkplumbingwg/multus-cni/blob/master/pkg/k8sclient/k8sclient.go"

ANNOTATION_SYNTAX = declare(
    "ML401", "network-annotation-syntax", "error",
    "The `k8s.v1.cni.cncf.io/networks` value does not parse as Multus parses it.",
    what="Parses the annotation exactly as Multus's `parsePodNetworkAnnotation` does: a value holding "
         "`[`, `{` or `\"` is a JSON list of selection objects (Go encoding/json: keys matched "
         "case-insensitively, the last duplicate wins, strict types, `mac`/`infiniband-guid` through "
         "`net.ParseMAC`, `ips` through `net.ParseIP`/`net.ParseCIDR`, `default-route` IPs); anything "
         "else is `[namespace/]name[@interface]` items separated by commas, with DNS-1123 label names "
         "and at most one `/` and one `@`. Also reports empty items (a trailing or doubled comma) and a "
         "JSON `name` holding `namespace/name`, which Multus accepts and then fails on at pod start. "
         "Interface-name problems are ML404. Each bad entry is reported at its own line inside a "
         "block scalar.",
    why="Multus rejects the whole annotation at the first bad entry, and the pod stays in "
        "ContainerCreating with `error loading k8s delegates k8s args: parsePodNetworkAnnotation: ...`.",
    example='k8s.v1.cni.cncf.io/networks: macvlan-conf,     # trailing comma\n'
            'k8s.v1.cni.cncf.io/networks: \'{"name": "macvlan-conf"}\'   # an object, not a list',
    fix="Write `ns/name@ifname` items separated by commas, or a JSON list `[{\"name\": ..., "
        "\"namespace\": ...}]`; remove stray commas.",
    refs=(PARSER_SRC, "https://github.com/k8snetworkplumbingwg/multus-cni/issues/1195",
          "https://github.com/k8snetworkplumbingwg/multus-cni/issues/705"),
)

NETWORK_NOT_FOUND = declare(
    "ML402", "network-not-found", "error",
    "A network annotation names a NetworkAttachmentDefinition that does not exist in the project.",
    what="Resolves each entry of `k8s.v1.cni.cncf.io/networks` as Multus does (an unqualified name "
         "in the pod's namespace, `default` when the workload has none) against every NAD of the "
         "project, even when only some files are linted. KubeVirt `VirtualMachine` / "
         "`VirtualMachineInstance` `networks[].multus.networkName` (`name` in the VM's namespace, "
         "or `namespace/name`) resolve the same way. Names in the config's `known-networks` "
         "count as existing. In a repository of several clusters, a pod in a file no cluster's "
         "entry points reach finds a NAD of its name that any cluster deploys (the file is "
         "applied by hand to one of them). Suggests the nearest existing name or the namespace "
         "that has it. "
         "Namespaces and names are the deployed ones: a kustomization's `namespace`, a Flux "
         "Kustomization's `targetNamespace` and an Argo CD Application's destination namespace "
         "apply, and a NAD renamed by `namePrefix`/`nameSuffix` is reported with that cause: "
         "kustomize rewrites the references listed in its name-reference config, which has no "
         "entry for the Multus annotations, so a pod still names the old NAD.",
    why="Multus looks the NAD up at pod start; a missing one leaves the pod in ContainerCreating "
        "with `cannot find a network-attachment-definition (...) in namespace (...)`.",
    example="metadata:\n  namespace: apps\n  annotations:\n    k8s.v1.cni.cncf.io/networks: macvlan-conf"
            "   # the NAD is in 'default'",
    fix="Create the NAD in the pod's namespace, qualify the name (`default/macvlan-conf`), or list "
        "NADs managed outside the repository under `known-networks`.",
    refs=(MULTUS_DOCS, "https://github.com/k8snetworkplumbingwg/multus-cni/issues/277"),
)

ON_CONTROLLER = declare(
    "ML403", "network-annotation-on-controller", "error",
    "A Multus annotation is on a controller's own metadata instead of its pod template.",
    what="Reports `k8s.v1.cni.cncf.io/networks` and `v1.multus-cni.io/default-network` under the "
         "`metadata.annotations` of a Deployment, StatefulSet, DaemonSet, ReplicaSet, "
         "ReplicationController, Job or CronJob (and under a CronJob's `spec.jobTemplate.metadata`). "
         "In bjw-s app-template values: under `controllers.<name>.annotations` (the controller's "
         "metadata), and under a top-level `podAnnotations` beside `controllers:` (app-template 2+ "
         "renders a pod's annotations from `defaultPodOptions` and `controllers.<name>.pod` only: "
         "common library templates/lib/pod/metadata/_annotations.tpl).",
    why="Multus reads the annotations of the Pod only; on the controller they are never copied to "
        "the pods, which start with eth0 alone and no error anywhere.",
    example="kind: Deployment\nmetadata:\n  annotations:\n    k8s.v1.cni.cncf.io/networks: macvlan-conf",
    fix="Move the annotation to `spec.template.metadata.annotations` "
        "(`spec.jobTemplate.spec.template.metadata.annotations` for a CronJob).",
    refs=("https://github.com/k8snetworkplumbingwg/multus-cni/issues/444",
          "https://github.com/k8snetworkplumbingwg/multus-cni/issues/348"),
)

INTERFACE_INVALID = declare(
    "ML404", "interface-name-invalid", "error",
    "A requested interface name is not a valid Linux interface name.",
    what="Checks the interface requested with `name@ifname` or JSON `interface` (and the deprecated "
         "`interfaceRequest`) against the kernel's `dev_valid_name`: at most 15 bytes, not `.` or "
         "`..`, no `/`, `:` or whitespace. An empty name means auto-naming and is fine.",
    why="The short form is rejected by Multus's parser (length, whitespace, `/`); the JSON form and "
        "`:`/`.` pass the parser and fail in the CNI plugin when the pod starts.",
    example="k8s.v1.cni.cncf.io/networks: macvlan-conf@storage-network0   # 16 bytes",
    fix="Use a name of at most 15 bytes without `/`, `:` or spaces, e.g. `macvlan-conf@stor0`.",
    refs=("https://github.com/torvalds/linux/blob/master/net/core/dev.c",
          "https://github.com/k8snetworkplumbingwg/multus-cni/pull/1243"),
)

INTERFACE_CONFLICT = declare(
    "ML405", "interface-name-conflict", "error",
    "Two attachments of one pod get the same interface name.",
    what="Assigns interface names as Multus does (a requested name, else `net<N>` where N is the "
         "entry's position, 1-based; `eth0` belongs to the cluster network) and reports the later "
         "of two entries that end up with the same name: two requests for one name, a request for "
         "`eth0`, or a requested `netN` that an unnamed entry at position N also gets.",
    why="Multus checks each name just before adding the interface: the pod fails to start with "
        "`validateIfName: interface name net2 already exists`.",
    example="k8s.v1.cni.cncf.io/networks: vlan10@net2, vlan20   # vlan20 is auto-named net2",
    fix="Give every attachment a distinct name, or none and let Multus number them.",
    refs=("https://github.com/k8snetworkplumbingwg/multus-cni/blob/master/pkg/multus/multus.go",
          "https://github.com/k8snetworkplumbingwg/multus-cni/issues/1089"),
)

CROSS_NAMESPACE = declare(
    "ML406", "cross-namespace-network", "error",
    "A pod references a NAD in another namespace.",
    what="Reports `k8s.v1.cni.cncf.io/networks` entries (and KubeVirt `networkName`s) whose namespace "
         "is not the pod's (the VM's). An error when "
         "the project's Multus config (rke2-multus values `config.cni_conf.namespaceIsolation`, "
         "`config.daemon_conf` with the thick plugin, or a Multus DaemonSet's `--namespace-isolation`) "
         "turns namespace isolation on and the target is "
         "not in `globalNamespaces` (default `default`; setting it replaces the default); info "
         "otherwise. `v1.multus-cni.io/default-network` is exempt, as in Multus.",
    why="With isolation on, Multus refuses the pod: `namespace isolation enabled, annotation violates "
        "permission, pod is in namespace X but refers to target namespace Y`; without it the "
        "reference works but couples the pod to another team's namespace.",
    example="metadata:\n  namespace: apps\n  annotations:\n    k8s.v1.cni.cncf.io/networks: infra/vlan100",
    fix="Create the NAD in the pod's namespace, or list the target namespace in `globalNamespaces` "
        "(keeping `default` if it is used).",
    refs=("https://github.com/k8snetworkplumbingwg/multus-cni/blob/master/docs/configuration.md",),
)

DEFAULT_NETWORK = declare(
    "ML407", "default-network-annotation", "error",
    "The `v1.multus-cni.io/default-network` annotation is empty, names several networks, or a "
    "missing NAD.",
    what="Parses `v1.multus-cni.io/default-network` with Multus's parser (the same grammar as the "
         "networks annotation; a value that does not parse is reported here, not as ML401) and checks "
         "that it names exactly one network, resolved in `kube-system` (Multus's multusNamespace) "
         "when unqualified, that exists in the project or in `known-networks`.",
    why="Multus replaces the pod's cluster network with this NAD; an empty or multiple value, or a "
        "missing NAD, fails every pod start (`tryLoadK8sPodDefaultNetwork: ...`).",
    example="v1.multus-cni.io/default-network: calico-net   # looked up in kube-system, not the pod's namespace",
    fix="Name one NAD, qualified with its namespace when it is not in kube-system.",
    refs=(PARSER_SRC, "https://github.com/kubevirt/kubevirt/issues/3069"),
)

MULTIPLE_DEFAULT_ROUTES = declare(
    "ML408", "multiple-default-routes", "error",
    "More than one IPv4 (or IPv6) `default-route` across a pod's attachments.",
    what="Counts the `default-route` gateways of every JSON selection element of the pod "
         "(and of the default-network annotation) per address family, as Multus's "
         "`CheckGatewayConfig` does, and reports the one that makes a second gateway of a family. "
         "An empty string counts as an IPv6 gateway, as in Multus (a nil IP is not IPv4).",
    why="Multus does not install ECMP default routes: the pod fails with `multus does not support "
        "ECMP for default-route`.",
    example='[{"name": "a", "default-route": ["10.0.0.1"]}, {"name": "b", "default-route": ["10.1.0.1"]}]',
    fix="Keep one IPv4 and one IPv6 `default-route` per pod.",
    refs=("https://github.com/k8snetworkplumbingwg/multus-cni/blob/master/pkg/types/conf.go",),
)

DEPRECATED_KEY = declare(
    "ML409", "deprecated-annotation-key", "warning",
    "A deprecated selection key or status annotation.",
    what="Reports the selection key `interfaceRequest` (use `interface`), the removed "
         "`k8s.v1.cni.cncf.io/networks-status` annotation, and `k8s.v1.cni.cncf.io/network-status` "
         "set in a controller's pod template (Multus writes it on pods; never reported on a `kind: "
         "Pod`, which may come from a cluster dump).",
    why="`interfaceRequest` is a pre-3.2 alias Multus only honours when `interface` is empty; the "
        "status annotations are output, and a value written by hand is overwritten or misleads.",
    example='[{"name": "macvlan-conf", "interfaceRequest": "eth1"}]',
    fix="Use `interface`; delete status annotations from manifests.",
    refs=("https://github.com/k8snetworkplumbingwg/multus-cni/issues/360",),
)

UNUSED_NETWORK = declare(
    "ML410", "unused-network", "info",
    "A NetworkAttachmentDefinition that no workload in the project references.",
    what="Collects every reference of every workload (networks and default-network annotations, and "
         "other sources such as KubeVirt networks) and reports NADs none of them names. Silent when "
         "no workload of the project names any network (a repository of NADs only). In a repository "
         "of several clusters, a name that a pod in a file no cluster's entry points reach uses "
         "counts for every cluster (that file is applied by hand to one of them).",
    why="An unreferenced NAD is often a leftover or a typo on one side of the reference; an audit "
        "finds them. Info only: NADs may be used from outside the repository.",
    example="kind: NetworkAttachmentDefinition\nmetadata:\n  name: old-vlan   # no pod uses it",
    fix="Remove the NAD, or ignore ML410 for repositories that only define networks.",
    refs=(MULTUS_DOCS,),
)

UNKNOWN_KEY = declare(
    "ML411", "unknown-selection-key", "warning",
    "A JSON selection element holds a key Multus ignores.",
    what="Matches each key of a JSON selection element against Multus's NetworkSelectionElement "
         "fields (case-insensitively, as Go does) and reports the others with a did-you-mean: "
         "`gateway` (use `default-route`), `ipRequest`/`macRequest` (use `ips`/`mac`), misspellings. "
         "Keys holding a `.` are implementation-specific by the NPWG spec and are not reported.",
    why="Go's JSON decoder drops unknown keys silently: the requested gateway, IP or MAC is never "
        "applied and nothing says so.",
    example='[{"name": "macvlan-conf", "gateway": ["10.1.1.1"]}]',
    fix="Use the key Multus reads (`default-route`, `ips`, `mac`, `interface`, ...).",
    refs=("https://github.com/k8snetworkplumbingwg/multus-cni/blob/master/pkg/types/types.go",),
)

# unknown selection key (lower-cased, without '-'/'_') -> the key Multus reads
MULTIPLE_IPS_HOST_LOCAL = declare(
    "ML412", "multiple-ips-host-local", "error",
    "Several `ips` in one selection element for a NAD with host-local IPAM: Multus joins them into "
    "one CNI arg that host-local cannot parse.",
    what="Checks network-selection elements with two or more `ips` (a dual-stack pair, or several "
         "addresses of one family) whose NetworkAttachmentDefinition is in the project and uses "
         "host-local IPAM (in any plugin of the config).",
    why="Every Multus release (pkg/multus/multus.go DelegateAdd, through v4.3.0; the fix proposed in "
        "multus-cni PR #1459 was closed unmerged) passes the request as the single CNI arg "
        "`IP=a,b`, and host-local loads that arg as one address (backend/allocator/config.go "
        "IPAMEnvArgs): the pod fails with `error parsing value of pair \"IP=a,b\": invalid IP address` "
        "(multus-cni#647). static IPAM and whereabouts split the list and accept it.",
    example='k8s.v1.cni.cncf.io/networks: \'[{"name": "macvlan-dualstack", "ips": ["10.254.0.22", '
            '"fd17:d84:5c7::8"]}]\'  # NAD with "ipam": {"type": "host-local", ...}',
    fix="Use static IPAM (with `capabilities: {ips: true}`; it takes several CIDRs), or request one "
        "address per element.",
    refs=("https://github.com/k8snetworkplumbingwg/multus-cni/issues/647",
          "https://github.com/k8snetworkplumbingwg/multus-cni/pull/1459",
          "https://github.com/containernetworking/plugins/blob/main/plugins/ipam/host-local/backend/"
          "allocator/config.go"),
)

MISSPELLED_KEY = declare(
    "ML413", "network-annotation-key-misspelled", "warning",
    "A pod annotation key that is a misspelling of `k8s.v1.cni.cncf.io/networks` or "
    "`v1.multus-cni.io/default-network`: Multus never reads it.",
    what="Reports a pod(-template) annotation key that is not one of Multus's two input keys but is "
         "written like one: a `networks`/`network` key under another `...cni.cncf.io` prefix (the NPWG "
         "draft's `kubernetes.v1.cni.cncf.io/networks`, `k8s.cni.cncf.io/networks`), the right key in "
         "another case, or one character off (or two neighbours swapped in) either key. Multus's status keys "
         "(`network-status`, `networks-status`) and `resourceName` are not reported here.",
    why="Multus looks the annotations up by their exact keys (pkg/k8sclient/k8sclient.go: "
        "networkAttachmentAnnot = \"k8s.v1.cni.cncf.io/networks\", defaultNetAnnot = "
        "\"v1.multus-cni.io/default-network\"; annotation keys are case-sensitive): with any other "
        "key the pod starts silently with eth0 only (multus-cni#57).",
    example="annotations:\n  kubernetes.v1.cni.cncf.io/networks: macvlan-conf",
    fix="Use the exact key `k8s.v1.cni.cncf.io/networks` (or `v1.multus-cni.io/default-network`).",
    refs=("https://github.com/k8snetworkplumbingwg/multus-cni/issues/57",
          "https://github.com/k8snetworkplumbingwg/multus-cni/blob/master/pkg/k8sclient/k8sclient.go"),
)

KEY_HINTS = {
    "gateway": "default-route", "gateways": "default-route", "gw": "default-route",
    "defaultgateway": "default-route", "defaultroutes": "default-route", "route": "default-route",
    "iprequest": "ips", "ip": "ips", "ipaddress": "ips", "ipaddresses": "ips", "address": "ips",
    "addresses": "ips", "macrequest": "mac", "macaddress": "mac", "ifname": "interface",
    "interfacename": "interface", "iface": "interface", "ifacename": "interface",
    "portmapping": "portMappings", "ports": "portMappings", "cniargs": "cni-args", "args": "cni-args",
    "infinibandguid": "infiniband-guid", "guid": "infiniband-guid", "device": "deviceID",
}


# ------------------------------------------------------------------ helpers


def _pod_uses(project: Project, keys: tuple[str, ...] = (NETWORKS_ANNOTATION,)) -> list[AnnotationUse]:
    """Annotations Multus reads: on a Pod, or on a controller's pod template."""
    return [u for u in annotation_uses(project, keys) if not u.on_controller]


def _entries(use: AnnotationUse) -> list[Selection]:
    return use.parsed.entries if use.parsed is not None and use.parsed.error is None else []


def _per_workload(project: Project) -> dict[int, dict[str, AnnotationUse]]:
    out: dict[int, dict[str, AnnotationUse]] = {}
    for use in _pod_uses(project, MULTUS_KEYS):
        out.setdefault(id(use.workload), {})[use.key] = use
    return out


def known_network(ctx: Context, namespace: str, name: str) -> bool:
    """The NAD exists: in the project, created by an operator from a CR of the project
    (SriovNetwork, MacvlanNetwork, ...), deployed by a cluster scope of the repository (for
    the files of the (rest) scope), or declared in ``known-networks``."""
    if (namespace, name) in ctx.project.nad_index:
        return True
    made = generated_nads(ctx.project)
    if made and (namespace, name) in made:  # (most projects: none, no look-up)
        return True
    if name in ctx.project.outside_nad_names:
        return True  # a file in no cluster scope, naming a NAD a cluster scope deploys
    known = ctx.config.known_networks
    return f"{namespace}/{name}" in known or name in known


def _names_by_namespace(project: Project) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(name -> namespaces having it, namespace -> its NAD names), built once per run: the
    project's NADs and those an operator creates from its CRs (a UserDefinedNetwork's NAD
    in the UDN's namespace: ovn-kubernetes pkg/clustermanager/userdefinednetwork/template
    RenderNetAttachDefManifest), so a workload that sets no namespace beside a UDN of another
    namespace is told where the NAD is, as beside a NAD there."""

    def build() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        by_name: dict[str, list[str]] = {}
        by_ns: dict[str, list[str]] = {}
        made = {key for key in generated_nads(project) if key[0] != "*"}  # "*": a NAD in every namespace
        for ns, name in sorted(set(project.nad_index) | made):
            by_name.setdefault(name, []).append(ns)
            by_ns.setdefault(ns, []).append(name)
        return by_name, by_ns

    return project.cached("nad-names", build)  # type: ignore[no-any-return]


NAME_HINT_CUTOFF = 0.75  # difflib ratio: 'macvlan1-config' -> 'macvlan-conf' (0.89) stays


def missing_hint(project: Project, namespace: str, name: str, cache: dict[tuple[str, str], str]) -> str:
    """A did-you-mean for a missing NAD: the namespaces that have it, else a close name."""
    key = (namespace, name)
    if key not in cache:
        by_name, by_ns = _names_by_namespace(project)
        elsewhere = by_name.get(name, [])
        if elsewhere:
            cache[key] = (f"; a NAD '{name}' exists in namespace {', '.join(elsewhere)} (write "
                          f"'{elsewhere[0]}/{name}' to use it)")
        else:
            # only close names: at difflib's default 0.6 'macvtapnetwork' got 'n6network'
            near = closest(name, by_ns.get(namespace, []), NAME_HINT_CUTOFF)
            cache[key] = f"; did you mean '{near}'?" if near else ""
    return cache[key]


# ------------------------------------------------------------------ ML401


@checks(ANNOTATION_SYNTAX, local=True)
def annotation_syntax(ctx: Context) -> Iterator[Finding]:
    for use in _pod_uses(ctx.project):
        if use.parsed is None:
            if use.value is not None:
                yield ctx.finding(ANNOTATION_SYNTAX, use.key_site(),
                                  f"the value is a YAML {_yaml_type(use.value)}, not a string: annotations "
                                  "are strings, so the API server rejects the object (quote the value)")
            continue
        if use.parsed.error is not None:
            yield ctx.finding(ANNOTATION_SYNTAX, use.entry_site(use.parsed.error_offset),
                              f"'{NETWORKS_ANNOTATION}' is {use.parsed.error}; Multus rejects the annotation "
                              "and the pod does not start")
            continue
        for sel in use.parsed.entries:
            if sel.errors:
                yield ctx.finding(ANNOTATION_SYNTAX, use.selection_site(sel, sel.error_offset),
                                  f"network entry {sel.index + 1}: {'; '.join(sel.errors)}; {_EXPECTED[sel.form]}")


_EXPECTED = {
    "short": "Multus expects '[namespace/]name[@interface]' items with lower-case DNS-1123 names",
    "json": "Multus expects a JSON list of {\"name\", \"namespace\", \"interface\", \"ips\", \"mac\", ...} "
            "objects with Go's types",
}


def _yaml_type(value: Any) -> str:
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if isinstance(value, bool):
        return "boolean"
    return "number" if isinstance(value, (int, float)) else type(value).__name__


# ------------------------------------------------------------------ ML402


@checks(NETWORK_NOT_FOUND)
def network_not_found(ctx: Context) -> Iterator[Finding]:
    hints: dict[tuple[str, str], str] = {}
    judged: set[tuple] = set()
    known: dict[tuple[str, str], bool] = {}  # known_network's answers, once per name
    for ref in network_refs(ctx.project):
        if ref.origin == "default-network" or not ctx.reported(ref.doc):
            continue
        nad = (ref.namespace, ref.name)
        found = known.get(nad)
        if found is None:
            found = known[nad] = known_network(ctx, *nad)
        if found:
            continue
        if getattr(ref.doc, "unsure", None):
            continue  # kustomize transformers not applied here may rewrite the annotation
        # what follows depends on these alone; pods aliasing one anchored annotation share its
        # site (250 pods x 900 entries: 225,000 references, 900 findings), and a repeat would
        # give the same (code, path, span, message), which runner.distinct drops anyway
        site = ref.site
        key = (site.source.path, site.span, ref.name, ref.namespace, ref.explicit_namespace, ref.origin,
               _values_pod(ref), getattr(ref.doc, "namespace", None) is None)
        size = len(judged)
        judged.add(key)
        if len(judged) == size:
            continue
        if ref.name in unresolved_nads(ctx.project):
            continue  # a Flux Kustomization whose spec.path holds a variable may deploy it
        if _values_pod(ref) and ref.name in _unset_namespace(ctx.project):
            # a pod from chart values naming a NAD whose manifest has no namespace: where that NAD
            # lands is decided when it is applied (kubectl -n, a GitOps target namespace)
            continue
        vm = ref.origin == "kubevirt"
        renamed = renamed_nad(ctx.project, ref.namespace, ref.name)
        if renamed is not None:
            by = renamed.renamed_by[-1]
            yield ctx.finding(NETWORK_NOT_FOUND, site,
                              f"network '{ref.name}' not found: kustomize renames the NAD "
                              f"{ref.namespace}/{ref.name} to '{renamed.name}' (namePrefix/nameSuffix, "
                              f"{by.source.path}:{by.span.line}) but never rewrites Multus network "
                              "annotations (its name-reference config has no entry for them), so the "
                              f"{'VM' if vm else 'pod'} asks for a NAD that does not exist and will not "
                              f"start; write '{renamed.name}' in the annotation (a patch or `replacements` "
                              "in the same kustomization), or leave the NAD out of the prefix")
            continue
        what = 'VM' if vm else 'pod'
        elsewhere = [] if ref.explicit_namespace or _values_pod(ref) or getattr(ref.doc, "namespace", None) \
            is not None else _names_by_namespace(ctx.project)[0].get(ref.name, [])
        if elsewhere:
            # multus-cni pkg/k8sclient getKubernetesDelegate looks the unqualified name up in the
            # pod's namespace, and this manifest leaves that to whoever applies it (kubectl -n, the
            # context's namespace): applied in the NAD's namespace the pod starts, so not certain
            yield ctx.finding(NETWORK_NOT_FOUND, site,
                              f"network '{ref.name}' resolves in the {what}'s namespace, which this manifest "
                              f"does not set: the NAD is in namespace {', '.join(elsewhere)}, so the {what} "
                              f"starts only when applied there (e.g. kubectl -n {elsewhere[0]}), and not in "
                              f"default; set metadata.namespace, or write '{elsewhere[0]}/{ref.name}'",
                              severity="info")
            continue
        first_unset = _unset_namespace(ctx.project).get(ref.name)
        if first_unset is not None:
            # the NAD's manifest (and every entry point deploying it) leaves its namespace to
            # whoever applies it (kubectl apply -k networks5g -n open5gs): applied in the pod's
            # namespace the pod starts, so not certain
            yield ctx.finding(NETWORK_NOT_FOUND, site,
                              f"network '{ref.name}' resolves in namespace {ref.namespace}, but the NAD "
                              f"'{ref.name}' ({first_unset.doc.source.path}) sets no namespace: the {what} "
                              f"starts only if that NAD is applied in {ref.namespace} (e.g. kubectl -n "
                              f"{ref.namespace}); set its metadata.namespace", severity="info")
            continue
        hint = missing_hint(ctx.project, ref.namespace, ref.name, hints)
        how = "" if ref.explicit_namespace else \
            f" (unqualified names resolve in the {'VM' if vm else 'pod'}'s namespace)"
        yield ctx.finding(NETWORK_NOT_FOUND, site,
                          f"network '{ref.name}' not found: no NetworkAttachmentDefinition "
                          f"{ref.namespace}/{ref.name} in the project{how}; the "
                          f"{'VM' if vm else 'pod'} will not start{hint}")


def _unset_namespace(project: Project) -> dict[str, Any]:
    """name -> the first NAD of that name whose manifest sets no namespace, built once per
    run (a scan of every NAD per missing reference was 5 s on 7,500 references)."""

    def build() -> dict[str, Any]:
        out: dict[str, Any] = {}
        for n in project.nads:
            if n.doc.namespace is None:
                out.setdefault(n.name, n)
        return out

    return project.cached("nads-without-namespace", build)  # type: ignore[no-any-return]


def _values_pod(ref: Any) -> bool:
    return ref.use is not None and isinstance(ref.use.workload, ValuesWorkload)


# ------------------------------------------------------------------ ML403


@checks(ON_CONTROLLER, local=True)
def annotation_on_controller(ctx: Context) -> Iterator[Finding]:
    for use in annotation_uses(ctx.project, MULTUS_KEYS):
        if not use.on_controller:
            continue
        w = use.workload
        target = ".".join(w.pod_annotations_path)
        where = ".".join(str(p) for p in use.path[:-1])
        if isinstance(w, ValuesWorkload):
            # chart values: say what the chart makes of the key (values_pods.values_workloads)
            spot = (f"{w.owner.kind} {w.owner.name}'s {where}, which app-template 2+ (controllers:) puts "
                    "on no pod" if where.endswith("podAnnotations") else
                    f"{w.owner.kind} {w.owner.name}'s {where}, which app-template puts on the {w.kind}'s "
                    "own metadata")
            yield ctx.finding(ON_CONTROLLER, use.key_site(),
                              f"'{use.key}' is in {spot}; Multus reads only the pod's annotations: "
                              f"move it to {target}")
            continue
        yield ctx.finding(ON_CONTROLLER, use.key_site(),
                          f"'{use.key}' is in the {w.kind}'s {where}, where Multus never looks; "
                          f"it reads only the pod's annotations: move it to {target}")


# ------------------------------------------------------------------ ML404


@checks(INTERFACE_INVALID, local=True)
def interface_invalid(ctx: Context) -> Iterator[Finding]:
    for use in _pod_uses(ctx.project, MULTUS_KEYS):
        for sel in _entries(use):
            if sel.ok and sel.iface_errors:
                stage = ("Multus rejects the annotation" if sel.form == "short" and _parser_catches(sel)
                         else "the CNI plugin fails to create it at pod start")
                yield ctx.finding(INTERFACE_INVALID, use.selection_site(sel, sel.iface_offset),
                                  f"interface name {sel.iface_errors[0]} (libcni ValidateInterfaceName, "
                                  f"Linux dev_valid_name); {stage}")


def _parser_catches(sel: Selection) -> bool:
    """Multus's own short-form check: more than 15 bytes, whitespace or '/'."""
    name = sel.interface or ""
    return len(name.encode("utf-8", "surrogatepass")) > 15 or any(c in name for c in " \t\n\v\f\r/")


# ------------------------------------------------------------------ ML405


@checks(INTERFACE_CONFLICT, local=True)
def interface_conflict(ctx: Context) -> Iterator[Finding]:
    for uses in _per_workload(ctx.project).values():
        use = uses.get(NETWORKS_ANNOTATION)
        if use is None:
            continue
        primary = "eth0"
        default = uses.get(DEFAULT_NETWORK_ANNOTATION)
        if default is not None:
            d = _entries(default)
            if len(d) == 1 and d[0].ok and not d[0].iface_errors and d[0].interface:
                primary = d[0].interface  # the default network's delegate takes the requested name
        for sel, name, other in interface_clashes(_entries(use), primary):
            requested = sel.interface or None
            yield ctx.finding(INTERFACE_CONFLICT, use.selection_site(sel, sel.iface_offset if requested else None),
                              _conflict_message(sel, name, requested, other, primary))


def _conflict_message(sel: Selection, name: str, requested: str | None, other: int | None,
                      primary: str) -> str:
    how = f"requests '{name}'" if requested else f"is auto-named '{name}' (position {sel.index + 1})"
    if other is None and name in PRESENT_INTERFACES and name != primary:
        whose = "the loopback interface every pod network namespace already has"
    elif other is None:
        whose = f"the pod's cluster network interface {primary}"
    else:
        whose = f"entry {other + 1}" + ("" if requested else f", which requested '{name}'")
    return (f"network entry {sel.index + 1} ('{sel.name}') {how}, already taken by {whose}; the pod fails "
            f"at start with 'interface name {name} already exists': give each attachment its own name")


# ------------------------------------------------------------------ ML406


def isolation_settings(project: Project) -> list[tuple[list[str], Any]]:
    """(global namespaces, site of the setting) for each Multus deployment with isolation on."""

    def build() -> list[tuple[list[str], Any]]:
        out: list[tuple[list[str], Any]] = []
        for rel in project.judged_releases:
            # the thin DaemonSet turns cni_conf into flags; with the thick plugin the daemon reads
            # daemon_conf (daemon-config.json), which it overlays on the generated config
            section = "daemon_conf" if rel.get(("thickPlugin", "enabled")) is True else "cni_conf"
            if rel.get(("config", section, "namespaceIsolation")) is True:
                out.append((_global_namespaces(rel.get(("config", section, "globalNamespaces"))),
                            rel.site(("config", section, "namespaceIsolation"))))
        from multus_lint.model.multus_daemonset import MultusDaemonSet

        for doc in project.daemonsets:
            for c in MultusDaemonSet(doc).multus_containers:
                on, glob = _isolation_flags(c.args)
                if on:
                    out.append((_global_namespaces(glob), doc.name_site()))
        return out

    return project.cached("namespace-isolation", build)  # type: ignore[no-any-return]


def _isolation_flags(args: list[str]) -> tuple[bool, str | None]:
    on, glob = False, None
    for i, a in enumerate(args):
        flag, eq, val = a.lstrip("-").partition("=")
        if not a.startswith("-"):
            continue
        if flag == "namespace-isolation":
            on = (val.lower() in ("true", "1", "t")) if eq else True  # Go bool flag
        elif flag == "global-namespaces":
            glob = val if eq else (args[i + 1] if i + 1 < len(args) else None)
    return on, glob


def _global_namespaces(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value]
    if isinstance(value, str) and value.strip():
        return [v.strip() for v in value.split(",")]
    return ["default"]


def _certainly_missing(ctx: Context, ref: Any) -> bool:
    """ML402 calls the NAD missing (an error): none is known, and no NAD of its name may be
    deployed where the reference looks (a Flux path with a variable, a NAD whose manifest sets
    no namespace)."""
    return not known_network(ctx, ref.namespace, ref.name) and ref.name not in unresolved_nads(ctx.project) \
        and ref.name not in _unset_namespace(ctx.project)


@checks(CROSS_NAMESPACE)
def cross_namespace(ctx: Context) -> Iterator[Finding]:
    settings = isolation_settings(ctx.project)
    for ref in network_refs(ctx.project):
        if ref.origin == "default-network" or not ref.explicit_namespace or ref.namespace == ref.pod_namespace \
                or not ctx.reported(ref.doc):
            continue
        if getattr(ref.doc, "unsure", None):
            # kustomize transformers not applied here (a `transformers:` NamespaceTransformer,
            # replacements) may give the pod another namespace than the one judged: as ML402
            continue
        blocked = [glob for glob, _ in settings if ref.namespace not in glob]
        if blocked:
            allowed = ", ".join(blocked[0]) or "none"
            yield ctx.finding(CROSS_NAMESPACE, ref.site,
                              f"network {ref.namespace}/{ref.name} is in another namespace than the pod "
                              f"('{ref.pod_namespace}') and the project's Multus config turns namespace "
                              f"isolation on with global namespaces [{allowed}]: Multus refuses the pod "
                              f"(annotation violates permission); create the NAD in '{ref.pod_namespace}' "
                              f"or add '{ref.namespace}' to globalNamespaces")
        elif settings:
            yield ctx.finding(CROSS_NAMESPACE, ref.site,
                              f"network {ref.namespace}/{ref.name} is in another namespace than the pod "
                              f"('{ref.pod_namespace}'); allowed because '{ref.namespace}' is in the Multus "
                              "globalNamespaces", severity="info")
        elif not _certainly_missing(ctx, ref):  # else ML402's error: it never works
            yield ctx.finding(CROSS_NAMESPACE, ref.site,
                              f"network {ref.namespace}/{ref.name} is in another namespace than the pod "
                              f"('{ref.pod_namespace}'): it works while Multus namespace isolation is off, "
                              "and fails the pod once it is turned on", severity="info")


# ------------------------------------------------------------------ ML407


@checks(DEFAULT_NETWORK)
def default_network(ctx: Context) -> Iterator[Finding]:
    hints: dict[tuple[str, str], str] = {}
    key = DEFAULT_NETWORK_ANNOTATION
    for use in _pod_uses(ctx.project, (key,)):
        if not ctx.reported(use.doc):
            continue
        p = use.parsed
        problem = None
        hint = ""
        site = use.key_site()
        if p is None:
            if use.value is not None:
                problem = f"is a YAML {_yaml_type(use.value)}, not a string"
        elif p.error is not None:
            problem = f"is {p.error}"
            site = use.entry_site(p.error_offset)
        elif use.value == "":
            problem = "is empty: Multus fails with 'pod annotation does not have \"network\" as key'"
        elif not p.entries:
            problem = "names no network: Multus needs exactly one"
        elif len(p.entries) > 1 or p.truncated:
            problem = (f"names {len(p.entries) + p.truncated} networks: Multus allows exactly one "
                       "('more than one default network is specified')")
            site = use.selection_site(p.entries[1])
        elif not p.entries[0].ok:
            problem = f"is not valid: {'; '.join(p.entries[0].errors)}"
            site = use.selection_site(p.entries[0], p.entries[0].error_offset)
        else:
            sel = p.entries[0]
            ns = sel.namespace or MULTUS_NAMESPACE
            if not known_network(ctx, ns, sel.name):
                how = "" if sel.namespace else f" (an unqualified default network resolves in {MULTUS_NAMESPACE})"
                problem = (f"names '{sel.name}', but there is no NetworkAttachmentDefinition {ns}/{sel.name} "
                           f"in the project{how}")
                hint = missing_hint(ctx.project, ns, sel.name, hints)
                site = use.selection_site(sel)
        if problem:
            yield ctx.finding(DEFAULT_NETWORK, site, f"'{key}' {problem}; the pod will not start{hint}")


# ------------------------------------------------------------------ ML408


@checks(MULTIPLE_DEFAULT_ROUTES)
def multiple_default_routes(ctx: Context) -> Iterator[Finding]:
    for uses in _per_workload(ctx.project).values():
        use = uses.get(NETWORKS_ANNOTATION)
        if use is None or not _entries(use) or not ctx.reported(use.doc):
            continue  # Multus checks gateways only when the pod has networks
        ordered: list[tuple[AnnotationUse, Selection]] = []
        default = uses.get(DEFAULT_NETWORK_ANNOTATION)
        if default is not None and len(_entries(default)) == 1:
            ordered.append((default, _entries(default)[0]))  # the default network is delegate 0
        ordered += [(use, sel) for sel in _entries(use)]
        owners = {id(sel): owner for owner, sel in ordered}
        for sel, offset, family, prev, addr in ecmp_gateways([sel for _, sel in ordered]):
            nil = " (an empty gateway is a nil IP, which Multus counts as IPv6)" if addr is None else ""
            yield ctx.finding(MULTIPLE_DEFAULT_ROUTES, owners[id(sel)].entry_site(offset),
                              f"a second IPv{family} default-route{nil} in network entry {sel.index + 1} "
                              f"('{sel.name}'), after the one of '{prev.name}': Multus allows one IPv4 and "
                              "one IPv6 default route per pod and fails with 'multus does not support "
                              "ECMP for default-route'")


# ------------------------------------------------------------------ ML409


@checks(DEPRECATED_KEY, local=True)
def deprecated_key(ctx: Context) -> Iterator[Finding]:
    for use in annotation_uses(ctx.project, MULTUS_KEYS + (OLD_NETWORKS_STATUS_ANNOTATION,
                                                          NETWORK_STATUS_ANNOTATION)):
        if use.key == OLD_NETWORKS_STATUS_ANNOTATION:
            yield ctx.finding(DEPRECATED_KEY, use.key_site(),
                              f"'{use.key}' was removed (Multus writes '{NETWORK_STATUS_ANNOTATION}' now) and "
                              "is output, not input: delete it")
        elif use.key == NETWORK_STATUS_ANNOTATION:
            if use.workload.is_controller and not use.on_controller:
                yield ctx.finding(DEPRECATED_KEY, use.key_site(),
                                  f"'{use.key}' in a pod template: Multus writes it on every pod it "
                                  "attaches, so a value set here is overwritten and means nothing: delete it")
        elif not use.on_controller:
            for sel in _entries(use):
                if not sel.ok:
                    continue
                for key, offset in sel.deprecated_keys:
                    yield ctx.finding(DEPRECATED_KEY, use.entry_site(offset),
                                      f"'{key}' is the pre-3.2 spelling of 'interface' and is honoured only "
                                      "when 'interface' is empty: use \"interface\"")


# ------------------------------------------------------------------ ML410


@checks(UNUSED_NETWORK)
def unused_network(ctx: Context) -> Iterator[Finding]:
    project = ctx.project
    used = {(r.namespace, r.name) for r in network_refs(project)}
    # names written in entries Multus rejects, or on a controller's metadata, still show intent:
    # those are ML401/ML403, not a reason to call the NAD unused as well
    for use in annotation_uses(project, MULTUS_KEYS):
        home = MULTUS_NAMESPACE if use.key == DEFAULT_NETWORK_ANNOTATION else use.workload.namespace
        for sel in _entries(use):
            name, ns = sel.name, sel.namespace
            if "/" in name:
                ns, _, name = name.partition("/")
            if name:
                used.add((ns or home, name))
    if not used:
        return  # no workload here names any network: the NADs serve pods kept elsewhere
    if _references_may_change(project):
        return  # kustomize transformers not applied here may add or rewrite references
    used_names = {name for _, name in used}
    for nad in ctx.judged.nads:
        if nad.key not in used and not attached_by_dra_driver(project, nad):
            if nad.name in project.outside_ref_names:
                continue  # a pod in a file no cluster scope reaches names it (ML402's (rest) look-up)
            if (getattr(nad.doc, "unsure", None) or nad.doc.namespace is None) and nad.name in used_names:
                # its namespace comes from transformers not applied here, or it sets none and
                # is applied where `kubectl apply -n` puts it (ML402 says so of the reference)
                continue
            yield ctx.finding(UNUSED_NETWORK, nad.doc.name_site(),
                              f"NetworkAttachmentDefinition {nad.namespace}/{nad.name} is not referenced by "
                              "any workload in the project (no pod annotation or KubeVirt network names "
                              "it): remove it if it is a leftover")


def _references_may_change(project: Project) -> bool:
    """Whether kustomize transformers not applied here (replacements, vars, plugins,
    commonAnnotations with Multus keys: Instance.unsure) may change which NADs the workloads
    name. A workload's own annotation may be rewritten; one without any Multus annotation gains
    a reference only from a transformer input that writes a Multus key (a kustomization's
    commonAnnotations or replacements, a transformer config such as an AnnotationsTransformer:
    kustomize api/filters/annotations, api/filters/replacement). Judged from the files that
    mention Multus and the kustomizations, which a file named alone is judged with too: an
    unsure CronJob elsewhere in the repository, whose file no pre-commit run reads, turned
    ML410 off in the audit only."""
    annotated = {id(use.workload.doc) for use in annotation_uses(project, MULTUS_KEYS)}
    if any(getattr(w.doc, "unsure", None) and id(w.doc) in annotated for w in project.workloads):
        return True
    for doc in project.documents:  # the kind first: most documents are neither, and a text scan each
        kind = doc.kind
        transformer = isinstance(kind, str) and kind.endswith("Transformer") or \
            kind in ("Kustomization", "Component") and isinstance(doc.data, dict) \
            and any(doc.data.get(k) for k in (*VALUE_CHANGING, "commonAnnotations"))
        text = doc.source.text
        if transformer and text is not None and any(p in text for p in MULTUS_ANNOTATION_PREFIXES):
            return True
    return False


# ------------------------------------------------------------------ ML411


@checks(UNKNOWN_KEY, local=True)
def unknown_key(ctx: Context) -> Iterator[Finding]:
    for use in _pod_uses(ctx.project, MULTUS_KEYS):
        for sel in _entries(use):
            if not sel.ok:
                continue
            for key, offset in sel.unknown_keys:
                if "." in key:
                    continue  # implementation-specific keys (NPWG spec 4.1.2.1)
                yield ctx.finding(UNKNOWN_KEY, use.entry_site(offset),
                                  f"selection key '{key}' is not one Multus reads, and Go's JSON decoder drops "
                                  f"it silently{_key_hint(key)}")


def _key_hint(key: str) -> str:
    folded = key.lower().replace("-", "").replace("_", "")
    if folded == "ipamclaimreference":
        return " (it exists in the NPWG spec v1.3, but Multus's parser ignores it)"
    best = KEY_HINTS.get(folded) or closest(key, FIELDS)
    return f"; did you mean '{best}'?" if best else ""


# ------------------------------------------------------------------ ML412


@checks(MULTIPLE_IPS_HOST_LOCAL)
def multiple_ips_host_local(ctx: Context) -> Iterator[Finding]:
    for ref in network_refs(ctx.project, ("annotation",)):
        sel, use = ref.selection, ref.use
        if sel is None or use is None or not sel.ok or not ctx.reported(ref.doc):
            continue
        ips = sel.keys.get("ips")
        if not isinstance(ips, list) or len(ips) < 2:
            continue
        nad = ctx.project.nad_index.get((ref.namespace, ref.name))
        if nad is None or nad.config is None:
            continue  # the IPAM is unknown: static and whereabouts accept the list
        if not any(getk(ipam, "type") == "host-local" for _, ipam, _ in nad.config.ipams()):
            continue
        joined = ",".join(str(ip) for ip in ips)
        yield ctx.finding(MULTIPLE_IPS_HOST_LOCAL, use.entry_site(sel.key_offsets.get("ips", sel.offset)),
                          f"{len(ips)} ips in one element for '{ref.name}', whose IPAM is host-local: "
                          f"Multus passes them as the one CNI arg IP={joined} (pkg/multus/multus.go "
                          "DelegateAdd, every release; multus-cni#647), which host-local reads as a single "
                          "address, so the pod fails with `error parsing value of pair \"IP=...\": invalid "
                          "IP address`; use static IPAM for several addresses, or one address per element")


# ------------------------------------------------------------------ ML413

# keys of Multus (and the NPWG spec) that are not its input and are judged elsewhere (ML409)
_OTHER_MULTUS_KEYS = frozenset({NETWORK_STATUS_ANNOTATION, OLD_NETWORKS_STATUS_ANNOTATION,
                                "k8s.v1.cni.cncf.io/resourceName"})


def _within(a: str, b: str, limit: int) -> bool:
    """Levenshtein distance of a and b at most ``limit`` (banded: keys are short, limit tiny)."""
    if abs(len(a) - len(b)) > limit:
        return False
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        if min(cur) > limit:
            return False
        prev = cur
    return prev[-1] <= limit


def misspelled_multus_key(key: str) -> str | None:
    """The Multus input key that ``key`` is a misspelling of, or None."""
    if key in MULTUS_KEYS or key in _OTHER_MULTUS_KEYS:
        return None
    prefix, _, name = key.rpartition("/")
    if name.lower() in ("networks", "network") and prefix.lower().endswith("cni.cncf.io"):
        return NETWORKS_ANNOTATION
    low = key.lower()
    for right, right_low in _MULTUS_KEYS_LOW:
        # one edit or one swap leaves the first or the last five characters as they were
        # (every Multus key is longer than ten): most keys are ruled out without the edit
        # distance, which was a fifth of an audit's judging
        if abs(len(low) - len(right_low)) > 1 or (low[:5] != right_low[:5] and low[-5:] != right_low[-5:]):
            continue
        # one character off, or two neighbours swapped: a typo. Two edits is a different key
        # (a Multus fork built with `-X ...k8sclient.annotation=mynetworks` reads
        # k8s.v1.cni.cncf.io/mynetworks on purpose)
        if low == right_low or _within(key, right, 1) or _swapped(key, right):
            return right
    return None


_MULTUS_KEYS_LOW = tuple((k, k.lower()) for k in MULTUS_KEYS)
assert all(len(k) > 10 for k in MULTUS_KEYS)  # what the five-character test above relies on


def _swapped(a: str, b: str) -> bool:
    """a is b with two neighbouring characters exchanged."""
    if len(a) != len(b) or a == b:
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


@checks(MISSPELLED_KEY, local=True)
def misspelled_key(ctx: Context) -> Iterator[Finding]:
    for w in ctx.project.workloads:
        annotations = w.pod_annotations
        if not isinstance(annotations, dict):
            continue
        for key in annotations:
            if not isinstance(key, str) or "/" not in key:
                continue
            right = misspelled_multus_key(key)
            if right is None:
                continue
            yield ctx.finding(MISSPELLED_KEY, w.doc.site(*w.pod_annotations_path, key),
                              f"'{key}' is not an annotation Multus reads: it looks up exactly '{right}' "
                              "(pkg/k8sclient/k8sclient.go), so the pod starts without these networks; "
                              f"use '{right}'")
