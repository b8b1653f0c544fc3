"""multus-lint: a static linter for Multus CNI manifests on K3s."""

__version__ = "0.2.0"
