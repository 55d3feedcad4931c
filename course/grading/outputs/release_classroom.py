"""GitHub Classroom autograding for the student release.

The release's ``.github/workflows/classroom.yml`` grades ``exercises/`` with
``lstm-course grade exercises --json`` and hands the result to GitHub Classroom's
``autograding-grading-reporter``. That reporter reads, from ``<RUNNER>_RESULTS``, a
base64 JSON object ``{"version": 1, "status", "max_score", "tests": [{"name", "status",
"score", "message"}]}`` and adds up the tests' scores, so every check keeps its partial
credit (the command grader would give a step all or nothing)::

    python -m course.grading.outputs.release_classroom grading-results.json >> "$GITHUB_OUTPUT"

Classroom runs in the student's own repository, where the student can edit the workflow:
its points are feedback. The instructor's ``lstm-course grade`` or Gradescope run is the
grade.
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
      - name: Set up Python
        uses: actions/setup-python@v5
        with:
          python-version: "3.11"
          cache: pip
      - name: Install the course
        run: pip install -e .
      - name: Grade exercises/
        id: lstm
        run: |
          lstm-course grade exercises --json --jobs 2 > grading-results.json
          python -m course.grading.outputs.release_classroom grading-results.json >> "$GITHUB_OUTPUT"
      - name: Autograding Reporter
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
          LSTM_RESULTS: "${{ steps.lstm.outputs.result }}"
        with:
          runners: lstm
"""


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


def main(argv: list[str] | None = None) -> int:
    """Print the ``result=`` line for one ``grade --json`` output file.

    Args:
        argv: list of str or None.

    Returns:
        0.
    """
    parser = argparse.ArgumentParser(prog="python -m course.grading.outputs.release_classroom")
    parser.add_argument("results", type=Path, help="the output of lstm-course grade exercises --json")
    args = parser.parse_args(argv)
    text = args.results.read_text().strip()
    result = json.loads(text.splitlines()[0]) if text else {"tests": [], "max_score": 0}
    print(github_output(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
