"""Seeded experiments that answer the homework's questions with numbers.

Each experiment module (:mod:`.forget_bias`, :mod:`.tbptt`, :mod:`.regression`,
:mod:`.seq_len`) defines ``NAME``, ``SETTINGS`` (a full and a quick budget) and
``run(settings, seeds) -> dict``. :mod:`.suite` runs them and writes their JSON
result, figure (:mod:`.plots`) and Markdown table (:mod:`.tables`);
``lstm-course experiment NAME`` is the command line.

All experiments train the reference model from ``solutions/`` (in the student release,
the student's own ``exercises/``; ``lstm-course experiment --impl`` chooses) on a fast
in-memory data path (:mod:`.data`), not on the homework's per-sample
generator, so that several seeds fit in the CPU budget.
"""
