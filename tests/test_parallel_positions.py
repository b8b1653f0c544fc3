"""The forked parse sends copies of the scalars findings are most often located at (a NAD's
spec.config, a pod's network annotations) with its plain data, so locating them composes no
file again (issue 16: 2,000 re-compositions in a 10,000-document audit with many findings).
Positions from the copies must be exactly those from the nodes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from multus_lint.cli import main
from multus_lint.load import parallel_parse
from multus_lint.load.parse import parse_file
from multus_lint.load.positions import YamlTree, copy_scalars, restore_scalars
from multus_lint.load.read import Limits, read

FIXTURES = Path(__file__).parent / "fixtures"


def _yaml_files() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*.yaml") if "cni.cncf.io" in p.read_text(errors="replace"))


def test_copied_scalars_locate_as_the_nodes() -> None:
    checked = 0
    for path in _yaml_files():
        source = read(str(path), str(path), Limits())
        for parsed in parse_file(source, Limits()):
            tree = parsed.tree
            if not isinstance(tree, YamlTree) or tree.recompose is None:
                continue
            hot = parallel_parse.hot_paths(tree.data)
            copies = copy_scalars(tree, hot)
            bare = YamlTree(None, tree.data, tree.textmap, tree.text)
            bare.recompose = tree.recompose
            restore_scalars(bare, copies)
            for p in hot:
                checked += 1
                for value in (False, True):
                    assert bare.locate(p, value) == tree.locate(p, value), (path, p)
                want, got = tree.scalar_map(p), bare.scalar_map(p)
                assert (want is None) == (got is None)
                if want is not None:
                    assert (got.raw, got.base, got.style, got.value) == (want.raw, want.base, want.style, want.value)
                    assert [got.to_outer(0, c) for c in range(0, len(want.value), 7)] == \
                        [want.to_outer(0, c) for c in range(0, len(want.value), 7)]
            assert bare._root is None, "a copied path must not compose the nodes"
    assert checked > 100


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the forked parse needs two cores")
def test_forked_parse_reports_as_a_serial_run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    def audit() -> str:
        main(["--isolated", "--no-cache", "--format", "json", str(FIXTURES / "ML4xx"), str(FIXTURES / "ML2xx")])
        return capsys.readouterr().out

    monkeypatch.setenv("MULTUS_LINT_JOBS", "1")
    serial = audit()
    monkeypatch.setenv("MULTUS_LINT_JOBS", "2")  # two processes, whatever the machine's load
    monkeypatch.setattr(parallel_parse, "MIN_BYTES", 0)
    monkeypatch.setattr(parallel_parse, "MIN_FILES", 1)
    restored: list[int] = []
    real = parallel_parse.restore_scalars
    monkeypatch.setattr(parallel_parse, "restore_scalars", lambda t, c: (restored.append(len(c)), real(t, c)))
    assert audit() == serial
    assert sum(restored) > 0, "the worker's copies were used"


def test_split_gives_each_file_once_and_the_worker_a_lighter_share() -> None:
    """parallel_parse._split: every file goes to one side; the worker, which pays
    WORKER_COST per byte against the parent's 1, gets the text that makes both sides'
    costs end within one file of each other (and so a little less text)."""
    from multus_lint.load.parallel_parse import WORKER_COST, _split
    from multus_lint.load.read import SourceFile

    sizes = [(i * 7919) % 5000 + 100 for i in range(400)]
    sources = [SourceFile(f"f{i}.yaml", text="x" * n) for i, n in enumerate(sizes)]
    todo = list(range(len(sources)))
    theirs, mine = _split(todo, sources)
    assert sorted(theirs + mine) == todo
    worker = sum(sizes[i] for i in theirs) * WORKER_COST
    parent = sum(sizes[i] for i in mine)
    assert abs(worker - parent) <= max(sizes) * WORKER_COST
    assert sum(sizes[i] for i in theirs) < sum(sizes[i] for i in mine)
