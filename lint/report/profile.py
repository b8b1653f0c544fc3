"""``--print-profile``: the project root, the cluster scopes found, the files each holds and
the profile in force in each, with the source of every value (issue 12)."""

from __future__ import annotations

from typing import IO, Any


def rows(profile: Any, indent: str = "") -> list[str]:
    """The profile's (setting, value, source) rows, aligned."""
    table = profile.describe()
    width = max(len(r[0]) for r in table)
    vwidth = max(len(r[1]) for r in table)
    return [f"{indent}{key:<{width}}  {value:<{vwidth}}  ({source})" for key, value, source in table]


def print_run(result: Any, out: IO[str]) -> None:
    """The run's root, scopes and profiles (``result``: a runner.Result)."""
    root = result.root
    if root is not None:
        out.write(f"root: {root.path}  ({root.source})\n")
    runs = [r for r in result.scopes if r.scope is not None]
    if len(runs) <= 1:
        if runs:
            _scope_line(runs[0], out)
        else:
            count = len(result.project.sources)
            out.write(f"scopes: 1, the whole root ({count} file{'s' * (count != 1)}, "
                      f"{result.named_files} named)\n")
        for line in rows(result.profile):
            out.write(line + "\n")
        return
    out.write(f"scopes: {len(runs)}\n")
    for run in runs:
        _scope_line(run, out)
        if run.profile is not None:
            for line in rows(run.profile, "  "):
                out.write(line + "\n")


def _scope_line(run: Any, out: IO[str]) -> None:
    scope, sources = run.scope, run.project.sources if run.project is not None else None
    count = len(scope.files)
    named = sum(1 for s in sources if s.named) if sources is not None else 0
    out.write(f"scope {scope.name}: {count} file{'s' * (count != 1)} ({named} named), "
              f"from {scope.origin}\n")
