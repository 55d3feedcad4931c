"""The hostile corpus, the reference and the exercises, graded in one batch with the real core.

One batch with ``--jobs 2`` and short limits: every case must get a row with the right
status, less than full marks, credit for the parts it leaves intact and none for the
parts it breaks; the reference gets full marks, the exercises 0; and no case holds the
batch up beyond its limit. Cases that only need some parts are graded on those parts.
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
from course.grading.checks import PARTS, max_score
from course.grading.sandbox_batch import Limits
from course.impl import REPO_ROOT

#: Per-submission wall-clock limit in this test (seconds); a case that hits it is a timeout.
SUBMISSION_TIMEOUT = 150.0
#: Per-check limit passed to the core (seconds).
CHECK_TIMEOUT = 25.0
#: Every part but training, which is slow and which most cases do not need.
QUICK_PARTS = [p for p in PARTS if p != "training"]


def parts_needed(case: Case) -> list[str]:
    """The parts a case must be graded on to show what it claims.

    Args:
        case: Case.

    Returns:
        Its full and zero parts; all quick parts when it names training or none.
    """
    named = list(dict.fromkeys([*case.full, *case.zero]))
    return named if named else QUICK_PARTS


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
    per_case = {c.name: {"parts": parts_needed(c)} for c in cases()}
    per_case["exercises"] = {"parts": QUICK_PARTS}
    options = BatchOptions(
        jobs=2, limits=Limits(wall_seconds=SUBMISSION_TIMEOUT, memory_mb=4096, output_bytes=8_000),
        core_options={"check_timeout": CHECK_TIMEOUT}, core_options_for=per_case,
    )
    start = time.monotonic()
    rows = grade_batch(discover([root / "submissions"]), out=root / "gradebook.csv", reports=root / "reports",
                       options=options)
    seconds = time.monotonic() - start
    print(f"\nhostile batch: {len(rows)} submissions in {seconds:.0f} s")
    for row in rows:
        print(f"  {row.name:24} {row.status:8} {row.score:g}/{row.max_score:g} {row.seconds:5.0f} s  "
              + " ".join(f"{p}={s:g}/{m:g}" for p, (s, m) in row.parts.items()))
    return {row.name: row for row in rows}


def test_every_submission_has_a_row(graded: dict[str, gradebook.Row]) -> None:
    assert set(graded) == {c.name for c in cases()} | {"reference", "exercises"}


def test_reference_gets_full_marks_and_exercises_none(graded: dict[str, gradebook.Row]) -> None:
    reference, exercises = graded["reference"], graded["exercises"]
    assert reference.status == "ok" and reference.score == reference.max_score == max_score(), reference
    assert exercises.status == "ok" and exercises.score == 0, exercises


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.name)
def test_hostile_case(graded: dict[str, gradebook.Row], case: Case) -> None:
    row = graded[case.name]
    assert row.status in case.status, (case.what, row)
    assert row.score < max_score(), (case.what, row)
    for part in case.full:
        score, maximum = row.parts[part]
        assert maximum > 0 and score == maximum, (case.what, part, row.parts)
    for part in case.zero:
        assert row.parts.get(part, (0.0, 0.0))[0] == 0, (case.what, part, row.parts)
    assert row.seconds < SUBMISSION_TIMEOUT + 15, (case.what, row.seconds)


def test_reports_carry_hints(graded: dict[str, gradebook.Row]) -> None:
    report = Path(graded["nan-outputs"].report).read_text()
    assert "## Hints" in report and "cell." in report
