"""Ansible inventories: the hosts a repository deploys to, read as Ansible reads them.

A homelab repository that installs K3s with Ansible lists its machines in an inventory. When
every inventory of the project names one host, and that host is not only the controller
itself, the cluster has one node (the profile's ``nodes``: ML203 host-local-multi-node stays
silent there). Only files that are inventories by their place
(load.discover.inventory_place) and their content are read; anything that may add hosts
this module cannot list (an inventory plugin's config, a script, a TOML inventory, a file
whose shape is not clearly an inventory's yet would give Ansible hosts) leaves the count
unknown.

How each format is read follows ansible/ansible:

* YAML (lib/ansible/plugins/inventory/yaml.py ``InventoryModule.parse``): one document, a
  mapping of groups; each group ``None`` or a mapping of ``hosts`` (host pattern -> host vars),
  ``children`` (group name -> group, recursively) and ``vars``; a string where a mapping goes
  is ``{string: None}``; a section of another type, a host pattern that is not a string or a
  range that does not expand fails the file. A mapping with ``plugin:`` is an inventory
  plugin's configuration (hosts from elsewhere).
* INI (lib/ansible/plugins/inventory/ini.py ``_parse``): lines before any section are hosts
  of ``ungrouped``; ``[group]`` sections hold host lines (a host pattern, then ``key=value``
  tokens, split as shlex does with comments), ``[group:vars]`` ``key=value`` lines and
  ``[group:children]`` group names; any other line, a ``:vars`` section of an undeclared
  group or a child group never declared fails the file. A file Ansible cannot parse gives it
  no hosts, and none here either.
* A file without an extension is tried as YAML first (the yaml plugin accepts no extension,
  and comes before ini in the default ``enable_plugins``), then as INI; one starting with
  ``#!`` is run by the script plugin instead (``verify_file``): a dynamic inventory.
* Host patterns (lib/ansible/plugins/inventory/__init__.py ``_expand_hostpattern``,
  ``expand_hostname_range``; lib/ansible/parsing/utils/addresses.py ``parse_address``): a
  ``:port`` suffix is not part of the host, ``[01:03]``, ``[a:c]`` and ``[1:9:2]`` ranges
  expand to one host each, several ranges in one pattern to their product.
"""

from __future__ import annotations

import re
import shlex
import string
from collections.abc import Iterable, Iterator
from typing import Any

import yaml

from multus_lint.records import dataclass, field

# lib/ansible/constants.py LOCALHOST: the names Ansible takes for the controller itself
LOCALHOST = ("127.0.0.1", "localhost", "::1")
# inventory plugins that only regroup the hosts other sources list (ansible.builtin.constructed)
_REGROUPING_PLUGINS = ("constructed", "ansible.builtin.constructed")
# enough to tell one host from several; a range expanding to more is "many"
MAX_HOSTS = 4096
# a project with more inventory files than this is not read for hosts
MAX_FILES = 256

_HOSTPORT_BRACKETED = re.compile(r"^\[(.+)\]:([0-9]+)$")
_HOSTPORT = re.compile(r"^((?:[^:\[\]]|\[[^\]]*\])*):([0-9]+)$")
_SECTION = re.compile(r"^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$")
_GROUP_NAME = re.compile(r"^([^:\]\s]+)\s*(?:#.*)?$")
_SECTIONS = ("vars", "children", "hosts")


class InventoryError(Exception):
    """What makes Ansible fail the whole file (it then gives no hosts)."""


def _strip_port(pattern: str) -> str:
    """The host part of ``host:port`` or ``[host]:port`` (parse_address). A pattern Ansible
    cannot parse as an address keeps its port there too; for telling hosts apart that
    matters only for names no DNS would take."""
    for regex in (_HOSTPORT_BRACKETED, _HOSTPORT):
        m = regex.match(pattern)
        if m:
            pattern = m.group(1)
    return pattern


def _expand_range(pattern: str) -> Iterator[str]:
    """The host names of a pattern holding ``[begin:end(:step)]`` ranges (expand_hostname_range:
    the first range, then recursively the rest), lazily."""
    head, _, rest = pattern.partition("[")
    nrange, close, tail = rest.partition("]")
    if not close:
        raise InventoryError(f"host pattern {pattern}: a range without ']'")
    bounds = nrange.split(":")
    if len(bounds) not in (2, 3):
        raise InventoryError("host range must be begin:end or begin:end:step")
    beg, end = bounds[0] or "0", bounds[1]
    step = bounds[2] if len(bounds) == 3 else "1"
    if not end:
        raise InventoryError("host range must specify end value")
    width = len(beg) if beg[0] == "0" and len(beg) > 1 else 0
    if width and width != len(end):
        raise InventoryError("host range must specify equal-length begin and end formats")
    letters = string.ascii_letters
    seq: Iterable[Any]
    try:
        try:  # as Ansible: an alphabetic range when both bounds are found in ascii_letters
            i_beg, i_end = letters.index(beg), letters.index(end)
            if i_beg > i_end:
                raise InventoryError("host range must have begin <= end")
            seq = letters[i_beg:i_end + 1:int(step)]
        except ValueError:
            seq = range(int(beg), int(end) + 1, int(step))
    except ValueError as exc:  # a bound or step that is no number, a step of 0
        raise InventoryError(f"host range [{nrange}]: {exc}") from exc
    for item in seq:
        name = f"{head}{str(item).zfill(width) if width else item}{tail}"
        if "[" in name:
            yield from _expand_range(name)
        else:
            yield name


def expand_host_pattern(pattern: Any, ini: bool = False) -> Iterator[str]:
    """The inventory host names one host pattern stands for (``_expand_hostpattern``)."""
    if not isinstance(pattern, str):
        raise InventoryError(f"host pattern {pattern!r} must be a string")
    host = _strip_port(pattern)
    if ini and pattern.strip().endswith(":") and host == pattern:
        raise InventoryError(f"host pattern {pattern} ends in ':'")
    names = _expand_range(host) if "[" in host else iter((host,))
    for name in names:
        if ini and name.strip() == "---":
            raise InventoryError("host pattern '---': a YAML file")
        yield name


@dataclass(repr=False, eq=False)
class Hosts:
    """What one inventory file gives Ansible: host name -> whether it is only the controller
    (LOCALHOST, or ``ansible_connection: local``). ``clean``: the file's shape is plainly an
    inventory's (hosts a file of another shape gives may be a vars file's accident);
    ``dynamic``: why its hosts come from elsewhere (a plugin, a script)."""

    names: dict[str, bool] = field(default_factory=dict)
    clean: bool = True
    dynamic: str | None = None
    many: bool = False  # more than MAX_HOSTS names

    def add(self, pattern: Any, host_vars: Any, ini: bool = False) -> None:
        local = isinstance(host_vars, dict) and host_vars.get("ansible_connection") == "local"
        for name in expand_host_pattern(pattern, ini):
            if not name:
                continue  # InventoryData.add_host: an empty name adds nothing
            if len(self.names) >= MAX_HOSTS and name not in self.names:
                self.many = True
                return
            self.names[name] = self.names.get(name, True) and (local or name in LOCALHOST)


def yaml_hosts(data: Any) -> Hosts | None:
    """The hosts of a YAML inventory document (None: Ansible fails the file)."""
    if not isinstance(data, dict) or not data:
        return None
    plugin = data.get("plugin")
    if plugin:
        # yaml.py refuses it ("Plugin configuration YAML file"); the auto plugin runs that
        # plugin, whose hosts come from a cloud, a hypervisor...: unless it only regroups
        regroups = plugin in _REGROUPING_PLUGINS
        return Hosts(dynamic=None if regroups else f"the inventory plugin {plugin}")
    out = Hosts()
    try:
        for name, group in data.items():
            _yaml_group(name, group, out, 0)
    except InventoryError:
        return None
    return out


def _yaml_group(name: Any, group: Any, out: Hosts, depth: int) -> None:
    if depth > 64:
        raise InventoryError("groups nested too deep")
    if not isinstance(name, str):
        out.clean = False
    if group is None:
        return
    if not isinstance(group, dict):
        out.clean = False  # Ansible warns and skips it: not a group
        return
    for section in _SECTIONS:
        value = group.get(section)
        if isinstance(value, str):  # "convert strings to dicts as these are allowed"
            group = {**group, section: {value: None}}
        elif section in group and not isinstance(value, (dict, type(None))):
            raise InventoryError(f'invalid "{section}" entry for group {name}')
    for key, value in group.items():
        if key not in _SECTIONS:
            out.clean = False  # skipped by Ansible with a warning
        elif isinstance(value, dict) and key == "children":
            for child, child_group in value.items():
                _yaml_group(child, child_group, out, depth + 1)
        elif isinstance(value, dict) and key == "hosts":
            for pattern, host_vars in value.items():
                out.add(pattern, host_vars)


def ini_hosts(text: str) -> Hosts | None:
    """The hosts of an INI inventory (None: Ansible fails the file). ``Hosts.clean`` is False
    for a file without a single ``[section]``: a name a line could be anything."""
    out = Hosts(clean=False)
    groups = {"all", "ungrouped"}  # InventoryData.__init__
    pending: set[str] = set()  # groups named by a :vars section or as a child, not declared
    state = "hosts"
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        m = _SECTION.match(line)
        if m:
            group, state = m.group(1), m.group(2) or "hosts"
            if state not in _SECTIONS:
                return None  # Section [...] has unknown type
            out.clean = True
            if state != "vars":
                groups.add(group)
                pending.discard(group)
            elif group not in groups:
                pending.add(group)
            continue
        if line.startswith("[") and line.endswith("]"):
            return None  # Invalid section entry
        if state == "hosts":
            try:
                tokens = shlex.split(line, comments=True)
            except ValueError:
                return None
            if not tokens:
                continue
            host_vars = {}
            for token in tokens[1:]:
                key, eq, value = token.partition("=")
                if not eq:
                    return None  # Expected key=value host variable assignment
                host_vars[key] = value.strip("'\"")
            try:
                out.add(tokens[0], host_vars, ini=True)
            except InventoryError:
                return None
        elif state == "vars":
            if "=" not in line:
                return None  # Expected key=value
        else:
            m = _GROUP_NAME.match(line)
            if m is None:
                return None  # Expected group name
            if m.group(1) not in groups:
                pending.add(m.group(1))
    if pending:
        return None  # [g:vars] for an undefined group, [g:children] naming one
    return out


class _AnsibleLoader(yaml.SafeLoader):
    """PyYAML's safe loader taking Ansible's tags (``!vault``, ``!unsafe``) as plain values."""


def _untagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_AnsibleLoader.add_multi_constructor("!", _untagged)


def text_hosts(path: str, text: str) -> Hosts | None:
    """The hosts of an inventory file the linter does not load as YAML (an INI file, one
    without an extension, a script, a TOML inventory: load.discover.inventory_place)."""
    name = path.replace("\\", "/").rpartition("/")[2].lower()
    ext = name[name.rfind("."):] if name.rfind(".") > 0 else ""
    if text.startswith("#!"):
        return Hosts(dynamic="a script (the script plugin runs it)")
    if ext == ".toml":
        return Hosts(dynamic="a TOML inventory (not read here)")
    if ext not in ("", ".ini"):
        return None  # a .py or .sh without #!: no plugin takes it as an inventory
    if ext == "":
        try:
            data = yaml.load(text, Loader=_AnsibleLoader)  # noqa: S506 (a safe loader)
        except (yaml.YAMLError, ValueError, TypeError, RecursionError):
            data = None
        hosts = yaml_hosts(data) if isinstance(data, dict) else None
        if hosts is not None:
            return hosts
    return ini_hosts(text)


@dataclass(repr=False, eq=False)
class Inventories:
    """The hosts the project's inventory files name together: host -> the first file naming
    it, and whether it is only the controller; ``unclear``: a file that may give Ansible
    hosts not read here, and why."""

    hosts: dict[str, str] = field(default_factory=dict)
    local: dict[str, bool] = field(default_factory=dict)
    unclear: str | None = None

    def add(self, path: str, hosts: Hosts | None) -> None:
        if hosts is None:
            return  # Ansible fails the file: no hosts from it
        why = hosts.dynamic or (f"more than {MAX_HOSTS} hosts" if hosts.many else None) \
            or ("hosts in a file not shaped as an inventory" if hosts.names and not hosts.clean else None)
        if why is not None:
            self.unclear = self.unclear or f"{path}: {why}"
            return
        for name, local in hosts.names.items():
            self.hosts.setdefault(name, path)
            self.local[name] = self.local.get(name, True) and local

    def one_host(self) -> tuple[str, str] | None:
        """(file, host) when the inventories name exactly one host, and not only the
        controller (an inventory of ``localhost`` alone runs the playbooks from there, against
        the API: it says nothing of the nodes)."""
        if self.unclear is not None or len(self.hosts) != 1:
            return None
        ((name, path),) = self.hosts.items()
        return None if self.local[name] else (path, name)


def read_inventories(yaml_files: Iterable[tuple[str, list[Any]]],
                     text_files: Iterable[tuple[str, str | None]]) -> Inventories:
    """The hosts of the project's inventory files: ``yaml_files`` (path, the data of each
    document) of the YAML files at an inventory place, ``text_files`` (path, text; None: the
    file cannot be read, and may hold hosts) of the others."""
    out = Inventories()
    count = 0
    for path, docs in yaml_files:
        count += 1
        # yaml.py loads one document: a file of several fails (no hosts)
        if len(docs) == 1:
            out.add(path, yaml_hosts(docs[0]))
    for path, text in text_files:
        count += 1
        if text is None:
            out.unclear = out.unclear or f"{path}: cannot be read"
        else:
            out.add(path, text_hosts(path, text))
    if count > MAX_FILES:
        out.unclear = out.unclear or f"more than {MAX_FILES} inventory files"
    return out
