"""ML0xx: reading the input. Most are reported by the loader; ML007 by a checker here."""

from __future__ import annotations

from collections.abc import Iterator

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
         "reported. The other documents of the same file are still linted.",
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
    what="Helm/Go/Jinja templates, K3s %{NAME}% placeholders and Flux post-build variables "
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


@checks(DUPLICATE_KEY)
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


@checks(UNSUPPORTED_API_VERSION)
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
