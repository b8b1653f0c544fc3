"""Context files listed by ``git ls-files`` (issue 16) are the walk's files, kept by the
walk's rules (suffixes, SKIP_DIRS, exclude patterns, symlinks in and out of the root, FIFOs),
in the walk's order, minus what .gitignore ignores; a fake or broken repository falls back
to the walk."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from multus_lint.load import discover

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _git(root: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    subprocess.run(["git", *args], cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)


def _tree(root: Path, outside: Path) -> None:
    for rel in ("a.yaml", "b.yml", "z/c.yaml", "z/d.json", "z/y/e.conflist", "notes.txt",
                "node_modules/m.yaml", "skip/s.yaml", "deep/skip/t.yaml", "A.YAML", ".hidden.yaml",
                "dir.yaml/inner.yaml"):
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("kind: ConfigMap\n")
    (outside / "secret.yaml").write_text("kind: Secret\n")
    (root / "in-link.yaml").symlink_to(root / "z" / "c.yaml")
    (root / "out-link.yaml").symlink_to(outside / "secret.yaml")
    (root / "broken.yaml").symlink_to(root / "nowhere.yaml")
    (root / "linked-dir").symlink_to(root / "z", target_is_directory=True)
    (root / "out-dir").symlink_to(outside, target_is_directory=True)


def _listing(cands: list[discover.Candidate]) -> list[tuple]:
    """The candidates, FIFOs aside: git lists no FIFO, and the context drops every
    candidate with an error (runner.collect), so a context FIFO is never seen either way."""
    return [(c.path, c.real, c.named, c.error, c.canonical) for c in cands
            if "FIFO" not in (c.error or "")]


@pytest.mark.parametrize("exclude", [[], ["skip"], ["*.yml", "z/y"]])
def test_git_listing_is_the_walk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exclude: list[str]) -> None:
    root, outside = tmp_path / "repo", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    _tree(root, outside)
    os.mkfifo(root / "pipe.yaml")
    _git(root, "init", "-q")
    _git(root, "add", "a.yaml", "z", "in-link.yaml")  # some tracked, the rest untracked
    _git(root, "commit", "-q", "-m", "x")
    monkeypatch.chdir(tmp_path)  # displayed paths relative to a folder above the root
    r = str(root)
    walked = _listing(list(discover._walk(r, r, exclude, False)))
    assert discover._git_listed(r) is not None
    listed = _listing(list(discover.walk(r, r, exclude, False)))
    assert listed == walked
    monkeypatch.chdir(root / "z")  # and from a folder below it
    assert _listing(list(discover.walk(r, r, exclude, False))) == _listing(list(discover._walk(r, r, exclude, False)))


def test_gitignored_context_is_not_listed(tmp_path: Path) -> None:
    (tmp_path / "gen").mkdir()
    (tmp_path / "gen" / "out.yaml").write_text("kind: ConfigMap\n")
    (tmp_path / "keep.yaml").write_text("kind: ConfigMap\n")
    (tmp_path / ".gitignore").write_text("gen/\n")
    _git(tmp_path, "init", "-q")
    r = str(tmp_path)
    assert [os.path.basename(c.real) for c in discover.walk(r, r, [], False)] == ["keep.yaml"]
    # named folders are still walked as named (a user who names gen/ means it)
    assert [os.path.basename(c.real) for c in discover.walk(r, r, [], True)] == ["keep.yaml", "out.yaml"]


def test_fake_repository_falls_back_to_the_walk(tmp_path: Path) -> None:
    """A ``.git`` folder that is no repository (as tests and tarballs have): git fails, and
    the ceiling keeps it from listing a repository above; the walk lists the files."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "x.yaml").write_text("kind: ConfigMap\n")
    r = str(tmp_path)
    assert discover._git_listed(r) is None
    assert [os.path.basename(c.real) for c in discover.walk(r, r, [], False)] == ["x.yaml"]


def test_odd_listed_paths_take_the_full_check() -> None:
    """``_from_listing`` splits a listed path only when its folder (once per folder) or its
    name looks odd; every path the full check would skip or rewrite must look odd, or it
    would be linted as listed (a file under node_modules/, ``a//b``, ``./x``)."""
    import itertools

    def full_check_changes(rel: str) -> bool:  # the slow path of _from_listing
        parts = rel.rstrip("/").split("/")
        return (not discover.SKIP_DIRS.isdisjoint(parts[:-1]) or "" in parts or "." in parts
                or ".." in parts or "/".join(parts) != rel)

    def looks_odd(rel: str) -> bool:  # what _from_listing asks before it
        folder, _, name = rel.rpartition("/")
        odd = discover._ODD_PATH.search(folder + "/") is not None if folder else rel[:1] == "/"
        return odd or name in discover._DOTS

    names = ["a", "", ".", "..", ".git", "node_modules", "x.git", "..a", "venv", ".venv2"]
    tried = 0
    for n in range(1, 5):
        for combo in itertools.product(names, repeat=n):
            for rel in ("/".join(combo),) + tuple(s + "/".join(combo) + e for s, e in (("", "/"), ("/", ""))):
                tried += 1
                assert not full_check_changes(rel) or looks_odd(rel), rel
    assert tried > 30000


def test_guessed_paths_that_are_gone_or_bad_are_listed_as_git_says(tmp_path: Path) -> None:
    """The stats taken while git lists (``guess``: the cache's files) are only a head start:
    a guessed path that is gone, or not a path at all, changes nothing."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "a.yaml").write_text("kind: ConfigMap\n")
    _git(root, "init", "-q")
    r = str(root)
    plain = [(c.real, c.error) for c in discover.walk(r, r, [], False)]
    guessed = [(c.real, c.error) for c in discover.walk(r, r, [], False, guess=["gone.yaml", "a\0b", "a.yaml"])]
    assert guessed == plain == [(os.path.join(r, "a.yaml"), None)]


def test_absolute_is_abspath() -> None:
    """load.discover.absolute skips os.path.abspath's normalisation only for a plain
    relative path, where it gives the same."""
    import os

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from multus_lint.load.discover import absolute, working_directory

    here = working_directory()

    @settings(max_examples=2000, deadline=None)
    @given(st.text(st.sampled_from(list("ab./-_ ")), min_size=1, max_size=14))
    def same(path: str) -> None:
        assert absolute(path, here) == os.path.abspath(path)

    same()


@pytest.mark.parametrize("config_in, listed", [(None, True), ("sub", False), ("", True)])
def test_listing_started_only_for_the_root_the_run_lists(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        config_in: str | None, listed: bool) -> None:
    """cli._start_listing lists the repository early only when it is the project root: a
    config file in a folder below the top makes that folder the root (load.discover.find_root),
    walked without git, so a listing of the whole repository would be started and thrown away
    (every run of a project kept in a subfolder of a monorepo)."""
    from multus_lint import cli

    root = tmp_path / "repo"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.yaml").write_text("kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: a\n")
    (root / "sub" / "b.yaml").write_text("kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: b\n")
    if config_in is not None:
        (root / config_in / ".multus-lint.yaml").write_text("select: [ALL]\n")
    _git(root, "init", "-q")
    started: list[str] = []
    real = discover._GitRun

    def spy(top: str, state: bool, grep: tuple[str, ...] = ()) -> discover._GitRun:
        started.append(os.path.realpath(top))
        return real(top, state, grep)

    monkeypatch.setattr(discover, "_GitRun", spy)
    monkeypatch.chdir(root / "sub")
    assert cli.main(["--no-cache", "--format", "json", "a.yaml"]) == 0
    capsys.readouterr()
    # the run itself lists (and greps) the repository when it is the root: the early
    # listing is the one it uses
    assert set(started) == ({os.path.realpath(root)} if listed else set())


@pytest.fixture(params=["spawned", "piped"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways of running git: posix_spawn into a memfd (Linux), or a pipe read by a
    thread (elsewhere)."""
    if request.param == "spawned" and not discover._Spawned.usable():
        pytest.skip("no memfd_create/posix_spawnp/pidfd_open here")
    if request.param == "piped":
        monkeypatch.setattr(discover._Spawned, "usable", staticmethod(lambda: False))
    return str(request.param)


def test_git_runs_give_the_whole_output(tmp_path: Path, backend: str) -> None:
    """More output than a pipe holds (64 KiB) comes back whole from both backends, with
    git's exit codes: the index lines, the changed files and the grep of the context."""
    names = [f"dir-{i // 100:03d}/some-longer-file-name-{i:05d}.yaml" for i in range(2500)]
    for i, rel in enumerate(names):
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("kind: NetworkAttachmentDefinition\n" if i % 7 == 0 else "kind: ConfigMap\n")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "x")
    (tmp_path / names[3]).write_text("kind: Secret\n")  # changed in the work tree
    r = str(tmp_path)
    outputs = discover._GitRun(r, True).wait()
    assert outputs is not None and len(outputs) == 3
    lines = outputs[0].split(b"\0")[:-1]
    assert len(outputs[0]) > 65536 and len(lines) == len(names)
    assert sorted(line.split(b"\t", 1)[1].decode() for line in lines) == sorted(names)
    assert outputs[1] == names[3].encode() + b"\0"
    found = discover._GitRun(r, False, ("NetworkAttachmentDefinition",)).wait()
    assert found is not None
    assert sorted(found[0].decode().split("\0")[:-1]) == sorted(n for i, n in enumerate(names) if i % 7 == 0)


def test_git_runs_that_fail_or_cannot_start_say_nothing(tmp_path: Path, backend: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()  # no repository: git exits 128
    assert discover._GitRun(str(tmp_path), True).wait() is None
    monkeypatch.setenv("PATH", str(tmp_path / "no-such-bin"))  # no git at all
    run = discover._GitRun(str(tmp_path), True)
    assert run.jobs == [] and run.wait() is None


def test_a_git_run_killed_unread_leaves_no_process(tmp_path: Path, backend: str) -> None:
    _git(tmp_path, "init", "-q")
    run = discover._GitRun(str(tmp_path), True)
    run.kill()  # as drop_listings does for a listing never asked for
    for job in run.jobs:
        if isinstance(job, discover._Spawned):
            assert job.pid == 0 and job.out == -1
        else:
            assert job.proc.returncode is not None


def test_a_kernel_without_pidfd_lists_through_pipes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Python names os.pidfd_open on every Linux, but a kernel before 5.3 refuses the call
    (ENOSYS): the listing then runs through pipes, never fails for it."""
    def refused(*args: object) -> int:
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(os, "pidfd_open", refused, raising=False)
    monkeypatch.setattr(discover._Spawned, "_usable", None)
    (tmp_path / "a.yaml").write_text("kind: ConfigMap\n")
    _git(tmp_path, "init", "-q")
    run = discover._GitRun(str(tmp_path), True)
    assert run.jobs and all(isinstance(job, discover._Piped) for job in run.jobs)
    outputs = run.wait()
    assert outputs is not None and outputs[0] == b"? a.yaml\0"  # untracked: git ls-files -v


def test_the_lines_of_edited_paths_are_all_their_index_lines(tmp_path: Path) -> None:
    """GitState._lines_of takes a path's first line and the ones right after it: git lists
    the index by path, then stage (builtin/ls-files.c show_files walks the sorted index), so
    the three stages of a conflicted file are adjacent. Checked on a real merge conflict
    against a scan of every line."""
    _git(tmp_path, "init", "-q", "-b", "main")
    for rel in ("a.yaml", "ba.yaml", "c/a.yaml", "d.yaml"):
        (tmp_path / rel).parent.mkdir(exist_ok=True)
        (tmp_path / rel).write_text("kind: ConfigMap\n")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "base")
    _git(tmp_path, "checkout", "-q", "-b", "other")
    (tmp_path / "a.yaml").write_text("kind: Secret\n")
    _git(tmp_path, "commit", "-q", "-am", "other")
    _git(tmp_path, "checkout", "-q", "main")
    (tmp_path / "a.yaml").write_text("kind: Service\n")
    _git(tmp_path, "commit", "-q", "-am", "main")
    subprocess.run(["git", "merge", "-q", "other"], cwd=tmp_path, capture_output=True)  # conflicts
    (tmp_path / "new.yaml").write_text("kind: Pod\n")
    raw = subprocess.run(["git", "ls-files", "-z", "-s", "-v", "-c", "-o", "--exclude-standard"], cwd=tmp_path,
                         capture_output=True, check=True).stdout.decode()
    state = discover.GitState(raw, set(), False, {})
    lines = set(raw.split("\0")) - {""}
    rels = {"a.yaml", "ba.yaml", "c/a.yaml", "d.yaml", "new.yaml", "gone.yaml"}
    assert sorted(state._lines_of(rels, lines)) == sorted(line for line in lines if line.partition("\t")[2] in rels)
    assert len(state._lines_of({"a.yaml"}, lines)) == 3  # stages 1, 2 and 3
