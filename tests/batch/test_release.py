"""The student release: no solutions in it, docs without solution code, a working Classroom workflow.

The student's journey through the installed release (check, train, notebooks, the site) is
``tests/release/test_journey.py``.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from course.audience.students import students_page
from course.release.build import (
    ACCEPTED_LEAKS,
    INSTRUCTOR_ONLY,
    build,
    empty_boxes,
    find_definitions,
    find_leaks,
    mark_instructor_only,
    strip_solutions,
    unmarked_missing,
)
from course.release.classroom import github_output, to_classroom
from course.cli import main
from course.impl import REPO_ROOT


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The release, built once.

    Args:
        tmp_path_factory: pytest's temporary folders.

    Returns:
        Its folder.
    """
    out = tmp_path_factory.mktemp("release") / "lstm-release"
    assert main(["release", "--out", str(out)]) == 0  # as an instructor types it
    return out


def test_release_has_the_student_files_and_no_solutions(release: Path) -> None:
    for name in ("README.md", "pyproject.toml", "mkdocs.yml", "docs/index.md", "course/cli.py",
                 "course/grading/batch.py", ".github/workflows/classroom.yml"):
        assert (release / name).is_file(), name
    assert not [p for p in release.rglob("*") if "solutions" in p.parts]
    assert not (release / "course" / "fast").exists()
    leaks = find_leaks(release, REPO_ROOT / "solutions")
    assert {file for file, _ in leaks} <= set(ACCEPTED_LEAKS), leaks
    assert "solutions" not in (release / "mkdocs.yml").read_text()


def test_leak_check_catches_copied_reference_code(release: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(release / "docs", copy / "docs")
    cell = (REPO_ROOT / "solutions" / "cell.py").read_text()
    body = cell.split("# BEGIN SOLUTION", 2)[2].split("# END SOLUTION")[0]
    (copy / "docs" / "leaky.md").write_text(f"Here is the answer:\n\n```python\n{body}\n```\n")
    leaks = find_leaks(copy, REPO_ROOT / "solutions")
    assert leaks and all(file == "docs/leaky.md" for file, _ in leaks)


def test_docs_point_at_exercises_and_drop_solution_blocks() -> None:
    page = ('Intro: the reference lives in `solutions/`, and `exercises/` is generated from it.\n\n'
            '```python\n--8<-- "solutions/cell.py:call"\n```\n\n'
            '??? success "Solution"\n\n    ```python\n    --8<-- "solutions/cell.py:init"\n    ```\n\n'
            '    More solution text.\n\nAfter.\n')
    out = strip_solutions(page)
    assert '--8<-- "exercises/cell.py:call"' in out
    assert "Intro: the reference lives in `solutions/`, and `exercises/` is generated" in out  # prose kept
    assert "More solution text" not in out and "cell.py:init" not in out
    assert '!!! info "Solution"' in out and out.rstrip().endswith("After.")


def test_withheld_code_becomes_a_note_not_an_empty_box() -> None:
    page = ('Text.\n\n```python\n--8<-- "course/fast/recurrence.py:step"\n```\n\n'
            '??? info "The step"\n\n    ```python\n    --8<-- "course/fast/recurrence.py:other"\n    ```\n\nEnd.\n')
    out = strip_solutions(page, lambda path: False)
    assert "```" not in out and "--8<--" not in out, out
    assert out.count('!!! note "Instructor-only code"') == 2 and INSTRUCTOR_ONLY in out
    assert not empty_boxes(out), out
    assert empty_boxes("```python\n```\n\n!!! note\n\nText.\n") == [1, 4]


def test_missing_paths_and_commands_are_marked_instructor_only(tmp_path: Path) -> None:
    (tmp_path / "course" / "commands").mkdir(parents=True)
    (tmp_path / "course" / "commands" / "check.py").write_text("")
    (tmp_path / "course" / "figures").mkdir()
    (tmp_path / "course" / "figures" / "task.py").write_text("")
    page = ("Run `lstm-course check` and `lstm-course bench`; see `course/figures/task.py`, `course/figures/*`\n"
            "and `tests/perf/test_fast_path.py`.\n\n```bash\nlstm-course check\n"
            "lstm-course gradescope --out a.zip   # the bundle\n```\n")
    assert len(unmarked_missing(page, tmp_path)) == 3
    marked = mark_instructor_only(page, tmp_path)
    assert not unmarked_missing(marked, tmp_path), marked
    assert f"`lstm-course bench` ({INSTRUCTOR_ONLY})" in marked
    assert f"`tests/perf/test_fast_path.py` ({INSTRUCTOR_ONLY})" in marked
    assert f"# the bundle · {INSTRUCTOR_ONLY}" in marked and "`lstm-course check` (" not in marked
    assert mark_instructor_only(marked, tmp_path) == marked  # idempotent


def test_release_pages_name_only_what_it_has_and_have_no_empty_box(release: Path) -> None:
    problems = []
    for page in sorted((release / "docs").rglob("*.md")):
        text = page.read_text()
        problems += [f"{page.relative_to(release)} {p}" for p in unmarked_missing(text, release)]
        problems += [f"{page.relative_to(release)} line {n}: empty box" for n in empty_boxes(text)]
    assert not problems, "\n".join(problems)
    assert "The repository (`solutions/`, `tests/`)" in (release / "docs" / "instructors.md").read_text()  # prose kept
    for name in ("Makefile", "pytest.ini", "course/commands/experiment.py", "course/commands/figures.py",
                 "course/experiments/runner.py", "course/figures/task.py", "course/notebook.py"):
        assert (release / name).is_file(), name
    assert "testpaths = tests\n" in (release / "pytest.ini").read_text()
    assert sorted(p.relative_to(release).as_posix() for p in (release / "tests").rglob("*.py")) == [
        "tests/graders/__init__.py", "tests/graders/conftest.py", "tests/graders/test_graders.py", "tests/seed.py"]
    assert "--impl" in (release / "course" / "pytest_plugin.py").read_text()  # pytest's option, a plugin
    assert "[project.entry-points.pytest11]" in (release / "pyproject.toml").read_text()


def test_definition_scan_reports_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "data.py").write_text("def prepare(d):\n    return d\n")
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "helpers.py").write_text(
        "import x\n\n\nclass Holder:\n    def prepare(self, d):\n        return d\n\n"
        "class IntegrationModel:\n    pass\n\ntrain = lambda *a: None\nfield: int\n\n"
        "def load():\n    def prepare(d):\n        return d\n")
    notebook = {"cells": [{"cell_type": "code", "source": ["%matplotlib inline\n", "def make_dataset():\n",
                                                           "    pass\n"]}]}
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook))
    # Holder.prepare (line 5) is a method, not an exercise function; load's inner prepare is.
    assert find_definitions(tmp_path) == ["course/helpers.py:11: train", "course/helpers.py:15: prepare",
                                          "course/helpers.py:8: IntegrationModel", "nb.ipynb:2: make_dataset"]


def test_no_exercise_function_outside_exercises_but_the_contract(release: Path) -> None:
    found = [hit for hit in find_definitions(release) if not hit.startswith("course/grading/checking/contract.py:")]
    assert not found, found


def test_the_graders_contract_defines_no_exercise_function(release: Path) -> None:
    found = [hit for hit in find_definitions(release) if hit.startswith("course/grading/checking/contract.py:")]
    assert not found, found
    assert not find_leaks(release, REPO_ROOT / "solutions")


def test_release_publishes_the_same_students_site(release: Path) -> None:
    """The release carries the repository's Pages workflow (actionlint passes on its copy), its
    pages are the students' view already (the site's hook leaves them as they are), and its
    notebooks say they run the student's code."""
    workflow = release / ".github" / "workflows" / "pages.yml"
    assert workflow.read_bytes() == (REPO_ROOT / ".github" / "workflows" / "pages.yml").read_bytes()
    actionlint = Path(sys.executable).with_name("actionlint")
    lint = subprocess.run([str(actionlint), "-no-color", str(workflow)], capture_output=True, text=True, timeout=60)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "audience: !ENV [SITE_AUDIENCE, students]" in (release / "mkdocs.yml").read_text()
    for page in sorted((release / "docs").glob("*.md")):
        text = page.read_text()
        assert not re.search(r"^\s*\?\?\? success", text, re.M) and '--8<-- "solutions/' not in text, page.name
        assert students_page(text, lambda path: (release / path).is_file()) == text, page.name
    gates = (release / "docs" / "gates.md").read_text()
    assert "<!-- skeleton: exercises/cell.py LSTMCell.__init__ -->" in gates
    for notebook in sorted((release / "docs" / "notebooks").glob("*.ipynb")):
        text = notebook.read_text()
        assert "solutions/" not in text and "Your own" in text, notebook.name


def test_classroom_workflow_reports_partial_credit(release: Path) -> None:
    workflow = yaml.safe_load((release / ".github" / "workflows" / "classroom.yml").read_text())
    steps = workflow["jobs"]["run-autograding-tests"]["steps"]
    assert any("lstm-course)\" grade exercises --json" in s.get("run", "") for s in steps)
    assert "course.release.classroom" in next(s for s in steps if s.get("id") == "lstm")["run"]
    reporter = next(s for s in steps if "autograding-grading-reporter" in s.get("uses", ""))
    assert reporter["with"]["runners"] == "lstm" and "LSTM_RESULTS" in reporter["env"]

    result = {"score": 3, "max_score": 5, "tests": [
        {"name": "cell: matches Keras", "score": 3, "max_score": 3, "output": ""},
        {"name": "train: reaches 0.80", "score": 0, "max_score": 2, "output": "too slow"}]}
    runner = to_classroom(result)
    assert runner["max_score"] == 5 and sum(t["score"] for t in runner["tests"]) == 3
    assert runner["status"] == "fail" and runner["tests"][1]["message"] == "too slow"
    key, _, value = github_output(result).partition("=")
    assert key == "result" and json.loads(base64.b64decode(value)) == runner


def test_build_refuses_a_release_that_defines_an_exercise_function(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "solutions", root / "solutions")
    (root / "course" / "grading").mkdir(parents=True)
    (root / "course" / "grading" / "helpers.py").write_text("def train(model):\n    return {}\n")
    with pytest.raises(RuntimeError, match=r"course/grading/helpers.py:1: train"):
        build(tmp_path / "out", root=root, workflow="name: x\n")
