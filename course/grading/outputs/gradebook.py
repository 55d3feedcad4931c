"""The gradebook: one CSV row per submission, rewritten atomically after every submission.

A row is written for every submission whatever happened to it, so the gradebook is the
place to look for a missing student. Its ``sha256`` and ``grader`` columns make grading
resumable: a rerun skips a submission whose content and grader are both unchanged.
"""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from course.grading.result import GradeReport
    from course.grading.running.sandbox_batch import WorkerOutcome

#: Columns before the per-part ones.
FIXED = ("name", "submission", "status", "score", "max_score", "percent")
#: Columns after the per-part ones.
TRAILING = ("isolation", "seconds", "peak_memory_mb", "output_bytes", "reason", "report", "sha256", "grader", "graded_at")


@dataclass
class Row:
    """One submission's line in the gradebook.

    Attributes:
        name: str, the submission's short name (also the report's file name).
        submission: str, its path.
        status: str, one of :data:`course.grading.result.STATUSES`.
        score: float, points earned.
        max_score: float, points available.
        parts: dict of part name to ``(score, max_score)``.
        seconds: float, wall-clock time of its grading.
        peak_memory_mb: float, the highest summed resident memory of its processes.
        output_bytes: int, bytes it printed in all.
        reason: str, why the status is not ``ok`` (empty when it is).
        report: str, the path of its report.
        sha256: str, its content hash.
        grader: str, the grader fingerprint it was graded with.
        graded_at: str, ISO time of grading.
        isolation: str, the sandbox its code ran in, one of
            :data:`course.grading.running.sandbox.LEVELS` (``bwrap+uid``, ``bwrap``,
            ``landlock+uid``, ``landlock``, ``seccomp+uid``, ``none``); empty when no part ran.
    """

    name: str
    submission: str
    status: str
    score: float
    max_score: float
    parts: dict[str, tuple[float, float]] = field(default_factory=dict)
    seconds: float = 0.0
    peak_memory_mb: float = 0.0
    output_bytes: int = 0
    reason: str = ""
    report: str = ""
    sha256: str = ""
    grader: str = ""
    graded_at: str = ""
    isolation: str = ""

    @classmethod
    def from_report(cls, report: GradeReport, *, name: str, submission: str, outcome: WorkerOutcome,
                    sha256: str, grader: str) -> Row:
        """The row of one graded submission.

        Args:
            report: GradeReport, as the batch received it (or the report of a grading that stopped).
            name: str, the submission's short name.
            submission: str, its path.
            outcome: WorkerOutcome, how its worker went (time, memory, output).
            sha256: str, its content hash.
            grader: str, the grader fingerprint.

        Returns:
            Row, stamped with the current time.
        """
        return cls(
            name=name, submission=submission, status=report.status, score=report.score,
            max_score=report.max_score, parts=report.part_scores(), seconds=outcome.seconds,
            peak_memory_mb=outcome.peak_memory_mb, output_bytes=outcome.output_bytes, reason=report.reason,
            sha256=sha256, grader=grader, graded_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            isolation=report.isolation,
        )

    def to_csv(self) -> dict[str, str]:
        """The row as CSV cells.

        Returns:
            dict of column name to text.
        """
        cells = {
            "name": self.name, "submission": self.submission, "status": self.status,
            "score": _number(self.score), "max_score": _number(self.max_score),
            "percent": f"{100 * self.score / self.max_score:.1f}" if self.max_score else "0.0",
            "seconds": f"{self.seconds:.1f}", "peak_memory_mb": f"{self.peak_memory_mb:.0f}",
            "output_bytes": str(self.output_bytes), "reason": self.reason, "report": self.report,
            "sha256": self.sha256, "grader": self.grader, "graded_at": self.graded_at,
            "isolation": self.isolation,
        }
        for part, (score, maximum) in self.parts.items():
            cells[part] = _number(score)
            cells[f"{part}_max"] = _number(maximum)
        return cells

    @classmethod
    def from_csv(cls, cells: dict[str, str]) -> Row:
        """Read a row back from CSV cells.

        Args:
            cells: dict of column name to text, as ``csv.DictReader`` gives it.

        Returns:
            The row.
        """
        known = set(FIXED) | set(TRAILING)
        parts = {c: (float(cells[c] or 0), float(cells.get(f"{c}_max") or 0)) for c in cells
                 if c not in known and not c.endswith("_max") and c}
        return cls(
            name=cells["name"], submission=cells["submission"], status=cells["status"],
            score=float(cells["score"] or 0), max_score=float(cells["max_score"] or 0), parts=parts,
            seconds=float(cells.get("seconds") or 0), peak_memory_mb=float(cells.get("peak_memory_mb") or 0),
            output_bytes=int(cells.get("output_bytes") or 0), reason=cells.get("reason", ""),
            report=cells.get("report", ""), sha256=cells.get("sha256", ""), grader=cells.get("grader", ""),
            graded_at=cells.get("graded_at", ""), isolation=cells.get("isolation", ""),
        )


def _number(value: float) -> str:
    """Format points without a useless ``.0``.

    Args:
        value: float.

    Returns:
        ``"3"`` for 3.0, ``"2.5"`` for 2.5.
    """
    return f"{value:g}"


def read(path: Path) -> dict[str, Row]:
    """Load a gradebook, keyed by submission path.

    Args:
        path: Path, the CSV (missing: an empty gradebook).

    Returns:
        dict of submission path to row, in file order.
    """
    if not path.exists():
        return {}
    with open(path, newline="") as handle:
        return {row.submission: row for row in map(Row.from_csv, csv.DictReader(handle))}


def write(path: Path, rows: list[Row]) -> None:
    """Write the gradebook atomically (a crash never leaves half a file).

    Args:
        path: Path, the CSV.
        rows: list of Row, in the order to write.
    """
    parts = list(dict.fromkeys(p for row in rows for p in row.parts))
    columns = [*FIXED, *(c for p in parts for c in (p, f"{p}_max")), *TRAILING]
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="")
        writer.writeheader()
        for row in rows:
            writer.writerow(row.to_csv())
    os.replace(temporary, path)


def grader_fingerprint(settings: str = "") -> str:
    """A short hash of the grader's own files and settings, so that changing either regrades everything.

    Args:
        settings: str, the grading settings that change scores (the core and its options).

    Returns:
        12 hex digits over every file in ``course/grading`` (caches left out) and the settings.
    """
    folder = Path(__file__).resolve().parents[1]  # course/grading, every subpackage included
    digest = hashlib.sha256(settings.encode())
    for file in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(file.relative_to(folder).as_posix().encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:12]
