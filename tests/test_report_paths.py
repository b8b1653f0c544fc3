"""``report._below`` is ``os.path.relpath(os.path.join(cwd, path), base)`` wherever it answers
(issue 16: a relpath per file was most of a SARIF report's path work), and a report's
``path_shower`` says what ``repo_relative`` says."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from multus_lint.report import _below, _relative, path_shower, repo_relative

parts = st.sampled_from(["a", "b", "..a", ".", "..", "", "c.yaml", "x y", "é"])
rel_paths = st.lists(parts, min_size=0, max_size=4).map("/".join)
abs_dirs = st.lists(st.sampled_from(["r", "s", "..", ".", "", "t"]), max_size=4).map(lambda p: "/" + "/".join(p))


@settings(max_examples=400, deadline=None)
@given(path=st.one_of(rel_paths, rel_paths.map(lambda p: "/" + p)), base=abs_dirs, below=rel_paths)
def test_below_is_relpath(path: str, base: str, below: str) -> None:
    for cwd in (base, base.rstrip("/") + "/" + below, "/" + below):
        got = _below(path, base, cwd)
        if got is not None:
            assert got == os.path.relpath(os.path.join(cwd, path), base), (path, base, cwd)


def test_below_answers_the_usual_case() -> None:
    assert _below("apps/a.yaml", "/repo", "/repo") == "apps/a.yaml"
    assert _below("apps/a.yaml", "/repo", "/repo/sub") == "sub/apps/a.yaml"
    assert _below("../a.yaml", "/repo", "/repo/sub") is None  # relpath's work
    assert _relative("../a.yaml", "/repo", "/repo/sub") == "a.yaml"


def test_path_shower_is_repo_relative(tmp_path, monkeypatch) -> None:
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    base = str(tmp_path)
    shown = path_shower(base)
    for p in ("a.yaml", "x/../b.yaml", "<stdin>", str(tmp_path / "c.yaml"), "../d.yaml"):
        assert shown(p) == repo_relative(p, base)
