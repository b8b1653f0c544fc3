"""A Multus DaemonSet deployed from raw manifests: its containers, args and host paths.

What a node path rule judges is the host path IN USE, not a mount: each container's role
(install_multus, the thin entrypoint, the thick daemon) says which container path it writes
or reads (a flag, a daemon-config.json key, or the binary's default), and that path is
resolved through the container's volumeMounts (mountPath, subPath) to the hostPath volume
behind it. A hostPath of ``/var/lib/rancher/k3s/data`` mounted at ``/host/opt/cni`` and used
as ``install_multus -d /host/opt/cni/cni`` is ``/var/lib/rancher/k3s/data/cni`` on the host.
``NodePath`` records how the host path was reached, so a rule can tell whether one edit
(the volume's ``hostPath.path``) repairs it, or whether the mapping is not one to one.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from typing import Any

from multus_lint.load.document import Document, get_path
from multus_lint.load.positions import Path
from multus_lint.records import dataclass

# thin_entrypoint flag defaults (multus-cni cmd/thin_entrypoint/main.go, Options.addFlags); the
# older /entrypoint.sh (Multus 3.x images, images/entrypoint.sh at v3.9.3) has the same names
# and defaults, except that its --multus-conf-file defaults to a file, not "auto".
THIN_DEFAULTS = {
    "cni-bin-dir": "/host/opt/cni/bin",
    "cni-conf-dir": "/host/etc/cni/net.d",
    "multus-autoconfig-dir": "/host/etc/cni/net.d",
    "multus-kubeconfig-file-host": "/etc/cni/net.d/multus.d/multus.kubeconfig",
    "multus-conf-file": "auto",
}
# install_multus (cmd/install_multus/main.go): ``-d``/``--dest-dir`` is where it copies multus
# (thin) or multus-shim (thick) and passthru.
INSTALL_DEST_DEFAULT = "/host/opt/cni/bin"

# multus-daemon (thick) reads daemon-config.json from ``-config`` (cmd/multus-daemon/main.go,
# default pkg/server/types.go DefaultMultusDaemonConfigFile). Its dirs are container paths;
# defaults: cniConfigDir from pkg/server/config ParseMultusConfig, binDir from pkg/types
# conf.go defaultBinDir; multusAutoconfigDir has none.
DAEMON_CONFIG_DEFAULT = "/etc/cni/net.d/multus.d/daemon-config.json"
THICK_DEFAULTS = {
    "cniConfigDir": "/etc/cni/net.d",
    "binDir": "/opt/cni/bin",
}
DAEMON_CONFIG_KEY = "daemon-config.json"

_SHELLS = ("sh", "bash", "ash", "dash")


def _list(value: Any) -> list[Any]:
    """A list field as a list; any other type is ML009's finding, read here as empty."""
    return value if isinstance(value, list) else []


@dataclass(repr=False, eq=False)
class Token:
    text: str
    path: Path  # of the command/args item holding it
    whole: bool  # the item is this token alone (not one word of a shell script)


@dataclass(repr=False, eq=False)
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

    @property
    def name(self) -> str:
        return str(self.data.get("name", "?"))

    @property
    def image(self) -> str:
        return str(self.data.get("image", ""))

    def tokens(self) -> list[Token]:
        """command + args as the process receives them; a ``sh -c`` script is split into words
        (shlex) so a binary started from a script is seen too."""
        out: list[Token] = []
        for key in ("command", "args"):
            items = self.data.get(key)
            for i, a in enumerate(items if isinstance(items, list) else []):
                if isinstance(a, (str, int)) and not isinstance(a, bool):
                    out.append(Token(str(a), self.path + (key, i), True))
        if out and posixpath.basename(out[0].text) in _SHELLS:
            words: list[Token] = []
            for t in out:
                if "\n" in t.text or " " in t.text.strip():
                    try:
                        parts = shlex.split(t.text, comments=True)
                    except ValueError:
                        parts = t.text.split()
                    words += [Token(w, t.path, False) for w in parts]
                else:
                    words.append(t)
            return words
        return out

    def program_tokens(self, binary: str) -> list[Token] | None:
        """The words from ``binary`` (a basename) to the end of its command in a script, or
        None when the container does not run it."""
        toks = self.tokens()
        for i, t in enumerate(toks):
            if posixpath.basename(t.text) == binary:
                rest = []
                for u in toks[i + 1:]:
                    if u.text in (";", "&&", "||", "|") or u.text.endswith(";"):
                        if u.text.endswith(";") and u.text != ";":
                            rest.append(Token(u.text[:-1], u.path, u.whole))
                        break
                    rest.append(u)
                return [t] + rest
        return None

    def flag(self, name: str) -> tuple[str | None, Path | None]:
        """Value of ``--name=value`` / ``--name value`` (last one wins, as pflag) and the path of
        the arg holding it."""
        found: tuple[str | None, Path | None] = (None, None)
        toks = [t for t in self.tokens()]
        for i, t in enumerate(toks):
            a = t.text
            for prefix in (f"--{name}=", f"-{name}="):
                if a.startswith(prefix):
                    found = (a[len(prefix):], t.path)
            if a in (f"--{name}", f"-{name}") and i + 1 < len(toks):
                found = (toks[i + 1].text, toks[i + 1].path)
        return found

    def bool_flag(self, name: str) -> bool | None:
        """A Go/pflag bool flag: ``--name`` or ``--name=true`` (None: not given)."""
        out = None
        for t in self.tokens():
            flag, eq, val = t.text.lstrip("-").partition("=")
            if t.text.startswith("-") and flag == name:
                out = val.lower() in ("true", "1", "t") if eq else True
        return out

    @property
    def is_thin(self) -> bool:
        return self.role == "thin"

    @property
    def is_thick(self) -> bool:
        return self.role == "thick"

    @property
    def is_multus(self) -> bool:
        text = self.image + " ".join(self.args)
        return "multus" in text

    @property
    def role(self) -> str | None:
        """What the container runs: "install" (install_multus), "thin" (thin_entrypoint or the
        older /entrypoint.sh), "thick" (multus-daemon), "copy" (another command in a Multus
        image), or None (not Multus). Without command the image's ENTRYPOINT runs:
        images/Dockerfile (v4: /thin_entrypoint; v3: /entrypoint.sh), Dockerfile.thick
        (multus-daemon)."""
        if not self.is_multus:
            return None
        if self.program_tokens("install_multus") is not None:
            return "install"
        if self.program_tokens("thin_entrypoint") is not None:
            return "thin"
        if self.runs_v3_entrypoint:
            return "thin"
        if self.program_tokens("multus-daemon") is not None:
            return "thick"
        if self.data.get("command"):
            return "copy"
        if "thick" in self.image:
            return "thick"
        return "thin"

    @property
    def runs_v3_entrypoint(self) -> bool:
        """The container runs the v1-v3 images' /entrypoint.sh (multus-cni v3 images/Dockerfile
        puts it at the root); another dir's entrypoint.sh is some other image's script."""
        toks = self.program_tokens("entrypoint.sh")
        return toks is not None and toks[0].text in ("/entrypoint.sh", "entrypoint.sh", "./entrypoint.sh")

    @property
    def entrypoint(self) -> str | None:
        """"thin", "entrypoint.sh", "thick", or None when command and args say nothing."""
        if self.program_tokens("thin_entrypoint") is not None:
            return "thin"
        if self.runs_v3_entrypoint:
            return "entrypoint.sh"
        if self.program_tokens("multus-daemon") is not None:
            return "thick"
        return None

    @property
    def args_site_path(self) -> Path:
        """Where a missing flag is reported: the ``args`` key, else ``command``, else the name."""
        for key in ("args", "command"):
            if key in self.data:
                return self.path + (key,)
        return self.path + ("name",)

    def copy_dest(self) -> tuple[str, Token] | None:
        """The dir a ``cp`` of the Multus binary copies into (``cp [-r] SRC... DEST``, as the
        bitnami chart's and older upstream init containers do), when SRC is a Multus binary."""
        toks = self.program_tokens("cp")
        if not toks:
            return None
        words = [t for t in toks[1:] if not t.text.startswith("-")]
        if len(words) < 2:
            return None
        srcs, dest = words[:-1], words[-1]
        names = [posixpath.basename(t.text.rstrip("/")) for t in srcs]
        if not any(n in ("multus", "multus-shim") for n in names) or \
                not all("multus-cni" in t.text or n in ("multus", "multus-shim", "passthru")
                        for t, n in zip(srcs, names)):
            return None
        path = dest.text
        if not path.endswith("/") and posixpath.basename(path) in ("multus", "multus-shim"):
            path = posixpath.dirname(path)  # cp SRC DIR/multus: the file, in DIR
        return path.rstrip("/") or "/", dest

    def install_dest(self) -> tuple[str, Token | None]:
        """install_multus's ``-d``/``--dest-dir`` (pflag: ``-d X``, ``-d=X``, ``-dX``, ``--dest-dir
        X``, ``--dest-dir=X``; the last wins) and the token holding it."""
        toks = self.program_tokens("install_multus") or []
        value, where = INSTALL_DEST_DEFAULT, None
        i = 1
        while i < len(toks):
            a = toks[i].text
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if a in ("-d", "--dest-dir") and nxt is not None:
                value, where = nxt.text, nxt
                i += 2
                continue
            if a.startswith("--dest-dir="):
                value, where = a[len("--dest-dir="):], toks[i]
            elif a.startswith("-d") and not a.startswith("--") and len(a) > 2:
                value, where = a[2:].removeprefix("="), toks[i]
            i += 1
        return value, where


@dataclass(repr=False, eq=False)
class Mount:
    volume: str
    mount_path: str  # normalised, no trailing slash
    sub_path: str | None
    index: int


@dataclass(repr=False, eq=False)
class NodePath:
    """One host path a Multus container uses, and how it was reached."""

    kind: str  # "bin", "conf", "autoconfig"
    container: Container
    origin: str  # how the container path is chosen, for messages: "--cni-bin-dir", ...
    inner: str  # the container path in use
    value_at: tuple[Any, Path] | None  # (Located, path) of the value; None: a default
    whole_value: bool = True  # the value is the whole scalar there (``--x=v`` is not)
    host: str | None = None  # the host path; None: no hostPath volume behind it
    volume: str | None = None
    volume_at: Path | None = None  # hostPath.path of that volume in the DaemonSet
    rest: str = ""  # the part of ``inner`` below the mount
    sub_path: str | None = None
    mount_at: Path | None = None  # the volumeMount in the DaemonSet
    chroot_dir: str | None = None  # thick binDir with chrootDir: the daemon runs plugins there

    @property
    def chroot_bin(self) -> bool:
        return self.chroot_dir is not None

    @property
    def direct(self) -> bool:
        """The host path is the volume's hostPath.path itself (no subPath, nothing below)."""
        return self.host is not None and not self.rest and not self.sub_path


class MultusDaemonSet:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        spec_path: Path = ("spec", "template", "spec")
        self.spec_path = spec_path
        spec = get_path(doc.data, spec_path) or {}
        self.containers: list[Container] = []
        for key in ("initContainers", "containers"):
            for i, c in enumerate(_list(spec.get(key))):
                if isinstance(c, dict):
                    self.containers.append(Container(spec_path + (key, i), c))
        self.volumes: dict[str, tuple[str, Path]] = {}  # name -> (host path, path of hostPath.path)
        self.configmaps: dict[str, str] = {}  # volume name -> ConfigMap name
        self.configmap_items: dict[str, dict[str, str]] = {}  # volume name -> {file: key}
        for i, v in enumerate(_list(spec.get("volumes"))):
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

    @staticmethod
    def mounts(container: Container) -> list[Mount]:
        out = []
        for i, m in enumerate(_list(container.data.get("volumeMounts"))):
            if not isinstance(m, dict) or not isinstance(m.get("mountPath"), str) \
                    or not isinstance(m.get("name"), str):
                continue
            if m.get("subPathExpr"):
                sub: str | None = "\0expr"  # expanded at runtime: the host path is unknown
            else:
                sub = m.get("subPath") if isinstance(m.get("subPath"), str) and m.get("subPath") else None
            out.append(Mount(m["name"], m["mountPath"].rstrip("/") or "/", sub, i))
        return out

    def configmap_file(self, container: Container, inner: str, project: Any) -> tuple[Document, str] | None:
        """(ConfigMap, data key) of the file at container path ``inner``, when one is mounted there."""
        for m in _list(container.data.get("volumeMounts")):
            if not isinstance(m, dict) or not isinstance(m.get("name"), str) or m["name"] not in self.configmaps:
                continue
            mount = str(m.get("mountPath", "")).rstrip("/")
            sub = m.get("subPath")
            items = self.configmap_items.get(m["name"], {})
            if isinstance(sub, str) and sub:  # the mount is the file itself
                if inner.rstrip("/") != mount:
                    continue
                rest = sub
            else:
                if not inner.startswith(mount + "/"):
                    continue
                rest = inner[len(mount) + 1:]
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

    def daemon_config(self, project: Any, container: Container | None = None) -> Document | None:
        """The ConfigMap holding the thick daemon's daemon-config.json, when it is in the project:
        the file ``-config`` names in ``container`` (default DAEMON_CONFIG_DEFAULT), else any
        mounted ConfigMap with that key."""
        wanted = set(self.configmaps.values())
        if container is not None:
            path, _ = container.flag("config")
            found = self.configmap_file(container, path or DAEMON_CONFIG_DEFAULT, project)
            if found is not None:
                return found[0]
            mounted = {m.volume for m in self.mounts(container)}
            wanted = {cm for vol, cm in self.configmaps.items() if vol in mounted}
        ns = self.doc.namespace or "default"
        for cm in project.of_kind("ConfigMap"):
            data = cm.data.get("data")
            if cm.name in wanted and (cm.namespace or "default") == ns and isinstance(data, dict) \
                    and isinstance(data.get(DAEMON_CONFIG_KEY), str):
                return cm
        return None

    @property
    def multus_containers(self) -> list[Container]:
        return [c for c in self.containers if c.is_multus]

    def resolve(self, container: Container, inner: str) -> tuple[str, Mount, str] | None:
        """(host path, mount, part of ``inner`` below the mount) behind a container path, through
        the deepest hostPath mount that holds it; None when no hostPath volume is behind it or a
        subPathExpr makes the host path unknown."""
        norm = posixpath.normpath(inner) if inner.startswith("/") else None
        if norm is None:
            return None
        best: Mount | None = None
        for m in self.mounts(container):
            if norm == m.mount_path or norm.startswith(m.mount_path.rstrip("/") + "/") or m.mount_path == "/":
                if best is None or len(m.mount_path) > len(best.mount_path):
                    best = m
        if best is None or best.volume not in self.volumes:
            return None
        if best.sub_path == "\0expr":
            return None
        host, _ = self.volumes[best.volume]
        rest = norm[len(best.mount_path):].lstrip("/") if best.mount_path != "/" else norm.lstrip("/")
        base = posixpath.join(host, best.sub_path) if best.sub_path else host
        return (posixpath.join(base, rest) if rest else base), best, rest

    def host_path(self, container: Container, inner: str) -> tuple[str, str, Path] | None:
        """(host path, volume name, path of its hostPath.path) behind a container path."""
        r = self.resolve(container, inner)
        if r is None:
            return None
        host, mount, _ = r
        return host, mount.volume, self.volumes[mount.volume][1]

    def volume_mounts(self, volume: str) -> list[tuple[Container, Mount]]:
        return [(c, m) for c in self.containers for m in self.mounts(c) if m.volume == volume]

    # ---------------------------------------------------------------- paths in use

    def node_paths(self, project: Any) -> list[NodePath]:
        """Every host dir the Multus containers use, resolved (see the module docstring)."""
        out: list[NodePath] = []
        for c in self.multus_containers:
            role = c.role
            if role == "install":
                value, tok = c.install_dest()
                out.append(self._node(c, "bin", "install_multus -d", value, tok))
            elif role == "copy":
                dest = c.copy_dest()
                if dest is not None:
                    out.append(self._node(c, "bin", "cp of the multus binary to", dest[0], dest[1]))
            elif role == "thin":
                out += self._thin_paths(c)
            elif role == "thick":
                out += self._thick_paths(c, project)
        return out

    def whereabouts_node_paths(self) -> list[NodePath]:
        """whereabouts' own DaemonSet (k8snetworkplumbingwg/whereabouts doc/crds/
        daemonset-install.yaml): the upstream image's /install-cni.sh copies the plugin into
        ``$CNI_BIN_DIR`` (default /host/opt/cni/bin/) and writes whereabouts.d into
        ``$CNI_CONF_DIR`` (default /host/etc/cni/net.d), both container paths."""
        out: list[NodePath] = []
        for c in self.containers:
            if "k8snetworkplumbingwg/whereabouts" not in c.image or \
                    not any("install-cni.sh" in t.text for t in c.tokens()):
                continue
            env: dict[str, tuple[Any, int]] = {}
            for i, e in enumerate(c.data.get("env") or []):
                if isinstance(e, dict) and isinstance(e.get("name"), str):
                    env[e["name"]] = (e.get("value"), i)
            for var, kind, default in (("CNI_BIN_DIR", "bin", "/host/opt/cni/bin/"),
                                       ("CNI_CONF_DIR", "conf", "/host/etc/cni/net.d")):
                value, i = env.get(var, (None, -1))
                if isinstance(value, str) and value:
                    out.append(self._node(c, kind, f"whereabouts env {var}", value, None, self.doc,
                                          c.path + ("env", i, "value")))
                elif var not in env:
                    out.append(self._node(c, kind, f"whereabouts {var} (default)", default, None))
        return out

    def _node(self, c: Container, kind: str, origin: str, inner: str, tok: Token | None,
              located: Any = None, path: Path | None = None) -> NodePath:
        if tok is not None:
            value_at: tuple[Any, Path] | None = (self.doc, tok.path)
            whole = tok.whole and get_path(self.doc.data, tok.path) == inner
        elif located is not None and path is not None:
            value_at, whole = (located, path), True
        else:
            value_at, whole = None, False
        np = NodePath(kind, c, origin, inner, value_at, whole)
        r = self.resolve(c, inner)
        if r is not None:
            np.host, mount, np.rest = r
            np.volume, np.sub_path = mount.volume, mount.sub_path
            np.volume_at = self.volumes[mount.volume][1]
            np.mount_at = c.path + ("volumeMounts", mount.index)
        return np

    def _flag_node(self, c: Container, kind: str, name: str, default: str) -> NodePath:
        value, where = c.flag(name)
        tok = None
        if where is not None:
            tok = next((t for t in c.tokens() if t.path == where), None)
        return self._node(c, kind, f"--{name}", value if value is not None else default, tok)

    def _thin_paths(self, c: Container) -> list[NodePath]:
        out = []
        if c.bool_flag("skip-multus-binary-copy") is not True:
            out.append(self._flag_node(c, "bin", "cni-bin-dir", THIN_DEFAULTS["cni-bin-dir"]))
        out.append(self._flag_node(c, "conf", "cni-conf-dir", THIN_DEFAULTS["cni-conf-dir"]))
        conf_file, _ = c.flag("multus-conf-file")
        # /entrypoint.sh defaults --multus-conf-file to a file: autoconfig is then unused
        auto = conf_file == "auto" or (conf_file is None and c.entrypoint != "entrypoint.sh")
        if auto:
            out.append(self._flag_node(c, "autoconfig", "multus-autoconfig-dir",
                                       THIN_DEFAULTS["multus-autoconfig-dir"]))
        return out

    def _legacy_thick_paths(self, c: Container) -> list[NodePath]:
        """The 3.x thick daemon (multus-cni v3.9.3 cmd/controller/main.go, image vX-thick) took
        its dirs as flags: ``-cni-config-dir`` (default /etc/cni/net.d) and
        ``-multus-autoconfig-dir`` (default: the conf dir). Without those flags, and without a
        daemon-config.json in the project, the dirs are unknown."""
        conf, _ = c.flag("cni-config-dir")
        if conf is None:
            return []
        out = [self._flag_node(c, "conf", "cni-config-dir", "/etc/cni/net.d")]
        auto, _ = c.flag("multus-autoconfig-dir")
        if auto is not None:
            out.append(self._flag_node(c, "autoconfig", "multus-autoconfig-dir", conf))
        return out

    def _thick_paths(self, c: Container, project: Any) -> list[NodePath]:
        cm = self.daemon_config(project, c)
        if cm is None:
            return self._legacy_thick_paths(c)
        parsed = cm.embedded_json(("data", DAEMON_CONFIG_KEY), project.limits, "ML501",
                                  f"JSON in data.{DAEMON_CONFIG_KEY}")
        if parsed.problems or parsed.tree is None or not isinstance(parsed.tree.data, dict):
            return []  # not JSON: reported elsewhere, not judged here
        from multus_lint.load.document import Embedded

        cfg = Embedded(cm, parsed.tree)
        conf = parsed.tree.data
        out = []
        chroot = conf.get("chrootDir")
        for key, kind in (("binDir", "bin"), ("cniConfigDir", "conf"), ("multusAutoconfigDir", "autoconfig")):
            value = conf.get(key)
            if isinstance(value, str) and value:
                np = self._node(c, kind, f"daemon-config.json {key}", value, None, cfg, (key,))
            elif key in THICK_DEFAULTS:
                np = self._node(c, kind, f"daemon-config.json {key} (default)", THICK_DEFAULTS[key], None)
            else:
                continue
            if kind == "bin" and isinstance(chroot, str) and chroot:
                np.chroot_dir = chroot
            if kind == "autoconfig" and conf.get("multusConfigFile", "auto") != "auto":
                continue
            out.append(np)
        return out


# whereabouts pkg/config/config.go GetFlatIPAM: the flat files whereabouts reads when an IPAM
# config has no configuration_path (the dirs that hold their whereabouts.d)
WHEREABOUTS_SEARCH_DIRS = ("/etc/kubernetes/cni/net.d", "/etc/cni/net.d", "/host/etc/cni/net.d")


def whereabouts_conf_hosts(project: Any) -> list[str]:
    """The host dirs into which the project's own whereabouts DaemonSets (the upstream image's
    install-cni.sh: script/lib.sh writes ``$CNI_CONF_DIR/whereabouts.d/whereabouts.conf``)
    write whereabouts' flat file, cached per project."""

    def build() -> list[str]:
        multus = {id(d) for d in project.daemonsets}
        out = []
        for doc in project.of_kind("DaemonSet"):
            if id(doc) in multus or "whereabouts" not in str(doc.data):
                continue
            for np in MultusDaemonSet(doc).whereabouts_node_paths():
                if np.kind == "conf" and np.host is not None:
                    out.append(posixpath.normpath(np.host))
        return out

    return project.cached("whereabouts-conf-hosts", build)  # type: ignore[no-any-return]


def whereabouts_finds_own_conf(project: Any) -> bool:
    """Whether a whereabouts DaemonSet of the project writes the flat file where whereabouts
    looks without configuration_path (the host's /etc/cni/net.d: a conf dir that only holds
    whereabouts.d needs to be no runtime's CNI conf dir), or the project deploys whereabouts'
    own manifests from its repository (``upstream_whereabouts``)."""
    return any(h in WHEREABOUTS_SEARCH_DIRS for h in whereabouts_conf_hosts(project)) \
        or upstream_whereabouts(project) is not None


# The upstream repository, as a GitOps source or a remote kustomize resource names it (not a
# fork, not another repository whose name starts the same).
_UPSTREAM_WHEREABOUTS = re.compile(r"github\.com[/:]k8snetworkplumbingwg/whereabouts(?:\.git)?(?![\w.-])",
                                   re.IGNORECASE)
_GITOPS_SOURCES = ("Application", "ApplicationSet", "GitRepository", "OCIRepository", "Kustomization")


def upstream_whereabouts(project: Any) -> Document | None:
    """The first GitOps object (Argo CD Application/ApplicationSet, Flux GitRepository,
    OCIRepository or Kustomization, a kustomization's remote resource) that deploys from
    github.com/k8snetworkplumbingwg/whereabouts, None when none does. Its manifests
    (doc/crds/daemonset-install.yaml; the chart in deployment/whereabouts-chart likewise)
    mount the host's /opt/cni/bin and /etc/cni/net.d, and install-cni.sh (script/lib.sh)
    writes /etc/cni/net.d/whereabouts.d/whereabouts.conf there: whereabouts installs itself,
    and finds that flat file without configuration_path (pkg/config/config.go GetFlatIPAM)."""

    def build() -> Any:
        for kind in _GITOPS_SOURCES:
            for doc in project.of_kind(kind):
                if _UPSTREAM_WHEREABOUTS.search(str(doc.data)):
                    return doc
        return None

    return project.cached("upstream-whereabouts", build)
