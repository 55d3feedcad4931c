"""The integration task's constants: the one place a course changes them.

The grader (its inputs, judges and hints), ``lstm-course train``, the figures and the
pages read these names. Students keep their own copies in ``data.py`` (``SEQ_LEN`` and
``NUM_SAMPLES``, as SPEC.md fixes): a submission must stand on its own, so
``solutions/data.py`` spells the values out, a test checks that they equal these, and the
check ``data.wrapper_no_args`` tells a student whose values differ.

To give a class another task, change a value here and in ``solutions/data.py``, then run
``lstm-course exercises`` and ``lstm-course figures`` (the site's *Instructors* page,
"Customise the course", lists every file).

Read the names through the module (``task.SEQ_LEN``), not with ``from course.task import
SEQ_LEN``: a value read at call time follows a change made after import, as the test that
grades the reference at another sequence length does.
"""

from __future__ import annotations

#: T: the time steps of one noise sequence.
SEQ_LEN: int = 25

#: The pairs ``my_integration_task`` yields: one epoch of the homework's training.
NUM_SAMPLES: int = 80_000

#: The held-out accuracy, at the last time step, that the homework asks for.
ACCURACY_BAR: float = 0.80
