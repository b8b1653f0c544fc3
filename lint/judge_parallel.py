"""Judging on two cores: an audit's checkers split between this process and a forked one.

The rules are pure Python under the GIL, so threads do not help. After the model is built
(runner.judge), the process forks; the child runs some units of checkers, this process the
others, each side in checker order; the child sends back, by checker index, its findings
and the problems its shared analyses appended to ``project.problems`` (an ML000 of
model.contain, say); both are merged in checker order, so runner.judge sees what a serial
run makes.

Why the merge of problems is the serial one: an analysis appends its problems when it is
first built (``Project.cached``), which serially happens under the first checker that asks
for it. A side builds it under its own first such checker, so under that checker it
appends what the serial run appends there, plus the problems of analyses the serial run
built earlier, under a checker of the other side, which that side built there: those are
problems whose (file, code, message, span) the other side already gave, and they are
dropped. What stays is the serial list less some repeats of a problem given earlier, which
runner.filter_findings drops anyway (it keeps the first of each); the rest keeps its order.

Never forks: one core, MULTUS_LINT_JOBS=1, no ``os.fork``, fewer than two units to run, a
project lighter than MIN_WEIGHT (NADs, CNI config files and workloads with a Multus
annotation: the objects most rules judge; the realistic benchmark mix at 10,000 and 100,000
documents, a pre-commit run or one file stay serial), or a machine whose other cores are busy (load.parallel_parse.idle_core:
the load average, unless MULTUS_LINT_JOBS=2). Set,
MULTUS_LINT_PARALLEL_JUDGE_MIN replaces MIN_WEIGHT and the load test (0: every run with two
units forks; the tests compare that with a serial run). Whatever goes wrong with
the child (no fork, a crash, a finding that cannot be sent), this process runs the child's
checkers itself: no finding is lost and nothing is reported of it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from multus_lint.findings import Finding, Span
from multus_lint.load.parallel_parse import idle_core

# findings-10000 weighs 4,998 (judge 0.9 s CPU serially); realistic-100,000 ~1,340: its judge
# is mostly per-document rules, and forked its peak memory (the 300 MiB target of issue 16)
# rose from 289.8 to 296.9 MiB (the child's own allocations over the parent's RSS)
MIN_WEIGHT = 3000
ENV_MIN = "MULTUS_LINT_PARALLEL_JUDGE_MIN"

# CPU seconds of each checker (by its first rule code) on benchmarks/out/findings-10000,
# serially, the first user of a shared analysis paying for it (notes/findings4-chkcost.py);
# what the split balances. A checker not listed costs DEFAULT_COST. The pods' network
# references, which ML206, ML306 and the ML4xx rules read, are built before the fork
# (_build_shared): no checker pays for them.
COST = {
    "ML301": 0.142, "ML302": 0.006, "ML304": 0.018, "ML305": 0.007, "ML306": 0.025, "ML307": 0.010,
    "ML401": 0.007, "ML402": 0.251, "ML404": 0.002, "ML405": 0.007, "ML406": 0.006, "ML408": 0.007,
    "ML409": 0.004, "ML410": 0.012, "ML411": 0.004, "ML412": 0.004,
    "ML602": 0.003,
    "ML007": 0.002, "ML008": 0.007, "ML009": 0.028,
    "ML201": 0.056, "ML202": 0.004, "ML204": 0.002, "ML205": 0.001, "ML206": 0.025, "ML207": 0.013,
    "ML208": 0.012,
    "ML501": 0.002, "ML502": 0.002, "ML503": 0.073, "ML504": 0.005, "ML505": 0.002, "ML506": 0.006,
    "ML507": 0.006, "ML508": 0.007, "ML509": 0.010, "ML510": 0.005, "ML511": 0.006, "ML513": 0.033,
    "ML101": 0.006,
}
DEFAULT_COST = 0.001
# The checkers of one rule module share its analyses (annotation-uses, cni-schema-errors):
# they run on one side, or the analysis is built twice. ipam's ML204-ML206 share
# addressing's ipam-uses (0.1 s on the benchmark): one unit.
# ML503 and ML506 share cni-schema-errors, which no other nad checker reads: a unit of their
# own (the nad module's 0.135 s in one piece left one side 0.1 s behind the other).
# The annotation rules' big shared analyses are built before the fork (_build_shared), and
# what else they share is small (generated-nads, nad-names: 0.02 s): each checker is a unit,
# and ML402 (0.25 s alone) no longer takes the other ML4xx checkers to its side.
SAME_UNIT = {"multus_lint.rules.ipam": "multus_lint.rules.addressing"}
CODE_UNIT = {"ML503": "cni-schema-errors", "ML506": "cni-schema-errors"}
APART = {"multus_lint.rules.annotations"}
# What the parent pays that the child does not (the fork, reading the child's findings).
PARENT_EXTRA = 0.01

_PROGRESS, _DONE = b".", b"!"  # child -> parent: a checker done; the findings follow


def min_weight() -> int:
    try:
        return int(os.environ.get(ENV_MIN, ""))
    except ValueError:
        return MIN_WEIGHT


def weight(project: Any) -> int:
    """How much there is to judge: NADs, CNI config files, workloads naming networks."""
    annotated = 0
    for w in project.workloads:
        if any(isinstance(k, str) and "cni.cncf.io" in k for k in w.pod_annotations):
            annotated += 1
    return len(project.nads) + len(project.cni_files) + annotated


def unit_of(checker: Any) -> str:
    """The unit a checker runs in: checkers sharing analyses are one."""
    code = checker.rules[0].code
    if code in CODE_UNIT:
        return CODE_UNIT[code]
    module = getattr(checker.fn, "__module__", "") or ""
    if module in APART:
        return code
    return SAME_UNIT.get(module, module)


def split(checkers: list[Any]) -> set[int]:
    """Indices (into ``checkers``) of the child's checkers: whole units, balanced by COST,
    the largest unit first to the side with less to do."""
    units: dict[str, list[int]] = {}
    for i, c in enumerate(checkers):
        units.setdefault(unit_of(c), []).append(i)

    def cost(i: int) -> float:
        return COST.get(checkers[i].rules[0].code, DEFAULT_COST)

    order = sorted(units.values(), key=lambda ix: (-sum(cost(i) for i in ix), ix[0]))
    load = {"parent": PARENT_EXTRA, "child": 0.0}
    child: set[int] = set()
    for ix in order:
        side = "child" if load["child"] < load["parent"] else "parent"
        load[side] += sum(cost(i) for i in ix)
        if side == "child":
            child.update(ix)
    return child


def should_fork(project: Any) -> bool:
    if not hasattr(os, "fork") or os.environ.get("MULTUS_LINT_JOBS", "") == "1":
        return False
    # a second process pays only on an idle core: where the other cores are busy (measured
    # on 2 cores, load 2-5) it made the judge no faster and cost 0.2 s CPU (copy-on-write
    # faults, analyses built on both sides, the pickle)
    if os.environ.get(ENV_MIN, "") == "" and not idle_core():
        return False
    return weight(project) >= min_weight()


def _build_shared(project: Any) -> None:
    """The analyses checkers of both sides read, built once before the fork instead of once
    on each side: the pods' network references (annotation-uses and network-refs: ML206 and
    ML306 here, the ML4xx rules there; 0.09 s of each side's judge on the benchmark)."""
    from multus_lint.model.network_refs import network_refs

    project.build_ahead(network_refs)


def _refs(project: Any) -> dict[int, Any]:
    """What a fix may be on (a document, a CNI config, a chart release's values), by id."""
    objs: list[Any] = [*project.documents, *project.cni_files]
    objs.extend(n.config for n in project.nads if n.config is not None)
    for rel in [*project.releases, *getattr(project, "other_releases", ())]:
        objs.extend(getattr(layer, "located", None) for layer in getattr(rel, "layers", None) or ())
    return {id(o): o for o in objs if o is not None}


def _pack(out: dict[int, tuple[list, list]], project: Any, refs: dict[int, Any]) -> bytes:
    """The child's results as bytes; what the parent holds too (made before the fork) is
    sent by reference: problems' files by index, fixes' objects by id."""
    from multus_lint.fixes import Fix

    sources = project.sources
    index = {id(s): k for k, s in enumerate(sources)}
    packed = {}
    for i, (found, probs) in out.items():
        for f in found:
            fix = f.extra.get("fix") if f.extra else None
            if fix is not None:
                if not isinstance(fix, Fix) or refs.get(id(fix.located)) is not fix.located:
                    # on an object the child made: apply_fixes would edit a copy
                    raise ValueError("a fix on an object made while judging")
                f.extra = {**f.extra, "fix": (_FIX, id(fix.located), fix.path, fix.value, fix.new_key)}
        packed[i] = ([_finding_fields(f) for f in found],
                     [(k if k is not None and sources[k] is src else src, prob)
                      for src, prob in probs for k in (index.get(id(src)),)])
    import pickle  # here: a run that never forks (most) does not import it

    return pickle.dumps(packed, protocol=pickle.HIGHEST_PROTOCOL)


def _finding_fields(f: Any) -> tuple:
    """A finding as plain data: the child's 7,700 findings on the many-findings benchmark
    took 17.7 ms to pickle and 11.4 ms to read back as objects, as tuples of their fields
    9.7 and 8.1 (both on the judge's critical path). Every attribute a finding has is a field of
    Finding (a finding with more, or of a subclass, fails the child: its checkers are then
    run here)."""
    if type(f) is not Finding or len(f.__dict__) != 8:
        raise ValueError("a finding that is not all Finding's fields")
    span = f.span
    return (f.code, f.rule, f.severity, f.message, f.path,
            (span.line, span.column, span.end_line, span.end_column), f.object, f.extra)


def _unpack(payload: bytes, project: Any, refs: dict[int, Any]) -> dict[int, tuple[list, list]]:
    from multus_lint.fixes import Fix

    sources = project.sources
    out = {}
    import pickle

    for i, (fields, probs) in pickle.loads(payload).items():
        found = [Finding(c, r, sev, m, path, Span(*span), obj, extra) for c, r, sev, m, path, span, obj, extra in fields]
        for f in found:
            fix = f.extra.get("fix") if f.extra else None
            if type(fix) is tuple and fix[0] == _FIX:
                f.extra["fix"] = Fix(refs[fix[1]], fix[2], fix[3], fix[4])
        out[i] = (found, [(sources[src] if type(src) is int else src, prob) for src, prob in probs])
    return out


_FIX = "multus-lint fix by reference"


Run = Callable[[Any, Any], list]


def run(project: Any, checkers: list[Any], ctx: Any, run_checker: Run,
        progress: Callable[[str, int, int], None]) -> list[list] | None:
    """The findings of each checker (in order), judged on two cores, with the problems
    the checkers' analyses appended merged into ``project.problems``; None when this run
    is judged serially (nothing was run)."""
    child = split(checkers)
    if not child or len(child) == len(checkers) or not should_fork(project):
        return None
    _build_shared(project)
    problems = project.problems
    base = len(problems)
    refs = _refs(project)
    try:
        rfd, wfd = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(rfd)
        os.close(wfd)
        return None
    if pid == 0:  # the child: never returns
        os.close(rfd)
        _child(wfd, project, checkers, sorted(child), ctx, run_checker, refs)
    os.close(wfd)
    done: dict[int, tuple[list, list]] = {}
    buf = bytearray()
    status = None
    try:
        os.set_blocking(rfd, False)
        total = len(checkers)
        for i in range(total):
            if i in child:
                continue
            done[i] = _one(project, problems, checkers[i], ctx, run_checker)
            _drain(rfd, buf)
            progress("checking", len(done) + _count(buf), total)
        os.set_blocking(rfd, True)
        while True:
            chunk = os.read(rfd, 1 << 20)
            if not chunk:
                break
            buf += chunk
            progress("checking", len(done) + _count(buf), total)
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(rfd)
        if status is None:  # this process failed (or was interrupted) first
            _reap(pid)
    theirs = _received(buf, status, project, refs)
    forked = theirs is not None and set(theirs) == child
    if not forked:
        # the child failed: its checkers run here (in order, after this side's: a problem
        # an analysis built here gave stays where this side gave it)
        theirs = {i: _one(project, problems, checkers[i], ctx, run_checker) for i in sorted(child)}
    if problems is not project.problems or len(problems) < base:
        raise RuntimeError("project.problems replaced while judging")  # pragma: no cover
    merged: list = []
    given: dict[tuple, bool] = {}  # problem key -> given by the child
    for i in range(len(checkers)):
        mine = forked and i in child
        for src, prob in (theirs[i] if i in child else done[i])[1]:
            key = (src.path, prob.code, prob.message, prob.span)
            if given.get(key, mine) is not mine:
                continue  # the other side built the same analysis earlier
            given[key] = mine
            merged.append((src, prob))
    problems[base:] = merged
    return [(theirs[i] if i in child else done[i])[0] for i in range(len(checkers))]


def _one(project: Any, problems: list, checker: Any, ctx: Any, run_checker: Run) -> tuple[list, list]:
    """A checker's findings, and the problems appended to ``problems`` while it ran."""
    before = len(problems)
    found = run_checker(checker, ctx)
    if problems is not project.problems or len(problems) < before:
        raise RuntimeError("project.problems replaced while judging")  # pragma: no cover
    return found, problems[before:]


def _child(wfd: int, project: Any, checkers: list[Any], mine: list[int], ctx: Any, run_checker: Run,
           refs: dict[int, Any]) -> None:
    code = 1
    try:
        problems = project.problems
        out = {}
        for i in mine:
            out[i] = _one(project, problems, checkers[i], ctx, run_checker)
            os.write(wfd, _PROGRESS)
        payload = _pack(out, project, refs)
        with os.fdopen(wfd, "wb") as fh:
            fh.write(_DONE + len(payload).to_bytes(8, "little") + payload)
        code = 0
    except BaseException:  # noqa: BLE001  (anything: the parent runs these checkers itself)
        pass
    finally:
        os._exit(code)  # no atexit handlers, no flush of the parent's buffered output


def _drain(fd: int, buf: bytearray) -> None:
    try:
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return
            buf += chunk
    except BlockingIOError:
        return


def _count(buf: bytearray) -> int:
    end = buf.find(_DONE)
    return buf.count(_PROGRESS, 0, len(buf) if end < 0 else end)


def _received(buf: bytearray, status: int | None, project: Any, refs: dict[int, Any]) -> dict | None:
    """The child's results, or None if it failed."""
    if status is None or not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        return None
    start = buf.find(_DONE)
    if start < 0 or len(buf) < start + 9:
        return None
    size = int.from_bytes(buf[start + 1:start + 9], "little")
    payload = bytes(buf[start + 9:])
    if len(payload) != size:
        return None
    try:
        return _unpack(payload, project, refs)
    except Exception:  # noqa: BLE001
        return None


def _reap(pid: int) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass
