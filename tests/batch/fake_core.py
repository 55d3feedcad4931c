"""A light stand-in for ``course.grading.core`` to test the batch fence without TensorFlow.

It is deliberately *unsafe*: it runs the submission's ``hostile.py`` inside the worker
itself, the worst case for the fence around the worker. Each present exercise file earns
its part one point, so partial credit is visible in the rows.
"""

from __future__ import annotations

from pathlib import Path

from course.grading.checking.checks import Check
from course.grading.result import CheckResult, GradeReport, score_parts

PARTS = ("data", "cell", "layer")


def grade_submission(path: Path, *, jobs: int = 1, **options: object) -> GradeReport:
    """Score one point per present exercise file, after running ``hostile.py`` if there is one.

    Args:
        path: Path, the submission's package root.
        jobs: int, ignored.
        **options: ignored.

    Returns:
        The real core's report type, with one check per part.
    """
    hostile = path / "hostile.py"
    if hostile.exists():
        exec(compile(hostile.read_text(), str(hostile), "exec"), {"__name__": "hostile"})
    results = [CheckResult(Check(f"{part}: file present", part, 1, hint=f"{part}.py is missing",
                                 proves=f"{part}.py is present"),
                           passed=(path / f"{part}.py").exists(), detail=f"looked for {part}.py")
               for part in PARTS]
    return GradeReport(submission=str(path), results=results, parts=score_parts(results))
