"""ML0xx: reading the input. Most are reported by the loader; ML007 by a checker here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from multus_lint.context import Context
from multus_lint.findings import Finding
from multus_lint.load.document import Site
from multus_lint.registry import checks, declare

INTERNAL_ERROR = declare(
    "ML000", "internal-error", "error",
    "A check raised an exception; the other rules still ran.",
    what="Reports a bug in multus-lint itself: one check failed with an exception.",
    why="A linter that stops at its own bug hides every other finding; this one keeps going "
        "and tells you which check could not run.",
    example="ML000 internal error in the check for ML301: ValueError: ...",
    fix="Report it with the input that triggered it; meanwhile --ignore the rule named.",
)

YAML_SYNTAX = declare(
    "ML001", "yaml-syntax-error", "error",
    "A file, or a YAML document in it, does not parse.",
    what="The YAML (or JSON) parser rejects a document; the parser's message and position are "
         "reported. The other documents of the same file are still linted. Files no Kubernetes "
         "tool parses are left alone: a kustomize generator's data files, a .json in a "
         "kustomization's folder that no kustomization lists, JSON-with-comments tool files "
         "(.vscode/, tsconfig.json), INI-style .conf files and @NAME@ templates.",
    why="kubectl apply and the K3s auto-deploy controller reject the whole file, or worse, apply "
        "the documents before the broken one and silently skip the rest.",
    example="metadata:\n  name: macvlan\n   namespace: default   # bad indentation",
    fix="Fix the syntax at the reported line.",
    refs=("https://yaml.org/spec/1.2.2/",),
)

UNREADABLE = declare(
    "ML002", "unreadable-file", "error",
    "The file is binary, not UTF-8, unreadable, a broken or looping symlink, or too large.",
    what="Reports inputs that cannot be read as text.",
    why="Kubernetes manifests are UTF-8 text; anything else is a mistake in what is committed or "
        "in what the linter was pointed at.",
    example="a .yaml file saved as UTF-16, or a symlink pointing at itself",
    fix="Re-save as UTF-8, fix the link or permissions, or exclude the path in the config.",
)

TEMPLATED = declare(
    "ML003", "templated-file", "info",
    "Template syntax ({{ }}, {% %}, %{NAME}%, ${NAME}): the file or value is not judged until rendered.",
    what="Helm/Go/Jinja templates (Jinja's {# #} comments included), Terraform templatefile directives (%{ for }, %{ if }), K3s %{NAME}% placeholders and Flux post-build variables "
         "(${NAME}, substituted by the kustomize-controller before it applies) are not manifests yet. A file that "
         "does not parse because of them is skipped; when it parses, only the values holding "
         "placeholders are skipped: a finding about such a value (in YAML, in the JSON of "
         "spec.config, in valuesContent or an Argo CD values string) becomes one info naming the "
         "placeholder and the rule it would have been. On a one-line JSON or flow mapping only the "
         "member holding the placeholder is skipped; one in a trailing comment does not count. "
         "Repeated keys (ML007) and API versions (ML008) are judged regardless.",
    why="Judging unrendered text produces false alarms (a placeholder is not a path or a CIDR).",
    example='binDir: "%{DATA_DIR}%/data/cni"   # K3s fills in DATA_DIR when it stages the manifest',
    fix="Render first and lint the result: `helm template ... | multus-lint -`.",
)

INPUT_LIMIT = declare(
    "ML004", "input-limit-exceeded", "error",
    "Alias expansion, nesting depth, line length or node count over the safety limits.",
    what="Stops on YAML alias bombs, absurd nesting and similar hostile input; the file is not "
         "linted further and the run goes on.",
    why="A billion-laughs document expands to gigabytes; the API server refuses it too.",
    example="a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\n...",
    fix="Remove the expansion, or raise the limit in the config (limits:) if the input is legitimate.",
)

INVALID_SUPPRESSION = declare(
    "ML005", "invalid-suppression", "warning",
    "A suppression comment or ignore.multus-lint.io annotation that is malformed, names an "
    "unknown rule, or (annotation) gives no reason.",
    what="Checks every `# multus-lint: ...` comment and every `ignore.multus-lint.io/<rule>` "
         "annotation: the directive must be `disable=` or `disable-file=` followed by rule codes "
         "or names, the rules must exist, and an annotation's value must say why. An invalid one "
         "suppresses nothing.",
    why="A typo in a suppression (`disabel=`, `ML1O1`) silently does nothing, so the finding comes "
        "back in CI with no clue why; an annotation without a reason leaves the next reader "
        "guessing whether the K3s problem was understood or just muted.",
    example="# multus-lint: disable ML101\n"
            "metadata:\n  annotations:\n    ignore.multus-lint.io/ML402: \"\"",
    fix="Write `# multus-lint: disable=ML101` (codes or names, comma-separated), and give every "
        "annotation a reason: `ignore.multus-lint.io/ML402: \"NAD created by the SR-IOV operator\"`.",
    refs=("https://docs.astral.sh/ruff/linter/#error-suppression",),
)

UNUSED_SUPPRESSION = declare(
    "ML006", "unused-suppression", "info",
    "A suppression comment or annotation that suppressed nothing.",
    what="Reports a `disable` / `disable-file` comment or an `ignore.multus-lint.io/` annotation "
         "for a rule that ran but found nothing there. Rules not selected in this run are not judged.",
    why="Once the manifest is fixed (say the bin dir now points at K3s's `data/cni`), a leftover "
        "suppression would hide the same mistake if it came back.",
    example="binDir: /var/lib/rancher/k3s/data/cni  # multus-lint: disable=ML101",
    fix="Remove the suppression (or the rule from its list).",
    refs=("https://docs.astral.sh/ruff/rules/unused-noqa/",),
)

DUPLICATE_KEY = declare(
    "ML007", "duplicate-key", "warning",
    "The same key twice in one mapping, in YAML or in the JSON of spec.config: the last one wins.",
    what="Reports each repeated key at its later occurrence, naming the line of the earlier one. "
         "Covers YAML mappings (detected while composing, before PyYAML would drop one), the JSON "
         "of `spec.config` and of CNI config files, the JSON files of ConfigMaps (Multus's "
         "`cni-conf.json`, `daemon-config.json`), and YAML held in strings (`valuesContent`, "
         "Argo CD `helm.values`).",
    why="Go's encoding/json and PyYAML both keep the last value silently, so the first one, often "
        "the one being edited, has no effect.",
    example='{"ipMasq": true, "ipMasq": false}',
    fix="Keep one of the two.",
)


@checks(DUPLICATE_KEY, local=True)
def duplicate_keys(ctx: Context) -> Iterator[Finding]:
    for source, path, later, earlier, obj in ctx.project.duplicates:
        first = f"line {earlier.line}" + (f", column {earlier.column}" if earlier.line == later.line else "")
        yield ctx.finding(DUPLICATE_KEY, Site(source, later, obj),
                          f"key '{path[-1]}' appears again (first on {first}); "
                          "the last one silently wins")


UNSUPPORTED_API_VERSION = declare(
    "ML008", "unsupported-api-version", "error",
    "A kind this linter reads under an apiVersion no current K3s serves.",
    what="Checks the apiVersion of the kinds multus-lint reads: NetworkAttachmentDefinition must be "
         "`k8s.cni.cncf.io/v1`; HelmChart and HelmChartConfig `helm.cattle.io/v1`; DaemonSet, "
         "Deployment, StatefulSet and ReplicaSet `apps/v1` (not `extensions/v1beta1`, "
         "`apps/v1beta1`, `apps/v1beta2`); Job and CronJob `batch/v1` (not `batch/v1beta1`); Pod "
         "`v1`; the NAD CustomResourceDefinition `apiextensions.k8s.io/v1` (not `v1beta1`). The "
         "object's other checks still run, so fixing the version does not uncover new findings.",
    why="Kubernetes stopped serving these versions (workloads under extensions/apps beta in 1.16, "
        "the v1beta1 CRD API in 1.22, batch/v1beta1 CronJobs in 1.25), and K3s serves what its "
        "Kubernetes serves: `kubectl apply` and the K3s manifest auto-deployer reject the object "
        "with `no matches for kind ... in version ...`, so Multus is never deployed.",
    example="apiVersion: extensions/v1beta1\nkind: DaemonSet\nmetadata:\n  name: kube-multus-ds-amd64",
    fix="Use the served version (`apps/v1` for workloads, adding the `spec.selector` it requires; "
        "`apiextensions.k8s.io/v1` with a schema for CRDs), or better, deploy Multus with the "
        "rke2-multus chart.",
    refs=("https://kubernetes.io/docs/reference/using-api/deprecation-guide/",
          "https://github.com/k8snetworkplumbingwg/multus-cni/blob/master/deployments/multus-daemonset.yml"),
)


@checks(UNSUPPORTED_API_VERSION, local=True)
def unsupported_api_versions(ctx: Context) -> Iterator[Finding]:
    from multus_lint.model.api_versions import unserved

    for doc in ctx.project.documents:
        bad = unserved(doc)
        if bad is None:
            continue
        when = (f"removed in Kubernetes {bad.removed_in}, so no current K3s serves it" if bad.removed_in
                else "not an API version the cluster serves for this kind")
        yield ctx.finding(UNSUPPORTED_API_VERSION, doc.site("apiVersion"),
                          f"{doc.kind} under apiVersion {bad.api_version}: {when}; the API server "
                          f"rejects the object (`no matches for kind \"{doc.kind}\" in version "
                          f"\"{bad.api_version}\"`); use {bad.expected}{bad.note}")


MISSPELLED_KIND = declare(
    "ML010", "misspelled-kind", "error",
    "A kind written like one this linter reads (NetworkAttachmentDefinition, HelmChart, DaemonSet...) "
    "that its API group does not serve.",
    what="For objects of the API groups k8s.cni.cncf.io, helm.cattle.io, apps and batch whose kind is "
         "none the group serves: reports it when it differs from a kind multus-lint reads only in case "
         "or by a typo (`NetworkAttachementDefinition`, `Daemonset`, `HelmChartconfig`). Kinds of the "
         "group that multus-lint does not read (MultiNetworkPolicy, IPAMClaim, ControllerRevision) "
         "and kinds far from every read kind are not reported.",
    why="The API server finds the resource by the exact kind (k8s.io/apimachinery "
        "pkg/api/meta/restmapper.go RESTMapping): `kubectl apply` fails with `no matches for kind "
        "\"NetworkAttachementDefinition\" in version \"k8s.cni.cncf.io/v1\"`, the object is never "
        "created, and no other rule judges it as the kind meant (multus-cni#278).",
    example="apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachementDefinition",
    fix="Write the kind exactly: `NetworkAttachmentDefinition`.",
    refs=("https://github.com/k8snetworkplumbingwg/multus-cni/issues/278",
          "https://github.com/kubernetes/apimachinery/blob/master/pkg/api/meta/restmapper.go"),
)


@checks(MISSPELLED_KIND, local=True)
def misspelled_kinds(ctx: Context) -> Iterator[Finding]:
    from multus_lint.model.api_versions import misspelled_kind

    for doc in ctx.project.documents:
        found = misspelled_kind(doc)
        if found is None:
            continue
        group, meant = found
        yield ctx.finding(MISSPELLED_KIND, doc.site("kind"),
                          f"kind '{doc.kind}' is not served by {group}: did you mean '{meant}'? The API "
                          f"server rejects the object (`no matches for kind \"{doc.kind}\"`), and it is "
                          f"not judged as a {meant}")


FIELD_TYPE = declare(
    "ML009", "k8s-field-type", "error",
    "A Kubernetes object field the linter reads has the wrong JSON type: the API server rejects the object.",
    what="Checks the type of the fields multus-lint reads in every object: `metadata.name` and "
         "`namespace` are strings, `annotations` and `labels` map strings to strings (a number, "
         "boolean or mapping as a value is wrong: quote it); in pod templates, `containers` and "
         "`initContainers` are lists of mappings whose `name` and `image` are strings, `command` "
         "and `args` lists of strings, and `volumeMounts`/`volumes` lists of mappings with a "
         "string `name` (and `mountPath`). A wrong-typed value is reported once, here, and the "
         "other rules skip it. An object's own labels that a Flux Kustomization applies are a "
         "warning: Flux drops them all (fluxcd/pkg ssa SetOwnerLabels reads them with "
         "unstructured GetLabels, which returns none when a value is not a string) and creates "
         "the object without them. An object's own annotations that kustomize (or Flux) builds "
         "are not judged: the build writes them back as strings (kustomize "
         "Resource.RemoveBuildAnnotations); nor, in what kustomize or Flux builds, an unquoted "
         "`yes`/`no`/`on`/`off`, a string to kustomize's YAML 1.2 reader.",
    why="Kubernetes decodes objects into Go structs: `kubectl apply` and the K3s manifest "
        "auto-deployer fail with `json: cannot unmarshal number into Go struct field ... of type "
        "string`, so the object, often the Multus DaemonSet itself, is never created.",
    example="metadata:\n  annotations:\n    k8s.v1.cni.cncf.io/networks-count: 2   # a number\n"
            "spec:\n  containers:\n    - name: app\n      args: [--port, 8080]    # 8080 is a number",
    fix="Quote the value (`\"8080\"`), or write the list or mapping the field takes.",
    refs=("https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/object-meta/",
          "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#Container"),
)

_JSON_TYPE = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "a number",
              float: "a number", type(None): "null"}


_OWNED_ANNOTATIONS = frozenset({"k8s.v1.cni.cncf.io/networks", "v1.multus-cni.io/default-network"})


def _dotted(path: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p))
                   for i, p in enumerate(path))


def _type_name(value: object) -> str:
    return _JSON_TYPE.get(type(value), type(value).__name__)


def _bad(out: list[tuple[tuple, str]], value: object, kind: type, at: tuple, what: str) -> bool:
    """Record ``value`` at ``at`` unless it is a ``kind`` (or null: Go's zero value)."""
    if value is None or (isinstance(value, kind) and not isinstance(value, bool)):
        return False
    out.append((at, f"{_dotted(at)} is {_type_name(value)}, not {what}"))
    return True


def _meta_problems(meta: object, path: tuple) -> list[tuple[tuple, str]]:
    """(path, message) of each wrong-typed field of an object's metadata."""
    out: list[tuple[tuple, str]] = []
    if _bad(out, meta, dict, path, "a mapping") or not isinstance(meta, dict):
        return out
    # every object of a run passes here: the paths are built only for a wrong value (a
    # str, dict or list is never a bool, so isinstance alone is _bad's test)
    for key in ("name", "namespace", "generateName"):
        value = meta.get(key)
        if value is not None and not isinstance(value, str):
            _bad(out, value, str, path + (key,), "a string")
    for key in ("annotations", "labels"):
        values = meta.get(key)
        if not _bad(out, values, dict, path + (key,), "a mapping of strings") and isinstance(values, dict):
            for k, v in values.items():
                if v is None or isinstance(v, str):
                    continue
                if key == "annotations" and k in _OWNED_ANNOTATIONS:
                    continue  # ML401 / ML407 judge these values, wrong types included
                _bad(out, v, str, path + (key, k), "a string (quote it)")
    return out


def _pod_spec_problems(spec: object, path: tuple) -> list[tuple[tuple, str]]:
    out: list[tuple[tuple, str]] = []

    def bad(value: object, kind: type, at: tuple, what: str) -> bool:
        return _bad(out, value, kind, at, what)

    # Every workload passes here: a field's path is built only when its value has the wrong
    # type (for a list or dict kind, _bad's test is isinstance alone: a bool is neither).
    if not isinstance(spec, dict):
        return out
    for key in ("containers", "initContainers"):
        items = spec.get(key)
        if not isinstance(items, list):
            if items is not None:
                bad(items, list, path + (key,), "a list of containers")
            continue
        for i, c in enumerate(items):
            if not isinstance(c, dict):
                if c is not None:
                    bad(c, dict, path + (key, i), "a container mapping")
                continue
            at = path + (key, i)
            for field in ("name", "image"):
                value = c.get(field)
                if value is not None and not isinstance(value, str):
                    bad(value, str, at + (field,), "a string")
            for field in ("command", "args"):
                words = c.get(field)
                if isinstance(words, list):
                    for j, w in enumerate(words):
                        if w is not None and not isinstance(w, str):
                            bad(w, str, at + (field, j), "a string (quote it)")
                elif words is not None:
                    bad(words, list, at + (field,), "a list of strings")
            mounts = c.get("volumeMounts")
            if isinstance(mounts, list):
                for j, m in enumerate(mounts):
                    if isinstance(m, dict):
                        for field in ("name", "mountPath"):
                            value = m.get(field)
                            if value is not None and not isinstance(value, str):
                                bad(value, str, at + ("volumeMounts", j, field), "a string")
                    elif m is not None:
                        bad(m, dict, at + ("volumeMounts", j), "a mapping")
            elif mounts is not None:
                bad(mounts, list, at + ("volumeMounts",), "a list")
    volumes = spec.get("volumes")
    if isinstance(volumes, list):
        for j, v in enumerate(volumes):
            if isinstance(v, dict):
                name = v.get("name")
                if name is not None and not isinstance(name, str):
                    bad(name, str, path + ("volumes", j, "name"), "a string")
            elif v is not None:
                bad(v, dict, path + ("volumes", j), "a mapping")
    elif volumes is not None:
        bad(volumes, list, path + ("volumes",), "a list")
    return out


def _flux_drops_labels(path: tuple, entry: Any) -> bool:
    """Whether Flux's kustomize-controller applies the object (``entry``) and ``path`` is its
    own labels or one of them: it decodes the built objects into unstructured ones and sets
    its ownership labels with ``labels := object.GetLabels()`` then ``SetLabels`` (fluxcd/pkg
    ssa/manager.go SetOwnerLabels); apimachinery's GetLabels (NestedStringMap) returns no map
    at all when a value is not a string, so every label is replaced by Flux's two and the
    object is applied without them, not rejected. The pod template's labels are not touched:
    the API server still rejects those."""
    return entry is not None and entry.kind == "flux" and path[:2] == ("metadata", "labels")


def _kustomize_stringifies(path: tuple, entry: Any) -> bool:
    """Whether kustomize builds the object (a kustomization, or Flux's kustomize-controller,
    which runs the same krusty build) and ``path`` is one of its own annotations: at the end
    of every build Resource.RemoveBuildAnnotations (api/resource/resource.go) reads them with
    kyaml GetAnnotations (yaml.v3 decodes any scalar into a string) and writes them back with
    SetAnnotations as strings, so `example.com/flag: false` is applied as "false". The pod
    template's annotations are not rewritten."""
    return entry is not None and entry.kind in ("kustomize", "flux") and len(path) == 3 \
        and path[:2] == ("metadata", "annotations")


# YAML 1.1's booleans that YAML 1.2 reads as strings (PyYAML, like go-yaml v2 and so kubectl,
# resolves them as booleans)
_YAML11_BOOLS = frozenset({"yes", "no", "on", "off"})


def _yaml11_only_bool(doc: Any, path: tuple) -> bool:
    """The value is written ``yes``/``no``/``on``/``off`` unquoted: kustomize (and Flux's
    kustomize-controller) reads manifests with kyaml's yaml.v3, YAML 1.2, where that is a
    string, and writes it out quoted (kubectl kustomize gives `a: "yes"` for `a: yes`), so the
    object built has a string there (batch 11b, typedrat/homelab: `bittorrent: yes`)."""
    try:
        site = doc.site(*path, value=True)
        span, text = site.span, site.source.text or ""
        if span.line != span.end_line:
            return False
        line = text.splitlines()[span.line - 1]
        return line[span.column - 1:span.end_column - 1].strip().lower() in _YAML11_BOOLS
    except (IndexError, AttributeError, TypeError):
        return False


@checks(FIELD_TYPE)
def field_types(ctx: Context) -> Iterator[Finding]:
    # not local: how a wrong label is applied depends on the entry point deploying the object
    from multus_lint.load.document import get_path
    from multus_lint.model.api_versions import no_api_serves
    from multus_lint.model.kustomize import entry_of_instance

    workloads = {id(w.doc): w for w in ctx.project.workloads}
    for doc in ctx.judged.documents:
        if not doc.kind:
            continue  # not a Kubernetes object (a CNI config file, values, K3s config)
        if no_api_serves(doc.data.get("apiVersion")):
            continue  # a tool's input under a kind (policyGenerator/v1): no API server decodes it
        problems = _meta_problems(doc.data.get("metadata"), ("metadata",))
        w = workloads.get(id(doc))
        if w is not None:
            template = tuple(w.template_meta)
            if template != ("metadata",):  # a controller's pod template (a Pod's is its own)
                problems += _meta_problems(get_path(doc.data, template), template)
            problems += _pod_spec_problems(get_path(doc.data, w.pod_spec_path), tuple(w.pod_spec_path))
        entry = entry_of_instance(ctx.project, doc) if problems else None
        for path, message in problems:
            if _kustomize_stringifies(path, entry):
                continue
            if entry is not None and entry.kind in ("kustomize", "flux") and _yaml11_only_bool(doc, path):
                continue
            if _flux_drops_labels(path, entry):
                yield ctx.finding(FIELD_TYPE, doc.site(*path, value=True),
                                  f"{message}: a Flux Kustomization applies it, and Flux drops every "
                                  "label of an object whose labels are not all strings (unstructured "
                                  "GetLabels returns none, then SetOwnerLabels sets only its own two), "
                                  "so the object is created without its labels", "warning")
                continue
            yield ctx.finding(FIELD_TYPE, doc.site(*path, value=True),
                              f"{message}: Kubernetes decodes the object into Go types and "
                              "`kubectl apply` fails (json: cannot unmarshal ...), so the object is "
                              "never created")
