"""The node count from a project's Ansible inventories (lint/model/ansible_inventory.py).

A homelab repository that installs K3s with Ansible onto one machine lists that machine in
its inventory: the profile then has one node, and ML203 (host-local-multi-node) is silent.
Read as Ansible reads inventories (lib/ansible/plugins/inventory/yaml.py, ini.py), counted
only when nothing says more (a K3s agent config, several clusters, a dynamic inventory), and
the same whichever files are named: a pre-commit run naming the NAD alone, with or without
the cache, gives the audit's verdict.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from multus_lint.load.discover import inventory_place
from multus_lint.model.ansible_inventory import (
    InventoryError,
    expand_host_pattern,
    ini_hosts,
    read_inventories,
    text_hosts,
    yaml_hosts,
)

# ------------------------------------------------------------------ host patterns

@pytest.mark.parametrize(("pattern", "hosts"), [
    ("node1", ["node1"]),
    ("node1.lan:2222", ["node1.lan"]),  # a port is not part of the host
    ("[fe80::1]:22", ["fe80::1"]),
    ("10.0.0.5", ["10.0.0.5"]),
    ("node[01:03]", ["node01", "node02", "node03"]),  # zero-padded: the width kept
    ("node[1:3]", ["node1", "node2", "node3"]),
    ("node[:2]", ["node0", "node1", "node2"]),  # no begin: 0
    ("db[1:6:2]", ["db1", "db3", "db5"]),  # a step
    ("rack[a:c]", ["racka", "rackb", "rackc"]),  # alphabetic
    ("n[1:2]-[a:b].lan:22", ["n1-a.lan", "n1-b.lan", "n2-a.lan", "n2-b.lan"]),  # several ranges
    ("node[3:1]", []),  # a numeric range going down: nothing (range() is empty), not an error
])
def test_host_patterns_expand_as_ansible_does(pattern: str, hosts: list[str]) -> None:
    assert list(expand_host_pattern(pattern)) == hosts


@pytest.mark.parametrize("pattern", ["node[01:3]", "node[1:]", "node[1]", "node[c:a]", "node[1:x]", 42, None])
def test_bad_host_patterns_fail_the_file(pattern: object) -> None:
    """expand_hostname_range's errors (unequal padding, no end, one bound, begin > end, a
    bound that is neither a number nor a letter) and a host that is not a string
    (yaml.py _parse_host: "Enclose integers/floats in quotation marks")."""
    with pytest.raises(InventoryError):
        list(expand_host_pattern(pattern))


# ------------------------------------------------------------------ YAML inventories

def test_yaml_groups_children_and_string_sections() -> None:
    hosts = yaml_hosts({
        "all": {"vars": {"ansible_user": "admin"}, "children": {
            "k3s_cluster": {"children": {"server": {"hosts": {"s1": {"ansible_host": "10.0.0.2"}}},
                                         "agent": {"hosts": None}}},
            "nas": {"hosts": "storage-1"},  # a string is {string: None}
            "empty": None}},
        "ungrouped": {"hosts": {"s1": None}},  # the same host again
    })
    assert hosts is not None and hosts.clean
    assert sorted(hosts.names) == ["s1", "storage-1"]


@pytest.mark.parametrize("data", [
    {"all": {"hosts": ["node1"]}},  # hosts must be a mapping: Ansible fails the file
    {"all": {"children": ["server"]}},
    {"all": {"hosts": {42: None}}},
    [],
    {},
    "node1",
])
def test_yaml_inventories_ansible_refuses_give_no_hosts(data: object) -> None:
    assert yaml_hosts(data) is None


def test_a_vars_file_gives_no_hosts() -> None:
    hosts = yaml_hosts({"k3s_version": "v1.31.4+k3s1", "extra_args": ["--disable=traefik"]})
    assert hosts is not None and not hosts.names


def test_an_inventory_plugin_config_is_dynamic() -> None:
    assert yaml_hosts({"plugin": "community.general.proxmox", "url": "https://pve:8006"}).dynamic
    assert yaml_hosts({"plugin": "constructed", "groups": {"k3s": "true"}}).dynamic is None


def test_a_group_with_other_keys_is_not_clean() -> None:
    """Ansible skips the unknown key with a warning and still takes the hosts: they are not
    counted as one node's, nor left out (the count stays unknown)."""
    hosts = yaml_hosts({"all": {"hosts": {"a": None}, "host": {"b": None}}})
    assert hosts is not None and not hosts.clean and list(hosts.names) == ["a"]
    found = read_inventories([("inventory/hosts.yml", [{"all": {"hosts": {"a": None}, "host": {"b": None}}}])], [])
    assert found.unclear and found.one_host() is None


# ------------------------------------------------------------------ INI inventories

K3S_ANSIBLE_INI = """\
# k3s-io/k3s-ansible's hosts.ini
[server]
192.168.1.10 ansible_user=pi   # the only server

[agent]

[k3s_cluster:children]
server
agent

[k3s_cluster:vars]
k3s_version=v1.31.4+k3s1
"""


def test_ini_sections_vars_and_children() -> None:
    hosts = ini_hosts(K3S_ANSIBLE_INI)
    assert hosts is not None and hosts.clean and list(hosts.names) == ["192.168.1.10"]


@pytest.mark.parametrize("text", [
    "127.0.0.1 localhost\n::1 ip6-localhost\n",  # /etc/hosts: a token without '='
    "[k3s:vars]\nx=1\n",  # :vars of a group never declared
    "[all:children]\nmissing\n",  # a child group never declared
    "[k3s:oops]\nnode1\n",  # an unknown section type
    "[k3s]\nnode1:\n",  # a host ending in ':'
    "[ k3s ]\nnode1\n",  # an invalid section entry
    "[k3s]\nnode1 'unterminated\n",
    "[k3s]\nnode[01:3]\n",
])
def test_ini_files_ansible_refuses_give_no_hosts(text: str) -> None:
    assert ini_hosts(text) is None


def test_ini_without_sections_is_not_clean() -> None:
    """Lines before any section are ``ungrouped`` hosts, but a file of bare names is not
    plainly an inventory: its hosts leave the count unknown."""
    hosts = ini_hosts("node1\n")
    assert hosts is not None and not hosts.clean and list(hosts.names) == ["node1"]


def test_files_without_extension_are_yaml_first_then_ini() -> None:
    assert list(text_hosts("inventory/prod", "all:\n  hosts:\n    a:\n      pw: !vault |\n        $ANSIBLE\n").names) == ["a"]
    assert list(text_hosts("hosts", "[k3s]\nb\n").names) == ["b"]
    assert text_hosts("inventory/aws", "#!/usr/bin/env python3\nprint('{}')\n").dynamic
    assert text_hosts("inventory/hosts.toml", "[k3s.hosts]\na = {}\n").dynamic
    assert text_hosts("inventory/setup.sh", "echo hi\n") is None  # no #!: no plugin takes it


# ------------------------------------------------------------------ places

@pytest.mark.parametrize(("rel", "kind"), [
    ("inventory/hosts.yml", "yaml"),
    ("ansible/inventory/prod.yaml", "yaml"),
    ("inventories/staging/hosts", "text"),
    ("inventory/my-cluster/hosts.ini", "text"),
    ("hosts.ini", "text"),
    ("hosts.yaml", "yaml"),
    ("hosts", "text"),
    ("ansible/inventory.yml", "yaml"),
    ("inventory/dynamic.py", "text"),
    ("inventory/group_vars/all.yml", None),  # variables, not hosts
    ("inventory/host_vars/node1.yml", None),
    ("group_vars/hosts.yml", None),
    ("inventory/.hidden.yml", None),
    ("inventory/README.md", None),
    ("apps/web/deployment.yaml", None),
    ("apps/hosts.txt", None),
])
def test_inventory_places(rel: str, kind: str | None) -> None:
    assert inventory_place(rel) == kind


# ------------------------------------------------------------------ the project's count

def test_one_host_named_in_several_files_is_one() -> None:
    found = read_inventories([("inventory/hosts.yml", [{"k3s": {"hosts": {"lab": None}}}])],
                             [("inventory/extra.ini", "[monitored]\nlab\n")])
    assert found.one_host() == ("inventory/hosts.yml", "lab")


@pytest.mark.parametrize("inventory", [
    {"all": {"hosts": {"localhost": {"ansible_connection": "local"}}}},
    {"all": {"hosts": {"ctl": {"ansible_connection": "local"}}}},
    {"all": {"hosts": {"127.0.0.1": None}}},
])
def test_the_controller_alone_says_nothing_of_the_nodes(inventory: dict) -> None:
    """An inventory of localhost alone runs the playbooks from there (against the API,
    kubernetes.core): the cluster's nodes are not in it."""
    assert read_inventories([("inventory.yml", [inventory])], []).one_host() is None


def test_several_documents_fail_the_file() -> None:
    found = read_inventories([("inventory/hosts.yml", [{"k3s": {"hosts": {"a": None}}}, None])], [])
    assert found.one_host() is None and not found.hosts


# ------------------------------------------------------------------ end to end

NAD = """\
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: lan
  namespace: apps
spec:
  config: '{"cniVersion": "0.3.1", "type": "macvlan", "master": "eth0", "ipam": {"type": "host-local", "subnet": "10.9.0.0/24"}}'
"""
ONE_YAML = "k3s_cluster:\n  children:\n    server:\n      hosts:\n        homelab:\n          ansible_host: 10.0.0.2\n"

# layout name -> (files, what ML203 says: None for nothing, else its severity)
LAYOUTS: dict[str, tuple[dict[str, str], str | None]] = {
    "ini-one": ({"inventory/my-cluster/hosts.ini": K3S_ANSIBLE_INI}, None),
    "yaml-one": ({"inventory/hosts.yml": ONE_YAML}, None),
    "hosts-without-extension": ({"ansible/hosts": "[k3s]\nhomelab ansible_host=10.0.0.2\n"}, None),
    "inventory-yaml-at-ansible-root": ({"ansible/inventory.yaml": "all:\n  hosts:\n    homelab:\n"}, None),
    "same-host-in-two-files": ({"inventory/hosts.yml": ONE_YAML, "inventory/extra.ini": "[monitored]\nhomelab\n"},
                               None),
    "one-cluster-folder": ({"inventory/hosts.yml": ONE_YAML, "clusters/main/apps/nad.yaml": NAD}, None),
    "ini-range": ({"inventory/hosts.ini": "[nodes]\nnode[01:03]\n"}, "warning"),
    "yaml-two": ({"inventory/hosts.yml": "all:\n  hosts:\n    a:\n    b:\n"}, "warning"),
    "two-environments": ({"inventories/prod/hosts.yml": "all:\n  hosts:\n    prod-1:\n",
                          "inventories/staging/hosts.ini": "[k3s]\nstaging-1\n"}, "warning"),
    "localhost-only": ({"inventory.yml": "all:\n  hosts:\n    localhost:\n      ansible_connection: local\n"},
                       "warning"),
    "plugin-beside": ({"inventory/hosts.yml": ONE_YAML,
                       "inventory/pve.proxmox.yml": "plugin: community.general.proxmox\nurl: https://pve:8006\n"},
                      "warning"),
    "script-beside": ({"inventory/hosts.yml": ONE_YAML, "inventory/dyn.py": "#!/usr/bin/env python3\nprint('{}')\n"},
                      "warning"),
    "etc-hosts-copy": ({"files/hosts": "127.0.0.1 localhost\n10.0.0.2 homelab\n"}, "warning"),
    "not-an-inventory": ({"hosts.yaml": "hosts:\n  - homelab\n"}, "warning"),
    "agent-config-wins": ({"inventory/hosts.yml": ONE_YAML,
                           "nodes/agent/k3s/config.yaml": "server: https://10.0.0.2:6443\ntoken: x\n"}, "error"),
    "agent-vars-win": ({"inventory/hosts.yml": ONE_YAML,
                        "inventory/group_vars/agent.yml": "k3s_agent:\n  server: https://10.0.0.2:6443\n"
                                                           "  node-ip: 10.0.0.3\n"}, "error"),
    "config-wins": ({"inventory/hosts.yml": ONE_YAML, ".multus-lint.yaml": "cluster:\n  nodes: 3\n"}, "error"),
    "two-cluster-folders": ({"inventory/hosts.yml": ONE_YAML, "clusters/a/nad.yaml": NAD,
                             "clusters/b/apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"},
                            "warning"),
    "kind-two-nodes-wins": ({"inventory/hosts.yml": ONE_YAML,
                             "kind.yaml": "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n"
                                          "  - role: control-plane\n  - role: worker\n"}, "warning"),
}


def _nad_path(files: dict[str, str]) -> str:
    return next((p for p in files if p.endswith("nad.yaml")), "nad.yaml")


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each layout in a git repository of its own, its files tracked and left alone past the
    racy margin (load.cache.RACY_NS), as pre-commit sees one."""
    out = {}
    for name, (files, _) in LAYOUTS.items():
        root = tmp_path_factory.mktemp(name)
        for rel, text in {**files, _nad_path(files): NAD}.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)
        subprocess.run(["git", "-C", str(root), "add", "-A"], check=True, capture_output=True)
        out[name] = root
    time.sleep(2.1)
    return out


def _ml203(root: Path, *args: str) -> list[str]:
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--format", "json", "--select", "ML203", *args],
                          cwd=root, capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    return [f["severity"] for f in json.loads(proc.stdout)["findings"]]


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_ml203_by_inventory(name: str, repos: dict[str, Path], tmp_path: Path) -> None:
    files, expected = LAYOUTS[name]
    root, nad = repos[name], _nad_path(files)
    want = [] if expected is None else [expected]
    cache = ["--cache-dir", str(tmp_path / "cache")]
    assert _ml203(root, "--no-cache", ".") == want, "audit"
    # pre-commit: the NAD alone, the rest read as context; cold, then warm (replayed), cache
    assert _ml203(root, "--no-cache", nad) == want, "named alone"
    assert _ml203(root, *cache, nad) == want, "named alone, cold cache"
    assert _ml203(root, *cache, nad) == want, "named alone, warm cache"
    assert _ml203(root, *cache, ".") == want, "audit, warm cache"


def test_print_profile_names_the_inventory(repos: dict[str, Path]) -> None:
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--no-cache", "--print-profile", "nad.yaml"],
                          cwd=repos["ini-one"], capture_output=True, text=True, timeout=120)
    line = next(s for s in proc.stdout.splitlines() if s.startswith("nodes"))
    assert " 1 " in line and "inventory/my-cluster/hosts.ini" in line and "192.168.1.10" in line, line


def test_an_edited_inventory_is_not_replayed(tmp_path: Path) -> None:
    """An INI inventory is no linted source: a replayed run must still see it change (its
    state is one of the run's extra reads), appear and go (the listing)."""
    root = tmp_path / "repo"
    (root / "inventory").mkdir(parents=True)
    (root / "nad.yaml").write_text(NAD)
    ini = root / "inventory" / "hosts.ini"
    ini.write_text("[k3s]\nhomelab\n")
    subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)
    cache = ["--cache-dir", str(tmp_path / "cache")]
    assert _ml203(root, *cache, "nad.yaml") == []
    assert _ml203(root, *cache, "nad.yaml") == []
    ini.write_text("[k3s]\nhomelab\nhomelab-2\n")
    assert _ml203(root, *cache, "nad.yaml") == ["warning"]
    ini.unlink()
    assert _ml203(root, *cache, "nad.yaml") == ["warning"]
    (root / "inventory" / "hosts").write_text("[k3s]\nhomelab\n")
    assert _ml203(root, *cache, "nad.yaml") == []
