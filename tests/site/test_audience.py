"""The two views of the site, unit by unit: what the students' view makes of a page and a notebook."""

from __future__ import annotations

import json

import pytest

from course.audience import audience_of
from course.audience.notebooks import STUDENTS_WORDING, check_wording, students_notebook
from course.audience.students import expand_skeletons, students_page
from course.impl import REPO_ROOT

PAGE = ('Text.\n\n??? success "Solution: `LSTMCell.call` (`solutions/cell.py`)"\n\n'
        '    ```python\n    --8<-- "solutions/cell.py:call"\n    ```\n\nMore text.\n\n'
        '!!! example "Exercise"\n\n    <!-- checks: model training -->\n\n'
        '??? success "Solution"\n\n    1. The answer.\n\nEnd.\n')


def test_a_solution_block_becomes_the_students_skeleton() -> None:
    """The reference's section gives way to the student's function and its check command; the
    written answers to a note with the parts of the exercise above them."""
    page = students_page(PAGE, solutions_root=REPO_ROOT)
    assert "<!-- skeleton: exercises/cell.py LSTMCell.call -->" in page
    assert "`lstm-course check --parts cell`" in page and "`lstm-course check --parts model,training`" in page
    assert "the exercise above: `exercises/model.py` and `exercises/train.py`" in page
    assert "solutions/" not in page and "The answer." not in page and page.endswith("End.\n")
    assert students_page(page, solutions_root=REPO_ROOT) == page  # the release's pages stay as they are
    shown = expand_skeletons(page, REPO_ROOT)
    assert "    def call(" in shown and "raise NotImplementedError" in shown
    assert "tf.concat([x, hidden_state]" not in shown  # (the reference's line, SPEC: the exercise keeps none)


def test_a_skeleton_of_a_missing_function_stops_the_build() -> None:
    with pytest.raises(ValueError, match="LSTMCell.no_such_method"):
        expand_skeletons("<!-- skeleton: exercises/cell.py LSTMCell.no_such_method -->\n", REPO_ROOT)
    with pytest.raises(ValueError, match="does not exist"):
        expand_skeletons("<!-- skeleton: exercises/nothing.py f -->\n", REPO_ROOT)


def test_audience_defaults_to_students_and_refuses_others(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SITE_AUDIENCE", raising=False)
    assert audience_of({}) == "students" and audience_of({"audience": "instructors"}) == "instructors"
    with pytest.raises(ValueError, match="teachers"):
        audience_of({"audience": "teachers"})


def test_notebooks_get_the_students_wording() -> None:
    """Every instructors' sentence is in a committed notebook, and the students' copy says "your own"."""
    texts = [path.read_text() for path in sorted((REPO_ROOT / "docs" / "notebooks").glob("*.ipynb"))]
    rewritten = [students_notebook(text) for text in texts]
    found = set().union(*(sentences for _, sentences in rewritten))
    assert found == set(STUDENTS_WORDING)
    check_wording(found, [text for text, _ in rewritten])  # (raises when a sentence is missing)
    for text, _ in rewritten:
        assert "solutions/" not in text and json.loads(text)["cells"]
    with pytest.raises(ValueError, match="no notebook says"):
        check_wording(set(), texts[:1])
