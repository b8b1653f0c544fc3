"""A Multus DaemonSet deployed from raw manifests: its containers, args and host paths.

Container-side paths in args (``/host/opt/cni/bin``) are resolved through the
volumeMounts to the hostPath volume behind them, so a wrong host dir is reported once,
at that volume's ``hostPath.path``.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from multus_lint.document import Document, get_path
from multus_lint.tree import Path

# thin_entrypoint flag defaults (multus-cni cmd/thin_entrypoint/main.go)
THIN_DEFAULTS = {
    "cni-bin-dir": "/host/opt/cni/bin",
    "cni-conf-dir": "/host/etc/cni/net.d",
    "multus-autoconfig-dir": "/host/etc/cni/net.d",
    "multus-kubeconfig-file-host": "/etc/cni/net.d/multus.d/multus.kubeconfig",
}


@dataclass
class Container:
    path: Path  # of the container in the document
    data: dict[str, Any]

    @property
    def args(self) -> list[str]:
        out = []
        for key in ("command", "args"):
            for a in self.data.get(key) or []:
                if isinstance(a, (str, int)):
                    out.append(str(a))
        return out

    def flag(self, name: str) -> tuple[str | None, Path | None]:
        """Value of ``--name=value`` / ``-name value`` and the path of the arg holding it."""
        for key in ("args", "command"):
            items = self.data.get(key) or []
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
        for i, v in enumerate(spec.get("volumes") or []):
            if isinstance(v, dict) and isinstance(v.get("hostPath"), dict):
                hp = v["hostPath"].get("path")
                if isinstance(hp, str) and isinstance(v.get("name"), str):
                    self.volumes[v["name"]] = (hp, spec_path + ("volumes", i, "hostPath", "path"))

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
