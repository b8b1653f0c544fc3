"""A progress bar on standard error for long runs, and nothing otherwise.

Shown only when standard error is a terminal, no ``CI`` variable is set and the run has
already taken ``DELAY`` seconds (so a quick run never flickers); drawn by rich, imported
only then, and cleared when the run ends, so a terminal keeps just the report. The runner
calls the object with ``(stage, done, total)``; pipes and CI logs never see a byte of it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

# MULTUS_LINT_PROGRESS_DELAY: seconds before the bar appears (the pty test sets 0).
DELAY = float(os.environ.get("MULTUS_LINT_PROGRESS_DELAY", "1.0") or 1.0)


class Progress:
    def __init__(self, stream: IO[str], delay: float = DELAY) -> None:
        self.stream = stream
        self.start = time.monotonic()
        self.delay = delay
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self._bar is None:
            if time.monotonic() - self.start < self.delay:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as Bar

            self._bar = Bar(TextColumn("{task.description:<9}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=Console(file=self.stream), transient=True)
            self._bar.start()
        if self._task is None:
            self._task = self._bar.add_task(stage, total=total)
        # one line: the stage's name, and how far it is
        self._bar.update(self._task, description=stage, completed=done, total=max(total, 1))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def wanted(stream: Any, env: os._Environ | dict = os.environ) -> bool:
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return tty and not env.get("CI") and env.get("TERM") != "dumb"


@contextmanager
def progress_for(stream: Any, enabled: bool = True) -> Iterator[Progress | None]:
    """A ``Progress`` for ``stream`` when one may be shown, else None."""
    if not (enabled and wanted(stream)):
        yield None
        return
    bar = Progress(stream)
    try:
        yield bar
    finally:
        bar.close()
