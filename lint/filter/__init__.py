"""Stage 5, filter: which findings of the rules are reported.

Lives here: suppression comments, annotations and per-path ignores with ML005/ML006
(``suppress``), and the baseline of known findings (``baseline``).

May import: ``findings``, ``suggest``, ``config``, ``registry`` and ``load``. Never the
model or the rules: filters work on findings and file text.
"""
