"""Hostile and broken input: a finding for that file, the rest of the run goes on.

Each test lints a project holding one hostile file and a good file beside it (a NAD whose
gateway is outside its subnet, ML301 at a known place) and asserts: the hostile file's
finding, the good file's finding (it was still linted), exit code 1, no traceback, and that
time and memory stayed bounded (the command runs as a child process; peak RSS from wait4).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

SELECT = "ML0,ML301,ML402,ML501,ML601"
MAX_SECONDS = 30.0  # generous: the suite shares the machine; each case takes well under 2 s
MAX_PEAK_MIB = 300.0  # a run over a few small files stays near 40 MiB; bombs would take GBs

# The route without gw makes the off-link gateway an ML301 error (pkg/ipam ConfigureIface uses
# the gateway only as such a route's next hop).
GOOD = """apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: good
spec:
  config: |
    {"cniVersion": "0.3.1", "name": "good", "type": "macvlan", "master": "eth1",
     "ipam": {"type": "host-local", "subnet": "10.9.0.0/24", "gateway": "10.8.0.1",
              "routes": [{"dst": "10.77.0.0/16"}]}}
"""
GOOD_FINDING = ("good.yaml", "ML301", 8, 62)  # at the "gateway" key inside the JSON


def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()  # the project root: nothing outside is context
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    return tmp_path


# The child runs the CLI as ``python -m multus_lint`` does (lint/cli.py ``console``) and
# writes its own peak RSS (VmHWM) where PEAK_FILE says: ru_maxrss from wait4 also counts this
# pytest process, whose memory the child holds until its exec (a long suite's pytest is past
# 150 MiB), while VmHWM is the exec'ed program's alone.
LAUNCH = """
import os, sys
from multus_lint import cli
sys.argv[0] = "multus-lint"
try:
    code = cli.main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
sys.stdout.flush()
sys.stderr.flush()
try:
    with open("/proc/self/status") as status, open(os.environ["PEAK_FILE"], "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
except (OSError, StopIteration):
    pass
os._exit(code)
"""


def lint(cwd: Path, *args: str, max_peak_mib: float = MAX_PEAK_MIB,
         max_cpu_seconds: float | None = None) -> tuple[int, list[dict], str]:
    """Run the command; (exit code, findings, stderr), with time and memory checked.
    ``max_cpu_seconds`` bounds the child's CPU time (user + system), which a busy machine
    stretches far less than the wall clock."""
    cmd = [sys.executable, "-c", LAUNCH, "--format", "json", "--select", SELECT, *args]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.TemporaryDirectory() as scratch:
        peak_file = os.path.join(scratch, "peak")
        start = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, env={**os.environ, "PEAK_FILE": peak_file})
        _, status, usage = os.wait4(proc.pid, 0)  # CPU time (and a peak RSS) of this child
        seconds = time.monotonic() - start
        proc.returncode = rc = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read().decode(errors="replace")
        try:
            with open(peak_file, encoding="ascii") as f:
                peak = int(f.read()) / 1024
        except (OSError, ValueError):  # no /proc, or the child died first: the looser measure
            peak = usage.ru_maxrss / 1024
    cpu = usage.ru_utime + usage.ru_stime
    assert "Traceback" not in stderr, stderr
    assert rc in (0, 1, 2), (rc, stderr)  # never a signal (a segfault is -11)
    assert seconds < MAX_SECONDS, f"took {seconds:.1f} s"
    assert peak < max_peak_mib, f"peak memory {peak:.0f} MiB"
    assert max_cpu_seconds is None or cpu < max_cpu_seconds, f"took {cpu:.1f} s of CPU"
    data = json.loads(stdout) if stdout.strip() else {"findings": []}
    return rc, data["findings"], stderr


def where(findings: list[dict]) -> set[tuple[str, str, int, int]]:
    return {(Path(f["path"]).as_posix(), f["code"], f["line"], f["column"]) for f in findings}


def codes_for(findings: list[dict], path: str) -> set[str]:
    return {f["code"] for f in findings if Path(f["path"]).as_posix() == path}


def assert_good_linted(findings: list[dict]) -> None:
    assert GOOD_FINDING in where(findings), findings


def bomb_yaml(indent: str = "") -> str:
    """A billion-laughs document: 10 ** 12 nodes once expanded."""
    lines = [f"{indent}a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        ref = "a" if i == 1 else f"b{i - 1}"
        lines.append(f"{indent}b{i}: &b{i} [{', '.join(['*' + ref] * 10)}]")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------ YAML bombs


def test_alias_bomb(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "bomb.yaml").write_text(bomb_yaml(), encoding="utf-8")
    rc, findings, _ = lint(root, ".")
    assert rc == 1
    assert ("bomb.yaml", "ML004", 1, 1) in where(findings)
    assert_good_linted(findings)


def test_alias_bomb_inside_values_content(tmp_path: Path) -> None:
    root = project(tmp_path)
    chart = ("apiVersion: helm.cattle.io/v1\nkind: HelmChart\nmetadata:\n  name: multus\n"
             "  namespace: kube-system\nspec:\n  chart: rke2-multus\n  valuesContent: |-\n")
    (root / "chart.yaml").write_text(chart + bomb_yaml("    "), encoding="utf-8")
    rc, findings, _ = lint(root, ".")
    assert rc == 1
    # reported where the embedded document starts, in the outer file
    assert ("chart.yaml", "ML004", 9, 5) in where(findings)
    assert_good_linted(findings)


# ------------------------------------------------------------------------ nesting


@pytest.mark.parametrize("text", [
    "[" * 100_000 + "]" * 100_000 + "\n",  # flow: libyaml's composer would overflow the C stack
    "- " * 30_000 + "x\n",  # compact block sequences on one line
    "? " * 30_000 + "x\n",  # complex keys
], ids=["flow", "block-sequences", "complex-keys"])
def test_deeply_nested_yaml(tmp_path: Path, text: str) -> None:
    root = project(tmp_path)
    (root / "deep.yaml").write_text(text, encoding="utf-8")
    rc, findings, _ = lint(root, ".")
    assert rc == 1  # not -11: the composer never sees it
    assert codes_for(findings, "deep.yaml") == {"ML004"}
    assert_good_linted(findings)


def test_deeply_nested_json_file_and_spec_config(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    nad = ("apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata:\n"
           "  name: deep\nspec:\n  config: '" + "{\"a\": " * 20_000 + "1" + "}" * 20_000 + "'\n")
    (root / "nad.yaml").write_text(nad, encoding="utf-8")
    rc, findings, _ = lint(root, ".")
    assert rc == 1
    assert ("deep.json", "ML004", 1, 1) in where(findings)
    assert ("nad.yaml", "ML004", 6, 12) in where(findings)  # at the value of spec.config
    assert_good_linted(findings)


# ------------------------------------------------------------------------ bytes


def test_binary_file(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "image.yaml").write_bytes(bytes(range(256)) * 64)
    rc, findings, _ = lint(root, ".")
    assert rc == 1
    assert codes_for(findings, "image.yaml") == {"ML002"}
    assert_good_linted(findings)


def test_nul_byte(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "nul.yaml").write_bytes(b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\x00b\n")
    rc, findings, _ = lint(root, ".")
    assert rc == 1
    assert ("nul.yaml", "ML002", 4, 1) in where(findings)  # the line holding the NUL
    assert_good_linted(findings)


def test_non_utf8_text(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "latin1.yaml").write_bytes("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: café\n"
                                       .encode("latin-1"))
    rc, findings, _ = lint(root, ".")
    assert rc == 1
    assert ("latin1.yaml", "ML002", 4, 1) in where(findings)
    assert_good_linted(findings)


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_non_utf8_text_names_the_files_own_offset(tmp_path: Path, bom: bytes) -> None:
    """The invalid byte and its offset are the file's, with or without a BOM before them
    (the utf-8-sig codec counts from after the BOM: the byte 3 before was named)."""
    from multus_lint.config import Config
    from multus_lint.load.read import decode

    data = bom + "name: café\n".encode("latin-1")
    src = decode("x.yaml", data, Config().limits)
    assert src.error is not None and src.error[0] == "ML002"
    at = data.index(b"\xe9")
    assert src.error[1] == f"not UTF-8 text (invalid byte 0xe9 at offset {at})"


@pytest.mark.parametrize("kind", ["bom", "crlf", "bom-crlf"])
def test_bom_and_crlf_lint_normally(tmp_path: Path, kind: str) -> None:
    """A BOM and CRLF line ends change nothing: same findings, same lines and columns."""
    root = project(tmp_path)
    text = GOOD.replace("good", "other")
    if "crlf" in kind:
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    if "bom" in kind:
        data = b"\xef\xbb\xbf" + data
    (root / "other.yaml").write_bytes(data)
    rc, findings, _ = lint(root, ".")
    assert rc == 1
    assert codes_for(findings, "other.yaml") == {"ML301"}
    assert ("other.yaml", "ML301", 8, 62) in where(findings)
    assert_good_linted(findings)


def test_tabs(tmp_path: Path) -> None:
    """Tab indentation is a YAML syntax error at the tab; tabs inside the JSON are fine."""
    root = project(tmp_path)
    (root / "tabs.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n",
                                    encoding="utf-8")
    tabbed_json = GOOD.replace("good", "tabbed").replace('\n     "ipam"', '\n    \t"ipam"')
    (root / "tabbed.yaml").write_text(tabbed_json, encoding="utf-8")
    rc, findings, _ = lint(root, ".")
    assert rc == 1
    assert ("tabs.yaml", "ML001", 4, 1) in where(findings)
    assert codes_for(findings, "tabbed.yaml") == {"ML301"}
    assert_good_linted(findings)


def test_python_tags_never_executed(tmp_path: Path) -> None:
    root = project(tmp_path)
    marker = tmp_path / "PWNED"
    (root / "evil.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: evil\n"
        f"data: !!python/object/apply:os.system ['touch {marker}']\n"
        "---\n"
        f"x: !!python/object/new:subprocess.check_output [['touch', '{marker}']]\n"
        "---\n"
        "y: !!python/name:os.system\n", encoding="utf-8")
    rc, findings, _ = lint(root, ".")
    assert rc == 1
    # read as plain data (go-yaml takes an unresolved tag's node as it is), never constructed:
    # valid YAML, so no finding on it
    assert {(f["line"], f["code"]) for f in findings if f["path"] == "evil.yaml"} == set()
    assert not marker.exists()
    assert_good_linted(findings)


# ------------------------------------------------------------------------ size limits


def test_very_long_line(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "long.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata:\n  x: " + "a" * 250_000 + "\n",
                                    encoding="utf-8")
    rc, findings, _ = lint(root, ".")
    assert rc == 1
    assert ("long.yaml", "ML004", 4, 1) in where(findings)
    assert_good_linted(findings)


def test_line_and_file_limits_are_configurable(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / ".multus-lint.yaml").write_text("limits:\n  max-line-length: 100\n  max-file-size: 2000\n",
                                            encoding="utf-8")
    (root / "wide.yaml").write_text("a: " + "b" * 150 + "\n", encoding="utf-8")
    (root / "big.yaml").write_text("# padding\n" * 300, encoding="utf-8")
    rc, findings, _ = lint(root, ".")
    assert rc == 1
    assert ("wide.yaml", "ML004", 1, 1) in where(findings)
    assert ("big.yaml", "ML002", 1, 1) in where(findings)
    assert_good_linted(findings)


def test_very_large_file(tmp_path: Path) -> None:
    root = project(tmp_path)
    with open(root / "huge.yaml", "wb") as fh:  # over the 10 MiB default: never read
        fh.truncate(11 * 1024 * 1024)
    rc, findings, _ = lint(root, ".")
    assert rc == 1
    assert codes_for(findings, "huge.yaml") == {"ML002"}
    assert "size limit" in next(f["message"] for f in findings if f["path"] == "huge.yaml")
    assert_good_linted(findings)


# ------------------------------------------------------------------------ odd structure


@pytest.mark.parametrize("value", ["\n    cniVersion: 0.3.1\n    type: macvlan", " 42",
                                   "\n    - a\n    - b"], ids=["mapping", "number", "list"])
def test_non_string_spec_config(tmp_path: Path, value: str) -> None:
    root = project(tmp_path)
    (root / "nad.yaml").write_text("apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\n"
                                   f"metadata:\n  name: odd\nspec:\n  config:{value}\n", encoding="utf-8")
    rc, findings, _ = lint(root, ".")
    assert rc == 1
    assert ("nad.yaml", "ML501", 6, 3) in where(findings)
    assert_good_linted(findings)


@pytest.mark.parametrize("form", ["short", "json"])
def test_annotation_with_tens_of_thousands_of_entries(tmp_path: Path, form: str) -> None:
    root = project(tmp_path)
    n = 50_000
    if form == "short":
        entries = ",\n      ".join(f"net{i}" for i in range(n))
    else:
        entries = "[" + ",\n      ".join(json.dumps({"name": f"net{i}"}) for i in range(n)) + "]"
    (root / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
                                   f"    k8s.v1.cni.cncf.io/networks: |\n      {entries}\n"
                                   "spec:\n  containers: []\n", encoding="utf-8")
    rc, findings, _ = lint(root, ".", "--select", "ML004,ML301,ML402")
    assert rc == 1
    assert ("pod.yaml", "ML004", 6, 5) in where(findings)
    # the entries up to the limit are still judged, the others are not
    missing = [f for f in findings if f["code"] == "ML402"]
    assert len(missing) == 1000
    assert_good_linted(findings)


# ------------------------------------------------------------------------ the file system


def test_symlink_loops(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "self.yaml").symlink_to("self.yaml")
    (root / "a.yaml").symlink_to("b.yaml")
    (root / "b.yaml").symlink_to("a.yaml")
    rc, findings, _ = lint(root, ".")
    assert rc == 1
    for name in ("self.yaml", "a.yaml", "b.yaml"):
        assert (name, "ML002", 1, 1) in where(findings)
        assert "symlink loop" in next(f["message"] for f in findings if f["path"] == name)
    assert_good_linted(findings)


def test_directory_symlinks_pointing_upwards(tmp_path: Path) -> None:
    """Links back up the tree (or into a loop) are not followed: every file once, and the walk ends."""
    root = project(tmp_path)
    sub = root / "sub" / "deeper"
    sub.mkdir(parents=True)
    (sub / "up").symlink_to("../..")
    (sub / "loop").symlink_to("../deeper")
    (root / "sub" / "root").symlink_to(root)
    (sub / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
                                  "    k8s.v1.cni.cncf.io/networks: nowhere\nspec:\n  containers: []\n",
                                  encoding="utf-8")
    rc, findings, _ = lint(root, ".")
    assert rc == 1
    assert [f["path"] for f in findings].count("good.yaml") == 1
    # column 34: the entry "nowhere" in the annotation value, not the key
    assert ("sub/deeper/pod.yaml", "ML402", 6, 34) in where(findings)
    assert len(findings) == 2
    # named directly, the subdirectory's upward link is not followed either
    rc, findings, _ = lint(root, "sub")
    assert where(findings) == {("sub/deeper/pod.yaml", "ML402", 6, 34)}


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str]) -> None:
    """chmod 000 does not stop root (the tests run as root here), so reading is refused by a
    stand-in for open(); the same run as a real unreadable file otherwise."""
    from multus_lint import cli
    from multus_lint.load import read as source

    root = project(tmp_path)
    locked = root / "locked.yaml"
    locked.write_text(GOOD.replace("good", "locked"), encoding="utf-8")
    real_open = source._open_nonblocking

    def refusing_open(path: str) -> int:
        if os.path.basename(str(path)) == "locked.yaml":
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path)

    monkeypatch.setattr(source, "_open_nonblocking", refusing_open)
    monkeypatch.chdir(root)
    rc = cli.main(["--format", "json", "--select", SELECT, "."])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert rc == 1
    assert ("locked.yaml", "ML002", 1, 1) in where(findings)
    assert "permission denied" in next(f["message"] for f in findings if f["path"] == "locked.yaml")
    assert_good_linted(findings)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root reads a chmod 000 file anyway (see test_unreadable_file)")
def test_unreadable_file_for_real(tmp_path: Path) -> None:
    root = project(tmp_path)
    locked = root / "locked.yaml"
    locked.write_text(GOOD, encoding="utf-8")
    locked.chmod(0)
    try:
        rc, findings, _ = lint(root, ".")
    finally:
        locked.chmod(0o644)
    assert rc == 1
    assert ("locked.yaml", "ML002", 1, 1) in where(findings)
    assert_good_linted(findings)
