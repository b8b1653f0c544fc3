"""A Multus DaemonSet deployed from raw manifests: its containers, args and host paths.

Container-side paths in args (``/host/opt/cni/bin``) are resolved through the
volumeMounts to the hostPath volume behind them, so a wrong host dir is reported once,
at that volume's ``hostPath.path``.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from multus_lint.load.document import Document, get_path
from multus_lint.load.positions import Path

# thin_entrypoint flag defaults (multus-cni cmd/thin_entrypoint/main.go); the older
# /entrypoint.sh (Multus 3.x images) has the same flags and defaults.
THIN_DEFAULTS = {
    "cni-bin-dir": "/host/opt/cni/bin",
    "cni-conf-dir": "/host/etc/cni/net.d",
    "multus-autoconfig-dir": "/host/etc/cni/net.d",
    "multus-kubeconfig-file-host": "/etc/cni/net.d/multus.d/multus.kubeconfig",
    "multus-conf-file": "auto",
}

# multus-daemon (thick) reads daemon-config.json; these are container paths with these
# defaults (multus-cni pkg/server/config, deployments/multus-daemonset-thick.yml).
THICK_DEFAULTS = {
    "cniConfigDir": "/host/etc/cni/net.d",
    "multusAutoconfigDir": "/host/etc/cni/net.d",
    "binDir": "/opt/cni/bin",
}
DAEMON_CONFIG_KEY = "daemon-config.json"


@dataclass
class Container:
    path: Path  # of the container in the document
    data: dict[str, Any]

    @property
    def args(self) -> list[str]:
        out = []
        for key in ("command", "args"):
            items = self.data.get(key)
            for a in items if isinstance(items, list) else []:
                if isinstance(a, (str, int)):
                    out.append(str(a))
        return out

    def flag(self, name: str) -> tuple[str | None, Path | None]:
        """Value of ``--name=value`` / ``-name value`` and the path of the arg holding it."""
        for key in ("args", "command"):
            items = self.data.get(key)
            if not isinstance(items, list):
                continue
            for i, a in enumerate(items):
                if not isinstance(a, str):
                    continue
                for prefix in (f"--{name}=", f"-{name}="):
                    if a.startswith(prefix):
                        return a[len(prefix):], self.path + (key, i)
                if a in (f"--{name}", f"-{name}") and i + 1 < len(items):
                    return str(items[i + 1]), self.path + (key, i + 1)
        return None, None

    @property
    def is_thin(self) -> bool:
        return any("thin_entrypoint" in a or a.endswith("/entrypoint.sh") for a in self.args) or (
            "thick" not in str(self.data.get("image", "")) and not self.is_thick and self.is_multus)

    @property
    def is_thick(self) -> bool:
        return any("multus-daemon" in a for a in self.args) or "thick" in str(self.data.get("image", ""))

    @property
    def is_multus(self) -> bool:
        text = str(self.data.get("image", "")) + " ".join(self.args)
        return "multus" in text

    @property
    def entrypoint(self) -> str | None:
        """"thin", "entrypoint.sh", "thick", or None when command and args say nothing."""
        args = self.args
        if any("thin_entrypoint" in a for a in args):
            return "thin"
        if any(a.endswith("/entrypoint.sh") or a == "entrypoint.sh" for a in args):
            return "entrypoint.sh"
        if any("multus-daemon" in a for a in args):
            return "thick"
        return None

    @property
    def args_site_path(self) -> Path:
        """Where a missing flag is reported: the ``args`` key, else ``command``, else the name."""
        for key in ("args", "command"):
            if key in self.data:
                return self.path + (key,)
        return self.path + ("name",)


class MultusDaemonSet:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        spec_path: Path = ("spec", "template", "spec")
        self.spec_path = spec_path
        spec = get_path(doc.data, spec_path) or {}
        self.containers: list[Container] = []
        for key in ("initContainers", "containers"):
            for i, c in enumerate(spec.get(key) or []):
                if isinstance(c, dict):
                    self.containers.append(Container(spec_path + (key, i), c))
        self.volumes: dict[str, tuple[str, Path]] = {}  # name -> (host path, path of hostPath.path)
        self.configmaps: dict[str, str] = {}  # volume name -> ConfigMap name
        self.configmap_items: dict[str, dict[str, str]] = {}  # volume name -> {file: key}
        for i, v in enumerate(spec.get("volumes") or []):
            if isinstance(v, dict) and isinstance(v.get("hostPath"), dict):
                hp = v["hostPath"].get("path")
                if isinstance(hp, str) and isinstance(v.get("name"), str):
                    self.volumes[v["name"]] = (hp, spec_path + ("volumes", i, "hostPath", "path"))
            elif isinstance(v, dict) and isinstance(v.get("configMap"), dict):
                cm = v["configMap"].get("name")
                if isinstance(cm, str) and isinstance(v.get("name"), str):
                    self.configmaps[v["name"]] = cm
                    items = v["configMap"].get("items")
                    self.configmap_items[v["name"]] = {
                        str(it.get("path")): str(it.get("key")) for it in items
                        if isinstance(it, dict) and it.get("path") and it.get("key")
                    } if isinstance(items, list) else {}

    def configmap_file(self, container: Container, inner: str, project: Any) -> tuple[Document, str] | None:
        """(ConfigMap, data key) of the file at container path ``inner``, when one is mounted there."""
        for m in container.data.get("volumeMounts") or []:
            if not isinstance(m, dict) or m.get("name") not in self.configmaps:
                continue
            mount = str(m.get("mountPath", "")).rstrip("/")
            if not inner.startswith(mount + "/"):
                continue
            rest = inner[len(mount) + 1:]
            sub = m.get("subPath")
            items = self.configmap_items.get(m["name"], {})
            if isinstance(sub, str) and sub:  # the mount is the file itself
                if inner.rstrip("/") != mount:
                    continue
                rest = sub
            key = items.get(rest, rest if not items else None)
            if key is None:
                continue
            ns = self.doc.namespace or "default"
            for cm in project.of_kind("ConfigMap"):
                data = cm.data.get("data")
                if cm.name == self.configmaps[m["name"]] and (cm.namespace or "default") == ns \
                        and isinstance(data, dict) and isinstance(data.get(key), str):
                    return cm, key
        return None

    def daemon_config(self, project: Any) -> Document | None:
        """The ConfigMap holding the thick plugin's daemon-config.json, when it is in the project."""
        ns = self.doc.namespace or "default"
        wanted = set(self.configmaps.values())
        for cm in project.of_kind("ConfigMap"):
            data = cm.data.get("data")
            if cm.name in wanted and (cm.namespace or "default") == ns and isinstance(data, dict) \
                    and isinstance(data.get(DAEMON_CONFIG_KEY), str):
                return cm
        return None

    @property
    def multus_containers(self) -> list[Container]:
        return [c for c in self.containers if c.is_multus]

    def host_path(self, container: Container, inner: str) -> tuple[str, str, Path] | None:
        """(host path, volume name, path of its hostPath.path) behind a container path."""
        best = None
        for m in container.data.get("volumeMounts") or []:
            if not isinstance(m, dict):
                continue
            mount, name = m.get("mountPath"), m.get("name")
            if not isinstance(mount, str) or name not in self.volumes:
                continue
            mount = mount.rstrip("/") or "/"
            norm = inner.rstrip("/") or "/"
            if norm == mount or norm.startswith(mount + "/") or mount == "/":
                if best is None or len(mount) > len(best[0]):
                    best = (mount, name)
        if best is None:
            return None
        mount, name = best
        host, where = self.volumes[name]
        rest = (inner.rstrip("/") or "/")[len(mount):].lstrip("/")
        return (posixpath.join(host, rest) if rest else host), name, where
