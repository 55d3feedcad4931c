"""A report in Gradescope's results shape: what ``lstm-course grade --json`` prints.

The same object is the ``result`` of the instructor's copy of each report (``NAME.json``),
and :mod:`course.grading.outputs.gradescope_run` extends it into ``results.json``. It is
built here, once, from the :class:`course.grading.result.GradeReport`.
"""

from __future__ import annotations

from typing import Any

from course.grading.result import CheckResult, GradeReport

#: Longest ``output`` kept per check (Gradescope shows, and stores, less than a student can print).
MAX_TEST_OUTPUT = 4_000


def check_output(result: CheckResult) -> str:
    """The text shown for a check, cut to :data:`MAX_TEST_OUTPUT` characters.

    Args:
        result: CheckResult.

    Returns:
        str, with a note of how much was cut.
    """
    output = result.output()
    if len(output) > MAX_TEST_OUTPUT:
        output = output[:MAX_TEST_OUTPUT] + f"\n[... {len(output) - MAX_TEST_OUTPUT:,} characters cut ...]"
    return output


def _test(result: CheckResult) -> dict[str, Any]:
    """One check as a Gradescope test.

    Args:
        result: CheckResult.

    Returns:
        dict with ``name``, ``score``, ``max_score``, ``output``, ``status``, ``tags`` and ``extra_data``.
    """
    return {"name": result.name, "score": result.score, "max_score": float(result.check.points),
            "output": check_output(result), "status": "passed" if result.passed else "failed",
            "tags": [result.check.part],
            "extra_data": {"part": result.check.part, "manual": result.check.manual,
                           "not_implemented": result.not_implemented}}


def gradescope_result(report: GradeReport) -> dict[str, Any]:
    """The report in Gradescope's results shape, with the status, seed and parts beside it.

    Args:
        report: GradeReport.

    Returns:
        dict, JSON-ready: ``score``, ``max_score``, ``output``, ``tests`` and ``extra_data`` (``status``,
        ``reason`` and each part's ``score`` and ``max_score``); a finished grading also has
        ``execution_time``, ``status``, ``reason``, ``seed`` and ``parts`` (with each part's run status).
        A grading that stopped before any check was scored has no tests.
    """
    extra: dict[str, Any] = {"status": report.status, "reason": report.reason}
    if report.parts:
        extra["parts"] = {name: {"score": part.score, "max_score": part.max_score}
                          for name, part in report.parts.items()}
    if not report.results:
        return {"score": report.score, "max_score": report.max_score, "tests": [], "output": report.output(),
                "extra_data": extra}
    return {
        "score": report.score,
        "max_score": report.max_score,
        "execution_time": round(report.seconds, 2),
        "output": report.output(),
        "status": report.status,
        "reason": report.reason,
        "seed": report.seed,
        "parts": {name: {"score": part.score, "max_score": part.max_score, "status": part.status}
                  for name, part in report.parts.items()},
        "tests": [_test(result) for result in report.results],
        "extra_data": extra,
    }
