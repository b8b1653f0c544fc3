"""Issue 14, "skipped paths reported": what the walk does not read is said (ML002 at the
path, with why), in an audit (``.``) and in a run that names a folder, and never followed
out of the project. Context files of a run that names files are not reported (only named
paths are), and are not read either.

Each case runs the command as a child process (tests/test_hostile.py ``lint``: bounded time
and memory, no traceback), beside a good file whose ML301 shows the run went on.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_hostile import GOOD, assert_good_linted, lint, project

OUTSIDE_NAD = GOOD.replace("name: good", "name: outside").replace('"good"', '"outside"')


def ml002(findings: list[dict]) -> dict[str, str]:
    return {Path(f["path"]).as_posix(): f["message"] for f in findings if f["code"] == "ML002"}


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "nad.yaml").write_text(OUTSIDE_NAD, encoding="utf-8")  # an ML301 if it were read
    (tmp_path / "repo").mkdir()
    return project(tmp_path / "repo"), outside


def test_folder_symlinks_out_of_the_project_are_reported_not_followed(tmp_path: Path) -> None:
    root, outside = _tree(tmp_path)
    (root / "sub").mkdir()
    os.symlink(outside, root / "vendor", target_is_directory=True)
    os.symlink("../../outside", root / "sub" / "ext", target_is_directory=True)  # the same place
    msg = f"cannot be read: symlink to {outside.resolve()}, a folder outside the project root: not followed"
    rc, findings, _ = lint(root, ".")
    assert ml002(findings) == {"vendor": msg, "sub/ext": msg}  # two links, two findings
    assert all("outside" not in f["path"] for f in findings)  # nothing read through them
    assert_good_linted(findings)
    assert rc == 1
    # a named folder holding one
    rc, findings, _ = lint(root, "sub")
    assert ml002(findings) == {"sub/ext": msg} and len(findings) == 1
    # the named folder is itself the link
    rc, findings, _ = lint(root, "vendor", "good.yaml")
    assert ml002(findings) == {"vendor": msg}
    assert_good_linted(findings)
    # files named: the links are context, neither read nor reported
    rc, findings, _ = lint(root, "good.yaml")
    assert ml002(findings) == {}
    assert_good_linted(findings)


def test_fix_never_writes_through_a_folder_symlink_out_of_the_project(tmp_path: Path) -> None:
    """The walk does not enter it (so nothing is read, echoed or offered as a fix there);
    lint/apply_fixes.py refuses such a write too, independently."""
    import subprocess
    import sys

    root, outside = _tree(tmp_path)
    chart = ("apiVersion: helm.cattle.io/v1\nkind: HelmChart\nmetadata:\n  name: rke2-multus\n"
             "  namespace: kube-system\nspec:\n  repo: https://rke2-charts.rancher.io\n"
             "  chart: rke2-multus\n  version: v4.2.311\n  valuesContent: |-\n    config:\n"
             "      cni_conf:\n        binDir: /opt/cni/bin\n")
    (outside / "chart.yaml").write_text(chart, encoding="utf-8")
    os.symlink(outside, root / "manifests", target_is_directory=True)
    for args in (["."], ["manifests"]):
        proc = subprocess.run([sys.executable, "-m", "multus_lint", "--fix", "--format", "concise", *args],
                              cwd=root, capture_output=True, text=True, timeout=120)
        assert "Traceback" not in proc.stderr
        assert "a folder outside the project root: not followed" in proc.stdout
    assert (outside / "chart.yaml").read_text(encoding="utf-8") == chart


def test_folder_symlinks_inside_the_project_are_followed(tmp_path: Path) -> None:
    """A named folder's link to another folder of the project is walked as part of it
    (nothing is skipped); links back up the tree stay unfollowed (tests/test_hostile.py)."""
    root = project(tmp_path)
    (root / "shared").mkdir()
    (root / "shared" / "nad.yaml").write_text(OUTSIDE_NAD, encoding="utf-8")
    (root / "site").mkdir()
    os.symlink("../shared", root / "site" / "common", target_is_directory=True)
    rc, findings, _ = lint(root, "site")
    assert [(f["path"], f["code"]) for f in findings] == [("site/common/nad.yaml", "ML301")]
    rc, findings, _ = lint(root, ".")  # an audit: each file once
    assert sorted(Path(f["path"]).as_posix() for f in findings) == ["good.yaml", "shared/nad.yaml"]


def test_a_looping_symlink_without_a_manifest_suffix_is_reported(tmp_path: Path) -> None:
    """It may stand for a folder of manifests: a chain past the system's 40 hops, or a link
    to itself."""
    root = project(tmp_path)
    sub = root / "sub"
    (sub / "real").mkdir(parents=True)
    os.symlink("real", sub / "hop0")
    for i in range(1, 41):  # hop39 resolves in 40 hops, hop40 no more
        os.symlink(f"hop{i - 1}", sub / f"hop{i}")
    os.symlink("manifests", sub / "manifests")
    os.symlink("nowhere", sub / "broken")  # no suffix, no target: nothing to say
    for named in (".", "sub"):
        rc, findings, _ = lint(root, named)
        assert ml002(findings) == {"sub/hop40": "cannot be read: symlink loop",
                                   "sub/manifests": "cannot be read: symlink loop"}


def _deep(base: Path, depth: int, leaf: str | None = None) -> None:
    """Folders below ``base`` whose path passes PATH_MAX (4096), made relative to a folder
    descriptor (no absolute path that long can be given to the system)."""
    fd = os.open(base, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir("d" * 100, dir_fd=fd)
            nfd = os.open("d" * 100, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nfd
        if leaf:
            wfd = os.open(leaf, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
            os.write(wfd, GOOD.encode())
            os.close(wfd)
    finally:
        os.close(fd)


@pytest.mark.parametrize("named", [".", "deep"])
def test_paths_past_path_max_are_reported(tmp_path: Path, named: str) -> None:
    root = project(tmp_path)
    (root / "deep").mkdir()
    depth = (4096 - len(str(root))) // 101 + 2
    _deep(root / "deep", depth)  # a folder that cannot be listed
    (root / "deep2").mkdir()
    _deep(root / "deep2", depth - 3, "f" * 250 + ".yaml")  # a file that cannot be opened
    rc, findings, _ = lint(root, named, "good.yaml")
    got = ml002(findings)
    folders = [p for p in got if p.startswith("deep/")]
    assert len(folders) == 1 and "File name too long" in got[folders[0]], got
    assert "its files are not linted" in got[folders[0]]
    if named == ".":
        files = [p for p in got if p.startswith("deep2/")]
        assert len(files) == 1 and files[0].endswith(".yaml") and "File name too long" in got[files[0]], got
    assert_good_linted(findings)


@pytest.mark.parametrize("named", [".", "sub"])
def test_unreadable_subfolder_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str], named: str) -> None:
    """chmod 000 does not stop root (the tests run as root here): listing is refused by a
    stand-in for os.scandir, as the system refuses it otherwise."""
    from multus_lint import cli
    from multus_lint.load import discover

    root = project(tmp_path)
    (root / "sub" / "locked").mkdir(parents=True)
    (root / "sub" / "locked" / "x.yaml").write_text(GOOD, encoding="utf-8")
    (root / "sub" / "open.yaml").write_text(OUTSIDE_NAD, encoding="utf-8")
    real = discover.os.scandir

    def scandir(path: object) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(discover.os, "scandir", scandir)
    monkeypatch.chdir(root)
    cli.main(["--format", "json", named])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert ml002(findings) == {
        "sub/locked": "cannot be read: folder cannot be read (Permission denied): its files are not linted"}
    assert ("sub/open.yaml", "ML301") in {(f["path"], f["code"]) for f in findings}
