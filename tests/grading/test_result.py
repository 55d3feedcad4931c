"""The one result type survives the trip from the batch worker to the batch parent unchanged."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from course.grading.checking.checks import CHECKS
from course.grading.result import CheckResult, GradeReport, score_parts


def _through_the_pipe(report: GradeReport) -> GradeReport:
    """Send a report as the worker does (strict JSON) and read it back as the parent does.

    Args:
        report: GradeReport.

    Returns:
        The report read back.
    """
    return GradeReport.from_json(json.loads(json.dumps(report.to_json(), allow_nan=False)))


def test_a_graded_report_round_trips_without_its_runs() -> None:
    results = [CheckResult(check, passed=index % 3 == 0, detail=f"detail {index}") for index, check in enumerate(CHECKS)]
    runs = {"cell": SimpleNamespace(status="timeout", reason="the part did not finish within 9 s", output="hi\n")}
    report = GradeReport(submission="subs/alice", results=results, parts=score_parts(results, runs), status="timeout",
                         reason="cell: the part did not finish within 9 s", seed=12345, seconds=3.25,
                         warnings=["imports the grader does not provide: tqdm"], isolation="landlock+uid", runs=runs)
    back = _through_the_pipe(report)
    assert back == report and back.runs == {}
    assert back.output() == report.output() and "Part cell printed:\nhi" in back.output()
    assert back.parts["cell"].status == "timeout" and back.parts["data"].status == "ok"
    assert back.part_scores() == report.part_scores() and back.score == report.score > 0


def test_a_stopped_report_round_trips() -> None:
    report = GradeReport.stopped("subs/bob", "crashed", "memory limit", "Grading stopped.",
                                 points={"data": 13, "cell": 9}, isolation="bwrap+uid")
    back = _through_the_pipe(report)
    assert back == report and (back.score, back.max_score) == (0.0, 22.0) and back.output() == "Grading stopped."


def test_a_report_with_an_unknown_status_is_refused() -> None:
    data = GradeReport.stopped("x", "timeout", "", "").to_json()
    with pytest.raises(ValueError, match="status"):
        GradeReport.from_json({**data, "status": "full marks"})
