"""GitHub Classroom autograding for the student release.

The release's ``.github/workflows/classroom.yml`` grades ``exercises/`` with
``lstm-course grade exercises --json`` and hands the result to GitHub Classroom's
``autograding-grading-reporter``. That reporter reads, from ``<RUNNER>_RESULTS``, a
base64 JSON object ``{"version": 1, "status", "max_score", "tests": [{"name", "status",
"score", "message"}]}`` and adds up the tests' scores, so every check keeps its partial
credit (the command grader would give a step all or nothing)::

    python -m course.release.classroom grading-results.json --errors grading-errors.txt >> "$GITHUB_OUTPUT"

When grading wrote nothing (it failed, or the install did), that line still reports: one
failed test whose message is the end of the grader's error output, so the student sees why
instead of an empty reporter. This module needs only the standard library and the files of
the checkout, so it runs even when ``pip install`` failed.

Grading runs as root through ``sudo``: GitHub's ``ubuntu-latest`` (24.04) runners deny
unprivileged user namespaces, so bubblewrap cannot start as the runner's user, while the
runner has password-less ``sudo`` and root can. Classroom runs in the student's own
repository, where the student can edit the workflow: its points are feedback, and the
sandbox there protects nothing the student could not reach anyway; it is kept so that
the feedback equals what the instructor's grader will give (docs/instructors.md,
"GitHub Classroom"). The instructor's ``lstm-course grade`` or Gradescope run is the grade.
"""

from __future__ import annotations

import argparse
import base64
import json
from pathlib import Path

#: Longest message per check shown in the Actions log.
MAX_MESSAGE = 1_000

WORKFLOW = """\
# GitHub Classroom autograding: runs the course's checks on exercises/ at every push.
# The points shown are feedback; your instructor grades the final submission separately.
name: Autograding Tests
"on":
  - push
  - workflow_dispatch
  - repository_dispatch
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    timeout-minutes: 30
    steps:
      - name: Checkout code
        uses: actions/checkout@v4
        with:
          persist-credentials: false
      - name: Set up Python
        uses: actions/setup-python@v5
        with:
          python-version: "3.11"
          cache: pip
      - name: Install the course
        run: pip install -e .
      # ubuntu-latest denies user namespaces to the runner's user, so the sandbox starts as
      # root: the runner has password-less sudo. stdout is the result; stderr is shown and kept.
      - name: Grade exercises/ (as root, in the sandbox)
        shell: bash
        run: |
          sudo -n "$(command -v lstm-course)" grade exercises --json --jobs 2 \\
            2>&1 >grading-results.json | tee grading-errors.txt
      # Runs even when grading failed, so the reporter always has something to say.
      - name: Points for the reporter
        id: lstm
        if: always()
        run: python -m course.release.classroom grading-results.json --errors grading-errors.txt >> "$GITHUB_OUTPUT"
      - name: Autograding Reporter
        if: always()
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
          LSTM_RESULTS: "${{ steps.lstm.outputs.result }}"
        with:
          runners: lstm
"""

#: Error output lines quoted in the reporter when grading wrote no result.
ERROR_LINES = 12


def workflow_yaml() -> str:
    """The release's ``classroom.yml``.

    Returns:
        The workflow's YAML.
    """
    return WORKFLOW


def to_classroom(result: dict) -> dict:
    """Convert a Gradescope result into the Classroom reporter's runner result.

    Args:
        result: dict, as ``lstm-course grade --json`` prints it.

    Returns:
        ``{"version": 1, "status", "max_score", "tests"}``; status is ``pass`` only at full marks.
    """
    tests = []
    for test in result.get("tests", []):
        passed = test.get("score", 0) >= test.get("max_score", 0)
        tests.append({"name": test.get("name", "?"), "status": "pass" if passed else "fail",
                      "score": test.get("score", 0), "message": str(test.get("output", ""))[:MAX_MESSAGE],
                      "line_no": 0, "execution_time": ""})
    max_score = result.get("max_score") or sum(t.get("max_score", 0) for t in result.get("tests", []))
    score = sum(t["score"] for t in tests)
    status = "pass" if tests and score >= max_score else ("fail" if tests else "error")
    return {"version": 1, "status": status, "max_score": max_score, "tests": tests}


def github_output(result: dict) -> str:
    """The ``result=...`` line for ``$GITHUB_OUTPUT``.

    Args:
        result: dict, a Gradescope result.

    Returns:
        ``result=`` and the base64 of the runner result's JSON.
    """
    return "result=" + base64.b64encode(json.dumps(to_classroom(result)).encode()).decode()


def failed_result(errors: str) -> dict:
    """A Gradescope-shaped result for a grading that wrote nothing: one failed test that says why.

    Args:
        errors: str, the grader's error output (its last lines are quoted).

    Returns:
        ``{"score": 0, "max_score", "tests": [one test]}``, with the course's full ``max_score``
        when its check registry can be read.
    """
    try:
        from course.grading.checking.checks import max_score

        maximum = float(max_score())
    except Exception:  # a checkout too broken to read its registry still gets its message
        maximum = 0.0
    tail = "\n".join(errors.strip().splitlines()[-ERROR_LINES:]) or "(no error output)"
    message = ("The grader did not finish, so no check was scored. Its last lines of output:\n"
               f"{tail}\nRun `lstm-course check` on your machine for the table of checks.")
    return {"score": 0.0, "max_score": maximum,
            "tests": [{"name": "grading", "score": 0.0, "max_score": maximum, "output": message}]}


def read_result(results: Path, errors: Path | None) -> dict:
    """The first result in a ``grade --json`` output file, or :func:`failed_result` when there is none.

    Args:
        results: Path, the output of ``lstm-course grade exercises --json`` (may be missing).
        errors: Path or None, the grader's error output (may be missing).

    Returns:
        dict, a Gradescope result.
    """
    text = results.read_text().strip() if results.is_file() else ""
    try:
        result = json.loads(text.splitlines()[0]) if text else None
    except ValueError:
        result = None
    if isinstance(result, dict) and result.get("tests"):
        return result
    said = str(result.get("output", "")) if isinstance(result, dict) else ""
    logged = errors.read_text(errors="replace") if errors and errors.is_file() else ""
    return failed_result("\n".join(text for text in (logged, said) if text))


def main(argv: list[str] | None = None) -> int:
    """Print the ``result=`` line for one ``grade --json`` output file.

    Args:
        argv: list of str or None.

    Returns:
        0.
    """
    parser = argparse.ArgumentParser(prog="python -m course.release.classroom")
    parser.add_argument("results", type=Path, help="the output of lstm-course grade exercises --json")
    parser.add_argument("--errors", type=Path, help="the grader's error output, quoted when it wrote no result")
    args = parser.parse_args(argv)
    print(github_output(read_result(args.results, args.errors)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
