"""Grade many submissions: isolated workers in parallel, a gradebook row and a report for each.

The flow for one submission: fingerprint it, skip it if the gradebook already holds this
content graded by this grader, otherwise run a worker under :mod:`sandbox_batch`'s
limits, turn whatever came back (a result, a timeout, a crash) into a row, write the
student's report, and rewrite the gradebook. The score always comes from the core's
report as received by this process; nothing the submission prints or writes counts.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

from course.grading.outputs import gradebook
from course.grading.running import sandbox
from course.grading.batch_submission import Submission, content_hash
from course.grading.outputs.gradebook import Row
from course.grading.outputs.report import markdown
from course.grading.outputs.results import gradescope_result
from course.grading.result import GradeReport
from course.grading.running.sandbox_batch import Limits, WorkerOutcome, run_isolated

#: The grading core; a batch with it computes Keras' references itself (:func:`hand_over_references`).
CORE = "course.grading.core"


@dataclass
class BatchOptions:
    """How to grade.

    Attributes:
        jobs: int, submissions graded at the same time.
        core_jobs: int, part processes the core runs at the same time for one submission.
        limits: Limits, per-submission wall clock, memory and output caps.
        core_options: dict, extra keyword arguments for ``grade_submission`` (e.g. per-check limits).
        force: bool, regrade submissions the gradebook already holds.
        core: str, the module that provides ``grade_submission``.
        core_options_for: dict of submission name to core options that override
            ``core_options`` for that submission (e.g. grade only some parts).
        sandbox: str, ``require`` (refuse to grade when no sandbox can start) or ``off``
            (``--no-sandbox``: run student code unconfined, recorded as ``none``).
        fence: Path, the grader's package, hashed before and after every submission
            (default: ``course/``).
    """

    jobs: int = 1
    core_jobs: int = 1
    limits: Limits = field(default_factory=Limits)
    core_options: dict = field(default_factory=dict)
    force: bool = False
    core: str = CORE
    core_options_for: dict[str, dict] = field(default_factory=dict)
    sandbox: str = "require"
    fence: Path = field(default_factory=lambda: Path(__file__).resolve().parents[1])


class GraderChanged(RuntimeError):
    """The grader's own package changed while a batch was graded: nothing more is graded."""


def package_hash(folder: Path) -> str:
    """SHA-256 over every file of a package (names and bytes; ``__pycache__`` left out).

    Args:
        folder: Path, e.g. ``course/``.

    Returns:
        The hex digest.
    """
    digest = hashlib.sha256()
    for file in sorted(p for p in folder.rglob("*") if "__pycache__" not in p.parts and not p.is_dir()):
        digest.update(file.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(file.read_bytes() if file.is_file() and not file.is_symlink() else os.fsencode(os.readlink(file)))
        digest.update(b"\0")
    return digest.hexdigest()


def isolation_for(options: BatchOptions) -> str:
    """The isolation level the batch will give student code, refusing when it cannot give one.

    Args:
        options: BatchOptions.

    Returns:
        one of :data:`course.grading.running.sandbox.LEVELS`, ``none`` only under ``sandbox="off"``.

    Raises:
        course.grading.running.sandbox.SandboxUnavailable: no sandbox can start and ``--no-sandbox`` was not given.
    """
    return sandbox.current("off" if options.sandbox == "off" else "require").level


def expected_parts(core: str) -> dict[str, float]:
    """Points available per part, from the grading core's check list (without importing the core).

    Args:
        core: str, the core's module name.

    Returns:
        dict of part to points; empty for a core without a ``checks`` module next to it.
    """
    if core != CORE:
        return {}
    from course.grading.checking.checks import PARTS, checks_for

    return {part: float(sum(c.points for c in checks_for(part))) for part in PARTS}


def grade_one(submission: Submission, options: BatchOptions, *, sha256: str = "",
              grader: str = "") -> tuple[Row, GradeReport, WorkerOutcome]:
    """Grade one submission in an isolated worker.

    Args:
        submission: Submission, what to grade.
        options: BatchOptions.
        sha256: str, its content hash (computed here when empty).
        grader: str, the grader fingerprint (computed here when empty).

    Returns:
        ``(row, report, worker outcome)``; the report is the worker's, or one with no check scored
        when grading never finished.
    """
    sha256 = sha256 or content_hash(submission.path)
    grader = grader or gradebook.grader_fingerprint(json.dumps([options.core, options.core_options], sort_keys=True))
    core_options = {**options.core_options, **options.core_options_for.get(submission.name, {})}
    with tempfile.TemporaryDirectory(prefix="lstm-batch-") as scratch:
        if options.core == CORE:
            core_options = hand_over_references(core_options, Path(scratch))
        outcome = run_isolated(
            [str(submission.path), "--jobs", str(options.core_jobs), "--core-options", json.dumps(core_options),
             "--core", options.core],
            limits=options.limits, cwd=Path(scratch), sandbox_mode="off" if options.sandbox == "off" else "require",
        )
    report = received_report(outcome, submission, options)
    row = Row.from_report(report, name=submission.name, submission=str(submission.path), outcome=outcome,
                          sha256=sha256, grader=grader)
    return row, report, outcome


def received_report(outcome: WorkerOutcome, submission: Submission, options: BatchOptions) -> GradeReport:
    """The report the worker signed, or the report of a grading that stopped before any check was scored.

    Args:
        outcome: WorkerOutcome, with the worker's verified result (None when it delivered none).
        submission: Submission.
        options: BatchOptions.

    Returns:
        GradeReport, whose isolation is what the parts reported, else what the batch enforced (under
        ``require`` no part runs unsandboxed).
    """
    status, reason = outcome.status, outcome.reason
    if outcome.result is not None:
        try:
            report = GradeReport.from_json(outcome.result)
        except (KeyError, TypeError, ValueError) as error:
            status, reason = "crashed", f"the grading worker's result could not be read: {error!r}"
        else:
            return replace(report, isolation=report.isolation or isolation_for(options))
    return GradeReport.stopped(str(submission.path), status, reason,
                               f"Grading stopped ({status}): {reason}. No check could be scored.",
                               points=expected_parts(options.core), isolation=isolation_for(options))


def hand_over_references(core_options: dict, scratch: Path) -> dict:
    """Choose the submission's seed here and compute Keras' references for it, for the worker to read.

    The worker would otherwise import TensorFlow only to ask Keras (2.1 s of a core per
    submission, measured); this process has it loaded once for the whole batch, and the
    references are cached per seed (:func:`course.grading.checking.oracle.keras_references`).
    The file goes into the worker's scratch folder, which no sandbox shows.

    Args:
        core_options: dict, the submission's options for ``grade_submission``.
        scratch: Path, the worker's scratch folder.

    Returns:
        dict, the options plus ``seed`` (kept when given, else a fresh random one, as the core
        would draw) and ``references`` (the ``.npz``).
    """
    import secrets

    from course.grading.checking import oracle
    from course.grading.checking.checks import RUN_PARTS
    from course.quiet import start_tensorflow

    parts = core_options.get("parts") or RUN_PARTS
    if {"cell", "layer"} & set(parts):  # the Keras-compared parts (oracle.save_references)
        # Keras loads in this process: without its start-up lines (`grade --json` and Gradescope's
        # run reach here without the batch's own quiet start, and printed a cuInit error).
        start_tensorflow()
    seed = core_options.get("seed")
    seed = secrets.randbits(31) if seed is None else int(seed)
    path = scratch / "references.npz"
    oracle.save_references(path, parts, seed)
    return {**core_options, "seed": seed, "references": str(path)}


def write_report(row: Row, report: GradeReport, outcome: WorkerOutcome | None, folder: Path) -> None:
    """Write ``NAME.md`` (for the student) and ``NAME.json`` (for the instructor) into ``folder``.

    Args:
        row: Row, updated in place with the report's path.
        report: GradeReport, as received from the worker.
        outcome: WorkerOutcome or None, for the instructor's copy of the (truncated) output.
        folder: Path, the reports folder.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{row.name}.md"
    row.report = str(path)
    path.write_text(markdown(report, row.name))
    instructor = {"row": row.to_csv(), "result": gradescope_result(report)}
    if outcome is not None:
        instructor["worker_output"] = outcome.output
        instructor["rejected_result_messages"] = outcome.rejected_messages
    (folder / f"{row.name}.json").write_text(json.dumps(instructor, indent=2))


def grade_batch(submissions: list[Submission], *, out: Path, reports: Path, options: BatchOptions,
                on_start: Callable[[int, int], None] | None = None,
                on_done: Callable[[Row, bool], None] | None = None) -> list[Row]:
    """Grade submissions in parallel into a gradebook and reports, skipping those already graded.

    Args:
        submissions: list of Submission.
        out: Path, the gradebook CSV (read first when it exists, rewritten after every submission).
        reports: Path, the reports folder.
        options: BatchOptions.
        on_start: optional ``on_start(total, skipped)`` called once before grading.
        on_done: optional ``on_done(row, skipped)`` called after each submission.

    Returns:
        The rows of these submissions, in their given order.
    """
    book = gradebook.read(out)
    grader = gradebook.grader_fingerprint(json.dumps([options.core, options.core_options], sort_keys=True))
    hashes = {s.path: content_hash(s.path) for s in submissions}
    todo, skipped = [], []
    for submission in submissions:
        previous = book.get(str(submission.path))
        fresh = previous is not None and previous.sha256 == hashes[submission.path] and previous.grader == grader
        (skipped if fresh and not options.force else todo).append(submission)
    if on_start is not None:
        on_start(len(submissions), len(skipped))
    for submission in skipped:
        if on_done is not None:
            on_done(book[str(submission.path)], True)

    if todo:
        isolation_for(options)  # refuses before anything runs when no sandbox can start
        if options.core == CORE:  # Keras' references are computed here (hand_over_references), quietly
            from course.quiet import start_tensorflow

            start_tensorflow()
    fence = package_hash(options.fence)
    changed: list[str] = []

    def guarded(submission: Submission) -> tuple[Row, GradeReport, WorkerOutcome] | None:
        """Grade one submission unless the grader changed; check the grader again afterwards."""
        if changed or package_hash(options.fence) != fence:
            changed.append("before " + submission.name)
            return None
        graded = grade_one(submission, options, sha256=hashes[submission.path], grader=grader)
        if package_hash(options.fence) != fence:
            changed.append("after " + submission.name)
        return graded

    with ThreadPoolExecutor(max_workers=max(options.jobs, 1)) as pool:
        futures = [pool.submit(guarded, s) for s in todo]
        for future in as_completed(futures):
            graded = future.result()
            if graded is None or changed:  # graded by a grader that may have been changed: not recorded
                continue
            row, report, outcome = graded
            write_report(row, report, outcome, reports)
            book[row.submission] = row
            gradebook.write(out, list(book.values()))
            if on_done is not None:
                on_done(row, False)
    if changed:
        _fill_missing_max(book)
        gradebook.write(out, list(book.values()))
        raise GraderChanged(
            f"the grader's own files in {options.fence} changed while grading (noticed {changed[0]}); "
            "grading stopped and nothing more was graded. Reinstall the grader (e.g. git checkout / reinstall "
            "the package), then regrade: rows graded since the change cannot be trusted.")
    _fill_missing_max(book)
    gradebook.write(out, list(book.values()))
    return [book[str(s.path)] for s in submissions]


def _usual_max(rows: Iterable[Row]) -> float:
    """The most common ``max_score`` among rows that were graded to the end.

    Args:
        rows: iterable of Row.

    Returns:
        That maximum, or 0 when there is none.
    """
    counts = Counter(r.max_score for r in rows if r.status in ("ok", "invalid") and r.max_score)
    return counts.most_common(1)[0][0] if counts else 0.0


def _fill_missing_max(book: dict[str, Row]) -> None:
    """Give rows that never finished grading the maximum the others have.

    Args:
        book: dict of submission path to Row, updated in place.
    """
    usual = _usual_max(book.values())
    for row in book.values():
        if not row.max_score and usual:
            row.max_score = usual

