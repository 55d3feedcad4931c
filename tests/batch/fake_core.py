"""A light stand-in for ``course.grading.core`` to test the batch fence without TensorFlow.

It is deliberately *unsafe*: it runs the submission's ``hostile.py`` inside the worker
itself, the worst case for the fence around the worker. Each present exercise file earns
its part one point, so partial credit is visible in the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PARTS = ("data", "cell", "layer")


@dataclass
class FakeReport:
    """A report with the real one's interface.

    Attributes:
        tests: list of dict, Gradescope tests.
    """

    tests: list[dict]

    def to_gradescope(self) -> dict:
        """The Gradescope results shape.

        Returns:
            dict with ``score``, ``max_score`` and ``tests``.
        """
        return {"score": sum(t["score"] for t in self.tests),
                "max_score": sum(t["max_score"] for t in self.tests), "tests": self.tests}


def grade_submission(path: Path, *, jobs: int = 1, **options: object) -> FakeReport:
    """Score one point per present exercise file, after running ``hostile.py`` if there is one.

    Args:
        path: Path, the submission's package root.
        jobs: int, ignored.
        **options: ignored.

    Returns:
        A FakeReport.
    """
    hostile = path / "hostile.py"
    if hostile.exists():
        exec(compile(hostile.read_text(), str(hostile), "exec"), {"__name__": "hostile"})
    tests = [{"name": f"{part}: file present", "score": float((path / f"{part}.py").exists()),
              "max_score": 1.0, "output": "" if (path / f"{part}.py").exists() else f"{part}.py is missing",
              "tags": [part]} for part in PARTS]
    return FakeReport(tests)
