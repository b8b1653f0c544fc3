"""Benchmark: one cluster scope of N documents against S scopes of N/S documents each.

    python benchmarks/scopes.py                       # 10,000 documents, 10 scopes
    python benchmarks/scopes.py --documents 2000 --scopes 4 --repeat 1

Both trees come from benchmarks/generate.py (benchmarks/out/, git ignored); each run is the
whole audit (``multus-lint --format json .``), wall-clock, best of ``--repeat``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from generate import generate, generate_clusters  # noqa: E402


def timed(cwd: str, repeat: int) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "multus_lint", "--format", "json", "."], cwd=cwd,
                              capture_output=True)
        best = min(best, time.perf_counter() - start)
        count = len(json.loads(proc.stdout)["findings"])
    return best, count


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--documents", type=int, default=10000)
    ap.add_argument("--scopes", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    one = os.path.join(HERE, "out", "one-scope")
    many = os.path.join(HERE, "out", f"{args.scopes}-scopes")
    generate(one, args.documents)
    generate_clusters(many, args.documents, args.scopes)
    t1, n1 = timed(one, args.repeat)
    t2, n2 = timed(many, args.repeat)
    print(f"1 scope of {args.documents:,}: {t1:.2f} s ({n1} findings)")
    print(f"{args.scopes} scopes of {args.documents // args.scopes:,}: {t2:.2f} s ({n2} findings), "
          f"{t2 / t1:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
