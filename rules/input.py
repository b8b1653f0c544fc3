"""ML0xx: reading the input. Most are reported by the loader; ML007 by a checker here."""

from __future__ import annotations

from collections.abc import Iterator

from multus_lint.context import Context
from multus_lint.document import Site
from multus_lint.findings import Finding
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
    "Template syntax ({{ }}, {% %}, %{NAME}%): the file or value is not judged until rendered.",
    what="Helm/Go/Jinja templates and K3s %{NAME}% placeholders are not manifests yet. A file that "
         "does not parse because of them is skipped; when it parses, only the values holding "
         "placeholders are skipped.",
    why="Judging unrendered text produces false alarms (a placeholder is not a path or a CIDR).",
    example="binDir: %{DATA_DIR}%/data/cni",
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

DUPLICATE_KEY = declare(
    "ML007", "duplicate-key", "warning",
    "The same key twice in one mapping, in YAML or in the JSON of spec.config: the last one wins.",
    what="Reports each repeated key at its later occurrence, naming the line of the earlier one.",
    why="Go's encoding/json and PyYAML both keep the last value silently, so the first one, often "
        "the one being edited, has no effect.",
    example='{"ipMasq": true, "ipMasq": false}',
    fix="Keep one of the two.",
)


@checks(DUPLICATE_KEY)
def duplicate_keys(ctx: Context) -> Iterator[Finding]:
    for source, path, later, earlier, obj in ctx.project.duplicates:
        yield ctx.finding(DUPLICATE_KEY, Site(source, later, obj),
                          f"key '{path[-1]}' appears again (first on line {earlier.line}); "
                          "the last one silently wins")
