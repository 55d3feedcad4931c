"""The one function the watcher grades through, held open for the watcher's lifetime.

:class:`WatchGrader` grades a folder's chosen run parts with :func:`course.grading.core.grade_submission`
(the same core, inputs and judges as ``check``; one seed for the whole session, so that a
verdict changes only when the code does) on a warm :class:`course.grading.running.runner.Runner`:
its worker waits in its sandbox with TensorFlow imported, and forks a fresh child per part for
each regrade, so a save costs the probes, not TensorFlow's start. The parent keeps Keras'
references for the session's seed (:func:`course.grading.checking.oracle.keras_references` caches them).
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from course.grading import core
from course.grading.running.runner import Runner


class WatchGrader:
    """Grade one submission again and again (a context manager; :meth:`close` ends whatever it started).

    Attributes:
        folder: Path, the submission folder.
        seed: int, the grader's inputs' seed for every grading.
        jobs: int, part children at once.
        timeouts: dict of part to seconds, or None (each part's own limit).
    """

    def __init__(self, folder: Path, *, seed: int, jobs: int, timeouts: dict[str, float] | None = None) -> None:
        """Remember what to grade and how.

        Args:
            folder: Path, the submission folder.
            seed: int, the inputs' seed.
            jobs: int, part children at once.
            timeouts: dict of part to wall-clock seconds, or None.
        """
        self.folder = folder
        self.seed = seed
        self.jobs = jobs
        self.timeouts = timeouts
        self.runner = Runner(jobs=jobs, warm=True)

    def grade(self, parts: tuple[str, ...]) -> core.GradeReport:
        """Grade these run parts (``rules`` and ``answers`` are always judged).

        Args:
            parts: tuple of str, run parts (empty: the static parts only).

        Returns:
            GradeReport, with ``runs`` for exactly ``parts``.
        """
        return core.grade_submission(self.folder, parts=parts, seed=self.seed, timeouts=self.timeouts,
                                     runner=self.runner)

    def close(self) -> None:
        """End the warm worker and everything it started, a grading in progress included (it then returns)."""
        self.runner.close()

    def __enter__(self) -> WatchGrader:
        """Enter the context.

        Returns:
            self.
        """
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        """Close on the way out, whatever happened.

        Args:
            kind: exception type or None.
            error: exception or None.
            trace: traceback or None.
        """
        self.close()
