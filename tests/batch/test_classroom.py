"""The release's Classroom workflow: graded as root on ubuntu-latest, and a message whenever grading fails."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from course.grading.checking.checks import max_score
from course.release.classroom import github_output, workflow_yaml
from course.impl import REPO_ROOT


def _steps() -> list[dict]:
    """The workflow's steps.

    Returns:
        list of dict.
    """
    return yaml.safe_load(workflow_yaml())["jobs"]["run-autograding-tests"]["steps"]


def _runner_result(line: str) -> dict:
    """Decode the reporter's runner result from a ``result=...`` line.

    Args:
        line: str.

    Returns:
        dict.
    """
    key, _, value = line.strip().partition("=")
    assert key == "result"
    return json.loads(base64.b64decode(value))


def test_classroom_workflow_lints_clean(tmp_path: Path) -> None:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "classroom.yml").write_text(workflow_yaml())
    actionlint = Path(sys.executable).with_name("actionlint")
    done = subprocess.run([str(actionlint), "-no-color", ".github/workflows/classroom.yml"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_grading_runs_as_root_and_the_reporter_runs_whatever_happened() -> None:
    steps = _steps()
    grade = next(s for s in steps if "lstm-course)\" grade exercises --json" in s.get("run", ""))
    assert "sudo -n" in grade["run"] and grade.get("shell") == "bash"  # bash: -o pipefail keeps grade's failure
    assert "2>&1 >grading-results.json | tee grading-errors.txt" in grade["run"]
    points = next(s for s in steps if s.get("id") == "lstm")
    reporter = next(s for s in steps if "autograding-grading-reporter" in s.get("uses", ""))
    assert points.get("if") == "always()" and reporter.get("if") == "always()"
    assert "--errors grading-errors.txt" in points["run"]
    assert steps.index(grade) < steps.index(points) < steps.index(reporter)
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["persist-credentials"] is False  # no token in .git/config for graded code


@pytest.mark.parametrize("results", [None, "", "not json\n", '{"score": 0, "tests": []}\n'])
def test_a_grading_that_wrote_nothing_gets_a_failed_check_with_its_error(tmp_path: Path, results: str | None) -> None:
    if results is not None:
        (tmp_path / "grading-results.json").write_text(results)
    (tmp_path / "grading-errors.txt").write_text("Grading exercises...\n" + "noise\n" * 30 +
                                                 "student code cannot be sandboxed on this machine: bwrap failed\n")
    # -S: no site-packages, as after a failed `pip install`; only the checkout's files.
    done = subprocess.run([sys.executable, "-S", "-m", "course.release.classroom",
                           str(tmp_path / "grading-results.json"), "--errors", str(tmp_path / "grading-errors.txt")],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    runner = _runner_result(done.stdout)
    assert runner["status"] == "fail" and runner["max_score"] == max_score() > 0
    [test] = runner["tests"]
    assert test["score"] == 0 and "cannot be sandboxed on this machine: bwrap failed" in test["message"]
    assert "Grading exercises" not in test["message"]  # only the last lines


def test_a_real_result_keeps_its_partial_credit(tmp_path: Path) -> None:
    result = {"score": 3, "max_score": 5, "tests": [
        {"name": "cell: matches Keras", "score": 3, "max_score": 3, "output": ""},
        {"name": "train: reaches 0.80", "score": 0, "max_score": 2, "output": "too slow"}]}
    (tmp_path / "r.json").write_text(json.dumps(result) + "\n")
    done = subprocess.run([sys.executable, "-S", "-m", "course.release.classroom",
                           str(tmp_path / "r.json"), "--errors", str(tmp_path / "missing.txt")],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert _runner_result(done.stdout) == _runner_result(github_output(result))
    assert [t["score"] for t in _runner_result(done.stdout)["tests"]] == [3, 0]
