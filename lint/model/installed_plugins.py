"""What the project installs onto the K3s nodes: CNI plugins and IPAM daemons.

ML202 and ML507 judge NADs against this, and only when the project deploys Multus itself
(a chart release or a Multus DaemonSet): a repository holding only NADs says nothing about
what the cluster has.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from multus_lint.load.document import get_path
from multus_lint.model.chart_ids import ANGELNU
from multus_lint.model.plugin_versions import (
    image_release,
    rke2_cni_plugins_release,
    rke2_whereabouts_release,
)
from multus_lint.model.project import pod_containers
from multus_lint.records import dataclass, field

# K3s's own multicall CNI binary (k3s-io/k3s #9224): nothing else is in D/data/cni.
K3S_PLUGINS = frozenset({"flannel", "bridge", "host-local", "loopback", "portmap", "bandwidth",
                         "firewall"})
# rancher/hardened-cni-plugins, copied by the rke2-multus chart's cni-plugins init container
# (containernetworking/plugins plus flannel), minus cniplugins.skipcnis.
STANDARD_PLUGINS = frozenset({"bandwidth", "bridge", "dhcp", "dummy", "firewall", "flannel",
                              "host-device", "host-local", "ipvlan", "loopback", "macvlan",
                              "portmap", "ptp", "sbr", "static", "tap", "tuning", "vlan", "vrf"})
DEFAULT_SKIPCNIS = "flannel"
# Images of plugin DaemonSets deployed from their own manifests -> the plugin types they install
# (main, meta and IPAM plugins alike: the binary name is the type). Needles are matched inside
# the image reference.
IMAGE_PLUGINS = (
    ("whereabouts", ("whereabouts",)),
    ("sriov-cni", ("sriov",)),
    ("ib-sriov-cni", ("ib-sriov",)),
    ("ovs-cni", ("ovs",)),
    ("macvtap", ("macvtap",)),
    ("bond-cni", ("bond",)),
    ("route-override", ("route-override",)),
    ("containernetworking-plugins", tuple(STANDARD_PLUGINS)),
    ("cni-plugins", tuple(STANDARD_PLUGINS)),
    # projectcalico/calico: calico-node's install-cni init container (image calico/cni)
    ("calico/cni", ("calico", "calico-ipam")),
    # kubeovn/kube-ovn: kube-ovn-cni's install-cni init container copies /kube-ovn/kube-ovn
    ("kube-ovn", ("kube-ovn",)),
    # spidernet-io/spiderpool: spiderpool-agent installs its IPAM and meta plugins
    ("spiderpool", ("spiderpool", "coordinator", "ifacer")),
    # Mellanox/nvidia-k8s-ipam: nv-ipam-node copies the nv-ipam binary
    ("nvidia-k8s-ipam", ("nv-ipam",)),
    # antrea-io/antrea: antrea-agent's install-cni (plugin and secondary-network IPAM "antrea")
    ("antrea", ("antrea",)),
    # ovn-org/ovn-kubernetes: ovnkube-node installs ovn-k8s-cni-overlay
    ("ovn-kube", ("ovn-k8s-cni-overlay",)),
    ("ovn-kubernetes", ("ovn-k8s-cni-overlay",)),
    ("cilium", ("cilium-cni",)),
    # weaveworks/weave prog/weave-kube/launch.sh install_cni_plugin: weave-net and weave-ipam
    # (one binary) copied into /opt/cni/bin
    ("weave-kube", ("weave-net", "weave-ipam")),
    # akraino-edge-stack/icn-nodus (ovn4nfv-k8s-plugin): build/bin/entrypoint's "cni" command
    # copies ovn4nfvk8s-cni into /host/opt/cni/bin and untars the reference plugins there
    # (install_cni_plugins: cni-plugins-linux v0.8.5)
    ("ovn4nfv-k8s-plugin", ("ovn4nfvk8s-cni", "bandwidth", "bridge", "dhcp", "firewall", "flannel",
                            "host-device", "host-local", "ipvlan", "loopback", "macvlan", "portmap",
                            "ptp", "sbr", "static", "tuning", "vlan")),
)
# Charts (HelmChart spec.chart, Flux HelmRelease, Argo CD Application) of plugin projects.
CHART_PLUGINS = {
    "tigera-operator": ("calico", "calico-ipam"),
    "calico": ("calico", "calico-ipam"),
    "kube-ovn": ("kube-ovn",),
    "kube-ovn-v2": ("kube-ovn",),
    "spiderpool": ("spiderpool", "coordinator", "ifacer"),
    "nvidia-k8s-ipam": ("nv-ipam",),
    "network-operator": ("nv-ipam",),
    "antrea": ("antrea",),
    "cilium": ("cilium-cni",),
    "sriov-network-operator": ("sriov", "ib-sriov"),
    "whereabouts": ("whereabouts",),
    "rke2-whereabouts": ("whereabouts",),
    "ovs-cni": ("ovs",),
}
# Operator custom resources that make their operator install plugins: kind -> plugin types.
CR_PLUGINS = {
    "Installation": ("calico", "calico-ipam"),  # operator.tigera.io
    "SriovOperatorConfig": ("sriov", "ib-sriov"),  # sriovnetwork.openshift.io
    "SriovNetworkNodePolicy": ("sriov", "ib-sriov"),
}
# IPAM plugin types of other projects, each checked against the project's own docs/source:
# calico-ipam (projectcalico/calico cni-plugin), kube-ovn (kubeovn/kube-ovn), spiderpool
# (spidernet-io/spiderpool), nv-ipam (Mellanox/nvidia-k8s-ipam), antrea (antrea-io/antrea
# secondary networks), azure-vnet-ipam (Azure/azure-container-networking).
THIRD_PARTY_IPAM = frozenset({"calico-ipam", "kube-ovn", "spiderpool", "nv-ipam", "antrea",
                              "azure-vnet-ipam"})
# Commands that put files into a directory: the last operand is the destination.
_COPY_COMMANDS = frozenset({"cp", "install", "mv", "rsync", "ln"})
_STATEMENT_SPLIT = re.compile(r"[;&|\n]+|\bthen\b|\bdo\b")
_GLOB = re.compile(r"[*?\[]")


# At most this many manifest templates are read for installers (a repository of Ansible
# roles holds hundreds): a run stays bounded, and a plugin only they install is then judged.
MAX_TEMPLATES = 2000


def read_templates(paths: list[str], limits: Any, cap: int = MAX_TEMPLATES) -> tuple[list[tuple[str, str]], list[str]]:
    """(path, text) of the run's manifest templates (load.discover.TEMPLATE_SUFFIXES: Ansible's
    ``.yml.j2``, Go ``.tpl``), and the paths read: at most ``cap``, by name. They are
    never linted (they parse only once rendered); installers (``template_installers``) and
    K3s settings (model.profile.template_k3s_settings) are looked for in their text. The
    run's shell scripts (load.discover.SCRIPT_SUFFIXES) are read the same way, with a cap of
    their own (model.profile.MAX_SCRIPTS), for K3s settings only."""
    from multus_lint.load.read import read

    read_paths = sorted(paths)[:cap]
    out = []
    for path in read_paths:
        text = read(path, path, limits).text
        if text:
            out.append((path, text))
    return out, read_paths


def template_installers(texts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The templates (``read_templates``) that hold a DaemonSet mounting a host folder: what
    an installer looks like (runner.is_context knows one so). What such a DaemonSet copies
    is not known here: a plugin type one mentions may be installed by it (smart-edge-open
    converged-edge-experience-kits installs ovn4nfvk8s-cni from
    roles/kubernetes/cni/ovn4nfv/controlplane/templates/ovn4nfv-k8s-plugin.yml.j2, a DaemonSet
    with hostPath /opt/cni/bin)."""
    return [(path, text) for path, text in texts if "DaemonSet" in text and "hostPath" in text]


def installing_template(project: Any, ptype: str) -> str | None:
    """The path of a manifest template of the project (``template_installers``) that may
    install the plugin ``ptype``: an installer naming it as a word (a binary it copies, the
    type of the config it writes)."""
    if not project.template_installers:
        return None
    word = re.compile(r"(?<![\w.-])" + re.escape(ptype) + r"(?![\w.-])")
    return next((path for path, text in project.template_installers if word.search(text)), None)


@dataclass(repr=False, eq=False)
class Deployed:
    known: bool = True  # False when a chart's values could not be read: judge nothing
    plugins: dict[str, str] = field(default_factory=dict)  # type -> what installs it
    whereabouts: bool = False
    dhcp_daemon: bool = False
    # a DaemonSet copies a set of plugins this linter cannot list (a glob, a directory, an
    # archive) into a host dir: what it installs is not known, so ML507 says nothing
    any_plugin: str | None = None
    # type -> every (source, release) installing it; release: the plugin release the source's
    # image tag (or chart version) names, None when unknown (ML513 judges known ones only)
    installs: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)

    def add(self, types: Any, source: str, release: str | None = None) -> None:
        for t in types:
            self.plugins.setdefault(t, source)
            self.installs.setdefault(t, []).append((source, release))


def _skipped(value: Any) -> set[str]:
    if value is None:
        value = DEFAULT_SKIPCNIS
    return {s.strip() for s in str(value).split(",") if s.strip()}


def deployed(project: Any, extra_plugins: list[str]) -> Deployed:
    """Plugins and IPAM daemons the project's Multus deployments (and others) install
    (computed once per run: ML202 and ML507 share it)."""
    key = "deployed:" + ",".join(sorted(extra_plugins))
    return project.cached(key, lambda: _deployed(project, extra_plugins))


def _deployed(project: Any, extra_plugins: list[str]) -> Deployed:
    out = Deployed()
    out.add(K3S_PLUGINS, "K3s")
    out.add(extra_plugins, "extra-plugins in the config")
    for rel in project.releases:
        if not rel.values_known or rel.unread:
            # values it cannot read (valuesSecrets, Flux valuesFrom, Argo CD valueFiles) may
            # enable whereabouts or change skipcnis: what it installs is not known
            out.known = False
            continue
        label = f"the rke2-multus chart ({rel.doc.name or rel.source_kind})"
        out.add(["multus"], label)
        out.add(STANDARD_PLUGINS - _skipped(rel.get(("cniplugins", "skipcnis"))), label,
                rke2_cni_plugins_release(rel.version, rel.get(("cniplugins", "image", "tag"))))
        if rel.get(("rke2-whereabouts", "enabled")) is True:
            out.whereabouts = True
            out.add(["whereabouts"], label, rke2_whereabouts_release(
                rel.version, rel.get(("rke2-whereabouts", "image", "tag"))))
        if rel.get(("manifests", "dhcpDaemonSet")) is True:
            out.dhcp_daemon = True
    from multus_lint.model.multus_daemonset import MultusDaemonSet, upstream_whereabouts

    for doc in project.of_kind("DaemonSet"):
        spec = get_path(doc.data, ("spec", "template", "spec"))
        if not isinstance(spec, dict):
            continue
        label = f"DaemonSet {doc.name}"
        host_mounts = _host_path_volumes(spec)
        volumes = MultusDaemonSet(doc)  # its volume table: the ConfigMap a mounted script is in
        for c in pod_containers(spec, ("initContainers", "containers")):
            image = c.get("image")
            image = image if isinstance(image, str) else ""  # else ML009's
            words = " ".join(str(a) for key in ("command", "args") for a in _items(c.get(key))
                             if isinstance(a, (str, int)))
            words += _mounted_scripts(volumes, c, words, project)
            if "multus" in image:
                out.add(["multus"], label)
            for needle, types in IMAGE_PLUGINS:
                if needle in image:
                    out.add(types, label, _release(needle, image))
                    if needle == "whereabouts":
                        out.whereabouts = True
            if "dhcp" in words and "daemon" in words:
                out.dhcp_daemon = True
            _copied(out, words, _mounts_into_host(c, host_mounts), label)
    upstream = upstream_whereabouts(project)
    if upstream is not None:  # whereabouts' own manifests, deployed from its repository
        out.whereabouts = True
        out.add(["whereabouts"], f"whereabouts' upstream manifests ({upstream.kind} {upstream.name})")
    for kind in ("HelmChart", "HelmRelease", "Application"):
        for doc in project.of_kind(kind):
            chart = _chart_name(doc.data, kind)
            if chart in CHART_PLUGINS:
                out.add(CHART_PLUGINS[chart], f"the {chart} chart ({kind} {doc.name})")
    # A Multus chart that copies the reference plugins too: angelnu/helm-charts charts/apps/multus
    # (formerly k8s-at-home's) runs a cni-installer init container, ghcr.io/k8s-at-home/cni-plugins,
    # into cni.paths.bin (templates/common.yaml). The other Multus charts install Multus alone.
    for doc, ident in project.chart_ids:
        if ident.chart == ANGELNU and doc.kind:
            out.add(STANDARD_PLUGINS, f"the angelnu multus chart's cni-installer ({doc.kind} {doc.name})")
    for kind, types in CR_PLUGINS.items():
        for doc in project.of_kind(kind):
            out.add(types, f"{kind} {doc.name}")
    for doc in project.of_kind("NicClusterPolicy"):  # Mellanox network-operator
        spec = get_path(doc.data, ("spec",))
        if not isinstance(spec, dict):
            continue
        label = f"NicClusterPolicy {doc.name}"
        if spec.get("nvIpam"):
            out.add(["nv-ipam"], label)
        second = spec.get("secondaryNetwork")
        if isinstance(second, dict):
            if second.get("cniPlugins"):
                out.add(STANDARD_PLUGINS, label)
            if second.get("multus"):
                out.add(["multus"], label)
            if second.get("ipamPlugin"):
                out.whereabouts = True
                out.add(["whereabouts"], label)
    return out


def _release(needle: str, image: str) -> str | None:
    """The plugin release an installer image's tag names (lint/model/plugin_versions.py)."""
    project = {"whereabouts": "whereabouts", "ovs-cni": "ovs", "sriov-cni": "sriov",
               "cni-plugins": "cni-plugins"}.get(needle)
    return image_release(image, project) if project else None


def _chart_name(data: Any, kind: str) -> str | None:
    """The chart a HelmChart / Flux HelmRelease / Argo CD Application installs (last path part)."""
    paths = {"HelmChart": (("spec", "chart"),),
             "HelmRelease": (("spec", "chart", "spec", "chart"), ("spec", "chart")),
             "Application": (("spec", "source", "chart"),)}[kind]
    for path in paths:
        value = get_path(data, path)
        if isinstance(value, str) and value:
            return value.rstrip("/").rsplit("/", 1)[-1]
    return None


_ABSOLUTE_PATH = re.compile(r"""/[^\s;&|'"`]+""")


def _mounted_scripts(volumes: Any, container: dict[str, Any], words: str, project: Any) -> str:
    """The text of the scripts a container runs from a ConfigMap volume (``sh
    /scripts/install_cni.sh`` with the ConfigMap mounted at /scripts): what it installs is
    written there, not in its command."""
    from multus_lint.model.multus_daemonset import Container

    out = []
    for path in dict.fromkeys(_ABSOLUTE_PATH.findall(words)):
        found = volumes.configmap_file(Container((), container), path, project)
        if found is not None:
            cm, key = found
            out.append(cm.data["data"][key])
    return "".join("\n" + text for text in out)


def _host_path_volumes(spec: dict[str, Any]) -> set[str]:
    """Names of the pod's hostPath volumes."""
    return {v["name"] for v in _items(spec.get("volumes"))
            if isinstance(v, dict) and isinstance(v.get("name"), str) and isinstance(v.get("hostPath"), dict)}


def _mounts_into_host(container: dict[str, Any], host_volumes: set[str]) -> list[str]:
    """Mount paths at which the container sees a host directory."""
    return [m["mountPath"].rstrip("/") or "/" for m in _items(container.get("volumeMounts"))
            if isinstance(m, dict) and isinstance(m.get("name"), str) and m["name"] in host_volumes and isinstance(m.get("mountPath"), str)]


def _copied(out: Deployed, script: str, mounts: list[str], label: str) -> None:
    """Plugins a container's command copies into a host dir (the install-cni-plugins pattern:
    `cp /plugins/* /host/opt/cni/bin`, `cp ipvlan /host/.../data/cni/`, `tar -C /host/...`,
    `cd /host/opt/cni/bin; tar xzf plugins.tgz`).

    A named file installs that plugin; a glob, a directory or an archive installs a set that
    cannot be listed (``any_plugin``).
    """
    if not mounts or not script:
        return

    def on_host(path: str) -> bool:
        path = path.rstrip("/") or "/"
        return any(path == m or path.startswith(m + "/") for m in mounts)

    cwd: str | None = None  # a script's `cd DIR`: where a tar without -C extracts
    for statement in _STATEMENT_SPLIT.split(script):
        try:
            tokens = shlex.split(statement, comments=True)
        except ValueError:
            tokens = statement.split()
        if tokens and tokens[0] == "cd":
            cwd = tokens[1] if len(tokens) > 1 and tokens[1].startswith("/") else None
            continue
        # the command may follow a wrapper (`sh -c cp ...`, `exec cp ...`, `set -e; cp ...`)
        start = next((i for i, t in enumerate(tokens)
                      if t.rsplit("/", 1)[-1] in _COPY_COMMANDS or t.rsplit("/", 1)[-1] == "tar"), None)
        if start is None:
            continue
        tokens = tokens[start:]
        cmd = tokens[0].rsplit("/", 1)[-1]
        if cmd == "tar":
            dest = next((tokens[i + 1] for i, t in enumerate(tokens[:-1]) if t in ("-C", "--directory")), cwd)
            if dest and on_host(dest):
                out.any_plugin = out.any_plugin or label
            continue
        if cmd not in _COPY_COMMANDS:
            continue
        operands = [t for t in tokens[1:] if not t.startswith("-")]
        if len(operands) < 2 or not on_host(operands[-1]):
            continue
        recursive = any(t.startswith("-") and ("r" in t.lstrip("-")[:3] or t in ("-a", "--archive"))
                        for t in tokens[1:])
        for src in operands[:-1]:
            name = src.rstrip("/").rsplit("/", 1)[-1]
            if recursive or _GLOB.search(src) or "$" in src or src.endswith("/") or not name:
                out.any_plugin = out.any_plugin or label
            else:
                out.add([name], label)


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def multus_bin_dirs(project: Any) -> list[str]:
    """Host dirs the project's Multus configs name as ``binDir``: Multus runs its delegates
    from there first, then from CNI_PATH, the runtime's dir (multus-cni pkg/multus
    multus.go: ``binDirs := filepath.SplitList(os.Getenv("CNI_PATH"))`` with the conf's
    binDir put in front). From 00-multus.conf files, the ConfigMap a thin DaemonSet hands
    to ``--multus-conf-file``, and a thick daemon-config.json (its host dir). Computed once."""
    return project.cached("multus-bin-dirs", lambda: _multus_bin_dirs(project))  # type: ignore[no-any-return]


def _multus_bin_dirs(project: Any) -> list[str]:
    from multus_lint.model.multus_daemonset import MultusDaemonSet

    out: list[str] = []

    def add(value: Any) -> None:
        if isinstance(value, str) and value.startswith("/"):
            value = value.rstrip("/") or "/"
            if value not in out:
                out.append(value)

    def multus_conf(data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("plugins"), list) and data["plugins"]:
            data = data["plugins"][0]
        return data if isinstance(data, dict) and data.get("type") == "multus" else None

    for cfg in project.cni_files:
        conf = multus_conf(cfg.data) if cfg.is_dict else None
        if conf is not None:
            add(conf.get("binDir"))
    for doc in project.daemonsets:
        ds = MultusDaemonSet(doc)
        for c in ds.multus_containers:
            conf_file, _ = c.flag("multus-conf-file")
            if conf_file not in (None, "auto"):
                found = ds.configmap_file(c, conf_file, project)
                if found is not None:
                    cm, key = found
                    parsed = cm.embedded_json(("data", key), project.limits, "ML501", f"JSON in data.{key}")
                    if not parsed.problems and parsed.tree is not None:
                        conf = multus_conf(parsed.tree.data)
                        if conf is not None:
                            add(conf.get("binDir"))
        for np in ds.node_paths(project):
            if np.kind == "bin" and np.origin == "daemon-config.json binDir":
                add(np.inner if np.chroot_dir else np.host)  # chrootDir: the daemon runs plugins on the host
    return out
