"""K3s settings passed as command-line flags: in Ansible variables (model.foreign_formats
flag_settings, taken into the profile like a K3s config's value when literal) and in shell
scripts (model.profile.script_k3s_settings, which only ever unsettle a key, as templates do).

K3s parses its command line with urfave/cli v1 on a Go flag.FlagSet (k3s pkg/cli/cmds/server.go:
``Name: "data-dir,d"``, ``Name: "flannel-backend"``): one dash or two, ``=value`` or the next
argument, the last of a repeated flag wins."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from multus_lint.model.foreign_formats import _flags
from multus_lint.model.profile import script_k3s_settings

VARS = "inventory/group_vars/all.yml"


def flags(text: str, path: str = VARS) -> list[tuple[str, str, str, bool]]:
    """(variable, key, value, literal) of the flags a variables file passes."""
    return [(f[1], f[2], f[3], f[6]) for f in _flags(yaml.safe_load(text), path, text)]


@pytest.mark.parametrize("value", [
    '"--flannel-backend=none"', '"--flannel-backend none"', '"-flannel-backend=none"',
    "'--disable traefik --flannel-backend=\"none\"'", '["--flannel-backend", "none"]',
    '["--tls-san=a", "--flannel-backend=none"]', '"--flannel-backend=vxlan --flannel-backend=none"',
    ">-\n  --disable-network-policy\n  --flannel-backend=none",
])
def test_flag_syntax_as_go_flag_reads_it(value: str) -> None:
    assert flags(f"extra_server_args: {value}\n") == [("extra_server_args", "flannel-backend", "none", True)]


def test_jinja_filled_in_or_conditional_flags_are_not_literal() -> None:
    text = ("k3s_version: v1.31.4+k3s1\n"
            "a_server_args: \"--flannel-backend={{ backend }}\"\n"
            "b_server_args: \"{{ '--flannel-backend=none' if cilium else '' }}\"\n"
            "c_server_args: >-\n  {% if cilium %}--data-dir /srv/k3s{% endif %}\n"
            "d_server_args: \"{{ extra_args }} --data-dir=/srv/k3s\"\n")
    assert flags(text) == [("a_server_args", "flannel-backend", "{{ backend }}", False),
                           ("b_server_args", "flannel-backend", "none", False),
                           ("c_server_args", "data-dir", "/srv/k3s", False),
                           ("d_server_args", "data-dir", "/srv/k3s", True)]


def test_data_dir_needs_the_document_to_say_k3s() -> None:
    """etcd, Consul and Nomad take a data dir flag too: taken only beside a word of K3s."""
    assert flags('consul_extra_args: "-data-dir=/opt/consul"\n', "roles/consul/defaults/main.yml") == []
    assert flags('extra_server_args: "--data-dir /srv/k3s"\n') == [("extra_server_args", "data-dir", "/srv/k3s", True)]
    assert flags('extra_server_args: "--data-dir /srv/data"\n') == []
    assert flags('k3s_version: v1\nextra_server_args: "--data-dir /srv/data"\n') == \
        [("extra_server_args", "data-dir", "/srv/data", True)]
    # -d, the alias, only where the file's text names K3s (what the context prefilter reads)
    assert flags('k3s_server_args: "-d /srv/data"\n') == [("k3s_server_args", "data-dir", "/srv/data", True)]
    assert flags('extra_server_args: "--tls-san a -d /srv/data"\n') == []


def test_only_k3s_variables_and_ansible_places() -> None:
    # a chart's extraArgs (vcluster runs a k3s of its own, inside the cluster) is not the nodes'
    text = 'vcluster:\n  extraArgs: ["--flannel-backend=none"]\n'
    assert flags(text, "charts/vcluster/values.yaml") == []
    assert flags(text, "group_vars/all.yml") == [("extraArgs", "flannel-backend", "none", True)]
    # a variable naming k3s counts anywhere; nested inventory vars are read
    assert flags('k3s_args: "--flannel-backend=host-gw"\n', "cluster.yaml") == \
        [("k3s_args", "flannel-backend", "host-gw", True)]
    inventory = ("k3s_cluster:\n  children:\n    server:\n      hosts: {a: null}\n"
                 "  vars:\n    extra_server_args: \"--flannel-backend=none\"\n")
    assert flags(inventory, "inventory.yml") == [("extra_server_args", "flannel-backend", "none", True)]
    # a K3s config mapping (k3s_server) is read as a config, not for flags; other keys are not flags
    assert flags('k3s_server:\n  kube-apiserver-arg: ["--flannel-backend=none"]\n') == []
    assert flags('description: "--flannel-backend=none"\n') == []


SCRIPT = r"""#!/bin/bash
disable_cni="--flannel-backend=none --disable-network-policy"
if [ -d /var/lib/rancher/k3s ]; then exit 0; fi
curl -sfL https://get.k3s.io | INSTALL_K3S_EXEC="server" sh -s - -d /srv/k3s
k3s server \
   --cluster-init \
   -d /data/k3s
curl -d '{"a": 1}' https://example.com
cat <<EOF > /etc/rancher/k3s/config.yaml
flannel-backend: "wireguard-native"   # a comment
EOF
# k3s server --flannel-backend=vxlan
echo "x" # --data-dir /nope
"""


def test_script_settings() -> None:
    assert script_k3s_settings([("s.sh", SCRIPT)]) == [
        ("s.sh", 2, "flannel-backend", "none"), ("s.sh", 4, "data-dir", "/srv/k3s"),
        ("s.sh", 7, "data-dir", "/data/k3s"), ("s.sh", 10, "flannel-backend", "wireguard-native")]
    # a script that does not name K3s is not read
    assert script_k3s_settings([("s.sh", "etcd --data-dir /var/lib/etcd\n")]) == []


def test_print_profile_names_the_flag(tmp_path: Path) -> None:
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars" / "all.yml").write_text(
        "k3s_version: v1.31.4+k3s1\nextra_server_args: >-\n  --disable traefik\n  --flannel-backend=none\n")
    (tmp_path / "install.sh").write_text("#!/bin/sh\ncurl -sfL https://get.k3s.io | sh -s - --data-dir /srv/k3s\n")
    (tmp_path / "nad.yaml").write_text(
        "apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata: {name: n}\n"
        "spec:\n  config: '{\"cniVersion\": \"0.3.1\", \"type\": \"macvlan\"}'\n")
    out = subprocess.run([sys.executable, "-m", "multus_lint", "--no-cache", "--print-profile", "."], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60).stdout
    backend = next(line for line in out.splitlines() if line.startswith("flannel-backend"))
    assert "none" in backend and "group_vars/all.yml:4 (the Ansible variable extra_server_args" in backend
    data_dir = next(line for line in out.splitlines() if line.startswith("data-dir"))
    assert "install.sh:2, a shell script this linter does not run, sets data-dir /srv/k3s" in data_dir
