"""ML6xx: HelmChart, HelmChartConfig and K3s config files."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from multus_lint.context import Context
from multus_lint.findings import Finding
from multus_lint.load.document import Document, Site, get_path
from multus_lint.model.charts import (
    RKE2_PACKAGED_CHARTS,
    chart_name_version,
    orphan_configs,
    packaged_configs,
)
from multus_lint.model.profile import FLANNEL_BACKENDS
from multus_lint.registry import checks, declare
from multus_lint.suggest import closest, hint
from multus_lint.validate.schemas import key_problems, load, value_errors

VALUES_INVALID = declare(
    "ML601", "helm-values-invalid", "error",
    "valuesContent is not valid YAML or not a mapping.",
    what="Parses `spec.valuesContent` of HelmCharts and HelmChartConfigs and reports YAML errors at "
         "their real line inside the block scalar.",
    why="helm-controller's install job fails on unparsable values, and nothing in the HelmChart's "
        "status says which line is wrong.",
    example="valuesContent: |-\n  config:\n    cni_conf:\n     binDir: /x\n      confDir: /y",
    fix="Fix the YAML at the reported line.",
    refs=("https://docs.k3s.io/helm",),
)

HELMCHART_SPEC = declare(
    "ML602", "helmchart-spec-invalid", "error",
    "HelmChart/HelmChartConfig spec against its JSON Schema: no chart, bad enums, unknown keys, "
    "Multus not in kube-system.",
    what="Validates `spec` of every HelmChart and HelmChartConfig (`helm.cattle.io/v1`) with "
         "schemas/helmchart-spec.json and schemas/helmchartconfig-spec.json (from k3s-io/helm-controller "
         "types.go): neither `chart` nor `chartContent`, `failurePolicy` not abort/reinstall/retry, "
         "wrong value types, unknown keys (with a did-you-mean); and an rke2-multus chart whose "
         "release does not go to `kube-system`.",
    why="helm-controller silently ignores a HelmChart without a chart, and the API server prunes "
        "unknown spec fields, so a misspelled `valuesContent` or `targetNamespace` just vanishes. The "
        "rke2-multus chart is built for kube-system (system-node-critical DaemonSets, whereabouts' "
        "namespaceOverride: kube-system).",
    example="spec:\n  chart: rke2-multus\n  valueContent: |-\n    config: {}",
    fix="Spell the key as helm-controller does; add `chart:`; set `targetNamespace: kube-system`.",
    refs=("https://docs.k3s.io/helm", "https://github.com/k3s-io/helm-controller"),
)

HELMCHARTCONFIG_ORPHAN = declare(
    "ML603", "helmchartconfig-orphan", "warning",
    "A HelmChartConfig with no HelmChart of the same name and namespace: it patches nothing.",
    what="Reported at the HelmChartConfig's `metadata.name`. A Flux or Argo CD release does not count: "
         "HelmChartConfig only patches helm-controller HelmCharts. The HelmChartConfigs of charts K3s "
         "itself ships (traefik, traefik-crd in kube-system) are exempt, and under distro rke2 those of "
         "the charts RKE2 ships (rke2-multus, rke2-canal, ...), whose rke2-multus values are judged; "
         "under distro generic (a Talos or kind config says the nodes are not K3s's) those of RKE2's "
         "charts that nothing in the project deploys, written for RKE2 nodes. Its values are not judged.",
    why="helm-controller applies a HelmChartConfig only to the HelmChart with its name and namespace; "
        "the RKE2-style `rke2-multus` HelmChartConfig does nothing on K3s, where the user deploys the "
        "chart as a HelmChart of their own (the K3s docs call it `multus`).",
    example="kind: HelmChartConfig\nmetadata:\n  name: rke2-multus\n  namespace: kube-system",
    fix="Rename it to the HelmChart's name and namespace (e.g. `multus` in kube-system), or move its "
        "values into that HelmChart.",
    refs=("https://docs.k3s.io/helm#customizing-packaged-components-with-helmchartconfig",),
)

K3S_CONFIG_INVALID = declare(
    "ML604", "k3s-config-invalid", "error",
    "K3s config.yaml: RKE2-only `cni:`, an unknown flannel-backend, bad data-dir/CIDRs; "
    "flannel-backend none with a Multus chart on flannel's conf dir (warning).",
    what="Checks K3s `config.yaml` and `config.yaml.d/*.yaml` found in the project: the RKE2-only key "
         "`cni:` (K3s skips it), `flannel-backend` not one of none, vxlan, host-gw, wireguard-native, "
         "a relative `data-dir`, `cluster-cidr`/`service-cidr` that are not CIDRs (these values feed "
         "the cluster profile, so bad ones are ignored there); and `flannel-backend: none` while a "
         "Multus chart points at flannel's conf dir (warning: there is no primary CNI to delegate to). "
         "An RKE2 config (etc/rancher/rke2/config.yaml, or distro rke2: a config at no K3s place "
         "with RKE2-only keys such as `cni:`, or beside a HelmChartConfig of a chart only RKE2 ships) "
         "is judged as RKE2 reads it: "
         "`cni:` must be one CNI, or `multus` first and one CNI (rancher/rke2 validateCNI).",
    why="K3s warns about unknown keys in its log and starts anyway, so `cni: [multus, canal]` from an "
        "RKE2 guide silently installs nothing; an unknown backend stops the server.",
    example="cni:\n  - multus\n  - canal",
    fix="Deploy Multus with a HelmChart (K3s docs, Multus and IPAM plugins); use a valid backend.",
    refs=("https://docs.k3s.io/installation/configuration#configuration-file",
          "https://docs.k3s.io/networking/basic-network-options"),
)

# K3s ships these charts itself (D/server/manifests); their HelmChartConfigs have a target
# that is not in the repository.
K3S_PACKAGED_CHARTS = {("kube-system", "traefik"), ("kube-system", "traefik-crd")}


@checks(HELMCHART_SPEC)
def helmchart_spec(ctx: Context) -> Iterator[Finding]:
    for doc, schema_name in [(d, "helmchart-spec") for d in ctx.project.helmcharts] + \
            [(d, "helmchartconfig-spec") for d in ctx.project.helmchartconfigs]:
        if doc.api_version != "helm.cattle.io/v1":
            continue  # ML008 reports the apiVersion
        spec = doc.data.get("spec")
        if not isinstance(spec, dict):
            site, found = doc.find_site(("spec",))
            yield ctx.finding(HELMCHART_SPEC, site if found else doc.name_site(),
                              f"{doc.kind} has no spec mapping" + (
                                  "; helm-controller ignores it (it needs spec.chart or spec.chartContent)"
                                  if doc.kind == "HelmChart" else ""))
            continue
        schema = load(schema_name)
        for p in key_problems(spec, schema):
            dotted = ".".join(str(x) for x in p.path)
            hint = f"; did you mean '{p.suggestion}'?" if p.suggestion else ""
            yield ctx.finding(HELMCHART_SPEC, doc.site("spec", *p.path),
                              f"spec.{dotted} is not a {doc.kind} field, so the API server drops it{hint}")
        for path, validator, message in value_errors(spec, schema):
            if validator == "anyOf" and not path:
                yield ctx.finding(HELMCHART_SPEC, doc.site("spec"),
                                  "HelmChart has neither spec.chart nor spec.chartContent, so "
                                  "helm-controller ignores it")
                continue
            if validator in ("additionalProperties",):
                continue
            where = ".".join(str(x) for x in path)
            yield ctx.finding(HELMCHART_SPEC, doc.site("spec", *path), f"spec.{where}: {message}")
        if doc.kind == "HelmChart":
            yield from _multus_namespace(ctx, doc)


def _multus_namespace(ctx: Context, doc: Document) -> Iterator[Finding]:
    chart, _ = chart_name_version(get_path(doc.data, ("spec", "chart")))
    if chart is None:
        return
    target = get_path(doc.data, ("spec", "targetNamespace"))
    if isinstance(target, str) and target:
        if target != "kube-system":
            yield ctx.finding(HELMCHART_SPEC, doc.site("spec", "targetNamespace"),
                              f"the rke2-multus chart is installed into {target}, but it is built for "
                              "kube-system (system-node-critical DaemonSets, whereabouts' "
                              "namespaceOverride: kube-system); set targetNamespace: kube-system")
        return
    ns = doc.namespace or "default"
    if ns != "kube-system":
        site, found = doc.find_site(("metadata", "namespace"))
        site = site if found else doc.name_site()
        yield ctx.finding(HELMCHART_SPEC, site,
                          f"without spec.targetNamespace the rke2-multus release goes to the HelmChart's "
                          f"namespace {ns}, but the chart is built for kube-system; set "
                          "targetNamespace: kube-system")


@checks(HELMCHARTCONFIG_ORPHAN)
def helmchartconfig_orphan(ctx: Context) -> Iterator[Finding]:
    names = sorted({(hc.namespace or "default", hc.name) for hc in ctx.project.helmcharts})
    packaged = {id(d) for d in packaged_configs(ctx.project, ctx.profile)}
    deployed = {r.chart for r in [*ctx.project.releases, *ctx.project.other_releases]}
    for hcc in orphan_configs(ctx.project):
        key = (hcc.namespace or "default", hcc.name)
        if (key in K3S_PACKAGED_CHARTS and ctx.profile.is_k3s) or id(hcc) in packaged:
            continue  # the distro ships that chart: the HelmChartConfig configures it
        if ctx.profile.distro == "generic" and key[0] == "kube-system" and key[1] in RKE2_PACKAGED_CHARTS \
                and key[1] not in deployed:
            # the nodes this scope was told of are not K3s's (a Talos or kind config elsewhere in
            # the repository) and nothing here deploys the chart the object names, one RKE2
            # ships: it is written for RKE2 nodes, where RKE2 writes that HelmChart into its
            # server/manifests itself (charts.RKE2_PACKAGED_CHARTS), as rke2_config_evidence
            # reads it when no node config says otherwise. "Applies it to nothing" is K3s's case.
            continue
        extra = ""
        if hcc.name.startswith("rke2-"):
            extra = (f" ({hcc.name} is the name RKE2 gives its packaged chart; on K3s the chart is a "
                     "HelmChart you deploy yourself, e.g. multus)")
        same_name = [f"{ns}/{n}" for ns, n in names if n == hcc.name]
        near = closest(hcc.name, [n for _, n in names]) if not same_name else None
        hint = f"; a HelmChart of that name is in {', '.join(same_name)}" if same_name else \
            (f"; did you mean '{near}'?" if near else "")
        yield ctx.finding(HELMCHARTCONFIG_ORPHAN, hcc.name_site(),
                          f"HelmChartConfig {key[0]}/{key[1]} has no HelmChart of the same name and "
                          f"namespace in the project, so helm-controller applies it to nothing and its "
                          f"values are not judged{extra}{hint}")


def _k3s_value_site(doc: Document, key: str) -> Site:
    for k in doc.data:
        if isinstance(k, str) and k.rstrip("+") == key:
            return doc.site(k)
    return doc.name_site()


def _k3s_get(doc: Document, key: str) -> Any:
    for k, v in doc.data.items():
        if isinstance(k, str) and k.rstrip("+") == key:
            return v
    return None


@checks(K3S_CONFIG_INVALID)
def k3s_config(ctx: Context) -> Iterator[Finding]:
    flannel_conf_dir = ctx.profile.d + "/agent/etc/cni/net.d"
    for doc in ctx.project.k3s_configs:
        if _is_rke2_config(ctx, doc):
            yield from _rke2_cni(ctx, doc)
            continue
        if _k3s_get(doc, "cni") is not None:
            yield ctx.finding(K3S_CONFIG_INVALID, _k3s_value_site(doc, "cni"),
                              "cni: is an RKE2 option; K3s skips it with a warning in its log, so it "
                              "installs no Multus; deploy the rke2-multus chart with a HelmChart instead")
        backend = _k3s_get(doc, "flannel-backend")
        if backend is not None and backend not in FLANNEL_BACKENDS:
            yield ctx.finding(K3S_CONFIG_INVALID, _k3s_value_site(doc, "flannel-backend"),
                              f"flannel-backend {backend!r} is not one of {', '.join(FLANNEL_BACKENDS)}, "
                              f"so the K3s server does not start{hint(str(backend), FLANNEL_BACKENDS)}")
        elif backend == "none":
            for rel in ctx.project.judged_releases:
                conf = rel.get(("config", "cni_conf", "confDir"))
                if isinstance(conf, str) and (conf.rstrip("/") or "/") == flannel_conf_dir:
                    yield ctx.finding(K3S_CONFIG_INVALID, _k3s_value_site(doc, "flannel-backend"),
                                      f"flannel-backend: none, but the Multus chart {rel.doc.name} uses "
                                      f"flannel's conf dir {flannel_conf_dir}: no flannel conflist is "
                                      "written there, so Multus has no primary CNI to delegate to",
                                      "warning")
                    break
        data_dir = _k3s_get(doc, "data-dir")
        if data_dir is not None and not (isinstance(data_dir, str) and data_dir.startswith("/")):
            yield ctx.finding(K3S_CONFIG_INVALID, _k3s_value_site(doc, "data-dir"),
                              f"data-dir {data_dir!r} is not an absolute path; K3s paths are derived "
                              "from it, so the default /var/lib/rancher/k3s is assumed here")
        for key in ("cluster-cidr", "service-cidr"):
            value = _k3s_get(doc, key)
            if value is None:
                continue
            bad = [c for c in (value if isinstance(value, list) else str(value).split(","))
                   if not _is_cidr(str(c).strip())]
            if bad:
                yield ctx.finding(K3S_CONFIG_INVALID, _k3s_value_site(doc, key),
                                  f"{key} {bad[0]!r} is not a CIDR; K3s does not start, and the "
                                  "default is assumed here")


def _is_rke2_config(ctx: Context, doc: Document) -> bool:
    return ctx.profile.distro == "rke2" or "/rancher/rke2/" in "/" + doc.source.path.replace("\\", "/")


# rancher/rke2 pkg/cli/types.go CNIItems; pkg/cli/cmds/server.go validateCNI.
RKE2_CNIS = ("calico", "canal", "cilium", "flannel")


def _rke2_cni(ctx: Context, doc: Document) -> Iterator[Finding]:
    """RKE2's ``cni:`` as validateCNI reads it: split on commas, 1 or 2 values, multus only
    first and with a primary CNI, each value one RKE2 knows (or none); anything else is a
    fatal error at server start (logrus.Fatalf)."""
    value = _k3s_get(doc, "cni")
    if value is None:
        return
    items = value if isinstance(value, list) else [value]
    values = [v.strip() for item in items for v in str(item).split(",")]
    site = _k3s_value_site(doc, "cni")
    problem = None
    if len(values) == 1 and values[0] == "multus":
        problem = "multus must be used alongside another primary cni selection"
    elif len(values) == 2 and values[0] != "multus":
        problem = "may only provide multiple values if multus is the first value"
    elif len(values) > 2:
        problem = "must specify 1 or 2 values"
    else:
        bad = [v for v in values[1:] if v not in RKE2_CNIS and v != "none"] if values[0] == "multus" \
            else [v for v in values if v not in RKE2_CNIS and v != "none"]
        if bad:
            problem = (f"'{bad[0]}' is not a CNI RKE2 ships (one of none, {', '.join(RKE2_CNIS)})"
                       f"{hint(bad[0], RKE2_CNIS)}")
    if problem:
        yield ctx.finding(K3S_CONFIG_INVALID, site,
                          f"cni: {', '.join(values)}: RKE2 refuses it ({problem}) and the server does "
                          "not start; use e.g. `cni: multus,canal`")


def _is_cidr(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return "/" in text


K3S_CONFIGS_DISAGREE = declare(
    "ML605", "k3s-configs-disagree", "warning",
    "Two K3s configs deployed to one cluster scope set data-dir, cluster-cidr, service-cidr or "
    "flannel-backend differently: the paths and networks they imply cannot both be right.",
    what="Within one cluster scope (a `clusters:` entry, a `clusters/<name>/` folder, a Flux or Argo CD "
         "entry point's files, or the whole project), K3s configs are grouped as a node reads them: "
         "`config.yaml` then its `config.yaml.d/*.yaml` drop-ins, later values replacing earlier ones. "
         "Two such groups (two nodes) that both set one of the keys the cluster profile uses, with "
         "different values, are reported at the later one. The profile then keeps the default for that "
         "key and the rules that read it (ML1xx, ML201, ML507 and ML604 for data-dir and "
         "flannel-backend; ML305 for the CIDRs) are not run in that scope until `cluster:` in the "
         "config (or `clusters[].cluster:`), or a flag, says which value holds. Configs in two "
         "Ansible inventories (`.../inventory/`, `inventories/<name>/`) are two sets of hosts: "
         "the value stays out of the profile, but no finding calls them a conflict. A K3s flag "
         "that an Ansible variable passes (`extra_server_args: \"--flannel-backend=none\"`, "
         "`k3s_server_args`, ...) counts as one more node's value, reported at the flag; the same "
         "variable set in two files (group_vars and host_vars) is Ansible's precedence, not a "
         "conflict, and its value also stays out of the profile.",
    why="Paths under the data dir and the cluster networks are judged against one profile per "
        "cluster; merging two nodes' configs field by field made one cluster's data-dir judge (and "
        "`--fix` rewrite) another cluster's manifests. cluster-cidr, service-cidr and flannel-backend "
        "must match on every server (K3s refuses to join a server whose critical configuration "
        "differs); a per-node data-dir makes every fixed hostPath wrong on some node.",
    example="# clusters/prod/k3s/server-1/config.yaml\ndata-dir: /srv/k3s\n"
            "# clusters/prod/k3s/server-2/config.yaml\ndata-dir: /var/lib/rancher/k3s",
    fix="Make the configs agree, split them into separate cluster scopes (`clusters:` in the config, "
        "or one `clusters/<name>/` folder each), or set the value for the scope with `cluster:`.",
    refs=("https://docs.k3s.io/installation/configuration#configuration-file",
          "https://github.com/k3s-io/k3s/blob/master/pkg/configfilearg/parser.go"),
)


@checks(K3S_CONFIGS_DISAGREE)
def k3s_configs_disagree(ctx: Context) -> Iterator[Finding]:
    for d in ctx.profile.disputes:
        if d.inventories_differ or d.same_variable:
            # two Ansible inventories: two clusters' nodes; one Ansible variable in two places:
            # its precedence gives each host one value. Neither is one cluster's conflict
            continue
        settled = ctx.profile.sources.get(d.key, "default")
        then = ("the rules that read it are not run in this scope until `cluster:` in the config "
                "or a flag sets it" if settled.startswith("default") else f"the value in force comes from {settled}")
        yield ctx.finding(K3S_CONFIGS_DISAGREE, d.flag.site() if d.flag is not None else _k3s_value_site(d.doc, d.key),
                          f"{d.key} is {d.value!r} here but {d.other_value!r} in {d.other}, {d.other_what} of "
                          f"the same cluster scope: the profile cannot take both ({then})")
