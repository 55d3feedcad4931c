"""The grading core: grade one submission into a :class:`course.grading.result.GradeReport`.

``grade_submission(path)`` is what ``lstm-course check``, ``lstm-course grade`` and
``pytest tests/graders`` all call. The trusted parent (this process):

1. copies or unpacks the submission safely (:mod:`course.grading.intake`);
2. judges the ``rules`` and ``answers`` parts from the source text (nothing runs);
3. chooses every input (:mod:`course.grading.checking.inputs`) and runs each other part in its
   own child process with a timeout and a memory cap (:class:`course.grading.running.runner.Runner`);
4. decides each check by comparing the children's raw outputs with Keras' own LSTM
   (:mod:`course.grading.checking.oracle`, :mod:`course.grading.checking.judges`, each part's
   verdicts in :mod:`course.grading.checking.parts`).

A crash, timeout or exit in one part costs only that part's checks. No reference
solution is needed or importable while grading.
"""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course.grading import limits
from course.grading.checking import static
from course.grading.intake import InvalidSubmission, materialise
from course.grading.running import tasks
from course.grading.checking.checks import CHECKS, RUN_PARTS, checks_for
from course.grading.checking.inputs import make_inputs
from course.grading.checking.judges import NOT_IMPLEMENTED, judge
from course.grading.result import CheckResult, GradeReport, score_parts
from course.grading.running.runner import PartRun, Runner

#: Order in which parts start: the longest first, so parallel children finish together.
START_ORDER: tuple[str, ...] = ("training", "layer", "cell", "model", "data")


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Silence file descriptor 2 (TensorFlow's C++ logging) for a block.

    Yields:
        Nothing.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def static_verdicts(folder: Path, trees: dict[str, Any], runtime_records: list[str],
                     runs_complete: bool) -> dict[str, tuple[bool, str]]:
    """Decide the ``rules`` and ``answers`` checks from the source and the runtime guard's records.

    Args:
        folder: Path, the submission.
        trees: dict of file name to AST (:func:`course.grading.checking.static.parse` of ``folder``).
        runtime_records: list of str, forbidden uses recorded by the children.
        runs_complete: bool, whether every child reported (so the runtime guard saw everything).

    Returns:
        dict of check name to ``(passed, detail)``.
    """
    missing = [name for name, tree in trees.items() if tree is None]
    todo = static.stubs(trees)
    verdicts: dict[str, tuple[bool, str]] = {}
    blocker = ""
    if todo:
        names = ", ".join(f"{f.file[:-3]}.{f.what.split(' is ')[0]}" for f in todo[:3])
        blocker = (f"{NOT_IMPLEMENTED}: {len(todo)} function(s) still raise NotImplementedError ({names}"
                   f"{', ...' if len(todo) > 3 else ''}); the rules are judged on finished code")
    elif missing:
        blocker = f"cannot judge the rules: {', '.join(missing)} missing or not valid Python"

    def decide(name: str, findings: list[Any], ok_text: str) -> None:
        if blocker:
            verdicts[name] = (False, blocker)
        elif findings:
            verdicts[name] = (False, "; ".join(str(f) for f in findings[:6])
                              + (f" (and {len(findings) - 6} more)" if len(findings) > 6 else ""))
        else:
            verdicts[name] = (True, ok_text)

    forbidden = [*static.forbidden_uses(trees), *(f"at run time: {r}" for r in dict.fromkeys(runtime_records))]
    guard_note = "" if runs_complete else " (some parts did not run, so the runtime guard saw only part of the code)"
    decide("rules.no_builtin_rnn", forbidden, "no built-in recurrent layer or op found" + guard_note)
    decide("rules.type_hints", static.missing_type_hints(trees), "every public function and method is typed")
    decide("rules.docstrings", static.missing_docstrings(trees),
           "every public function and method explains its arguments")
    problems = static.answers_problems(folder)
    template = problems and all("no answer yet" in p for p in problems) and (folder / "answers.md").is_file()
    verdicts["answers.both_questions"] = (
        not problems, ("; ".join(problems) if not template else f"{NOT_IMPLEMENTED}: {'; '.join(problems)}")
        if problems else "both questions are addressed")
    return verdicts


def _results(verdicts: dict[str, tuple[bool, str]]) -> list[CheckResult]:
    """Turn verdicts into results for every registered check (a missing verdict fails).

    Args:
        verdicts: dict of check name to ``(passed, detail)``.

    Returns:
        list of CheckResult in registry order.
    """
    return [CheckResult(check, *verdicts.get(check.name, (False, "this check did not run"))) for check in CHECKS]


def _oracles(parts: Any, seed: int, references: str | None = None) -> dict[str, Any]:
    """Lazy Keras references for the parts that compare with Keras.

    Args:
        parts: the run parts graded (any collection of str).
        seed: int, the seed their inputs were drawn from.
        references: str or None, an ``.npz`` the trusted batch parent wrote for this seed
            (:func:`course.grading.checking.oracle.save_references`); None: ask Keras here.

    Returns:
        dict of part to a zero-argument callable giving that part's references.
    """
    from course.grading.checking import oracle

    wanted = [part for part in RUN_PARTS if part in parts and oracle.compares(part)]
    if references is not None:
        handed = oracle.load_references(Path(references))
        return {part: functools.partial(handed.__getitem__, part) for part in wanted}
    return {part: functools.partial(oracle.keras_references, part, seed) for part in wanted}


def judge_run(part: str, inputs: Any, run: PartRun, index: int, oracle: Any) -> dict[str, tuple[bool, str]]:
    """Decide one run part's checks for one submission from its child's run.

    Args:
        part: str.
        inputs: the part's PartInputs.
        run: PartRun.
        index: int, the submission's index in the run.
        oracle: zero-argument callable for the part's Keras references, or None.

    Returns:
        dict of check name to ``(passed, detail)``.
    """
    evidence = run.evidence[index] if index < len(run.evidence) else None
    if evidence is None:
        why = run.reason or "no result came back"
        return {c.name: (False, f"the {part} part {run.status}: {why}") for c in checks_for(part)}
    return judge(part, inputs, evidence, oracle)


def grade_submission(path: Path, *, jobs: int = 1, parts: tuple[str, ...] | None = None, seed: int | None = None,
                     timeouts: dict[str, float] | None = None, memory_mb: int = limits.PART_MEMORY_MB,
                     references: str | None = None, keep: str | Path | None = None,
                     runner: Runner | None = None) -> GradeReport:
    """Grade one submission.

    Args:
        path: Path, a submission folder or ``.zip`` (one top folder or flat files).
        jobs: int, how many part children run at once.
        parts: tuple of str, the run parts to run (default all); checks of parts not run
            fail with "this check did not run". ``rules`` and ``answers`` are always judged.
        seed: int, the seed for the inputs (default: a fresh random one, recorded in the report).
        timeouts: dict of part to wall-clock seconds (default :data:`course.grading.limits.PART_SECONDS`).
        memory_mb: int, each child's address-space cap in MiB.
        references: str or None, Keras' references for ``seed`` in an ``.npz`` written by the
            trusted batch parent (:mod:`course.grading.batch`), so that this process need not
            import TensorFlow; None: computed here.
        keep: str or Path or None, a folder for each part's raw outputs, verdicts and rerun script
            (:mod:`course.grading.running.keep`); None: nothing is kept.
        runner: Runner or None, the runner to run the parts with (a warm one keeps its worker,
            TensorFlow imported, between gradings; its ``jobs`` and ``memory_mb`` then apply);
            None: a one-shot runner with ``jobs`` and ``memory_mb``, closed afterwards.

    Returns:
        GradeReport.
    """
    if runner is None:
        with Runner(jobs=jobs, memory_mb=memory_mb) as one_shot:
            return grade_submission(path, parts=parts, seed=seed, timeouts=timeouts, references=references,
                                    keep=keep, runner=one_shot)
    start = time.monotonic()
    seed = secrets.randbits(31) if seed is None else seed
    timeouts = timeouts or {}
    keep = None if keep is None else Path(keep).resolve()
    with tempfile.TemporaryDirectory(prefix="lstm-submission-") as scratch:
        status, reason = "ok", ""
        try:
            folder = materialise(Path(path), Path(scratch))
        except InvalidSubmission as error:
            status, reason, folder = "invalid", str(error), Path(scratch) / "empty"
            folder.mkdir(exist_ok=True)

        # An invalid submission has nothing to run: every check fails with the reason.
        selected = [] if status == "invalid" else [
            p for p in START_ORDER if p in (RUN_PARTS if parts is None else parts)]
        inputs = {part: make_inputs(part, seed) for part in selected}
        runs: dict[str, PartRun] = {}
        forked = bool(selected) and runner.forks(selected)
        planned = runner.plan(selected) if selected else []
        with ThreadPoolExecutor(max_workers=1) as pool:
            started = pool.submit(runner.run, planned, folder, inputs, timeouts=timeouts, keep=keep)
            with quiet_stderr():  # TensorFlow's start-up chatter is not for the student
                oracles = _oracles(inputs, seed, references)
                for made in oracles.values():
                    made()  # compute Keras' references while the children run
            done = started.result()
        for part in selected:
            runs[part] = tasks.merge(part, [done[task.name] for task in planned if task.part == part])

        verdicts: dict[str, tuple[bool, str]] = {}
        for part in selected:
            verdicts.update(judge_run(part, inputs[part], runs[part], 0, oracles.get(part)))
        records = [r for run in runs.values() for e in run.evidence if e is not None for r in e.guard]
        complete = len(selected) == len(RUN_PARTS) and all(r.status == "ok" for r in runs.values())
        trees = static.parse(folder)
        verdicts.update(static_verdicts(folder, trees, records, complete))
        warnings = absent_import_warnings(trees)
        if status == "invalid":
            verdicts = {check.name: (False, f"invalid submission: {reason}") for check in CHECKS}
        elif keep is not None:  # every child has ended: held-out labels may leave the parent now
            from course.grading.running.keep import write_kept

            write_kept(keep, folder, runs=runs, results=_results(verdicts), inputs=inputs, seed=seed,
                       children={p: sum(t.part == p for t in planned) for p in selected}, zygote=forked,
                       timeouts=timeouts)

    return assemble(str(path), verdicts, runs, status=status, reason=reason, seed=seed,
                    seconds=time.monotonic() - start, warnings=warnings)


def assemble(submission: str, verdicts: dict[str, tuple[bool, str]], runs: dict[str, PartRun], *, status: str = "ok",
             reason: str = "", seed: int = 0, seconds: float = 0.0, warnings: list[str] = ()) -> GradeReport:
    """Build the report of a grading from its verdicts and its parts' runs (also the watcher's merged report).

    Args:
        submission: str, what was graded.
        verdicts: dict of check name to ``(passed, detail)``; a check without one fails as not run.
        runs: dict of part to PartRun, the runs the verdicts came from.
        status: str, ``ok`` or ``invalid`` as the intake decided; an ``ok`` grading whose parts timed
            out or crashed takes the worst of those (timeout before crashed), with each such part's reason.
        reason: str, why the intake refused the submission.
        seed: int, the inputs' seed.
        seconds: float, how long the grading took.
        warnings: list of str.

    Returns:
        GradeReport.
    """
    if status == "ok":
        for worst in ("timeout", "crashed"):
            bad = [part for part, run in runs.items() if run.status == worst]
            if bad:
                status, reason = worst, "; ".join(f"{part}: {runs[part].reason}" for part in bad)
                break
    results = _results(verdicts)
    return GradeReport(submission=submission, results=results, parts=score_parts(results, runs), status=status,
                       reason=reason, seed=seed, seconds=seconds, warnings=list(warnings),
                       isolation=weakest_isolation(runs), runs=runs)


def weakest_isolation(runs: dict[str, PartRun]) -> str:
    """The weakest sandbox any part's child ran in, as the runner reported it.

    Args:
        runs: dict of part to PartRun.

    Returns:
        one of :data:`course.grading.running.sandbox.LEVELS`, or empty when no child ran.
    """
    from course.grading.running.sandbox import LEVELS  # strongest first

    levels = {run.isolation for run in runs.values()} - {""}
    return next((level for level in reversed(LEVELS) if level in levels), "")


def absent_import_warnings(trees: dict[str, Any]) -> list[str]:
    """Warn about imports of modules the grader does not provide (they cost nothing until used).

    Args:
        trees: dict of file name to AST (:func:`course.grading.checking.static.parse` of the submission).

    Returns:
        list of str: one warning naming every such import, or none.
    """
    findings = static.absent_imports(trees)
    if not findings:
        return []
    where = ", ".join(f"{f.what.split()[1].rstrip(',')} ({f.file}:{f.line})" for f in findings)
    return [f"imports the grader does not provide: {where}. Each runs with a stand-in that raises "
            "ModuleNotFoundError only where it is used; remove them, or keep to the packages the grader "
            "provides (docs/grading.md)"]


def grade_shared(folders: list[Path], parts_of: list[tuple[str, ...]], *, seed: int = 0, jobs: int = 2,
                 timeout_per_submission: float = 60.0, per_child: int = 16) -> list[dict[str, tuple[bool, str]]]:
    """Grade many *trusted* submissions, several per child process (for the mutant suite only).

    The submissions of a part share one child, so TensorFlow starts once per part
    instead of once per submission. Student code must never be graded this way: one
    submission could tamper with the next one's process.

    Args:
        folders: list of Path, the submissions.
        parts_of: for each submission, the run parts to run on it.
        seed: int, the inputs' seed.
        jobs: int, part children at once.
        timeout_per_submission: float, seconds added to a child's limit per submission.
        per_child: int, most submissions in one child; a part with more is split over
            several children of even size, so that no one child holds up the rest.

    Returns:
        For each submission, its verdicts (run parts asked for, plus ``rules`` and ``answers``).
    """
    wanted = {part: [i for i, parts in enumerate(parts_of) if part in parts] for part in START_ORDER}
    wanted = {part: indices for part, indices in wanted.items() if indices}
    inputs = {part: make_inputs(part, seed) for part in wanted}
    chunks: list[tasks.Task] = []
    for part, indices in wanted.items():
        count = -(-len(indices) // max(1, per_child))
        chunks += [tasks.Task(part, submissions=tuple(indices[k::count]), shard=k) for k in range(count)]
    chunks.sort(key=lambda chunk: START_ORDER.index(chunk.part))
    seconds = {chunk.name: 60 + timeout_per_submission * len(chunk.submissions) for chunk in chunks}
    with Runner(jobs=jobs) as runner, ThreadPoolExecutor(max_workers=1) as pool:
        started = pool.submit(runner.run, chunks, list(folders), inputs, timeouts=seconds)
        with quiet_stderr():
            oracles = _oracles(inputs, seed)
            for made in oracles.values():
                made()
        runs = started.result()
    verdicts: list[dict[str, tuple[bool, str]]] = [{} for _ in folders]
    records: list[list[str]] = [[] for _ in folders]
    for chunk in chunks:
        part, run = chunk.part, runs[chunk.name]
        for position, index in enumerate(chunk.submissions):
            verdicts[index].update(judge_run(part, inputs[part], run, position, oracles.get(part)))
            evidence = run.evidence[position] if position < len(run.evidence) else None
            records[index] += evidence.guard if evidence is not None else []
    for index, folder in enumerate(folders):
        verdicts[index].update(static_verdicts(folder, static.parse(folder), records[index], False))
    return verdicts


def default_jobs() -> int:
    """A sensible number of parallel part children for this machine.

    Returns:
        int, at least 1.
    """
    return max(1, min(len(RUN_PARTS), os.cpu_count() or 1))
