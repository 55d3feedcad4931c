"""Per-student reports in Markdown: the score, every check, and a hint for each failure.

The report is made from the same :class:`course.grading.result.GradeReport` the gradebook row
comes from, so a student's report and the instructor's gradebook never disagree.
"""

from __future__ import annotations

from course.grading.outputs.results import check_output
from course.grading.result import GradeReport

#: What a status means, in words a student understands.
STATUS_TEXT = {
    "ok": "graded",
    "timeout": "stopped: it ran longer than the time limit",
    "crashed": "stopped: the grading process crashed or used too much memory",
    "invalid": "not gradable as submitted (see below)",
}


def _cell(text: str) -> str:
    """Make text safe inside a Markdown table cell.

    Args:
        text: str.

    Returns:
        The text on one line, with pipes escaped.
    """
    return " ".join(str(text).split()).replace("|", "\\|")


def _fence(text: str) -> str:
    """Wrap text in a code fence longer than any backtick run inside it.

    Args:
        text: str, possibly student-controlled.

    Returns:
        The fenced block.
    """
    ticks = "`" * max(3, _longest_backticks(text) + 1)
    return f"{ticks}text\n{text.rstrip()}\n{ticks}"


def _longest_backticks(text: str) -> int:
    """The longest run of backticks in ``text``.

    Args:
        text: str.

    Returns:
        The run's length (0 when there is none).
    """
    longest = current = 0
    for char in text:
        current = current + 1 if char == "`" else 0
        longest = max(longest, current)
    return longest


#: What each isolation level of :mod:`course.grading.running.sandbox` means, for the report.
ISOLATION_TEXT = {
    "bwrap+uid": "sandboxed: read-only files, no network, unprivileged uid",
    "bwrap": "sandboxed: read-only files, no network",
    "landlock+uid": "sandboxed without namespaces (Landlock, seccomp): read-only files, no network, unprivileged uid",
    "landlock": "sandboxed without namespaces (Landlock, seccomp): read-only files, no network",
    "seccomp+uid": "partly sandboxed (seccomp, unprivileged uid; no Landlock here): no network, "
                   "but the files other users may read and /tmp are open",
    "none": "not sandboxed",
}


def markdown(report: GradeReport, name: str) -> str:
    """The student's report.

    Args:
        report: GradeReport, as the batch received it (its isolation filled in by the batch when no
            part reported one); may have no check results when grading never finished.
        name: str, the submission's short name.

    Returns:
        The report as Markdown.
    """
    status = report.status
    lines = [
        f"# Grade report: {name}",
        "",
        f"**Score: {report.score:g} / {report.max_score:g}** · status: `{status}` ({STATUS_TEXT.get(status, status)})",
        "",
    ]
    if report.isolation:
        lines += [f"Isolation: `{report.isolation}` ({ISOLATION_TEXT.get(report.isolation, report.isolation)})", ""]
    if report.reason:
        lines += [f"> {_cell(report.reason)}", ""]
    if report.parts:
        lines += ["| Part | Points |", "|---|---|"]
        lines += [f"| {_cell(part)} | {score:g} / {maximum:g} |" for part, (score, maximum) in report.part_scores().items()]
        lines.append("")
    if report.results:
        lines += ["## Checks", "", "| Check | Points | Result |", "|---|---|---|"]
        for result in report.results:
            lines.append(f"| {_cell(result.name)} | {result.score:g} / {result.check.points:g} | "
                         f"{'pass' if result.passed else '**fail**'} |")
        lines.append("")
        failures = [r for r in report.results if not r.passed]
        if failures:
            lines += ["## Hints", ""]
            for result in failures:
                lines += [f"### {_cell(result.name)}", "", _fence(check_output(result) or "(no hint)"), ""]
    if report.output():
        lines += ["## Notes", "", _fence(report.output()), ""]
    return "\n".join(lines)
