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
}


def generated_nads(project: Any) -> dict[tuple[str, str], Any]:
    """(namespace, name) -> the CR document that makes an operator create that NAD."""

    def build() -> dict[tuple[str, str], Any]:
        out: dict[tuple[str, str], Any] = {}
        for doc in project.documents:
            group = doc.api_version.partition("/")[0]
            if (group, doc.kind) not in GENERATORS or not doc.name:
                continue
            target = get_path(doc.data, ("spec", "networkNamespace"))
            if not isinstance(target, str) or not target:
                fallback = GENERATORS[(group, doc.kind)]
                target = fallback if fallback is not None else (doc.namespace or "default")
            out.setdefault((target, doc.name), doc)
        return out

    return project.cached("generated-nads", build)  # type: ignore[no-any-return]
