"""The cluster profile: what K3s cluster the manifests are for, and where each fact came from.

Sources, strongest first: command-line flags, the config file's ``cluster:`` section,
K3s ``config.yaml`` files found in the project, defaults.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable
from typing import Any

from multus_lint.config import ConfigError
from multus_lint.model.versions import k3s_has_static_cni_dir, parse_k3s
from multus_lint.records import dataclass, field

DEFAULT_DATA_DIR = "/var/lib/rancher/k3s"
DEFAULT_CLUSTER_CIDRS = ("10.42.0.0/16", "fd00:42::/56")
DEFAULT_SERVICE_CIDRS = ("10.43.0.0/16", "fd00:43::/112")
FLANNEL_BACKENDS = ("none", "vxlan", "host-gw", "wireguard-native")
# cluster.distro / --distro: which node layout the manifests are for. RKE2 runs K3s's agent
# with flannel-backend none (rancher/rke2 pkg/cli/defaults/defaults.go Set), so containerd
# keeps /opt/cni/bin and /etc/cni/net.d; its data dir is /var/lib/rancher/rke2 (pkg/cli/cmds
# server.go rke2Path). "generic" is a plain Kubernetes node with containerd's defaults.
DISTROS = ("k3s", "rke2", "generic")
DISTRO_NAMES = {"k3s": "K3s", "rke2": "RKE2", "generic": "this cluster"}
RKE2_DATA_DIR = "/var/lib/rancher/rke2"
# OpenShift's node dirs, as its cluster-network-operator renders Multus (openshift/
# cluster-network-operator pkg/network/multus.go: CNIBinDir, SystemCNIConfDir; CRI-O reads them)
OPENSHIFT_BIN_DIR = "/var/lib/cni/bin"
OPENSHIFT_CONF_DIR = "/etc/kubernetes/cni/net.d"

# Keys of a K3s config.yaml (CLI flags without dashes) that recognise one by content
# (k3s pkg/cli/cmds server.go ServerFlags, agent.go; kube-controller-arg is the deprecated alias).
K3S_CONFIG_KEYS = frozenset("""
server token token-file agent-token agent-token-file data-dir cluster-cidr service-cidr
cluster-dns cluster-domain flannel-backend flannel-iface flannel-conf flannel-cni-conf
flannel-ipv6-masq flannel-external-ip disable-network-policy disable write-kubeconfig-mode
write-kubeconfig tls-san node-label node-taint node-name node-ip node-external-ip bind-address
advertise-address advertise-port https-listen-port cluster-init kubelet-arg kube-apiserver-arg
kube-controller-manager-arg kube-scheduler-arg kube-proxy-arg etcd-arg secrets-encryption
disable-kube-proxy disable-cloud-controller disable-helm-controller embedded-registry
container-runtime-endpoint default-runtime snapshotter private-registry system-default-registry
protect-kernel-defaults selinux rootless prefer-bundled-bin vpn-auth egress-selector-mode
servicelb-namespace kube-cloud-controller-manager-arg etcd-expose-metrics debug v log
alsologtostderr resolv-conf pause-image docker airgap-extra-registry
default-local-storage-path kube-controller-arg service-node-port-range write-kubeconfig-group
helm-job-image tls-san-security cluster-reset cluster-reset-restore-path datastore-endpoint
datastore-cafile datastore-certfile datastore-keyfile etcd-disable-snapshots etcd-snapshot-name
etcd-snapshot-schedule-cron etcd-snapshot-retention etcd-snapshot-dir etcd-snapshot-compress
etcd-s3 etcd-s3-endpoint etcd-s3-endpoint-ca etcd-s3-skip-ssl-verify etcd-s3-access-key
etcd-s3-secret-key etcd-s3-bucket etcd-s3-region etcd-s3-folder etcd-s3-insecure etcd-s3-timeout
disable-scheduler disable-apiserver disable-controller-manager disable-etcd vmodule
image-service-endpoint enable-pprof supervisor-metrics lb-server-port node-internal-dns
node-external-dns vpn-auth-file with-node-id image-credential-provider-bin-dir
image-credential-provider-config disable-default-registry-endpoint supervisor-port apiserver-port
apiserver-bind-address kine-tls disable-apiserver-lb kube-cloud-controller-arg
""".split())
# Keys only RKE2's config.yaml reads (rancher/rke2 @6ce1a80): its own server flags
# (pkg/cli/cmds/server.go serverFlag: cni, ingress-controller, enable-servicelb, prime) and the
# flags of both its commands (root.go commonFlag: the image overrides of pkg/images, kubelet-path,
# cloud-provider-*, profile, audit-policy-file, pod-security-admission-config-file,
# control-plane-*, and <component>-extra-mount / -extra-env of pkg/podtemplate). K3s has none of
# them: RKE2 wraps K3s's server and agent commands with a K3SFlagSet naming every K3s flag
# (k3sopts.go commandFromK3S fails on a K3s flag it does not name), and these are not among them.
_RKE2_COMPONENTS = ("kube-apiserver", "kube-scheduler", "kube-controller-manager", "kube-proxy", "etcd",
                    "cloud-controller-manager")
RKE2_ONLY_KEYS = frozenset({
    "cni", "ingress-controller", "enable-servicelb", "prime", "runtime-image", "kubelet-path",
    "cloud-provider-name", "cloud-provider-config", "node-name-from-cloud-provider-metadata", "profile",
    "audit-policy-file", "pod-security-admission-config-file", "control-plane-resource-requests",
    "control-plane-resource-limits", "control-plane-probe-configuration",
    *(f"{c}-image" for c in _RKE2_COMPONENTS), *(f"{c}-extra-mount" for c in _RKE2_COMPONENTS),
    *(f"{c}-extra-env" for c in _RKE2_COMPONENTS),
})
# K3s flags RKE2 drops (dropFlag in the K3SFlagSets of rancher/rke2 pkg/cli/cmds server.go and
# agent.go @6ce1a80: commandFromK3S leaves them out, so RKE2's config parser skips them as
# unknown): a config that sets one is written for K3s. Not pause-image, which RKE2 drops and
# adds back as its own image override (root.go commonFlag, images.Pause).
K3S_ONLY_KEYS = frozenset("""
https-listen-port supervisor-port apiserver-port apiserver-bind-address advertise-port cluster-init
flannel-backend flannel-iface flannel-conf flannel-cni-conf flannel-ipv6-masq flannel-external-ip
vpn-auth vpn-auth-file kine-tls default-local-storage-path disable-network-policy
disable-helm-controller docker image-service-endpoint rootless prefer-bundled-bin
disable-apiserver-lb kube-controller-arg kube-cloud-controller-arg
""".split())
# What a K3s or RKE2 node config may hold (model.project._is_k3s_config)
NODE_CONFIG_KEYS = K3S_CONFIG_KEYS | RKE2_ONLY_KEYS
# A mapping of K3s flags only is a K3s config when it has one of these (model.project
# _is_k3s_config): keys that say "node config", not just any flag name
K3S_RECOGNITION_KEYS = frozenset({"server", "token", "data-dir", "cluster-cidr", "service-cidr", "flannel-backend",
                                  "cluster-init", "node-ip", "tls-san", "write-kubeconfig-mode", "disable",
                                  "node-label", "flannel-iface", "cni", "ingress-controller",
                                  "audit-policy-file", "pod-security-admission-config-file",
                                  "cloud-provider-name", "control-plane-resource-requests",
                                  "control-plane-resource-limits"})


@dataclass(repr=False, eq=False)
class Profile:
    k3s_version: str | None = None
    data_dir: str = DEFAULT_DATA_DIR
    nodes: int | None = None  # None: unknown
    cluster_cidrs: tuple[str, ...] = DEFAULT_CLUSTER_CIDRS
    service_cidrs: tuple[str, ...] = DEFAULT_SERVICE_CIDRS
    flannel_backend: str = "vxlan"
    distro: str = "k3s"
    sources: dict[str, str] = field(default_factory=dict)
    disputes: list[Any] = field(default_factory=list)  # Dispute: K3s configs that disagree (ML605)
    # the K3s config that sets container-runtime-endpoint: K3s then runs no containerd of its
    # own, so the CNI dirs are that runtime's (None: K3s's embedded containerd)
    external_runtime: str | None = None
    # "openshift": the manifests say the nodes run OpenShift, whose cluster-network-operator
    # deploys Multus with its own CNI dirs (None: the distro's dirs above)
    platform: str | None = None
    # K3s settings a template writes that no config read here settles (flag-style key ->
    # where): the rules that read them are not run (apply_template_settings)
    unsettled: dict[str, str] = field(default_factory=dict)

    @property
    def is_k3s(self) -> bool:
        return self.distro == "k3s"

    @property
    def name(self) -> str:
        """How messages name the cluster: K3s, RKE2, or "this cluster"."""
        return DISTRO_NAMES.get(self.distro, "this cluster")

    # ---- derived paths (DOMAIN.md [K3S-1..3])
    @property
    def d(self) -> str:
        return self.data_dir.rstrip("/") or "/"

    @property
    def flannel_off(self) -> bool:
        """containerd keeps its default CNI dirs: K3s with flannel-backend none, RKE2, generic."""
        return self.flannel_backend == "none" or not self.is_k3s

    @property
    def static_cni_dir(self) -> bool:
        return k3s_has_static_cni_dir(self.k3s_version)

    @property
    def bin_dir(self) -> str:
        if self.flannel_off:
            return OPENSHIFT_BIN_DIR if self.platform == "openshift" else "/opt/cni/bin"
        return f"{self.d}/data/cni" if self.static_cni_dir else f"{self.d}/data/current/bin"

    @property
    def conf_dir(self) -> str:
        if self.flannel_off:
            return OPENSHIFT_CONF_DIR if self.platform == "openshift" else "/etc/cni/net.d"
        return f"{self.d}/agent/etc/cni/net.d"

    @property
    def multus_kubeconfig(self) -> str:
        return f"{self.conf_dir}/multus.d/multus.kubeconfig"

    @property
    def whereabouts_conf(self) -> str:
        return f"{self.conf_dir}/whereabouts.d/whereabouts.conf"

    @property
    def whereabouts_kubeconfig(self) -> str:
        return f"{self.conf_dir}/whereabouts.d/whereabouts.kubeconfig"

    @property
    def cidr_defaults_apply(self) -> bool:
        """The default CIDRs are K3s's (RKE2 has the same, rancher/rke2 pkg/cli/defaults): a
        generic cluster's are its own (Talos and kind 10.244.0.0/16, OpenShift 10.128.0.0/14),
        so only CIDRs a flag, the config or a cluster manifest gives are known there."""
        return self.distro in ("k3s", "rke2")

    @property
    def cluster_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        if not self.cidr_defaults_apply and "cluster-cidr" not in self.sources:
            return []
        return _networks(self.cluster_cidrs)

    @property
    def service_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        if not self.cidr_defaults_apply and "service-cidr" not in self.sources:
            return []
        return _networks(self.service_cidrs)

    def describe(self) -> list[tuple[str, str, str]]:
        """(setting, value, source) rows for ``--print-profile``."""
        nodes = "unknown" if self.nodes is None else str(self.nodes)
        rows = [
            ("distro", self.distro, "distro"),
            ("k3s-version", self.k3s_version or "unknown (a current release)", "k3s-version"),
            ("data-dir", self.data_dir, "data-dir"),
            ("nodes", nodes, "nodes"),
            ("cluster-cidr", ",".join(self.cluster_cidrs), "cluster-cidr"),
            ("service-cidr", ",".join(self.service_cidrs), "service-cidr"),
            ("flannel-backend", self.flannel_backend if self.is_k3s else
             f"none ({self.name} runs containerd with its default CNI dirs)", "flannel-backend"),
        ]
        out = [(k, v, self.sources.get(src, "default")) for k, v, src in rows]
        derived = "derived"
        if self.external_runtime:
            out.append(("container runtime", "external (container-runtime-endpoint): its own CNI dirs, "
                        "not judged", self.external_runtime))
        if self.platform == "openshift":
            out.append(("node paths", "OpenShift: its cluster-network-operator deploys Multus and "
                        "whereabouts with its own dirs; not judged", self.sources.get("distro", "default")))
        out += [
            ("cni bin dir", self.bin_dir, derived),
            ("cni conf dir", self.conf_dir, derived),
            ("multus kubeconfig", self.multus_kubeconfig, derived),
            ("whereabouts config", self.whereabouts_conf, derived),
        ]
        return out


def _networks(cidrs: tuple[str, ...]) -> list[Any]:
    out = []
    for c in cidrs:
        try:
            out.append(ipaddress.ip_network(c.strip(), strict=False))
        except ValueError:
            continue
    return out


def _cidr_list(value: Any, what: str, where: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else str(value).split(",")
    out = []
    for item in items:
        item = str(item).strip()
        if not item:
            continue
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError as exc:
            raise ConfigError(f"{where}: {what} '{item}' is not a CIDR") from exc
        out.append(item)
    if not out:
        raise ConfigError(f"{where}: {what} is empty")
    return tuple(out)


def apply(profile: Profile, settings: dict[str, Any], source: str, strict: bool = True) -> None:
    """Set the profile from ``settings`` (flag-style keys) unless a stronger source set it.

    Sources are applied weakest first, each overwriting; ``strict`` sources (flags,
    config) raise on bad values, discovered K3s configs are reported by ML604 instead.
    """
    for key, value in settings.items():
        if value is None:
            continue
        try:
            if key == "distro":
                if value not in DISTROS:
                    raise ConfigError(f"{source}: distro '{value}' is not one of {', '.join(DISTROS)}")
                profile.distro = str(value)
                if "data-dir" not in profile.sources:  # the distro's own (a later --distro k3s
                    # undoes what an RKE2 config said)
                    profile.data_dir = RKE2_DATA_DIR if value == "rke2" else DEFAULT_DATA_DIR
            elif key == "k3s-version":
                if parse_k3s(str(value)) is None:
                    raise ConfigError(f"{source}: k3s-version '{value}' is not a K3s version "
                                      "(like v1.30.6+k3s1)")
                profile.k3s_version = str(value)
            elif key == "data-dir":
                if not str(value).startswith("/"):
                    raise ConfigError(f"{source}: data-dir '{value}' is not an absolute path")
                profile.data_dir = str(value).rstrip("/") or "/"
            elif key == "nodes":
                if value == "unknown":
                    profile.nodes = None
                else:
                    n = int(value)
                    if n < 1:
                        raise ValueError
                    profile.nodes = n
            elif key == "cluster-cidr":
                profile.cluster_cidrs = _cidr_list(value, key, source)
            elif key == "service-cidr":
                profile.service_cidrs = _cidr_list(value, key, source)
            elif key == "flannel-backend":
                if value not in FLANNEL_BACKENDS:
                    raise ConfigError(f"{source}: flannel-backend '{value}' is not one of "
                                      f"{', '.join(FLANNEL_BACKENDS)}")
                profile.flannel_backend = str(value)
            else:
                continue
        except (ConfigError, ValueError, TypeError) as exc:
            if strict:
                if isinstance(exc, ConfigError):
                    raise
                raise ConfigError(f"{source}: {key} '{value}' is not valid") from exc
            continue
        profile.sources[key] = source


# ------------------------------------------------------------------ K3s configs of one scope

# Profile keys a K3s config.yaml sets, and the rules whose verdicts read them: when two
# configs of one scope disagree on a key (ML605), those rules are not run in that scope
# unless the config or a flag settles the value.
K3S_PROFILE_KEYS = ("data-dir", "cluster-cidr", "service-cidr", "flannel-backend")
DEPENDENT_RULES = {
    # (not the chart facts that hold on any distro: ML107, ML110, ML111, ML113)
    "distro": ("ML101", "ML102", "ML103", "ML104", "ML105", "ML106", "ML108", "ML109", "ML112",
               "ML201", "ML507", "ML604"),
    "data-dir": ("ML1", "ML201", "ML507", "ML604"),
    "flannel-backend": ("ML1", "ML201", "ML507", "ML604"),
    "cluster-cidr": ("ML305",),
    "service-cidr": ("ML305",),
}


# Rules whose verdicts compare paths with the CNI dirs of K3s's embedded containerd. With
# container-runtime-endpoint set, k3s pkg/agent/run.go startCRI starts no containerd and writes
# no containerd config (SetupContainerdConfig runs only when ContainerRuntimeEndpoint == ""):
# the external runtime's own config names the dirs, and nothing in the manifests shows it.
EXTERNAL_RUNTIME_RULES = ("ML101", "ML102", "ML103", "ML104", "ML105", "ML108", "ML201", "ML507")
# On OpenShift also ML202: the cluster-network-operator installs whereabouts (its
# whereabouts-reconciler, bindata/network/multus/multus.yaml) and the dhcp daemon when an
# additional network asks for it (bindata/network/multus/003-dhcp-daemon.yaml), whatever
# Multus deployment a repository holds.
OPENSHIFT_RULES = ("ML202",)


@dataclass(frozen=True)
class Dispute:
    """Two K3s configs of one scope (two nodes' config sets) set ``key`` differently."""

    key: str
    doc: Any  # the Document reported (the later config set's)
    value: Any
    other: str  # the other config's path
    other_value: Any
    # the two configs are in different Ansible inventories: two clusters' hosts that one scope
    # took in (kubernetes/<c>/ + ansible/<c>/inventory layouts), so their values may well
    # differ; the value is still left out of the profile, but ML605 does not call it a conflict
    inventories_differ: bool = False
    # the later value's K3s flag in an Ansible variable (foreign_formats.K3sFlag), where ML605
    # reports it (its site is located only then); None: the later value is the config's key
    flag: Any = None
    other_what: str = "a K3s config"  # what the other value is, as ML605 names it
    # both are flags of one Ansible variable (in two files, or two groups of one inventory):
    # Ansible's variable precedence gives each host one of them (host_vars over group_vars,
    # a child group over all), so they are not one node's conflict; the value is still left
    # out of the profile, but ML605 does not call it a conflict
    same_variable: bool = False


def inventory_root(path: str) -> str | None:
    """The Ansible inventory a file belongs to: its path up to an ``inventory`` folder, or an
    ``inventories/<name>`` one (None: in none)."""
    parts = path.replace("\\", "/").split("/")
    for i, part in enumerate(parts[:-1]):
        if part == "inventory":
            return "/".join(parts[:i + 1])
        if part == "inventories" and i + 2 < len(parts):
            return "/".join(parts[:i + 2])
    return None


def node_config_sets(docs: list[Any]) -> list[list[Any]]:
    """K3s configs grouped as one node reads them: ``config.yaml``, then the drop-ins of
    ``config.yaml.d/`` in name order, later values replacing earlier ones (k3s
    pkg/configfilearg/parser.go, readConfigFile and dotDFiles). Separate sets are
    separate nodes."""
    import os

    sets: dict[str, list[tuple[int, str, Any]]] = {}
    for doc in docs:
        path = os.path.abspath(doc.source.path) if not doc.source.path.startswith("<") else doc.source.path
        parent = os.path.dirname(path)
        if parent.endswith(".d"):
            base, rank = parent[:-2], 1
        else:
            base, rank = path, 0
        sets.setdefault(base, []).append((rank, os.path.basename(path), doc))
    return [[d for _, _, d in sorted(items, key=lambda t: (t[0], t[1]))] for _, items in sorted(sets.items())]


def _k3s_items(doc: Any) -> dict[str, Any]:
    return {k.rstrip("+"): v for k, v in doc.data.items() if isinstance(k, str)}


def _same(key: str, a: Any, b: Any) -> bool:
    if key == "data-dir":
        return str(a).rstrip("/") == str(b).rstrip("/")
    if key in ("cluster-cidr", "service-cidr"):
        def norm(v: Any) -> list[str]:
            items = v if isinstance(v, list) else str(v).split(",")
            return [str(i).strip() for i in items if str(i).strip()]
        return norm(a) == norm(b)
    return a == b


def _valid(key: str, value: Any) -> bool:
    try:
        apply(Profile(), {key: value}, "", strict=True)
    except ConfigError:
        return False
    return True


def _dispute(key: str, later: Any, value: Any, first: Any, first_value: Any) -> Dispute:
    """``key`` set to ``value`` by ``later`` and to ``first_value`` by ``first``: each a K3s
    config (a Document) or a K3s flag of an Ansible variable (foreign_formats.K3sFlag)."""
    later_flag, first_flag = hasattr(later, "var"), hasattr(first, "var")
    doc = later.doc if later_flag else later
    first_doc = first.doc if first_flag else first
    here, there = inventory_root(doc.source.path), inventory_root(first_doc.source.path)
    return Dispute(key, doc, value, first.where if first_flag else first_doc.source.path, first_value,
                   here is not None and there is not None and here != there,
                   flag=later if later_flag else None,
                   other_what=f"the K3s flags of the Ansible variable {first.var}" if first_flag else "a K3s config",
                   same_variable=later_flag and first_flag and later.var == first.var)


def apply_k3s_configs(profile: Profile, docs: list[Any], flags: Iterable[Any] = ()) -> None:
    """Set the profile from the scope's K3s configs and the literal K3s flags of its Ansible
    variables (``flags``: foreign_formats.K3sFlag, each taken as a node's value): a value
    that every node config set, and every flag, that names it agrees on; a disagreement is
    recorded in ``profile.disputes`` instead (no field-by-field merge of two nodes' configs).
    A flag is weighed as a config's value: which node runs which is not known here (on one
    node K3s's command line overrides its config file, k3s pkg/configfilearg)."""
    chosen: dict[str, tuple[Any, Any]] = {}  # key -> (value, doc or flag)
    disputed: set[str] = set()
    servers: list[Any] = []
    external: list[Any] = []  # per node set: the config naming its external runtime, or None
    for node in node_config_sets(docs):
        merged: dict[str, tuple[Any, Any]] = {}
        for doc in node:
            for key, value in _k3s_items(doc).items():
                merged[key] = (value, doc)
        endpoint = merged.get("container-runtime-endpoint", (None, None))
        if not all(isinstance(k, str) and k.endswith("+") for doc in node for k in doc.data):
            # a set of only `key+:` entries appends to what an earlier file set (k3s
            # pkg/configfilearg parser.go): a fragment of another node's config, not a node
            external.append(endpoint[1] if isinstance(endpoint[0], str) and endpoint[0].strip() else None)
        for key, (value, doc) in merged.items():
            if key == "server":
                servers.append(doc)
            if key not in K3S_PROFILE_KEYS or value is None or not _valid(key, value):
                continue  # an invalid value is ML604's, and never taken into the profile
            if key not in chosen:
                chosen[key] = (value, doc)
            elif not _same(key, chosen[key][0], value):
                profile.disputes.append(_dispute(key, doc, value, chosen[key][1], chosen[key][0]))
                disputed.add(key)
    # after the configs, in the order of their files: a dispute is reported at the later one
    for flag in flags:
        if not flag.literal or not _valid(flag.key, flag.value):
            continue  # filled in when rendered: apply_template_settings; invalid: never taken
        if flag.key not in chosen:
            chosen[flag.key] = (flag.value, flag)
        elif not _same(flag.key, chosen[flag.key][0], flag.value):
            profile.disputes.append(_dispute(flag.key, flag, flag.value, chosen[flag.key][1], chosen[flag.key][0]))
            disputed.add(flag.key)
    for key, (value, origin) in chosen.items():
        if key not in disputed:
            source = (f"{origin.where} (the Ansible variable {origin.var}: --{key} {value})"
                      if hasattr(origin, "var") else origin.source.path)
            apply(profile, {key: value}, source, strict=False)
    for key in disputed:
        profile.sources[key] = "default (the scope's K3s configs disagree: ML605)"
    if external and all(external):
        # every node runs its own runtime: no node uses K3s's containerd dirs (a node that
        # does keeps them, and the path rules stay true for it)
        profile.external_runtime = external[0].source.path
    if servers:
        profile.nodes = 2
        profile.sources["nodes"] = f"{servers[0].source.path} (server: joins another node, so more than one)"


# ------------------------------------------------------------------ K3s's nodes or RKE2's

def _rke2_dir(doc: Any) -> bool:
    """The config is under ``rancher/rke2/`` (RKE2's config dir, /etc/rancher/rke2)."""
    return "/rancher/rke2/" in "/" + getattr(doc, "node_path", doc.source.path).replace("\\", "/")


def k3s_place(doc: Any, root: str) -> bool:
    """A node config at a place only K3s reads it from: below ``rancher/k3s/`` (its config dir
    /etc/rancher/k3s, config.yaml.d drop-ins included), a ``k3s/`` folder's config.yaml
    (model.project.k3s_config_place), or the K3s config file an Ansible K3s role's variables
    or a machine config write (model.foreign_formats.NodeConfig)."""
    from multus_lint.model.project import root_relative

    node_path = getattr(doc, "node_path", None)
    if node_path is not None:
        return "/rancher/k3s/" in node_path
    path = doc.source.path.replace("\\", "/")
    if path.startswith("<"):
        return False
    rel = root_relative(doc.source, root)
    return "/rancher/k3s/" in "/" + os.path.abspath(path).replace("\\", "/") or \
        ("/k3s/" in f"/{rel.rpartition('/')[0]}/" and "/rancher/rke2/" not in f"/{rel}")


def node_config_distro(doc: Any, root: str) -> tuple[str, str] | None:
    """What one node config says of its nodes: ("rke2" or "k3s", why), or None when both
    would read it (only keys they share, at no place of either). RKE2's config dir says RKE2,
    K3s's place says K3s; elsewhere (``rke2/config.yaml``, an Ansible role's ``files/``), a key
    only K3s has (``flannel-backend``) says K3s and one only RKE2 has (``cni``) says RKE2."""
    if _rke2_dir(doc):
        return "rke2", "RKE2's config dir"
    if k3s_place(doc, root):
        return "k3s", "K3s's config place"
    keys = {k.rstrip("+") for k in doc.data if isinstance(k, str)}
    if keys & K3S_ONLY_KEYS:
        return "k3s", f"{sorted(keys & K3S_ONLY_KEYS)[0]}: is a K3s option RKE2 does not have"
    only = sorted(keys & RKE2_ONLY_KEYS)
    if only:
        what = "is an RKE2 option" if len(only) == 1 else "are RKE2 options"
        return "rke2", f"{', '.join(k + ':' for k in only[:3])} {what} K3s does not have"
    return None


def apply_node_distro(profile: Profile, docs: list[Any], root: str, rke2_evidence: Any = None) -> None:
    """distro rke2 from the scope's node configs (``docs``, in path order):

    * one in RKE2's config dir (etc/rancher/rke2/config.yaml): the nodes run RKE2;
    * else, when no config says K3s (node_config_distro: K3s's place, a K3s-only key), one
      whose keys only RKE2 reads (``cni: multus,canal`` in ``rke2/config.yaml``);
    * or, when ``rke2_evidence()`` gives a HelmChartConfig of a chart only RKE2 ships
      (model.charts.rke2_config_evidence), the first config: a config both would read, beside
      a HelmChartConfig written for RKE2's nodes, is RKE2's.

    Which files are named does not matter: every node config is context (runner.is_context)."""
    placed = next((d for d in docs if _rke2_dir(d)), None)
    if placed is not None:
        apply(profile, {"distro": "rke2"}, placed.source.path, strict=False)
        return
    said = [(d, node_config_distro(d, root)) for d in docs]
    if not said or any(s is not None and s[0] == "k3s" for _, s in said):
        return
    by_keys = next(((d, s[1]) for d, s in said if s is not None), None)
    if by_keys is not None:
        doc, why = by_keys
        apply(profile, {"distro": "rke2"}, f"{doc.source.path} ({why}: the nodes run RKE2)", strict=False)
        return
    hcc = rke2_evidence() if rke2_evidence is not None else None
    if hcc is not None:
        doc = said[0][0]
        apply(profile, {"distro": "rke2"}, f"{doc.source.path} (a node config at no K3s place, and "
              f"{hcc.source.path} is a HelmChartConfig of RKE2's packaged {hcc.name}: the nodes run RKE2)",
              strict=False)


# ------------------------------------------------------------------ nodes that are not K3s

# Nodes that keep containerd's default CNI dirs (/opt/cni/bin, /etc/cni/net.d), said by
# the repository itself:
# * Talos (siderolabs/talos): its CRI config sets no bin_dir or conf_dir, and
#   pkg/machinery/constants puts cni.DefaultCNIDir (containerd/go-cni: /opt/cni/bin) on
#   the PATH. Every Talos home-ops repository measured got false ML101/ML103/ML104 errors.
# * kind (kubernetes-sigs/kind): its node image runs containerd with the default CNI dirs,
#   where kindnet writes 10-kindnet.conflist.
# * kubeadm (kubeadm.k8s.io configs): kubeadm leaves the runtime's defaults, containerd's
#   (go-cni DefaultCNIDir/DefaultNetDir) and CRI-O's (internal/config: plugin_dirs
#   /opt/cni/bin, network_dir /etc/cni/net.d) alike.
# * Amazon EKS (an eksctl ClusterConfig, a nodeadm NodeConfig, the VPC CNI's aws-node
#   DaemonSet or its ENIConfig): aws/amazon-vpc-cni-k8s config/master/aws-k8s-cni.yaml
#   mounts hostPath /opt/cni/bin and /etc/cni/net.d, where it installs aws-cni and
#   10-aws.conflist for the node's containerd.
# Nodes whose CNI dirs are neither K3s's nor containerd's defaults:
# * OpenShift (objects of API groups only OpenShift serves, or an install-config.yaml):
#   the cluster-network-operator deploys Multus itself with CNIBinDir /var/lib/cni/bin and
#   SystemCNIConfDir /etc/kubernetes/cni/net.d (pkg/network/multus.go), and whereabouts'
#   config under /etc/kubernetes/cni/net.d/whereabouts.d (bindata/network/multus/multus.yaml),
#   the first dir whereabouts searches (pkg/config/config.go LoadIPAMConfig). The node
#   path rules are not judged there.
# * Cluster API with the kubeadm providers (a KubeadmControlPlane or KubeadmConfig, or their
#   templates): kubernetes-sigs/cluster-api bootstrap/kubeadm turns a KubeadmConfig into the
#   cloud-init that runs `kubeadm init`/`kubeadm join` on each machine (internal/controllers
#   kubeadmconfig_controller.go), so the workload clusters' nodes are kubeadm's (above).
# * Kubespray (kubernetes-sigs/kubespray): its inventory variables (group_vars, the
#   ``kube_network_plugin`` it installs) set up containerd from roles/container-engine/
#   containerd/templates/config.toml.j2, which names no CNI dirs: containerd's defaults.
# A scope whose manifests say so (and that has no K3s config) is judged as a generic
# cluster, not against K3s's paths.
# * RHOSO (openstack-k8s-operators): an OpenStackControlPlane (core.openstack.org) or an
#   OpenStackDataPlaneNodeSet (dataplane.openstack.org) is reconciled by openstack-operator,
#   whose manager watches OpenShift Routes (internal/controller/core
#   openstackcontrolplane_controller.go: Owns(&routev1.Route{}); cmd/main.go registers
#   route/v1): it runs on OpenShift only.
# API groups that only OpenShift (or MicroShift, also not K3s) serves. Not
# sriovnetwork.openshift.io: the SR-IOV operator runs on any Kubernetes.
OPENSHIFT_GROUPS = frozenset({
    "config.openshift.io", "operator.openshift.io", "machineconfiguration.openshift.io",
    "route.openshift.io", "security.openshift.io", "template.openshift.io", "apps.openshift.io",
    "image.openshift.io", "project.openshift.io", "build.openshift.io", "console.openshift.io",
    "user.openshift.io", "oauth.openshift.io", "quota.openshift.io", "network.openshift.io",
    "imageregistry.operator.openshift.io", "ingress.operator.openshift.io",
})
RHOSO_GROUPS = frozenset({"core.openstack.org", "dataplane.openstack.org"})
# Cluster API objects whose machines kubeadm sets up (the k3s and rke2 providers have kinds
# of their own: KThreesControlPlane, RKE2ControlPlane)
CAPI_KUBEADM_KINDS = frozenset({
    ("controlplane.cluster.x-k8s.io", "KubeadmControlPlane"),
    ("controlplane.cluster.x-k8s.io", "KubeadmControlPlaneTemplate"),
    ("bootstrap.cluster.x-k8s.io", "KubeadmConfig"),
    ("bootstrap.cluster.x-k8s.io", "KubeadmConfigTemplate"),
})
# Texts without which a file holds none of that evidence (the context prefilter: a file
# named alone must be judged by the same evidence as in the audit). "v1alpha1" however it
# is written: a Talos document's ``apiVersion: v1alpha1``, a machine config's ``version:
# v1alpha1``, quoted or not ("version: v1alpha1" missed ``apiVersion: v1alpha1``)
GENERIC_NODE_MARKERS = ("TalosUpgrade", "talosVersion", "v1alpha1", "kind.x-k8s.io",
                        "core.openstack.org", "dataplane.openstack.org",
                        "kubeadm.k8s.io", "eksctl.io", "node.eks.aws", "amazon-k8s-cni",
                        "crd.k8s.amazonaws.com", ".amazonaws.com/eks/", "public.ecr.aws/eks/", "openshift.io", "baseDomain",
                        "KubeadmControlPlane", "KubeadmConfig", "kube_network_plugin",
                        "systemExtensions", "extraKernelArgs", "kubeadm init", "kubeadm join", "7445")


def generic_node_evidence(items: Iterable[tuple[Any, str]]) -> tuple[str, ...] | None:
    """(path, what it is, layout) of the first document (data, path) that says the nodes
    are not K3s's; layout "generic" (containerd's default CNI dirs) or "openshift". None if
    none does:

    * a tuppr ``TalosUpgrade`` (tuppr.home-operations.com): it upgrades Talos nodes;
    * a Talos machine config (``version: v1alpha1`` with a ``machine`` mapping);
    * a talhelper talconfig.yaml (``talosVersion`` and a list of ``nodes``) or talenv.yaml
      (``talosVersion`` and ``kubernetesVersion``, as the cluster templates write it);
    * a Talos multi-document config (``apiVersion: v1alpha1``, no API group, which no
      Kubernetes object has, and a kind ending in ``Config``);
    * a Talos ``ServiceAccount`` (``talos.dev/v1alpha1``): machined itself registers that CRD
      when ``kubernetesTalosAPIAccess`` is on (siderolabs/talos internal/app/machined/pkg/
      controllers/kubeaccess serviceaccount/crd_controller.go), no other cluster serves it;
    * Cilium values (a HelmRelease's ``spec.values``, or a values file) reaching the API server
      at localhost:7445: Talos's KubePrism, a load balancer machined runs on every node on
      127.0.0.1, port 7445 by default since Talos 1.6 (siderolabs/talos KubePrismConfig, the
      Talos guide "Deploying Cilium CNI"); K3s's agent balancer listens on 6444;
    * a Talos Image Factory schematic (only ``customization``/``overlay`` at the top, with
      ``customization.systemExtensions`` or ``extraKernelArgs``: siderolabs/image-factory
      pkg/schematic schematic.go ``Schematic``), what the nodes' Talos image is built from;
    * a kind cluster config (``kind: Cluster``, ``apiVersion: kind.x-k8s.io/...``);
    * a kubeadm config (``kubeadm.k8s.io/...``: ClusterConfiguration, InitConfiguration, ...);
    * a Cluster API KubeadmControlPlane or KubeadmConfig, or a template of one
      (``CAPI_KUBEADM_KINDS``);
    * Kubespray inventory variables (a mapping with a ``kube_network_plugin`` string);
    * an Ansible task list (a role's tasks, or a playbook's plays) whose ``command``/``shell``
      task runs ``kubeadm init`` or ``kubeadm join`` (``_ansible_runs_kubeadm``);
    * EKS: an eksctl ``ClusterConfig`` (eksctl.io), a nodeadm ``NodeConfig`` (node.eks.aws),
      an ``ENIConfig`` (crd.k8s.amazonaws.com), a DaemonSet or Deployment running an EKS add-on
      image (the VPC CNI, EKS's own multus-cni build);
    * OpenShift: an object of an API group only OpenShift serves (``OPENSHIFT_GROUPS``), an
      OpenShift install-config.yaml (``baseDomain`` and ``platform``, no ``kind``), or a RHOSO
      control or data plane object (``RHOSO_GROUPS``).
    """
    items = list(items)
    for data, path in items:
        if isinstance(data, list) and _ansible_runs_kubeadm(data):
            return path, "an Ansible task runs kubeadm: kubeadm sets up the nodes, which keep their " \
                "runtime's default CNI dirs", "generic"
        if not isinstance(data, dict):
            continue
        api, kind = data.get("apiVersion"), data.get("kind")
        group = api.partition("/")[0] if isinstance(api, str) and "/" in api else ""
        if kind == "TalosUpgrade" and group == "tuppr.home-operations.com":
            return path, "a tuppr TalosUpgrade: the nodes run Talos", "generic"
        if kind is None and api is None and data.get("version") == "v1alpha1" \
                and isinstance(data.get("machine"), dict):
            return path, "a Talos machine config", "generic"
        if _is_talhelper(data):
            # one node in every talhelper config: as for kind, host-local cannot repeat an address
            single = all(_talhelper_nodes(d) == 1 for d, _ in items if _is_talhelper(d))
            return path, "a talhelper config: the nodes run Talos", "generic", "1" if single else ""
        if api == "v1alpha1" and isinstance(kind, str) and kind.endswith("Config"):
            return path, f"a Talos {kind} document", "generic"
        if kind == "ServiceAccount" and group == "talos.dev":
            return path, "a Talos ServiceAccount (talos.dev): the nodes run Talos", "generic"
        if _reaches_kubeprism(data):
            return path, "Cilium values reach the API server at localhost:7445, Talos's KubePrism: " \
                "the nodes run Talos", "generic"
        if kind is None and api is None and _is_talos_schematic(data):
            return path, "a Talos Image Factory schematic: the nodes run Talos", "generic"
        if kind == "Cluster" and group == "kind.x-k8s.io":
            single = all(_kind_nodes(d) == 1 for d, _ in items if _is_kind_cluster(d))
            return path, "a kind cluster config: the nodes are kind's", "generic", "1" if single else ""
        if group == "kubeadm.k8s.io" and isinstance(kind, str) and kind.endswith("Configuration"):
            return path, f"a kubeadm {kind}: the nodes keep their runtime's default CNI dirs", "generic"
        if isinstance(kind, str) and (group, kind) in CAPI_KUBEADM_KINDS:
            return path, f"a Cluster API {kind}: kubeadm sets up the nodes, which keep their runtime's " \
                "default CNI dirs", "generic"
        if kind is None and api is None and isinstance(data.get("kube_network_plugin"), str):
            return path, "Kubespray inventory variables (kube_network_plugin): the nodes keep " \
                "containerd's default CNI dirs", "generic"
        if (kind, group) in (("ClusterConfig", "eksctl.io"), ("NodeConfig", "node.eks.aws"),
                             ("ENIConfig", "crd.k8s.amazonaws.com")):
            return path, f"an EKS {kind}: the nodes are EKS's", "generic"
        if kind in ("DaemonSet", "Deployment") and _runs_eks_image(data):
            return path, f"{kind} {_name(data)} runs an EKS add-on image: the nodes are EKS's", "generic"
        if kind == "DaemonSet" and (cni := _primary_cni(data)):
            return path, f"DaemonSet {_name(data)} deploys {cni} as the primary CNI into /etc/cni/net.d: " \
                "on K3s that takes flannel-backend none, where containerd keeps its default CNI dirs, " \
                "as other distros' nodes do", "generic"
        if group in OPENSHIFT_GROUPS and isinstance(kind, str):
            return path, f"an OpenShift {kind} ({group}): the nodes run OpenShift", "openshift"
        if group in RHOSO_GROUPS and isinstance(kind, str):
            return path, f"a RHOSO {kind} ({group}): openstack-operator runs on OpenShift", "openshift"
        if kind is None and api == "v1" and isinstance(data.get("baseDomain"), str) \
                and isinstance(data.get("platform"), dict):
            return path, "an OpenShift install-config: the nodes run OpenShift", "openshift"
    return None


def deployed_object_evidence(data: Any) -> bool:
    """Evidence of generic_node_evidence that is an object the cluster runs once a GitOps tool
    or kubectl applies it (a tuppr TalosUpgrade, a Talos ServiceAccount, Cilium values reaching
    KubePrism, an EKS ENIConfig or add-on workload, a primary CNI's DaemonSet, OpenShift and
    RHOSO objects), not a file that describes the nodes themselves (a Talos machine config,
    talconfig.yaml, a kind, kubeadm or eksctl config, Ansible): in a file no entry point
    deploys (its app left out of the parent kustomization) it says nothing of the nodes."""
    if not isinstance(data, dict):
        return False
    api, kind = data.get("apiVersion"), data.get("kind")
    group = api.partition("/")[0] if isinstance(api, str) and "/" in api else ""
    return kind in ("TalosUpgrade", "DaemonSet", "Deployment", "ENIConfig") \
        or (kind == "ServiceAccount" and group == "talos.dev") or _reaches_kubeprism(data) \
        or (isinstance(kind, str) and group in (*OPENSHIFT_GROUPS, *RHOSO_GROUPS))


def leave_distro_unsettled(profile: Profile, said: tuple[str, ...], why: str) -> None:
    """Node evidence the profile cannot take (``why``): the distro is not settled, and the
    rules that read the CNI dirs are not run (skipped_rules: DEPENDENT_RULES["distro"])."""
    profile.unsettled["distro"] = said[0]
    profile.sources["distro"] = f"default ({said[0]}: {said[1]}, but {why}: the rules that read the " \
                                "distro are not run)"


# EKS's add-on images: the VPC CNI (.../amazon-k8s-cni:...) and the builds EKS publishes
# under eks/ in its ECR registries (eks/multus-cni, eks/kube-proxy, eks/coredns: aws/
# amazon-vpc-cni-k8s config/multus/v*/aws-k8s-multus.yaml pulls
# 602401143452.dkr.ecr.<region>.amazonaws.com/eks/multus-cni). The same EKS builds of Multus
# and the VPC CNI on ECR Public's eks/ alias (AWS's own: public.ecr.aws/eks/multus-cni:
# v3.9.2-eksbuild.1 as neondatabase/autoscaling deploys it), but not every image there (the
# load balancer controller also runs on clusters that are not EKS)
_EKS_IMAGE = re.compile(r"\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?/(?:eks/|amazon-k8s-cni)"
                        r"|^public\.ecr\.aws/eks/(?:multus-cni|amazon-k8s-cni)[:@]")


def _reaches_kubeprism(data: dict[str, Any]) -> bool:
    """Cilium's ``k8sServiceHost``/``k8sServicePort`` (at the top of a values file, or in a
    Flux HelmRelease's ``spec.values``) are Talos KubePrism's localhost:7445."""
    spec = data.get("spec")
    values = spec.get("values") if isinstance(spec, dict) and data.get("kind") == "HelmRelease" else None
    for m in (data, values):
        if isinstance(m, dict) and m.get("k8sServiceHost") in ("localhost", "127.0.0.1") \
                and str(m.get("k8sServicePort")) == "7445":
            return True
    return False


def _name(data: dict[str, Any]) -> str:
    meta = data.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    return name if isinstance(name, str) else "?"


def _runs_eks_image(data: dict[str, Any]) -> bool:
    """A workload whose containers run an EKS add-on image (``_EKS_IMAGE``)."""
    spec = data.get("spec")
    spec = spec.get("template") if isinstance(spec, dict) else None
    spec = spec.get("spec") if isinstance(spec, dict) else None
    if not isinstance(spec, dict):
        return False
    for key in ("containers", "initContainers"):
        for c in spec.get(key) if isinstance(spec.get(key), list) else ():
            image = c.get("image") if isinstance(c, dict) else None
            if isinstance(image, str) and _EKS_IMAGE.search(image):
                return True
    return False


# Primary CNIs a project deploys from its own manifests (the image of the DaemonSet's
# containers -> what it is). Each writes its conflist into the hostPath it mounts as the
# node's CNI conf dir: flannel-io/flannel Documentation/kube-flannel.yml (install-cni copies
# 10-flannel.conflist to /etc/cni/net.d), projectcalico/calico manifests/calico.yaml (install-cni,
# 10-calico.conflist), cilium (cni.confPath /etc/cni/net.d), weave-kube, antrea-agent. Multus and
# the other secondary CNIs are not among them.
_PRIMARY_CNI_IMAGES = (
    (re.compile(r"(?:^|/)(?:flannel-io/flannel|flannel/flannel|coreos/flannel|mirrored-flannelcni-flannel)$"),
     "flannel"),
    (re.compile(r"(?:^|/)calico/node$"), "Calico"),
    (re.compile(r"(?:^|/)cilium/cilium$"), "Cilium"),
    (re.compile(r"(?:^|/)weaveworks/weave-kube$"), "Weave Net"),
    (re.compile(r"(?:^|/)antrea/antrea-(?:agent-)?ubuntu$|(?:^|/)antrea/antrea-agent$"), "Antrea"),
)
_STANDARD_CONF_DIR = "/etc/cni/net.d"


def _primary_cni(data: dict[str, Any]) -> str | None:
    """What primary CNI a DaemonSet deploys (``_PRIMARY_CNI_IMAGES``) when it mounts the hostPath
    /etc/cni/net.d, where it installs its config; None otherwise. On K3s with its flannel the
    runtime reads only D/agent/etc/cni/net.d (K3s's containerd config template sets the CNI dirs
    only when flannel is on), so a project whose own primary CNI writes to /etc/cni/net.d runs
    either on K3s with flannel-backend none, where containerd keeps /etc/cni/net.d and
    /opt/cni/bin, or on another distro's nodes: the default CNI dirs either way."""
    spec = data.get("spec")
    spec = spec.get("template") if isinstance(spec, dict) else None
    spec = spec.get("spec") if isinstance(spec, dict) else None
    if not isinstance(spec, dict):
        return None
    volumes = spec.get("volumes")
    mounts_conf = isinstance(volumes, list) and any(
        isinstance(v, dict) and isinstance(v.get("hostPath"), dict) and isinstance(v["hostPath"].get("path"), str)
        and v["hostPath"]["path"].rstrip("/") == _STANDARD_CONF_DIR for v in volumes)
    if not mounts_conf:
        return None
    for key in ("containers", "initContainers"):
        for c in spec.get(key) if isinstance(spec.get(key), list) else ():
            image = c.get("image") if isinstance(c, dict) else None
            if not isinstance(image, str):
                continue
            repo = image.strip().split("@")[0]
            if ":" in repo.rsplit("/", 1)[-1]:
                repo = repo.rsplit(":", 1)[0]  # the tag, not a registry's port
            for pattern, what in _PRIMARY_CNI_IMAGES:
                if pattern.search(repo):
                    return what
    return None


# Ansible's command modules (short and FQCN names) and the keys under which a task list
# nests tasks (a block, a play's tasks)
_ANSIBLE_COMMAND_MODULES = ("command", "shell", "ansible.builtin.command", "ansible.builtin.shell",
                            "ansible.legacy.command", "ansible.legacy.shell")
_ANSIBLE_TASK_LISTS = ("block", "rescue", "always", "tasks", "pre_tasks", "post_tasks", "handlers")
# `kubeadm init ...` / `kubeadm join ...`, the binary named by path or not, at the start of
# the command or of one of its `&&`/`;`-joined parts
_KUBEADM_BOOTSTRAP = re.compile(r"(?:^|[;&|]\s*)(?:\S*/)?kubeadm\s+(?:init|join)\b")


def _ansible_runs_kubeadm(tasks: list[Any], depth: int = 0) -> bool:
    """An Ansible task list whose ``command``/``shell`` task (or one nested in a block or a
    play) runs ``kubeadm init``/``kubeadm join``: kubeadm bootstraps those nodes, and the
    runtime it runs on keeps its default CNI dirs (kubeadm writes no CNI config; containerd
    /go-cni DefaultCNIDir /opt/cni/bin and DefaultNetDir /etc/cni/net.d). A K3s node is
    never set up by kubeadm (k3s-io/k3s runs its own supervisor)."""
    if depth > 3:
        return False
    for task in tasks:
        if not isinstance(task, dict):
            continue
        for key in _ANSIBLE_COMMAND_MODULES:
            cmd = task.get(key)
            if isinstance(cmd, dict):  # free-form arguments given as `cmd:`
                cmd = cmd.get("cmd")
            if isinstance(cmd, str) and _KUBEADM_BOOTSTRAP.search(cmd.strip()):
                return True
        for key in _ANSIBLE_TASK_LISTS:
            nested = task.get(key)
            if isinstance(nested, list) and _ansible_runs_kubeadm(nested, depth + 1):
                return True
    return False


def _is_talhelper(data: Any) -> bool:
    """A talhelper talconfig.yaml (``talosVersion`` and ``nodes``) or talenv.yaml
    (``talosVersion`` and ``kubernetesVersion``)."""
    return isinstance(data, dict) and data.get("kind") is None and isinstance(data.get("talosVersion"), str) \
        and (isinstance(data.get("nodes"), list) or isinstance(data.get("kubernetesVersion"), str))


def _talhelper_nodes(data: dict[str, Any]) -> int | None:
    """The nodes a talconfig.yaml lists (budimanjojo/talhelper pkg/config ``TalhelperConfig.Nodes``:
    talhelper genconfig writes one machine config per entry); None for a talenv.yaml (no
    ``nodes``) or an unreadable list."""
    nodes = data.get("nodes")
    if isinstance(nodes, list) and nodes and all(isinstance(n, dict) for n in nodes):
        return len(nodes)
    return None


def _is_talos_schematic(data: dict[str, Any]) -> bool:
    custom = data.get("customization")
    return isinstance(custom, dict) and set(data) <= {"customization", "overlay"} and (
        isinstance(custom.get("systemExtensions"), dict) or isinstance(custom.get("extraKernelArgs"), list))


def _is_kind_cluster(data: Any) -> bool:
    return isinstance(data, dict) and data.get("kind") == "Cluster" and \
        str(data.get("apiVersion", "")).startswith("kind.x-k8s.io/")


def _kind_nodes(data: dict[str, Any]) -> int | None:
    """The nodes of a kind cluster config: without ``nodes``, one control-plane node
    (kubernetes-sigs/kind pkg/apis/config/v1alpha4 default.go ``SetDefaultsCluster``: an
    empty list becomes ``[{Role: control-plane}]``); None when the list is unreadable."""
    nodes = data.get("nodes")
    if nodes is None:
        return 1
    if isinstance(nodes, list) and nodes and all(isinstance(n, dict) for n in nodes):
        return len(nodes)
    return None


def apply_node_evidence(profile: Profile, said: tuple[str, ...]) -> None:
    """Set the profile from ``generic_node_evidence``: distro generic, and OpenShift's
    platform when the nodes are OpenShift's; one node when every kind cluster config of
    the scope has one (several nodes stay unknown: a kind control-plane beside workers
    keeps its NoSchedule taint, so how many nodes take pods is not said)."""
    apply(profile, {"distro": "generic"}, f"{said[0]} ({said[1]})", strict=False)
    if len(said) > 2 and said[2] == "openshift":
        profile.platform = "openshift"
    if len(said) > 3 and said[3]:
        apply(profile, {"nodes": said[3]}, f"{said[0]} (kind or talhelper cluster configs of one node each)",
              strict=False)


def skipped_rules(profile: Profile) -> set[str]:
    """Code prefixes not judged with this profile: they read a value the scope's K3s
    configs dispute that no config or flag settled, or the CNI dirs of a containerd K3s
    does not run (container-runtime-endpoint), or of OpenShift's nodes, where the
    cluster-network-operator deploys Multus and whereabouts itself."""
    out: set[str] = set(EXTERNAL_RUNTIME_RULES) if profile.external_runtime or profile.platform else set()
    if profile.platform == "openshift":
        out.update(OPENSHIFT_RULES)
    for d in profile.disputes:
        if profile.sources.get(d.key, "").startswith("default"):
            out.update(DEPENDENT_RULES.get(d.key, ()))
    for key in profile.unsettled:
        out.update(DEPENDENT_RULES.get(key, ()))
    return out


# A K3s setting in a template's text: a config line (``flannel-backend: none``, JSON
# ``"flannel-backend": "none"``) or a command-line flag (``--flannel-backend=none``,
# ``--flannel-backend none``, as INSTALL_K3S_EXEC and systemd units pass them). Only the
# settings whose value moves the CNI dirs (DEPENDENT_RULES' path keys).
_TEMPLATE_SETTING = re.compile(
    r"""(?:^|[\s"'])(?:--)?(flannel-backend|data-dir)["']?(?:[ \t]*[:=][ \t]*|[ \t]+)["']?([^\s"',#]+)""")


def template_k3s_settings(texts: list[tuple[str, str]]) -> list[tuple[str, int, str, str]]:
    """(path, line, key, value) of the K3s settings that manifest templates (Jinja, Go; never
    rendered here) write: a K3s config or install command written by a template (an Ansible
    role's config.yaml.j2, a Butane config.bu.j2 that writes /etc/rancher/k3s/config.yaml)
    decides the node's CNI dirs as a config read here would. Only templates that name K3s
    (``k3s``, or ``rancher`` for its config dir) are read: etcd and others take a
    ``--data-dir`` too. Commented lines (``#``) are left out."""
    out = []
    for path, text in texts:
        if "k3s" not in text and "rancher" not in text:
            continue
        if "flannel-backend" not in text and "data-dir" not in text:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if line.lstrip().startswith("#"):
                continue
            for m in _TEMPLATE_SETTING.finditer(line):
                out.append((path, number, m.group(1), m.group(2)))
    return out


TEMPLATE_WHAT = "a template this linter does not render"
SCRIPT_WHAT = "a shell script this linter does not run"
FLAG_WHAT = "an Ansible variable whose flag Jinja fills in or passes only on a condition"


def apply_template_settings(profile: Profile, settings: list[tuple[str, int, str, str]],
                            what: str = TEMPLATE_WHAT) -> None:
    """Leave unsettled each key a template sets to something other than the profile's value
    (or to a value filled in when rendered: ``{{ ... }}``, ``${...}``): the template, not
    read here, may be what the nodes run. ``what`` says what the settings are in (a
    template, a shell script: script_k3s_settings, a K3s flag of an Ansible variable that
    is not literal: foreign_formats.K3sFlag), each of them only read, never run."""
    current = {"flannel-backend": profile.flannel_backend, "data-dir": profile.data_dir}
    for path, line, key, value in settings:
        path = os.path.normpath(path) if not os.path.isabs(path) else path  # ./x.j2 as x.j2
        same = value == current[key] or (key == "data-dir" and value.rstrip("/") == current[key])
        if same or key in profile.unsettled:
            continue
        profile.unsettled[key] = f"{path}:{line}"
        profile.sources[key] = (f"default ({path}:{line}, {what}, sets "
                                f"{key} {value}: the rules that read it are not run)")


# At most this many shell scripts are read for K3s settings (installed_plugins.read_templates
# reads them, by name), apart from the templates' own MAX_TEMPLATES: scripts do not crowd
# out the templates ML507 reads for installers.
MAX_SCRIPTS = 2000
# A K3s flag in a shell script (the K3s install script's INSTALL_K3S_EXEC, the arguments
# after ``sh -s -``, a ``k3s server`` command line, a variable holding them): Go's flag
# package, on which urfave/cli v1 parses K3s's command line (k3s pkg/cli/cmds/server.go
# DataDirFlag "data-dir,d", "flannel-backend"), takes one dash or two and the value after
# "=" or as the next argument. The value ends at whitespace, a quote or a shell operator.
_SCRIPT_FLAG = re.compile(r"""(?:^|(?<=[\s"'=]))--?(flannel-backend|data-dir)(?:=|[ \t]+)["']?([^\s"';|&)]+)""")
# a K3s config line a heredoc writes (cat <<EOF > /etc/rancher/k3s/config.yaml)
_SCRIPT_CONFIG_LINE = re.compile(r"""^[ \t]*["']?(flannel-backend|data-dir)["']?[ \t]*:[ \t]*["']?([^\s"'#]+)""")
# data-dir's alias -d only after a K3s command of the same command line: ``test -d``,
# ``[ -d ... ]`` and ``curl -d`` are everywhere in scripts
_K3S_COMMAND = re.compile(r"\bk3s\s+(?:server|agent)\b|\bINSTALL_K3S_EXEC\s*=|\bsh\s+-s\s+-(?=\s|$)")
_SCRIPT_D = re.compile(r"""(?<=[\s"'])-d(?:=|[ \t]+)["']?([^\s"';|&)]+)""")
_SHELL_COMMENT = re.compile(r"(?:^|(?<=\s))#.*")


def script_k3s_settings(texts: list[tuple[str, str]]) -> list[tuple[str, int, str, str]]:
    """(path, line, key, value) of the K3s settings shell scripts pass (``_SCRIPT_FLAG``,
    ``_SCRIPT_CONFIG_LINE``, ``-d`` after a K3s command): only scripts that name K3s
    (``k3s``, ``get.k3s.io``, ``INSTALL_K3S_EXEC``). Like a template's, a script's value is
    never taken as the node's (apply_template_settings leaves the key unsettled when it
    differs): the linter does not run the script, whose branches, functions and variables
    decide whether and where the flag is passed (one script often installs both a test
    cluster and the real one). Comments are left out; a line ending in a backslash goes on."""
    out = []
    for path, text in texts:
        if "k3s" not in text and "K3S" not in text:
            continue
        if "flannel-backend" not in text and "data-dir" not in text and "-d" not in text:
            continue
        command: list[tuple[int, str]] = []  # the physical lines of one command line
        for number, line in enumerate(text.splitlines(), 1):
            line = "" if line.lstrip().startswith("#") else _SHELL_COMMENT.sub("", line)
            if (m := _SCRIPT_CONFIG_LINE.match(line)) is not None:
                out.append((path, number, m.group(1), m.group(2)))
            else:
                out += [(path, number, m.group(1), m.group(2)) for m in _SCRIPT_FLAG.finditer(line)]
            command.append((number, line[:-1] if line.endswith("\\") else line))
            if line.endswith("\\"):
                continue
            joined = " ".join(part for _, part in command)
            k3s = _K3S_COMMAND.search(joined)
            if k3s is not None:
                for m in _SCRIPT_D.finditer(joined, k3s.end()):
                    at, where = m.start(), command[0][0]
                    for n, part in command:  # the physical line the flag is on
                        if at <= len(part):
                            where = n
                            break
                        at -= len(part) + 1
                    out.append((path, where, "data-dir", m.group(1)))
            command = []
    return out
