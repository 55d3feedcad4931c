"""The whole check as it stands: each part's latest run, merged into one report with ``check``'s verdicts.

After a save the watcher regrades only some run parts (:mod:`course.watch.scope`).
Their checks come from that regrade, every other run part's from its latest run (its files
did not change). ``rules`` and ``answers`` are judged again from the current source, and
``rules.no_builtin_rnn`` reads the runtime guard's records of every part's latest run, exactly
as one ``check`` of the same parts reads them from its own runs. With the same seed, the
merged report is the one ``check --seed`` would print for the current files.
"""

from __future__ import annotations

from pathlib import Path

from course.grading import core
from course.grading.checking import static
from course.grading.checking.checks import RUN_PARTS


class Standing:
    """The latest verdict of every check, updated from each (partial) regrade.

    Attributes:
        report: GradeReport or None, the whole check as it stands (None before the first grading).
    """

    def __init__(self) -> None:
        """Start with nothing graded."""
        self.report: core.GradeReport | None = None

    def student_stack(self) -> bool:
        """Whether the model part last ran on the student's own cell and layer (not the grader's).

        Returns:
            bool.
        """
        run = self.report.runs.get("model") if self.report is not None else None
        evidence = run.evidence[0] if run is not None and run.evidence else None
        return evidence is not None and "import.student_stack" in evidence.values

    def update(self, fresh: core.GradeReport, folder: Path) -> core.GradeReport:
        """Merge a regrade into the standing report.

        Args:
            fresh: GradeReport of some run parts (those in its ``runs``) and the static parts.
            folder: Path, the package root that was graded (its source is judged again for ``rules``).

        Returns:
            GradeReport, the whole check as it stands now (also kept in :attr:`report`).
        """
        if self.report is None or fresh.status == "invalid":
            self.report = fresh  # nothing to merge with, or nothing ran: every check says why
            return fresh
        runs = {part: (fresh.runs.get(part) or self.report.runs[part])
                for part in RUN_PARTS if part in fresh.runs or part in self.report.runs}
        regraded = {part for part in RUN_PARTS if part in fresh.runs}
        verdicts = {r.name: (r.passed, r.detail) for r in self.report.results if r.check.part in runs}
        verdicts.update({r.name: (r.passed, r.detail) for r in fresh.results if r.check.part in regraded})
        records = [record for run in runs.values() for found in run.evidence if found is not None
                   for record in found.guard]
        complete = set(runs) == set(RUN_PARTS) and all(run.status == "ok" for run in runs.values())
        verdicts.update(core.static_verdicts(folder, static.parse(folder), records, complete))
        self.report = core.assemble(fresh.submission, verdicts, runs, seed=fresh.seed, seconds=fresh.seconds,
                                    warnings=fresh.warnings)
        return self.report
