"""The seed of the tests' grading runs: fixed, so that a failure replays; given, to try others.

Set ``LSTM_COURSE_TEST_SEED=N`` to grade with seed N. Every failing test's report ends
with the seed it ran with (``tests/conftest.py``), so ``LSTM_COURSE_TEST_SEED=N pytest ...``
replays it.
"""

from __future__ import annotations

import os

#: The environment variable that overrides the seed.
SEED_VARIABLE = "LSTM_COURSE_TEST_SEED"
#: The seed every grading run in the tests uses.
GRADING_SEED: int = int(os.environ.get(SEED_VARIABLE, "7"))
