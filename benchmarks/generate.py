"""A deterministic synthetic K3s repository for the benchmark.

``generate(dest, documents)`` writes exactly ``documents`` YAML documents below ``dest``:
NetworkAttachmentDefinitions of every IPAM kind (whereabouts with ``range`` and with
``ipRanges``, host-local with ``ranges`` and with ``subnet``, static, dhcp), workloads of
every kind with both forms of the networks annotation (short and JSON), Services,
ConfigMaps, one rke2-multus HelmChart with its HelmChartConfig and the CRD chart, a K3s
``config.yaml``, and a few deliberate mistakes (a missing network, a gateway outside its
range, a whereabouts config without ``configuration_path``, a duplicate key, a broken YAML
document). The same arguments always give the same bytes.

``mix`` picks the repository (issue 16): ``"multus"`` (the default above: every app is a
Multus workload with its own NAD), ``"realistic"`` (most files ordinary Deployments, Services
and ConfigMaps without any Multus annotation; one unit in ``REALISTIC_EVERY`` is a NAD with a
Multus workload, the planted mistakes among them) or ``"findings"`` (about one finding per
document: every workload also names networks that do not exist and every NAD carries a mistake).
"""

from __future__ import annotations

import json
import os
import random
import shutil
from collections.abc import Iterator

NAMESPACES = ("apps", "iot", "storage", "media", "monitoring", "edge", "lab", "default")
MASTERS = ("eth1", "eth2", "bond0", "ens3f0")
# index 5 (the static-IPAM NADs, see IPAM_KINDS) is a single Pod: static addresses are per pod
WORKLOAD_KINDS = ("Deployment", "Deployment", "StatefulSet", "DaemonSet", "Job", "Pod", "CronJob")
D = "/var/lib/rancher/k3s"
CONF_DIR = f"{D}/agent/etc/cni/net.d"
WHEREABOUTS_CONF = f"{CONF_DIR}/whereabouts.d/whereabouts.conf"
MISTAKE_EVERY = 400  # one unit in this many carries a mistake
REALISTIC_EVERY = 25  # realistic mix: one unit in this many is Multus (NAD + annotated workload)
MIXES = ("multus", "realistic", "findings")


def _ipam(kind: str, n: int, mistake: str | None) -> dict:
    """IPAM config ``kind`` for subnet number ``n`` (unique, 10.100.0.0/10-ish, never overlapping)."""
    a, b = 100 + (n // 256) % 100, n % 256
    net = f"10.{a}.{b}"
    gw = f"{net}.1" if mistake != "gateway" else f"10.{a}.{(b + 1) % 256}.1"
    if kind == "whereabouts":
        ipam = {"type": "whereabouts", "range": f"{net}.0/24", "range_start": f"{net}.10",
                "gateway": gw, "exclude": [f"{net}.0/29"]}
        if mistake != "config-path":
            ipam["configuration_path"] = WHEREABOUTS_CONF
        return ipam
    if kind == "whereabouts-ipranges":
        return {"type": "whereabouts", "configuration_path": WHEREABOUTS_CONF,
                "ipRanges": [{"range": f"{net}.16-{net}.200/24"},
                             {"range": f"fd{a:02x}:{b:x}::/64"}]}
    if kind == "host-local":
        return {"type": "host-local",
                "ranges": [[{"subnet": f"{net}.0/24", "rangeStart": f"{net}.20",
                             "rangeEnd": f"{net}.250", "gateway": gw}]],
                "routes": [{"dst": "192.168.0.0/16"}], "dataDir": "/var/lib/cni/networks"}
    if kind == "host-local-subnet":
        return {"type": "host-local", "subnet": f"{net}.0/24", "gateway": gw}
    if kind == "static":
        return {"type": "static", "addresses": [{"address": f"{net}.5/24", "gateway": gw}],
                "routes": [{"dst": "172.16.0.0/12", "gw": gw}], "dns": {"nameservers": [f"{net}.2"]}}
    return {"type": "dhcp"}


IPAM_KINDS = ("whereabouts", "whereabouts", "whereabouts-ipranges", "host-local",
              "host-local-subnet", "static", "dhcp")


def _cni_config(name: str, rng: random.Random, n: int, mistake: str | None) -> dict:
    ipam_kind = "whereabouts" if mistake == "config-path" else IPAM_KINDS[n % len(IPAM_KINDS)]
    ipam = _ipam(ipam_kind, n, mistake)
    master = rng.choice(MASTERS)
    plugin = rng.choice(("macvlan", "macvlan", "ipvlan", "bridge", "conflist"))
    if plugin == "macvlan":
        return {"cniVersion": "0.3.1", "name": name, "type": "macvlan", "master": master,
                "mode": "bridge", "ipam": ipam}
    if plugin == "ipvlan":  # a master of its own: macvlan and ipvlan cannot share one
        return {"cniVersion": "0.3.1", "name": name, "type": "ipvlan", "master": "ens4f1",
                "mode": "l2", "ipam": ipam}
    if plugin == "bridge":
        return {"cniVersion": "0.3.1", "name": name, "type": "bridge", "bridge": f"br-{n % 50}",
                "isGateway": False, "ipMasq": False, "ipam": ipam}
    return {"cniVersion": "1.0.0", "name": name, "plugins": [
        {"type": "macvlan", "master": master, "mode": "bridge", "ipam": ipam},
        {"type": "tuning", "sysctl": {"net.ipv4.conf.all.arp_notify": "1"}},
        {"type": "portmap", "capabilities": {"portMappings": True}}]}


def _indent(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "\n".join(pad + line if line else line for line in text.split("\n"))


def nad(name: str, ns: str, rng: random.Random, n: int, mistake: str | None) -> str:
    config = _cni_config(name, rng, n, mistake)
    if n % 9 == 0:
        # the one-line quoted form that kubectl and some generators emit
        body = "  config: '" + json.dumps(config, separators=(", ", ": ")) + "'\n"
    else:
        text = json.dumps(config, indent=2)
        if mistake == "dup-key":
            text = text.replace('"name": ', '"name": "first",\n  "name": ', 1)
        body = "  config: |\n" + _indent(text, 4) + "\n"
    labels = f"  labels:\n    app.kubernetes.io/part-of: net-{n % 17}\n" if n % 2 else ""
    return (f"apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\n"
            f"metadata:\n  name: {name}\n  namespace: {ns}\n{labels}spec:\n{body}")


def _annotation(nets: list[tuple[str, str]], json_form: bool, n: int) -> str:
    key = "k8s.v1.cni.cncf.io/networks"
    if not json_form:
        # the first network unqualified (the pod's namespace), the others as namespace/name
        value = ", ".join(f"{net}@net{i + 1}" if i == 0 else f"{ns}/{net}" for i, (ns, net) in enumerate(nets))
        return f"{key}: {value}"
    items = []
    for i, (ns, net) in enumerate(nets):
        item = {"name": net, "namespace": ns, "interface": f"net{i + 1}"}
        if n % 5 == 0 and i == 0:
            item["mac"] = f"02:00:00:{n % 256:02x}:{(n // 256) % 256:02x}:01"
        items.append(item)
    body = json.dumps(items, indent=2)
    return f"{key}: |\n" + _indent(body, 2)


def workload(kind: str, name: str, ns: str, nets: list[tuple[str, str]], n: int) -> str:
    """A workload of ``kind``; no networks annotation when ``nets`` is empty (an ordinary app)."""
    ann = _indent(_annotation(nets, n % 3 == 0, n), 0) if nets else "app.kubernetes.io/managed-by: kustomize"
    container = (f"- name: {name}\n  image: registry.example.com/{name}:1.{n % 20}.{n % 7}\n"
                 f"  ports:\n  - containerPort: {8000 + n % 1000}\n    name: http\n"
                 f"  resources:\n    requests: {{cpu: 50m, memory: 64Mi}}\n"
                 f"    limits: {{memory: 128Mi}}\n"
                 f"  env:\n  - name: LOG_LEVEL\n    value: info\n  - name: NODE_NAME\n"
                 f"    valueFrom:\n      fieldRef: {{fieldPath: spec.nodeName}}\n"
                 f"  volumeMounts:\n  - name: config\n    mountPath: /etc/{name}\n")
    pod_spec = (f"containers:\n{container}volumes:\n- name: config\n  configMap:\n    name: {name}-config\n")
    meta = f"labels:\n  app: {name}\n  tier: t{n % 4}\nannotations:\n{_indent(ann, 2)}\n"
    head = f"metadata:\n  name: {name}\n  namespace: {ns}\n"
    if kind == "Pod":
        return (f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {ns}\n"
                f"{_indent(meta, 2)}\nspec:\n{_indent(pod_spec, 2)}\n").replace("\n\n", "\n")
    template = f"template:\n  metadata:\n{_indent(meta, 4)}\n  spec:\n{_indent(pod_spec, 4)}\n"
    template = template.replace("\n\n", "\n")
    api = {"Job": "batch/v1", "CronJob": "batch/v1"}.get(kind, "apps/v1")
    if kind == "CronJob":
        job = template.replace("  spec:", "  spec:\n    restartPolicy: OnFailure", 1)
        spec = f"schedule: \"{n % 60} * * * *\"\njobTemplate:\n  spec:\n{_indent(job, 4)}"
    elif kind == "Job":
        spec = template.replace("  spec:", "  spec:\n    restartPolicy: Never", 1)
    else:
        replicas = "" if kind == "DaemonSet" else f"replicas: {1 + n % 3}\n"
        service = f"serviceName: {name}\n" if kind == "StatefulSet" else ""
        spec = f"{replicas}{service}selector:\n  matchLabels:\n    app: {name}\n{template}"
    return f"apiVersion: {api}\nkind: {kind}\n{head}spec:\n{_indent(spec.rstrip(), 2)}\n"


def service(name: str, ns: str, n: int) -> str:
    return (f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {ns}\n"
            f"spec:\n  selector:\n    app: {name}\n  ports:\n  - name: http\n    port: 80\n"
            f"    targetPort: {8000 + n % 1000}\n")


def configmap(name: str, ns: str, n: int) -> str:
    return (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-config\n  namespace: {ns}\n"
            f"data:\n  LOG_LEVEL: info\n  settings.yaml: |\n    retries: {n % 5}\n"
            f"    endpoints:\n      - https://svc-{n % 13}.{ns}.svc:8443\n    timeout: 30s\n")


def multus_chart() -> str:
    return f"""apiVersion: helm.cattle.io/v1
kind: HelmChart
metadata:
  name: multus
  namespace: kube-system
spec:
  repo: https://rke2-charts.rancher.io
  chart: rke2-multus
  targetNamespace: kube-system
  valuesContent: |-
    config:
      cni_conf:
        confDir: {CONF_DIR}
        binDir: {D}/data/cni/
        kubeconfig: {CONF_DIR}/multus.d/multus.kubeconfig
        multusAutoconfigDir: {CONF_DIR}
    rke2-whereabouts:
      enabled: true
      cniConf:
        confDir: {CONF_DIR}
        binDir: {D}/data/cni/
    manifests:
      dhcpDaemonSet: true
---
apiVersion: helm.cattle.io/v1
kind: HelmChartConfig
metadata:
  name: multus
  namespace: kube-system
spec:
  valuesContent: |-
    config:
      cni_conf:
        binDir: /opt/cni/bin
---
apiVersion: helm.cattle.io/v1
kind: HelmChart
metadata:
  name: multus-crd
  namespace: kube-system
spec:
  repo: https://rke2-charts.rancher.io
  chart: rke2-multus-crd
  targetNamespace: kube-system
  valuesContent: |-
    rke2-whereabouts:
      enabled: true
"""


K3S_CONFIG = """write-kubeconfig-mode: "0644"
cluster-cidr: 10.42.0.0/16
service-cidr: 10.43.0.0/16
flannel-backend: vxlan
node-label:
  - multus=enabled
"""

BROKEN = """apiVersion: v1
kind: ConfigMap
metadata:
  name: broken-{n}
  namespace: {ns}
data:
  key: [unclosed
"""


MISTAKES = ("missing-network", "gateway", "config-path", "dup-key", "broken")


def _plain_units(start: int) -> Iterator[tuple[str, list[str], str | None]]:
    """Ordinary apps (no Multus) numbered from ``start``: a workload, its Service and ConfigMap."""
    n = start
    while True:
        ns = NAMESPACES[n % len(NAMESPACES)]
        kind = ("Deployment", "Deployment", "Deployment", "StatefulSet", "DaemonSet", "CronJob")[n % 6]
        app = f"web-{n:06d}"
        yield f"services/{ns}/{app}.yaml", [workload(kind, app, ns, [], n), service(app, ns, n),
                                            configmap(app, ns, n)], None
        n += 1


def _units(rng: random.Random, mix: str = "multus") -> Iterator[tuple[str, list[str], str | None]]:
    """(file path, documents, mistake) forever: one NAD file, then one app file, and so on
    (the realistic mix: ordinary apps between them)."""
    n = 0
    plain = _plain_units(0)
    while True:
        if mix == "realistic":
            # about one file in this many carries a Multus document (2 of the 2R files of a round)
            for _ in range(REALISTIC_EVERY * 2 - 2):
                yield next(plain)
        ns = NAMESPACES[n % len(NAMESPACES)]
        mistake = None
        every = 20 if mix == "realistic" else MISTAKE_EVERY
        if mix == "findings":
            mistake = MISTAKES[n % 4]  # never "broken": a file that does not parse hides its findings
        elif n and n % every == 0:
            mistake = MISTAKES[(n // every) % 5]
        net = f"net-{n:05d}"
        yield f"networks/{ns}/{net}.yaml", [nad(net, ns, rng, n, mistake)], mistake
        # apps use their own network, and often a shared one from 'default'
        nets = [(ns, net)]
        shared = max((n // 8) * 8 - 1, 7)  # a NAD of namespace 'default'
        if n % 12 == 0 and ns != "default" and shared % len(IPAM_KINDS) != 5:  # not a static one
            nets.append(("default", f"net-{shared:05d}"))
        if mistake == "missing-network" or mix == "findings":
            nets.append((ns, f"net-{n:05d}x"))
        if mix == "findings":  # more references to networks nobody defined
            nets.extend((ns, f"net-{n:05d}{c}") for c in "yz")
        kind = WORKLOAD_KINDS[n % len(WORKLOAD_KINDS)]
        app = f"app-{n:05d}"
        docs = [workload(kind, app, ns, nets, n), service(app, ns, n), configmap(app, ns, n)]
        if mistake == "broken":
            docs.append(BROKEN.format(n=n, ns=ns))
        yield f"apps/{ns}/{app}.yaml", docs, mistake
        n += 1


def generate(dest: str, documents: int, seed: int = 7, mix: str = "multus") -> int:
    """Write ``documents`` documents below ``dest`` (emptied first); returns the file count."""
    if mix not in MIXES:
        raise ValueError(f"mix {mix!r}: one of {', '.join(MIXES)}")
    if os.path.isdir(dest):
        shutil.rmtree(dest)
    rng = random.Random(seed)
    files: dict[str, list[str]] = {
        "system/multus.yaml": multus_chart().split("---\n"),
        "etc/rancher/k3s/config.yaml": [K3S_CONFIG],
    }
    count = sum(len(d) for d in files.values())
    # the shared NADs in 'default' that apps of other namespaces reference
    for path, docs, _ in _units(rng, mix):
        if count >= documents:
            break
        docs = docs[:documents - count]
        files[path] = docs
        count += len(docs)
    for path, docs in files.items():
        full = os.path.join(dest, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8", newline="\n") as fh:
            fh.write("---\n".join(docs))
    with open(os.path.join(dest, ".multus-lint.yaml"), "w", encoding="utf-8") as fh:
        # the generated tree is a project of its own (not part of the multus-lint repository)
        fh.write("cluster:\n  nodes: 1\n")
    return len(files)


def count_documents(dest: str) -> int:
    """Documents below ``dest`` as PyYAML sees them (a check on the generator)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    total = 0
    for root, _, names in os.walk(dest):
        for name in names:
            if name.endswith(".yaml") and not name.startswith("."):
                with open(os.path.join(root, name), encoding="utf-8") as fh:
                    text = fh.read()
                try:
                    total += sum(1 for _ in yaml.compose_all(text, Loader=loader))
                except yaml.YAMLError:
                    total += text.count("\n---\n") + 1
    return total


if __name__ == "__main__":
    import sys

    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "out", "sample")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    mix = sys.argv[3] if len(sys.argv) > 3 else "multus"
    print(generate(out, n, mix=mix), "files,", count_documents(out), "documents in", out)


def generate_clusters(dest: str, documents: int, clusters: int, seed: int = 7) -> int:
    """``clusters`` cluster scopes of ``documents // clusters`` documents each, in Flux's
    ``clusters/<name>/`` layout (issue 12); returns the file count."""
    if os.path.isdir(dest):
        shutil.rmtree(dest)
    files = 0
    for i in range(clusters):
        tree = os.path.join(dest, "clusters", f"c{i:02d}")
        files += generate(tree, documents // clusters, seed + i)
        os.remove(os.path.join(tree, ".multus-lint.yaml"))  # one config, at the root
    with open(os.path.join(dest, ".multus-lint.yaml"), "w", encoding="utf-8") as fh:
        fh.write("cluster:\n  nodes: 1\n")
    return files


def _helmrelease(app: str, ns: str, network: str | None) -> str:
    """A bjw-s app-template HelmRelease as home-ops repositories write them: anchors for the
    app's name and ports, values merged from an anchor, a Multus annotation on some pods."""
    annotations = ""
    if network:
        annotations = (f"        pod:\n          annotations:\n"
                       f"            k8s.v1.cni.cncf.io/networks: {network}\n")
    return f"""\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: &app {app}
spec:
  interval: 1h
  chartRef:
    kind: OCIRepository
    name: app-template
  install:
    remediation:
      retries: -1
  values:
    controllers:
      {app}:
{annotations}        containers:
          app:
            image:
              repository: ghcr.io/home-operations/{app}
              tag: 1.2.3
            env:
              TZ: ${{TIMEZONE}}
            probes:
              liveness: &probes
                enabled: true
                custom: true
                spec:
                  httpGet:
                    path: /healthz
                    port: &port 8080
              readiness: *probes
            resources:
              requests:
                cpu: 10m
              limits:
                memory: 512Mi
    service:
      app:
        controller: *app
        ports:
          http:
            port: *port
    route:
      app:
        hostnames: ["{{{{ .Release.Name }}}}.${{SECRET_DOMAIN}}"]
"""


def _flux_ks(name: str, path: str, ns: str, depends: str | None = None) -> str:
    dep = f"  dependsOn:\n    - name: {depends}\n" if depends else ""
    return f"""\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: &app {name}
  namespace: flux-system
spec:
  targetNamespace: {ns}
  commonMetadata:
    labels:
      app.kubernetes.io/name: *app
{dep}  path: {path}
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  interval: 30m
  postBuild:
    substituteFrom:
      - kind: Secret
        name: cluster-secrets
"""


def generate_gitops(dest: str, apps: int, clusters: int = 2, seed: int = 7) -> int:
    """A home-ops style GitOps repository (the layout of onedr0p/home-ops and its many
    forks): ``clusters`` Flux roots under kubernetes/clusters/<name>/ that all apply the
    shared kubernetes/apps tree; per namespace a kustomization.yaml naming each app's ks.yaml
    (a Flux Kustomization whose path is the app's folder, with postBuild substitution); per app
    a kustomization.yaml and an app-template HelmRelease full of anchors, one app in eight
    attached to a NAD of kubernetes/apps/network/multus. Every entry point reaches shared
    folders: what cluster scopes cost in a pre-commit run of such a repository."""
    if os.path.isdir(dest):
        shutil.rmtree(dest)
    rng = random.Random(seed)
    files: dict[str, str] = {}
    namespaces = ("default", "media", "home", "downloads", "observability", "database", "security", "network")
    by_ns: dict[str, list[str]] = {ns: [] for ns in namespaces}
    nets = [f"vlan{10 + i}" for i in range(4)]
    for i, net in enumerate(nets):
        files[f"kubernetes/apps/network/multus/networks/{net}.yaml"] = nad(net, "network", rng, i, None)
    files["kubernetes/apps/network/multus/networks/kustomization.yaml"] = (
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
        + "".join(f"  - ./{n}.yaml\n" for n in nets))
    files["kubernetes/apps/network/multus/ks.yaml"] = _flux_ks("multus-networks", "./kubernetes/apps/network/multus/networks", "network")
    by_ns["network"].append("./multus/ks.yaml")
    for i in range(apps):
        ns = namespaces[i % (len(namespaces) - 1)]
        app = f"app-{i:04d}"
        base = f"kubernetes/apps/{ns}/{app}"
        network = f"network/{nets[(i // 8) % len(nets)]}" if i % 8 == 0 else None
        files[f"{base}/ks.yaml"] = _flux_ks(app, f"./{base}/app", ns, "multus-networks" if network else None)
        files[f"{base}/app/kustomization.yaml"] = (
            "---\n# yaml-language-server: $schema=https://json.schemastore.org/kustomization\n"
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ./helmrelease.yaml\n")
        files[f"{base}/app/helmrelease.yaml"] = _helmrelease(app, ns, network)
        by_ns[ns].append(f"./{app}/ks.yaml")
    for ns, items in by_ns.items():
        files[f"kubernetes/apps/{ns}/kustomization.yaml"] = (
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
            f"namespace: {ns}\nresources:\n" + "".join(f"  - {p}\n" for p in items))
    for c in range(clusters):
        name = f"c{c}"
        files[f"kubernetes/clusters/{name}/flux/cluster-apps.yaml"] = _flux_ks(
            "cluster-apps", "./kubernetes/apps", "flux-system")
        files[f"kubernetes/clusters/{name}/flux/kustomization.yaml"] = (
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ./cluster-apps.yaml\n")
    for path, text in files.items():
        full = os.path.join(dest, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    return len(files)
