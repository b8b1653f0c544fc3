"""ML5xx: NetworkAttachmentDefinitions and the CNI plugin configs inside them."""

from __future__ import annotations

from multus_lint.registry import declare

INVALID_JSON = declare(
    "ML501", "nad-config-invalid-json", "error",
    "spec.config is not a JSON object (or is a YAML mapping instead of a string).",
    what="Parses the JSON in `spec.config` as Go's encoding/json would and reports the error at "
         "its own line and column inside the block scalar, with the parser's message.",
    why="Multus reads the config at pod start: invalid JSON fails every pod that requests the "
        "network, and the NAD itself is accepted by the API server without complaint.",
    example='config: |\n  {\n    "type": "macvlan",\n    "mode": "bridge",\n  }   # trailing comma',
    fix="Fix the JSON at the reported position; keep comments out of it.",
    refs=("https://github.com/k8snetworkplumbingwg/multi-net-spec",),
)
