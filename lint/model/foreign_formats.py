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
"""

from __future__ import annotations

import re
from typing import Any

from multus_lint.load.document import Document
from multus_lint.load.read import SourceFile

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
