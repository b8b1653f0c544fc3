"""Stage 1-2, discover and load: which files to read, their text, and trees with positions.

Lives here: discovery (``discover``), reading and decoding (``read``), YAML/JSON parsing into
trees that know where every path lies (``parse``, ``positions``), documents and their
embedded trees (``document``), template placeholders (``placeholders``) and the two-process
parser for large inputs (``parallel_parse``).

May import: ``multus_lint.findings`` and ``multus_lint.suggest`` only. Loading knows nothing
of the model, the network facts or the rules.
"""
