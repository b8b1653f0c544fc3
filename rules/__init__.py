"""Rule families; importing this package registers every rule and checker.

One module per family, named for the codes it holds:
input (ML0xx), paths (ML1xx), ipam (ML2xx), addressing (ML3xx), annotations (ML4xx),
nad (ML5xx), helm (ML6xx).
"""

from multus_lint.rules import addressing, annotations, helm, input, ipam, nad, paths  # noqa: F401
