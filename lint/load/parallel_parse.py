"""Parsing large inputs on two cores.

libyaml composes under the GIL, so threads do not help; a forked worker parses part of the
files while this process parses the rest. The worker sends back only plain data (the
documents as dicts and lists, problems, duplicate-key spans): positions are composed again
from the text, here, if a finding needs them (``YamlTree.recompose``), exactly as for any
document whose nodes were released. A file the worker cannot describe that simply (a
syntax error split into segments, a nested tree) is parsed here again, so the result is
the same as a serial run's in every case.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from multus_lint.load.parse import Parsed, _compose_nth, parse_file
from multus_lint.load.positions import JsonTree, ShiftMap, YamlTree, copy_scalars, restore_scalars
from multus_lint.load.read import Limits, SourceFile

MIN_BYTES = 2_000_000  # below this a second process costs more than it saves
MIN_FILES = 64

# Inherited by the forked worker (set before the fork; never pickled).
_SOURCES: list[SourceFile] = []
_LIMITS = Limits()
_AFTER: Callable[[list[Parsed]], list[Parsed]] | None = None


def _cpu_sample() -> tuple[float, float, float] | None:
    """(monotonic seconds, CPU seconds the whole machine has been busy, CPU seconds of this
    process and its reaped children), or None where /proc/stat cannot say."""
    try:
        with open("/proc/stat", "rb") as fh:
            fields = fh.readline().split()
        # cpu  user nice system idle iowait irq softirq steal ...: busy is all but idle, iowait
        ticks = [int(x) for x in fields[1:9]]
        busy = (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None
    t = os.times()
    return time.monotonic(), busy, t.user + t.system + t.children_user + t.children_system


_START = _cpu_sample()  # at start-up: what the rest of the machine did since is others' work


def others_busy() -> float | None:
    """How many cores the rest of the machine kept busy on average since this process
    started (its own work, and its reaped children's, taken out), None if unknown."""
    now = _cpu_sample()
    if now is None or _START is None or now[0] - _START[0] < 0.05:
        return None
    return max(0.0, (now[1] - _START[1]) - (now[2] - _START[2])) / (now[0] - _START[0])


def idle_core() -> bool:
    """Whether a second process would have a core to itself: two cores or more, and the
    rest of the machine left one free (others_busy: at least 0.6 of a core beyond this
    process's, on average since it started; without /proc/stat, the 1-minute load
    average). MULTUS_LINT_JOBS=1 says no, 2 (or more) yes whatever the load. On 2 cores at
    load 5 (other work running) the two-process run of the many-findings benchmark took
    3.25 s wall and 2.15 s CPU, the one-process run 2.87 s and 1.96 s: a busy core only
    adds the cost of splitting the work. The load average is not asked first: it counts
    this very run and the runs just before it (a benchmark repeating one audit)."""
    jobs = os.environ.get("MULTUS_LINT_JOBS", "")
    if jobs == "1":
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    if cores < 2:
        return False
    if jobs.isdigit() and int(jobs) >= 2:
        return True
    busy = others_busy()
    if busy is not None:
        return cores - 1 - busy >= 0.6
    try:
        return os.getloadavg()[0] <= cores - 0.5
    except (AttributeError, OSError):
        return True


def parse_all(sources: list[SourceFile], limits: Limits, skip: dict[int, Any] | None = None,
              after: Callable[[list[Parsed]], list[Parsed]] | None = None) -> dict[int, list[Parsed]] | None:
    """Parsed documents of each readable source by index (but those in ``skip``), or None
    to parse serially. ``after`` is applied to each file's parse here, as it is made."""
    todo = [i for i, s in enumerate(sources) if s.text and s.error is None and (not skip or i not in skip)]
    size = sum(len(sources[i].text or "") for i in todo)
    if len(todo) < MIN_FILES or size < MIN_BYTES or not idle_core():
        return None
    try:
        import multiprocessing

        mp = multiprocessing.get_context("fork")
    except (ImportError, ValueError):
        return None
    theirs, mine = _split(todo, sources)
    global _SOURCES, _LIMITS, _AFTER
    _SOURCES, _LIMITS, _AFTER = sources, limits, after
    out: dict[int, list[Parsed]] = {}
    try:
        with mp.Pool(1) as pool:
            pending = pool.apply_async(_work, (theirs,))
            for i in mine:
                out[i] = parse_file(sources[i], limits) if after is None else after(parse_file(sources[i], limits))
            packed = pending.get(timeout=600)
    except Exception:
        return None  # any trouble with the worker: the caller parses serially
    finally:
        _SOURCES, _AFTER = [], None
    for i, item in zip(theirs, packed):
        if item is None:
            out[i] = parse_file(sources[i], limits)  # not describable as plain data
        else:
            out[i] = _unpack(sources[i], item[0])
            for parsed, copies in zip(out[i], item[1]):
                if isinstance(parsed.tree, YamlTree):
                    restore_scalars(parsed.tree, copies)
    return out


# What the worker's share costs it per byte of text against the parent's own: it also
# copies the hot scalars, packs the documents as plain data and pickles them (measured in
# CPU seconds: 3.95 against 3.53 at 100,000 documents, 0.38 against 0.34 at 10,000)
WORKER_COST = 1.11


def _split(todo: list[int], sources: list[SourceFile]) -> tuple[list[int], list[int]]:
    """(the worker's files, the parent's), largest first, each file to the side that would
    finish it sooner: both sides then end at about the same time."""
    theirs: list[int] = []
    mine: list[int] = []
    worker = parent = 0.0
    for i in sorted(todo, key=lambda i: -len(sources[i].text or "")):
        size = len(sources[i].text or "")
        if worker + size * WORKER_COST <= parent + size:
            theirs.append(i)
            worker += size * WORKER_COST
        else:
            mine.append(i)
            parent += size
    return theirs, mine


def _work(indices: list[int]) -> list[Any]:
    out: list[Any] = []
    for i in indices:
        parsed = parse_file(_SOURCES[i], _LIMITS)
        # with the scalars findings are most often located at (a NAD's config, a pod's
        # network annotation): locating those here needs no composition of the file again
        copies = [copy_scalars(p.tree, hot_paths(p.tree.data)) if isinstance(p.tree, YamlTree) else []
                  for p in parsed]
        if _AFTER is not None:  # as the parent does to its own parses (what is sent shrinks too)
            parsed = _AFTER(parsed)
        items = _pack(_SOURCES[i], parsed)
        out.append(None if items is None else (items, copies))
    return out


# Where a workload keeps the annotations Multus reads (and those it never reads, which the
# ML4xx rules point at too): metadata of the object, its pod template, a CronJob's job.
_ANNOTATION_HOMES = (("metadata",), ("spec", "template", "metadata"), ("spec", "jobTemplate", "metadata"),
                     ("spec", "jobTemplate", "spec", "template", "metadata"))


def hot_paths(data: Any) -> list[tuple]:
    """The paths of a document whose scalars findings are most often located at."""
    if not isinstance(data, dict):
        return []
    out: list[tuple] = []
    spec = data.get("spec")
    if isinstance(spec, dict) and isinstance(spec.get("config"), str):
        out.append(("spec", "config"))
    for home in _ANNOTATION_HOMES:
        node: Any = data
        for part in home + ("annotations",):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            out.extend(home + ("annotations", k) for k, v in node.items()
                       if isinstance(k, str) and "cni.cncf.io" in k and isinstance(v, str))
    return out


def pack(source: SourceFile, parsed: list[Parsed]) -> list[Any] | None:
    """The parse of ``source`` as plain data (what the worker sends back, and what the cache
    keeps), or None where it cannot be described so simply."""
    return _pack(source, parsed)


def unpack(source: SourceFile, items: list[Any]) -> list[Parsed]:
    """``pack``'s data back as parsed documents of ``source``'s text."""
    return _unpack(source, items)


def _pack(source: SourceFile, parsed: list[Parsed]) -> Any:
    items = []
    for p in parsed:
        tree = p.tree
        if tree is None:
            items.append(("none", None, p.problems, p.duplicates, None))
        elif isinstance(tree, YamlTree) and tree.text is source.text and _plain_map(tree.textmap) \
                and tree.composer is _compose_nth and tree.doc_index is not None:
            items.append(("yaml", tree.data, p.problems, p.duplicates, tree.doc_index))
        elif isinstance(tree, JsonTree) and tree.text is source.text and _plain_map(tree.textmap):
            items.append(("json", tree.data, p.problems, p.duplicates, tree.has_duplicates))
        else:
            return None
    return items


def _plain_map(textmap: Any) -> bool:
    return type(textmap) is ShiftMap and textmap.line_offset == 0


_NO_SHIFT = ShiftMap(0)  # one for every unpacked document (it holds nothing else)


def _unpack(source: SourceFile, items: list[Any]) -> list[Parsed]:
    text = source.text or ""
    out = []
    for kind, data, problems, duplicates, extra in items:
        if kind == "none":
            tree = None
        elif kind == "yaml":
            tree = YamlTree(None, data, _NO_SHIFT, text)
            tree.composer, tree.doc_index = _compose_nth, extra
        else:
            tree = JsonTree(text, data, _NO_SHIFT, extra)
        out.append(Parsed(tree, problems, duplicates))
    return out
