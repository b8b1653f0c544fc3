"""Facts of the network stack, as the Go code of the plugins computes them.

Lives here: Go-compatible address and CIDR parsing and the IPAM analysis of whereabouts,
host-local and static (``addresses``), the Multus network-selection annotation parser
(``annotation``) and the address-range overlap sweep (``overlap``).

Pure functions over plain data. May import: ``multus_lint.findings``, ``multus_lint.suggest``
and ``multus_lint.load`` (the JSON position scanner); never the model or the rules.
"""
