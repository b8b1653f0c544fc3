"""JSON Schema validation of CNI configs and chart values against the package data in
``multus_lint.schemas``: schema loading and error-to-finding mapping (``schemas``), CNI
config validation with Go's case-insensitive keys (``cni``) and the compiled yes/no fast
path (``compiled``).

May import: ``multus_lint.findings``, ``multus_lint.suggest`` and ``multus_lint.load``.
"""
