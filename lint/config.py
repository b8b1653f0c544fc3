"""The configuration file: ``.multus-lint.yaml`` or ``[tool.multus-lint]`` in pyproject.toml.

Config is checked and defaulted here, before any rule sees it: an unknown key or a
value of the wrong type is a usage error (exit 2) with a did-you-mean.
"""

from __future__ import annotations

import os
from typing import Any

from multus_lint.findings import SEVERITIES
from multus_lint.load.read import Limits
from multus_lint.records import dataclass, field
from multus_lint.suggest import hint

CONFIG_NAMES = (".multus-lint.yaml", ".multus-lint.yml")
CLUSTER_KEYS = ("distro", "k3s-version", "data-dir", "nodes", "cluster-cidr", "service-cidr",
                "flannel-backend")
TOP_KEYS = ("select", "ignore", "severity", "per-path-ignores", "exclude", "known-networks",
            "extra-plugins", "cluster", "clusters", "limits", "fail-level")
CLUSTERS_KEYS = ("name", "paths", "cluster")


class ConfigError(Exception):
    """A usage or configuration error: reported on stderr, exit code 2."""


@dataclass
class Config:
    path: str | None = None
    root: str = "."
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    known_networks: list[str] = field(default_factory=list)
    extra_plugins: list[str] = field(default_factory=list)
    cluster: dict[str, Any] = field(default_factory=dict)
    # declared cluster scopes: [{name, paths: [globs], cluster: {profile keys}}]
    clusters: list[dict[str, Any]] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    fail_level: str | None = None


def find_config(start: str | list[str]) -> str | None:
    """The nearest config file for the named paths (absolute locations, or one start path):
    at or above the first, not above the repository's top, and with no repository only in
    its own folder (load.discover.config_search_folders); pyproject.toml counts when it has
    a ``[tool.multus-lint]`` table."""
    from multus_lint.load.discover import config_search_folders

    locations = [os.path.abspath(start)] if isinstance(start, str) else start
    for here in config_search_folders(locations):
        for name in CONFIG_NAMES:
            candidate = os.path.join(here, name)
            if os.path.isfile(candidate):
                return candidate
        pyproject = os.path.join(here, "pyproject.toml")
        if os.path.isfile(pyproject) and _pyproject_table(pyproject) is not None:
            return pyproject
    return None


def discover_config(locations: list[str], explicit: str | None = None,
                    isolated: bool = False) -> Config:
    """The config in force: ``--config FILE``; none with ``--isolated`` (as ruff's: every
    config file ignored); else the nearest one for the named paths, or the defaults."""
    if isolated:
        return Config()
    if explicit:
        if not os.path.isfile(explicit):
            raise ConfigError(f"--config {explicit}: no such file")
        return load_config(explicit)
    found = find_config(locations)
    return load_config(found) if found else Config()


def _pyproject_table(path: str) -> dict | None:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    except RecursionError as exc:  # nested past the interpreter's stack (a hostile file)
        raise ConfigError(f"{path}: cannot read: nested too deep") from exc
    tool = data.get("tool")
    table = tool.get("multus-lint") if isinstance(tool, dict) else None
    return table if isinstance(table, dict) else None


def load_config(path: str) -> Config:
    if path.endswith(".toml"):
        raw = _pyproject_table(path)
        if raw is None:
            raise ConfigError(f"{path}: no [tool.multus-lint] table")
    else:
        import yaml

        try:
            with open(path, encoding="utf-8") as fh:
                raw = yaml.safe_load(fh)
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{path}: not UTF-8 text") from exc
        except RecursionError as exc:  # nested past the interpreter's stack (a hostile file)
            raise ConfigError(f"{path}: not a multus-lint config (nested too deep)") from exc
        if raw is None:
            raw = {}
    cfg = parse_config(raw, path)
    cfg.path = path
    cfg.root = os.path.dirname(os.path.abspath(path))
    return cfg


def parse_config(raw: Any, where: str = "config") -> Config:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: the configuration must be a mapping")
    cfg = Config()
    for key, value in raw.items():
        if key not in TOP_KEYS:
            raise ConfigError(f"{where}: unknown key '{key}'{hint(str(key), TOP_KEYS)}")
        attr = key.replace("-", "_")
        if key in ("select", "ignore", "exclude", "known-networks", "extra-plugins"):
            setattr(cfg, attr, _str_list(value, f"{where}: {key}"))
        elif key == "severity":
            cfg.severity = _severity_map(value, where)
        elif key == "per-path-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: per-path-ignores must map path globs to rule lists")
            cfg.per_path_ignores = {str(k): _str_list(v, f"{where}: per-path-ignores.{k}")
                                    for k, v in value.items()}
        elif key == "cluster":
            cfg.cluster = _cluster(value, where)
        elif key == "clusters":
            cfg.clusters = _clusters(value, where)
        elif key == "limits":
            cfg.limits = _limits(value, where)
        elif key == "fail-level":
            if value not in SEVERITIES:
                raise ConfigError(f"{where}: fail-level must be one of {', '.join(SEVERITIES)}")
            cfg.fail_level = value
    _check_rule_names(cfg, where)
    return cfg


def _str_list(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
        return [str(v) for v in value]
    raise ConfigError(f"{where}: expected a list of strings")


def _severity_map(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: severity must map rules to error|warning|info")
    out = {}
    for rule, sev in value.items():
        if sev not in SEVERITIES:
            raise ConfigError(f"{where}: severity.{rule}: '{sev}' is not one of {', '.join(SEVERITIES)}")
        out[str(rule)] = sev
    return out


def _cluster(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: cluster must be a mapping")
    for key in value:
        if key not in CLUSTER_KEYS:
            raise ConfigError(f"{where}: unknown key 'cluster.{key}'{hint(str(key), CLUSTER_KEYS)}")
    out = dict(value)
    if "nodes" in out and not (isinstance(out["nodes"], int) and out["nodes"] >= 1) \
            and out["nodes"] not in ("unknown", None):
        raise ConfigError(f"{where}: cluster.nodes must be a positive number or 'unknown'")
    return out


def _clusters(value: Any, where: str) -> list[dict[str, Any]]:
    """``clusters:``: the cluster scopes, each files (globs relative to the root) deployed
    to one cluster, with that cluster's profile keys."""
    if not isinstance(value, list):
        raise ConfigError(f"{where}: clusters must be a list of {{name, paths, cluster}} mappings")
    out: list[dict[str, Any]] = []
    names: set[str] = set()
    for i, entry in enumerate(value):
        label = f"{where}: clusters[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{label} must be a mapping with name, paths and cluster")
        for key in entry:
            if key not in CLUSTERS_KEYS:
                raise ConfigError(f"{label}: unknown key '{key}'{hint(str(key), CLUSTERS_KEYS)}")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip() or name.startswith("("):
            raise ConfigError(f"{label}: name must be a non-empty string")
        if name in names:
            raise ConfigError(f"{label}: the name '{name}' is used twice")
        names.add(name)
        if "paths" not in entry:
            raise ConfigError(f"{label} ({name}): paths is required (globs of its files)")
        paths = _str_list(entry["paths"], f"{label}.paths")
        if not paths:
            raise ConfigError(f"{label} ({name}): paths is empty")
        cluster = _cluster(entry.get("cluster") or {}, f"{label}")
        out.append({"name": name, "paths": paths, "cluster": cluster})
    return out


def _limits(value: Any, where: str) -> Limits:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: limits must be a mapping")
    limits = Limits()
    for key, v in value.items():
        if key not in Limits.KEYS:
            raise ConfigError(f"{where}: unknown key 'limits.{key}'{hint(str(key), Limits.KEYS)}")
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise ConfigError(f"{where}: limits.{key} must be a positive integer")
        setattr(limits, key.replace("-", "_"), v)
    return limits


def _check_rule_names(cfg: Config, where: str) -> None:
    from multus_lint import registry

    names = list(registry.iter_rule_names())
    groups = [("select", cfg.select), ("ignore", cfg.ignore), ("severity", list(cfg.severity))]
    groups += [(f"per-path-ignores.{k}", v) for k, v in cfg.per_path_ignores.items()]
    for label, items in groups:
        _, unknown = registry.expand(items)
        if unknown:
            raise ConfigError(f"{where}: {label}: unknown rule '{unknown[0]}'{hint(unknown[0], names)}")
