"""One module per run part: what the parent sends it, what the child records, and how the parent judges.

Each of ``data``, ``cell``, ``layer``, ``model`` and ``training`` defines, side by side:

- ``inputs(rng) -> PartInputs``: the sizes, weights and noise the trusted parent chooses
  (:func:`course.grading.checking.inputs.make_inputs` seeds ``rng``), and what only the
  parent keeps (held-out labels);
- ``probe(module, rec, config, arrays, **extras)``: runs in the sandboxed child, on the
  student's module, and only records raw outputs with a
  :class:`~course.grading.checking.recording.Recorder`;
- ``references(arrays)`` (cell and layer only): Keras' own outputs for those inputs, the
  oracle the parent compares with (:mod:`course.grading.checking.oracle` caches them);
- ``VERDICTS``: a :class:`~course.grading.checking.judges.Verdicts` table, one function per
  check of :data:`course.grading.checking.checks.CHECKS`, registered under the check's name.

A module imports TensorFlow and Keras only inside its probe and references: the parent
imports it to judge, and a batch worker judges without loading TensorFlow. The child
imports only the module of the part it runs.
"""

from __future__ import annotations

import importlib
import types

from course.grading.checking.checks import RUN_PARTS


def module(part: str) -> types.ModuleType:
    """Return the module of a run part.

    Args:
        part: str, one of :data:`course.grading.checking.checks.RUN_PARTS`.

    Returns:
        The module ``course.grading.checking.parts.<part>``.

    Raises:
        ValueError: for a part that is not a run part.
    """
    if part not in RUN_PARTS:
        raise ValueError(f"{part!r} is not a run part; the run parts are {', '.join(RUN_PARTS)}")
    return importlib.import_module(f"{__name__}.{part}")
