"""What a checker sees: the project, the cluster profile, the config, and a way to report."""

from __future__ import annotations

from typing import Any

from multus_lint.config import Config
from multus_lint.findings import Finding
from multus_lint.load.document import Site
from multus_lint.model.contain import owner_document
from multus_lint.model.profile import Profile
from multus_lint.model.project import Project
from multus_lint.records import dataclass, field
from multus_lint.registry import Rule


@dataclass(repr=False, eq=False)
class Context:
    project: Project
    profile: Profile
    config: Config
    # The objects whose findings can be reported: a view of ``project`` holding the named
    # files' objects (model.contain.without), None when every file is named (an audit). A
    # checker judging each object against the rest of the project iterates ``judged`` and
    # looks the rest up in ``project``: what it would say of a context file is never shown.
    named: Project | None = None

    _reported: set[int] | None = field(default=None, repr=False)

    @property
    def judged(self) -> Project:
        """The project whose object lists a checker reports on (see ``named``). Only its plain
        lists (nads, cni_configs, documents) and analyses of one object at a time
        (model.ipam_uses) equal the whole project's cut down: an analysis that looks objects
        up (annotation uses of chart values name their chart through its repository) is
        taken of ``project`` and filtered with ``reported``."""
        return self.named if self.named is not None else self.project

    def reported(self, obj: Any) -> bool:
        """Whether findings about ``obj`` (a document, an embedded one, or a model object
        holding one) can be reported: it is in ``judged``."""
        if self.named is None:
            return True
        if self._reported is None:
            self._reported = {id(d) for d in self.named.documents}
        return id(owner_document(obj) or obj) in self._reported

    def finding(self, rule: Rule, site: Site, message: str, severity: str | None = None,
                fix: Any = None) -> Finding:
        f = Finding(rule.code, rule.name, severity or rule.severity, message, site.source.path,
                    site.span, site.object)
        if fix is not None:
            f.extra["fix"] = fix
        return f
