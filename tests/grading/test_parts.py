"""One module per run part: adding a check is one registry row and one verdict function.

No grading runs here: the evidence is written by hand, in the format the part's probe records.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from course.grading.checking import checks, judges
from course.grading.checking.checks import Check
from course.grading.checking.inputs import make_inputs
from course.grading.checking.judges import Case, Evidence, UnjudgedCheck
from course.grading.checking.parts import training

#: A throwaway check of the training part, as a teaching assistant would add it.
ROW = Check("training.moves_last_step_most", "training", 1,
            "Train on the last step: its weight must move more than any other step's.",
            "the last step's read-out is the one that learns")


def _evidence(changes: list[float]) -> Evidence:
    """Evidence of the training probe, as its child records it.

    Args:
        changes: per-step weight changes, recorded under the new (hypothetical) name ``train.step_changes``.

    Returns:
        Evidence.
    """
    return Evidence(values={"train.step_changes": changes, "train.weights_changed": max(changes),
                            "train.steps": len(changes), "train.steps_trained": [len(changes) - 1]})


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry with :data:`ROW` added, and the training verdicts restored afterwards."""
    monkeypatch.setattr(checks, "CHECKS", (*checks.CHECKS, ROW))
    monkeypatch.setattr(checks, "BY_NAME", {**checks.BY_NAME, ROW.name: ROW})
    monkeypatch.setattr(training.VERDICTS, "by_name", dict(training.VERDICTS.by_name))


def test_a_new_check_is_one_row_and_one_function(registry: None) -> None:
    """The row plus one decorated function: the part's judge decides it and the report lists it."""

    @training.VERDICTS.check(ROW.name)
    def moves_last_step_most(case: Case) -> tuple[bool, str]:
        changes = case.value("train.step_changes")
        return int(np.argmax(changes)) == len(changes) - 1, f"steps' weight changes {changes}"

    assert judges.unjudged() == []
    inputs = make_inputs("training", 0)
    good = judges.judge("training", inputs, _evidence([0.0, 0.1, 0.9]))
    bad = judges.judge("training", inputs, _evidence([0.9, 0.1, 0.2]))
    assert list(good) == [c.name for c in checks.checks_for("training")] and list(good)[-1] == ROW.name
    assert good[ROW.name] == (True, "steps' weight changes [0.0, 0.1, 0.9]")
    assert bad[ROW.name] == (False, "steps' weight changes [0.9, 0.1, 0.2]")
    assert good["training.updates_weights"][0] and good["training.loss_last_step"][0]  # the others are untouched
    empty = judges.judge("training", inputs, Evidence())
    assert empty[ROW.name] == (False, "no value train.step_changes was reported")


def test_a_row_without_its_function_is_named(registry: None) -> None:
    """Forgetting the function stops judging with the check's name and the file to add it to."""
    assert judges.unjudged() == [f"{ROW.name} has no verdict function in course/grading/checking/parts/training.py "
                                 f"(decorate one with @VERDICTS.check({ROW.name!r}))"]
    with pytest.raises(UnjudgedCheck, match="training.moves_last_step_most has no verdict function"):
        judges.judge("training", make_inputs("training", 0), Evidence())


def test_a_function_without_its_row_is_refused() -> None:
    """A verdict for a check the registry lacks (or misspells), or a second verdict, is refused when it is defined."""
    with pytest.raises(UnjudgedCheck, match="add its Check row"):
        training.VERDICTS.check("training.moves_last_step_most")
    with pytest.raises(UnjudgedCheck, match="add its Check row"):
        training.VERDICTS.check("cell.gradients")  # another part's check
    with pytest.raises(UnjudgedCheck, match="two verdict functions"):
        training.VERDICTS.check("training.updates_weights")


def test_the_parent_judges_without_tensorflow_and_the_child_imports_only_its_part() -> None:
    """Judging every part loads no TensorFlow (a batch worker judges without it); a part's
    module imports no other part's (layer's needs cell's weight copy), nor the oracle or the core."""
    script = (
        "import sys\n"
        "from course.grading.checking import judges, parts\n"
        "parts.module('training'); parts.module('layer')\n"
        "child = sorted(m for m in sys.modules if m.startswith('course.grading.checking.') or m == 'course.grading.core')\n"
        "judges.unjudged()\n"
        "print(child); print('tensorflow' in sys.modules or 'keras' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    child, tensorflow = done.stdout.splitlines()
    assert tensorflow == "False"
    assert eval(child) == [  # noqa: S307 - our own printed list
        "course.grading.checking.checks", "course.grading.checking.inputs", "course.grading.checking.judges",
        "course.grading.checking.parts", "course.grading.checking.parts.cell", "course.grading.checking.parts.layer",
        "course.grading.checking.parts.training", "course.grading.checking.recording",
    ]
