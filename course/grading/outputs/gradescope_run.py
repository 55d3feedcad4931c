"""Gradescope's side: grade ``ROOT/submission`` and write ``ROOT/results/results.json``.

Run by the bundle's ``run_autograder`` as ``python -m course.grading.outputs.gradescope_run``. The
submission is graded by the same isolated worker as ``lstm-course grade``; this process
(trusted, it never imports student code) writes the results file last, after every
process of the submission has been killed, so nothing the student left running can
overwrite it. Whatever goes wrong, a results file is written.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import traceback
from pathlib import Path

from course.grading.outputs import report
from course.grading.limits import OUTPUT_KB
from course.grading import limits as grading_limits
from course.grading.batch import BatchOptions, GraderChanged, grade_one, isolation_for, package_hash
from course.grading.batch_submission import Submission
from course.grading.outputs.results import gradescope_result
from course.grading.result import GradeReport
from course.grading.running.sandbox import SandboxUnavailable
from course.grading.running.sandbox_batch import Limits

#: Gradescope's documented fields for the whole submission that this runner sets.
STDOUT_VISIBILITY = "hidden"


def options_from(config: dict) -> BatchOptions:
    """Grading options from the bundle's ``grading.json``.

    Args:
        config: dict with optional ``timeout``, ``memory_mb``, ``output_kb``, ``jobs``, ``core_options``,
            ``no_sandbox`` (run student code unconfined where bubblewrap cannot start) and ``core``
            (the module providing ``grade_submission``; tests use a stand-in).

    Returns:
        BatchOptions for one submission.
    """
    limits = Limits(wall_seconds=float(config.get("timeout", grading_limits.GRADESCOPE_SECONDS)),
                    memory_mb=int(config.get("memory_mb", grading_limits.GRADESCOPE_MEMORY_MB)),
                    output_bytes=int(config.get("output_kb", OUTPUT_KB)) * 1024)
    return BatchOptions(jobs=1, core_jobs=int(config.get("jobs", 1)), limits=limits,
                        core_options=dict(config.get("core_options", {})),
                        core=str(config.get("core", "course.grading.core")),
                        sandbox="off" if config.get("no_sandbox") else "require")


def results_for(root: Path, config: dict) -> dict:
    """Grade the submission under ``root`` and return Gradescope's results object.

    Args:
        root: Path, the autograder root (``/autograder`` on Gradescope).
        config: dict, the bundle's grading settings.

    Raises:
        course.grading.running.sandbox.SandboxUnavailable: no sandbox can start and ``no_sandbox`` is not set.
        GraderChanged: the autograder's package changed while the submission was graded.

    Prints ``isolation: LEVEL`` (the sandbox reached) before it grades.

    Returns:
        The results: ``score``, ``tests`` (each with ``name``, ``score``, ``max_score``,
        ``output``, ``status``), ``output`` (the student's Markdown report),
        ``output_format``, ``execution_time``, ``stdout_visibility`` and ``extra_data``.
    """
    start = time.monotonic()
    options = options_from(config)
    level = isolation_for(options)  # refuses (SandboxUnavailable) unless a sandbox starts or no_sandbox is set
    print(f"isolation: {level}", flush=True)  # the first line of the autograder's output the instructor sees
    fence = package_hash(options.fence)
    _, graded, _ = grade_one(Submission(path=(root / "submission").resolve(), name="submission"), options)
    if package_hash(options.fence) != fence:
        raise GraderChanged(f"the autograder's own files in {options.fence} changed while grading")
    return results_json(graded, seconds=time.monotonic() - start)


def results_json(graded: GradeReport, *, seconds: float) -> dict:
    """Gradescope's results object for a report: its results shape, with the student's Markdown report.

    Args:
        graded: GradeReport, as the batch received it.
        seconds: float, how long the autograder took.

    Returns:
        dict, JSON-ready.
    """
    result = gradescope_result(graded)
    return {
        **result,
        "extra_data": {**result["extra_data"], "isolation": graded.isolation},
        "output": report.markdown(graded, "submission"),
        "output_format": "md",
        "execution_time": round(seconds),
        "stdout_visibility": STDOUT_VISIBILITY,
    }


def write_results(path: Path, results: dict) -> None:
    """Write the results file atomically.

    Args:
        path: Path, ``results/results.json``.
        results: dict.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(results, indent=2))
    os.replace(temporary, path)


def main(argv: list[str] | None = None) -> int:
    """Grade and write ``results.json``; on an internal error, write a zero with the error.

    Args:
        argv: list of str or None.

    Returns:
        0 (the results file carries the outcome).
    """
    parser = argparse.ArgumentParser(prog="python -m course.grading.outputs.gradescope_run")
    parser.add_argument("--root", type=Path, default=Path(os.environ.get("AUTOGRADER_ROOT", "/autograder")))
    parser.add_argument("--config", type=Path, help="grading.json from the bundle")
    args = parser.parse_args(argv)
    config = json.loads(args.config.read_text()) if args.config and args.config.exists() else {}
    try:
        results = results_for(args.root, config)
    except SandboxUnavailable as error:  # the instructor's setting to fix: say so, score nothing
        print("isolation: none reached, nothing graded")
        print(error)
        results = gradescope_result(GradeReport.stopped(
            "submission", "crashed", str(error),
            "The autograder could not start its sandbox, so it graded nothing; please tell your instructor."))
    except Exception:  # the autograder's own failure: still a results file, and the trace for the instructor
        trace = traceback.format_exc()
        print(trace)
        results = gradescope_result(GradeReport.stopped(
            "submission", "crashed", trace.strip().splitlines()[-1],
            "The autograder failed on this submission; please tell your instructor."))
    write_results(args.root / "results" / "results.json", {**results, "stdout_visibility": STDOUT_VISIBILITY})
    return 0


if __name__ == "__main__":
    from course.teardown import exit_skipping_teardown

    exit_skipping_teardown(main())
