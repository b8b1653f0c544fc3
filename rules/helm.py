"""ML6xx: HelmChart, HelmChartConfig and K3s config files."""

from __future__ import annotations

from multus_lint.registry import declare

VALUES_INVALID = declare(
    "ML601", "helm-values-invalid", "error",
    "valuesContent is not valid YAML or not a mapping.",
    what="Parses `spec.valuesContent` of HelmCharts and HelmChartConfigs and reports YAML errors at "
         "their real line inside the block scalar.",
    why="helm-controller's install job fails on unparsable values, and nothing in the HelmChart's "
        "status says which line is wrong.",
    example="valuesContent: |-\n  config:\n    cni_conf:\n     binDir: /x\n      confDir: /y",
    fix="Fix the YAML at the reported line.",
    refs=("https://docs.k3s.io/helm",),
)
