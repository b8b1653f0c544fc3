"""Which template placeholder, if any, a finding's value holds (ML003 for parsed files).

When a file parses although it holds ``{{ ... }}``, ``{% ... %}`` or K3s ``%{NAME}%``
placeholders (inside quoted strings, in valuesContent, in the JSON of spec.config), the
values holding them are not judged: a finding about such a value becomes one ML003 info.
Findings carry only a position, so the value is recovered from the line: in block YAML a
line is one ``key: value``, so the rest of the line is the value; inside a flow mapping or
JSON object on one line (``'{"cniVersion": "{{ V }}", "type": "host-local", ...}'``) only
the member the finding points at counts, up to the next ``,`` or closing bracket at its
depth, so the host-local finding on the same line is still reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from multus_lint.load.read import TEMPLATE_RE

# Findings whose judgement does not depend on any value's text (a repeated key is repeated,
# an apiVersion holding no placeholder is what it is).
VALUE_FREE_CODES = frozenset({"ML007", "ML008"})


def render_advice(placeholder: str) -> str:
    """What fills in ``placeholder``, and so how to lint the value it stands for."""
    if placeholder.startswith("${"):
        return ("Flux substitutes it (Kustomization spec.postBuild) before applying; "
                "lint the output of `flux build kustomization` to judge the value")
    if placeholder.startswith("$"):
        return ("a script fills it in (envsubst, a shell heredoc) before applying; lint the "
                "rendered output to judge the value")
    if placeholder.startswith(("<", "__")):
        return ("a fill-in placeholder, replaced by hand or by a script's sed before applying; lint "
                "the filled-in manifest to judge the value")
    if placeholder.startswith("%{"):
        return "K3s fills it in when it stages the manifest; the value is judged as K3s writes it"
    return "render it first, e.g. `helm template ... | multus-lint -`"


def _mask(line: str) -> tuple[str, list[tuple[int, int, str]]]:
    """The line with every placeholder replaced by ``X``s (so its braces and quotes do not
    count), and the placeholders' (start, end, text)."""
    found = [(m.start(), m.end(), m.group(0)) for m in TEMPLATE_RE.finditer(line)]
    masked = line
    for start, end, _ in found:
        masked = masked[:start] + "X" * (end - start) + masked[end:]
    return masked, found


def _outside_strings(text: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """(index, character) of ``text`` from ``start`` that lie outside JSON strings."""
    in_str = escaped = False
    for i in range(start, len(text)):
        ch = text[i]
        if in_str:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        else:
            yield i, ch


def _flow_depth(text: str) -> int:
    """Open ``{``/``[`` outside JSON strings in ``text``."""
    depth = 0
    for _, ch in _outside_strings(text):
        if ch in "{[":
            depth += 1
        elif ch in "}]":
            depth = max(0, depth - 1)
    return depth


def _member_end(text: str, start: int) -> int:
    """Where the flow member starting at ``start`` ends: the next ``,`` at its depth, or the
    bracket that closes its container."""
    depth = 0
    for i, ch in _outside_strings(text, start):
        if ch in "{[":
            depth += 1
        elif ch in "}]":
            if depth == 0:
                return i
            depth -= 1
        elif ch == "," and depth == 0:
            return i
    return len(text)


def _comment_start(text: str, start: int) -> int:
    """Where a YAML comment (`` #`` outside quotes) begins after ``start``, else the end."""
    quote = ""
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t"):
            return i
    return len(text)


def _value_span(line: str, column: int) -> tuple[int, int]:
    """(start, end) in ``line`` of the value a finding at ``column`` (1-based) points at: the
    flow member there, or the rest of a block line up to a trailing comment."""
    start = max(0, min(column - 1, len(line)))
    end = _member_end(line, start) if _flow_depth(line[:start]) else _comment_start(line, start)
    return start, end


# A value that is one shell-style variable and nothing else: gettext's envsubst (and sh
# heredocs) replace ``$NAME`` as well as ``${NAME}`` (gettext-tools src/envsubst.c
# subst_from_stdin: "$" followed by an identifier, braces optional). Kubernetes expands only
# ``$(NAME)`` (in command, args and env), so a manifest value that is exactly ``$NET`` is a
# template a script renders (``envsubst < component.yaml | kubectl apply -f -``), not a name.
# So is a path that begins with one, alone or as a flag's value (``$SNAP_DATA/opt/cni/bin/``,
# ``--multus-kubeconfig-file-host=$SNAP_DATA/args/...``: canonical/microk8s-community-addons
# addons/multus enable, use_addon_manifest with ``map[\$SNAP_DATA]``, fills it in): no path a
# rule judges begins with a ``$``.
# (A finding may point at the value's key, ``path:``, or list dash: they are not the value.)
_ENVSUBST_VALUE = re.compile(r"""\s*(?:-\s+)?(?:[A-Za-z0-9_.-]+:\s+)?(["']?)(?:--?[A-Za-z0-9][A-Za-z0-9_.-]*=)?"""
                             r"""(\$[A-Z_][A-Z0-9_]*)(?:/[^\s"']*)?\1\s*""")


def envsubst_value(line: str, column: int) -> str | None:
    """The ``$NAME`` that the whole value a finding at ``column`` points at consists of (or
    begins, as a path's first part), or None (``$NAME`` inside a longer string, a shell
    command, stays judged)."""
    start, end = _value_span(line, column)
    m = _ENVSUBST_VALUE.fullmatch(line[start:end])
    return m.group(2) if m else None


# A fill-in placeholder a person or a sed script replaces before the manifest is applied:
# ``<NETWORKATTACHMENTDEFINITION_NAME>``, ``<your-namespace>`` (a README's "replace the
# <...> values", joeyloman/kubevirt-ip-helper deployments/deployment.yaml) and
# ``__REPLACE_WITH_KUBECONFIG__`` (dougbtv/origin-node-multus watcher.sh: ``sed -i -e
# "s|__REPLACE_WITH_KUBECONFIG__|$KUBECONFIG_FILE|"``). No value a rule judges is written so:
# DNS-1123 names, paths and CNI keys hold no ``<``/``>``, and a path is not ``__X__``.
_FILL_IN = re.compile(r"<[A-Za-z][A-Za-z0-9_.-]*>|__[A-Z][A-Z0-9_]*__")


def fill_in_at(line: str, column: int) -> str | None:
    """The fill-in placeholder (``_FILL_IN``) in the value a finding at ``column`` points at
    (the rest of a block line, or the flow member), or None."""
    start, end = _value_span(line, column)
    m = _FILL_IN.search(line, start, end)
    return m.group(0) if m else None


def placeholder_at(line: str, column: int, filled: frozenset[str] = frozenset()) -> str | None:
    """The placeholder in the value that a finding at ``column`` (1-based) of ``line`` is
    about, or None when that value holds none (one in a trailing comment does not count).
    ``filled``: placeholders whose value is known, so the value was judged with it (a Flux
    variable the Kustomization's postBuild.substitute sets)."""
    if "$" in line:
        whole = envsubst_value(line, column)
        if whole is not None:
            return whole
    if "<" in line or "__" in line:
        held = fill_in_at(line, column)
        if held is not None:
            return held
    if ("{" not in line and "%" not in line) or not TEMPLATE_RE.search(line):
        return None
    masked, found = _mask(line)
    start, end = _value_span(masked, column)
    for p_start, p_end, text in found:
        if p_start < end and p_end > start and text not in filled:
            return text
    return None


def _tag_only_lines(text: str) -> set[int]:
    """0-based numbers of the lines that hold template tags and nothing else, a tag that
    spans lines included: a Go template comment ``{{/* ... */}}`` over a license header, as
    Helm charts open their templates (onap multicloud-k8s, istio), renders to nothing
    (text/template parse/lex.go lexComment: the whole comment is one action)."""
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    covered = [False] * len(lines)  # the line holds some tag text
    for m in TEMPLATE_RE.finditer(text):
        first = max(0, _line_of(starts, m.start()))
        last = _line_of(starts, max(m.start(), m.end() - 1))
        for n in range(first, last + 1):
            covered[n] = True
    masked = TEMPLATE_RE.sub(lambda m: "".join(c if c in "\r\n" else " " for c in m.group(0)), text)
    return {n for n, line in enumerate(masked.split("\n")) if covered[n] and not line.strip()}


def _line_of(starts: list[int], offset: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi - 1:
        mid = (lo + hi) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid
    return lo


def masked_templates(text: str) -> str:
    """``text`` with its template syntax made inert, every position kept: a line that holds
    only template tags (``{{- if .x }}``, ``{{ toYaml .v | nindent 4 }}``, every line of a
    ``{{/* ... */}}`` comment over several lines) becomes blank, a tag inside a line becomes
    as many ``x`` (line breaks inside a tag are kept).

    Blank, not a ``#`` comment: a tag line at column 0 inside a block scalar (``{{- if .x }}``
    within ``prometheus.yml: |``) renders to nothing, and a comment there, indented less than
    the scalar's content, would end the scalar and make the rest a syntax error; an empty
    line is part of a block scalar at any indentation (YAML 1.2 8.1.1.2, l-empty)."""
    blank = _tag_only_lines(text)
    masked = TEMPLATE_RE.sub(lambda m: "".join(c if c in "\r\n" else "x" for c in m.group(0)), text)
    return "\n".join(" " * len(line) if n in blank else line for n, line in enumerate(masked.split("\n")))



def template_free_error_lines(text: str, error_lines: Any) -> set[int]:
    """The 1-based lines of syntax errors a file has even with its templates made inert:
    ``error_lines(masked_text)`` gives the error lines of a text; only those with no
    template tag on them or on the line before are kept (near a tag, the rendered text
    may well parse). A broken file whose only template is in a comment or far from the
    break keeps its ML001."""
    masked = masked_templates(text)
    lines = text.split("\n")

    def live_tag(n: int) -> bool:  # a tag on line n that is not inside a YAML comment
        if not 0 < n <= len(lines):
            return False
        line = lines[n - 1]
        return any(m.start() < _comment_start(line, 0) for m in TEMPLATE_RE.finditer(line))

    def near_template(line: int) -> bool:
        return live_tag(line) or live_tag(line - 1)

    return {n for n in error_lines(masked) if not near_template(n)}
