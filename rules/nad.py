"""ML5xx: NetworkAttachmentDefinitions and the CNI plugin configs inside them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from multus_lint.context import Context
from multus_lint.findings import Finding
from multus_lint.load.document import Site
from multus_lint.model.kustomize import replaced
from multus_lint.model.project import NAD, CniConfig
from multus_lint.registry import checks, declare
from multus_lint.suggest import closest
from multus_lint.validate.cni import json_type_name

INVALID_JSON = declare(
    "ML501", "nad-config-invalid-json", "error",
    "spec.config is not a JSON object (or is a YAML mapping instead of a string).",
    what="Parses the JSON in `spec.config` as Go's encoding/json would and reports the error at "
         "its own line and column inside the block scalar, with the parser's message.",
    why="Multus reads the config at pod start: invalid JSON fails every pod that requests the "
        "network, and the NAD itself is accepted by the API server without complaint.",
    example='config: |\n  {\n    "type": "macvlan",\n    "mode": "bridge",\n  }   # trailing comma',
    fix="Fix the JSON at the reported position; keep comments out of it.",
    refs=("https://github.com/k8snetworkplumbingwg/multi-net-spec",),
)


# ------------------------------------------------------------------ ML501 (not an object) ... ML510

MULTUS_REPO = "https://github.com/k8snetworkplumbingwg/multus-cni"
CNI_SPEC = "https://github.com/containernetworking/cni/blob/main/SPEC.md"
PLUGINS_DOCS = "https://www.cni.dev/plugins/current/main/"

EMPTY_CONFIG = declare(
    "ML502", "nad-config-empty", "warning",
    "A NetworkAttachmentDefinition with no spec.config.",
    what="`spec.config` missing or blank in a NetworkAttachmentDefinition.",
    why="With no config, Multus looks on the node for a CNI config file whose `name` is the NAD's "
        "name (in its CNI config dir, default /etc/cni/multus/net.d): that file must exist on "
        "every node, outside anything this repository deploys, or pods fail with `no network "
        "available in the name ...`.",
    example="spec: {}",
    fix="Put the CNI config (JSON) in `spec.config`, or make sure every node has the file.",
    refs=(f"{MULTUS_REPO}/issues/716", "https://github.com/k8snetworkplumbingwg/multi-net-spec"),
)

CONFIG_SCHEMA = declare(
    "ML503", "cni-config-schema", "error",
    "The CNI config's structure or a key's JSON type is wrong (per schemas/*.json).",
    what="Validates the CNI config against the JSON Schemas shipped in `schemas/`: a single "
         "config needs `type`; a conflist needs `name` and a non-empty `plugins` list whose "
         "entries each have `type`; the CNI `name` must match ^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$; "
         "`type` must not hold a path; `runtimeConfig` and `args` are reserved; `capabilities` "
         "are booleans; and every known key of the main plugins (macvlan, ipvlan, bridge, "
         "host-device, vlan, sriov, ptp, tuning, portmap, bandwidth) and IPAMs (whereabouts, "
         "host-local, static, dhcp) has its Go type. Keys match case-insensitively, as in Go. "
         "Unknown keys of a known plugin are reported with a did-you-mean (warning), or as info "
         "when nothing is close. A NAD config holding nothing but `ipam` is info: a pool a "
         "controller reads itself (NeonVM's IPAM), which no pod can attach.",
    why="Go's JSON decoding fails on a wrong type (`\"mtu\": \"1500\"`), and libcni and Multus "
        "refuse a config without `type` or `name`: every pod start on the network fails. An "
        "unknown key is silently ignored.",
    example='{"cniVersion": "1.0.0", "plugins": [{"type": "macvlan", "mtu": "1500"}]}',
    fix="Give the key the type the plugin expects, and the list a name.",
    refs=(CNI_SPEC, "https://github.com/containernetworking/cni/blob/main/libcni/conf.go"),
)

CNI_VERSION = declare(
    "ML504", "cni-version-invalid", "warning",
    "cniVersion missing (treated as 0.1.0) or not a CNI version.",
    what="The top-level `cniVersion` of a CNI config: missing is a warning (libcni reads it as "
         "0.1.0, which limits results to one address per family and skips CHECK); a value that is "
         "not one of 0.1.0, 0.2.0, 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0 is an error. Whether the "
         "plugin that receives a valid version accepts it is ML513's. A NAD config holding nothing "
         "but `ipam` has no plugin to version (ML503 says so).",
    why="Plugins refuse a version they do not know (`incompatible CNI versions`), at every pod "
        "start.",
    example='{"cniVersion": "1.0", "type": "macvlan"}',
    fix='Set "cniVersion": "1.0.0" (or the version your plugins support).',
    refs=(CNI_SPEC, "https://github.com/containernetworking/cni/blob/main/pkg/version/version.go"),
)

NAD_NAME = declare(
    "ML505", "nad-name-invalid", "error",
    "A NetworkAttachmentDefinition name that is not a DNS-1123 label.",
    what="`metadata.name` of a NetworkAttachmentDefinition must be a DNS-1123 label: lower-case "
         "letters, digits and `-`, starting and ending with a letter or digit, at most 63 "
         "characters.",
    why="The short form of the networks annotation (`ns/name@if`) accepts only such names "
        "(multus-cni pkg/k8sclient parsePodNetworkObjectName), so a NAD named otherwise cannot be "
        "attached that way; upper-case letters or `_` the API server refuses outright "
        "(metadata.name must be a DNS-1123 subdomain).",
    example="metadata:\n  name: Macvlan_Conf",
    fix="Rename it (macvlan-conf) and update the annotations that use it.",
    refs=(f"{MULTUS_REPO}/blob/master/pkg/k8sclient/k8sclient.go",
          "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names"),
)

PLUGIN_OPTION = declare(
    "ML506", "plugin-option-invalid", "error",
    "A plugin option outside the values the plugin accepts.",
    what="macvlan `mode` not bridge/private/vepa/passthru (e.g. `passthrough`); ipvlan `mode` not "
         "l2/l3/l3s; vlan without `master` or `vlanId` outside 0..4094; bridge `vlan` outside "
         "0..4094, `hairpinMode` with `promiscMode`, IPAM with `disableContainerInterface`; "
         "host-device without a device selector (in a node-level file); SR-IOV vlan (0..4094), "
         "vlanQoS (0..7, needs a non-zero vlan), vlanProto (802.1Q/802.1ad, needs a vlan), "
         "link_state, spoofchk, trust; a negative `mtu`; tuning, portmap or bandwidth as the first "
         "or only plugin (they only modify a previous plugin's result).",
    why="The plugin rejects the value at every pod start (`unknown macvlan mode`, `invalid VLAN "
        "ID`, `must be called as chained plugin`...).",
    example='{"type": "macvlan", "master": "eth1", "mode": "passthrough"}',
    fix="Use a value from the plugin's documented set; chain meta plugins after a main plugin in a "
        "conflist.",
    refs=(PLUGINS_DOCS, "https://github.com/k8snetworkplumbingwg/sriov-cni/blob/master/docs/configuration-reference.md"),
)

SRIOV_RESOURCE = declare(
    "ML508", "sriov-resource-name-missing", "error",
    "An SR-IOV (or device-plugin host-device) NAD without the resourceName annotation.",
    what="A NAD whose plugin is `sriov`, or `host-device` without its own device selector (so it "
         "relies on the `pciBusID` Multus injects from a device plugin), needs the annotation "
         "`k8s.v1.cni.cncf.io/resourceName: <vendor>/<resource>`. Also reported: a resourceName "
         "that is not `<vendor>/<resource>` (an error on such a NAD; info on a NAD whose plugins "
         "take no device, where Multus never uses it), unless the project allocates devices "
         "through DRA (resource.k8s.io claims or DeviceClasses, or pods with `resourceClaims`): "
         "Multus then also keys devices by the DRA driver's `k8s.cni.cncf.io/resourceName` "
         "attribute, any string. Not reported: a NAD that a DRA `VfConfig` names "
         "(`netAttachDefName`), which the SR-IOV DRA driver gives its `deviceID` itself.",
    why="Multus injects the allocated VF's PCI address (`deviceID`) only from that annotation; "
        "without it sriov fails with `VF pci addr is required` at every pod start.",
    example="metadata:\n  name: sriov-net   # no k8s.v1.cni.cncf.io/resourceName",
    fix="Add `k8s.v1.cni.cncf.io/resourceName: intel.com/sriov_netdevice` (your device plugin's "
        "resource).",
    refs=("https://github.com/k8snetworkplumbingwg/sriov-cni#usage",
          f"{MULTUS_REPO}/blob/master/pkg/k8sclient/k8sclient.go"),
)

MACVLAN_PASSTHRU = declare(
    "ML509", "macvlan-passthru", "info",
    "macvlan passthru mode (one pod per node and master), or a master shared by macvlan and ipvlan.",
    what="macvlan `mode: passthru` (info): the interface takes over the master, so only one pod "
         "per node and master can use the network. A master interface used by both a macvlan and "
         "an ipvlan NAD (warning; a missing master means the node's default-route interface).",
    why="The second passthru pod on a node fails with `device or resource busy`; a master "
        "enslaved by macvlan cannot take ipvlan links (and the reverse), which fails the same way.",
    example='{"type": "macvlan", "master": "eth1", "mode": "passthru"}',
    fix="Use bridge mode for several pods per node; give macvlan and ipvlan NADs different "
        "masters.",
    refs=("https://www.cni.dev/plugins/current/main/macvlan/", f"{MULTUS_REPO}/issues/1339"),
)

BRIDGE_ON_FLANNEL = declare(
    "ML510", "bridge-on-flannel-bridge", "warning",
    "A bridge NAD on cni0 (the default) or flannel.1: K3s's own pod network devices.",
    what="A bridge plugin in a NAD without a `bridge` name (the plugin defaults to `cni0`) or "
         "naming `cni0` or `flannel.1`.",
    why="On K3s `cni0` is the flannel pod bridge: the secondary network lands on the primary "
        "one, and with `isGateway` and another subnet the plugin fails with `\"cni0\" already has "
        "an IP address different from ...`.",
    example='{"type": "bridge", "ipam": {"type": "whereabouts", "range": "192.168.50.0/24"}}',
    fix='Name a bridge of its own: "bridge": "br-secondary".',
    refs=("https://www.cni.dev/plugins/current/main/bridge/",
          "https://github.com/flannel-io/cni-plugin/blob/main/flannel_linux.go"),
)

CNI_VERSIONS = ("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0")
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
META_PLUGINS = ("tuning", "portmap", "bandwidth")
HOST_DEVICE_SELECTORS = ("device", "hwaddr", "kernelpath", "pciBusID")
RESOURCE_NAME = re.compile(r"^[^/\s]+/[^/\s]+$")


def config_site(cfg: CniConfig) -> Site:
    """Where a finding about a whole CNI config goes: a NAD's `config` key, a file's root."""
    if cfg.kind == "nad":
        return cfg.owner.site("spec", "config")
    return cfg.site()


@checks(INVALID_JSON, local=True)
def config_not_object(ctx: Context) -> Iterator[Finding]:
    for nad in ctx.project.nads:
        if nad.config is not None and not nad.config.is_dict:
            yield ctx.finding(INVALID_JSON, nad.doc.site("spec", "config"),
                              f"spec.config is a JSON {json_type_name(nad.config.data)}, "
                              "not an object: Multus fails with \"failed to unmarshal Spec.Config\"")


# Multus's defaults for a config that sets neither (pkg/types/conf.go: defaultConfDir,
# defaultMultusNamespace).
MULTUS_DEFAULT_CONF_DIR = "/etc/cni/multus/net.d"
MULTUS_DEFAULT_NAMESPACE = "kube-system"


def _multus_configs(ctx: Context) -> list[dict[str, Any]]:
    """The Multus (thin) CNI configs of the project: CNI config files of type multus, and the
    JSON a ConfigMap carries for a Multus DaemonSet (its cni-conf.json)."""
    def build() -> list[dict[str, Any]]:
        out = [c.data for c in ctx.project.cni_files if c.is_dict and c.data.get("type") == "multus"]
        for doc in ctx.project.of_kind("ConfigMap"):
            data = doc.data.get("data")
            if not isinstance(data, dict):
                continue
            for text in data.values():
                if not (isinstance(text, str) and '"multus"' in text):
                    continue
                try:
                    conf = json.loads(text)
                except (ValueError, RecursionError):
                    continue  # its syntax is not this rule's
                if isinstance(conf, dict) and conf.get("type") == "multus":
                    out.append(conf)
        return out
    return ctx.project.cached("nad.multus_configs", build)


def _primary_network_nad(ctx: Context, nad: NAD) -> bool:
    """A spec-less NAD that a Multus config of the project names as its clusterNetwork (or in
    defaultNetworks), whose confDir is the node's CNI conf dir: the file Multus reads is the
    primary CNI's own config there, which that CNI writes on every node.

    Upstream: multus-cni pkg/k8sclient/k8sclient.go getNetDelegate (clusterNetwork/defaultNetworks
    are looked up as a NAD in multusNamespace) -> getKubernetesDelegate -> cniConfigFromNetworkResource
    (an empty Spec reads getCNIConfigFromFile(NAD name, confDir): the CNI config in confDir whose
    "name" is the NAD's name). multus-cni issue #642 uses this with kind's own config."""
    node_dirs = {"/etc/cni/net.d", ctx.profile.conf_dir}
    for conf in _multus_configs(ctx):
        names = [conf.get("clusterNetwork")]
        defaults = conf.get("defaultNetworks")
        if isinstance(defaults, list):
            names += defaults
        if nad.name not in names:
            continue
        namespace = conf.get("multusNamespace") or MULTUS_DEFAULT_NAMESPACE
        conf_dir = conf.get("confDir") or MULTUS_DEFAULT_CONF_DIR
        if nad.namespace == namespace and isinstance(conf_dir, str) and conf_dir.rstrip("/") in node_dirs:
            return True
    return False


@checks(EMPTY_CONFIG)
def empty_config(ctx: Context) -> Iterator[Finding]:
    # not local: a Multus config elsewhere in the project can name the NAD as its cluster network
    for nad in ctx.judged.nads:
        raw = nad.raw_config
        if nad.config is not None or nad.config_problem is not None:
            continue
        if replaced(nad.doc, ("spec", "config")):
            continue  # a kustomize `replacements` entry writes it (options.create adds it)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if _primary_network_nad(ctx, nad):
                continue
            spec, found = nad.doc.locate(("spec",))
            site = nad.doc.site("spec", "config") if found else nad.doc.name_site()
            yield ctx.finding(EMPTY_CONFIG, site,
                              f"spec.config is {'empty' if raw is not None else 'missing'}: Multus then "
                              f"needs a CNI config file named '{nad.name}' in its conf dir on every "
                              "node (default /etc/cni/multus/net.d), which nothing here deploys")


def _schema_errors(ctx: Context) -> list[tuple[CniConfig, tuple, str, str, str | None]]:
    """(config, path, keyword, message, rule) for every schema error, computed once per run."""

    def build() -> list[tuple[CniConfig, tuple, str, str, str | None]]:
        from multus_lint.validate import cni as cs

        out = []
        for cfg in ctx.project.cni_configs():
            if not cfg.is_dict:
                continue
            top = cs.CONFLIST_SCHEMA if cfg.is_list else cs.CONFIG_SCHEMA
            for e in cs.validate(top, cfg.data):
                out.append((cfg, e.path, e.keyword, e.message, None))
            for path, plugin in cfg.plugins():
                ptype = plugin.get("type")
                if isinstance(ptype, str) and ptype in cs.PLUGIN_SCHEMAS:
                    for e in cs.validate(cs.PLUGIN_SCHEMAS[ptype], plugin):
                        out.append((cfg, path + e.path, e.keyword, e.message, e.rule))
            for path, ipam, _ in cfg.ipams():
                itype = ipam.get("type")
                if isinstance(itype, str) and itype in cs.IPAM_SCHEMAS:
                    for e in cs.validate(cs.IPAM_SCHEMAS[itype], ipam):
                        out.append((cfg, path + e.path, e.keyword, e.message, e.rule))
        return out

    return ctx.project.cached("cni-schema-errors", build)  # type: ignore[no-any-return]


@checks(CONFIG_SCHEMA, local=True)
def config_schema(ctx: Context) -> Iterator[Finding]:
    from multus_lint.validate.cni import COMMON_PLUGIN_KEYS, PLUGIN_SCHEMAS, unknown_keys

    for cfg, path, keyword, message, rule in _schema_errors(ctx):
        if rule is not None:
            continue
        if path or keyword != "required":
            yield ctx.finding(CONFIG_SCHEMA, cfg.site(*path), message)
        elif cfg.is_list and cfg.kind == "nad":
            # multus-cni pkg/k8sclient getCNIConfigFromSpec injects the NAD's name ("Inject
            # network name if missing"), and K3s runs no NAD admission webhook: it works on K3s
            yield ctx.finding(CONFIG_SCHEMA, config_site(cfg),
                              "the plugin list has no 'name': Multus fills in the NAD's name, so it "
                              "works through Multus; only tools that load the config without Multus "
                              "(libcni, cnitool) refuse it (\"no name\"); add \"name\" to keep it "
                              "portable", "info")
        elif ipam_only(cfg):
            yield ctx.finding(CONFIG_SCHEMA, config_site(cfg),
                              "the NAD's config holds only 'ipam', no CNI plugin: a pod that asks for it "
                              "does not start (Multus: \"delegate must have the 'type' or 'plugin' field\"); "
                              "fine if only a controller reads the pool from it (NeonVM's IPAM reads just "
                              "'ipam'), else add the plugin's \"type\"", "info")
        else:
            yield ctx.finding(CONFIG_SCHEMA, config_site(cfg), message)
    for cfg in ctx.project.cni_configs():
        for path, plugin in cfg.plugins():
            ptype = plugin.get("type")
            if ptype not in PLUGIN_SCHEMAS:
                continue
            for kpath, key, known in unknown_keys(PLUGIN_SCHEMAS[ptype], plugin, COMMON_PLUGIN_KEYS):
                if len(kpath) != 1:
                    continue
                best = closest(key, [k for k in known if k not in COMMON_PLUGIN_KEYS or k in
                                     ("ipam", "capabilities", "dns")], 0.75)
                if best:
                    yield ctx.finding(CONFIG_SCHEMA, cfg.site(*path, *kpath),
                                      f"'{key}' is not a {ptype} option and is silently ignored; did you "
                                      f"mean '{best}'?", "warning")
                else:
                    yield ctx.finding(CONFIG_SCHEMA, cfg.site(*path, *kpath),
                                      f"'{key}' is not a {ptype} option: the plugin ignores it", "info")


def ipam_only(cfg: CniConfig) -> bool:
    """A NAD whose config is nothing but an ``ipam`` mapping: no CNI config Multus could run,
    but the pool a controller reads itself (neondatabase/autoscaling pkg/neonvm/ipam/config.go
    loadFromNad decodes only ``ipam``); said once, as info, and without ML504 (no plugin to
    version)."""
    return cfg.kind == "nad" and cfg.is_dict and not cfg.is_list and list(cfg.data) == ["ipam"] \
        and isinstance(cfg.data["ipam"], dict)


@checks(CNI_VERSION, local=True)
def cni_version(ctx: Context) -> Iterator[Finding]:
    from multus_lint.net.addresses import find_key

    for cfg in ctx.project.cni_configs():
        if not cfg.is_dict:
            continue
        key = find_key(cfg.data, "cniVersion")
        if key is None and ipam_only(cfg):
            continue
        if key is None:
            yield ctx.finding(CNI_VERSION, config_site(cfg),
                              "cniVersion is missing, so libcni treats the config as 0.1.0 (one address "
                              "per family, no CHECK); set it explicitly, e.g. \"cniVersion\": \"1.0.0\"")
            continue
        value = cfg.data[key]
        if value not in CNI_VERSIONS:
            text = str(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""
            prefixed = [v for v in CNI_VERSIONS if v.startswith(text + ".")] if text else []
            best = prefixed[0] if prefixed else closest(text, CNI_VERSIONS, 0.6) if text else None
            yield ctx.finding(CNI_VERSION, cfg.site(key),
                              f"cniVersion {json.dumps(value)} is not a CNI version "
                              f"({'it must be a string; ' if not isinstance(value, str) else ''}"
                              f"{', '.join(CNI_VERSIONS)}): "
                              "plugins fail with \"incompatible CNI versions\""
                              + (f"; did you mean '{best}'?" if best else ""), "error")


@checks(NAD_NAME, local=True)
def nad_name(ctx: Context) -> Iterator[Finding]:
    for nad in ctx.project.nads:
        name = nad.doc.metadata.get("name")
        if not isinstance(name, str) or not name:
            continue  # no name at all is the API server's to refuse
        if replaced(nad.doc, ("metadata", "name")):
            continue  # a kustomize `replacements` writes it: the deployed name is not this one
        if len(name) > 63 or not DNS1123_LABEL.match(name):
            fixed = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")[:63] or "net"
            yield ctx.finding(NAD_NAME, nad.doc.name_site(),
                              f"NAD name '{name}' is not a DNS-1123 label (lower-case letters, digits "
                              "and '-', at most 63): the networks annotation cannot name it in its "
                              f"short form; rename it, e.g. '{fixed}'")


def _is_chained(path: tuple) -> bool:
    return len(path) >= 2 and path[-2] == "plugins" and path[-1] != 0


@checks(PLUGIN_OPTION, local=True)
def plugin_option(ctx: Context) -> Iterator[Finding]:
    from multus_lint.net.addresses import find_key, getk

    for cfg, path, _, message, rule in _schema_errors(ctx):
        if rule == PLUGIN_OPTION.code:
            yield ctx.finding(PLUGIN_OPTION, cfg.site(*path), message)
    for cfg in ctx.project.cni_configs():
        if not cfg.is_dict:
            continue
        nad_owned = cfg.kind == "nad"
        for path, plugin in cfg.plugins():
            ptype = plugin.get("type")
            if ptype in META_PLUGINS and not _is_chained(path) and path[:1] != ("delegates",):
                yield ctx.finding(PLUGIN_OPTION, cfg.site(*path, "type"),
                                  f"{ptype} is a meta plugin: it only modifies the result of a previous "
                                  "plugin and fails as the first or only one (\"must be called as "
                                  "chained plugin\"); put it after a main plugin in a conflist")
            if ptype == "bridge":
                if getk(plugin, "hairpinMode") is True and getk(plugin, "promiscMode") is True:
                    yield ctx.finding(PLUGIN_OPTION, cfg.site(*path, find_key(plugin, "promiscMode")),
                                      "hairpinMode and promiscMode are exclusive: bridge fails with "
                                      "\"cannot set hairpin mode and promiscuous mode at the same time\"")
                ipam = getk(plugin, "ipam")
                if getk(plugin, "disableContainerInterface") is True and isinstance(ipam, dict) \
                        and getk(ipam, "type"):
                    yield ctx.finding(PLUGIN_OPTION, cfg.site(*path, find_key(plugin, "ipam")),
                                      "bridge fails with \"cannot use IPAM when DisableContainerInterface "
                                      "flag is set\"")
            if ptype == "host-device" and not nad_owned and \
                    not any(getk(plugin, k) for k in HOST_DEVICE_SELECTORS):
                yield ctx.finding(PLUGIN_OPTION, cfg.site(*path, "type"),
                                  "host-device names no device: set one of device, hwaddr, kernelpath "
                                  "or pciBusID (the plugin fails with \"specify either ...\")")
            if ptype == "sriov":
                yield from _sriov(ctx, cfg, path, plugin)


def _sriov(ctx: Context, cfg: CniConfig, path: tuple, plugin: dict[str, Any]) -> Iterator[Finding]:
    from multus_lint.net.addresses import find_key, getk

    vlan = getk(plugin, "vlan")
    qos = getk(plugin, "vlanQoS")
    proto = getk(plugin, "vlanProto")
    vlan_ok = isinstance(vlan, int) and not isinstance(vlan, bool)
    for key, value in (("vlanQoS", qos), ("vlanProto", proto)):
        if value is not None and vlan is None:
            yield ctx.finding(PLUGIN_OPTION, cfg.site(*path, find_key(plugin, key)),
                              f"{key} is set without vlan: sriov fails with \"vlan id must be configured "
                              f"to set vlan {'QoS' if key == 'vlanQoS' else 'proto'} to a non-nil value\"")
    if vlan_ok and vlan == 0 and isinstance(qos, int) and qos != 0:
        yield ctx.finding(PLUGIN_OPTION, cfg.site(*path, find_key(plugin, "vlanQoS")),
                          "vlanQoS is non-zero with vlan 0: sriov fails with \"non-zero vlan id must be "
                          "configured to set vlan QoS to a non-zero value\"")
    if vlan_ok and vlan == 0 and isinstance(proto, str) and proto.lower() == "802.1ad":
        yield ctx.finding(PLUGIN_OPTION, cfg.site(*path, find_key(plugin, "vlanProto")),
                          "vlanProto 802.1ad with vlan 0: sriov fails with \"non-zero vlan id must be "
                          "configured to set vlan proto 802.1ad\"")


@checks(SRIOV_RESOURCE)
def sriov_resource(ctx: Context) -> Iterator[Finding]:
    # not local: a NAD is judged against the project's DRA objects (model.dra)
    from multus_lint.model.dra import attached_by_dra_driver, uses_dra
    from multus_lint.model.project import RESOURCE_NAME_ANNOTATION
    from multus_lint.net.addresses import getk

    for nad in ctx.judged.nads:
        value = nad.doc.annotations.get(RESOURCE_NAME_ANNOTATION)
        cfg = nad.config
        needs = None
        if cfg is not None and cfg.is_dict:
            for _, plugin in cfg.plugins():
                ptype = plugin.get("type")
                if ptype == "sriov" and not getk(plugin, "deviceID"):
                    needs = "sriov"
                elif ptype == "host-device" and not any(getk(plugin, k) for k in HOST_DEVICE_SELECTORS):
                    needs = "host-device (no device, hwaddr, kernelpath or pciBusID of its own)"
        if value is not None and (not isinstance(value, str) or not RESOURCE_NAME.match(value)):
            if isinstance(value, str) and value and uses_dra(ctx.project):
                # Multus keys DRA devices by the driver's k8s.cni.cncf.io/resourceName attribute,
                # any string (multus-cni pkg/draclient GetPodResourceMap): no <vendor>/ part needed
                continue
            site = nad.doc.site("metadata", "annotations", RESOURCE_NAME_ANNOTATION)
            if needs is not None:
                yield ctx.finding(SRIOV_RESOURCE, site,
                                  f"{RESOURCE_NAME_ANNOTATION} '{value}' is not <vendor>/<resource> (as "
                                  "in intel.com/sriov_netdevice): no device plugin advertises it, so "
                                  f"Multus finds no allocated device for {needs} and the plugin fails "
                                  "with \"VF pci addr is required\"")
            else:
                # Multus (pkg/k8sclient getKubernetesDelegate) only looks the name up to inject a
                # device ID; a plugin that takes no device never reads it, and nothing requests
                # the resource on K3s (no network-resources-injector): the annotation is inert.
                yield ctx.finding(SRIOV_RESOURCE, site,
                                  f"{RESOURCE_NAME_ANNOTATION} '{value}' is not <vendor>/<resource>; "
                                  "this NAD's plugins take no device, so Multus never uses it (it only "
                                  "injects a device ID from it): remove it or name a real resource",
                                  "info")
            continue
        if value is not None:
            continue
        if needs is not None and not attached_by_dra_driver(ctx.project, nad):
            # a VfConfig's NAD gets its deviceID from the SR-IOV DRA driver, not from Multus
            # (dra-driver-sriov pkg/devicestate applyConfig AddDeviceIDToNetConf)
            yield ctx.finding(SRIOV_RESOURCE, nad.doc.name_site(),
                              f"NAD {nad.name} uses {needs} but has no {RESOURCE_NAME_ANNOTATION} "
                              "annotation: Multus cannot inject the allocated device, so the plugin "
                              "fails with \"VF pci addr is required\"; add the device plugin's "
                              "resource (<vendor>/<resource>)")


@checks(MACVLAN_PASSTHRU)
def macvlan_passthru(ctx: Context) -> Iterator[Finding]:
    from multus_lint.net.addresses import find_key, getk

    masters: dict[str, dict[str, list[tuple[Any, CniConfig, tuple]]]] = {}
    for nad in ctx.project.nads:
        cfg = nad.config
        if cfg is None or not cfg.is_dict:
            continue
        for path, plugin in cfg.plugins():
            ptype = plugin.get("type")
            if ptype not in ("macvlan", "ipvlan"):
                continue
            mode = getk(plugin, "mode")
            if ptype == "macvlan" and mode == "passthru" and ctx.reported(nad.doc):
                yield ctx.finding(MACVLAN_PASSTHRU, cfg.site(*path, find_key(plugin, "mode")),
                                  "macvlan passthru gives the pod the whole master interface: only one "
                                  "pod per node can use this network (the next fails with \"device or "
                                  "resource busy\")")
            master = getk(plugin, "master")
            if not isinstance(master, str):
                master = ""
            masters.setdefault(master, {}).setdefault(ptype, []).append((nad, cfg, path))
    for master, kinds in masters.items():
        if len(kinds) < 2:
            continue
        name = f"master {master}" if master else "the default-route interface (no master set)"
        for ptype, other in (("macvlan", "ipvlan"), ("ipvlan", "macvlan")):
            o_nad = kinds[other][0][0]
            for _nad, cfg, path in kinds[ptype]:
                if not ctx.reported(_nad.doc):
                    continue
                key = find_key(_plugin_at(cfg, path), "master")
                yield ctx.finding(MACVLAN_PASSTHRU, cfg.site(*path, key or "type"),
                                  f"{ptype} on {name}, which NAD {o_nad.namespace}/{o_nad.name} uses for "
                                  f"{other}: one master cannot carry both (\"device or resource busy\")",
                                  "warning")


def _plugin_at(cfg: CniConfig, path: tuple) -> dict[str, Any]:
    node: Any = cfg.data
    for p in path:
        node = node[p]
    return node if isinstance(node, dict) else {}


@checks(BRIDGE_ON_FLANNEL, local=True)
def bridge_on_flannel(ctx: Context) -> Iterator[Finding]:
    from multus_lint.net.addresses import find_key

    if not ctx.profile.is_k3s:
        return  # cni0 and flannel.1 are K3s's embedded flannel devices (RKE2's canal has neither cni0)
    for nad in ctx.project.nads:
        cfg = nad.config
        if cfg is None or not cfg.is_dict:
            continue
        for path, plugin in cfg.plugins():
            if plugin.get("type") != "bridge":
                continue
            key = find_key(plugin, "bridge")
            value = plugin.get(key) if key else None
            if key is None or value == "":
                yield ctx.finding(BRIDGE_ON_FLANNEL, cfg.site(*path, key or "type"),
                                  "bridge has no `bridge` name, so it uses cni0, K3s's flannel pod bridge: "
                                  "the secondary network lands on the pod network; name a bridge of its own")
            elif value in ("cni0", "flannel.1"):
                yield ctx.finding(BRIDGE_ON_FLANNEL, cfg.site(*path, key),
                                  f"bridge {value} is a K3s flannel device: the secondary network lands on "
                                  "the pod network (or fails with \"already has an IP address different "
                                  "from ...\"); name a bridge of its own")


# ------------------------------------------------------------------ ML507

PLUGIN_NOT_INSTALLED = declare(
    "ML507", "plugin-not-installed", "warning",
    "A NAD's plugin type is installed by nothing in the project (K3s ships only its own few).",
    what="Only when the project deploys Multus (a chart release or a Multus DaemonSet). For main and "
         "meta plugins (IPAM daemons are ML202), and a flannel plugin's `delegate.type` (flannel runs "
         "its delegate from the same path): the `type` must be installed into the K3s bin dir by "
         "something in the project: K3s ships flannel, bridge, host-local, loopback, portmap, bandwidth "
         "and firewall; the rke2-multus chart adds the standard plugins (macvlan, ipvlan, vlan, "
         "host-device, tuning, ...) except those in `cniplugins.skipcnis`; whereabouts comes with "
         "`rke2-whereabouts.enabled`; sriov, ovs and others need their own DaemonSet. Names in the "
         "config's `extra-plugins` count as installed, and so does a type named in a manifest "
         "template the linter does not render (`.j2`, `.jinja`, `.jinja2`, `.tpl`, `.tmpl`, `.gotmpl`) "
         "that holds a DaemonSet mounting a host folder: what an Ansible or Go-templated installer "
         "copies is not known here. The message names the Multus config's "
         "`binDir` too when it sets one (Multus runs delegates from there first). On distro generic "
         "the reference plugins (containernetworking/plugins) are not judged: whether the node "
         "image ships them is not in the manifests.",
    why="containerd finds only binaries in the K3s bin dir; a missing one fails every pod on the "
        "network with `failed to find plugin \"macvlan\" in path [/var/lib/rancher/k3s/data/cni]`.",
    example='{"type": "macvlan", "master": "eth0"}  # Multus from a raw DaemonSet, no cni-plugins',
    fix="Deploy the plugin (e.g. the rke2-multus chart installs the standard ones; do not list it in "
        "`cniplugins.skipcnis`), or add it to `extra-plugins` if you install it another way.",
    refs=("https://github.com/k3s-io/k3s/issues/9224",),
)


@checks(PLUGIN_NOT_INSTALLED)
def plugin_not_installed(ctx: Context) -> Iterator[Finding]:
    from multus_lint.model.installed_plugins import (
        STANDARD_PLUGINS,
        deployed,
        installing_template,
        multus_bin_dirs,
    )

    if not (ctx.project.releases or ctx.project.daemonsets):
        return
    have = deployed(ctx.project, ctx.config.extra_plugins)
    if not have.known or have.any_plugin:
        return  # values it cannot read, or a DaemonSet copying a set of binaries it cannot list
    # Multus runs a delegate from its config's binDir first, then from the runtime's dir
    # (multus-cni pkg/multus: CNI_PATH with the conf's binDir in front): name both
    dirs = [d for d in multus_bin_dirs(ctx.project) if d != ctx.profile.bin_dir] + [ctx.profile.bin_dir]
    where = " or ".join(dirs)
    for cfg in ctx.judged.cni_configs(nads_only=True):
        for site, ptype, role in _plugin_types(cfg):
            if not isinstance(ptype, str) or not ptype or "/" in ptype or ptype in have.plugins:
                continue
            if not ctx.profile.is_k3s and ctx.profile.distro != "rke2" and ptype in STANDARD_PLUGINS:
                # a generic node's image may ship the reference plugins (kubeadm's kubernetes-cni
                # package, Bottlerocket) or not (EKS AL2023, kind): nothing in the manifests says
                continue
            if installing_template(ctx.project, ptype):
                continue  # a DaemonSet in a manifest template (not linted) may install it
            skipped = any(ptype in str(r.get(("cniplugins", "skipcnis")) or "").split(",")
                          for r in ctx.project.releases)
            why = (" (it is listed in cniplugins.skipcnis)" if skipped else
                   "; K3s ships only flannel, bridge, host-local, loopback, portmap, bandwidth and firewall"
                   if ctx.profile.is_k3s else "")
            yield ctx.finding(PLUGIN_NOT_INSTALLED, cfg.site(*site),
                              f"plugin '{ptype}'{role} is installed into {where} by nothing in the "
                              f"project{why}: pods fail with `failed to find plugin \"{ptype}\"`; deploy "
                              "it or list it in extra-plugins")


def _plugin_types(cfg: Any) -> Iterator[tuple[tuple, Any, str]]:
    """(path of the type, type, how the message names its role) of every binary the config
    runs: each plugin's type, and a flannel plugin's delegate type, which flannel-io/cni-plugin
    (flannel_linux.go doCmdAdd, delegateAdd) runs through invoke.DelegateAdd from CNI_PATH like
    any plugin (bridge, K3s's own, when the delegate sets none)."""
    for path, plugin in cfg.plugins():
        yield path + ("type",), plugin.get("type"), ""
        delegate = plugin.get("delegate")
        if plugin.get("type") == "flannel" and isinstance(delegate, dict) and "type" in delegate:
            yield path + ("delegate", "type"), delegate.get("type"), " (flannel's delegate)"


# ------------------------------------------------------------------ ML511

FLANNEL_SECONDARY = declare(
    "ML511", "flannel-secondary-network", "warning",
    "A NAD of `type: flannel`: a second attachment to the node's own flannel pod subnet.",
    what="Reported at the plugin's `type` in a NetworkAttachmentDefinition (a secondary network) whose "
         "`subnetFile` is absent or the node's /run/flannel/subnet.env (a subnet file of its own is a "
         "network of its own, flannel-io/cni-plugin cmdAdd).",
    why="The flannel CNI plugin (containernetworking/plugins plugins/meta/flannel) reads the node's "
        "/run/flannel/subnet.env and delegates to bridge (cni0 by default, plugins/main/bridge "
        "defaultBrName) with host-local IPAM on the node's pod subnet. host-local keeps its state "
        "per network name (/var/lib/cni/networks/<name>, plugins/ipam/host-local/backend/disk), so "
        "this NAD hands out the same node addresses as the primary flannel network (cbr0): "
        "duplicate pod IPs on cni0; with `delegate.isDefaultGateway` the pod also gets a second "
        "default route.",
    example='{"cniVersion": "0.3.0", "type": "flannel", "delegate": {"isDefaultGateway": true}}',
    fix="Use a network of its own for the secondary interface (macvlan, ipvlan, or bridge with a "
        "bridge name and a subnet outside the cluster CIDR).",
    refs=("https://github.com/containernetworking/plugins/tree/main/plugins/meta/flannel",),
)


@checks(FLANNEL_SECONDARY, local=True)
def flannel_secondary(ctx: Context) -> Iterator[Finding]:
    for nad in ctx.project.nads:
        cfg = nad.config
        if cfg is None or not cfg.is_dict:
            continue
        for path, plugin in cfg.plugins():
            if plugin.get("type") != "flannel":
                continue
            subnet_file = plugin.get("subnetFile")
            if isinstance(subnet_file, str) and subnet_file.rstrip("/") not in ("", "/run/flannel/subnet.env"):
                continue  # flannel-io/cni-plugin cmdAdd: a subnet file of its own is a network of its own
            delegate = plugin.get("delegate")
            via = delegate.get("type") if isinstance(delegate, dict) and isinstance(delegate.get("type"), str) \
                else "bridge"
            device = "bridge cni0" if via == "bridge" and not (
                isinstance(delegate, dict) and delegate.get("bridge")) else via
            route = isinstance(delegate, dict) and delegate.get("isDefaultGateway") is True
            yield ctx.finding(FLANNEL_SECONDARY, cfg.site(*path, "type"),
                              "type flannel as a secondary network: the plugin attaches the pod to the "
                              f"node's own flannel subnet (/run/flannel/subnet.env, {device}, host-local) "
                              f"with IPAM state under '{cfg.name or nad.name}', separate from the primary "
                              "network's, so it hands out pod IPs the node already uses (duplicates)"
                              + ("; delegate.isDefaultGateway also gives the pod a second default route"
                                 if route else "") + "; use a network of its own (macvlan, ipvlan, a named "
                              "bridge)")


# ------------------------------------------------------------------ ML512

NAD_CRD_SCOPE = declare(
    "ML512", "nad-crd-cluster-scope", "error",
    "The NetworkAttachmentDefinition CRD declared with a scope other than Namespaced.",
    what="Reported at `spec.scope` of the CustomResourceDefinition "
         "`network-attachment-definitions.k8s.cni.cncf.io`.",
    why="Multus reads every network as a namespaced object (multus-cni pkg/k8sclient/k8sclient.go "
        "GetNetAttachDef: NetworkAttachmentDefinitions(namespace).Get), and the NAD spec defines it "
        "namespaced. With `scope: Cluster` the API server has no namespaced resource to serve, so "
        "every pod with an extra network fails (multus-cni#713).",
    example="kind: CustomResourceDefinition\nspec:\n  group: k8s.cni.cncf.io\n  scope: Cluster",
    fix="Set `scope: Namespaced`; to share a network across namespaces reference it as "
        "`namespace/name` (and list the namespace in Multus's globalNamespaces with namespace "
        "isolation).",
    refs=("https://github.com/k8snetworkplumbingwg/multus-cni/issues/713",),
)


@checks(NAD_CRD_SCOPE, local=True)
def nad_crd_scope(ctx: Context) -> Iterator[Finding]:

    for doc in ctx.project.of_kind("CustomResourceDefinition"):
        if doc.name != "network-attachment-definitions.k8s.cni.cncf.io":
            continue
        spec = doc.data.get("spec")
        scope = spec.get("scope") if isinstance(spec, dict) else None
        if isinstance(scope, str) and scope != "Namespaced":
            yield ctx.finding(NAD_CRD_SCOPE, doc.site("spec", "scope"),
                              f"scope: {scope}: Multus looks up each network as a namespaced "
                              "NetworkAttachmentDefinition (pkg/k8sclient NetworkAttachmentDefinitions("
                              "namespace).Get), so with this CRD every pod with an extra network fails; "
                              "use scope: Namespaced and reference shared networks as namespace/name")


# ------------------------------------------------------------------ ML513

CNI_VERSION_UNSUPPORTED = declare(
    "ML513", "cni-version-unsupported", "error",
    "A plugin (or its IPAM) gets a cniVersion it rejects: in every release, or in the release the "
    "project installs (supported versions as data: lint/model/plugin_versions.py).",
    what="For each plugin of a CNI config (NAD or file), and its IPAM plugin, takes the cniVersion it "
         "receives (a conflist's own, which libcni writes into every plugin) and compares it with the "
         "versions that plugin accepts: firewall (0.4.0 and later), bandwidth (0.3.0 and later) and "
         "vrf (0.3.1 and later) in every release; whereabouts, ovs-cni, sriov-cni and the "
         "containernetworking/plugins when every installer in the project names its release (an "
         "image tag such as whereabouts:v0.6.3, or the rke2-multus chart version, whose rke2-whereabouts "
         "is v0.6.x up to v4.0.204). Plugins with no data, and releases the project does not name, "
         "are not judged.",
    why="skel's checkVersionAndCall refuses a config whose cniVersion is not in the plugin's "
        "PluginInfo: the pod fails with `incompatible CNI versions; config is \"1.0.0\", plugin "
        "supports [\"0.1.0\" ... \"0.4.0\"]` (whereabouts#289, containernetworking/plugins#652, "
        "k3s#9557).",
    example='{"cniVersion": "0.3.1", "plugins": [{"type": "bridge"}, {"type": "firewall"}]}',
    fix="Use a cniVersion the plugin accepts (the finding names them), or install a release of the "
        "plugin that accepts it.",
    refs=("https://github.com/containernetworking/cni/blob/main/pkg/skel/skel.go",
          "https://github.com/k8snetworkplumbingwg/whereabouts/issues/289",
          "https://github.com/containernetworking/plugins/pull/652"),
)


def _received_version(cfg: CniConfig, plugin_path: tuple) -> Any:
    """The cniVersion the plugin at ``plugin_path`` receives: a conflist's own (libcni's
    injectConf writes it into every plugin), else the plugin config's (a Multus delegate's)."""
    from multus_lint.load.document import get_path
    from multus_lint.net.addresses import getk

    owner = plugin_path[:-2] if len(plugin_path) >= 2 and plugin_path[-2] == "plugins" else plugin_path
    return getk(get_path(cfg.data, owner) if owner else cfg.data, "cniVersion")


@checks(CNI_VERSION_UNSUPPORTED)
def cni_version_unsupported(ctx: Context) -> Iterator[Finding]:
    from multus_lint.model.installed_plugins import deployed
    from multus_lint.model.plugin_versions import CNI_VERSIONS as KNOWN
    from multus_lint.model.plugin_versions import PLUGINS, release_key
    from multus_lint.net.addresses import find_key, getk

    have = deployed(ctx.project, ctx.config.extra_plugins)
    for cfg in ctx.judged.cni_configs():
        targets: list[tuple[tuple, Any, tuple, str]] = []  # (plugin path, type, where, role)
        for path, plugin in cfg.plugins():
            targets.append((path, getk(plugin, "type"), path, "plugin"))
        for ipam_path, ipam, _ in cfg.ipams():
            targets.append((ipam_path[:-1], getk(ipam, "type"), ipam_path, "IPAM plugin"))
        for plugin_path, ptype, where, role in targets:
            support = PLUGINS.get(ptype) if isinstance(ptype, str) else None
            if support is None:
                continue
            version = _received_version(cfg, plugin_path)
            if not isinstance(version, str) or version not in KNOWN:
                continue  # missing or not a CNI version: ML504's
            node = cfg.data
            for part in where:
                node = node[part]
            type_path = (*where, find_key(node, "type") or "type")
            # located only when reported: a site scans the config's JSON for positions, and
            # nearly every plugin of a project accepts its cniVersion
            if support.every_release_rejects(version):
                site = cfg.site(*type_path)
                accepted = support.accepted_anywhere
                better = next((v for v in accepted if release_key(v) and release_key(v) > release_key(version)),
                              accepted[-1])
                yield ctx.finding(CNI_VERSION_UNSUPPORTED, site,
                                  f"the {role} '{ptype}' gets cniVersion {version}, which no release of it "
                                  f"accepts (it takes {', '.join(accepted)}: {support.rows[0].source}); it "
                                  f"fails with `incompatible CNI versions; config is \"{version}\"`; use "
                                  f"cniVersion {better}")
                continue
            # one installer may add a type twice (its image, and a `cp` of the binary in its
            # command): the release its image names is that of every binary it copies
            by_source: dict[str, str | None] = {}
            for src, rel in (have.installs.get(ptype, []) if have.known else []):
                by_source[src] = by_source.get(src) or rel
            rows = [(src, rel, support.at(rel)) for src, rel in by_source.items()]
            if not rows or any(row is None for _, _, row in rows):
                continue  # nothing here installs it, or an installer's release is unknown
            if any(version in row.versions for _, _, row in rows):
                continue
            src, rel, row = rows[0]
            assert row is not None
            newer = next((r.since for r in support.rows if version in r.versions), None)
            yield ctx.finding(CNI_VERSION_UNSUPPORTED, cfg.site(*type_path),
                              f"the {role} '{ptype}' gets cniVersion {version}, but {support.project} "
                              f"{rel} (installed by {src}) accepts only {', '.join(row.versions)} "
                              f"({row.source}): it fails with `incompatible CNI versions; config is "
                              f"\"{version}\"`; use cniVersion {row.versions[-1]}"
                              + (f", or {support.project} {newer} or later" if newer else ""))
