"""Stage 3, model: the project as typed views over the loaded documents.

Lives here: the project and its documents, NADs and workloads (``project``), chart releases
and their layered values (``charts``, ``gitops``), raw Multus DaemonSets
(``multus_daemonset``), network references from annotations and VMs (``network_refs``),
IPAM configs analysed once per run (``ipam_uses``), what the project installs on the nodes
(``installed_plugins``), the cluster profile (``profile``), K3s and chart versions
(``versions``) and served API versions (``api_versions``).

May import: ``findings``, ``suggest``, ``fixes``, ``config``, and the ``load``, ``validate``
and ``net`` stages. Never the registry, the rules, the filters, the reporters or the engine.
"""
