"""The cache between runs (lint/load/cache.py, lint/replay.py): never a different verdict.

The property test edits, renames, deletes, adds and touches files of a small project between
runs, and asserts that a run through the cache gives byte for byte the output of the same
run with ``--no-cache`` (named files as pre-commit names them, and the audit), in every
format whose report depends only on the findings or also on the sources.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from multus_lint import cli, runner
from multus_lint.load import cache as cache_mod
from multus_lint.load.cache import read_cache_file

# IPAM configs of each kind: their analyses are kept between runs (lint/load/facts.py)
IPAMS = {
    "whereabouts": lambda n: {"type": "whereabouts", "range": f"10.{n}.0.0/24", "gateway": f"10.{n}.1.1"},
    "host-local": lambda n: {"type": "host-local", "ranges": [[{"subnet": f"10.{n}.0.0/25"}]]},
    "static": lambda n: {"type": "static", "addresses": [{"address": f"10.{n}.0.9/24", "gateway": "10.0.0.1"}]},
}


def nad(name: str, subnet: int, ns: str = "apps", ipam: str = "whereabouts") -> str:
    config = json.dumps({"cniVersion": "0.3.1", "type": "macvlan", "master": "eth0",
                         "ipam": IPAMS[ipam](subnet)})
    return (f"apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata:\n"
            f"  name: {name}\n  namespace: {ns}\nspec:\n  config: '{config}'\n")


def pod(name: str, network: str, ns: str = "apps") -> str:
    return (f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {ns}\n"
            f"  annotations:\n    k8s.v1.cni.cncf.io/networks: {network}\nspec:\n"
            f"  containers:\n    - name: c\n      image: busybox\n")


def anchored(name: str, network: str) -> str:
    """A Deployment whose annotations are an anchor its pod template uses again (ML403 at the
    first, the network looked up from the second) and a container merged from another: a
    cached parse holds the aliased values as copies."""
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: apps\n"
            f"  annotations: &ann\n    k8s.v1.cni.cncf.io/networks: {network}\nspec:\n  template:\n"
            f"    metadata:\n      annotations: *ann\n    spec:\n      containers:\n        - &c\n"
            f"          name: c\n          image: busybox\n        - <<: *c\n          name: d\n")


def plain(name: str) -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  a: b\n"


CONTENTS = st.one_of(
    st.builds(nad, st.sampled_from(["net-a", "net-b", "net-c"]), st.integers(1, 3), st.just("apps"),
              st.sampled_from(sorted(IPAMS))),
    st.builds(pod, st.sampled_from(["p1", "p2"]), st.sampled_from(["net-a", "net-b", "apps/net-c", "nope"])),
    st.builds(anchored, st.sampled_from(["d1", "d2"]), st.sampled_from(["net-a", "apps/net-c", "nope"])),
    st.builds(plain, st.sampled_from(["cm1", "cm2"])),
    st.just("kind: [broken\n"),
)
NAMES = st.sampled_from(["a.yaml", "b.yaml", "sub/c.yaml", "sub/d.yaml", "e.yaml"])
OPS = st.lists(st.one_of(
    st.tuples(st.just("write"), NAMES, CONTENTS),
    st.tuples(st.just("rename"), NAMES, NAMES),
    st.tuples(st.just("delete"), NAMES, st.none()),
    st.tuples(st.just("touch"), NAMES, st.none()),
    st.tuples(st.just("same-size"), NAMES, st.none()),
    # git's view (load.discover.GitState): a file that is no context is known by its index
    # line while git says the work tree holds that blob
    st.tuples(st.just("stage"), NAMES, st.none()),
    st.tuples(st.just("commit"), st.none(), st.none()),
    st.tuples(st.just("restore"), NAMES, st.none()),
    st.tuples(st.just("assume-unchanged"), NAMES, st.none()),
), min_size=1, max_size=6)


def git(root: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    subprocess.run(["git", *args], cwd=root, env=env, check=False, capture_output=True)


def run(argv: list[str]) -> tuple[int, bytes]:
    buf = io.BytesIO()
    out = io.TextIOWrapper(buf, encoding="utf-8", write_through=True)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = cli.main(argv)
    out.flush()
    return code, buf.getvalue()


class Clock:
    """Distinct, increasing modification times, as a file system with exact stamps gives:
    the cache may then trust a stat at once (RACY_NS 0), which is what is being tested."""

    def __init__(self) -> None:
        self.now = 1_600_000_000_000_000_000

    def stamp(self, path: Path) -> None:
        self.now += 1_000_000_000
        os.utime(path, ns=(self.now, self.now))


def apply(root: Path, op: tuple, clock: Clock) -> None:
    kind, name, arg = op
    path = root / (name or ".")
    if kind == "write":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(arg)
        clock.stamp(path)
    elif kind == "rename" and path.exists() and name != arg:
        (root / arg).parent.mkdir(parents=True, exist_ok=True)
        path.replace(root / arg)
    elif kind == "delete" and path.exists():
        path.unlink()
    elif kind == "touch" and path.exists():
        clock.stamp(path)
    elif kind == "same-size" and path.exists():
        # one character changed, same size, and the same mtime put back: only the content
        # (and the change time) says the file is different
        text = path.read_text()
        st_before = path.stat()
        if text:
            i = text.find("net-")
            if i >= 0:
                swapped = "b" if text[i + 4] == "a" else "a"
                text = text[:i + 4] + swapped + text[i + 5:]
            path.write_text(text)
            os.utime(path, ns=(st_before.st_atime_ns, st_before.st_mtime_ns))
    elif kind == "stage" and path.exists():
        git(root, "add", "--", name)
    elif kind == "commit":
        git(root, "add", "-A")
        git(root, "commit", "-q", "--allow-empty", "-m", "x")
    elif kind == "restore":  # the index's bytes back into the work tree (a new file)
        git(root, "checkout", "--", name)
    elif kind == "assume-unchanged":  # git stops checking it (ls-files -v: "h")
        git(root, "update-index", "--assume-unchanged", "--", name)


def outputs(root: Path, cache_dir: Path) -> list[tuple[str, tuple[int, bytes], tuple[int, bytes]]]:
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.yaml")
                   if ".multus-lint_cache" not in p.parts)
    # the audit in both formats, and two files named alone (pre-commit) as JSON
    runs = [(".", "json"), (".", "text")] + [(f, "json") for f in files[:2]]
    out = []
    for path, fmt in runs:
        paths = [path]
        if True:
            argv = ["--format", fmt, "--no-color", *paths]
            cached = run(["--cache-dir", str(cache_dir), *argv])
            fresh = run(["--no-cache", *argv])
            out.append((f"{fmt} {paths}", cached, fresh))
    return out


@pytest.mark.slow
@settings(max_examples=examples(15))
@given(OPS)
def test_cached_runs_match_uncached_runs(tmp_path_factory: pytest.TempPathFactory, ops: list) -> None:
    root = tmp_path_factory.mktemp("proj")
    git_init(root)
    cache_dir = tmp_path_factory.mktemp("cache")
    (root / ".multus-lint.yaml").write_text("cluster:\n  nodes: 3\n")
    clock = Clock()
    for name, content in (("a.yaml", nad("net-a", 1)), ("b.yaml", pod("p1", "net-a")),
                          ("sub/c.yaml", plain("cm1"))):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content)
        clock.stamp(root / name)
    git(root, "add", "-A")  # tracked from the start: the index lines are used at once
    git(root, "commit", "-q", "-m", "start")
    old_racy = cache_mod.RACY_NS
    cwd = os.getcwd()
    os.chdir(root)
    cache_mod.RACY_NS = -(10 ** 30)  # trust a stat at once: the stat path is exercised
    try:
        for what, cached, fresh in outputs(root, cache_dir):
            assert cached == fresh, what
        for op in ops:
            apply(root, op, clock)
            for what, cached, fresh in outputs(root, cache_dir):
                assert cached == fresh, f"after {op}: {what}"
    finally:
        cache_mod.RACY_NS = old_racy
        os.chdir(cwd)


def git_init(root: Path) -> None:
    """A repository: the project root of every path below it (pre-commit's situation)."""
    subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)


def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "apps").mkdir(parents=True)
    git_init(root)
    (root / ".multus-lint.yaml").write_text("cluster:\n  nodes: 3\n")
    (root / "apps" / "nad.yaml").write_text(nad("net-a", 1))
    (root / "apps" / "pod.yaml").write_text(pod("p1", "net-b"))  # ML402: no net-b
    for i in range(5):
        (root / "apps" / f"cm{i}.yaml").write_text(plain(f"cm{i}"))
    return root


def lint_in(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "multus_lint", "--format", "json", *args],
                          cwd=root, capture_output=True, text=True, env={**os.environ, **(env or {})})


def test_cache_folder_at_the_root_is_ignored_by_git_and_not_linted(tmp_path: Path) -> None:
    root = project(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != cache_mod.ENV_VAR}
    first = subprocess.run([sys.executable, "-m", "multus_lint", "--format", "json", "apps/pod.yaml"],
                           cwd=root, capture_output=True, text=True, env=env)
    folder = root / ".multus-lint_cache"
    assert folder.is_dir() and (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (folder / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    audit = subprocess.run([sys.executable, "-m", "multus_lint", "--format", "json", "."],
                           cwd=root, capture_output=True, text=True, env=env)
    assert not any(".multus-lint_cache" in f["path"] for f in json.loads(audit.stdout)["findings"])
    assert [f["code"] for f in json.loads(first.stdout)["findings"]] == ["ML402"]


def test_no_cache_writes_nothing_and_env_var_and_flag_choose_the_folder(tmp_path: Path) -> None:
    root = project(tmp_path)
    lint_in(root, "--no-cache", "apps/pod.yaml", env={cache_mod.ENV_VAR: str(tmp_path / "env")})
    assert not (tmp_path / "env").exists()
    lint_in(root, "apps/pod.yaml", env={cache_mod.ENV_VAR: str(tmp_path / "env")})
    assert list((tmp_path / "env").glob("files-*.cache")) and list((tmp_path / "env").glob("results-*.cache"))
    lint_in(root, "--cache-dir", str(tmp_path / "flag"), "apps/pod.yaml",
            env={cache_mod.ENV_VAR: str(tmp_path / "env2")})
    assert list((tmp_path / "flag").glob("files-*.cache")) and not (tmp_path / "env2").exists()
    assert not (root / ".multus-lint_cache").exists()


@pytest.mark.parametrize("garbage", [b"", b"\x00\xff garbage", b'{"format": 1', b"[" * 100000,
                                     b'{"format": 99, "key": "x", "files": {}, "parsed": {}}'])
def test_a_corrupt_or_foreign_cache_is_ignored_and_rebuilt(tmp_path: Path, garbage: bytes) -> None:
    root = project(tmp_path)
    cache_dir = tmp_path / "c"
    want = lint_in(root, "--no-cache", "apps/pod.yaml").stdout
    assert lint_in(root, "--cache-dir", str(cache_dir), "apps/pod.yaml").stdout == want
    for f in cache_dir.glob("*.cache"):
        f.write_bytes(garbage)
    again = lint_in(root, "--cache-dir", str(cache_dir), "apps/pod.yaml")
    assert again.stdout == want and "Traceback" not in again.stderr
    assert lint_in(root, "--cache-dir", str(cache_dir), "apps/pod.yaml").stdout == want


def test_forged_entries_of_the_right_key_do_not_crash(tmp_path: Path) -> None:
    """Entries of the wrong shape (a planted cache of the right key) are not trusted."""
    root = project(tmp_path)
    cache_dir = tmp_path / "c"
    want = lint_in(root, "--no-cache", "apps/pod.yaml").stdout
    lint_in(root, "--cache-dir", str(cache_dir), "apps/pod.yaml")
    (files,) = cache_dir.glob("files-*.cache")
    found = read_cache_file(str(files))
    assert found is not None
    data, lines = found
    for i, rel in enumerate(data["files"]):
        data["files"][rel] = [None, "x", {}, [], 1.5, "no", 7][: 3 + i % 5]
    files.write_bytes(json.dumps(data).encode() + b"\n" + lines)
    (parsed,) = cache_dir.glob("parsed-*.cache")
    found = read_cache_file(str(parsed))
    assert found is not None
    data, texts = found
    forged = [b'{"\\u0000z": 1}', b"[[[", b'"x"', b"[]"]
    data["parsed"] = {k: [i % 5 * 3, 3] if i % 5 < 4 else [-1, 10 ** 9] for i, k in enumerate(data["parsed"])}
    parsed.write_bytes(json.dumps(data).encode() + b"\n" + b"".join(forged))
    for f in cache_dir.glob("results-*.cache"):
        f.unlink()
    again = lint_in(root, "--cache-dir", str(cache_dir), "apps/pod.yaml")
    assert again.stdout == want and "Traceback" not in again.stderr


def test_unwritable_cache_folder_is_skipped(tmp_path: Path) -> None:
    root = project(tmp_path)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the folder should be")
    want = lint_in(root, "--no-cache", "apps/pod.yaml").stdout
    got = lint_in(root, "--cache-dir", str(blocker / "sub"), "apps/pod.yaml")
    assert got.stdout == want and got.returncode == 1 and "Traceback" not in got.stderr


def test_a_change_within_the_stamp_granularity_is_seen(tmp_path: Path) -> None:
    """The same size and the same mtime put back right after a run: the entry was written
    within RACY_NS of the change, so the next run checks the content (git's racy clean)."""
    root = project(tmp_path)
    cache_dir = tmp_path / "c"
    nad_file = root / "apps" / "nad.yaml"
    first = json.loads(lint_in(root, "--cache-dir", str(cache_dir), "apps/pod.yaml").stdout)["findings"]
    assert [f["code"] for f in first] == ["ML402"]
    before = nad_file.stat()
    nad_file.write_text(nad_file.read_text().replace("net-a", "net-b"))  # same size
    os.utime(nad_file, ns=(before.st_atime_ns, before.st_mtime_ns))
    second = json.loads(lint_in(root, "--cache-dir", str(cache_dir), "apps/pod.yaml").stdout)["findings"]
    assert [f["code"] for f in second] == []  # net-b exists now: no ML402


def test_second_run_is_replayed_and_a_patch_read_by_kustomize_invalidates_it(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A kustomize patch holds no context marker (it is not a source), yet it moves the NAD:
    a replay must check it again (Project.extra_reads)."""
    root = tmp_path / "proj"
    (root / "base").mkdir(parents=True)
    git_init(root)
    (root / ".multus-lint.yaml").write_text("cluster:\n  nodes: 3\n")
    (root / "base" / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - nad.yaml\n"
        "patches:\n  - path: patch.yaml\n")
    (root / "base" / "nad.yaml").write_text(nad("net-a", 1))
    (root / "base" / "patch.yaml").write_text(
        "apiVersion: v1\nkind: X\nmetadata:\n  name: net-a\n")
    (root / "pod.yaml").write_text(pod("p1", "apps/net-a"))
    cache_dir = tmp_path / "c"
    monkeypatch.chdir(root)
    argv = ["--cache-dir", str(cache_dir), "--format", "json", "pod.yaml"]
    first = run(argv)
    judged = []
    real_judge = runner.judge
    monkeypatch.setattr(runner, "judge", lambda *a: judged.append(1) or real_judge(*a))
    assert run(argv) == first and judged == []  # replayed: nothing judged again
    assert run(["--no-cache", *argv[2:]]) == first
    # the patch now moves the NAD to another namespace (strategic merge on the NAD)
    (root / "base" / "patch.yaml").write_text(
        "apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata:\n"
        "  name: net-a\n  namespace: other\n")
    os.utime(root / "base" / "patch.yaml", ns=(1, 1))
    third = run(argv)
    assert judged, "the changed patch must not be replayed over"
    assert third == run(["--no-cache", *argv[2:]])


def test_parallel_runs_share_one_cache(tmp_path: Path) -> None:
    root = project(tmp_path)
    cache_dir = tmp_path / "c"
    want = lint_in(root, "--no-cache", "apps/pod.yaml").stdout
    procs = [subprocess.Popen([sys.executable, "-m", "multus_lint", "--format", "json",
                               "--cache-dir", str(cache_dir), "apps/pod.yaml"], cwd=root,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(6)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert out == want and "Traceback" not in err
    assert not list(cache_dir.glob("*.tmp"))  # no temporary file left behind
    assert lint_in(root, "--cache-dir", str(cache_dir), "apps/pod.yaml").stdout == want
