"""The grading core: grade one submission into a :class:`GradeReport`.

``grade_submission(path)`` is what ``lstm-course check``, ``lstm-course grade`` and
``pytest tests/graders`` all call. The trusted parent (this process):

1. copies or unpacks the submission safely (:mod:`course.grading.intake`);
2. judges the ``rules`` and ``answers`` parts from the source text (nothing runs);
3. chooses every input (:mod:`course.grading.checking.inputs`) and runs each other part in its
   own child process with a timeout and a memory cap (:class:`course.grading.running.runner.Runner`);
4. decides each check by comparing the children's raw outputs with Keras' own LSTM
   (:mod:`course.grading.checking.oracle`, :mod:`course.grading.checking.judges`).

A crash, timeout or exit in one part costs only that part's checks. No reference
solution is needed or importable while grading.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import secrets
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.grading import limits
from course.grading.checking import static
from course.grading.intake import InvalidSubmission, materialise
from course.grading.running import tasks
from course.grading.checking.checks import CHECKS, PARTS, RUN_PARTS, Check, checks_for
from course.grading.checking.inputs import make_inputs
from course.grading.checking.judges import NOT_IMPLEMENTED, judge
from course.grading.running.runner import PartRun, Runner

#: Statuses of a whole grading, most serious first.
STATUSES: tuple[str, ...] = ("invalid", "timeout", "crashed", "ok")
#: A detail that reports an exception (``Type: message (at file:line)``), or points to one stated at another check.
RAISED = re.compile(r"^(the same failure as |[A-Z][A-Za-z0-9_.]*(Error|Exception|Exit|Interrupt|Warning)\b)")
#: Order in which parts start: the longest first, so parallel children finish together.
START_ORDER: tuple[str, ...] = ("training", "layer", "cell", "model", "data")


@dataclass
class CheckResult:
    """One check's outcome.

    Attributes:
        check: Check, the registry entry.
        passed: bool.
        detail: str, what the grader observed.
    """

    check: Check
    passed: bool
    detail: str

    @property
    def name(self) -> str:
        """The check's name."""
        return self.check.name

    @property
    def score(self) -> float:
        """Points earned: all or nothing."""
        return float(self.check.points) if self.passed else 0.0

    @property
    def not_implemented(self) -> bool:
        """Whether the failure is an untouched exercise."""
        return not self.passed and self.detail.startswith(NOT_IMPLEMENTED)

    @property
    def raised(self) -> bool:
        """Whether the failure is an exception in the student's code (or points to one stated elsewhere)."""
        return not self.passed and not self.not_implemented and bool(RAISED.match(self.detail))

    @property
    def hint(self) -> str:
        """What the student should read: empty when passed; the exception itself when the code raised."""
        if self.passed:
            return ""
        if self.not_implemented or self.raised:
            return self.detail
        return self.check.hint

    def output(self) -> str:
        """The text shown for this check in reports.

        Returns:
            str.
        """
        if self.passed:
            note = " (an instructor grades the content)" if self.check.manual else ""
            return f"Passed: {self.check.proves}{note}. {self.detail}"
        if self.not_implemented:
            return f"{self.detail}\nHint: {self.check.hint}"
        if self.raised:  # the real cause, not the advice for a wrong value
            return f"Your code raised an error before this check could judge it: {self.detail}"
        return f"{self.check.hint}\nWhat the grader saw: {self.detail}"


@dataclass
class GradeReport:
    """Everything known about one grading.

    Attributes:
        submission: str, the graded path.
        results: list of CheckResult, in registry order.
        runs: dict of part to PartRun (run parts only).
        status: str, one of :data:`STATUSES`.
        reason: str, why the status is not ``ok``.
        seed: int, the seed the inputs were drawn from.
        seconds: float, wall-clock time of the grading.
        warnings: list of str, notes worth no points (e.g. imports of modules the grader lacks).
    """

    submission: str
    results: list[CheckResult]
    runs: dict[str, PartRun] = field(default_factory=dict)
    status: str = "ok"
    reason: str = ""
    seed: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        """Points earned."""
        return sum(r.score for r in self.results)

    @property
    def max_score(self) -> float:
        """Points available."""
        return float(sum(r.check.points for r in self.results))

    def result(self, name: str) -> CheckResult:
        """Return one check's result.

        Args:
            name: str, the check's name.

        Returns:
            CheckResult.

        Raises:
            KeyError: for an unknown name.
        """
        for result in self.results:
            if result.name == name:
                return result
        raise KeyError(name)

    def part_scores(self) -> dict[str, tuple[float, float]]:
        """Score and maximum of every part.

        Returns:
            dict of part to ``(score, max_score)``, in :data:`PARTS` order.
        """
        scores: dict[str, tuple[float, float]] = {}
        for part in PARTS:
            results = [r for r in self.results if r.check.part == part]
            if results:
                scores[part] = (sum(r.score for r in results), float(sum(r.check.points for r in results)))
        return scores

    def output(self) -> str:
        """The report's overall notes: status and what the student's code printed.

        Returns:
            str.
        """
        lines = [f"Status: {self.status}" + (f" ({self.reason})" if self.reason else ""),
                 f"Inputs drawn from seed {self.seed}; graded in {self.seconds:.1f} s."]
        lines += [f"Warning (no points): {warning}" for warning in self.warnings]
        for part, run in self.runs.items():
            if run.status != "ok":
                lines.append(f"Part {part}: {run.status}: {run.reason}")
            if run.output.strip():
                lines.append(f"Part {part} printed:\n{run.output.strip()}")
        return "\n".join(lines)

    def to_gradescope(self) -> dict[str, Any]:
        """The report in Gradescope's ``results.json`` shape, plus ``status``, ``reason``, ``parts``, ``seed``.

        Returns:
            dict, JSON-ready.
        """
        return {
            "score": self.score,
            "max_score": self.max_score,
            "execution_time": round(self.seconds, 2),
            "output": self.output(),
            "status": self.status,
            "reason": self.reason,
            "seed": self.seed,
            "parts": {part: {"score": s, "max_score": m,
                             "status": self.runs[part].status if part in self.runs else "ok"}
                      for part, (s, m) in self.part_scores().items()},
            "tests": [
                {"name": r.name, "score": r.score, "max_score": float(r.check.points), "output": r.output(),
                 "status": "passed" if r.passed else "failed", "tags": [r.check.part],
                 "extra_data": {"part": r.check.part, "manual": r.check.manual,
                                "not_implemented": r.not_implemented}}
                for r in self.results
            ],
        }


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


def _static_verdicts(folder: Path, trees: dict[str, Any], runtime_records: list[str],
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

    wanted = [part for part in ("cell", "layer") if part in parts]
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
        verdicts.update(_static_verdicts(folder, trees, records, complete))
        warnings = absent_import_warnings(trees)
        if status == "invalid":
            verdicts = {check.name: (False, f"invalid submission: {reason}") for check in CHECKS}
        elif keep is not None:  # every child has ended: held-out labels may leave the parent now
            from course.grading.running.keep import write_kept

            write_kept(keep, folder, runs=runs, results=_results(verdicts), inputs=inputs, seed=seed,
                       children={p: sum(t.part == p for t in planned) for p in selected}, zygote=forked,
                       timeouts=timeouts)

    if status == "ok":
        for worst in ("timeout", "crashed"):
            bad = [part for part, run in runs.items() if run.status == worst]
            if bad:
                status = worst
                reason = "; ".join(f"{part}: {runs[part].reason}" for part in bad)
                break
    return GradeReport(submission=str(path), results=_results(verdicts), runs=runs, status=status, reason=reason,
                       seed=seed, seconds=time.monotonic() - start, warnings=warnings)


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
        verdicts[index].update(_static_verdicts(folder, static.parse(folder), records[index], False))
    return verdicts


def default_jobs() -> int:
    """A sensible number of parallel part children for this machine.

    Returns:
        int, at least 1.
    """
    return max(1, min(len(RUN_PARTS), os.cpu_count() or 1))
