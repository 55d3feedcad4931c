"""What the student reads in watch mode: each save, the verdict of the parts it touched, then the whole check.

The whole check is ``check``'s own table (:func:`course.commands.check.render`); the regraded
parts use its rows (:func:`course.commands.check.row`), so a check reads the same in both.
"""

from __future__ import annotations

import time
from typing import Any

from course.grading.checking.checks import RUN_PARTS


def banner(console: Any, folder: str, parts: tuple[str, ...], seed: int) -> None:
    """Say what is watched and how to stop.

    Args:
        console: rich Console.
        folder: str, the watched folder.
        parts: tuple of str, the run parts graded.
        seed: int, the inputs' seed for the whole session.
    """
    scope = "every part" if parts == RUN_PARTS else f"parts {', '.join(parts)}"
    console.print(f"Watching {folder} ({scope}; inputs from seed {seed}). Save a file to regrade what it "
                  "touches; Ctrl-C to stop.")
    console.print("[dim]The grade that counts comes from `lstm-course check` (or your instructor's `grade`).[/]")


def saved(console: Any, edited: set[str], parts: tuple[str, ...]) -> None:
    """Announce a save and what it regrades.

    Args:
        console: rich Console.
        edited: set of str, the files whose content changed.
        parts: tuple of str, the run parts regraded (rules and answers always are).
    """
    what = ", ".join(parts) if parts else "no run part"
    console.rule(f"[bold]{time.strftime('%H:%M:%S')}[/] saved {', '.join(sorted(edited))}: regrading {what}",
                 align="left")


def part_verdicts(console: Any, report: Any, parts: tuple[str, ...], seconds: float) -> None:
    """Show the regraded parts' checks as soon as they are known.

    Args:
        console: rich Console.
        report: GradeReport, the whole check as it stands.
        parts: tuple of str, the parts just regraded (none: the static parts, which a save always regrades).
        seconds: float, since the save.
    """
    from rich import box
    from rich.table import Table

    from course.commands.check import row

    shown = parts or ("rules", "answers")
    scores = report.part_scores()
    table = Table(box=box.SIMPLE, show_header=False, expand=False, pad_edge=False)
    table.add_column("check", no_wrap=True)
    table.add_column("points", justify="right", no_wrap=True)
    table.add_column("result", no_wrap=True)
    table.add_column("hint", overflow="fold")
    for result in report.results:
        if result.check.part in shown:
            table.add_row(*row(result, report.submission))
    summary = []
    for part in shown:
        score, maximum = scores[part]
        run = report.runs.get(part)
        trouble = f" [red]({run.status}: {run.reason})[/]" if run is not None and run.status != "ok" else ""
        colour = "green" if score == maximum else "red"
        summary.append(f"[{colour}]{part} {score:g}/{maximum:g}[/]{trouble}")
    console.print(f"{', '.join(summary)}  [dim]({seconds:.1f} s after the save)[/]")
    if report.status == "invalid":
        console.print(f"[red]Nothing can be graded: {report.reason}.[/]")
    console.print(table)


def whole(console: Any, report: Any, parts: tuple[str, ...], seconds: float | None = None) -> None:
    """Show the whole check, as ``check`` prints it.

    Args:
        console: rich Console.
        report: GradeReport, the whole check as it stands.
        parts: tuple of str, the run parts the watcher grades.
        seconds: float or None, since the save (None: the first grading).
    """
    from course.commands.check import render

    render(report, console, None if parts == RUN_PARTS else parts)
    if seconds is not None:
        console.print(f"[dim]Whole check {seconds:.1f} s after the save. Watching for the next save...[/]")
    else:
        console.print("[dim]Watching for the next save...[/]")
