"""Benchmark: ML304 (ipam-range-overlap) over many NetworkAttachmentDefinitions.

    python benchmarks/overlap_bench.py                 # 10,000 NADs, mixed and adversarial sets
    python benchmarks/overlap_bench.py --nads 50000    # scaling check
    python benchmarks/overlap_bench.py --json out.json

The NADs are generated in memory (one multi-document YAML file in a temporary dir), loaded
through the normal pipeline (discover, load with positions, project model) and then the
ML304 checker runs on the model, timed on its own: the sweep, the grouping and the finding
messages, not the YAML parsing. As in ``runner.run``, the cyclic garbage collector is
paused while the project is built and checked. Times are wall-clock, best of ``--repeat``
runs (the first includes the lazy position scan of the JSON configs). Three
sets: "mixed" (mostly distinct ranges, some shared pools, some real overlaps, IPv4 and
IPv6, whereabouts/host-local/static), "shared" (every NAD on one whereabouts pool: one
group), "adversarial" (every NAD on the same CIDR under its own network_name: every pair
overlaps, so only the per-pool partner cap keeps the findings linear).
A pairwise loop on 10,000 NADs would be 50 million comparisons.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time


def nad(i: int, ipam: str, name: str | None = None) -> str:
    """A NAD as people write them: the CNI JSON in a literal block scalar."""
    return (f"apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata:\n"
            f"  name: net-{i}\n  namespace: ns-{i % 50}\nspec:\n  config: |\n"
            f"    {{\n"
            f'      "cniVersion": "1.0.0",\n'
            f'      "name": "{name or f"net-{i}"}",\n'
            f'      "type": "macvlan",\n'
            f'      "master": "eth1",\n'
            f'      "ipam": {ipam}\n'
            f"    }}\n")


def mixed(n: int) -> list[str]:
    out = []
    for i in range(n):
        k = i % 20
        if k < 12:    # distinct whereabouts /24s
            ipam = '{"type": "whereabouts", "range": "10.%d.%d.0/24"}' % (i // 256 % 256, i % 256)
        elif k < 14:  # distinct IPv6 /64s
            ipam = '{"type": "whereabouts", "range": "fd%02x:%x::/64"}' % (i % 256, i)
        elif k == 14:  # one shared pool for every 20th NAD (same CIDR, no network_name)
            ipam = '{"type": "whereabouts", "range": "172.16.0.0/16"}'
        elif k == 15:  # a pool inside another NAD's range, under its own network_name
            ipam = '{"type": "whereabouts", "range": "10.%d.%d.128/25", "network_name": "n%d"}' % (
                (i - 15) // 256 % 256, (i - 15) % 256, i)
        elif k < 18:  # host-local, distinct
            ipam = '{"type": "host-local", "subnet": "192.%d.%d.0/24"}' % (i // 256 % 256, i % 256)
        else:         # static addresses
            ipam = '{"type": "static", "addresses": [{"address": "100.%d.%d.%d/16"}]}' % (
                i // 65536 % 256, i // 256 % 256, i % 256)
        out.append(nad(i, ipam))
    return out


def shared(n: int) -> list[str]:
    return [nad(i, '{"type": "whereabouts", "range": "10.1.0.0/16"}') for i in range(n)]


def adversarial(n: int) -> list[str]:
    return [nad(i, '{"type": "whereabouts", "range": "10.2.0.0/16", "network_name": "n%d"}' % i)
            for i in range(n)]


def run(docs: list[str], repeat: int) -> dict[str, float | int]:
    from multus_lint import registry
    from multus_lint.config import Config
    from multus_lint.context import Context
    from multus_lint.load.read import Limits, read
    from multus_lint.model.profile import Profile
    from multus_lint.model.project import build_project
    from multus_lint.rules.addressing import range_overlap

    registry.load_rules()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "nads.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write("---\n".join(docs))
        limits = Limits(max_file_size=1 << 30)  # one big file of NADs
        t0 = time.perf_counter()
        project = build_project([read(path, "nads.yaml", limits)], tmp, limits)
        load = time.perf_counter() - t0
    assert len(project.nads) == len(docs), len(project.nads)
    best = best_cpu = first = float("inf")
    findings = 0
    for n in range(repeat):
        project._cache.clear()  # the IPAM analysis is part of what ML304 costs
        ctx = Context(project, Profile(), Config())
        t0, c0 = time.perf_counter(), time.process_time()
        findings = len(list(range_overlap(ctx)))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        first = wall if n == 0 else first
        best, best_cpu = min(best, wall), min(best_cpu, cpu)
    return {"nads": len(docs), "load_s": round(load, 3), "ml304_first_s": round(first, 4),
            "ml304_s": round(best, 4), "ml304_cpu_s": round(best_cpu, 4), "findings": findings}


def main() -> int:
    gc.disable()  # as runner.run does for a whole lint run
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nads", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json")
    args = ap.parse_args()
    results = {}
    for name, make in (("mixed", mixed), ("shared", shared), ("adversarial", adversarial)):
        r = run(make(args.nads), args.repeat)
        results[name] = r
        print(f"{name:12} {r['nads']:6} NADs  load+model {r['load_s']:7.3f}s  ML304 first "
              f"{r['ml304_first_s']:.4f}s, best {r['ml304_s']:.4f}s (cpu {r['ml304_cpu_s']:.4f}s)  "
              f"findings {r['findings']}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2)
    budget = args.nads / 10_000  # the target: well under a second per 10,000 NADs
    slow = [k for k, r in results.items() if r["ml304_s"] >= budget]
    if slow:
        print(f"ML304 took {budget:g} s or more on: {', '.join(slow)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
