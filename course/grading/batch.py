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
import math
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from course.grading.outputs import gradebook, report
from course.grading.running import sandbox
from course.grading.batch_submission import Submission, content_hash
from course.grading.intake import zero_result
from course.grading.outputs.gradebook import Row
from course.grading.running.sandbox_batch import Limits, WorkerOutcome, run_isolated

#: The grading core; a batch with it computes Keras' references itself (:func:`hand_over_references`).
CORE = "course.grading.core"
#: Longest ``output`` kept per check (Gradescope shows, and stores, less than a student can print).
MAX_TEST_OUTPUT = 4_000


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


def normalise(result: dict) -> dict:
    """Make a Gradescope result self-consistent: every test's score in ``[0, max]``, the total their sum.

    Args:
        result: dict, as ``GradeReport.to_gradescope()`` returns it.

    Returns:
        A new dict; tests' outputs are cut to :data:`MAX_TEST_OUTPUT` characters.
    """
    tests = []
    for test in result.get("tests", []):
        maximum = _finite(test.get("max_score", 0))
        score = min(max(_finite(test.get("score", 0)), 0.0), maximum)
        output = str(test.get("output", ""))
        if len(output) > MAX_TEST_OUTPUT:
            output = output[:MAX_TEST_OUTPUT] + f"\n[... {len(output) - MAX_TEST_OUTPUT:,} characters cut ...]"
        tests.append({**test, "score": score, "max_score": maximum, "output": output})
    normal = {**result, "tests": tests}
    if tests:
        normal["score"] = sum(t["score"] for t in tests)
        normal["max_score"] = sum(t["max_score"] for t in tests)
    return normal


def _finite(value: object) -> float:
    """A number that is finite and not negative, 0 otherwise.

    Args:
        value: anything.

    Returns:
        float.
    """
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) and number > 0 else 0.0


def parts_of(result: dict) -> dict[str, tuple[float, float]]:
    """Per-part ``(score, max_score)`` of a result.

    Uses the core's own part scores when it reports them (``extra_data.parts`` or
    ``parts``), else groups the tests by their part (``extra_data.part``, the first tag,
    or the name's prefix before ``:`` or ``.``, as in ``cell.matches_keras``).

    Args:
        result: dict, a normalised Gradescope result.

    Returns:
        dict of part name to ``(score, max_score)``, in the order the parts first appear.
    """
    reported = (result.get("extra_data") or {}).get("parts") or result.get("parts")
    if isinstance(reported, dict) and reported:
        parts = {}
        for name, value in reported.items():
            if isinstance(value, dict):
                parts[str(name)] = (_finite(value.get("score")), _finite(value.get("max_score")))
            elif isinstance(value, (list, tuple)) and len(value) == 2:
                parts[str(name)] = (_finite(value[0]), _finite(value[1]))
        if parts:
            return parts
    parts: dict[str, list[float]] = {}
    for test in result.get("tests", []):
        part = _part_of_test(test)
        total = parts.setdefault(part, [0.0, 0.0])
        total[0] += test["score"]
        total[1] += test["max_score"]
    return {name: (score, maximum) for name, (score, maximum) in parts.items()}


def _part_of_test(test: dict) -> str:
    """The part a test belongs to.

    Args:
        test: dict, one Gradescope test.

    Returns:
        The part's name.
    """
    extra = test.get("extra_data") or {}
    if extra.get("part"):
        return str(extra["part"])
    if test.get("tags"):
        return str(test["tags"][0])
    name = str(test.get("name", ""))
    for separator in (":", "."):
        if separator in name:
            return name.split(separator, 1)[0].strip()
    return "other"


def status_of(outcome: WorkerOutcome, record: dict | None) -> tuple[str, str]:
    """The row's status and reason, from the worker's fate and the core's report.

    Args:
        outcome: WorkerOutcome, what happened to the worker.
        record: dict or None, the worker's verified record.

    Returns:
        ``(status, reason)``.
    """
    if outcome.status != "ok" or record is None:
        return outcome.status if outcome.status != "ok" else "crashed", outcome.reason
    if record.get("invalid_reason"):
        return "invalid", record["invalid_reason"]
    result = record["gradescope"]
    status = (result.get("extra_data") or {}).get("status") or result.get("status") or "ok"
    reason = (result.get("extra_data") or {}).get("reason") or result.get("reason") or ""
    return (status if status in gradebook.STATUSES else "crashed"), str(reason)


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


def grade_one(submission: Submission, options: BatchOptions, *, sha256: str = "", grader: str = "",
              max_score: float = 0.0) -> tuple[Row, dict, WorkerOutcome]:
    """Grade one submission in an isolated worker.

    Args:
        submission: Submission, what to grade.
        options: BatchOptions.
        sha256: str, its content hash (computed here when empty).
        grader: str, the grader fingerprint (computed here when empty).
        max_score: float, the points available, used when grading never finished.

    Returns:
        ``(row, Gradescope result, worker outcome)``; the result carries the status and the
        per-part scores in ``extra_data``.
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
    record = outcome.result
    status, reason = status_of(outcome, record)
    expected = expected_parts(options.core)
    if record is not None:
        result = normalise(record["gradescope"])
    else:
        result = zero_result(status, reason, f"Grading stopped ({status}): {reason}. No check could be scored.",
                             sum(expected.values()) or max_score)
    parts = parts_of(result) or {part: (0.0, points) for part, points in expected.items()}
    result["extra_data"] = {**(result.get("extra_data") or {}), "status": status, "reason": reason,
                            "parts": {p: {"score": s, "max_score": m} for p, (s, m) in parts.items()}}
    if status == "invalid":
        result["output"] = f"This submission could not be graded as submitted: {reason}\n\n{result.get('output', '')}".strip()
    row = Row(
        name=submission.name, submission=str(submission.path), status=status,
        score=float(result.get("score", 0.0)), max_score=float(result.get("max_score", max_score)), parts=parts,
        seconds=outcome.seconds, peak_memory_mb=outcome.peak_memory_mb, output_bytes=outcome.output_bytes,
        reason=reason, sha256=sha256, grader=grader,
        graded_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        # What the parts reported, else what the batch enforced (under ``require`` no part runs unsandboxed).
        isolation=str((record or {}).get("isolation") or isolation_for(options)),
    )
    return row, result, outcome


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


def write_report(row: Row, result: dict, outcome: WorkerOutcome | None, folder: Path) -> None:
    """Write ``NAME.md`` (for the student) and ``NAME.json`` (for the instructor) into ``folder``.

    Args:
        row: Row, updated in place with the report's path.
        result: dict, the Gradescope result.
        outcome: WorkerOutcome or None, for the instructor's copy of the (truncated) output.
        folder: Path, the reports folder.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{row.name}.md"
    row.report = str(path)
    path.write_text(report.markdown(row, result))
    instructor = {"row": row.to_csv(), "result": result}
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

    max_score = _usual_max(book.values())
    if todo:
        isolation_for(options)  # refuses before anything runs when no sandbox can start
        if options.core == CORE:  # Keras' references are computed here (hand_over_references), quietly
            from course.quiet import start_tensorflow

            start_tensorflow()
    fence = package_hash(options.fence)
    changed: list[str] = []

    def guarded(submission: Submission) -> tuple[Row, dict, WorkerOutcome] | None:
        """Grade one submission unless the grader changed; check the grader again afterwards."""
        if changed or package_hash(options.fence) != fence:
            changed.append("before " + submission.name)
            return None
        graded = grade_one(submission, options, sha256=hashes[submission.path], grader=grader, max_score=max_score)
        if package_hash(options.fence) != fence:
            changed.append("after " + submission.name)
        return graded

    with ThreadPoolExecutor(max_workers=max(options.jobs, 1)) as pool:
        futures = [pool.submit(guarded, s) for s in todo]
        for future in as_completed(futures):
            graded = future.result()
            if graded is None or changed:  # graded by a grader that may have been changed: not recorded
                continue
            row, result, outcome = graded
            write_report(row, result, outcome, reports)
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

