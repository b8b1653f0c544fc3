"""Containment per object: a bug that raises on one object costs that object's verdict only.

Each test makes one piece of work raise on one object (a rule, the shared IPAM analysis,
the model builder, chart value layering) and checks that the same work's findings on the
other objects are still reported, with one ML000 located at the object that raised, naming
the work, the exception and the version.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from multus_lint import __version__
from multus_lint.config import Config
from multus_lint.runner import Options, run

NAD = """apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: {name}
spec:
  config: '{{"cniVersion": "1.0.0", "type": "macvlan", "master": "eth1", "ipam": {{"type": "static", "addresses": [{{"address": "10.{n}.0.5/24", "gateway": "10.99.{n}.1"}}]}}}}'
"""


def _project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    docs = [NAD.format(name=name, n=n) for n, name in enumerate(["first", "boom", "third"], 1)]
    (tmp_path / "a.yaml").write_text("---\n".join(docs[:2]), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(docs[2], encoding="utf-8")
    return tmp_path


def _run(root: Path, select: str) -> list:
    config = Config()
    result = run(Options(paths=[str(root)], select=select.split(",")), config)
    return result.findings


def _by_code(findings: list) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in findings:
        out.setdefault(f.code, []).append(f)
    return out


def _assert_ml000_at_boom(ml000: list, what: str) -> None:
    assert len(ml000) == 1, [f.message for f in ml000]
    f = ml000[0]
    assert f.path.endswith("a.yaml")
    assert f.span.line == 11  # metadata.name of the second document
    assert f.object and f.object["name"] == "boom"
    assert what in f.message and "RuntimeError: injected" in f.message
    assert "Please report this" in f.message and __version__ in f.message


def _site_raises_on_boom(monkeypatch: pytest.MonkeyPatch) -> None:
    """Locating a finding in the NAD named boom raises (a rule's bug on that one object)."""
    from multus_lint.model import ipam_uses as uses_module

    original = uses_module.IpamUse.site

    def site(self, rel: tuple = ()):  # type: ignore[no-untyped-def]
        if self.nad is not None and self.nad.name == "boom":
            raise RuntimeError("injected")
        return original(self, rel)

    monkeypatch.setattr(uses_module.IpamUse, "site", site)


def test_a_rule_raising_on_one_nad_still_reports_the_others(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path)
    _site_raises_on_boom(monkeypatch)
    found = _by_code(_run(root, "ML000,ML301"))
    # ML301 (gateway outside the subnet) for the two NADs the rule did not raise on
    assert sorted(f.object["name"] for f in found["ML301"]) == ["first", "third"]
    _assert_ml000_at_boom(found["ML000"], "the check for ML301")


def test_the_shared_ipam_analysis_raising_on_one_config(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from multus_lint.net import ipam_codec  # model.ipam_uses analyses each config through it

    root = _project(tmp_path)
    original = ipam_codec.analyze_ipam

    def analyze(ipam, version="1.0.0"):  # type: ignore[no-untyped-def]
        if ipam.get("addresses", [{}])[0].get("address", "").startswith("10.2."):
            raise RuntimeError("injected")
        return original(ipam, version)

    monkeypatch.setattr(ipam_codec, "analyze_ipam", analyze)
    found = _by_code(_run(root, "ML0,ML3"))
    assert sorted(f.object["name"] for f in found["ML301"]) == ["first", "third"]
    # one ML000 for the object, not one per rule that reads the analysis
    _assert_ml000_at_boom(found["ML000"], "the IPAM analysis")


def test_the_model_builder_raising_on_one_document(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from multus_lint.model import project as project_module

    root = _project(tmp_path)
    original = project_module.Builder.make_nad

    def make_nad(self, doc):  # type: ignore[no-untyped-def]
        if doc.name == "boom":
            raise RuntimeError("injected")
        return original(self, doc)

    monkeypatch.setattr(project_module.Builder, "make_nad", make_nad)
    found = _by_code(_run(root, "ML0,ML301"))
    # the other document of the same file is still read and judged
    assert sorted(f.object["name"] for f in found["ML301"]) == ["first", "third"]
    _assert_ml000_at_boom(found["ML000"], "reading this object")


HELMCHART = """apiVersion: helm.cattle.io/v1
kind: HelmChart
metadata:
  name: {name}
  namespace: kube-system
spec:
  chart: rke2-multus
  version: v4.2.311
  valuesContent: |-
    config:
      cni_conf:
        binDir: /opt/cni/bin
"""


def test_chart_values_layering_raising_on_one_chart(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from multus_lint.model import charts

    (tmp_path / ".git").mkdir()
    (tmp_path / "a.yaml").write_text(HELMCHART.format(name="rke2-multus") + "---\n"
                                     + HELMCHART.format(name="boom"), encoding="utf-8")
    original = charts.values_layers

    def layers(doc, *args, **kwargs):  # type: ignore[no-untyped-def]
        if doc.name == "boom":
            raise RuntimeError("injected")
        return original(doc, *args, **kwargs)

    monkeypatch.setattr(charts, "values_layers", layers)
    found = _by_code(_run(tmp_path, "ML0,ML101"))
    assert [f.object["name"] for f in found["ML101"]] == ["rke2-multus"]
    [f] = found["ML000"]
    assert f.object["name"] == "boom" and "resolving chart values" in f.message
    assert f.span.line == 17  # the second HelmChart's metadata.name


UNKNOWN_IPAM = NAD.replace('"type": "static", "addresses": [{{"address": "10.{n}.0.5/24", "gateway": "10.99.{n}.1"}}]',
                           '"type": "no-such-ipam"')


@pytest.mark.parametrize("rule", ["ML208", "ML304"])
def test_a_rule_raising_on_one_named_object_in_a_run_naming_one_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: str) -> None:
    """A file named alone, the other as context: a checker that reports on the named
    objects (runner.judge's Context.judged) and raises on one of them runs again without
    it, in the named view as well (runner._rerun_named), so the other named object is
    still judged."""
    from multus_lint.rules import ipam as ipam_rules

    (tmp_path / ".git").mkdir()
    if rule == "ML208":
        docs = [UNKNOWN_IPAM.format(name=name, n=n) for n, name in enumerate(["first", "boom", "third"], 1)]
        original = ipam_rules._unknown_ipam

        def judge(ctx, cfg, *args):  # type: ignore[no-untyped-def]
            if cfg.owner.name == "boom":
                raise RuntimeError("injected")
            return original(ctx, cfg, *args)

        monkeypatch.setattr(ipam_rules, "_unknown_ipam", judge)
    else:  # every NAD on one static address: each overlaps the others
        docs = [NAD.format(name=name, n=1) for name in ["first", "boom", "third"]]
        _site_raises_on_boom(monkeypatch)
    (tmp_path / "a.yaml").write_text("---\n".join(docs[:2]), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(docs[2], encoding="utf-8")
    result = run(Options(paths=[str(tmp_path / "a.yaml")], select=["ML000", rule]), Config())
    found = _by_code(result.findings)
    assert {f.object["name"] for f in found[rule]} == {"first"}
    _assert_ml000_at_boom(found["ML000"], f"the check for {rule}")
