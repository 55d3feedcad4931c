"""Every grading limit and default, defined once.

``lstm-course check``, ``lstm-course grade``, the Gradescope bundle, the runners and the
instructors' page all read their numbers here (``tests/batch/test_bundle_defaults.py`` checks
that the page states them). Change a number here and every reader follows.

Three scopes, outermost first:

- **a submission** in ``lstm-course grade`` (:class:`course.grading.running.sandbox_batch.Limits`):
  the worker's whole process tree, watched by the batch process;
- **a submission on Gradescope** (the bundle's ``grading.json``): the same, smaller, so that it
  ends inside Gradescope's own timeout;
- **a part's child** (:mod:`course.grading.running.runner`, :mod:`course.grading.running.worker`):
  one process that imports the student's modules.

The limits on what an uploaded archive may expand to are :mod:`course.grading.intake`'s.
"""

from __future__ import annotations

#: Wall-clock seconds for one submission in ``lstm-course grade`` (``--timeout``): generous,
#: since a loaded machine imports TensorFlow slowly; a correct submission needs about a minute.
SUBMISSION_SECONDS = 900.0
#: Cap on the summed resident memory of one submission's processes, in MiB (``--memory-mb``).
#: Summed RSS counts TensorFlow's shared pages once per process, so it runs well above what
#: the machine really uses.
SUBMISSION_MEMORY_MB = 6144
#: Output (stdout and stderr) kept per submission, in KiB (``--output-kb``): half from the
#: start, half from the end.
OUTPUT_KB = 20

#: The Gradescope bundle's wall clock for one submission (``lstm-course gradescope --timeout``):
#: below Gradescope's default 10-minute autograder timeout, which must stay above it.
GRADESCOPE_SECONDS = 540.0
#: The Gradescope bundle's cap on the summed resident memory of one submission, in MiB
#: (docs/instructors.md, "Gradescope", explains why it is safe on a 768 MB machine).
GRADESCOPE_MEMORY_MB = 3072
#: Part processes graded at once for one submission on Gradescope (``--jobs``).
GRADESCOPE_JOBS = 2

#: Default wall-clock limit of each part's child, in seconds (generous: a loaded machine
#: imports TensorFlow slowly; a correct submission needs a fraction of it).
PART_SECONDS: dict[str, float] = {"data": 90, "cell": 90, "layer": 120, "model": 90, "training": 240}
#: Address-space cap of each part's child, in MiB (TensorFlow maps about 1.5 GiB at import).
PART_MEMORY_MB = 6144
#: Largest file any process of a submission may write, in MiB (RLIMIT_FSIZE; a disk fill stops there).
FILE_MB = 256
