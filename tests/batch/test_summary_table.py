"""The batch's summary table, redirected (a CI log, ``> log.txt``), keeps every name and score whole (issue 24)."""

from __future__ import annotations

from pathlib import Path

import pytest

from course.commands.grade import _summary
from course.grading.outputs.gradebook import Row

PARTS = ("data", "cell", "layer", "model", "training", "rules", "answers")


def test_redirected_table_keeps_full_names_and_scores(capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)  # rich's width when no terminal says one: 80
    rows = [Row(name=f"submission_of_student_{n:02d}_resubmitted", submission=f"subs/{n}", status="ok",
                score=22 + n, max_score=58, parts={p: (float(n), 16.0) for p in PARTS}, seconds=39)
            for n in range(2)]
    _summary(rows, Path("gradebook.csv"), Path("gradebook-reports"))
    printed = capsys.readouterr().out
    assert "…" not in printed, printed
    for row in rows:
        line = next(line for line in printed.splitlines() if row.name in line)
        assert f"{row.score:g}/58" in line and line.count(f"{row.parts['data'][0]:g}/16") == len(PARTS)
    assert all(column in printed for column in ("submission", "status", "score", *PARTS, "seconds"))
