"""Containment per object: a bug that raises on one object loses the verdict for that object only.

A checker (or a shared analysis) walks the project's objects and may raise on one of them:
an input shape nobody foresaw. Rather than losing the whole checker for every object, the
object it was working on is found in the traceback (the innermost frame holding a document,
a NAD, a workload, a CNI config or a chart release), reported as ML000 at that object, and
the work runs again over a view of the project that leaves that object out of the lists
the rules iterate. Look-ups (``nad_index``) still see every object, so a pod naming the
left-out NAD does not become a dangling reference.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

from multus_lint import __version__, records
from multus_lint.findings import Span
from multus_lint.load.document import Document, Embedded
from multus_lint.load.parse import Problem
from multus_lint.model.project import Project

T = TypeVar("T")

# reruns of one piece of work before it is given up as a whole (each rerun leaves one
# more object out): a bug hit by every object must not cost a rerun per object
MAX_RERUNS = 25


def owner_document(value: Any) -> Document | None:
    """The document an object of the model belongs to, if it is one."""
    if isinstance(value, Document):
        return value
    if isinstance(value, Embedded):
        return value.owner
    for attr in ("doc", "nad", "cfg", "owner"):
        inner = getattr(value, attr, None) if not isinstance(value, (str, bytes, int, float, dict,
                                                                      list, tuple)) else None
        if isinstance(inner, Document):
            return inner
        if isinstance(inner, Embedded):
            return inner.owner
        if inner is not None and attr in ("nad", "cfg"):
            found = getattr(inner, "doc", None) or getattr(inner, "owner", None)
            if isinstance(found, Document):
                return found
    return None


def culprit(exc: BaseException) -> Document | None:
    """The document the code was working on when it raised: the innermost frame with one."""
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    for frame in reversed(frames):
        f_locals = frame.f_locals
        this = f_locals.get("self")
        for name, value in f_locals.items():
            if name == "self" and not isinstance(value, (Document, Embedded)):
                continue
            doc = owner_document(value)
            if doc is not None:
                return doc
        if this is not None:
            doc = owner_document(this)
            if doc is not None:
                return doc
    return None


def without(project: Project, left_out: set[int]) -> Project:
    """A view of ``project`` whose object lists leave out the documents in ``left_out``
    (by id); look-ups keep every object, and shared analyses start afresh."""
    def keep(doc: Document | None) -> bool:
        return doc is None or id(doc) not in left_out

    view = records.replace(
        project,
        documents=[d for d in project.documents if keep(d)],
        nads=[n for n in project.nads if keep(n.doc)],
        workloads=[w for w in project.workloads if keep(w.doc)],
        helmcharts=[d for d in project.helmcharts if keep(d)],
        helmchartconfigs=[d for d in project.helmchartconfigs if keep(d)],
        daemonsets=[d for d in project.daemonsets if keep(d)],
        cni_files=[c for c in project.cni_files if keep(c.owner)],
        k3s_configs=[d for d in project.k3s_configs if keep(d)],
        k3s_flags=[f for f in project.k3s_flags if keep(f.doc)],
        values_files=[d for d in project.values_files if keep(d)],
        by_kind={k: [d for d in docs if keep(d)] for k, docs in project.by_kind.items()},
        releases=[r for r in project.releases if keep(getattr(r, "doc", None))
                  and keep(getattr(r, "config_doc", None))],
        _nad_index=dict(project.nad_index),
        _cache={},
    )
    return view


def forget(project: Project, doc: Document) -> None:
    """Take a document that failed half-way out of every list of the project."""
    def out(items: list[Any], get: Callable[[Any], Any] = lambda x: x) -> None:
        items[:] = [x for x in items if get(x) is not doc]

    out(project.documents)
    for docs in project.by_kind.values():
        out(docs)
    out(project.nads, lambda n: n.doc)
    out(project.workloads, lambda w: w.doc)
    out(project.cni_files, lambda c: c.owner)
    out(project.k3s_flags, lambda f: f.doc)
    for items in (project.helmcharts, project.helmchartconfigs, project.daemonsets,
                  project.k3s_configs, project.values_files):
        out(items)
    project._nad_index = None


def describe(doc: Document) -> str:
    ref = doc.object_ref()
    if ref is None:
        return f"document {doc.index + 1}"
    ns = f"{ref['namespace']}/" if ref.get("namespace") else ""
    return f"{ref['kind']} {ns}{ref.get('name') or '(no name)'}"


def where_raised(exc: BaseException) -> str:
    import traceback  # only when a checker failed: it imports textwrap, linecache, tokenize

    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{os.path.basename(last.filename)}:{last.lineno}"


def error_text(exc: BaseException) -> str:
    try:
        text = str(exc)
    except Exception:  # an exception whose str() raises (a huge int, a broken __str__)
        text = "(message unavailable)"
    if len(text) > 300:
        text = text[:300] + "..."
    return f"{type(exc).__name__}: {text}"


def object_problem(doc: Document, what: str, exc: BaseException) -> Problem:
    """ML000 at the object: the work that failed, the exception, where, and who to tell."""
    try:
        site = doc.name_site()
        span = site.span
        obj = site.object
    except Exception:  # the object may be the very thing that cannot be located
        span, obj = Span.point(1), None
    return Problem("ML000", f"internal error in {what} on {describe(doc)}: {error_text(exc)} "
                   f"(at {where_raised(exc)}); that verdict is lost for this object only, the other "
                   f"objects and rules were judged. Please report this (multus-lint {__version__})", span, obj)


def contained(project: Project, work: Callable[[Project], T], what: str,
              fallback: T) -> tuple[T, list[tuple[Document | None, Problem]]]:
    """``work(project)``, run again without each object it raises on.

    Returns the result (``fallback`` when the work cannot be saved) and the ML000 problems,
    each with the document it is about (None: no object could be blamed)."""
    errors: list[tuple[Document | None, Problem]] = []
    left_out: set[int] = set()
    view = project
    for _ in range(MAX_RERUNS + 1):
        try:
            return work(view), errors
        except Exception as exc:  # a bug in one piece of work must not stop the run
            doc = culprit(exc)
            if doc is None or id(doc) in left_out:
                errors.append((None, Problem(
                    "ML000", f"internal error in {what}: {error_text(exc)} (at {where_raised(exc)}); "
                    f"the other rules ran. Please report this (multus-lint {__version__})", Span.point(1))))
                return fallback, errors
            errors.append((doc, object_problem(doc, what, exc)))
            left_out.add(id(doc))
            view = without(project, left_out)
    return fallback, errors
