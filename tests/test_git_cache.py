"""The cache knows a tracked file that is no context by its line in git's index (issue 16:
``lstat`` of every file was most of a warm pre-commit run in a large repository), and only
while git says the work tree holds that line's blob (load.discover.GitState,
load.cache.FileCache.known_by_git). git's side: ``git ls-files -s -v`` prints each index
entry's tag, mode, blob and stage (builtin/ls-files.c show_ce; tag ``h`` for an
assume-unchanged entry, ``S`` for skip-worktree), ``git diff-files`` names the entries whose
work tree differs (diff-lib.c run_diff_files: ie_match_stat, and the content of a racily
clean entry)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from multus_lint import cli
from multus_lint.load import cache as cache_mod
from multus_lint.load import discover
from multus_lint.load.cache import read_cache_file

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

NAD = ("apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata:\n  name: net-a\n"
       "  namespace: apps\nspec:\n  config: '{\"cniVersion\": \"0.3.1\", \"type\": \"macvlan\", "
       "\"master\": \"eth0\", \"ipam\": {\"type\": \"whereabouts\", \"range\": \"10.1.0.0/24\"}}'\n")
PLAIN = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: apps\ndata:\n  a: b\n"
POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: apps\n  annotations:\n"
       "    k8s.v1.cni.cncf.io/networks: net-a\nspec:\n  containers:\n  - {name: c, image: busybox}\n")


def git(root: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com", HOME=str(root.parent), XDG_CONFIG_HOME=str(root.parent / "xdg"))
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True).stdout


def lint(root: Path, cache_dir: Path, *paths: str, cache: bool = True) -> tuple[int, list]:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
        code = cli.main(["--format", "json", *(["--cache-dir", str(cache_dir)] if cache else ["--no-cache"]),
                         *paths])
    return code, [(f["code"], f["path"], f["line"]) for f in json.loads(buf.getvalue())["findings"]]


def lstat_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths ``os.lstat`` is asked about from now on (the list grows as it is)."""
    examined: list[str] = []
    real_lstat = os.lstat

    def lstat(path: object, *a: object, **k: object) -> os.stat_result:
        examined.append(os.fspath(path))  # type: ignore[arg-type]
        return real_lstat(path, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "lstat", lstat)
    return examined


def cache_lines(cache_dir: Path) -> set[str]:
    out: set[str] = set()
    for f in cache_dir.glob("files-*.cache"):
        found = read_cache_file(str(f))
        assert found is not None
        out |= set(filter(None, found[1].decode().split("\0")))
    return out


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "nad.yaml").write_text(NAD)
    (root / "plain.yaml").write_text(PLAIN)
    (root / "other.yaml").write_text(PLAIN.replace("cm", "c2"))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "x")
    monkeypatch.chdir(root)
    monkeypatch.setenv("HOME", str(tmp_path))  # no user's git config (filters) here
    # files written just now are "racy": trusted at once here, as on a file system whose
    # stamps are exact (test_a_file_changed_since_the_listing_is_not_known: the real margin)
    monkeypatch.setattr(cache_mod, "RACY_NS", -(10 ** 30))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return root


def test_unmodified_files_of_no_context_are_known_by_their_index_line(repo: Path, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    cache_dir = tmp_path / "cache"
    first = lint(repo, cache_dir, "nad.yaml")
    assert {line.split("\t")[1] for line in cache_lines(cache_dir)} == {"plain.yaml", "other.yaml"}
    examined = lstat_calls(monkeypatch)
    assert lint(repo, cache_dir, "nad.yaml") == first
    assert not [p for p in examined if p.endswith(("plain.yaml", "other.yaml"))]


@pytest.mark.parametrize("how", ["unstaged", "staged", "assume-unchanged"])
def test_a_file_that_becomes_context_is_read(repo: Path, tmp_path: Path, how: str) -> None:
    """plain.yaml turns into the NAD the named pod asks for: ML402 (network not found)
    goes, whether the edit is in the work tree only (diff-files names it), staged (its
    index line changes) or hidden from git by assume-unchanged (tag ``h``: never trusted)."""
    (repo / "nad.yaml").unlink()
    (repo / "pod.yaml").write_text(POD)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "pod")
    cache_dir = tmp_path / "cache"
    before = lint(repo, cache_dir, "pod.yaml")
    assert ("ML402", "pod.yaml", 7) in before[1]
    assert {line.split("\t")[1] for line in cache_lines(cache_dir)} == {"plain.yaml", "other.yaml"}
    if how == "assume-unchanged":
        git(repo, "update-index", "--assume-unchanged", "plain.yaml")
    st = (repo / "plain.yaml").stat()
    (repo / "plain.yaml").write_text(NAD)
    os.utime(repo / "plain.yaml", ns=(st.st_atime_ns, st.st_mtime_ns))  # the old mtime
    if how == "staged":
        git(repo, "add", "plain.yaml")
    after = lint(repo, cache_dir, "pod.yaml")
    assert after == lint(repo, cache_dir, "pod.yaml", cache=False)
    assert not any(code == "ML402" for code, _, _ in after[1])


def test_no_line_is_trusted_where_a_filter_may_convert_files(repo: Path, tmp_path: Path) -> None:
    """A clean/smudge filter (git-lfs, git-crypt) makes the work tree's bytes differ from
    the blob: with one configured and an attributes file present, files are examined."""
    git(repo, "config", "filter.crypt.clean", "cat")
    git(repo, "config", "filter.crypt.smudge", "cat")
    (repo / ".gitattributes").write_text("secret/** filter=crypt\n")
    git(repo, "add", ".gitattributes")
    cache_dir = tmp_path / "cache"
    first = lint(repo, cache_dir, "nad.yaml")
    assert cache_lines(cache_dir) == set()
    assert lint(repo, cache_dir, "nad.yaml") == first
    state = discover._git_listed(str(repo), state=True)
    assert isinstance(state, discover.GitState) and state.filters
    # a filter configured with no attributes file anywhere applies to nothing
    (repo / ".gitattributes").unlink()
    git(repo, "rm", "-q", "--cached", ".gitattributes")
    state = discover._git_listed(str(repo), state=True)
    assert isinstance(state, discover.GitState) and not state.filters


def test_index_lines_of_changed_paths_are_found_in_the_listing() -> None:
    state = discover.GitState("H 100644 " + "a" * 40 + " 0\ta b.yaml\0? new.yaml\0H 100644 " + "b" * 40
                              + " 0\tz.yaml\0", {"a b.yaml"}, False, {})
    assert state._lines_of({"a b.yaml", "gone.yaml"}, set()) == ["H 100644 " + "a" * 40 + " 0\ta b.yaml"]
    listed, _, clean, no_match = state.paths(lambda lines: set(), None)
    assert listed == ["a b.yaml", "new.yaml", "z.yaml"]
    assert set(clean) == {"z.yaml"}  # the changed one and the untracked one are examined
    assert no_match == set()  # no git grep was run
    state.matched = {"new.yaml"}
    state.raw += "h 100644 " + "c" * 40 + " 0\tquiet.yaml\0S 100644 " + "d" * 40 + " 0\tsparse.yaml\0"
    # grep read the blob of the assume-unchanged (h) and skip-worktree (S) entries: not searched
    assert state.paths(None, None)[3] == {"a b.yaml", "z.yaml"}


def test_a_file_changed_since_the_listing_is_not_known(repo: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A line is kept only for a file that last changed before git listed, by the racy
    margin (its change time read after its bytes): one written just now may change again
    within the stamp's granularity without git or the cache seeing it."""
    monkeypatch.setattr(cache_mod, "RACY_NS", 2_000_000_000)
    cache_dir = tmp_path / "cache"
    lint(repo, cache_dir, "nad.yaml")
    assert cache_lines(cache_dir) == set()
    old = 1_600_000_000_000_000_000
    for name in ("plain.yaml", "other.yaml"):
        os.utime(repo / name, ns=(old, old))  # ctime is still now: changed just now
    lint(repo, cache_dir, "nad.yaml")
    assert cache_lines(cache_dir) == set()
    git(repo, "status")  # the index takes the new stamps (git sees no change of content)
    monkeypatch.setattr(cache_mod, "RACY_NS", -(10 ** 30))
    lint(repo, cache_dir, "nad.yaml")
    assert {line.split("\t")[1] for line in cache_lines(cache_dir)} == {"plain.yaml", "other.yaml"}


@pytest.mark.parametrize("how", ["assume-unchanged", "untracked", "nested-repository", "worktree-only"])
def test_git_grep_never_hides_a_context_file(repo: Path, tmp_path: Path, how: str) -> None:
    """With nothing cached, git grep looks for the context markers while git lists, and a
    listed file it searched without a match is not read (runner.GREP_PATTERNS). It reads the
    blob of a skip-worktree entry (and is not trusted for an assume-unchanged one), and does
    not search a nested repository: those files are read. The NAD the named pod asks for is found each time."""
    (repo / "nad.yaml").unlink()
    (repo / "pod.yaml").write_text(POD)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "pod")
    if how == "assume-unchanged":
        git(repo, "update-index", "--assume-unchanged", "plain.yaml")
        (repo / "plain.yaml").write_text(NAD)
    elif how == "untracked":
        (repo / "new.yaml").write_text(NAD)
    elif how == "nested-repository":
        (repo / "vendor").mkdir()
        (repo / "vendor" / "nad.yaml").write_text(NAD)
        git(repo / "vendor", "init", "-q")
        git(repo / "vendor", "add", "-A")
        git(repo / "vendor", "commit", "-q", "-m", "v")
    else:
        (repo / "plain.yaml").write_text(NAD)  # modified, not staged
    for cached in (False, True):
        code, found = lint(repo, tmp_path / "cache", "pod.yaml", cache=cached)
        assert not any(c == "ML402" for c, _, _ in found), (how, cached, found)


@pytest.mark.parametrize("config", [(), ("color.ui", "always"), ("color.grep", "always")])
def test_git_grep_leaves_unread_only_files_without_a_marker(repo: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch, config: tuple) -> None:
    """Only the files git grep finds no marker in are left unread, whatever the user's
    config says of colours (color.grep=always wraps each name git prints in escapes)."""
    if config:
        git(repo, "config", *config)
    (repo / "pod.yaml").write_text(POD)  # context: must be read
    git(repo, "add", "pod.yaml")
    from multus_lint import runner
    from multus_lint.load import read as read_mod

    opened: list[str] = []
    real_read = read_mod.read

    def read(path: str, *a: object, **k: object) -> object:
        opened.append(os.path.basename(path))
        return real_read(path, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "read", read)
    found = lint(repo, tmp_path / "cache", "nad.yaml", cache=False)
    assert sorted(opened) == ["nad.yaml", "pod.yaml"]  # plain.yaml and other.yaml: no marker, not read
    monkeypatch.setattr(runner, "GREP_PATTERNS", ())  # the same run reading every file
    opened.clear()
    assert lint(repo, tmp_path / "cache", "nad.yaml", cache=False) == found
    assert sorted(opened) == ["nad.yaml", "other.yaml", "plain.yaml", "pod.yaml"]


@pytest.mark.parametrize("setting", [("core.trustctime", "false"), ("core.checkStat", "minimal")])
def test_no_line_is_trusted_where_git_checks_less_than_the_cache(repo: Path, setting: tuple[str, str]) -> None:
    """With these, git's clean check ignores the change time (and inode): a rewrite of the
    same size with the old mtime passes it (git-config(1) core.trustctime, core.checkStat)."""
    state = discover._git_listed(str(repo), state=True)
    assert isinstance(state, discover.GitState) and not state.filters
    git(repo, "config", *setting)
    state = discover._git_listed(str(repo), state=True)
    assert isinstance(state, discover.GitState) and state.filters


def test_a_flux_build_never_reads_what_git_ignores(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Flux Kustomization's generated kustomization holds every manifest below its path
    (kustomize-controller generator.go scanManifests) of the artifact source-controller
    made from the repository: a folder git ignores (a build's output) is never in it, so
    it is neither walked nor read (a repository root as the path read 100,000 ignored
    files, for minutes), and a NAD there deploys nothing."""
    from multus_lint.model import kustomize

    (repo / "nad.yaml").unlink()
    (repo / "flux.yaml").write_text(
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: all, namespace: flux-system}\n"
        "spec:\n  path: ./\n  sourceRef: {kind: GitRepository, name: repo}\n")
    (repo / "pod.yaml").write_text(POD)
    (repo / ".gitignore").write_text("out/\n")
    (repo / "out").mkdir()
    (repo / "out" / "nad.yaml").write_text(NAD)
    git(repo, "add", "-A")
    read: list[str] = []
    real = kustomize._relevant
    monkeypatch.setattr(kustomize, "_relevant", lambda p: read.append(p) or real(p))
    code, found = lint(repo, tmp_path / "cache", "pod.yaml", cache=False)
    assert ("ML402", "pod.yaml", 7) in found
    assert not [p for p in read if "/out/" in p]
    (repo / ".gitignore").write_text("")  # tracked like the rest: deployed, found
    git(repo, "add", "-A")
    assert not any(c == "ML402" for c, _, _ in lint(repo, tmp_path / "cache", "pod.yaml", cache=False)[1])


def test_a_cold_run_examines_no_file_git_grep_and_the_index_settle(repo: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing cached: a tracked file git grep finds no marker in, unmodified since an index
    older than the search (its stat is the index's, and the index was written before),
    is neither lstat-ed nor read, and the cache knows it by its line from then on."""
    examined = lstat_calls(monkeypatch)
    cache_dir = tmp_path / "cache"
    found = lint(repo, cache_dir, "nad.yaml")
    assert not [p for p in examined if p.endswith(("plain.yaml", "other.yaml"))]
    assert {line.split("\t")[1] for line in cache_lines(cache_dir)} == {"plain.yaml", "other.yaml"}
    assert lint(repo, cache_dir, "nad.yaml", cache=False) == found


MULTUS_DS = ("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: kube-multus-ds, namespace: kube-system}\n"
             "spec:\n  template:\n    spec:\n      containers:\n"
             "        - {name: kube-multus, image: 'ghcr.io/k8snetworkplumbingwg/multus-cni:v4.2.2'}\n")
ACME_NAD = ("apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata: {name: overlay}\n"
            "spec:\n  config: '{\"cniVersion\": \"0.3.1\", \"type\": \"acme-cni\"}'\n")
ACME_TEMPLATE = ("kind: DaemonSet\nmetadata: {name: acme, namespace: '{{ ns }}'}\nspec:\n  template:\n"
                 "    spec:\n      initContainers:\n        - {name: install, command: [cp, /acme-cni, /host/bin/]}\n"
                 "      volumes:\n        - {name: bin, hostPath: {path: /opt/cni/bin}}\n")


def test_a_manifest_template_installing_a_plugin_is_listed_however_git_knows_it(repo: Path, tmp_path: Path) -> None:
    """A Jinja template (never linted: TEMPLATE_SUFFIXES) whose DaemonSet may install the
    NAD's plugin keeps ML507 quiet in a pre-commit run as in the audit: cold (git grep never
    searches it, yet it is not left out as settled), warm (never known by its index line)
    and replayed; editing it to install something else, or deleting it, brings ML507 back."""
    (repo / "multus.yaml").write_text(MULTUS_DS)
    (repo / "overlay.yaml").write_text(ACME_NAD)
    (repo / "roles").mkdir()
    template = repo / "roles" / "acme.yml.j2"
    template.write_text(ACME_TEMPLATE)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "acme")
    cache_dir = tmp_path / "cache"

    def ml507(cache: bool = True) -> bool:
        return any(code == "ML507" for code, _, _ in lint(repo, cache_dir, "overlay.yaml", cache=cache)[1])

    assert not ml507(cache=False)
    assert not ml507() and not ml507() and not ml507()  # cold, warm, replayed
    template.write_text(ACME_TEMPLATE.replace("acme-cni", "other-cni"))
    assert ml507() and ml507(cache=False)
    template.write_text(ACME_TEMPLATE)
    assert not ml507()
    template.unlink()
    assert ml507() and ml507(cache=False)


MULTUS_CHART = ("apiVersion: helm.cattle.io/v1\nkind: HelmChart\nmetadata: {name: multus, namespace: kube-system}\n"
                "spec:\n  chart: rke2-multus\n  repo: https://rke2-charts.rancher.io\n  valuesContent: |-\n"
                "    config:\n      cni_conf:\n        binDir: /opt/cni/bin\n")
# no text git grep looks for (GREP_PATTERNS: no lowercase k3s, flannel or data-dir), yet a
# K3s install with data-dir's alias -d (model.profile.script_k3s_settings)
K3S_SCRIPT = "#!/bin/sh\ncurl -sfL https://get.K3S.io | INSTALL_K3S_EXEC=\"server -d /srv/data\" sh -\n"


def test_a_k3s_install_script_is_listed_however_git_knows_it(repo: Path, tmp_path: Path) -> None:
    """A shell script (never linted: load.discover.SCRIPT_SUFFIXES) installing K3s with
    another data dir leaves the path rules unjudged in a pre-commit run as in the audit:
    cold (git grep finds nothing in it, yet it is not left out as settled), warm and
    replayed; editing the flag away, or deleting the script, brings ML101 back."""
    (repo / "multus.yaml").write_text(MULTUS_CHART)
    (repo / "scripts").mkdir()
    script = repo / "scripts" / "k3s-server.sh"
    script.write_text(K3S_SCRIPT)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "k3s")
    cache_dir = tmp_path / "cache"

    def ml101(cache: bool = True) -> bool:
        return any(code == "ML101" for code, _, _ in lint(repo, cache_dir, "multus.yaml", cache=cache)[1])

    assert not ml101(cache=False)
    assert not ml101() and not ml101() and not ml101()  # cold, warm, replayed
    script.write_text(K3S_SCRIPT.replace(" -d /srv/data", ""))
    assert ml101() and ml101(cache=False)
    script.write_text(K3S_SCRIPT)
    assert not ml101()
    script.unlink()
    assert ml101() and ml101(cache=False)
