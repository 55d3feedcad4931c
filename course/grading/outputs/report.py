"""Per-student reports in Markdown: the score, every check, and a hint for each failure.

The report is made from the same Gradescope-shaped result the gradebook row comes from,
so a student's report and the instructor's gradebook never disagree.
"""

from __future__ import annotations

from course.grading.outputs.gradebook import Row

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


def markdown(row: Row, result: dict) -> str:
    """The student's report.

    Args:
        row: Row, the submission's gradebook row (status, score, parts).
        result: dict, the Gradescope-shaped result (``tests`` with ``name``, ``score``,
            ``max_score``, ``output``); may have no tests when grading never finished.

    Returns:
        The report as Markdown.
    """
    lines = [
        f"# Grade report: {row.name}",
        "",
        f"**Score: {row.score:g} / {row.max_score:g}** · status: `{row.status}` ({STATUS_TEXT.get(row.status, row.status)})",
        "",
    ]
    if row.isolation:
        lines += [f"Isolation: `{row.isolation}` ({ISOLATION_TEXT.get(row.isolation, row.isolation)})", ""]
    if row.reason:
        lines += [f"> {_cell(row.reason)}", ""]
    if row.parts:
        lines += ["| Part | Points |", "|---|---|"]
        lines += [f"| {_cell(part)} | {score:g} / {maximum:g} |" for part, (score, maximum) in row.parts.items()]
        lines.append("")
    tests = result.get("tests", [])
    if tests:
        lines += ["## Checks", "", "| Check | Points | Result |", "|---|---|---|"]
        for test in tests:
            passed = test.get("score", 0) >= test.get("max_score", 0)
            lines.append(f"| {_cell(test.get('name', '?'))} | {test.get('score', 0):g} / "
                         f"{test.get('max_score', 0):g} | {'pass' if passed else '**fail**'} |")
        lines.append("")
        failures = [t for t in tests if t.get("score", 0) < t.get("max_score", 0)]
        if failures:
            lines += ["## Hints", ""]
            for test in failures:
                lines += [f"### {_cell(test.get('name', '?'))}", "", _fence(str(test.get("output", "")) or "(no hint)"), ""]
    if result.get("output"):
        lines += ["## Notes", "", _fence(str(result["output"])), ""]
    return "\n".join(lines)
