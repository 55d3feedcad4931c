"""The graders as pytest tests: one test per check, named after it, failing with its hint.

``pytest tests/graders --impl PATH`` is a view on the trusted grading core: the
score comes from :func:`course.grading.core.grade_submission`, run once per session.
"""

from __future__ import annotations

import pytest

from course.grading.checking.checks import CHECKS
from course.grading.result import GradeReport


@pytest.mark.parametrize("name", [check.name for check in CHECKS])
def test_check(name: str, grade_report: GradeReport) -> None:
    """One grader check.

    Args:
        name: str, the check's name.
        grade_report: the session's grading of ``--impl``.
    """
    result = grade_report.result(name)
    if not result.passed:
        pytest.fail(result.output(), pytrace=False)
