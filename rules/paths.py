"""ML1xx: K3s node paths in the rke2-multus chart values and in raw Multus DaemonSets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from multus_lint.charts import ChartRelease
from multus_lint.context import Context
from multus_lint.document import Site
from multus_lint.findings import Finding
from multus_lint.fix import Fix, release_fix
from multus_lint.multus_ds import THIN_DEFAULTS, MultusDaemonSet
from multus_lint.profile import Profile
from multus_lint.registry import Rule, checks, declare

K3S_DOCS = "https://docs.k3s.io/networking/multus-ipams"

BIN_DIR = declare(
    "ML101", "k3s-cni-bin-dir", "error",
    "CNI bin dir is not K3s's (/opt/cni/bin, an RKE2 path, another dir, or missing).",
    what="Checks the CNI binary dir given to Multus: `config.cni_conf.binDir` and "
         "`rke2-whereabouts.cniConf.binDir` in rke2-multus values, and the hostPath behind "
         "`--cni-bin-dir` in a Multus DaemonSet. A missing value means the chart default "
         "`/opt/cni/bin`.",
    why="K3s's containerd looks for CNI plugins only in its own dir (`D/data/cni` since the October "
        "2024 releases v1.28.15, v1.29.10, v1.30.6, v1.31.2; `D/data/current/bin` before), so "
        "Multus and the plugins installed elsewhere are never found: pods fail with "
        "`failed to find plugin \"multus\" in path`.",
    example="config:\n  cni_conf:\n    binDir: /opt/cni/bin",
    fix="Set it to the dir of your K3s release, e.g. `binDir: /var/lib/rancher/k3s/data/cni/`.",
    refs=(K3S_DOCS, "https://github.com/k3s-io/k3s/pull/10868",
          "https://github.com/k8snetworkplumbingwg/multus-cni/issues/927"),
    fixable=True,
)

VERSIONED_BIN_DIR = declare(
    "ML102", "k3s-versioned-bin-dir", "error",
    "A release-specific CNI bin dir (data/<hash>/bin, data/current/bin after the gate, "
    "data/cni before it).",
    what="Flags bin dirs tied to one K3s release: `D/data/<hash>/bin` (error: the hash changes on "
         "every upgrade), `D/data/current/bin` on a K3s that has the static dir (warning: works "
         "until the next upgrade), `D/data/cni` on a K3s older than the gate (error: containerd "
         "does not look there).",
    why="The hash dir disappears on upgrade and `current` is re-pointed, so plugins copied there "
        "vanish from containerd's path after the next K3s upgrade.",
    example="binDir: /var/lib/rancher/k3s/data/3ccf8a82/bin",
    fix="Use `D/data/cni` on K3s >= v1.28.15/v1.29.10/v1.30.6/v1.31.2, `D/data/current/bin` before.",
    refs=(K3S_DOCS, "https://github.com/k3s-io/k3s/issues/10869"),
    fixable=True,
)

_HASH_DIR = re.compile(r"^(?P<d>.*)/data/(?P<h>[0-9a-f]{6,})/bin$")


def norm(path: str) -> str:
    return path.rstrip("/") or "/"


@dataclass
class Verdict:
    rule: Rule
    severity: str
    message: str
    expected: str


def judge_bin_dir(value: object, profile: Profile, what: str) -> Verdict | None:
    """ML101/ML102 for one bin dir value (None: missing, the chart default applies)."""
    expected = profile.bin_dir
    if value is None:
        return Verdict(BIN_DIR, "error", f"{what} is not set, so the chart default /opt/cni/bin "
                       f"applies; K3s expects {expected}, where its containerd looks for CNI plugins",
                       expected)
    if not isinstance(value, str):
        return Verdict(BIN_DIR, "error", f"{what} must be a path string, not {value!r}; K3s expects "
                       f"{expected}", expected)
    got = norm(value)
    if got == expected:
        return None
    d = profile.d
    if not profile.flannel_off:
        m = _HASH_DIR.match(got)
        if m and m["d"] == d:
            return Verdict(VERSIONED_BIN_DIR, "error", f"{what} {value} is a release-specific dir "
                           f"(hash {m['h']}) that disappears on the next K3s upgrade; use {expected}",
                           expected)
        if got in (f"{d}/data/current/bin", f"{d}/data/previous/bin") and profile.static_cni_dir:
            return Verdict(VERSIONED_BIN_DIR, "warning", f"{what} {value} works only until the next "
                           f"K3s upgrade (plugins copied there are left behind); this K3s uses the "
                           f"stable {expected}", expected)
        if got == f"{d}/data/cni" and not profile.static_cni_dir:
            return Verdict(VERSIONED_BIN_DIR, "error", f"{what} {value}: K3s "
                           f"{profile.k3s_version} predates the static CNI dir (v1.28.15, v1.29.10, "
                           f"v1.30.6, v1.31.2), its containerd looks in {expected}", expected)
    if got == "/opt/cni/bin":
        why = "the upstream/RKE2 default"
    elif "/rancher/rke2/" in got:
        why = "an RKE2 path"
    else:
        why = "not K3s's CNI bin dir"
    return Verdict(BIN_DIR, "error", f"{what} {value} is {why}; K3s expects {expected}"
                   + (" (flannel-backend: none, so containerd keeps its defaults)" if profile.flannel_off
                      else ", the only dir its containerd searches for CNI plugins"), expected)


def chart_bin_dirs(rel: ChartRelease) -> Iterator[tuple[tuple, str]]:
    """(values path, label) of every bin dir the release sets for K3s nodes."""
    yield ("config", "cni_conf", "binDir"), "config.cni_conf.binDir"
    if rel.get(("rke2-whereabouts", "enabled")) is True:
        yield ("rke2-whereabouts", "cniConf", "binDir"), "rke2-whereabouts.cniConf.binDir"


@checks(BIN_DIR, VERSIONED_BIN_DIR)
def bin_dirs(ctx: Context) -> Iterator[Finding]:
    for rel in ctx.project.judged_releases:
        for path, label in chart_bin_dirs(rel):
            value = rel.get(path)
            verdict = judge_bin_dir(value, ctx.profile, label)
            if verdict:
                site = rel.site(path)
                yield ctx.finding(verdict.rule, site, verdict.message, verdict.severity,
                                  fix=release_fix(rel, path, verdict.expected))
    for doc in ctx.project.daemonsets:
        yield from _daemonset_bin_dirs(ctx, MultusDaemonSet(doc))


_BIN_VOLUME_NAMES = {"cnibin", "cni-bin", "cni-bin-dir", "cnibindir", "cni-plugins", "bin"}


def _daemonset_bin_dirs(ctx: Context, ds: MultusDaemonSet) -> Iterator[Finding]:
    judged: set[str] = set()
    for c in ds.multus_containers:
        inner, _ = c.flag("cni-bin-dir")
        if inner is None and c.is_thin:
            inner = THIN_DEFAULTS["cni-bin-dir"]
        resolved = ds.host_path(c, inner) if inner else None
        candidates = []
        if resolved:
            candidates.append(resolved)
        for m in c.data.get("volumeMounts") or []:
            name = m.get("name") if isinstance(m, dict) else None
            if name in ds.volumes and name not in judged and (
                    name in _BIN_VOLUME_NAMES or _looks_like_bin_dir(ds.volumes[name][0])):
                candidates.append((ds.volumes[name][0], name, ds.volumes[name][1]))
        for host, name, where in candidates:
            if name in judged:
                continue
            judged.add(name)
            verdict = judge_bin_dir(host, ctx.profile, f"hostPath of volume '{name}' (CNI bin dir)")
            if verdict:
                yield ctx.finding(verdict.rule, Site(ds.doc.source, ds.doc.span(*where), ds.doc.object_ref()),
                                  verdict.message, verdict.severity,
                                  fix=Fix.set(ds.doc, where, verdict.expected))


def _looks_like_bin_dir(path: str) -> bool:
    p = norm(path)
    return p.endswith("/cni/bin") or p.endswith("/data/cni") or bool(re.search(r"/data/[^/]+/bin$", p))
