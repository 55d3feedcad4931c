"""The task's constants live in ``course/task.py``, and the grader follows a change of them.

An instructor who gives a class sequences of 50 steps changes ``course.task.SEQ_LEN`` and the
reference's ``data.py`` (then regenerates the exercises). The test does the same to a copy of the
reference, in this process, and grades it with the real grader. Only the parts whose inputs depend
on the length run (data and training: one grading, two children); the other parts see no sequence
of the task's length. Had any of the grader's places kept 25, the copy would lose points:
``data.wrapper_no_args`` compares the student's ``SEQ_LEN`` with the task's, and the copy's
``train.py`` refuses to import unless the grader's stand-in ``data`` module says 50.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course import task
from course.grading.core import grade_submission
from course.impl import REPO_ROOT
from tests.seed import GRADING_SEED

#: The sequence length the instructor in the story picks.
LONGER = 50
#: The run parts whose inputs depend on the sequence length.
PARTS = ("data", "training")

pytestmark = pytest.mark.skipif(not (REPO_ROOT / "solutions").is_dir(), reason="needs the reference solution")


def reference_at(seq_len: int, folder: Path) -> Path:
    """Copy the reference into ``folder`` with ``SEQ_LEN = seq_len``, as an instructor would edit it.

    Its ``train.py`` also imports ``SEQ_LEN`` from ``.data``, as some students' do, and fails at import
    unless it reads ``seq_len``: in the training part that module is the grader's stand-in.

    Args:
        seq_len: int, the new sequence length.
        folder: Path, where the copy goes (must not exist).

    Returns:
        The copy's folder.
    """
    shutil.copytree(REPO_ROOT / "solutions", folder, ignore=shutil.ignore_patterns("__pycache__"))
    data = folder / "data.py"
    line = f"SEQ_LEN: int = {task.SEQ_LEN}\n"
    assert line in data.read_text(), "solutions/data.py no longer spells out the task's SEQ_LEN"
    data.write_text(data.read_text().replace(line, f"SEQ_LEN: int = {seq_len}\n"))
    with open(folder / "train.py", "a") as handle:
        handle.write(f"\nfrom .data import SEQ_LEN as _GRADED_SEQ_LEN\n\nif _GRADED_SEQ_LEN != {seq_len}:\n"
                     "    raise ImportError(f'the grader says SEQ_LEN = {_GRADED_SEQ_LEN}')\n")
    return folder


def test_the_reference_earns_full_marks_at_another_sequence_length(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """With the task's SEQ_LEN changed to 50 in one place, the reference edited to match scores full marks.

    Args:
        tmp_path: pytest's temporary folder.
        monkeypatch: pytest's monkeypatch, which changes ``course.task.SEQ_LEN`` for this test only.
    """
    assert task.SEQ_LEN != LONGER
    folder = reference_at(LONGER, tmp_path / f"seq-len-{LONGER}")
    monkeypatch.setattr(task, "SEQ_LEN", LONGER)
    report = grade_submission(folder, jobs=2, parts=PARTS, seed=GRADING_SEED)
    scores = report.part_scores()
    assert all(scores[part][0] == scores[part][1] for part in PARTS), report.output()
    # The children really saw the new length: the generator's samples and the training data.
    assert report.runs["data"].evidence[0].values["wrapper.SEQ_LEN"] == LONGER
    assert report.runs["training"].evidence[0].values["train.steps"] == LONGER
