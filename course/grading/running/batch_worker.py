"""The trusted worker that grades one submission: ``python -m course.grading.running.batch_worker``.

Started by :func:`course.grading.running.sandbox_batch.run_isolated`, never by hand. It reads a
secret key from stdin, lowers its own resource limits (its children inherit them),
calls the grading core (which takes the submission in through :mod:`course.grading.intake`),
and writes the core's report, signed, to a pipe only it holds. It never imports the
student's modules itself: the core runs them in child processes and compares what they
return with its own reference values.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from course.grading import intake
from course.grading.limits import FILE_MB
from course.grading.running.process import set_limits
from course.grading.running.sandbox_batch import encode_result


def _parse(argv: list[str] | None) -> argparse.Namespace:
    """Parse the worker's arguments.

    Args:
        argv: list of str or None (default: the process's arguments).

    Returns:
        The parsed arguments.
    """
    parser = argparse.ArgumentParser(prog="python -m course.grading.running.batch_worker")
    parser.add_argument("submission", type=Path)
    parser.add_argument("--result-fd", type=int, required=True)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--core-options", default="{}", help="JSON object of keyword arguments for the core")
    parser.add_argument("--core", default="course.grading.core",
                        help="module that provides grade_submission (tests use a light stand-in)")
    return parser.parse_args(argv)


def grade(submission: Path, scratch: Path, jobs: int, core_options: dict, core: str) -> dict:
    """Grade one submission with the core and return a JSON-ready record.

    Args:
        submission: Path, the folder or ``.zip``.
        scratch: Path, an empty folder this worker owns.
        jobs: int, parallel part processes for the core.
        core_options: dict, extra keyword arguments for ``grade_submission``.
        core: str, the module that provides ``grade_submission``.

    Returns:
        ``{"gradescope": dict, "invalid_reason": str, "isolation": str}``: the core's report
        in Gradescope's shape, why the submission is invalid (empty when it is not), and the
        weakest sandbox its part children ran in (empty when none ran).
    """
    invalid_reason = ""
    if core == "course.grading.core":  # the core takes the submission in itself, and grades an invalid one 0
        root = submission
    else:  # a stand-in core is handed the package root, or an empty package
        try:
            root = intake.materialise(submission, scratch)
        except intake.InvalidSubmission as error:
            invalid_reason = str(error)
            root = scratch / "empty-submission"
            root.mkdir(exist_ok=True)
    grade_submission = importlib.import_module(core).grade_submission
    report = grade_submission(root, jobs=jobs, **core_options)
    if getattr(report, "status", "") == "invalid":
        invalid_reason = report.reason
    # The sandbox each part child really ran in (the weakest counts), as the runner reported it.
    levels = {getattr(run, "isolation", "") for run in getattr(report, "runs", {}).values()} - {""}
    from course.grading.running.sandbox import LEVELS  # strongest first

    isolation = next((level for level in reversed(LEVELS) if level in levels), "")
    return {"gradescope": report.to_gradescope(), "invalid_reason": invalid_reason, "isolation": isolation}


def main(argv: list[str] | None = None) -> int:
    """Grade the submission named on the command line and write the signed result.

    Args:
        argv: list of str or None.

    Returns:
        0 when a result was written.
    """
    args = _parse(argv)
    key = bytes.fromhex(sys.stdin.readline().strip())
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)  # nothing below this process can read the key from stdin
    os.close(devnull)
    os.set_inheritable(args.result_fd, False)
    set_limits(file_mb=int(os.environ.get("LSTM_COURSE_FILE_MB", str(FILE_MB))))  # its children inherit them
    start = time.monotonic()
    # Inside the parent's scratch folder, which the parent removes even when this process is killed.
    with tempfile.TemporaryDirectory(prefix="worker-", dir=Path.cwd()) as scratch:
        os.chdir(scratch)  # never the repository: ``solutions`` must not be on sys.path
        record = grade(args.submission, Path(scratch), args.jobs, json.loads(args.core_options), args.core)
    record["worker_seconds"] = time.monotonic() - start
    with os.fdopen(args.result_fd, "wb") as pipe:
        pipe.write(encode_result(key, record))
    return 0


if __name__ == "__main__":
    from course.teardown import exit_skipping_teardown

    exit_skipping_teardown(main())
