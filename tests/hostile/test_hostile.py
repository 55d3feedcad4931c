"""The hostile corpus, the reference and the exercises, graded in one batch with the real core.

One batch, ``jobs=2``: every case must get a row with the right status and less than full
marks, keep the credit of the parts it leaves intact, lose the parts it breaks, and never
hold the batch up beyond its limits; the reference gets every point of the parts it is
graded on, the exercises none. To stay within the CI budget each submission is graded on
the parts its case needs (``Case.parts``; ``rules`` and ``answers`` are always judged), so
17 part processes run in all.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from corpus import SOLUTIONS, Case, build, cases
from course.grading import gradebook
from course.grading.batch import BatchOptions, grade_batch
from course.grading.batch_submission import discover
from course.grading.checks import max_score
from course.grading.sandbox_batch import Limits
from course.impl import REPO_ROOT

#: Per-submission wall-clock limit in this test (seconds).
SUBMISSION_TIMEOUT = 240.0
#: Parts the reference and the exercises are graded on here (training is the graders' own tests' job).
REFERENCE_PARTS = ("cell",)
EXERCISE_PARTS = ("data",)


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, gradebook.Row]:
    """Grade the corpus, a copy of the reference and the exercises in one batch.

    Args:
        tmp_path_factory: pytest's temporary folders.

    Returns:
        dict of submission name to its gradebook row.
    """
    root = tmp_path_factory.mktemp("hostile")
    build(root / "submissions")
    shutil.copytree(SOLUTIONS, root / "submissions" / "reference")
    shutil.copytree(REPO_ROOT / "exercises", root / "submissions" / "exercises")
    per_case = {c.name: {"parts": list(c.parts), "timeouts": c.timeouts} for c in cases()}
    per_case["reference"] = {"parts": list(REFERENCE_PARTS)}
    per_case["exercises"] = {"parts": list(EXERCISE_PARTS)}
    options = BatchOptions(jobs=2, limits=Limits(wall_seconds=SUBMISSION_TIMEOUT, output_bytes=8_000),
                           core_options_for=per_case)
    start = time.monotonic()
    rows = grade_batch(discover([root / "submissions"]), out=root / "gradebook.csv", reports=root / "reports",
                       options=options)
    print(f"\nhostile batch: {len(rows)} submissions in {time.monotonic() - start:.0f} s (jobs=2)")
    for row in rows:
        print(f"  {row.name:22} {row.status:8} {row.score:4g}/{row.max_score:g} {row.seconds:4.0f} s  "
              + " ".join(f"{p}={s:g}/{m:g}" for p, (s, m) in row.parts.items()))
    return {row.name: row for row in rows}


def _failed_checks(row: gradebook.Row) -> dict[str, str]:
    """The failed checks of a row, from its instructor report.

    Args:
        row: gradebook.Row.

    Returns:
        dict of check name to its output.
    """
    import json

    result = json.loads(Path(row.report).with_suffix(".json").read_text())["result"]
    return {t["name"]: t["output"] for t in result["tests"] if t["score"] < t["max_score"]}


def test_every_submission_has_a_row(graded: dict[str, gradebook.Row]) -> None:
    assert set(graded) == {c.name for c in cases()} | {"reference", "exercises"}


def test_reference_gets_every_point_of_its_parts(graded: dict[str, gradebook.Row]) -> None:
    reference = graded["reference"]
    assert reference.status == "ok", reference
    for part in (*REFERENCE_PARTS, "rules", "answers"):
        score, maximum = reference.parts[part]
        assert maximum > 0 and score == maximum, (part, reference.parts, _failed_checks(reference))


def test_exercises_get_nothing_and_are_told_what_to_implement(graded: dict[str, gradebook.Row]) -> None:
    exercises = graded["exercises"]
    assert exercises.status == "ok" and exercises.score == 0, exercises
    data = {name: text for name, text in _failed_checks(exercises).items() if name.startswith("data.")}
    assert data and all("not implemented" in text.lower() for text in data.values()), data


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.name)
def test_hostile_case(graded: dict[str, gradebook.Row], case: Case) -> None:
    row = graded[case.name]
    assert row.status in case.status, (case.what, row)
    assert row.score < max_score(), (case.what, row)
    for part in case.full:
        score, maximum = row.parts[part]
        assert maximum > 0 and score == maximum, (case.what, part, row.parts, _failed_checks(row))
    for part in case.zero:
        assert row.parts.get(part, (0.0, 0.0))[0] == 0, (case.what, part, row.parts)
    failed = _failed_checks(row)
    for check in case.fails:
        assert check in failed, (case.what, check, sorted(failed))
    limit = sum(case.timeouts.values()) + 200  # its stalled parts' limits plus normal grading
    assert row.seconds < limit, (case.what, row.seconds)


def test_reports_carry_hints(graded: dict[str, gradebook.Row]) -> None:
    report = Path(graded["nan-outputs"].report).read_text()
    assert "## Hints" in report and "### cell.matches_keras" in report
    invalid = Path(graded["corrupt-zip"].report).read_text()
    assert "status: `invalid`" in invalid and "zip" in invalid
