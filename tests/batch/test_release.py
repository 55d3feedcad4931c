"""The student release: no solutions in it, docs without solution code, a working Classroom workflow."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest
import yaml

from course.grading.release import ACCEPTED_LEAKS, build, find_leaks, strip_solutions
from course.grading.release_classroom import github_output, to_classroom
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
    build(out)
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
    page = ('Intro.\n\n```python\n--8<-- "solutions/cell.py:call"\n```\n\n'
            '??? success "Solution"\n\n    ```python\n    --8<-- "solutions/cell.py:init"\n    ```\n\n'
            '    More solution text.\n\nAfter.\n')
    out = strip_solutions(page)
    assert '--8<-- "exercises/cell.py:call"' in out
    assert "solutions/" not in out and "More solution text" not in out and "cell.py:init" not in out
    assert '!!! info "Solution"' in out and out.rstrip().endswith("After.")
    withheld = strip_solutions('```python\n--8<-- "course/fast/recurrence.py:step"\n```\n', lambda path: False)
    assert "course/fast" not in withheld and "not in the student release" in withheld


def test_release_docs_build_strict(release: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    mkdocs = Path(sys.executable).with_name("mkdocs")
    done = subprocess.run([str(mkdocs), "build", "--strict", "-d", str(tmp_path / "site")], cwd=release,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]


def test_classroom_workflow_reports_partial_credit(release: Path) -> None:
    workflow = yaml.safe_load((release / ".github" / "workflows" / "classroom.yml").read_text())
    steps = workflow["jobs"]["run-autograding-tests"]["steps"]
    grade = next(s for s in steps if s.get("id") == "lstm")
    assert "lstm-course grade exercises --json" in grade["run"]
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


def _check(python: Path, release: Path, folder: str) -> str:
    """Run ``lstm-course check FOLDER`` inside the release with its own interpreter.

    Args:
        python: Path, the release venv's python.
        release: Path, the release folder (the working directory).
        folder: str, what to check.

    Returns:
        The command's output.
    """
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([str(python), "-m", "course.cli", "check", folder, "--jobs", "2"], cwd=release,
                          env={**env, "COLUMNS": "200", "NO_COLOR": "1"}, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_check_inside_the_release_without_solutions(release: Path, tmp_path: Path) -> None:
    import subprocess

    from course.grading.checks import max_score
    from venvs import venv_with

    python = venv_with(tmp_path / "venv", release)
    where = subprocess.run([str(python), "-I", "-c", "import course; print(course.__file__)"], capture_output=True,
                           text=True, cwd=tmp_path).stdout
    assert where.startswith(str(release)), where

    untouched = _check(python, release, "exercises")
    assert f"Total: 0 / {max_score():g}" in untouched, untouched[-3000:]
    assert "not implemented" in untouched.lower() and "Traceback" not in untouched

    shutil.copytree(REPO_ROOT / "solutions", release / "my-solution")
    try:
        solved = _check(python, release, "my-solution")
    finally:
        shutil.rmtree(release / "my-solution")
    assert f"Total: {max_score():g} / {max_score():g}" in solved, solved[-3000:]
