"""Benchmark of ``--format html`` on the synthetic repository (issue 18).

    python benchmarks/html_report.py                 # 10,000 documents
    python benchmarks/html_report.py --documents 2000

Times the audit with the JSON report and with the HTML report on the same generated files
(benchmarks/out/, git ignored), best of ``--repeat`` runs each, and prints the cost of the
HTML rendering (the difference), the ratio to the audit and the size of the page. The exit
code is 1 when rendering takes more than half the audit's own time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from generate import generate  # noqa: E402

MAX_RENDER_VS_AUDIT = 0.5


def timed(cmd: list[str], cwd: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        best = min(best, time.perf_counter() - start)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.decode()[-500:]}")
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--documents", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    dest = os.path.join(HERE, "out", f"html-{args.documents}")
    if not os.path.isdir(dest):
        generate(dest, args.documents)
    os.makedirs(os.path.join(dest, ".git"), exist_ok=True)  # the project root
    lint = [sys.executable, "-m", "multus_lint", "--format"]
    page = os.path.join(dest, "..", f"report-{args.documents}.html")
    audit = timed([*lint, "json", "."], dest, args.repeat)
    html = timed([*lint, "html", "--output-file", page, "."], dest, args.repeat)
    render = max(0.0, html - audit)
    size = os.path.getsize(page)
    print(f"documents            {args.documents:>10,}")
    print(f"audit, JSON report   {audit:>10.2f} s")
    print(f"audit, HTML report   {html:>10.2f} s")
    print(f"HTML rendering       {render:>10.2f} s  ({render / audit:.2f}x the audit)")
    print(f"page size            {size / 1024 / 1024:>10.2f} MiB  ({page})")
    return 0 if render <= MAX_RENDER_VS_AUDIT * audit else 1


if __name__ == "__main__":
    sys.exit(main())
