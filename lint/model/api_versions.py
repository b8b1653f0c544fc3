"""Which apiVersion a current K3s serves for each kind multus-lint reads (ML008).

Old Multus manifests copied from blog posts carry API versions that Kubernetes removed long
ago (extensions/v1beta1 workloads in 1.16, the v1beta1 CRD API in 1.22, batch/v1beta1
CronJobs in 1.25). K3s serves what its Kubernetes release serves, so such an object is
rejected outright: ``no matches for kind "DaemonSet" in version "extensions/v1beta1"``.
Kinds served by add-ons (Flux, Argo CD, KubeVirt) are not judged: their versions depend on
the add-on release, not on K3s.
"""

from __future__ import annotations

from typing import Any

from multus_lint.load.document import Document, get_path
from multus_lint.records import dataclass

WORKLOADS = ("DaemonSet", "Deployment", "StatefulSet", "ReplicaSet")

# kind -> the one apiVersion every current K3s serves for it
SERVED: dict[str, str] = {
    "NetworkAttachmentDefinition": "k8s.cni.cncf.io/v1",
    "HelmChart": "helm.cattle.io/v1",
    "HelmChartConfig": "helm.cattle.io/v1",
    **{k: "apps/v1" for k in WORKLOADS},
    "CronJob": "batch/v1",
    "Job": "batch/v1",
    "Pod": "v1",
    "ReplicationController": "v1",
}

# (apiVersion, kind or "*") -> the Kubernetes release that stopped serving it
REMOVED: dict[tuple[str, str], str] = {
    **{("extensions/v1beta1", k): "1.16" for k in ("DaemonSet", "Deployment", "ReplicaSet")},
    **{("apps/v1beta1", k): "1.16" for k in ("Deployment", "StatefulSet")},
    **{("apps/v1beta2", k): "1.16" for k in WORKLOADS},
    ("batch/v1beta1", "CronJob"): "1.25",
    ("batch/v2alpha1", "CronJob"): "1.21",
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"): "1.22",
}

NAD_CRD_NAME = "network-attachment-definitions.k8s.cni.cncf.io"


@dataclass(repr=False, eq=False)
class Unserved:
    api_version: str
    expected: str
    removed_in: str | None  # a Kubernetes minor, when the version once existed
    note: str = ""


def is_nad_crd(doc: Document) -> bool:
    return doc.kind == "CustomResourceDefinition" and (
        doc.name == NAD_CRD_NAME
        or get_path(doc.data, ("spec", "names", "kind")) == "NetworkAttachmentDefinition")


def _group(version: str) -> str:
    return version.rpartition("/")[0]


def other_api(version: str, expected: str) -> bool:
    """Whether ``version`` names another API that has a kind of the same name (a CRD's
    ``Job`` of batch.volcano.sh, a ``Pod`` of some operator), not a misspelt built-in one.
    A CRD's group must hold a dot (k8s.io/apiextensions-apiserver pkg/apis/apiextensions/
    validation/validation.go ``ValidateCustomResourceDefinitionSpec``: "should be a domain
    with at least one dot"), and the built-in groups that do end in ``.k8s.io``; a dotless
    group (``app/v1``) can only be a built-in one, misspelt, and is still judged."""
    group = _group(version)
    return "." in group and group != _group(expected) and not group.endswith(".k8s.io")


# The built-in API groups without a dot (k8s.io/api: core "", apps, autoscaling, batch,
# extensions, policy); every other built-in group ends in .k8s.io, and a CRD's group must
# hold a dot (ValidateCustomResourceDefinitionSpec, above).
DOTLESS_BUILTIN_GROUPS = frozenset({"", "apps", "autoscaling", "batch", "extensions", "policy"})


def no_api_serves(version: object) -> bool:
    """Whether no Kubernetes API server can serve ``version``: a dotless group that is not a
    built-in one (``policyGenerator/v1``, openshift-kni ztp's PolicyGenTemplate, a kustomize
    generator config that its own tool reads). Such an object is input of a tool, never
    decoded by the API server."""
    if not isinstance(version, str) or "/" not in version:
        return False
    group = _group(version)
    return "." not in group and group not in DOTLESS_BUILTIN_GROUPS


def unserved(doc: Document) -> Unserved | None:
    """Why ``doc``'s apiVersion is not served by a current K3s, or None when it is (or when
    the kind is not one multus-lint reads, or the apiVersion is missing)."""
    version: Any = doc.data.get("apiVersion")
    kind = doc.kind
    if not isinstance(version, str) or not version.strip() or not kind:
        return None
    version = version.strip()
    if kind == "CustomResourceDefinition":
        if not is_nad_crd(doc) or version == "apiextensions.k8s.io/v1":
            return None
        return Unserved(version, "apiextensions.k8s.io/v1", REMOVED.get((version, kind)),
                        " (v1 also requires a structural schema under spec.versions[].schema)")
    expected = SERVED.get(kind)
    if expected is None or version == expected or other_api(version, expected):
        return None
    note = ""
    if kind in WORKLOADS and not isinstance(get_path(doc.data, ("spec", "selector")), dict):
        note = " (apps/v1 also requires spec.selector matching the pod template's labels)"
    return Unserved(version, expected, REMOVED.get((version, kind)), note)


# Every kind the groups of SERVED's non-core kinds serve (k8s.io/api apps/v1, batch/v1;
# k3s-io/helm-controller pkg/apis/helm.cattle.io/v1; the NAD CRD, multi-networkpolicy's
# MultiNetworkPolicy and k8snetworkplumbingwg/ipamclaims' IPAMClaim in k8s.cni.cncf.io):
# a kind of these groups that is none of them is rejected by the API server.
GROUP_KINDS: dict[str, frozenset[str]] = {
    "k8s.cni.cncf.io": frozenset({"NetworkAttachmentDefinition", "MultiNetworkPolicy", "IPAMClaim"}),
    "helm.cattle.io": frozenset({"HelmChart", "HelmChartConfig"}),
    "apps": frozenset({"DaemonSet", "Deployment", "StatefulSet", "ReplicaSet", "ControllerRevision"}),
    "batch": frozenset({"Job", "CronJob"}),
}


def misspelled_kind(doc: Document) -> tuple[str, str] | None:
    """(group, the kind meant) for a document whose kind is not served by its apiVersion's
    group but is written like one multus-lint reads (case, a typo): ``NetworkAttachementDefinition``.

    Kubernetes maps an object to its resource by the exact kind (k8s.io/apimachinery
    pkg/api/meta/restmapper.go DefaultRESTMapper.RESTMapping: kindToPluralResource[gvk], else
    NoKindMatchError "no matches for kind"), so `kubectl apply` rejects it and no rule judges it
    as the kind meant. Kinds far from every read kind are other tools' business: not judged."""
    version: Any = doc.data.get("apiVersion")
    kind = doc.kind
    if not isinstance(version, str) or "/" not in version or not isinstance(kind, str) or not kind:
        return None
    group = _group(version.strip())
    kinds = GROUP_KINDS.get(group)
    if kinds is None or kind in kinds:
        return None
    read = [k for k in kinds if SERVED.get(k, "").startswith(group + "/")]
    for k in read:
        if k.lower() == kind.lower():
            return group, k
    import difflib  # here: the test above sends nearly every object back first

    hit = difflib.get_close_matches(kind, read, n=1, cutoff=0.85)
    return (group, hit[0]) if hit else None
