"""KubeVirt objects as Multus consumers (lint/model/kubevirt.py), against KubeVirt's own code.

Run strategies: kubevirt staging/src/kubevirt.io/api/core/v1/types.go VirtualMachine.RunStrategy
(``running`` maps to Always/Halted, neither set is Halted, both set is an error); replicas:
pkg/virt-controller/watch/pool and replicaset calcDiff (1 when unset); bindings:
pkg/network/admitter/binding.go countInterfaceBindings (exactly one).
"""

from __future__ import annotations

import pytest
import yaml

from multus_lint.load.read import Limits, SourceFile
from multus_lint.model.kubevirt import attachments_of, launcher_pods
from multus_lint.model.project import build_project


def docs(text: str) -> list:
    src = SourceFile(path="vm.yaml", text=text)
    return build_project([src], ".", Limits()).documents


def vm(spec: dict, kind: str = "VirtualMachine", api: str = "kubevirt.io/v1") -> str:
    return yaml.safe_dump({"apiVersion": api, "kind": kind, "metadata": {"name": "v", "namespace": "vms"},
                           "spec": spec})


@pytest.mark.parametrize(("spec", "pods"), [
    ({"runStrategy": "Always"}, 1), ({"runStrategy": "RerunOnFailure"}, 1),
    ({"runStrategy": "Manual"}, 1), ({"runStrategy": "Once"}, 1),
    ({"runStrategy": "Halted"}, 0), ({"runStrategy": "WaitAsReceiver"}, 0),
    ({"running": True}, 1), ({"running": False}, 0), ({}, 0),
    ({"running": True, "runStrategy": "Always"}, 0),  # mutually exclusive: rejected
    ({"runStrategy": "always"}, 0),  # not a valid strategy: rejected by the admitter
])
def test_virtual_machine_pods_follow_the_run_strategy(spec: dict, pods: int) -> None:
    (doc,) = docs(vm(spec))
    assert launcher_pods(doc) == pods


@pytest.mark.parametrize(("spec", "pods"), [
    ({}, 1), ({"replicas": 3}, 3), ({"replicas": 0}, 0), ({"replicas": "${N}"}, 1),
])
def test_replica_sets_count_their_replicas(spec: dict, pods: int) -> None:
    (doc,) = docs(vm(spec, "VirtualMachineInstanceReplicaSet"))
    assert launcher_pods(doc) == pods


def test_pool_replicas_run_only_with_a_running_template() -> None:
    pool = {"replicas": 4, "virtualMachineTemplate": {"spec": {"runStrategy": "Always"}}}
    (doc,) = docs(vm(pool, "VirtualMachinePool", "pool.kubevirt.io/v1alpha1"))
    assert launcher_pods(doc) == 4
    pool["virtualMachineTemplate"]["spec"] = {"runStrategy": "Halted"}
    (doc,) = docs(vm(pool, "VirtualMachinePool", "pool.kubevirt.io/v1alpha1"))
    assert launcher_pods(doc) == 0


def test_bindings_and_attachment() -> None:
    spec = {"domain": {"devices": {"interfaces": [
        {"name": "a", "sriov": {}}, {"name": "b", "bridge": {}, "sriov": {}},
        {"name": "c", "bridge": None}, {"name": "d", "binding": {"name": "macvtap"}},
        {"name": "e", "bridge": {}, "state": "absent"}]}},
        "networks": [{"name": n, "multus": {"networkName": f"ns/{n}" if n == "a" else n}}
                     for n in "abcdef"]}
    (doc,) = docs(vm(spec, "VirtualMachineInstance"))
    got = {a.network_name: (a.binding, a.attached, a.namespace) for a in attachments_of(doc)}
    assert got == {"a": ("sriov", True, "ns"), "b": (None, False, "vms"), "c": (None, False, "vms"),
                   "d": ("binding", True, "vms"), "e": ("bridge", False, "vms"),
                   "f": (None, False, "vms")}


def test_not_kubevirt_is_ignored() -> None:
    (doc,) = docs(vm({"networks": [{"name": "a", "multus": {"networkName": "x"}}]},
                     "VirtualMachineInstance", "example.com/v1"))
    assert attachments_of(doc) == []


def test_a_run_strategy_of_another_type_is_not_running() -> None:
    """A mutated VirtualMachine (tests/test_fuzz_cli.py seed 14, case 1618) set
    ``runStrategy: [1, {a: [2]}]``: the set look-up raised TypeError (unhashable list) and
    cost ML206 its verdict (ML000). KubeVirt's API rejects a non-string run strategy, so the
    VM keeps nothing running."""
    from multus_lint.model.kubevirt import vm_running

    assert vm_running({"runStrategy": [1, {"a": [2]}]}) is False
    assert vm_running({"runStrategy": {"x": 1}}) is False
    assert vm_running({"runStrategy": "Always"}) is True
