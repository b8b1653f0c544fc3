"""NetworkAttachmentDefinitions that operators create from custom resources of the project.

A pod naming such a network resolves once the operator has reconciled the CR, so ML402 and
the other reference rules must count it as existing, though no NAD manifest is in the
repository. Each entry is the CR kind and API group, and the namespace of the NAD it renders
when ``spec.networkNamespace`` is empty, as the operators' code sets it:

* k8snetworkplumbingwg/sriov-network-operator ``api/v1/helper.go``,
  ``SriovNetwork.RenderNetAttDef`` / ``SriovIBNetwork.RenderNetAttDef`` / ``OVSNetwork``:
  name = the CR's name, namespace = ``spec.networkNamespace`` or the CR's own namespace.
* Mellanox/network-operator ``pkg/state/state_macvlan_network.go`` (and the hostdevice and
  ipoib states) ``getManifestObjects``: name = the CR's name, namespace =
  ``spec.networkNamespace`` or ``"default"`` (the CRs are cluster-scoped).
* ovn-org/ovn-kubernetes ``go-controller/pkg/clustermanager/userdefinednetwork``:
  a ``UserDefinedNetwork`` gets a NAD of its name in its own namespace
  (``template.RenderNetAttachDefManifest``: Name = udn.Name); a ``ClusterUserDefinedNetwork``
  one of its name in every namespace its ``spec.namespaceSelector`` selects
  (``controller.go`` ``syncClusterUDN``: NAD ``<namespace>/<cudn.Name>`` per affected
  namespace). Which namespaces carry the selected labels is cluster state, so a CUDN's NAD
  counts as existing in any namespace.
* openshift/cluster-network-operator: the ``cluster`` Network (operator.openshift.io) lists
  ``spec.additionalNetworks``; each becomes a NAD named ``name`` in ``namespace``, else
  ``default`` (pkg/network/additional_networks.go renderRawCNIConfig;
  bindata/network/additional-networks/raw/network-attachment.yaml: ``getOr ...
  "AdditionalNetworkNamespace" "default"``).
* octelium/octelium: its genesis creates the NAD ``octelium`` in namespace ``octelium`` when
  the cluster is initialised (cluster/genesis/genesis cmd_init.go ``setNadConfig``, namespace
  ``vutils.K8sNS``), and nocturne puts ``k8s.v1.cni.cncf.io/networks: octelium/octelium`` on
  the Deployments it runs for Octelium Services, whose pods carry
  ``octelium.com/component: svc`` (cluster/nocturne/nocturne/controllers/services
  controller.go ``getPodAnnotations``, ``getPodLabels``). A workload of namespace octelium
  with an ``octelium.com/component`` pod label is Octelium's own, so that NAD exists (the
  workload itself is the evidence: naming its file alone judges it the same way).
* spidernet-io/spiderpool: a SpiderMultusConfig makes its controller create the NAD of the
  CR's name (or its ``multus.spidernet.io/cr-name`` annotation) in the CR's namespace
  (pkg/multuscniconfig/multusconfig_informer.go ``syncHandler``, ``generateNetAttachDef``).
* cnrancher/rancher-flat-network: its namespace controller creates the NAD
  ``rancher-flat-network`` in every namespace (pkg/controller/namespace namespace.go
  ``syncNamespace``: ``netAttatchDefName`` in ``ns.Name`` for each namespace it is told of),
  and its pods choose a ``FlatNetworkSubnet`` with the ``flatnetwork.pandaria.io/subnet``
  annotation (pkg/apis/flatnetwork.pandaria.io/v1 types.go ``AnnotationSubnet``). A
  FlatNetworkSubnet of the project, or a pod template carrying that annotation (the
  workload itself is the evidence, as Octelium's), says the operator runs: the NAD exists
  in any namespace.
"""

from __future__ import annotations

from typing import Any

from multus_lint.load.document import get_path

# (API group, kind) -> namespace of the NAD when spec.networkNamespace is empty
# (None: the CR's own namespace)
GENERATORS: dict[tuple[str, str], str | None] = {
    ("sriovnetwork.openshift.io", "SriovNetwork"): None,
    ("sriovnetwork.openshift.io", "SriovIBNetwork"): None,
    ("sriovnetwork.openshift.io", "OVSNetwork"): None,
    ("mellanox.com", "MacvlanNetwork"): "default",
    ("mellanox.com", "HostDeviceNetwork"): "default",
    ("mellanox.com", "IPoIBNetwork"): "default",
    ("k8s.ovn.org", "UserDefinedNetwork"): None,
    ("spiderpool.spidernet.io", "SpiderMultusConfig"): None,
}
# the annotation that names the NAD instead of the CR's own name: spiderpool's
# MultusConfigController.syncHandler (pkg/multuscniconfig/multusconfig_informer.go) creates
# the NAD netAttachName = the CR's name, or this annotation's value, in the CR's namespace
NAME_ANNOTATIONS = {("spiderpool.spidernet.io", "SpiderMultusConfig"): "multus.spidernet.io/cr-name"}
# cluster-scoped CRs whose NAD is created in every namespace the CR selects
ANY_NAMESPACE = {("k8s.ovn.org", "ClusterUserDefinedNetwork")}
# multi-nic-cni's operator makes a NAD of the MultiNicNetwork's name in each namespace of
# spec.namespaces, or in every namespace when it lists none (foundation-model-stack/multi-nic-cni
# internal/plugin/net_attach_def.go generate, getNamespace, NetToDef)
MULTI_NIC_NETWORK = ("multinic.fms.io", "MultiNicNetwork")


# the NAD Octelium's genesis creates (namespace, name)
OCTELIUM_NAD = ("octelium", "octelium")
# rancher-flat-network's NAD (in every namespace), its API group and its pods' subnet annotation
FLAT_NETWORK_NAD = "rancher-flat-network"
FLAT_NETWORK_GROUP = "flatnetwork.pandaria.io"
FLAT_NETWORK_SUBNET_ANNOTATION = "flatnetwork.pandaria.io/subnet"
_POD_TEMPLATE_KINDS = ("Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job")


def _flat_network_pod(doc: Any, meta: tuple[str, ...]) -> bool:
    """A workload whose pod template asks rancher-flat-network for a subnet; ``meta``: the
    path of its pod template's metadata (model.project.POD_TEMPLATE_META)."""
    annotations = get_path(doc.data, meta + ("annotations",))
    return isinstance(annotations, dict) and isinstance(annotations.get(FLAT_NETWORK_SUBNET_ANNOTATION), str)


def _octelium_component(doc: Any) -> bool:
    """A workload whose pod template carries Octelium's ``octelium.com/component`` label."""
    if doc.kind not in _POD_TEMPLATE_KINDS or not doc.api_version.startswith(("apps/", "batch/")):
        return False
    labels = get_path(doc.data, ("spec", "template", "metadata", "labels"))
    return isinstance(labels, dict) and isinstance(labels.get("octelium.com/component"), str)


class _Generated(dict):  # type: ignore[type-arg]
    """(namespace, name) -> CR; a key ("*", name) stands for the NAD in any namespace."""

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or (
            isinstance(key, tuple) and len(key) == 2 and dict.__contains__(self, ("*", key[1])))

    def get(self, key: Any, default: Any = None) -> Any:
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        if isinstance(key, tuple) and len(key) == 2:
            return dict.get(self, ("*", key[1]), default)
        return default


def generated_nads(project: Any) -> dict[tuple[str, str], Any]:
    """(namespace, name) -> the CR document that makes an operator create that NAD."""

    def build() -> dict[tuple[str, str], Any]:
        from multus_lint.model.project import POD_TEMPLATE_META

        out: dict[tuple[str, str], Any] = _Generated()
        for doc in project.documents:
            # each object's kind and group read once (every object of the project passes
            # here: 10,000 in the many-findings audit, before its first missing network)
            kind = doc.kind
            group = doc.api_version.partition("/")[0]
            if (group, kind) in ANY_NAMESPACE and doc.name:
                out.setdefault(("*", doc.name), doc)
                continue
            if (group, kind) == MULTI_NIC_NETWORK and doc.name:
                listed = get_path(doc.data, ("spec", "namespaces"))
                listed = [n for n in listed if isinstance(n, str) and n] if isinstance(listed, list) else []
                for ns in listed or ["*"]:
                    out.setdefault((ns, doc.name), doc)
                continue
            if (group, kind) == ("operator.openshift.io", "Network"):
                extra = get_path(doc.data, ("spec", "additionalNetworks"))
                for an in extra if isinstance(extra, list) else ():
                    name = an.get("name") if isinstance(an, dict) else None
                    if isinstance(name, str) and name:
                        ns = an.get("namespace")
                        out.setdefault((ns if isinstance(ns, str) and ns else "default", name), doc)
                continue
            meta = POD_TEMPLATE_META.get(kind)
            if (group, kind) == (FLAT_NETWORK_GROUP, "FlatNetworkSubnet") or \
                    (meta is not None and _flat_network_pod(doc, meta)):
                out.setdefault(("*", FLAT_NETWORK_NAD), doc)
                continue
            if doc.namespace == OCTELIUM_NAD[0] and _octelium_component(doc):
                out.setdefault(OCTELIUM_NAD, doc)
                continue
            if (group, kind) not in GENERATORS or not doc.name:
                continue
            target = get_path(doc.data, ("spec", "networkNamespace"))
            if not isinstance(target, str) or not target:
                fallback = GENERATORS[(group, kind)]
                target = fallback if fallback is not None else (doc.namespace or "default")
            name = doc.name
            renamed = NAME_ANNOTATIONS.get((group, kind))
            if renamed is not None:
                given = doc.annotations.get(renamed)
                name = given if isinstance(given, str) and given else name
            out.setdefault((target, name), doc)
        return out

    return project.cached("generated-nads", build)  # type: ignore[no-any-return]
