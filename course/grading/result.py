"""The one result of a grading: what the core returns and what crosses every process boundary.

A :class:`GradeReport` holds each check's verdict, each part's score and how its run went,
the grading's status, the isolation level the student's code ran in and the seed its inputs
came from. The core builds it (:func:`course.grading.core.grade_submission`); the batch worker
sends it to the batch parent as JSON (:meth:`GradeReport.to_json`, signed by
:mod:`course.grading.running.sandbox_batch`), which reads it back with
:meth:`GradeReport.from_json`. The gradebook row, the Markdown report and Gradescope's results
are each built from it, in :mod:`course.grading.outputs`; no layer reads another layer's text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from course.grading.checking.checks import Check
from course.grading.checking.judges import NOT_IMPLEMENTED

#: Statuses of a whole grading, most serious first.
STATUSES: tuple[str, ...] = ("invalid", "timeout", "crashed", "ok")
#: A detail that reports an exception (``Type: message (at file:line)``), or points to one stated at another check.
RAISED = re.compile(r"^(the same failure as |[A-Z][A-Za-z0-9_.]*(Error|Exception|Exit|Interrupt|Warning)\b)")


@dataclass
class CheckResult:
    """One check's outcome.

    Attributes:
        check: Check, the registry entry (carried whole, so a reader needs no registry).
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

    def to_json(self) -> dict[str, Any]:
        """The result as JSON-ready data.

        Returns:
            dict with ``check`` (every field of the registry entry), ``passed`` and ``detail``.
        """
        return {"check": dataclasses.asdict(self.check), "passed": self.passed, "detail": self.detail}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CheckResult:
        """Read a result written by :meth:`to_json`.

        Args:
            data: dict.

        Returns:
            CheckResult.
        """
        return cls(Check(**data["check"]), bool(data["passed"]), str(data["detail"]))


@dataclass
class PartResult:
    """One part's score, and how its child process went.

    Attributes:
        score: float, points earned by the part's checks.
        max_score: float, points available.
        status: str, ``ok``, ``timeout`` or ``crashed`` (``ok`` for a part judged from the source).
        reason: str, why the status is not ``ok``.
        printed: str, what the part's child printed (cleaned and truncated by the runner).
    """

    score: float
    max_score: float
    status: str = "ok"
    reason: str = ""
    printed: str = ""


def score_parts(results: list[CheckResult], runs: Mapping[str, Any] | None = None) -> dict[str, PartResult]:
    """Group check results into part results, in the order the parts first appear.

    Args:
        results: list of CheckResult.
        runs: dict of part to its run (anything with ``status``, ``reason`` and ``output``, e.g.
            :class:`course.grading.running.runner.PartRun`); parts without one are ``ok``.

    Returns:
        dict of part name to PartResult.
    """
    runs = runs or {}
    grouped: dict[str, list[CheckResult]] = {}
    for result in results:
        grouped.setdefault(result.check.part, []).append(result)
    parts = {}
    for part, members in grouped.items():
        summary = PartResult(score=sum(r.score for r in members), max_score=float(sum(r.check.points for r in members)))
        run = runs.get(part)
        if run is not None:
            summary.status, summary.reason, summary.printed = run.status, run.reason, run.output
        parts[part] = summary
    return parts


@dataclass
class GradeReport:
    """Everything known about one grading.

    Attributes:
        submission: str, the graded path.
        results: list of CheckResult, in registry order; empty when grading stopped before any
            check was scored (the worker timed out or crashed, see :meth:`stopped`).
        parts: dict of part name to PartResult, in registry order.
        status: str, one of :data:`STATUSES`.
        reason: str, why the status is not ``ok``.
        seed: int, the seed the inputs were drawn from.
        seconds: float, wall-clock time of the grading.
        warnings: list of str, notes worth no points (e.g. imports of modules the grader lacks).
        isolation: str, the weakest sandbox any part's child ran in
            (:data:`course.grading.running.sandbox.LEVELS`); empty when no child ran.
        note: str, what the student reads when grading stopped before any check was scored.
        runs: dict of part to :class:`course.grading.running.runner.PartRun`, the raw runs; only in
            the process that graded (never serialised: they hold the children's outputs).
    """

    submission: str
    results: list[CheckResult]
    parts: dict[str, PartResult]
    status: str = "ok"
    reason: str = ""
    seed: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    isolation: str = ""
    note: str = ""
    runs: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def stopped(cls, submission: str, status: str, reason: str, note: str, *,
                points: Mapping[str, float] | None = None, isolation: str = "") -> GradeReport:
        """The report of a grading that ended before any check was scored.

        Args:
            submission: str, the submission's path.
            status: str, ``timeout`` or ``crashed``.
            reason: str, what happened.
            note: str, what the student reads.
            points: dict of part to the points it offers (each part then scores 0 of them).
            isolation: str, the sandbox the grading would have used.

        Returns:
            GradeReport with no check results.
        """
        parts = {part: PartResult(0.0, float(most), status) for part, most in (points or {}).items()}
        return cls(submission=submission, results=[], parts=parts, status=status, reason=reason,
                   isolation=isolation, note=note)

    @property
    def score(self) -> float:
        """Points earned."""
        return float(sum(part.score for part in self.parts.values()))

    @property
    def max_score(self) -> float:
        """Points available."""
        return float(sum(part.max_score for part in self.parts.values()))

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
            dict of part to ``(score, max_score)``, in registry order.
        """
        return {name: (part.score, part.max_score) for name, part in self.parts.items()}

    def output(self) -> str:
        """The report's overall notes: status, seed, warnings and what the student's code printed.

        Returns:
            str; the note alone when grading stopped before any check was scored.
        """
        if not self.results:
            return self.note
        lines = [f"Status: {self.status}" + (f" ({self.reason})" if self.reason else ""),
                 f"Inputs drawn from seed {self.seed}; graded in {self.seconds:.1f} s."]
        lines += [f"Warning (no points): {warning}" for warning in self.warnings]
        for name, part in self.parts.items():
            if part.status != "ok":
                lines.append(f"Part {name}: {part.status}: {part.reason}")
            if part.printed.strip():
                lines.append(f"Part {name} printed:\n{part.printed.strip()}")
        notes = "\n".join(lines)
        if self.status == "invalid":
            return f"This submission could not be graded as submitted: {self.reason}\n\n{notes}".strip()
        return notes

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data (everything but :attr:`runs`).

        Returns:
            dict.
        """
        return {"submission": self.submission, "results": [r.to_json() for r in self.results],
                "parts": {name: dataclasses.asdict(part) for name, part in self.parts.items()},
                "status": self.status, "reason": self.reason, "seed": self.seed, "seconds": self.seconds,
                "warnings": list(self.warnings), "isolation": self.isolation, "note": self.note}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GradeReport:
        """Read a report written by :meth:`to_json`.

        Args:
            data: dict.

        Returns:
            GradeReport (without runs).

        Raises:
            KeyError, TypeError, ValueError: when ``data`` is not such a report.
        """
        status = str(data["status"])
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        return cls(submission=str(data["submission"]), results=[CheckResult.from_json(r) for r in data["results"]],
                   parts={str(name): PartResult(**part) for name, part in data["parts"].items()},
                   status=status, reason=str(data["reason"]), seed=int(data["seed"]),
                   seconds=float(data["seconds"]), warnings=[str(w) for w in data["warnings"]],
                   isolation=str(data["isolation"]), note=str(data["note"]))
