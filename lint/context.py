"""What a checker sees: the project, the cluster profile, the config, and a way to report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from multus_lint.config import Config
from multus_lint.findings import Finding
from multus_lint.load.document import Site
from multus_lint.model.profile import Profile
from multus_lint.model.project import Project
from multus_lint.registry import Rule


@dataclass
class Context:
    project: Project
    profile: Profile
    config: Config

    def finding(self, rule: Rule, site: Site, message: str, severity: str | None = None,
                fix: Any = None) -> Finding:
        f = Finding(rule.code, rule.name, severity or rule.severity, message, site.source.path,
                    site.span, site.object)
        if fix is not None:
            f.extra["fix"] = fix
        return f
