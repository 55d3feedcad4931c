"""Grade the implementation named by ``--impl`` once per session, with the same core as ``lstm-course check``."""

from __future__ import annotations

import pytest

from course.grading.core import grade_submission
from course.grading.result import GradeReport
from course.impl import resolve
from tests.seed import GRADING_SEED


@pytest.fixture(scope="session")
def grade_report(request: pytest.FixtureRequest) -> GradeReport:
    """Grade ``--impl`` (default: solutions) once, with the tests' seed; every test reads one check from the report.

    Args:
        request: pytest's fixture request (for the ``--impl`` option).

    Returns:
        GradeReport.
    """
    return grade_submission(resolve(request.config.getoption("--impl")), jobs=2, seed=GRADING_SEED)
