"""Mutation fuzzing through the CLI: hostile variants of real manifests never break a run.

Seeds are the fixtures under tests/fixtures and a few generated manifests; each case applies
one to four mutations (byte flips, syntax characters, cut and duplicated spans, a value
swapped for a hostile one: a list or mapping where a string goes, a huge or base-60 number,
an explicit tag, a recursive alias, deep nesting, NEL/LS line breaks, a lone surrogate
escape, a template placeholder, a mixed-family address) and lints the result end to end
through ``multus_lint.cli.main`` in one of every output format. Each run must exit 0, 1 or
2, raise nothing, report no ML000, write output that parses in its format, and finish in
bounded time; the whole session stays under a memory cap.

The suite runs a fixed number of cases from a fixed seed (reproducible, well under a minute).
A longer hunt, with another seed:

    MULTUS_LINT_FUZZ_CASES=20000 MULTUS_LINT_FUZZ_SEED=7 \\
        python -m pytest -q -p no:cacheprovider tests/test_fuzz_cli.py

A failing case is written to the pytest tmp folder and its seed and number are in the
assertion message: ``MULTUS_LINT_FUZZ_ONLY=<n>`` replays that one case.
"""

from __future__ import annotations

import json
import os
import random
import resource
import signal
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from multus_lint.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
SEED = int(os.environ.get("MULTUS_LINT_FUZZ_SEED", "14"))
CASES = int(os.environ.get("MULTUS_LINT_FUZZ_CASES", "2000"))
ONLY = os.environ.get("MULTUS_LINT_FUZZ_ONLY")
PER_RUN_SECONDS = 20  # generous on a shared machine; a run over one small file takes ~50 ms
MAX_PEAK_MIB = 1500  # the whole pytest process: bombs and hangs would take gigabytes
FORMATS = ["json", "sarif", "junit", "github", "concise", "text"]

GENERATED = [
    """apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: gen-{i}
  namespace: default
spec:
  config: |
    {"cniVersion": "1.0.0", "name": "gen-{i}", "plugins": [{"type": "macvlan", "master": "eth1",
      "ipam": {"type": "host-local", "subnet": "10.{i}.0.0/24", "rangeStart": "10.{i}.0.10",
      "rangeEnd": "10.{i}.0.99", "gateway": "10.{i}.0.1", "routes": [{"dst": "0.0.0.0/0"}]}}]}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
spec:
  template:
    metadata:
      annotations:
        k8s.v1.cni.cncf.io/networks: '[{"name": "gen-{i}", "interface": "net1", "ips": ["10.{i}.0.5/24"]}]'
    spec:
      containers:
        - name: app
          image: busybox
          args: ["sleep", "1d"]
""",
    """apiVersion: helm.cattle.io/v1
kind: HelmChart
metadata:
  name: rke2-multus
  namespace: kube-system
spec:
  chart: rke2-multus
  version: v4.2.311
  valuesContent: |-
    config:
      cni_conf:
        binDir: /var/lib/rancher/k3s/data/cni
        confDir: /var/lib/rancher/k3s/agent/etc/cni/net.d
    rke2-whereabouts:
      enabled: true
""",
    """apiVersion: apps/v1
kind: DaemonSet
metadata: {name: kube-multus-ds, namespace: kube-system}
spec:
  template:
    spec:
      containers:
        - name: kube-multus
          image: ghcr.io/k8snetworkplumbingwg/multus-cni:v4.1.0-thick
          command: ["/usr/src/multus-cni/bin/multus-daemon"]
          volumeMounts:
            - {name: cni, mountPath: /host/etc/cni/net.d}
      volumes:
        - {name: cni, hostPath: {path: /etc/cni/net.d}}
""",
]

HOSTILE_VALUES = [
    "[]", "{}", "[1, {a: [2]}]", "!!bool", "!!bool maybe", "!!int 1.5", "!!pairs [a: 1]",
    "0x" + "F" * 400, "9" * 30, "1:1:1:1:1", "&r [*r]", "*nope", "[" * 300 + "]" * 300,
    '"\\udc00mac"', '"a\\u0000b"', "\x85x", "a\u2028b", "{{ .Values.x }}", "%{DATA_DIR}%",
    "${VAR}", '"192.168.1.200"', '"ff02::1"', '"2001:db8::/64"', '"10.0.0.0/33"', "-1",
    "'" + "x" * 5000 + "'", "null", "~", ".inf", "\t", '"\\e]52;c;eA==\\a"', '"\u202ertl"',
]
SYNTAX = list("{}[],:\"'-#&*!|>?%@`\n\t ") + ["\r\n", "\r", "\x85", "\u2028", "\ufeff", "---\n",
                                               "...\n", "<<: ", "{{", "}}"]


def _seeds() -> list[str]:
    texts = []
    for path in sorted(FIXTURES.rglob("*")):
        if path.is_file() and path.suffix in (".yaml", ".yml", ".json", ".conf", ".conflist"):
            try:
                texts.append(path.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, OSError):
                continue
    texts += [g.replace("{i}", str(i)) for i in (1, 7) for g in GENERATED]
    return texts


def _mutate(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 4)):
        n = len(text)
        at = rng.randrange(n + 1)
        op = rng.randrange(7)
        if op == 0 and n:  # replace a value after a colon with a hostile one
            colon = text.find(": ", at)
            if colon == -1:
                colon = text.rfind(": ", 0, at)
            if colon != -1:
                end = text.find("\n", colon)
                end = n if end == -1 else end
                text = text[:colon + 2] + rng.choice(HOSTILE_VALUES) + text[end:]
                continue
        if op == 1:  # a JSON value inside spec.config or an annotation
            quote = text.find('": ', at)
            if quote != -1:
                end = min([i for i in (text.find(",", quote), text.find("}", quote)) if i != -1] or [n])
                value = rng.choice(['[]', '{}', '"ff02::1"', '1e999', '"\\udc00"', '[' * 60 + ']' * 60,
                                    '"{{ x }}"', 'null', '-0', '"' + "a" * 300 + '"'])
                text = text[:quote + 3] + value + text[end:]
                continue
        if op == 2:
            text = text[:at] + rng.choice(SYNTAX) + text[at:]
        elif op == 3 and n:
            end = min(n, at + rng.randint(1, 40))
            text = text[:at] + text[end:]
        elif op == 4 and n:
            end = min(n, at + rng.randint(1, 200))
            text = text[:end] + text[at:end] * rng.randint(1, 3) + text[end:]
        elif op == 5:
            lines = text.split("\n")
            i = rng.randrange(len(lines))
            lines[i] = " " * rng.randint(0, 3) + lines[i].lstrip() if rng.random() < 0.5 else lines[i] + "\t"
            text = "\n".join(lines)
        elif op == 6 and n:
            b = bytearray(text.encode("utf-8", errors="surrogateescape"))
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
            text = b.decode("utf-8", errors="surrogateescape")
    return text


def _check_output(fmt: str, out: str) -> None:
    if fmt in ("json", "sarif"):
        data = json.loads(out)
        if fmt == "sarif":
            assert data["runs"], "no SARIF run"
        else:
            assert not [f for f in data["findings"] if f["code"] == "ML000"], data["findings"]
    elif fmt == "junit":
        ET.fromstring(out)
    assert "ML000" not in out, out[:2000]


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Timeout()


def _one(tmp: Path, number: int, text: str, fmt: str) -> None:
    case = tmp / f"case{number}"
    case.mkdir()
    (case / ".git").mkdir()
    name = "m.json" if text.lstrip().startswith("{") and number % 2 else "m.yaml"
    (case / name).write_bytes(text.encode("utf-8", errors="surrogateescape"))
    out = case / "report.out"
    argv = ["--format", fmt, "--output-file", str(out), "--no-color", str(case)]
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(PER_RUN_SECONDS)
    start = time.monotonic()
    try:
        try:
            rc = main(argv)
        except SystemExit as exc:  # argparse usage errors
            rc = exc.code if isinstance(exc.code, int) else 2
    except _Timeout:
        raise AssertionError(f"case {number} (seed {SEED}, {fmt}) hung: see {case / name}") from None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    took = time.monotonic() - start
    assert rc in (0, 1, 2), (number, rc)
    assert took < PER_RUN_SECONDS
    if rc != 2:
        _check_output(fmt, out.read_text(encoding="utf-8", errors="strict"))


def test_mutation_fuzzing_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MULTUS_LINT_DEBUG", "1")  # an internal error raises here, not hides
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    seeds = _seeds()
    rng = random.Random(SEED)
    failures = []
    for number in range(CASES):
        text = _mutate(rng, rng.choice(seeds))
        fmt = FORMATS[number % len(FORMATS)]
        if ONLY is not None and str(number) != ONLY:
            continue
        try:
            _one(tmp_path, number, text, fmt)
        except Exception as exc:  # collect, then report every failing case at once
            failures.append(f"case {number} ({fmt}): {type(exc).__name__}: {str(exc)[:500]}")
            if len(failures) >= 5:
                break
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert not failures, f"seed {SEED}, files in {tmp_path}:\n" + "\n".join(failures)
    assert peak < MAX_PEAK_MIB, f"peak memory {peak:.0f} MiB"
