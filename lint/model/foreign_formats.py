"""Files that only look like inputs of this linter: their own tools read them, and nothing
Kubernetes or a CNI runtime applies them.

- A ``.conf`` file that is not JSON: libcni reads a network config as JSON only
  (containernetworking/cni libcni/conf.go ``ConfFromBytes``: ``json.Unmarshal``), so a
  supervisord, nginx or systemd ``.conf`` (INI, often a Jinja template of an Ansible role) is
  not a CNI config gone wrong; its syntax is its own tool's business.
- A Kea DHCP server ``.conf`` (``{"Dhcp4": ...}``): JSON with Kea's comment styles, read by
  Kea alone.
- A JSON file whose first syntax error is an ``@NAME@`` token outside a string: a template
  that a script fills in with sed before use (openairinterface oai-cn5g-upf-vpp
  scripts/snap/upf_profile.json, ``"sst": @SST@``, rendered by run_vpp_nrf.sh), as autoconf
  and CMake ``configure_file`` write them; it is not JSON until rendered.
- The same with a shell variable where JSON allows no bare word, or in a YAML flow
  collection, where its ``{`` is a flow indicator: ``"roamallow": ${ROAMING_ALLOWED}``
  (an image's entrypoint runs envsubst over the config), ``cidrBlocks: [${ POD_CIDR }]``
  (a Cluster API template: clusterctl generate cluster fills it in, kubernetes-sigs/
  cluster-api cmd/clusterctl/client/yamlprocessor simple_processor.go ``Process``:
  drone/envsubst ``Eval`` after ``convertLegacyVars`` turns ``${ VAR }`` into ``${VAR}``).
- The same in a YAML file: an ``@NAME@`` plain scalar (``image: @OPERATOR_IMAGE_URL@``,
  kubevirt/hyperconverged-cluster-operator deploy/nightly-bundle), which no YAML plain scalar
  may begin with (YAML 1.2 c-indicator ``@`` is reserved), or a Python ``str.format``
  replacement field alone on a line (``{subnet_annotations}`` where a test's
  ``template.format(subnet_annotations=...)`` puts annotation lines: charmed-kubernetes
  charm-kube-ovn tests/data/test-bgp.yaml, read by tests/integration/test_kube_ovn.py),
  which YAML takes for a flow mapping used as a key without its ``:``.
- A Jenkins Job Builder definition file (a top-level list of ``- job-template:``,
  ``- project:``, ``- builder:`` ... items) whose only syntax errors are undefined aliases:
  JJB loads every file of its job tree with one anchor table (openstack-infra/jenkins-job-
  builder jenkins_jobs/local_yaml.py ``LocalAnchorLoader``: "keeps Alias between calls",
  ``compose_document`` does not reset the anchors), so an alias of an anchor defined in
  another file (ci-management's global definitions) is valid there.
- K3s configs kept in Ansible variables: PyratLabs/ansible-role-k3s writes the ``k3s_server``
  (control nodes) and ``k3s_agent`` mappings as ``/etc/rancher/k3s/config.yaml``
  (vars/main.yml ``k3s_runtime_config``, templates/config.yaml.j2 ``to_nice_yaml``), so such
  a mapping in group_vars/host_vars/a playbook is a K3s config for the profile.
- K3s configs a machine config writes as a file: a Butane config's ``storage.files[]`` entry
  with ``path: /etc/rancher/k3s/config.yaml`` (or a ``config.yaml.d/`` drop-in) and
  ``contents.inline`` (coreos/butane base/v0_* schema ``Resource.Inline``, the file's text),
  or cloud-init's ``write_files[]`` entry with that ``path`` and a plain-text ``content``
  (cloudinit/config/cc_write_files.py: ``encoding`` b64/gzip is decoded first, not read here).
  The node's K3s reads that text as its config (k3s pkg/configfilearg), so it is one.
- K3s settings passed as command-line flags in Ansible variables: k3s-io/k3s-ansible puts
  ``extra_server_args`` on the server's command line (roles/k3s_server/templates/
  k3s-*.service.j2: ``ExecStart={{ bin_dir }}/k3s server ... {{ extra_server_args }}``),
  techno-tim/k3s-ansible likewise (inventory/sample/group_vars/all.yml ``extra_server_args:
  >- ...``); other roles name them ``k3s_server_args``, ``k3s_extra_args``. K3s parses its
  command line with urfave/cli v1 (k3s pkg/cli/cmds/server.go ``DataDirFlag`` ``Name:
  "data-dir,d"``, ``Name: "flannel-backend"``), which registers every comma-separated name
  on a Go ``flag.FlagSet``: one or two dashes, the value after ``=`` or as the next argument
  (``flag_settings``).
"""

from __future__ import annotations

import re
from typing import Any

from multus_lint.load.document import Document, EmbeddedMap, Site, get_path
from multus_lint.load.read import SourceFile
from multus_lint.records import dataclass

ANSIBLE_K3S_KEYS = ("k3s_server", "k3s_agent")
# where PyratLabs/ansible-role-k3s writes those mappings (templates/config.yaml.j2)
ANSIBLE_K3S_CONFIG = "/etc/rancher/k3s/config.yaml"


class NodeConfig(Document):
    """A K3s config kept inside another file (Ansible variables, a machine config), with the
    path on the node that it is written to (``node_path``): what its place is for the
    profile (model.profile.node_config_distro), not the file holding it."""

    __slots__ = ("node_path",)

    def __init__(self, source: SourceFile, tree: Any, base: tuple, index: int, node_path: str) -> None:
        super().__init__(source, tree, base, index)
        self.node_path = node_path


# how a JSON object begins: ``{`` then a member name or ``}`` (a Jinja ``{#`` comment does not)
_JSON_OBJECT_START = re.compile(r'\ufeff?\s*\{\s*["}]')


# A Kea server config: one top-level object named for its daemon, in JSON that Kea's own
# parser extends with #, // and /* */ comments (isc-projects/kea doc/examples/kea4
# advanced.json: "The new parser supports 3 comment styles"; dhcp4_parser.yy global_object
# "Dhcp4" ":" ...), read by kea-dhcp4 -c, never by libcni.
# (each comment ends at its newline or */, so a run of "#" or "/" cannot be split in many
# ways: no backtracking blow-up on a long comment line)
_KEA_GAP = r'(?:\s|#[^\n]*(?:\n|\Z)|//[^\n]*(?:\n|\Z)|/\*(?:[^*]|\*(?!/))*\*/)*'
_KEA_CONFIG_START = re.compile(r'\ufeff?' + _KEA_GAP + r'\{' + _KEA_GAP +
                               r'"(?:Dhcp4|Dhcp6|DhcpDdns|Control-agent|Netconf)"\s*:')


def non_json_conf(source: SourceFile) -> bool:
    """A ``.conf`` whose text cannot begin a JSON object and names no CNI key, or a Kea
    server config (``{"Dhcp4": ...}`` with Kea's comments): not a CNI config."""
    if not source.path.lower().endswith(".conf"):
        return False
    text = source.text or ""
    if _KEA_CONFIG_START.match(text) is not None:
        return True
    return _JSON_OBJECT_START.match(text) is None and '"cniVersion"' not in text and '"plugins"' not in text


_AT_TOKEN = re.compile(r"@[A-Za-z_][A-Za-z0-9_]*@")
# a shell/envsubst variable: ``${NAME}``, with clusterctl's legacy spaces (``${ NAME }``) or
# a default (``${NAME:=x}``), or a bare ``$NAME`` (gettext envsubst replaces both); group 1
# or 2 is the name
_SHELL_VAR = re.compile(r"\$\{[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*(?::?[-=+?][^}\n]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)")
# either kind of fill-in token
_FILL_IN_TOKEN = re.compile(_AT_TOKEN.pattern + "|" + _SHELL_VAR.pattern)
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_STRING_OR_TOKEN = re.compile(_JSON_STRING.pattern + "|" + _FILL_IN_TOKEN.pattern)


# a str.format replacement field alone on its line (PEP 3101: "{" field_name "}")
_FORMAT_FIELD_LINE = re.compile(r"[ \t]*\{[A-Za-z_][A-Za-z0-9_]*\}[ \t]*\r?")


def at_template_error(source: SourceFile, lines: set[int]) -> bool:
    """Whether every syntax-error line of a JSON file (``lines``) holds an ``@NAME@`` token
    or a shell variable outside a JSON string (inside quotes it is JSON already); of a YAML
    file, an ``@NAME@`` or a ``${NAME}`` outside quotes, or a lone ``{name}`` format field on
    it or on the line before (the parser reports the line after the field: it looked there
    for the ``:``)."""
    if not lines:
        return False
    path = source.path.lower()
    if path.endswith((".yaml", ".yml")):
        return _yaml_fill_in_error(source, lines)
    if not path.endswith(".json"):
        return False
    text_lines = (source.text or "").split("\n")
    for n in lines:
        line = text_lines[n - 1] if 0 < n <= len(text_lines) else ""
        if not _FILL_IN_TOKEN.search(_JSON_STRING.sub('""', line)):
            return False
    # json stops at its first error: with every token outside a string made a number, the
    # rest must parse too, so a real error after the first template line keeps its ML001
    inert = "\n".join(_JSON_STRING_OR_TOKEN.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "0", line)
                       for line in text_lines)
    return _parses(source.path, inert)


def _yaml_fill_in_error(source: SourceFile, lines: set[int]) -> bool:
    """Near each syntax error (its line or the one before) a fill-in token, and the text
    with every such token made inert (a lone ``{field}`` line blank, ``@NAME@`` as
    ``xNAMEx``) parses: a real error elsewhere in the file keeps its ML001."""
    text = source.text or ""
    text_lines = text.split("\n")

    def fill_in(n: int) -> bool:
        line = text_lines[n - 1] if 0 < n <= len(text_lines) else ""
        unquoted = re.sub(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'', '""', line.split(" #")[0])
        return _FILL_IN_TOKEN.search(unquoted) is not None or _FORMAT_FIELD_LINE.fullmatch(line) is not None

    if not all(fill_in(n) or fill_in(n - 1) for n in lines):
        return False

    inert = "\n".join(" " * len(line) if _FORMAT_FIELD_LINE.fullmatch(line)
                       else _FILL_IN_TOKEN.sub(_inert, line) for line in text_lines)
    return _parses(source.path, inert)


def _parses(path: str, text: str) -> bool:
    """Whether ``text``, read as the file at ``path``, has no syntax error."""
    from multus_lint.load.parse import parse_file
    from multus_lint.load.read import Limits

    rendered = parse_file(SourceFile(path, text), Limits())
    return not any(prob.code == "ML001" for item in rendered for prob in item.problems)


def _inert(m: re.Match[str]) -> str:
    """A fill-in token as a plain word of its name (``@X@`` and ``${ X }`` become ``xXx``)."""
    name = m.group(0)[1:-1] if m.group(0).startswith("@") else (m.group(1) or m.group(2))
    return "x" + name + "x"


_JJB_ITEM = re.compile(r"^- (?:job|job-template|job-group|project|defaults|view|view-template|builder|"
                       r"publisher|trigger|wrapper|scm|parameter|property|reporter|pipeline-scm):[ \t]*$",
                       re.M)


def jjb_alias_error(source: SourceFile, messages: list[str]) -> bool:
    """Whether a YAML file is a Jenkins Job Builder definition whose every syntax error
    (``messages``) is an undefined alias: JJB resolves it against the other files' anchors."""
    if not messages or not source.path.lower().endswith((".yaml", ".yml")):
        return False
    return all("undefined alias" in m for m in messages) and _JJB_ITEM.search(source.text or "") is not None


def ansible_k3s_configs(doc: Document, is_k3s_mapping: Any) -> list[Document]:
    """The K3s configs an Ansible variables document holds (``k3s_server`` / ``k3s_agent``
    mappings that ``is_k3s_mapping`` recognises), as documents rooted at that mapping."""
    out = []
    for key in ANSIBLE_K3S_KEYS:
        value = doc.data.get(key)
        if isinstance(value, dict) and value and is_k3s_mapping(value):
            out.append(NodeConfig(doc.source, doc.tree, doc.base + (key,), doc.index, ANSIBLE_K3S_CONFIG))
    return out


# the files K3s reads as its config (k3s pkg/configfilearg defaultParser: DefaultParser's
# ConfigFilename and its .d drop-ins), as a machine config names them
_K3S_CONFIG_FILE = re.compile(r"^/etc/rancher/k3s/config\.yaml(?:\.d/[^/]+\.ya?ml)?$")
# where a machine config keeps each written file's list, and its text inside an entry
_WRITTEN_FILES = ((("storage", "files"), ("contents", "inline")),  # Butane
                  (("write_files",), ("content",)))  # cloud-init


def written_k3s_configs(doc: Document, limits: Any) -> list[Document]:
    """The K3s configs a Butane or cloud-init document writes (``_WRITTEN_FILES`` entries
    whose path is a K3s config file), each a document of the text, positioned in the file.
    A text that is no YAML mapping is left out (its own tool reports it)."""
    from multus_lint.load.document import get_path

    out = []
    for list_path, text_path in _WRITTEN_FILES:
        files = get_path(doc.data, list_path)
        for i, entry in enumerate(files if isinstance(files, list) else []):
            if not isinstance(entry, dict) or not isinstance(entry.get("path"), str) \
                    or not _K3S_CONFIG_FILE.match(entry["path"]) or entry.get("encoding"):
                continue
            path = list_path + (i,) + text_path
            if not isinstance(get_path(doc.data, path), str):
                continue
            try:
                parsed = doc.embedded_yaml(path, limits, "ML001")
            except Exception:  # noqa: BLE001 - an unreadable text: no config taken from it
                continue
            out += [NodeConfig(doc.source, item.tree, (), doc.index, entry["path"]) for item in parsed[:1]
                    if not item.problems and item.tree is not None and isinstance(item.tree.data, dict)
                    and item.tree.data]
    return out


# ------------------------------------------------------------------ K3s flags in Ansible variables

# A variable whose string (or list of strings) may be K3s's command line: a name holding
# "k3s" (k3s_server_args, k3s_extra_args, install_k3s_exec), or, in an Ansible variables file
# (``_ansible_vars_place``), the server/agent/extra arguments of a role (extra_server_args,
# extra_agent_args, extra_args, server_args). A Helm chart's ``extraArgs`` elsewhere is some
# other program's (vcluster's values run a k3s of their own, inside the cluster).
_FLAG_VARIABLE = re.compile(r"(?:server|agent|extra|install).*(?:args?|flags?|opts|options|exec|params?)$", re.I)
# the folders Ansible reads variables from (an inventory's group_vars/ and host_vars/, a role's
# defaults/ and vars/), an inventory's own folder, and inventory files (inventory.yml, hosts.yml)
_ANSIBLE_VARS_DIRS = frozenset({"group_vars", "host_vars", "defaults", "vars", "inventory", "inventories"})
# a flag that moves the CNI dirs, as Go's flag package reads it (one or two dashes, the value
# after "=" or as the next argument); "d" is data-dir's alias. The flag may follow a Jinja
# tag ({% if %}--flag); the value ends at whitespace, a quote or a Jinja tag, and may hold a
# Jinja expression ({{ backend }}).
_K3S_FLAG = re.compile(r"""(?:^|(?<=[\s"'=])|(?<=%\}))--?(flannel-backend|data-dir|d)(?:=|\s+)["']?"""
                       r"""([^\s"'{]*(?:\{\{[^}]*\}\}[^\s"'{]*)*)""")
_JINJA_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.S)
_FILLED_IN = ("{{", "}}", "{%", "%}", "$")
MAX_FLAG_DEPTH = 6  # mappings nested in an inventory: k3s_cluster.children.server.vars.<name>


@dataclass(repr=False, eq=False)
class K3sFlag:
    """A K3s setting a flag in an Ansible variable passes (``flag_settings``): the profile
    takes it as it takes a K3s config's value (model.profile.apply_k3s_configs), unless it is
    not literal (then model.profile.apply_template_settings leaves the key unsettled)."""

    doc: Document  # the variables document
    path: tuple  # of the string in doc.data (a list item's index last)
    var: str  # the variable's name
    key: str  # the profile key: flannel-backend, data-dir
    value: str
    offset: int  # where the flag starts in the string
    length: int  # of the flag and its value
    # no Jinja fills the value in or chooses whether the flag is passed ({% if %}, or the flag
    # inside a {{ ... if ... }} expression): the value is what K3s is given
    literal: bool

    def site(self) -> Site:
        """Where the flag is in its file."""
        text = get_path(self.doc.data, self.path)
        text = text if isinstance(text, str) else ""

        def at(offset: int) -> tuple[int, int]:
            before = text[:offset]
            return before.count("\n"), offset - before.rfind("\n") - 1

        span = EmbeddedMap(self.doc, self.path).span(at(self.offset), at(self.offset + self.length))
        return Site(self.doc.source, span, self.doc.object_ref())

    @property
    def line(self) -> int:
        """The flag's line. The profile is built outside any object's containment
        (model.contain): a position that cannot be worked out costs the line only (1)."""
        try:
            return self.site().span.line
        except Exception:  # noqa: BLE001 - the path still says where the value came from
            return 1

    @property
    def where(self) -> str:
        """``path:line`` of the flag (--print-profile names it)."""
        return f"{self.doc.source.path}:{self.line}"


def _ansible_vars_place(path: str) -> bool:
    parts = path.replace("\\", "/").split("/")
    return not _ANSIBLE_VARS_DIRS.isdisjoint(parts[:-1]) or parts[-1].lower().startswith(("inventory", "hosts."))


def _flag_strings(data: dict[str, Any], vars_place: bool, path: tuple = (),
                  depth: int = 0) -> list[tuple[str, list[tuple[tuple, str]]]]:
    """(variable, [(path, string)]) of the values of ``data`` that may be K3s's command line
    (``_FLAG_VARIABLE``), in nested mappings too; the K3s config mappings (ANSIBLE_K3S_KEYS)
    are read as configs, not here."""
    out = []
    for key, value in data.items():
        if not isinstance(key, str):
            continue
        if isinstance(value, dict):
            if depth < MAX_FLAG_DEPTH and key not in ANSIBLE_K3S_KEYS:
                out += _flag_strings(value, vars_place, path + (key,), depth + 1)
            continue
        if not ("k3s" in key.lower() or vars_place and _FLAG_VARIABLE.search(key)):
            continue
        if isinstance(value, str):
            out.append((key, [(path + (key,), value)]))
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            out.append((key, [(path + (key, i), v) for i, v in enumerate(value)]))
    return out


def flag_settings(doc: Document) -> list[K3sFlag]:
    """The K3s settings (flannel-backend, data-dir) that flags in a kind-less YAML document's
    variables pass (``_flag_strings``): the last of a repeated flag, as flag.FlagSet keeps
    it. A list of strings is one command line (``["--flannel-backend", "none"]``). data-dir
    is taken only where the document says K3s (a key or the value naming k3s, or a flannel
    flag beside it): etcd, Consul and Nomad take a ``-data-dir`` too; ``-d`` only when the
    file's text says ``k3s`` or ``flannel``, as the context prefilter reads it (a file named
    alone must be judged by what the audit reads)."""
    return [K3sFlag(doc, *found) for found in _flags(doc.data, doc.source.path, doc.source.text or "")]


def holds_k3s_flags(data: Any, path: str, text: str) -> bool:
    """Whether a parsed kind-less document (``data``, of the file at ``path`` holding
    ``text``) passes K3s flags (``flag_settings``): model.scopes takes its file for a node
    config."""
    return isinstance(data, dict) and "kind" not in data and "apiVersion" not in data \
        and bool(_flags(data, path, text))


def _flags(data: dict[str, Any], path: str, text: str) -> list[tuple]:
    """``flag_settings`` as (path, var, key, value, offset, length, literal) tuples."""
    if not path.lower().endswith((".yaml", ".yml")):
        return []
    # (the document's own values are walked, not the file's text: a file of many documents
    # would be scanned once per document)
    found = _flag_strings(data, _ansible_vars_place(path))
    if not found:
        return []
    keys_say_k3s = any(isinstance(k, str) and "k3s" in k.lower() for k in data)
    out: list[tuple] = []
    for var, items in found:
        joined, starts = "", []
        for item_path, value in items:
            starts.append((len(joined), item_path, value))
            joined += value + " "
        if "-flannel-backend" not in joined and "-d" not in joined:
            continue
        k3s_said = keys_say_k3s or "k3s" in var.lower() or "k3s" in joined.lower() or "-flannel-" in joined
        conditional = "{%" in joined
        expressions = [m.span() for m in _JINJA_EXPRESSION.finditer(joined)]
        last: dict[str, re.Match[str]] = {}
        for m in _K3S_FLAG.finditer(joined):
            name = m.group(1)
            if not m.group(2) or name != "flannel-backend" and not k3s_said:
                continue
            if name == "d" and "k3s" not in text and "flannel" not in text:
                continue
            last["data-dir" if name == "d" else name] = m
        for key, m in last.items():
            start, item_path, value = next(s for s in reversed(starts) if s[0] <= m.start())
            literal = not conditional and not any(a <= m.start() < b for a, b in expressions) \
                and not any(t in m.group(2) for t in _FILLED_IN)
            out.append((item_path, var, key, m.group(2), m.start() - start,
                        min(m.end(), start + len(value)) - m.start(), literal))
    return out
