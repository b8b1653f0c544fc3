"""Issue 8 over the real-world corpus in ../shared (read in place, never copied).

KubeVirt references, a kpt ResourceList, duplicate JSON keys, a removed API version, an
unreachable route next hop and K3s %{NAME}% placeholders, each in the file SOURCES.tsv
describes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from multus_lint.load.read import Limits, read
from multus_lint.model.network_refs import network_refs
from multus_lint.model.project import build_project

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/real not present")


def corpus_file(prefix: str) -> Path:
    (path,) = CORPUS.glob(f"{prefix}-*")
    return path


def lint(prefix: str, select: str, tmp_path: Path) -> list[dict]:
    """Findings for one corpus file, linted on its own (its folder is the project)."""
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--format", "json", "--select", select,
                           str(corpus_file(prefix))], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    return [f for f in json.loads(proc.stdout)["findings"] if Path(f["path"]).name[:2] == prefix]


def model(prefix: str):  # noqa: ANN201 - a Project
    path = corpus_file(prefix)
    return build_project([read(str(path), path.name, Limits())], str(CORPUS), Limits())


def test_kubevirt_vm_resolves_its_ptp_conf_reference(tmp_path: Path) -> None:
    project = model("25")
    refs = [r for r in network_refs(project) if r.origin == "kubevirt"]
    assert [(r.doc.kind, r.namespace, r.name) for r in refs] == [("VirtualMachine", "default", "ptp-conf")]
    assert (refs[0].namespace, refs[0].name) in project.nad_index  # resolved: the NAD is there
    assert refs[0].site.span.line == 48  # networkName: ptp-conf
    # so neither "not found" nor "unused" is reported for it
    assert lint("25", "ML402,ML410", tmp_path) == []


def test_resourcelist_nads_are_linted(tmp_path: Path) -> None:
    project = model("59")
    names = sorted(n.name for n in project.nads)
    assert names == ["upf-cluster01-n3", "upf-cluster01-n4", "upf-cluster01-n6"]
    assert all(n.config is not None for n in project.nads)  # their spec.config JSON was parsed
    found = lint("59", "ML5,ML2", tmp_path)
    assert found and all(f["line"] > 190 for f in found)  # inside the items, where the NADs are


def test_ipmasq_twice_is_ml007(tmp_path: Path) -> None:
    found = lint("39", "ML007", tmp_path)
    assert [(f["code"], f["line"]) for f in found] == [("ML007", 19)]
    assert "ipMasq" in found[0]["message"] and "line 9" in found[0]["message"]


def test_extensions_v1beta1_daemonset_is_ml008(tmp_path: Path) -> None:
    found = lint("08", "ML008", tmp_path)
    by_line = {f["line"]: f["message"] for f in found}
    assert "DaemonSet under apiVersion extensions/v1beta1" in by_line[95]
    assert "CustomResourceDefinition" in by_line[2]  # the NAD CRD under apiextensions v1beta1
    assert all(f["severity"] == "error" for f in found)


def test_whereabouts_sample_route_via_10_10_5_1_is_ml307(tmp_path: Path) -> None:
    found = lint("18", "ML307,ML001", tmp_path)
    got = sorted((f["code"], f["line"]) for f in found)
    # the file is two JSON values (ML001 where the second starts); the first is judged
    assert got == [("ML001", 35), ("ML307", 16)]
    ml307 = next(f for f in found if f["code"] == "ML307")
    assert "10.10.5.1" in ml307["message"] and "192.168.1.0/24" in ml307["message"]


def test_k3s_data_dir_placeholder_is_ml003_info_not_a_path_error(tmp_path: Path) -> None:
    found = lint("26", "ML0,ML1", tmp_path)
    assert [(f["code"], f["severity"], f["line"]) for f in found if f["code"] == "ML003"] == \
        [("ML003", "info", 13)]
    assert not [f for f in found if f["code"] in ("ML101", "ML102")]
